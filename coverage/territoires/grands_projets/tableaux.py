"""Le registre en tableau et en couche pour les pages (une ligne, une géométrie par projet)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.territoires.grands_projets.geometrie import geometrie_empreinte
from coverage.territoires.grands_projets.modele import LIBELLES_FORMES, GrandProjet
from geo.reference import Referentiel


def tableau_registre(projets: Sequence[GrandProjet]) -> pd.DataFrame:
    """Le registre en tableau pour l'affichage : une ligne par projet.

    Colonnes : `id`, `nom`, `type` (code), `type_libelle`, `periode`, `source`, `indicatif`,
    `mention` (texte d'approximation à afficher, vide si l'emprise est exacte), `forme`,
    `forme_libelle`, `nb_codes` (communes et EPCI listés), `largeur_km` (tracés, sinon NaN),
    `description`.
    """
    return pd.DataFrame(
        {
            "id": [p.id for p in projets],
            "nom": [p.nom for p in projets],
            "type": [p.type.value for p in projets],
            "type_libelle": [p.type.libelle for p in projets],
            "periode": [p.periode for p in projets],
            "source": [p.source for p in projets],
            "indicatif": pd.Series([p.indicatif for p in projets], dtype="bool"),
            "mention": [p.mention for p in projets],
            "forme": [p.forme for p in projets],
            "forme_libelle": [LIBELLES_FORMES[p.forme] for p in projets],
            "nb_codes": pd.Series([len(p.communes) + len(p.epci) for p in projets], dtype="int64"),
            "largeur_km": pd.Series([max((t.largeur_km for t in p.traces), default=np.nan) for p in projets], dtype="float64"),
            "description": [p.description for p in projets],
        }
    ).astype({c: "str" for c in ("id", "nom", "type", "type_libelle", "periode", "source", "mention", "forme", "forme_libelle", "description")})


def carte_projets(projets: Sequence[GrandProjet], *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Une couche par projet pour la carte : la surface de l'emprise (EPSG:4326) et ses libellés.

    Colonnes : celles de `tableau_registre`, `geometry` (corridor, polygone ou union des
    communes). La `mention` dit sur la carte quand l'emprise est approchée. L'axe des tracés :
    `axe_projet`.
    """
    table = tableau_registre(projets)
    geometries = [geometrie_empreinte(p, referentiel=referentiel, communes_geo=communes_geo) for p in projets]
    return gpd.GeoDataFrame(table, geometry=geometries, crs=4326)
