"""Deux cartes côte à côte (avant / après) du statut de zone blanche des EPCI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from coverage.documents.format import format_nombre
from geo.carte import EMPRISES
from geo.carte_valeurs import carte_base, couche_valeurs
from ui import etat
from ui.carte import afficher_carte, opacite_remplissage, parametres_tuiles, urls_geometries
from ui.commun import source_geographie

# Mêmes teintes que la couverture (geo.carte_classes), lisibles par les daltoniens (tests/test_palette.py).
# Une classe par territoire (son premier critère) : le classement (`geo.carte_classes._classer_categories`)
# écrit après chaque libellé son nombre de territoires, et ces nombres s'additionnent.
CATEGORIES_ZB = {
    "non_couvert": ("#A50026", "Non couvert"),
    "couverture_limitrophe": ("#F4A300", "Couverture limitrophe seulement"),
    "capacite_insuffisante": ("#7B3294", "Capacité insuffisante"),
    "hors_zone_blanche": ("#A6CEE3", "Hors zone blanche"),
}


def critere_principal(zb: pd.DataFrame) -> pd.Series:
    """Le critère affiché pour chaque territoire : le premier de la liste de l'appel, sinon hors zone blanche."""
    valeur = np.select([zb["non_couvert"], zb["couverture_limitrophe"], zb["capacite_insuffisante"]],
                       ["non_couvert", "couverture_limitrophe", "capacite_insuffisante"], default="hors_zone_blanche")
    return pd.Series(valeur, index=zb.index)


COURTS = {"non_couvert": "non couverts", "couverture_limitrophe": "en couverture limitrophe seulement",
          "capacite_insuffisante": "en capacité insuffisante"}


def phrase_zones_blanches(zb: pd.DataFrame, *, territoires: str = "territoires") -> str:
    """« N territoires en zone blanche (dont x non couverts, …) ; un territoire peut relever de plusieurs critères. »"""
    detail = ", ".join(f"{format_nombre(int(zb[c].astype(bool).sum()))} {COURTS[c]}" for c in COURTS)
    return (f"{format_nombre(int(zb['est_zone_blanche'].astype(bool).sum()))} {territoires} en zone blanche (dont {detail} ; "
            "un territoire peut relever de plusieurs critères, la somme des critères peut donc dépasser le total).")


def phrase_carte(classes: pd.Series, *, territoires: str = "territoires") -> str:
    """Ce que compte la carte : une couleur par territoire (son premier critère dans l'ordre de l'appel)."""
    n = classes.value_counts()
    termes = [f"{format_nombre(int(n.get(c, 0)))} {COURTS[c]}" for c in COURTS]
    total = sum(int(n.get(c, 0)) for c in COURTS)
    return (f"Carte : une couleur par territoire, celle de son premier critère dans l'ordre de l'appel — "
            f"{' + '.join(termes)} = {format_nombre(total)} {territoires} en zone blanche.")


def cartes_avant_apres(avant: pd.DataFrame, apres: pd.DataFrame, *, cle: str, region: str | None = None) -> None:
    """Deux cartes des EPCI (France ou une région) : contours par URL, seules les valeurs partent à chaque exécution."""
    ref = etat.referentiel()
    codes = ref.epci.index if region is None else ref.epci.index[ref.epci["region"] == region]
    codes = codes.intersection(etat.geometries("epci").index)
    cadrage = emprise_epci(tuple(codes)) if region else EMPRISES["metropole"]
    colonnes = st.columns(2)
    for col, titre, zb in ((colonnes[0], "Avant", avant), (colonnes[1], "Après", apres)):
        table = zb[["population", "etp"]].reindex(codes).assign(nom=ref.epci["nom"].reindex(codes),
                                                                 zone=critere_principal(zb).reindex(codes))
        valeurs = couche_valeurs(table, geometries=urls_geometries("epci"), colonne="zone",
                                 libelle=f"Zones blanches — {titre.lower()}", palette="categorie",
                                 categories=CATEGORIES_ZB,
                                 champs_infobulle=[("population", "Population"), ("etp", "ETP")],
                                 attribution=source_geographie(), opacite=opacite_remplissage())
        with col:
            st.markdown(f"**{titre}**")
            afficher_carte(carte_base(hauteur=420, **parametres_tuiles()), cle=f"{cle}_carte_{titre.lower()}",
                           couches_variables=[valeurs], cadrage=cadrage, largeur_estimee=500)
            st.caption(phrase_carte(table["zone"], territoires="EPCI"))


@st.cache_data(show_spinner=False, max_entries=32, ttl=etat.DUREE_CACHE)
def emprise_epci(codes: tuple[str, ...]) -> tuple[float, float, float, float]:
    """Emprise (lon_min, lat_min, lon_max, lat_max) d'un ensemble d'EPCI."""
    return tuple(float(x) for x in etat.geometries("epci").loc[list(codes)].total_bounds)
