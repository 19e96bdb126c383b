"""Emprises et cadrages des cartes : métropole, départements d'outre-mer, centre et zoom Leaflet.

Les emprises sont en degrés (EPSG:4326), dans l'ordre de `GeoDataFrame.total_bounds` :
`(lon_min, lat_min, lon_max, lat_max)`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

# --- Emprises : métropole et départements d'outre-mer --------------------------------------------

Emprise = tuple[float, float, float, float]
"""(lon_min, lat_min, lon_max, lat_max) en degrés, EPSG:4326."""

EMPRISES: dict[str, Emprise] = {
    "metropole": (-5.3, 41.3, 9.7, 51.2),  # Ouessant à l'Alsace, Corse comprise
    "971": (-61.85, 15.82, -60.98, 16.53),  # Guadeloupe, Marie-Galante, Saintes, Désirade
    "972": (-61.24, 14.38, -60.80, 14.89),  # Martinique
    "973": (-54.61, 2.10, -51.60, 5.80),  # Guyane
    "974": (55.21, -21.40, 55.84, -20.86),  # La Réunion
    "976": (44.98, -13.02, 45.32, -12.62),  # Mayotte
}
LIBELLES_EMPRISES: dict[str, str] = {
    "metropole": "France métropolitaine",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}

def _emprise(gdf: gpd.GeoDataFrame) -> Emprise:
    return tuple(float(x) for x in gdf.total_bounds)  # type: ignore[return-value]


def emprise_par_defaut(gdf: gpd.GeoDataFrame) -> Emprise:
    """Emprise à cadrer : la métropole si des entités y sont, sinon l'ensemble des entités.

    Une couche nationale (métropole et DROM) s'ouvre ainsi sur la métropole, une couche d'un DROM
    sur ce DROM. Emprise en degrés (EPSG:4326), ordre `(lon_min, lat_min, lon_max, lat_max)`.
    """
    points = gdf.geometry.representative_point()
    en_metropole = points.within(shapely.box(*EMPRISES["metropole"]))
    return _emprise(gdf[en_metropole] if en_metropole.any() else gdf)


def vue_emprise(
    emprise: Emprise, *, largeur: int, hauteur: int, pas_zoom: float = 0.25
) -> tuple[tuple[float, float], float]:
    """Centre et niveau de zoom Leaflet (Web Mercator) qui font tenir `emprise` dans la carte.

    Même calcul que `map.fitBounds` de Leaflet, fait côté Python : streamlit-folium applique un
    centre et un zoom sans recharger la carte, alors qu'un nouveau `fitBounds` la recrée.

    Parameters
    ----------
    emprise : Emprise
        `(lon_min, lat_min, lon_max, lat_max)` en degrés (EPSG:4326).
    largeur, hauteur : int
        Taille de la carte en pixels (la largeur réelle, qui suit la page, peut être estimée).
    pas_zoom : float
        Pas des niveaux de zoom (`zoomSnap` de la carte, 0,25 dans `carte_vierge`).

    Returns
    -------
    ((lat, lon), zoom)
        Centre en degrés, zoom arrondi au pas inférieur.

    Example
    -------
    >>> vue_emprise((-180, -85.0511, 180, 85.0511), largeur=256, hauteur=256)
    ((0.0, 0.0), 0.0)
    """
    lon_min, lat_min, lon_max, lat_max = emprise

    def y_mercator(lat: float) -> float:  # 0 au nord, 1 au sud (tuile 0 de 256 px)
        phi = np.radians(lat)
        return (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / np.pi) / 2

    dx = (lon_max - lon_min) / 360
    y_haut, y_bas = y_mercator(lat_max), y_mercator(lat_min)
    echelle = min(largeur / (256 * dx), hauteur / (256 * (y_bas - y_haut)))
    zoom = float(np.floor(np.log2(echelle) / pas_zoom + 1e-9) * pas_zoom)
    y_centre = (y_haut + y_bas) / 2
    lat_centre = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y_centre)))))
    return (round(lat_centre, 6), round((lon_min + lon_max) / 2, 6)), zoom


def emprise_du_code(code: str) -> Emprise | None:
    """Emprise d'un DROM (`"971"`…`"976"`) ou de la métropole (`"metropole"`), `None` sinon."""
    return EMPRISES.get(code)

