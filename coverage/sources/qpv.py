"""Quartiers prioritaires de la politique de la ville (QPV) et quartiers du NPNRU, placés sur les communes.

Deux imports :
- `lire_qpv` : les contours officiels des QPV (liste 2024, ANCT ; GeoJSON, GeoPackage ou
  shapefile zippé). Le fichier officiel porte un objet par couple quartier × commune avec le code
  INSEE (`insee_com`) : le quartier est rattaché à ces communes. Sans colonne de commune, le
  quartier est placé par intersection de polygones avec les communes du COG 2026, en Lambert-93
  (EPSG:2154) : il est rattaché à chaque commune qui porte au moins 5 % de sa surface
  (`SEUIL_PART_SURFACE`), et toujours à celle qui en porte le plus. Un quartier à cheval sur
  plusieurs communes compte une fois dans chacune (et une seule fois dans un EPCI, un département
  ou une région qui les contient toutes).
- `lire_npnru` : la liste des quartiers du nouveau programme national de renouvellement urbain
  (ANRU) : code du quartier, nom, intérêt `national` ou `regional` (PRIN / PRIR), commune
  facultative. Sans commune, le quartier NPNRU prend les communes du QPV de même code.

Tant que l'utilisateur n'a rien importé, l'application montre des échantillons ILLUSTRATIFS
(`charger_qpv_demo`, `charger_npnru_demo`) : leur colonne `source` le dit.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.modele import DOSSIER_DEMO
from coverage.sources.decp.modele import Indicateur, cle_champ, trouver_colonnes
from coverage.sources.decp.placement import tables_placement
from coverage.sources.lecture import ErreurLecture, Probleme, lire_tableau
from geo.reference import NiveauGeo, Referentiel

__all__ = [
    "INDICATEURS_QUARTIERS",
    "SEUIL_PART_SURFACE",
    "charger_npnru_demo",
    "charger_qpv_demo",
    "indicateurs_quartiers",
    "lire_npnru",
    "lire_qpv",
    "npnru_non_places",
    "placer_quartiers",
    "quartiers_par_commune",
]

FICHIER_DEMO_QPV = DOSSIER_DEMO / "qpv_demo.geojson"
FICHIER_DEMO_NPNRU = DOSSIER_DEMO / "npnru_demo.csv"

SEUIL_PART_SURFACE = 0.05
"""Part minimale de la surface d'un quartier dans une commune pour l'y rattacher (0,05 = 5 %).

