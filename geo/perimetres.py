"""Contours des périmètres de structures, construits à partir des couches de référence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely


def contours_perimetres(
    perimetres: pd.DataFrame,
    *,
    ids: Sequence[str],
    couches: Mapping[str, gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    """Un polygone par (structure, rôle) : l'union des territoires de son périmètre.

    Parameters
    ----------
    perimetres : lignes `id_structure`, `niveau`, `code`, `role` (format `perimetres`).
    ids : structures à dessiner.
    couches : `{niveau: GeoDataFrame}` en EPSG:4326 indexés par code (couches d'affichage :
        leurs frontières communes rendent l'union propre).

    Returns
    -------
    GeoDataFrame EPSG:4326 : `id_structure`, `role`, geometry ; les codes sans contour (communes
    sans géométrie) sont ignorés pour le dessin seulement.
    """
    lignes = perimetres[perimetres["id_structure"].isin(list(ids))]
    morceaux = []
    for niveau, groupe in lignes.groupby("niveau"):
        couche = couches[str(niveau)]
        connus = groupe[groupe["code"].isin(couche.index)]
        morceaux.append(connus.assign(geometry=couche.geometry.reindex(connus["code"]).to_numpy()))
    if not morceaux:
        return gpd.GeoDataFrame({"id_structure": [], "role": []}, geometry=[], crs=4326)
    tout = pd.concat(morceaux, ignore_index=True)
    union = tout.groupby(["id_structure", "role"]).geometry.agg(lambda g: shapely.union_all(g.to_numpy()))
    return gpd.GeoDataFrame(union.reset_index(), geometry="geometry", crs=4326)
