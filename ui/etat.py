"""État partagé de l'application : référentiel, espace de travail, couverture (avec caches Streamlit).

- `st.cache_resource` pour les données de référence en lecture seule, chargées une fois ;
- `st.cache_data` pour les calculs, indexés par le numéro de version des données (jamais par
  un GeoDataFrame) ;
- les fonctions du domaine (`geo/`, `coverage/`) restent sans cache.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from coverage.territoires.couverture import agreger_couverture, couverture_par_commune, etendre_perimetres
from coverage.sources.donnees import donnees_demo
from coverage.espace import DepotEspace, EspaceIndisponible, ouvrir_espace
from coverage.espace.permissions import EspaceControle
from coverage.modele import DonneesFacilitateurs
from ui.ecritures import arreter_espace_indisponible
from geo.reference import NiveauGeo, Referentiel, charger_geometries, charger_referentiel, lire_provenance


DUREE_CACHE = 3600
"""Secondes de vie des résultats par version et par réglage en cache (`st.cache_data`, partagés par toutes
les sessions et bornés en nombre) : les versions et réglages qu'on ne consulte plus libèrent la mémoire du
serveur. Les sources de besoins (DECP, QPV, grands projets), longues à recalculer et qui changent rarement,
sont seulement bornées en nombre."""


@st.cache_resource(show_spinner=False)
def figer_le_demarrage() -> bool:
    """Soustrait au ramasse-miettes les objets chargés au démarrage, une fois par processus.

    Streamlit appelle `gc.collect()` après chaque exécution (`runner.postScriptGC`) : il parcourait à
    chaque fois les centaines de milliers d'objets des modules importés (pandas, folium, jinja…) et du
    référentiel (0,14 s par relance de la carte nationale des communes). Gelés (`gc.freeze`) à la
    première exécution, quand aucune autre session n'a encore d'objets vivants, ils restent libérés par
    leur compteur de références, seulement plus parcourus. Un gel plus tardif (au premier chargement
    des contours, par exemple) figerait aussi les objets passagers des sessions en cours.
    """
    referentiel()
    gc.collect()
    gc.freeze()
    return True


@st.cache_resource(show_spinner="Chargement de la géographie de référence…")
def referentiel() -> Referentiel:
    return charger_referentiel()


@st.cache_resource(show_spinner="Chargement des contours…")
def geometries(niveau: NiveauGeo) -> gpd.GeoDataFrame:
    """Couche d'affichage simplifiée d'un niveau (EPSG:4326, index code)."""
    return charger_geometries(niveau)


@st.cache_resource
def provenance() -> dict:
    return lire_provenance()


@st.cache_resource(show_spinner="Ouverture de l'espace de travail…")
def magasin() -> DepotEspace:
    """L'espace de travail (SQLite, ou PostgreSQL selon `FACILITATEURS_ESPACE`), créé et amorcé avec la démonstration au premier démarrage.

    Partagé par toutes les sessions, sans contrôle : les pages passent par `espace()`.
    """
    from coverage.financement.enveloppes import amorcer_enveloppes_demo
    from coverage.financement.parametres import PARAMETRES_2025

    ref = referentiel()
    e = ouvrir_espace(initialiser_avec=lambda: donnees_demo(ref))
    donnees = e.charger_version()
    if donnees.demo:
        amorcer_enveloppes_demo(e, structures=donnees.structures, referentiel=ref, annee=PARAMETRES_2025.annee,
                                enveloppe_nationale=PARAMETRES_2025.enveloppe_nationale)
    return e


def enveloppes_regionales() -> pd.Series:
    """La table des enveloppes régionales en vigueur pour la campagne (index code région, €) ; vide si aucune."""
    from coverage.financement.parametres import PARAMETRES_2025

    return magasin().enveloppes_regionales(PARAMETRES_2025.annee)


def espace() -> EspaceControle:
    """L'espace de travail vu par l'utilisateur de la session : chaque écriture est contrôlée
    (rôle × territoire) et signée de son identité."""
    from ui.acces import utilisateur

    return EspaceControle(magasin(), utilisateur(), region_du_departement=referentiel().departements["region"].to_dict())


def version_active() -> int:
    """La version active ; espace indisponible : message en français et arrêt de la page (première lecture de chaque page)."""
    try:
        return magasin().version_active()
    except EspaceIndisponible as panne:
        arreter_espace_indisponible(panne)


@st.cache_data(show_spinner=False, max_entries=8, ttl=DUREE_CACHE)
def donnees_version(version: int) -> DonneesFacilitateurs:
    return magasin().charger_version(version)


def donnees_actives() -> DonneesFacilitateurs:
    """Les données de la version active de l'espace de travail."""
    return donnees_version(version_active())


