"""Libellés français des colonnes et des codes, en un seul endroit, pour les tableaux lus par des personnes.

Les pages (`ui.presentation.tableau`) et les exports XLSX « pour les personnes » passent par
`pour_personnes()` ; les CSV gardent les noms de colonnes et les codes pour la ligne de commande.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from coverage.espace import Decision
from coverage.modele import Role, Statut, StatutCouverture
from coverage.territoires.grands_projets import TypeProjet
from coverage.territoires.zones_blanches import LIBELLES_CRITERES

FUSEAU = "Europe/Paris"

LIBELLES_COLONNES: dict[str, str] = {
    "code": "Code", "id": "N°", "nom": "Nom", "id_structure": "Identifiant", "nom_structure": "Structure", "statut": "Statut",
    "region": "Région", "departement": "Département", "epci": "EPCI", "commune": "Commune", "role": "Rôle",
    "population": "Population", "population_couverte": "Population couverte", "part_population_couverte": "Part couverte",
    "population_couverte_principal": "Population couverte (périmètre principal)", "etp": "ETP",
    "etp_pour_100k_hab": "ETP pour 100 000 hab.", "nb_structures": "Structures", "part_non_couvert": "Part non couverte",
    "part_extension_seule": "Part couverte par extension seulement", "part_couvert": "Part couverte (principal)",
    "part_extension_non_limitrophe": "Part en extension non limitrophe seulement (non couverte)",
    "etp_territoire": "ETP sur le territoire", "etp_facilitateur": "ETP de la structure", "nb_communes": "Communes",
    "id_dossier": "Dossier", "etp_demandes": "ETP demandés", "cout_annuel_total": "Coût annuel",
    "montant_aap_demande": "Montant demandé", "montant_max_aap": "Maximum finançable", "montant_attribue": "Montant attribué",
    "etp_finances": "ETP financés", "statut_financement": "Financement", "explication": "Explication", "eligible": "Éligible",
    "plafond_limitant": "Plafond limitant", "motifs": "Motifs", "alertes": "Alertes", "rang": "Rang",
    "decision": "Décision", "decision_libelle": "Décision", "etp_retenus": "ETP retenus", "montant_retenu": "Montant retenu",
    "motif": "Motif", "auteur": "Auteur", "date_decision": "Date", "horodatage": "Date", "version": "Version",
    "comite": "Comité", "libelle": "Libellé", "source": "Source", "demo": "Démonstration", "active": "Active",
    "nb_perimetres": "Périmètres", "nb_dossiers": "Dossiers", "id_version": "Version des données", "id_origine": "Copie de",
    "criteres": "Critères", "indice_besoin": "Indice de besoin", "ratio_capacite": "ETP par unité de besoin",
    "nb_marches_etat": "Marchés de l'État", "montant_etat": "Montant État (€ HT)",
    "part_consideration_sociale": "Part avec considération sociale", "type": "Type",
    # bilans des structures (campagne suivante : Simulation, Comité)
    "bilan_annee": "Dernier bilan annuel", "bilan_heures_par_etp": "Heures / ETP (bilan)",
    "bilan_heures_par_etp_etat": "Heures / ETP État (bilan)", "bilan_signalement": "Signalement du bilan",
}

LIBELLES_VALEURS: dict[str, dict[str, str]] = {
    "statut": {**{s.value: s.libelle for s in StatutCouverture}, **{s.value: s.libelle for s in Statut}},
    "role": {r.value: r.libelle for r in Role},
    "decision": {d.value: d.libelle for d in Decision},
    "type": {t.value: t.libelle for t in TypeProjet},
    "criteres": LIBELLES_CRITERES,
}

Genre = Literal["euros", "pourcentage", "nombre", "date", "texte"]


def genre_colonne(nom: str) -> Genre:
    """Comment présenter une colonne, d'après son nom machine (conventions du modèle)."""
    if nom.startswith(("montant", "cout", "enveloppe", "cofinancement", "autres_financements")):
        return "euros"
    if nom.startswith("part_"):
        return "pourcentage"
    if nom in ("horodatage",) or nom.startswith("date"):
        return "date"
    if nom.startswith(("etp", "population", "nb_", "indice", "ratio")):
        return "nombre"
    return "texte"


