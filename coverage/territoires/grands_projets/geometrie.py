"""La géométrie des emprises en lon/lat : axes des tracés, corridors, polygones, union des communes.

Un tracé est élargi de `largeur_km / 2` de part et d'autre dans la projection métrique du lieu
(Lambert-93, ou UTM officiel du DROM).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from coverage.territoires.grands_projets.modele import GrandProjet
from geo.reference import Referentiel

_EPSG_METROPOLE = 2154  # RGF93 v1 / Lambert-93
_EPSG_DROM = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
"""Projections métriques officielles des DROM : RGAF09 / UTM 20N (Guadeloupe, Martinique),
RGFG95 / UTM 22N (Guyane), RGR92 / UTM 40S (La Réunion), RGM04 / UTM 38S (Mayotte)."""


def _epsg_departements(departements: pd.Series) -> np.ndarray:
    """EPSG de la projection métrique de chaque département (Lambert-93 ou UTM du DROM)."""
    return departements.map(_EPSG_DROM).fillna(_EPSG_METROPOLE).astype("int64").to_numpy()


def _epsg_point(lon: float, lat: float) -> int:
    """EPSG de la projection métrique pour un point en lon/lat (boîtes larges autour de chaque DROM)."""
    if lon < -40:  # Antilles et Guyane
        return _EPSG_DROM["973"] if lat < 9 else _EPSG_DROM["971"]
    if lat < -5:  # océan Indien
        return _EPSG_DROM["974"] if lon > 50 else _EPSG_DROM["976"]
    return _EPSG_METROPOLE


def _axes(projet: GrandProjet, referentiel: Referentiel) -> list[tuple[LineString, float]]:
    """Les lignes d'un projet (lon/lat) et la largeur de leur corridor (km)."""
    axes = []
    points = referentiel.communes[["lon", "lat"]]
    for t in projet.traces:
        if t.communes:
            ligne = LineString(points.loc[list(t.communes)].to_numpy())
        else:
            ligne = shapely.from_wkt(t.ligne)
        axes.append((ligne, t.largeur_km))
    return axes


def _corridors(axes: list[tuple[LineString, float]]) -> BaseGeometry:
    """Union des corridors : chaque ligne élargie de `largeur_km / 2` (m) dans sa projection métrique."""
    morceaux = []
    for ligne, largeur in axes:
        lon, lat = ligne.centroid.coords[0]
        epsg = _epsg_point(lon, lat)
        tampon = gpd.GeoSeries([ligne], crs=4326).to_crs(epsg).buffer(largeur * 500.0, quad_segs=16)
        morceaux.append(tampon.to_crs(4326).iloc[0])
    return shapely.union_all(morceaux)


def _communes_territoires(projet: GrandProjet, referentiel: Referentiel) -> pd.Index:
    membres = referentiel.communes.index[referentiel.communes["epci"].isin(projet.epci)]
    return pd.Index(list(dict.fromkeys([*projet.communes, *membres])), dtype="str")


def axe_projet(projet: GrandProjet, *, referentiel: Referentiel) -> BaseGeometry | None:
    """L'axe d'un projet linéaire en lon/lat (LineString, MultiLineString pour plusieurs branches), sinon None."""
    axes = [ligne for ligne, _ in _axes(projet, referentiel)]
    if not axes:
        return None
    return axes[0] if len(axes) == 1 else MultiLineString(axes)


def geometrie_empreinte(
    projet: GrandProjet, *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame | None = None
) -> BaseGeometry:
    """La surface de l'emprise en lon/lat (EPSG:4326).

    Tracé : union des corridors ; polygone : le polygone ; territoires : union des communes (il
    faut alors `communes_geo`, polygones communaux indexés par code, en EPSG:4326).
    """
    if projet.forme == "trace":
        return _corridors(_axes(projet, referentiel))
    if projet.forme == "polygone":
        return shapely.from_wkt(projet.polygone)
    if communes_geo is None:
        raise ValueError("`communes_geo` est nécessaire pour dessiner une emprise par territoires.")
    codes = _communes_territoires(projet, referentiel)
    geoms = communes_geo.geometry.reindex(codes).dropna()
    if communes_geo.crs is not None and not communes_geo.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs(4326)
    return shapely.union_all(geoms.to_numpy())
