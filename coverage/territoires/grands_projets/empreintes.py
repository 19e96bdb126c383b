"""Les communes touchées par chaque projet (`empreintes`), avec la part de leur surface dans l'emprise."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.territoires.grands_projets.geometrie import _communes_territoires, _epsg_departements, geometrie_empreinte
from coverage.territoires.grands_projets.modele import PART_SURFACE_MIN, GrandProjet
from geo.reference import Referentiel


COLONNES_EMPREINTE = ["id_projet", "commune", "nom", "epci", "departement", "region", "population", "part_surface"]


def _verifier_communes_geo(communes_geo: gpd.GeoDataFrame) -> None:
    if communes_geo.crs is None:
        raise ValueError("`communes_geo` n'a pas de système de coordonnées (attendu : EPSG:4326, index = code commune).")


def empreintes(
    projets: Sequence[GrandProjet],
    *,
    referentiel: Referentiel,
    communes_geo: gpd.GeoDataFrame,
    part_min: float = PART_SURFACE_MIN,
) -> pd.DataFrame:
    """Les communes touchées par chaque projet.

    Parameters
    ----------
    projets : les projets (registre validé).
    referentiel : tables du COG (points des communes pour les tracés, appartenances, population).
    communes_geo : polygones des communes, index = code INSEE, de préférence en EPSG:4326
        (`charger_geometries("commune", affichage=False)`) ; son index spatial est construit au
        premier appel et gardé sur l'objet : passez toujours le même objet.
    part_min : part minimale (0 à 1) de la surface d'une commune dans l'emprise pour qu'elle
        soit touchée.

    Returns
    -------
    DataFrame, une ligne par (projet, commune) : `id_projet`, `commune`, `nom`, `epci` (SIREN,
    vide hors EPCI), `departement`, `region`, `population` (population municipale), `part_surface`
    (part de la surface de la commune dans l'emprise, 0 à 1 ; 1 pour une emprise par
    territoires). Triée par ordre des projets puis code commune.

    Notes
    -----
    Les surfaces sont calculées dans la projection métrique de la commune (Lambert-93, ou UTM
    officiel du DROM). Une commune sans géométrie (4 communes nouvelles du Cantal) n'est touchée
    que par une emprise par territoires.
    """
    _verifier_communes_geo(communes_geo)
    ordre = {p.id: i for i, p in enumerate(projets)}
    morceaux = []

    # Territoires : développement par la table du COG.
    par_territoires = [p for p in projets if p.forme == "territoires"]
    if par_territoires:
        paires = pd.concat(
            [pd.DataFrame({"id_projet": p.id, "commune": _communes_territoires(p, referentiel)}) for p in par_territoires],
            ignore_index=True,
        )
        morceaux.append(paires.assign(part_surface=1.0))

    # Tracés et polygones : intersection avec les polygones communaux (index spatial, une requête).
    geometriques = [p for p in projets if p.forme != "territoires"]
    if geometriques:
        emprises = gpd.GeoSeries([geometrie_empreinte(p, referentiel=referentiel) for p in geometriques], crs=4326)
        if not communes_geo.crs.equals(emprises.crs):
            emprises = emprises.to_crs(communes_geo.crs)
        i_projet, i_commune = communes_geo.sindex.query(emprises.to_numpy(), predicate="intersects")
        codes = communes_geo.index.to_numpy()[i_commune]
        paires = pd.DataFrame({"id_projet": np.array([p.id for p in geometriques], dtype=object)[i_projet], "commune": codes})
        paires["part_surface"] = _parts_surface(
            communes_geo.geometry.to_numpy()[i_commune],
            emprises.to_numpy()[i_projet],
            crs=communes_geo.crs,
            epsg=_epsg_departements(referentiel.communes["departement"].reindex(codes)),
        )
        morceaux.append(paires[paires["part_surface"] >= part_min])

    if not morceaux:
        return _empreinte_vide()
    tout = pd.concat(morceaux, ignore_index=True).drop_duplicates(["id_projet", "commune"])
    infos = referentiel.communes[["nom", "epci", "departement", "region", "population"]]
    sortie = tout.join(infos, on="commune", how="inner")
    sortie["epci"] = sortie["epci"].fillna("").astype("str")
    sortie = sortie.assign(_ordre=sortie["id_projet"].map(ordre)).sort_values(["_ordre", "commune"])
    sortie = sortie.astype({"id_projet": "str", "commune": "str", "population": "int64", "part_surface": "float64"})
    return sortie[COLONNES_EMPREINTE].reset_index(drop=True)


def _empreinte_vide() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in COLONNES_EMPREINTE[:-2]}).assign(
        population=pd.Series(dtype="int64"), part_surface=pd.Series(dtype="float64")
    )


def _parts_surface(communes: np.ndarray, emprises: np.ndarray, *, crs: object, epsg: np.ndarray) -> np.ndarray:
    """Part de la surface de chaque commune dans l'emprise associée, en projection métrique locale."""
    parts = np.zeros(len(communes), dtype=float)
    for code_epsg in np.unique(epsg):
        masque = epsg == code_epsg
        c = gpd.GeoSeries(communes[masque], crs=crs).to_crs(int(code_epsg))
        e = gpd.GeoSeries(emprises[masque], crs=crs).to_crs(int(code_epsg))
        surface = c.area.to_numpy()
        commun = shapely.area(shapely.intersection(c.to_numpy(), e.to_numpy()))
        parts[masque] = np.where(surface > 0, commun / np.where(surface > 0, surface, 1.0), 0.0)
    return np.clip(parts, 0.0, 1.0)


def empreinte(
    projet: GrandProjet, *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame, part_min: float = PART_SURFACE_MIN
) -> pd.DataFrame:
    """Les communes touchées par un projet (voir `empreintes`), sans la colonne `id_projet`.

    Examples
    --------
    >>> canal = next(p for p in charger_registre() if p.id == "canal-seine-nord-europe")
    >>> e = empreinte(canal, referentiel=charger_referentiel(), communes_geo=charger_geometries("commune", affichage=False))
    >>> sorted(e["departement"].unique())
    ['59', '60', '62', '80']
    """
    return empreintes([projet], referentiel=referentiel, communes_geo=communes_geo, part_min=part_min).drop(columns="id_projet")