def noms_structures() -> pd.Series:
    """Nom de chaque structure de la version active, indexé par `id_structure` (pour les tableaux)."""
    structures = donnees_actives().structures
    return structures.drop_duplicates("id_structure").set_index("id_structure")["nom"]


@dataclass(frozen=True)
class Couverture:
    """Couverture d'une version : table communale et table longue structure × commune."""

    communes: pd.DataFrame
    perimetres_communes: pd.DataFrame

    def agregat(self, niveau: NiveauGeo) -> pd.DataFrame:
        return _agregat(self, niveau)


def _agregat(couv: Couverture, niveau: NiveauGeo) -> pd.DataFrame:
    return agreger_couverture(
        couv.communes, referentiel=referentiel(), niveau=niveau, perimetres_communes=couv.perimetres_communes
    )


def calculer_couverture(donnees: DonneesFacilitateurs) -> Couverture:
    """Couverture de données quelconques (sans cache : pour les simulations « et si »)."""
    ref = referentiel()
    long = etendre_perimetres(donnees, referentiel=ref)
    return Couverture(communes=couverture_par_commune(donnees, referentiel=ref, perimetres_communes=long), perimetres_communes=long)


@st.cache_data(show_spinner="Calcul de la couverture…", max_entries=8, ttl=DUREE_CACHE)
def _couverture_version(version: int) -> Couverture:
    return calculer_couverture(donnees_version(version))


@st.cache_data(show_spinner=False, max_entries=32, ttl=DUREE_CACHE)
def _agregat_version(version: int, niveau: str) -> pd.DataFrame:
    return _couverture_version(version).agregat(niveau)  # type: ignore[arg-type]


def couverture_active() -> Couverture:
    return _couverture_version(version_active())


def agregat_actif(niveau: NiveauGeo) -> pd.DataFrame:
    """Agrégat de couverture de la version active au niveau demandé (mis en cache)."""
    return _agregat_version(version_active(), niveau)