Les contours des QPV et ceux des communes (déjà simplifiés) ne coïncident pas au mètre près : sans
seuil, un quartier serait rattaché à des voisines qu'il ne touche que par un liseré.
"""

INTERETS = ("national", "regional")
LIBELLES_INTERET = {"national": "Intérêt national (PRIN)", "regional": "Intérêt régional (PRIR)"}

_SOURCE_QPV = "Contours des quartiers prioritaires de la politique de la ville 2024, ANCT (data.gouv.fr)"
_SOURCE_NPNRU = "Liste des quartiers du NPNRU, ANRU (arrêté du 29 avril 2015 et ses modifications)"

INDICATEURS_QUARTIERS: tuple[Indicateur, ...] = (
    Indicateur("nb_qpv", "Quartiers prioritaires (QPV)", "quartiers", _SOURCE_QPV,
               "géographie prioritaire 2024 (métropole, décret n° 2023-1314 modifié) ; outre-mer : liste en vigueur",
               "Nombre de QPV distincts qui touchent le territoire (au moins 5 % de leur surface, ou commune "
               "indiquée par le fichier)."),
    Indicateur("nb_npnru_national", "Quartiers NPNRU d'intérêt national", "quartiers", _SOURCE_NPNRU,
               "NPNRU 2014-2030", "Quartiers du NPNRU d'intérêt national (PRIN) situés dans le territoire."),
    Indicateur("nb_npnru_regional", "Quartiers NPNRU d'intérêt régional", "quartiers", _SOURCE_NPNRU,
               "NPNRU 2014-2030", "Quartiers du NPNRU d'intérêt régional (PRIR) situés dans le territoire."),
)  # fmt: skip

_ALIAS_QPV = {
    "code": ("codeqp", "codeqpv", "codequartier", "cqp", "codeqp2024", "qp", "codeqpv2024", "idqp"),
    "nom": ("libqp", "nomqp", "nomqpv", "libqpv", "nomquartier", "libellequartier", "libelle", "nom"),
    "communes": ("inseecom", "codeinsee", "codecommune", "insee", "listecommune", "listecommunes",
                 "codescommunes", "communes", "depcom", "codgeo"),
    "source": ("source",),
}  # fmt: skip
_ALIAS_NPNRU = {
    "code": ("codeqpv", "codeqp", "codequartier", "numeroqpv", "qpv", "code", "codeqpv2015", "codeqp2015"),
    "nom": ("nom", "nomqpv", "nomquartier", "nomduquartier", "libqp", "libelle", "quartier", "libqpv"),
    "interet": ("interet", "typeinteret", "typedinteret", "interetnpnru", "niveauinteret", "niveaudinteret", "type",
                "classement", "typenpnru"),
    "commune": ("commune", "inseecom", "codeinsee", "codecommune", "depcom"),
    "source": ("source",),
}


def _erreur(nom_fichier: str, message: str) -> ErreurLecture:
    return ErreurLecture(Probleme(nom_fichier, None, None, None, message))


def _codes_communes(valeurs: pd.Series) -> pd.Series:
    """Cellules de codes INSEE (`"93066"`, `"93066, 93001"`, liste) → une ligne par code, zéro initial rétabli."""
    listes = valeurs.map(lambda v: list(v) if isinstance(v, list | tuple | np.ndarray) else v)
    textes = listes.explode().dropna().astype("str").str.upper()
    codes = textes.str.split(r"[\s,;|/]+", regex=True).explode()
    codes = codes[codes.notna() & (codes != "")].str.replace(r"\.0$", "", regex=True)
    return codes.where(~codes.str.fullmatch(r"\d{4}"), "0" + codes)


# --------------------------------------------------------------------------------------------
# QPV
# --------------------------------------------------------------------------------------------


def placer_quartiers(quartiers: gpd.GeoSeries, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Communes de chaque quartier, par intersection de polygones en Lambert-93.

    Parameters
    ----------
    quartiers : géométries des quartiers (polygones ou points), index = code du quartier, CRS défini.
    communes : polygones des communes, index = code INSEE, CRS défini (celui de
        `charger_geometries("commune", affichage=False)` : EPSG:4326).

    Returns
    -------
    pandas.DataFrame
        Colonnes `code_qpv`, `commune`, `part_surface` (part de la surface du quartier dans la
        commune, 0 à 1 ; NaN pour un point) : une ligne par commune qui porte au moins
        `SEUIL_PART_SURFACE` de la surface du quartier, et toujours la commune qui en porte le plus.
    """
    if quartiers.crs is None or communes.crs is None:
        raise ValueError("placer_quartiers : les quartiers et les communes doivent avoir un CRS défini.")
    q = quartiers.to_crs("EPSG:2154")
    c = communes.geometry.to_crs("EPSG:2154")
    i_q, i_c = c.sindex.query(q.to_numpy(), predicate="intersects")
    if len(i_q) == 0:
        return pd.DataFrame({"code_qpv": pd.Series(dtype="str"), "commune": pd.Series(dtype="str"),
                             "part_surface": pd.Series(dtype="float64")})  # fmt: skip
    geoms_q = q.to_numpy()[i_q]
    aires_q = shapely.area(geoms_q)
    aires = shapely.area(shapely.intersection(geoms_q, c.to_numpy()[i_c]))
    part = np.where(aires_q > 0, aires / np.where(aires_q > 0, aires_q, 1), np.nan)
    paires = pd.DataFrame(
        {"code_qpv": q.index.to_numpy()[i_q], "commune": c.index.to_numpy()[i_c], "part_surface": part}
    )
    paires = paires.sort_values(["code_qpv", "part_surface", "commune"], ascending=[True, False, True])
    premiere = ~paires["code_qpv"].duplicated()
    gardees = paires[premiere.to_numpy() | (paires["part_surface"] >= SEUIL_PART_SURFACE).to_numpy()
                     | paires["part_surface"].isna().to_numpy()]  # fmt: skip
    return gardees.reset_index(drop=True).astype({"code_qpv": "str", "commune": "str"})


