"""Petits jeux de données construits à la main, partagés par les tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coverage.modele import DonneesFacilitateurs
from geo.reference import Referentiel


def referentiel_minuscule() -> Referentiel:
    """Six communes, quatre EPCI, deux départements d'une région.

    | commune | pop  | EPCI | dép. |
    | C1      | 1000 | E1   | 01   |
    | C2      | 3000 | E1   | 01   |
    | C3      | 2000 | E2   | 01   |
    | C4      | 2000 | E2   | 01   |
    | C5      |  500 | E3   | 01   |
    | C6      | 1500 | E4   | 38   |
    """
    communes = pd.DataFrame(
        {
            "code": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "nom": ["Une", "Deux", "Trois", "Quatre", "Cinq", "Six"],
            "departement": ["01", "01", "01", "01", "01", "38"],
            "region": ["84"] * 6,
            "epci": ["E1", "E1", "E2", "E2", "E3", "E4"],
            "population": [1000, 3000, 2000, 2000, 500, 1500],
            "a_geometrie": [True] * 6,
            "lon": np.linspace(5.0, 5.5, 6),
            "lat": [46.0] * 6,
        }
    ).set_index("code")
    epci = pd.DataFrame(
        {"code": ["E1", "E2", "E3", "E4"], "nom": ["CC Un", "CA Deux", "CC Trois", "CC Quatre"], "type": ["CC", "CA", "CC", "CC"],
         "population": [4000, 4000, 500, 1500], "nb_communes": [2, 2, 1, 1], "departement": ["01", "01", "01", "38"], "region": ["84"] * 4}
    ).set_index("code")
    departements = pd.DataFrame({"code": ["01", "38"], "nom": ["Ain", "Isère"], "region": ["84", "84"], "population": [8500, 1500]}).set_index("code")
    regions = pd.DataFrame({"code": ["84"], "nom": ["Auvergne-Rhône-Alpes"], "population": [10000]}).set_index("code")
    return Referentiel(
        communes=communes,
        epci=epci,
        departements=departements,
        regions=regions,
        codes_postaux=pd.DataFrame({"code_postal": ["01000"], "commune": ["C1"]}),
        anciens_codes=pd.DataFrame({"ancien_code": ["C0"], "commune": ["C1"]}),
    )


def donnees_minuscules() -> DonneesFacilitateurs:
    """S1 (2 ETP) : E1 part 0,75 et E2 part 0,25 ; S2 (1 ETP, prorata) : E2 principal, C6 en extension."""
    structures = pd.DataFrame(
        {
            "id_structure": ["S1", "S2", "S3"],
            "nom": ["Association Une", "Collectivité Deux", "Nouvelle structure"],
            "statut": ["association", "collectivite", "association"],
            "siret": ["", "", ""],
            "departement": ["01", "01", "01"],
            "etp_facilitateur": [2.0, 1.0, 0.0],
            "etp_coordinateur": [0.0, 0.0, 0.0],
            "financement_pnad": ["2022,2023,2024", "", ""],
        }
    )
    perimetres = pd.DataFrame(
        {
            "id_structure": ["S1", "S1", "S2", "S2", "S3"],
            "niveau": ["epci", "epci", "epci", "commune", "epci"],
            "code": ["E1", "E2", "E2", "C6", "E3"],
            "role": ["principal", "principal", "principal", "extension", "principal"],
            "part_etp": [0.75, 0.25, np.nan, np.nan, np.nan],
        }
    )
    return DonneesFacilitateurs(structures=structures, perimetres=perimetres, dossiers=pd.DataFrame(), demo=False)


def cellules_affichees(element) -> pd.DataFrame:
    """Texte que la grille d'un `st.dataframe` (élément AppTest) montre : valeurs d'affichage du Styler s'il y en a.

    `element.value` rend les valeurs d'origine (nombres) ; les pages passent par `ui.presentation.tableau`,
    qui écrit les nombres à la française dans les valeurs d'affichage.
    """
    from streamlit import dataframe_util

    brut = element.proto.arrow_data.styler.display_values
    table = element.value
    if not brut:
        return table.astype(str)
    affiche = dataframe_util.convert_arrow_bytes_to_pandas_df(brut)
    affiche.columns = table.columns
    return affiche