def libelle_colonne(nom: str) -> str:
    """Libellé français d'une colonne ; à défaut, son nom sans tirets bas, avec une majuscule."""
    return LIBELLES_COLONNES.get(nom) or str(nom).replace("_", " ").capitalize()


def date_heure(valeur: object) -> str:
    """`25/11/2026 15:35` à l'heure de Paris (un instant sans fuseau est lu en UTC) ; vide si absente.

    >>> date_heure("2026-11-25T14:35:00+00:00")
    '25/11/2026 15:35'
    """
    if valeur is None or (not isinstance(valeur, str) and pd.isna(valeur)) or valeur == "":
        return ""
    try:
        instant = pd.Timestamp(valeur)
    except (ValueError, TypeError):
        return str(valeur)  # déjà écrite pour être lue (« 25/11/2026 à 15:35 »)
    if instant.tzinfo is None:
        if instant == instant.normalize() and not (isinstance(valeur, str) and ("T" in valeur or ":" in valeur)):
            return f"{instant:%d/%m/%Y}"  # une date seule reste une date
        instant = instant.tz_localize("UTC")
    return f"{instant.tz_convert(FUSEAU):%d/%m/%Y %H:%M}"


def _valeurs(nom: str, serie: pd.Series, noms: dict[str, pd.Series]) -> pd.Series:
    if genre_colonne(nom) == "date":
        return serie.map(date_heure)
    if nom in LIBELLES_VALEURS:
        table = LIBELLES_VALEURS[nom]
        return serie.map(lambda v: ", ".join(table.get(p.strip(), p.strip()) for p in v.split(","))
                         if isinstance(v, str) else ("" if v is None or pd.isna(v) else v))
    if nom in noms:  # le nom à côté du code : « Auvergne-Rhône-Alpes (84) »
        return serie.map(lambda c: f"{noms[nom].get(c, '')} ({c})".strip() if isinstance(c, str) and c else "")
    if serie.dtype == object or pd.api.types.is_string_dtype(serie):
        return serie.map(lambda v: "" if v is None or (not isinstance(v, (list, tuple, set)) and pd.isna(v)) else v)
    return serie


def pour_personnes(table: pd.DataFrame, *, referentiel=None, index: bool = False) -> pd.DataFrame:
    """Table prête à lire : libellés de colonnes, codes traduits, dates à l'heure de Paris, aucune cellule « None »/« nan ».

    Parameters
    ----------
    table : table aux noms de colonnes machine (ceux du modèle et des exports CSV).
    referentiel : geo.reference.Referentiel, optional
        Pour écrire le nom des régions et départements à côté de leur code.
    index : bool
        Garder l'index comme première colonne (code d'un territoire, id d'un dossier…).

    Example
    -------
    >>> pour_personnes(pd.DataFrame({"statut": ["non_couvert"], "montant_attribue": [1.5]})).columns.tolist()
    ['Statut', 'Montant attribué']
    """
    t = table.reset_index().rename(columns={"index": "code"}) if index else table.reset_index(drop=True)
    noms = {}
    if referentiel is not None:
        noms = {"region": referentiel.regions["nom"], "departement": referentiel.departements["nom"]}
    sortie = pd.DataFrame({c: _valeurs(str(c), t[c], noms) for c in t.columns}, index=t.index)
    sortie.columns = _sans_doublons([libelle_colonne(str(c)) for c in t.columns])
    sortie.attrs = {}
    return sortie


def _sans_doublons(libelles: list[str]) -> list[str]:
    vus: dict[str, int] = {}
    sortie = []
    for lib in libelles:
        vus[lib] = vus.get(lib, 0) + 1
        sortie.append(lib if vus[lib] == 1 else f"{lib} ({vus[lib]})")
    return sortie