def contours_structures(donnees: DonneesFacilitateurs, ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Contours (principal / extension) des périmètres des structures choisies."""
    from geo.perimetres import contours_perimetres

    couches = {n: geometries(n) for n in ("commune", "epci", "ept", "departement", "region")}
    return contours_perimetres(donnees.perimetres, ids=ids, couches=couches)


# --- Besoins, grands projets et zones blanches ----------------------------------------------


@st.cache_resource(show_spinner="Chargement des contours communaux complets…")
def communes_completes() -> gpd.GeoDataFrame:
    """Polygones communaux complets (EPSG:4326), pour les empreintes des grands projets."""
    return charger_geometries("commune", affichage=False)


def cle_besoins() -> tuple:
    """Identifie les sources de besoins actives (fichiers importés ou démo, projets ajoutés)."""
    e = magasin()
    actifs = e.fichiers_besoins_actifs()  # identifiants seulement : le contenu n'est lu qu'au calcul mis en cache
    fichiers = tuple((t, actifs.get(t, (0,))[0]) for t in ("decp", "qpv", "npnru"))
    projets = e.historique_projets_utilisateur()
    return fichiers + (("projets", int(projets["id"].max()) if len(projets) else 0),)


@st.cache_data(show_spinner="Lecture des grands projets…", max_entries=4)
def _projets(cle: tuple):
    from coverage.territoires.analyse import registre_complet

    return registre_complet(referentiel=referentiel(), yaml_utilisateur=magasin().projets_utilisateur())


def grands_projets():
    """Le registre des grands projets (fichier du dépôt + projets ajoutés dans l'application)."""
    return _projets(cle_besoins())


@st.cache_data(show_spinner="Calcul des empreintes des grands projets…", max_entries=4)
def empreintes_projets(cle: tuple) -> pd.DataFrame:
    from coverage.territoires.grands_projets import empreintes

    return empreintes(_projets(cle), referentiel=referentiel(), communes_geo=communes_completes())


@st.cache_data(show_spinner="Placement des marchés publics (DECP)…", max_entries=4)
def _marches_places(cle: tuple):
    from coverage.territoires.analyse import charger_marches

    return charger_marches(magasin().fichier_besoins_actif("decp"), referentiel=referentiel())


def marches_places():
    """Marchés DECP placés sur les communes (`SourceMarches` : table, nom, démo)."""
    return _marches_places(cle_besoins())


@st.cache_data(show_spinner="Lecture des quartiers prioritaires…", max_entries=4)
def _quartiers(cle: tuple):
    from coverage.territoires.analyse import charger_quartiers

    e = magasin()
    return charger_quartiers(e.fichier_besoins_actif("qpv"), e.fichier_besoins_actif("npnru"), referentiel=referentiel())


def quartiers():
    return _quartiers(cle_besoins())


@st.cache_data(show_spinner="Calcul des besoins…", max_entries=4)
def _besoins(cle: tuple) -> pd.DataFrame:
    from coverage.territoires.analyse import besoins_des_sources

    return besoins_des_sources(referentiel=referentiel(), marches=_marches_places(cle), quartiers=_quartiers(cle),
                               empreintes_projets=empreintes_projets(cle))


def besoins_version(cle: tuple) -> pd.DataFrame:
    """Besoins par commune des sources identifiées par `cle` (voir `cle_besoins`), mis en cache."""
    return _besoins(cle)


def besoins() -> pd.DataFrame:
    """Besoins par commune : population, marchés (DECP), QPV/NPNRU, grands projets."""
    return _besoins(cle_besoins())


@st.cache_data(show_spinner="Évaluation des zones blanches…", max_entries=16, ttl=DUREE_CACHE)
def zones_blanches_version(version: int, cle: tuple, niveau: str, seuils, poids) -> pd.DataFrame:
    from coverage.territoires.zones_blanches import evaluer_zones_blanches

    return evaluer_zones_blanches(
        couverture_communes=_couverture_version(version).communes, besoins=_besoins(cle), referentiel=referentiel(),
        niveau=niveau, seuils=seuils, poids=poids, libelles_projets=libelles_projets(cle),
    )


@st.cache_data(show_spinner=False, max_entries=16, ttl=DUREE_CACHE)
def _seuils_defaut(version: int, cle: tuple, niveau: str, poids):
    from coverage.territoires.zones_blanches import seuils_par_defaut

    return seuils_par_defaut(_couverture_version(version).communes, _besoins(cle), referentiel=referentiel(), niveau=niveau, poids=poids)


def libelles_projets(cle: tuple) -> dict[str, str]:
    return {p.id: p.nom for p in _projets(cle)}


def reglages_zones_blanches(niveau: str):
    """(seuils, poids) choisis par l'utilisateur (page Zones blanches), sinon les valeurs par défaut."""
    from coverage.territoires.besoins import PoidsBesoin

    poids = st.session_state.get("zb_poids") or PoidsBesoin()
    seuils = st.session_state.get(f"zb_seuils_{niveau}") or _seuils_defaut(version_active(), cle_besoins(), niveau, poids)
    return seuils, poids


def zones_blanches(niveau: str) -> pd.DataFrame:
    """Zones blanches de la version active au niveau `commune`, `epci` ou `ept`, avec les réglages en cours."""
    seuils, poids = reglages_zones_blanches(niveau)
    return zones_blanches_version(version_active(), cle_besoins(), niveau, seuils, poids)


@st.cache_data(show_spinner="Emprises des grands projets…", max_entries=4)
def formes_projets(cle: tuple) -> gpd.GeoDataFrame:
    """Emprises de tous les projets (EPSG:4326, index id), calculées une fois par registre."""
    from coverage.territoires.grands_projets import carte_projets

    return carte_projets(_projets(cle), referentiel=referentiel(), communes_geo=communes_completes()).set_index("id")
