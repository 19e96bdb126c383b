"""Portée d'un import : la France, une région ou un département.

Un import déclare sa portée ; chaque ligne de structure et de dossier du fichier doit s'y trouver
(sinon une erreur nomme la ligne et la colonne `departement`). Le remplacement, lui, est fait par
`coverage.espace.portee` : seules les structures dont le département est dans la portée sont
remplacées, le reste de la France est gardé tel quel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from coverage.sources.lecture import Probleme, TableauBrut
from geo.reference import Referentiel

__all__ = ["Portee", "lire_portee", "problemes_hors_portee"]


@dataclass(frozen=True)
class Portee:
    """`niveau` (`france`, `region`, `departement`), `code` (None pour la France), `departements` couverts."""

    niveau: Literal["france", "region", "departement"]
    code: str | None
    departements: frozenset[str]
    nom: str = "France"

    @property
    def texte(self) -> str:
        """`france`, `region:32`, `departement:80` (forme de la ligne de commande et du magasin)."""
        return "france" if self.niveau == "france" else f"{self.niveau}:{self.code}"

    @property
    def libelle(self) -> str:
        if self.niveau == "france":
            return "France entière"
        return f"{'région' if self.niveau == 'region' else 'département'} {self.nom} ({self.code})"


def lire_portee(texte: str, *, referentiel: Referentiel) -> Portee:
    """`france`, `region:32` ou `departement:80` → `Portee` ; ValueError en français sinon."""
    brut = str(texte or "").strip().lower()
    if brut == "france":
        return Portee("france", None, frozenset(referentiel.departements.index), "France")
    niveau, _, code = brut.partition(":")
    code = code.strip().upper() if niveau == "departement" else code.strip()
    if niveau == "region" and code in referentiel.regions.index:
        deps = referentiel.departements.index[referentiel.departements["region"] == code]
        return Portee("region", code, frozenset(deps), str(referentiel.regions.at[code, "nom"]))
    if niveau == "departement" and code in referentiel.departements.index:
        return Portee("departement", code, frozenset({code}), str(referentiel.departements.at[code, "nom"]))
    if niveau in ("region", "departement") and code:
        raise ValueError(f"Portée « {texte} » : {'région' if niveau == 'region' else 'département'} « {code} » inconnu du COG.")
    raise ValueError(f"Portée « {texte} » illisible (attendu : france, region:CODE ou departement:CODE, ex. region:32, departement:80).")


def problemes_hors_portee(table: pd.DataFrame, tableau: TableauBrut, portee: Portee, *, quoi: str) -> list[Probleme]:
    """Une erreur par ligne de `table` (validée, dans l'ordre du fichier `tableau`) dont le département est hors portée."""
    if portee.niveau == "france" or table.empty:
        return []
    lignes = tableau.donnees.index
    hors = ~table["departement"].astype(str).isin(portee.departements).to_numpy()
    return [
        Probleme(tableau.libelle, int(lignes[i]) if i < len(lignes) else None, "departement", str(table["departement"].iloc[i]),
                 f"{quoi} du département {table['departement'].iloc[i]}, hors de la portée déclarée de l'import ({portee.libelle}).")
        for i in hors.nonzero()[0]
    ]
