"""Cartes et tableaux de territoires selon la sélection (partagés par Couverture, Zones blanches…)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.carte import EMPRISES
from geo.reference import NiveauGeo
from ui import etat
from ui.commun import Selection, emprise_selection


@dataclass(frozen=True)
class Vue:
    """Ce que montre la carte : le niveau des territoires dessinés et lesquels."""

    niveau: NiveauGeo
    codes: pd.Index
    cadrage: tuple[float, float, float, float]
    titre: str


def vue_pour(
    selection: Selection, zone: str = "metropole", *, maille_nationale: NiveauGeo = "epci", grand_paris: bool = False
) -> Vue:
    """France ou région : les EPCI ; département, EPCI ou commune : les communes du département.

    `maille_nationale="commune"` : la France entière commune par commune (34 875 communes).
    `grand_paris` (Île-de-France entière seulement, voir `ui.commun.choix_grand_paris`) : les 12
    territoires de la Métropole du Grand Paris (niveau `ept`) au lieu des EPCI.
    """
    ref = etat.referentiel()
    if grand_paris and selection.region and not selection.departement:
        emprise = tuple(float(x) for x in etat.geometries("ept").total_bounds)
        return Vue("ept", ref.ept.index, emprise, "Métropole du Grand Paris — Paris et les 11 établissements publics territoriaux")
    if selection.departement:
        codes = ref.communes.index[ref.communes["departement"] == selection.departement]
        nom = ref.departements.at[selection.departement, "nom"]
        return Vue("commune", codes, emprise_selection(selection), f"Communes — {nom} ({selection.departement})")
    if selection.region:
        codes = ref.epci.index[ref.epci["region"] == selection.region]
        return Vue("epci", codes, emprise_selection(selection), f"EPCI — {ref.regions.at[selection.region, 'nom']}")
    if maille_nationale == "commune":
        return Vue("commune", ref.communes.index, EMPRISES[zone], "Communes — France entière")
    return Vue("epci", ref.epci.index, EMPRISES[zone], "EPCI — France entière")


def choix_maille(cle: str) -> NiveauGeo:
    """Maille de la carte nationale : EPCI (par défaut) ou communes."""
    return st.segmented_control("Maille", ["epci", "commune"], default="epci", key=cle,
                                format_func={"epci": "EPCI", "commune": "Communes"}.get) or "epci"


def couche(vue: Vue, indicateurs: pd.DataFrame) -> gpd.GeoDataFrame:
    """Géométries de la vue jointes aux indicateurs (index code), sans les territoires sans contour."""
    geo = etat.geometries(vue.niveau)
    codes = vue.codes.intersection(geo.index)
    gdf = geo.loc[codes, ["geometry"]].join(indicateurs.drop(columns=["geometry"], errors="ignore"))
    if "nom" not in gdf.columns:
        gdf["nom"] = etat.referentiel().table(vue.niveau)["nom"].reindex(gdf.index)
    return gdf
