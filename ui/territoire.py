"""Cartes et tableaux de territoires selon la sélection (partagés par Couverture, Zones blanches…)."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from coverage.documents.format import format_nombre, format_pourcentage
from coverage.territoires.couverture import structures_du_territoire
from geo.carte import EMPRISES, categories_couverture
from geo.carte_valeurs import couche_contours_url
from geo.reference import NiveauGeo
from ui import etat
from ui.carte import urls_geometries
from ui.commun import Selection, emprise_selection
from ui.presentation import tableau as afficher_tableau
from ui.texte import texte

LIBELLES_NIVEAUX = {"commune": "communes", "epci": "EPCI", "ept": "territoires du Grand Paris", "departement": "départements",
                    "region": "régions"}
"""Nom au pluriel des territoires d'un niveau, pour les textes (« sur 393 communes »)."""
COULEUR_EPCI = "#3A3A3A"
"""Contours des EPCI sur la carte communale d'un département (gris sombre, plus épais que les communes)."""
SURLIGNAGE = (("#FFFFFF", 7.0), ("#000000", 3.5))
"""Territoire choisi ou cliqué : un trait noir épais sur un halo blanc, lisible sur toutes les couleurs de fond."""


@dataclass(frozen=True)
class Vue:
    """Ce que montre la carte : le niveau des territoires dessinés et lesquels.

    Carte communale d'un département (`departement`) : `epci_departement` sont ses EPCI (contours
    tracés par-dessus les communes) ; un EPCI choisi (`epci`) restreint les chiffres et le tableau à
    ses communes (`perimetre`), et les communes d'un EPCI qui déborde sur un autre département sont
    ajoutées à la carte (`departements` : les fichiers de communes à charger).
    """

    niveau: NiveauGeo
    codes: pd.Index
    cadrage: tuple[float, float, float, float]
    titre: str
    departement: str | None = None
    epci: str | None = None
    perimetre: pd.Index | None = None
    epci_departement: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    commune: str | None = None
    """Commune cherchée par son nom ou son code (surlignée tant qu'aucun territoire n'est cliqué)."""

    @property
    def codes_detail(self) -> pd.Index:
        """Territoires (niveau de la vue) des chiffres clés et du tableau : le périmètre choisi, sinon la vue."""
        return self.codes if self.perimetre is None else self.perimetre


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
        return _vue_departement(selection)
    if selection.region:
        codes = ref.epci.index[ref.epci["region"] == selection.region]
        return Vue("epci", codes, emprise_selection(selection), f"EPCI — {ref.regions.at[selection.region, 'nom']}")
    if maille_nationale == "commune":
        return Vue("commune", ref.communes.index, EMPRISES[zone], "Communes — France entière")
    return Vue("epci", ref.epci.index, EMPRISES[zone], "EPCI — France entière")


def _vue_departement(selection: Selection) -> Vue:
    """Les communes d'un département, ses EPCI ; l'EPCI choisi restreint chiffres et tableau."""
    ref = etat.referentiel()
    dep = selection.departement
    communes = ref.communes
    dans_dep = communes["departement"] == dep
    nom_dep = f"{ref.departements.at[dep, 'nom']} ({dep})"
    epci_dep = tuple(sorted(communes.loc[dans_dep, "epci"].dropna().unique()))
    if selection.niveau == "epci":
        membres = communes.index[communes["epci"] == selection.code]
        codes = communes.index[dans_dep | communes.index.isin(membres)]
        deps = tuple(sorted(set(communes.loc[codes, "departement"])))
        titre = f"Communes — {ref.epci.at[selection.code, 'nom']}, {nom_dep}"
        return Vue("commune", codes, emprise_selection(selection), titre, departement=dep, epci=selection.code,
                   perimetre=membres, epci_departement=epci_dep, departements=deps)
    return Vue("commune", communes.index[dans_dep], emprise_selection(selection), f"Communes — {nom_dep}",
               departement=dep, epci_departement=epci_dep, departements=(dep,),
               commune=selection.code if selection.niveau == "commune" else None)


def geometries_vue(vue: Vue) -> list[str]:
    """URL des fichiers de géométries de la vue : les communes de ses départements seulement, sinon le niveau entier."""
    if vue.departements:
        return [u for d in vue.departements for u in urls_geometries(vue.niveau, departement=d)]
    return urls_geometries(vue.niveau)


def couches_departement(vue: Vue, *, surligne: tuple[str, str] | None = None) -> list[folium.map.Layer]:
    """Au-dessus des communes d'un département : contours de ses EPCI, EPCI choisi et territoire cliqué surlignés.

    Les contours des EPCI viennent du fichier des EPCI du département (`epci-<dep>`), pas des 1 255
    EPCI. `surligne` : `(niveau, code)` du territoire cliqué (`commune` ou `epci`). Rien hors d'une
    carte départementale.
    """
    if not vue.departement:
        return []
    urls_epci = urls_geometries("epci", departement=vue.departement)
    couches: list[folium.map.Layer] = [
        couche_contours_url(urls_epci, nom="EPCI", codes=list(vue.epci_departement), couleur=COULEUR_EPCI, epaisseur=2.0)
    ]
    cibles = [("epci", vue.epci)] if vue.epci else []
    if surligne and surligne[1] and surligne not in cibles:
        cibles.append(surligne)
    for niveau, code in cibles:
        urls = urls_epci if niveau == "epci" else geometries_vue(vue)
        for couleur, epaisseur in SURLIGNAGE:
            couches.append(couche_contours_url(urls, nom=f"Sélection {code}", codes=[code], couleur=couleur, epaisseur=epaisseur))
    return couches


