"""Côté Streamlit des cartes : Leaflet servi localement et affichage par streamlit-folium.

- `preparer_assets_locaux()` copie `leaflet.js`, `leaflet.css` et `images/` du paquet PyPI
  `django-js-lib-leaflet` dans `static/leaflet/` à côté du script Streamlit ; avec
  `server.enableStaticServing = true` (`.streamlit/config.toml`), Streamlit les sert sous
  `/app/static/leaflet/`, l'URL que déclarent les cartes de `geo.carte`. Rien n'est versionné
  (`static/` est ignoré par git) et rien n'est chargé depuis internet.
- `preparer_geometries_web()` écrit une fois par processus (si besoin) les géométries de chaque
  niveau en fichiers statiques (`static/geo/`, voir `geo.geometries_web`) ; `urls_geometries()`
  donne l'URL du fichier d'un niveau (ou des communes d'un département) ;
- `afficher_carte()` appelle `st_folium` en ne renvoyant que l'entité cliquée : déplacer ou zoomer
  la carte ne relance pas le script ; les couches qui changent passent par `feature_group_to_add`,
  la couche de base reste identique et la carte n'est pas rechargée.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import threading
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.carte import Emprise, code_depuis_retour, liens_externes, vue_emprise
from geo.carte_valeurs import FICHIER_JS, CoucheValeurs, alignee_sur_fichier, couche_integree, niveau_du_fichier
from geo.geometries_web import codes_du_fichier, ecrire_geometries_web

DOSSIER_APP = Path(__file__).resolve().parent.parent
"""Dossier de `app.py` : Streamlit sert son sous-dossier `static/`."""

FICHIERS_LEAFLET: tuple[str, ...] = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)

_dossier_app = DOSSIER_APP
"""Dossier dont Streamlit sert `static/` : celui donné au dernier `preparer_assets_locaux`."""

VARIABLE_MODE = "CARTES_GEOMETRIES"
"""`integrees` : géométries envoyées dans chaque carte, comme avant l'issue 17 (base de comparaison du banc
d'essai `bench/bench_cartes_navigateur.py`) ; par défaut, fichiers statiques et valeurs seules."""

VARIABLE_URL_TUILES = "CARTE_URL_TUILES"
VARIABLE_ATTRIBUTION_TUILES = "CARTE_ATTRIBUTION_TUILES"


def _source_leaflet() -> Path:
    try:
        racine = files("js_lib_leaflet")
    except ModuleNotFoundError as erreur:
        raise RuntimeError(
            "Leaflet est introuvable : le paquet `django-js-lib-leaflet` (requirements.txt) "
            "n'est pas installé. Les cartes ne peuvent pas s'afficher."
        ) from erreur
    return Path(str(racine)) / "static" / "js_lib_leaflet"


