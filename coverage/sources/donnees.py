"""Un seul chemin d'import pour les fichiers de l'utilisateur et pour la démonstration.

`importer_fichiers` lit et valide `structures`, `perimetres` (et `dossiers` s'il est fourni) ;
il ne rend des données que si les trois fichiers sont valides ensemble (tout ou rien). Les
données fictives de `data/demo/` passent par le même chemin, ce qui vérifie à chaque démarrage
qu'elles respectent le format documenté.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coverage.modele import DOSSIER_DEMO
from coverage.sources.lecture import ErreurLecture, Probleme, TableauBrut, lire_tableau
from coverage.modele import DOSSIERS, SCHEMAS, DonneesFacilitateurs, table_vide
from coverage.sources.portee import Portee, problemes_hors_portee
from coverage.sources.validation import valider_dossiers, valider_structures_perimetres
from geo.reference import Referentiel

SOURCE_DEMO = "Données fictives de démonstration"


@dataclass(frozen=True)
class ResultatImport:
    """Issue d'un import : les données (seulement si tout est valide) et les problèmes."""

    donnees: DonneesFacilitateurs | None
    erreurs: tuple[Probleme, ...]
    avertissements: tuple[Probleme, ...]

    @property
    def valide(self) -> bool:
        return self.donnees is not None


def dossiers_vides() -> pd.DataFrame:
    """Table des dossiers sans ligne, avec les colonnes et les types du schéma (comme une table validée)."""
    return table_vide(DOSSIERS)


def importer_fichiers(
    *,
    structures: tuple[bytes, str],
    perimetres: tuple[bytes, str],
    dossiers: tuple[bytes, str] | None = None,
    referentiel: Referentiel,
    demo: bool = False,
    source: str = "",
    portee: Portee | None = None,
) -> ResultatImport:
    """Lit et valide les fichiers `(contenu, nom_fichier)` ; tout ou rien.

    Returns
    -------
    ResultatImport dont `donnees` est None à la moindre erreur (les erreurs nomment fichier,
    ligne et colonne) ; les avertissements (zéro initial restauré, ancien code remplacé…) ne
    bloquent pas. Avec `portee`, une structure ou un dossier d'un département hors de la portée
    déclarée est une erreur (ligne, colonne `departement`).
    """
    tableaux: dict[str, TableauBrut] = {}
    erreurs: list[Probleme] = []
    for cle, fichier in (("structures", structures), ("perimetres", perimetres), ("dossiers", dossiers)):
        if fichier is None:
            continue
        try:
            # Le schéma permet de lire la bonne feuille d'un classeur qui contient les trois tables.
            tableaux[cle] = lire_tableau(fichier[0], nom_fichier=fichier[1], schema=SCHEMAS[cle])
        except ErreurLecture as e:
            erreurs.extend(e.problemes)
    if erreurs:
        return ResultatImport(None, tuple(erreurs), ())
    sp = valider_structures_perimetres(tableaux["structures"], tableaux["perimetres"], referentiel=referentiel)
    erreurs += sp.erreurs
    avertissements = list(sp.avertissements)
    table_dossiers = dossiers_vides()
    if "dossiers" in tableaux:
        vd = valider_dossiers(tableaux["dossiers"], referentiel=referentiel, structures=sp.structures)
        erreurs += vd.erreurs
        avertissements += vd.avertissements
        if vd.dossiers is not None:
            table_dossiers = vd.dossiers
    if portee is not None and not erreurs:
        erreurs += problemes_hors_portee(sp.structures, tableaux["structures"], portee, quoi="structure")
        if "dossiers" in tableaux:
            erreurs += problemes_hors_portee(table_dossiers, tableaux["dossiers"], portee, quoi="dossier")
    if erreurs:
        return ResultatImport(None, tuple(erreurs), tuple(avertissements))
    donnees = DonneesFacilitateurs(
        structures=sp.structures,
        perimetres=sp.perimetres,
        dossiers=table_dossiers,
        demo=demo,
        source=source or " + ".join(f[1] for f in (structures, perimetres, dossiers) if f),
    )
    return ResultatImport(donnees, (), tuple(avertissements))


def donnees_demo(referentiel: Referentiel, dossier: Path = DOSSIER_DEMO) -> DonneesFacilitateurs:
    """Les données fictives de démonstration, validées comme un import de l'utilisateur."""
    fichiers = {nom: ((dossier / f"{nom}.csv").read_bytes(), f"{nom}.csv") for nom in ("structures", "perimetres", "dossiers")}
    resultat = importer_fichiers(**fichiers, referentiel=referentiel, demo=True, source=SOURCE_DEMO)
    if not resultat.valide:
        details = "\n".join(str(p) for p in resultat.erreurs[:10])
        raise ValueError(f"Les données de démonstration ne respectent pas le format documenté :\n{details}")
    return resultat.donnees
