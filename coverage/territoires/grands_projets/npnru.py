"""Des projets de renouvellement urbain (NPNRU) depuis une table de quartiers."""

from __future__ import annotations

import pandas as pd

from coverage.territoires.grands_projets.modele import GrandProjet, TypeProjet, _Lieu
from coverage.territoires.grands_projets.registre_yaml import _brut_depuis_objet
from coverage.territoires.grands_projets.validation import _liste_codes, _valider_tout
from geo.reference import Referentiel, charger_referentiel


def projets_npnru(quartiers: pd.DataFrame, *, source: str, referentiel: Referentiel | None = None, periode: str = "2014-2030") -> list[GrandProjet]:
    """Des projets de renouvellement urbain (NPNRU) depuis une table de quartiers.

    Parameters
    ----------
    quartiers : une ligne par quartier : `code_quartier` (code QPV), `nom`, `communes` (codes
        INSEE séparés par des virgules), et facultativement `interet` (`national` ou `regional`).
    source : d'où vient la liste (ex. « ANRU, liste des quartiers NPNRU, data.gouv.fr »).

    Returns
    -------
    Un projet `npnru-<code_quartier>` par quartier, de type `renovation_urbaine`, emprise
    `territoires` = ses communes, marqué indicatif : le quartier n'occupe qu'une partie de la
    commune, dont la population entière est comptée.
    """
    referentiel = referentiel or charger_referentiel()
    interet = quartiers["interet"] if "interet" in quartiers else pd.Series("", index=quartiers.index)
    libelle_interet = interet.map({"national": " (intérêt national)", "regional": " (intérêt régional)"}).fillna("")
    objets = [
        {
            "id": f"npnru-{code}",
            "nom": f"NPNRU — {nom}{suffixe}",
            "type": TypeProjet.RENOVATION_URBAINE.value,
            "periode": periode,
            "source": source,
            "indicatif": "oui",
            "avertissement": "emprise approchée par la ou les communes entières du quartier (le quartier n'en couvre qu'une partie).",
            "territoires": {"communes": _liste_codes(communes)},
        }
        for code, nom, communes, suffixe in zip(
            quartiers["code_quartier"].astype(str), quartiers["nom"].astype(str), quartiers["communes"].astype(str), libelle_interet, strict=True
        )
    ]
    bruts = [_brut_depuis_objet(o, _Lieu("quartiers NPNRU", position=f"quartier n° {i}")) for i, o in enumerate(objets, start=1)]
    return _valider_tout(bruts, referentiel)