def preparer_assets_locaux(dossier_app: Path | None = None) -> Path:
    """Copie Leaflet dans `<dossier_app>/static/leaflet/` si besoin (idempotent, sans réseau).

    Seuls les fichiers absents ou différents de ceux du paquet installé sont (re)copiés, chacun
    par un fichier temporaire renommé : plusieurs sessions peuvent l'appeler en même temps. Coût
    quand tout est à jour : une comparaison de `stat` par fichier (appel à chaque exécution de
    `app.py` sans inconvénient).

    Parameters
    ----------
    dossier_app : Path, optional
        Dossier du script lancé par `streamlit run` (par défaut celui de `app.py`).

    Returns
    -------
    Path
        Le dossier `static/leaflet/` rempli.
    """
    global _dossier_app
    _dossier_app = Path(dossier_app or DOSSIER_APP)
    source = _source_leaflet()
    cible = _dossier_app / "static" / "leaflet"
    for nom in FICHIERS_LEAFLET:
        origine, destination = source / nom, cible / nom
        if not origine.is_file():
            raise RuntimeError(f"Fichier Leaflet absent du paquet installé : {origine}.")
        if destination.is_file() and filecmp.cmp(origine, destination, shallow=True):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        # un nom propre au processus et au fil : les sessions Streamlit tournent en parallèle
        temporaire = destination.with_name(
            f".{destination.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        shutil.copy2(origine, temporaire)
        os.replace(temporaire, destination)
    _copier(FICHIER_JS, cible.parent / "cartes" / FICHIER_JS.name)
    return cible


def _copier(origine: Path, destination: Path) -> None:
    """Copie par un fichier temporaire renommé, seulement si la destination diffère."""
    if destination.is_file() and filecmp.cmp(origine, destination, shallow=False):
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporaire = destination.with_name(f".{destination.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.copy2(origine, temporaire)
    os.replace(temporaire, destination)


@st.cache_resource(show_spinner="Préparation des contours pour le navigateur…")
def preparer_geometries_web(dossier_app: Path) -> dict:
    """Fichiers de géométries de chaque niveau dans `static/geo/` (une fois par processus) ; le manifeste."""
    return ecrire_geometries_web(Path(dossier_app) / "static")


def urls_geometries(niveau: str, *, departement: str | None = None) -> list[str]:
    """URL du fichier de géométries d'un niveau ; celui des communes d'un seul département si demandé."""
    manifeste = preparer_geometries_web(_dossier_app)
    if departement is not None and departement in manifeste["par_departement"].get(niveau, {}):
        return [manifeste["par_departement"][niveau][departement]]
    return [manifeste["niveaux"][niveau]]


def opacite_remplissage() -> float:
    """Opacité des aplats : 0,85 sur fond uni, 0,6 sur un fond de tuiles."""
    return 0.6 if parametres_tuiles()["tuiles"] else 0.85


def parametres_tuiles() -> dict[str, str | None]:
    """Fond de carte optionnel lu dans l'environnement, à passer à `carte_choroplethe(**…)`.

    `CARTE_URL_TUILES` (ex. `https://tuiles.intranet.example/{z}/{x}/{y}.png`) et
    `CARTE_ATTRIBUTION_TUILES` ; sans elles, pas de tuiles (fond uni, aucun accès réseau).
    """
    url = os.environ.get(VARIABLE_URL_TUILES) or None
    attribution = os.environ.get(VARIABLE_ATTRIBUTION_TUILES) or None
    if url and not attribution:
        attribution = "Fond de carte"
    return {"tuiles": url, "attribution_tuiles": attribution}


def _en_groupes(couches: Sequence[folium.map.Layer]) -> list[folium.FeatureGroup]:
    """streamlit-folium n'accepte que des FeatureGroup : les autres couches y sont emballées."""
    groupes = []
    for couche in couches:
        if isinstance(couche, folium.FeatureGroup):
            groupes.append(couche)
        else:
            groupe = folium.FeatureGroup(name=getattr(couche, "layer_name", None))
            couche.add_to(groupe)
            groupes.append(groupe)
    return groupes


def afficher_carte(
    m: folium.Map,
    *,
    cle: str,
    hauteur: int | None = None,
    couches_variables: Sequence[folium.map.Layer] | None = None,
    gdf: gpd.GeoDataFrame | None = None,
    cadrage: Emprise | None = None,
    largeur_estimee: int = 800,
) -> str | None:
    """Affiche la carte et renvoie le code du territoire cliqué (None avant tout clic).

    Parameters
    ----------
    m : folium.Map
        Carte de `geo.carte` (aucune ressource externe). À construire à chaque exécution :
        streamlit-folium modifie l'objet (ne pas le mettre en cache).
    cle : str
        Clé Streamlit stable de la carte (préfixée par la page : `couverture_carte`).
    hauteur : int, optional
        Hauteur en pixels ; par défaut celle de la carte.
    couches_variables : list of folium Layer, optional
        Couches qui changent d'une exécution à l'autre (périmètres simulés…), envoyées à part :
        la carte n'est pas rechargée, seules ces couches sont remplacées.
    gdf : GeoDataFrame, optional
        Territoires (EPSG:4326, index = code) pour retrouver le code par point-dans-polygone
        quand le clic ne porte pas sur une entité de `CoucheGeoJson`.
    cadrage : Emprise, optional
        `(lon_min, lat_min, lon_max, lat_max)` en degrés : recadre la carte (saut vers un DROM,
        `geo.carte.EMPRISES`) sans la recharger ; appliqué quand il change d'une exécution à
        l'autre (si l'utilisateur s'est déplacé, re-choisir le même cadrage ne fait rien).
    largeur_estimee : int
        Largeur supposée de la carte en pixels pour calculer le zoom du cadrage (elle suit la
        page ; pour une emprise plus haute que large, seule la hauteur compte).

    Returns
    -------
    str or None
        Code du dernier territoire cliqué. Il revient à None si la couche de base change (la
        carte est alors recréée) : gardez la sélection dans `st.session_state` si besoin.
    """
    if os.environ.get(VARIABLE_MODE) == "integrees":
        couches_variables = _integrer(m, couches_variables or [])
    couches_variables = [_alignee(c) for c in couches_variables or []]
    groupes = _en_groupes(couches_variables or [])
    externes = liens_externes(m) + [u for g in groupes for u in liens_externes(g)]
    if externes:
        raise ValueError(f"Carte non affichable hors ligne, ressources externes : {externes}.")
    if hauteur is None:
        valeur, unite = m.height
        hauteur = int(valeur) if unite == "px" else 600
    centre, zoom = (
        vue_emprise(cadrage, largeur=largeur_estimee, hauteur=hauteur) if cadrage else (None, None)
    )
    objets = ["last_active_drawing"] + (["last_object_clicked"] if gdf is not None else [])
    retour = st_folium(
        m,
        key=cle,
        height=hauteur,
        use_container_width=True,
        returned_objects=objets,
        center=centre,
        zoom=zoom,
        feature_group_to_add=groupes or None,
    )
    return code_depuis_retour(retour, gdf)


def clic_en_cours(cle: str, gdf: gpd.GeoDataFrame | None = None) -> str | None:
    """Code du territoire cliqué sur la carte `cle`, lu avant de la dessiner (None avant tout clic).

    streamlit-folium range sa valeur sous la clé de la carte dès le rappel du clic, avant l'exécution
    qu'il déclenche : la page peut surligner le territoire cliqué dans cette même exécution, sans
    attendre la suivante. Même lecture que la valeur renvoyée par `afficher_carte`.
    """
    retour = st.session_state.get(cle)
    return code_depuis_retour(retour, gdf) if isinstance(retour, dict) else None


def _alignee(couche: folium.map.Layer) -> folium.map.Layer:
    """Une couche de valeurs sur un seul fichier part sans ses codes, dans l'ordre du fichier."""
    parametres = getattr(couche, "parametres", None)  # couche classée (pas des contours)
    if not isinstance(couche, CoucheValeurs) or parametres is None or len(parametres["geometries"]) != 1:
        return couche
    try:
        ordre = codes_du_fichier(Path(_dossier_app) / "static", parametres["geometries"][0])
    except (OSError, ValueError, KeyError):  # fichier absent (URL d'essai) : envoi avec les codes
        return couche
    return alignee_sur_fichier(couche, ordre)


def _integrer(m: folium.Map, couches: Sequence[folium.map.Layer]) -> list[folium.map.Layer]:
    """Mode de comparaison : les `CoucheValeurs` deviennent du GeoJSON dans la carte elle-même (rechargée)."""
    from ui import etat

    for couche in couches:
        if isinstance(couche, CoucheValeurs):
            niveau = niveau_du_fichier(couche.options_valeurs["geometries"][0])
            for element in couche_integree(couche, etat.geometries(niveau)):
                element.add_to(m)
        else:
            couche.add_to(m)
    return []


def point_clique(
    m: folium.Map,
    *,
    cle: str,
    hauteur: int = 450,
    cadrage: Emprise | None = None,
    largeur_estimee: int = 800,
    couches_variables: Sequence[folium.map.Layer] | None = None,
) -> tuple[float, float] | None:
    """Affiche la carte et renvoie le dernier point cliqué `(lon, lat)` en degrés (EPSG:4326).

    Sert à tracer une ligne ou un polygone point par point : aucun greffon de dessin n'est
    disponible hors ligne (leaflet-draw n'est distribué par aucun paquet PyPI utilisable). Les
    couches qui changent à chaque point (`couches_variables`) partent à part : la carte n'est pas
    recréée, la vue est gardée.
    """
    groupes = _en_groupes(couches_variables or [])
    externes = liens_externes(m) + [u for g in groupes for u in liens_externes(g)]
    if externes:
        raise ValueError(f"Carte non affichable hors ligne, ressources externes : {externes}.")
    centre, zoom = vue_emprise(cadrage, largeur=largeur_estimee, hauteur=hauteur) if cadrage else (None, None)
    retour = st_folium(m, key=cle, height=hauteur, use_container_width=True, returned_objects=["last_clicked"],
                       center=centre, zoom=zoom, feature_group_to_add=groupes or None)
    clic = (retour or {}).get("last_clicked")
    if not clic:
        return None
    return float(clic["lng"]), float(clic["lat"])