def territoire_clique(vue: Vue, detail: str, code: str | None) -> tuple[str, str] | None:
    """`(niveau, code)` du territoire à surligner et détailler après un clic sur `code` (territoire de la vue).

    Carte communale détaillée par EPCI : l'EPCI de la commune cliquée (la commune elle-même si elle
    n'est dans aucun EPCI, comme les îles de Bréhat, Sein, Ouessant et l'île d'Yeu).
    """
    if not code:
        return ("commune", vue.commune) if vue.commune else None
    if detail == "epci" and vue.niveau == "commune":
        epci = etat.referentiel().communes["epci"].get(code)
        if isinstance(epci, str) and epci:
            return ("epci", epci)
    return (vue.niveau, code)


def restreindre_epci(cle: str, code: str | None) -> None:
    """Rappel de bouton : choisit l'EPCI `code` (None : tout le département) dans le sélecteur de territoire."""
    st.session_state[f"{cle}_epci"] = code


def titre_vue(vue: Vue, *, cle: str) -> None:
    """Titre de la vue ; un EPCI choisi se quitte d'un clic (« Tout le département »)."""
    if not vue.epci:
        st.subheader(vue.titre)
        return
    c_titre, c_bouton = st.columns([4, 1], vertical_alignment="center")
    c_titre.subheader(vue.titre)
    c_bouton.button("Tout le département", key=f"{cle}_tout_departement", icon=":material/zoom_out_map:",
                    on_click=restreindre_epci, args=(cle, None), width="stretch")


def bouton_restreindre(vue: Vue, niveau: str, code: str, *, cle: str) -> None:
    """Dans le panneau d'un territoire cliqué : restreindre la page à son EPCI (s'il n'est pas déjà choisi)."""
    epci = code if niveau == "epci" else etat.referentiel().communes["epci"].get(code)
    if not vue.departement or not isinstance(epci, str) or epci == vue.epci or epci not in vue.epci_departement:
        return
    nom = etat.referentiel().epci.at[epci, "nom"]
    st.button(f"Restreindre la page à {nom}", key=f"{cle}_restreindre", icon=":material/filter_alt:",
              on_click=restreindre_epci, args=(cle, epci))


def panneau_couverture(niveau: str, code: str, ligne: pd.Series, *, vue: Vue, couv, structures: pd.DataFrame, cle: str) -> None:
    """Panneau du territoire cliqué : chiffres, structures qui le couvrent, restriction à son EPCI."""
    with st.container(border=True, key=f"{cle}_panneau"):
        st.markdown(f"#### {texte(ligne['nom'])} ({code})")
        st.write(
            f"{format_nombre(ligne['population'])} habitants · {categories_couverture()[ligne['statut']][1]} · "
            f"{format_nombre(ligne['etp'], decimales=2)} ETP · {format_nombre(ligne['etp_pour_100k_hab'], decimales=2)} ETP pour 100 000 hab. · "
            f"{format_pourcentage(ligne['part_population_couverte'])} de la population couverte"
        )
        presentes = structures_du_territoire(couv.perimetres_communes, structures=structures,
                                             referentiel=etat.referentiel(), niveau=niveau, code=code)
        if presentes.empty:
            st.info("Aucune structure ne couvre ce territoire.")
        else:
            afficher_tableau(presentes)
        bouton_restreindre(vue, niveau, code, cle=cle)


def choix_detail(cle: str) -> str:
    """Tableau d'une carte départementale commune par commune ou EPCI par EPCI (le clic sur la carte suit)."""
    return st.segmented_control("Détail par", ["commune", "epci"], default="commune", key=cle,
                                format_func={"commune": "Communes", "epci": "EPCI"}.get) or "commune"


def choix_maille(cle: str) -> NiveauGeo:
    """Maille de la carte nationale : EPCI (par défaut) ou communes."""
    return st.segmented_control("Maille", ["epci", "commune"], default="epci", key=cle,
                                format_func={"epci": "EPCI", "commune": "Communes"}.get) or "epci"


def hors_selection(codes: pd.Index, retenus: pd.Index) -> np.ndarray:
    """Booléens alignés sur `codes` : vrai pour un code absent de `retenus`.

    `get_indexer` plutôt qu'`isin` : sur des chaînes Arrow, `isin` convertit chacun des 34 875 codes
    communaux un par un (0,2 s à chaque exécution de la carte nationale des communes).
    """
    return pd.Index(retenus.to_numpy(dtype=object)).get_indexer(codes.to_numpy(dtype=object)) < 0


HORS_CHOIX = ("#F6F6F6", "Hors de l'EPCI choisi")
"""Classe des communes du département hors de l'EPCI choisi : en contexte sur la carte, hors des comptes."""


def griser_hors_choix(classes: pd.Series, hors_choix: np.ndarray,
                      categories: dict[str, tuple[str, str]]) -> tuple[pd.Series, dict[str, tuple[str, str]]]:
    """Classes et légende d'une carte où un EPCI est choisi : le reste du département passe en « hors_choix »
    (gris), et la légende ne compte que les territoires des chiffres clés. Sans territoire hors choix : inchangées."""
    if not hors_choix.any():
        return classes, categories
    return classes.astype(object).where(~hors_choix, "hors_choix"), {**categories, "hors_choix": HORS_CHOIX}


def couche(vue: Vue, indicateurs: pd.DataFrame) -> gpd.GeoDataFrame:
    """Géométries de la vue jointes aux indicateurs (index code), sans les territoires sans contour."""
    geo = etat.geometries(vue.niveau)
    codes = vue.codes.intersection(geo.index)
    gdf = geo.loc[codes, ["geometry"]].join(indicateurs.drop(columns=["geometry"], errors="ignore"))
    if "nom" not in gdf.columns:
        gdf["nom"] = etat.referentiel().table(vue.niveau)["nom"].reindex(gdf.index)
    return gdf