def _lire_geo(contenu: bytes, nom_fichier: str) -> gpd.GeoDataFrame:
    if not contenu or not contenu.strip():
        raise _erreur(nom_fichier, "le fichier est vide.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # extension « non conforme » d'un GeoPackage en mémoire
            return gpd.read_file(io.BytesIO(contenu), engine="pyogrio")
    except Exception as exc:  # pyogrio lève des erreurs de plusieurs familles selon le format
        raise _erreur(
            nom_fichier,
            "fichier illisible : formats acceptés pour les contours des QPV : GeoJSON, GeoPackage (.gpkg) ou "
            "shapefile zippé (.zip).",
        ) from exc


_RE_CRS_GEOJSON = re.compile(rb'"crs"\s*:\s*\{[^{}]*"properties"\s*:\s*\{[^{}]*"name"\s*:\s*"([^"]{1,200})"')
_FRANCE_WGS84 = (-65.0, -25.0, 60.0, 53.0)
"""Emprise (lon min, lat min, lon max, lat max) de la France, DROM compris, en degrés : un contour
hors de cette emprise vient d'un système de coordonnées mal déclaré."""


def _en_wgs84(brut: gpd.GeoDataFrame, contenu: bytes, nom_fichier: str) -> gpd.GeoDataFrame:
    """Contours en EPSG:4326 ; un système de coordonnées inconnu ou mal déclaré est une erreur.

    Le pilote GeoJSON de GDAL ignore en silence un membre `crs` qu'il ne connaît pas (il suppose
    alors WGS 84) : ce membre est relu ici. Sans CRS déclaré, un GeoJSON est en WGS 84 (RFC 7946).
    """
    import pyproj

    declare = _RE_CRS_GEOJSON.search(contenu[: 1 << 16]) if contenu.lstrip()[:1] == b"{" else None
    if declare is not None:
        nom = declare.group(1).decode("utf-8", "replace")
        try:
            pyproj.CRS.from_user_input(nom)
        except pyproj.exceptions.CRSError as exc:
            raise _erreur(nom_fichier, f"système de coordonnées « {nom} » inconnu : déclarez EPSG:4326 (WGS 84) "
                                       "ou EPSG:2154 (Lambert-93), ou retirez le membre `crs`.") from exc  # fmt: skip
    try:
        brut = brut.set_crs("EPSG:4326") if brut.crs is None else brut
        brut = brut.to_crs("EPSG:4326")
    except (pyproj.exceptions.CRSError, pyproj.exceptions.ProjError, ValueError) as exc:
        raise _erreur(nom_fichier, f"système de coordonnées « {brut.crs} » inconnu ou impossible à convertir en "
                                   "WGS 84 (EPSG:4326) : enregistrez le fichier en EPSG:4326 ou EPSG:2154.") from exc  # fmt: skip
    valides = brut.geometry[~(brut.geometry.isna() | brut.geometry.is_empty)]
    if len(valides):
        xmin, ymin, xmax, ymax = valides.total_bounds
        lxmin, lymin, lxmax, lymax = _FRANCE_WGS84
        if not (np.isfinite([xmin, ymin, xmax, ymax]).all() and xmin >= lxmin and ymin >= lymin and xmax <= lxmax
                and ymax <= lymax):  # fmt: skip
            raise _erreur(nom_fichier, f"contours hors de France une fois lus en {brut.crs.to_string() if brut.crs else '?'} "
                                       f"(emprise {xmin:.1f}, {ymin:.1f} → {xmax:.1f}, {ymax:.1f}) : le système de coordonnées "
                                       "déclaré ne correspond pas aux coordonnées.")  # fmt: skip
    return brut


def lire_qpv(
    contenu: bytes,
    nom_fichier: str,
    *,
    communes: gpd.GeoDataFrame | None = None,
    referentiel: Referentiel | None = None,
) -> gpd.GeoDataFrame:
    """Lit les contours des QPV et rattache chaque quartier à ses communes.

    Parameters
    ----------
    contenu : octets du fichier (GeoJSON, GeoPackage, shapefile zippé).
    nom_fichier : nom du fichier, cité dans les messages et repris dans `source`.
    communes : polygones des communes (index code INSEE, CRS défini) pour le placement par
        intersection ; par défaut, chargés au besoin par `charger_geometries("commune",
        affichage=False)`.
    referentiel : si donné, les codes INSEE lus dans le fichier sont vérifiés : un ancien code ou
        un arrondissement municipal est rapporté à sa commune actuelle, un code inconnu est écarté
        (avertissement) et le quartier est alors placé par intersection.

    Returns
    -------
    geopandas.GeoDataFrame
        Index `code_qpv` (str) ; colonnes `nom_qpv` (str), `communes` (tuple de codes INSEE
        triés), `nb_communes` (int), `placement` (`fichier` : communes lues dans le fichier ;
        `geometrie` : par intersection), `source` (str), `geometry` (union des morceaux,
        EPSG:4326). `attrs["avertissements"]` : tuple de messages en français.

    Raises
    ------
    ErreurLecture
        Fichier illisible, vide, sans colonne de code de quartier, ou quartier sans code.
    """
    brut = _lire_geo(contenu, nom_fichier)
    if brut.empty:
        raise _erreur(nom_fichier, "aucun quartier dans le fichier.")
    colonnes = trouver_colonnes([c for c in brut.columns if c != brut.geometry.name], _ALIAS_QPV)
    if "code" not in colonnes:
        raise ErreurLecture(
            Probleme(nom_fichier, None, "code_qp", None,
                     "colonne du code de quartier absente (attendu : `code_qp`, `code_qpv` ou `code_quartier` ; "
                     f"colonnes lues : {', '.join(c for c in brut.columns if c != brut.geometry.name)}).")
        )  # fmt: skip
    brut = _en_wgs84(brut, contenu, nom_fichier)
    avertissements: list[str] = []
    code = brut[colonnes["code"]].astype("str").str.strip()
    manquants = brut[colonnes["code"]].isna() | (code == "")
    if manquants.any():
        raise ErreurLecture(
            Probleme(nom_fichier, None, colonnes["code"], None,
                     f"{int(manquants.sum())} objet(s) sans code de quartier (objets n° "
                     f"{', '.join(str(i + 1) for i in np.flatnonzero(manquants.to_numpy())[:10])}).")
        )  # fmt: skip
    nom = brut[colonnes["nom"]].astype("str").str.strip() if "nom" in colonnes else code
    source = brut[colonnes["source"]].astype("str") if "source" in colonnes else pd.Series(nom_fichier, index=brut.index)
    table = gpd.GeoDataFrame({"code_qpv": code, "nom_qpv": nom, "source": source}, geometry=brut.geometry.to_numpy(),
                             crs="EPSG:4326")  # fmt: skip
    sans_geometrie = table.geometry.isna() | table.geometry.is_empty
    if sans_geometrie.any():
        avertissements.append(f"{nom_fichier} : {int(sans_geometrie.sum())} objet(s) sans géométrie.")

    # Communes indiquées par le fichier.
    lues = pd.DataFrame({"code_qpv": pd.Series(dtype="str"), "commune": pd.Series(dtype="str")})
    if "communes" in colonnes:
        codes = _codes_communes(brut[colonnes["communes"]])
        lues = pd.DataFrame({"code_qpv": code.loc[codes.index].to_numpy(), "commune": codes.to_numpy()})
        if referentiel is not None:
            correspondance = tables_placement(referentiel).communes
            actuelles = lues["commune"].map(correspondance)
            inconnues = lues.loc[actuelles.isna(), "commune"].unique()
            if len(inconnues):
                avertissements.append(
                    f"{nom_fichier}, colonne `{colonnes['communes']}` : code(s) commune inconnu(s) du COG 2026 "
                    f"écarté(s) : {', '.join(sorted(inconnues)[:10])}{' …' if len(inconnues) > 10 else ''} ; "
                    "les quartiers concernés sont placés par leur contour."
                )
            lues = lues.assign(commune=actuelles).dropna()
        lues = lues.drop_duplicates()

    # Valides avant l'union : un polygone qui se recoupe ferait échouer la dissolution (GEOSException).
    table["geometry"] = table.geometry.make_valid()
    quartiers = table.dissolve(by="code_qpv", aggfunc={"nom_qpv": "first", "source": "first"}, sort=True)
    quartiers["geometry"] = quartiers.geometry.make_valid()
    a_placer = quartiers.index.difference(pd.Index(lues["code_qpv"].unique()))
    a_placer = a_placer[~(quartiers.loc[a_placer].geometry.isna() | quartiers.loc[a_placer].geometry.is_empty)]
    par_geometrie = pd.DataFrame({"code_qpv": pd.Series(dtype="str"), "commune": pd.Series(dtype="str")})
    if len(a_placer):
        if communes is None:
            from geo.reference import charger_geometries

            communes = charger_geometries("commune", affichage=False)
        par_geometrie = placer_quartiers(quartiers.loc[a_placer].geometry, communes)[["code_qpv", "commune"]]
    rattachements = pd.concat([lues, par_geometrie], ignore_index=True)
    listes = rattachements.sort_values(["code_qpv", "commune"]).groupby("code_qpv")["commune"].agg(tuple)
    quartiers["communes"] = listes.reindex(quartiers.index).map(lambda v: v if isinstance(v, tuple) else ())
    quartiers["nb_communes"] = quartiers["communes"].map(len).astype("int64")
    quartiers["placement"] = np.where(quartiers.index.isin(lues["code_qpv"]), "fichier", "geometrie")
    sans_commune = quartiers.index[quartiers["nb_communes"] == 0]
    if len(sans_commune):
        avertissements.append(
            f"{nom_fichier} : {len(sans_commune)} quartier(s) sans commune (hors des communes du COG 2026 ou sans "
            f"contour) : {', '.join(sans_commune[:10])}{' …' if len(sans_commune) > 10 else ''}."
        )
    quartiers.index.name = "code_qpv"
    quartiers = quartiers[["nom_qpv", "communes", "nb_communes", "placement", "source", "geometry"]]
    quartiers.attrs["avertissements"] = tuple(avertissements)
    return quartiers


def charger_qpv_demo(*, referentiel: Referentiel | None = None) -> gpd.GeoDataFrame:
    """Les quartiers ILLUSTRATIFS de `data/demo/qpv_demo.geojson` (`source` le dit ; `attrs["demo"]` vaut True)."""
    quartiers = lire_qpv(FICHIER_DEMO_QPV.read_bytes(), FICHIER_DEMO_QPV.name, referentiel=referentiel)
    quartiers.attrs["demo"] = True
    return quartiers


# --------------------------------------------------------------------------------------------
# NPNRU
# --------------------------------------------------------------------------------------------


def _interet(valeurs: pd.Series) -> pd.Series:
    """`national` / `regional` d'après le libellé (`Intérêt national`, `PRIN`, `régional`, `PRIR`…), <NA> sinon."""
    cle = valeurs.map(lambda v: cle_champ(v) if isinstance(v, str) else "")
    national = cle.str.contains(r"national|prin|^nat$|^n$|^in$", regex=True) & ~cle.str.contains("regional")
    regional = cle.str.contains(r"regional|prir|^reg$|^r$|^ir$", regex=True)
    return pd.Series(np.select([national, regional], ["national", "regional"], ""), index=valeurs.index,
                     dtype="str").replace("", pd.NA)  # fmt: skip


def lire_npnru(contenu: bytes, nom_fichier: str) -> pd.DataFrame:
    """Lit la liste des quartiers du NPNRU (CSV `;` ou `,`, ou XLSX).

    Colonnes reconnues (casse, accents et séparateurs indifférents) : code du quartier
    (`code_qpv`, `code_qp`, `code_quartier`), nom (`nom`, `nom_quartier`, `lib_qp`), intérêt
    (`interet`, `type`, `classement` : `national`/`régional`, `Intérêt national`, `PRIN`/`PRIR`),
    commune (`commune`, `insee_com`, `code_insee`, facultative), `source` (facultative).

    Returns
    -------
    pandas.DataFrame
        Colonnes `ligne` (ligne du tableur, en-tête = 1), `code_qpv`, `nom`, `interet`
        (`national` ou `regional`), `commune` (code INSEE ou <NA>), `source`.

    Raises
    ------
    ErreurLecture
        Fichier illisible, colonne de code ou d'intérêt absente, code vide ou intérêt illisible
        (le message cite la première ligne fautive et compte les autres) : rien n'est importé.
    """
    tableau = lire_tableau(contenu, nom_fichier=nom_fichier)
    donnees = tableau.donnees
    colonnes = trouver_colonnes(list(donnees.columns), _ALIAS_NPNRU)
    for champ, attendu in (("code", "code_qpv"), ("interet", "interet")):
        if champ not in colonnes:
            raise ErreurLecture(
                Probleme(tableau.libelle, 1, attendu, None,
                         f"colonne obligatoire `{attendu}` absente (colonnes attendues : code_qpv, nom, interet, "
                         f"commune ; colonnes lues : {', '.join(donnees.columns)}).")
            )  # fmt: skip
    code = donnees[colonnes["code"]].str.strip().str.upper()
    interet = _interet(donnees[colonnes["interet"]])
    for masque, colonne, message in (
        (code == "", colonnes["code"], "code de quartier vide"),
        (interet.isna(), colonnes["interet"], "intérêt illisible (attendu : national ou régional, PRIN ou PRIR)"),
    ):
        if masque.any():
            lignes = masque.index[masque.to_numpy()]
            valeur = donnees.at[lignes[0], colonne]
            autres = f" ; même problème aux lignes {', '.join(map(str, lignes[1:11]))}" if len(lignes) > 1 else ""
            cite = f"« {valeur} » : " if valeur else ""
            raise ErreurLecture(Probleme(tableau.libelle, int(lignes[0]), colonne, valeur, f"{cite}{message}{autres}."))
    communes = pd.Series(pd.NA, index=donnees.index, dtype="str")
    if "commune" in colonnes:
        brut = donnees[colonnes["commune"]].str.strip()
        communes = brut.where(~brut.str.fullmatch(r"\d{4}"), "0" + brut).replace("", pd.NA)
    source = donnees[colonnes["source"]] if "source" in colonnes else pd.Series(nom_fichier, index=donnees.index)
    nom = donnees[colonnes["nom"]].str.strip() if "nom" in colonnes else code
    resultat = pd.DataFrame(
        {
            "ligne": donnees.index.to_numpy("int64"),
            "code_qpv": code.to_numpy(),
            "nom": nom.to_numpy(),
            "interet": interet.to_numpy(),
            "commune": communes.to_numpy(),
            "source": source.to_numpy(),
        }
    ).astype({"code_qpv": "str", "nom": "str", "interet": "str", "commune": "str", "source": "str"})
    doublons = resultat.duplicated(["code_qpv", "commune"])
    avertissements = []
    if doublons.any():
        avertissements.append(
            f"{nom_fichier} : {int(doublons.sum())} ligne(s) en double (même quartier, même commune) ignorée(s) : "
            f"lignes {', '.join(map(str, resultat.loc[doublons, 'ligne'].head(10)))}."
        )
    resultat = resultat[~doublons].reset_index(drop=True)
    resultat.attrs["avertissements"] = tuple(avertissements)
    return resultat


def charger_npnru_demo() -> pd.DataFrame:
    """La liste NPNRU ILLUSTRATIVE de `data/demo/npnru_demo.csv` (`source` le dit ; `attrs["demo"]` vaut True)."""
    liste = lire_npnru(FICHIER_DEMO_NPNRU.read_bytes(), FICHIER_DEMO_NPNRU.name)
    liste.attrs["demo"] = True
    return liste


# --------------------------------------------------------------------------------------------
# Par commune et par territoire
# --------------------------------------------------------------------------------------------


def _qpv_communes(qpv: pd.DataFrame) -> pd.DataFrame:
    """Table longue (code_qpv, commune, nom_qpv)."""
    longue = qpv[["nom_qpv", "communes"]].explode("communes").dropna(subset=["communes"])
    return pd.DataFrame(
        {"code_qpv": longue.index.to_numpy(), "commune": longue["communes"].to_numpy(), "nom_qpv": longue["nom_qpv"].to_numpy()}
    ).astype("str")  # fmt: skip


def _npnru_communes(qpv: pd.DataFrame, npnru: pd.DataFrame) -> pd.DataFrame:
    """Table longue (code_qpv, commune, nom, interet) : commune du fichier NPNRU, sinon celles du QPV de même code."""
    avec = npnru[npnru["commune"].notna()][["code_qpv", "commune", "nom", "interet"]]
    sans = npnru[npnru["commune"].isna()][["code_qpv", "nom", "interet"]]
    par_qpv = sans.merge(_qpv_communes(qpv)[["code_qpv", "commune"]], on="code_qpv", how="inner")
    return pd.concat([avec, par_qpv[["code_qpv", "commune", "nom", "interet"]]], ignore_index=True).drop_duplicates()


def npnru_non_places(qpv: pd.DataFrame, npnru: pd.DataFrame) -> pd.DataFrame:
    """Quartiers NPNRU sans commune dans le fichier et sans QPV de même code : non comptés, à montrer."""
    places = _npnru_communes(qpv, npnru)["code_qpv"].unique()
    return npnru[~npnru["code_qpv"].isin(places)]


def quartiers_par_commune(qpv: pd.DataFrame, npnru: pd.DataFrame) -> pd.DataFrame:
    """Quartiers de chaque commune qui en a au moins un.

    Parameters
    ----------
    qpv : sortie de `lire_qpv` (index `code_qpv`, colonnes `nom_qpv`, `communes`).
    npnru : sortie de `lire_npnru`.

    Returns
    -------
    pandas.DataFrame
        Index `commune` (code INSEE) ; colonnes `nb_qpv`, `nb_npnru_national`,
        `nb_npnru_regional` (int), `quartiers` (noms des QPV, triés, séparés par « ; »),
        `quartiers_npnru` (noms des quartiers NPNRU avec leur intérêt, ex. « Les Cèdres
        (national) »).
    """
    q = _qpv_communes(qpv)
    n = _npnru_communes(qpv, npnru)
    qpv_commune = q.sort_values("nom_qpv").groupby("commune").agg(
        nb_qpv=("code_qpv", "nunique"), quartiers=("nom_qpv", lambda s: " ; ".join(dict.fromkeys(s)))
    )
    n = n.assign(libelle=n["nom"] + " (" + n["interet"] + ")").sort_values("libelle")
    npnru_commune = n.groupby("commune").agg(
        nb_npnru_national=("interet", lambda s: int((s == "national").sum())),
        nb_npnru_regional=("interet", lambda s: int((s == "regional").sum())),
        quartiers_npnru=("libelle", lambda s: " ; ".join(dict.fromkeys(s))),
    )
    table = qpv_commune.join(npnru_commune, how="outer")
    for colonne in ("nb_qpv", "nb_npnru_national", "nb_npnru_regional"):
        table[colonne] = table[colonne].fillna(0).astype("int64")
    for colonne in ("quartiers", "quartiers_npnru"):
        table[colonne] = table[colonne].fillna("").astype("str")
    table.index.name = "commune"
    return table[["nb_qpv", "nb_npnru_national", "nb_npnru_regional", "quartiers", "quartiers_npnru"]]


def indicateurs_quartiers(
    qpv: pd.DataFrame, npnru: pd.DataFrame, *, referentiel: Referentiel, niveau: NiveauGeo
) -> pd.DataFrame:
    """Nombre de quartiers distincts par territoire (un quartier sur deux communes d'un EPCI y compte une fois).

    Returns
    -------
    pandas.DataFrame
        Index `code` (tous les territoires du niveau) ; colonnes `nb_qpv`, `nb_npnru_national`,
        `nb_npnru_regional`, `nb_npnru` (int).
    """
    if niveau not in ("commune", "epci", "ept", "departement", "region"):
        raise ValueError(f"niveau « {niveau} » inconnu (attendu : commune, epci, ept, departement ou region).")

    def territoire(communes: pd.Series) -> pd.Series:
        return communes if niveau == "commune" else communes.map(referentiel.communes[niveau])

    q = _qpv_communes(qpv)
    q = q.assign(code=territoire(q["commune"])).dropna(subset=["code"])
    n = _npnru_communes(qpv, npnru)
    n = n.assign(code=territoire(n["commune"])).dropna(subset=["code"])
    table = pd.DataFrame(
        {
            "nb_qpv": q.groupby("code")["code_qpv"].nunique(),
            "nb_npnru_national": n[n["interet"] == "national"].groupby("code")["code_qpv"].nunique(),
            "nb_npnru_regional": n[n["interet"] == "regional"].groupby("code")["code_qpv"].nunique(),
        }
    )
    table = table.reindex(referentiel.table(niveau).index).fillna(0).astype("int64")
    table["nb_npnru"] = table["nb_npnru_national"] + table["nb_npnru_regional"]
    table.index.name = "code"
    return table
