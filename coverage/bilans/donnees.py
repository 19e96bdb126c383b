"""Les bilans fictifs de la démonstration, validés par le même chemin qu'un import de l'utilisateur."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coverage.bilans.validation import ResultatBilans, importer_bilans
from coverage.modele import DOSSIER_DEMO
from geo.reference import Referentiel

__all__ = ["SOURCE_BILANS_DEMO", "bilans_demo"]

SOURCE_BILANS_DEMO = "Bilans fictifs de démonstration"


def bilans_demo(structures: pd.DataFrame, referentiel: Referentiel, dossier: Path = DOSSIER_DEMO) -> ResultatBilans:
    """Bilans et répartitions de `data/demo/` (générés par `python -m coverage.demo.bilans`), validés.

    Raises
    ------
    ValueError
        Si les fichiers de démonstration ne respectent plus le format documenté.
    """
    fichiers = {nom: ((dossier / f"{nom}.csv").read_bytes(), f"{nom}.csv") for nom in ("bilans", "bilans_repartitions")}
    resultat = importer_bilans(bilans=fichiers["bilans"], repartitions=fichiers["bilans_repartitions"],
                               structures=structures, referentiel=referentiel)
    if not resultat.valide:
        details = "\n".join(str(p) for p in resultat.erreurs[:10])
        raise ValueError(f"Les bilans de démonstration ne respectent pas le format documenté :\n{details}")
    return resultat
