"""Deux cartes côte à côte (avant / après) du statut de zone blanche des EPCI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.carte import EMPRISES, carte_choroplethe
from ui import etat
from ui.carte import afficher_carte, parametres_tuiles
from ui.commun import source_geographie

CATEGORIES_ZB = {
    "non_couvert": ("#CE0500", "Non couvert"),
    "couverture_limitrophe": ("#FC5D00", "Couverture limitrophe seulement"),
    "capacite_insuffisante": ("#B7A73F", "Capacité insuffisante"),
    "hors_zone_blanche": ("#18753C", "Hors zone blanche"),
}


def critere_principal(zb: pd.DataFrame) -> pd.Series:
    """Le critère affiché pour chaque territoire : le premier de la liste de l'appel, sinon hors zone blanche."""
    valeur = np.select([zb["non_couvert"], zb["couverture_limitrophe"], zb["capacite_insuffisante"]],
                       ["non_couvert", "couverture_limitrophe", "capacite_insuffisante"], default="hors_zone_blanche")
    return pd.Series(valeur, index=zb.index)


def cartes_avant_apres(avant: pd.DataFrame, apres: pd.DataFrame, *, cle: str, region: str | None = None) -> None:
    geo = etat.geometries("epci")
    if region:
        geo = geo[geo.index.isin(etat.referentiel().epci.index[etat.referentiel().epci["region"] == region])]
    colonnes = st.columns(2)
    for col, titre, zb in ((colonnes[0], "Avant", avant), (colonnes[1], "Après", apres)):
        gdf = geo[["nom", "geometry"]].join(zb[["population", "etp"]]).assign(zone=critere_principal(zb).reindex(geo.index))
        carte = carte_choroplethe(gdf, colonne="zone", libelle=f"Zones blanches — {titre.lower()}", palette="categorie",
                                  categories=CATEGORIES_ZB, champs_infobulle=[("population", "Population"), ("etp", "ETP")],
                                  cadrage=None if region else EMPRISES["metropole"], hauteur=420,
                                  attribution=source_geographie(), **parametres_tuiles())
        with col:
            st.markdown(f"**{titre}**")
            afficher_carte(carte, cle=f"{cle}_carte_{titre.lower()}")
