"""Exports sûrs : CSV « à la française », classeur XLSX, GeoPackage.

Règle commune, contre l'injection de formules (CSV/formula injection) : une cellule de texte qui
commence par `=`, `+`, `-`, `@`, une tabulation ou un retour chariot reçoit une apostrophe en tête
(`'=SOMME(A1)`), pour qu'aucun tableur ne l'exécute. Seules les cellules de texte sont échappées :
un vrai nombre négatif reste un nombre. À la relecture (`coverage.sources.lecture.lire_tableau`),
l'apostrophe d'une cellule ainsi échappée est retirée, si bien qu'un export se réimporte à
l'identique.

Les booléens sont écrits `oui`/`non` et les dates `jj/mm/aaaa` (CSV) ou en cellules date au format
`JJ/MM/AAAA` (XLSX), pour que les fichiers exportés se relisent comme des fichiers d'échange.

Un export fait sur les données fictives de démonstration (`donnees_fictives=True`) le dit dans le
fichier même, qui peut circuler loin de l'application : une première colonne `avertissement` (CSV,
GeoPackage) ou une première feuille `avertissement` (XLSX) porte `MENTION_FICTIVE`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "CARACTERES_FORMULE",
    "CRS_ACCEPTES",
    "MENTION_FICTIVE",
    "echapper_formule",
    "echapper_formules",
    "exporter_csv",
    "exporter_geopackage",
    "exporter_xlsx",
]

CARACTERES_FORMULE = ("=", "+", "-", "@", "\t", "\r")
"""Premiers caractères qui font d'une cellule de texte une formule pour un tableur."""
CRS_ACCEPTES = (4326, 2154)
"""EPSG acceptés pour un GeoPackage : WGS 84 (lon/lat) et Lambert-93."""
LARGEUR_MAX_COLONNE = 60
COLONNE_AVERTISSEMENT = "avertissement"
MENTION_FICTIVE = (
    "Données fictives de démonstration : structures, périmètres, ETP, dossiers et montants sont inventés "
    "(seule la géographie est réelle). Ne pas diffuser comme un état du réseau."
)
"""Texte porté par tout export fait pendant que les données de démonstration sont actives."""


def _marquer_fictif(table: pd.DataFrame) -> pd.DataFrame:
    """La table précédée d'une colonne `avertissement` qui dit que les données sont fictives."""
    table = _avec_index(table)
    marquee = table.copy()
    marquee.insert(0, COLONNE_AVERTISSEMENT, MENTION_FICTIVE, allow_duplicates=COLONNE_AVERTISSEMENT in table.columns)
    return marquee


def echapper_formule(valeur: object) -> object:
    """`"=1+1"` → `"'=1+1"` ; toute autre valeur (nombre compris) est rendue telle quelle.

    Examples
    --------
    >>> echapper_formule("-2"), echapper_formule(-2)
    ("'-2", -2)
    """
    if isinstance(valeur, str) and valeur.startswith(CARACTERES_FORMULE):
        return "'" + valeur
    return valeur


def _echapper_serie(serie: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(serie.dtype) and not pd.api.types.is_object_dtype(serie.dtype):
        dangereuse = serie.str.startswith(CARACTERES_FORMULE).fillna(False).astype(bool)
        return serie.where(~dangereuse, "'" + serie)
    if isinstance(serie.dtype, pd.CategoricalDtype):
        return _echapper_serie(serie.astype("object"))
    if pd.api.types.is_object_dtype(serie.dtype):
        return serie.map(echapper_formule)  # colonne mixte : seules les chaînes sont échappées
    return serie


def echapper_formules(table: pd.DataFrame) -> pd.DataFrame:
    """Copie de `table` dont les cellules de texte (et les noms de colonnes) sont échappées."""
    echappee = table.apply(_echapper_serie) if len(table.columns) else table.copy()
    echappee.columns = [echapper_formule(str(c)) for c in table.columns]
    return echappee


def _avec_index(table: pd.DataFrame) -> pd.DataFrame:
    """L'index est exporté s'il est nommé (ex. `code`), ignoré s'il est anonyme."""
    if any(n is not None for n in table.index.names):
        return table.reset_index()
    return table


def _ecrire_dates_csv(serie: pd.Series) -> pd.Series:
    serie = serie.dt.tz_localize(None) if serie.dt.tz is not None else serie
    a_heure = (serie.dropna() != serie.dropna().dt.normalize()).any()
    return serie.dt.strftime("%d/%m/%Y %H:%M" if a_heure else "%d/%m/%Y").fillna("")


def exporter_csv(table: pd.DataFrame, *, donnees_fictives: bool = False) -> bytes:
    """CSV pour tableur français : séparateur `;`, UTF-8 avec BOM, virgule décimale, fins de ligne CRLF.

    Les booléens sont écrits `oui`/`non`, les dates `jj/mm/aaaa`, les valeurs manquantes vides ;
    les cellules de texte qui seraient prises pour des formules sont échappées (voir le module).
    Les nombres gardent leur précision (pas de séparateur de milliers) : `1234,5`.

    Parameters
    ----------
    table : la table ; son index est exporté en première colonne s'il est nommé.
    donnees_fictives : True pendant la démonstration : une première colonne `avertissement`
        porte `MENTION_FICTIVE` sur chaque ligne.

    Returns
    -------
    bytes

    Examples
    --------
    >>> exporter_csv(pd.DataFrame({"nom": ["=1+1"], "etp": [1.5]}))
    b"\\xef\\xbb\\xbfnom;etp\\r\\n'=1+1;1,5\\r\\n"
    """
    table = _marquer_fictif(table) if donnees_fictives else _avec_index(table)
    colonnes = {}
    for nom, serie in table.items():
        if pd.api.types.is_bool_dtype(serie.dtype):
            serie = serie.map({True: "oui", False: "non"}).astype("object")
        elif pd.api.types.is_datetime64_any_dtype(serie.dtype):
            serie = _ecrire_dates_csv(serie)
        elif pd.api.types.is_object_dtype(serie.dtype):
            serie = serie.map(_valeur_csv)
        colonnes[nom] = serie
    prete = echapper_formules(pd.DataFrame(colonnes, index=table.index))
    texte = prete.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return texte.encode("utf-8-sig")


def _valeur_csv(valeur: object) -> object:
    if isinstance(valeur, bool | np.bool_):
        return "oui" if valeur else "non"
    if isinstance(valeur, dt.datetime | dt.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, float | np.floating) and np.isfinite(valeur):
        return np.format_float_positional(float(valeur), trim="-").replace(".", ",")
    return valeur


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def _nom_feuille(nom: str, pris: set[str]) -> str:
    propre = re.sub(r"[\[\]:*?/\\]", "_", str(nom)).strip("'") or "table"
    propre = propre[:31]
    candidat, n = propre, 2
    while candidat.lower() in pris:
        suffixe = f" ({n})"
        candidat, n = propre[: 31 - len(suffixe)] + suffixe, n + 1
    pris.add(candidat.lower())
    return candidat


def _valeurs_xlsx(serie: pd.Series) -> tuple[list[object], str | None]:
    """Valeurs Python d'une colonne pour openpyxl, et le format de nombre de ses cellules."""
    if pd.api.types.is_bool_dtype(serie.dtype):
        return serie.map({True: "oui", False: "non"}).astype("object").where(serie.notna(), None).tolist(), None
    if pd.api.types.is_datetime64_any_dtype(serie.dtype):
        serie = serie.dt.tz_localize(None) if serie.dt.tz is not None else serie
        a_heure = (serie.dropna() != serie.dropna().dt.normalize()).any()
        valeurs = [None if pd.isna(v) else v.to_pydatetime() for v in serie]
        return valeurs, ("DD/MM/YYYY HH:MM" if a_heure else "DD/MM/YYYY")
    if pd.api.types.is_numeric_dtype(serie.dtype):
        valeurs = serie.astype("object").where(serie.notna(), None).tolist()
        return [v.item() if isinstance(v, np.generic) else v for v in valeurs], None
    echappee = _echapper_serie(serie)
    valeurs = []
    for v in echappee.astype("object").tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            valeurs.append(None)
        elif isinstance(v, np.generic):
            valeurs.append(v.item())
        elif isinstance(v, pd.Timestamp):
            valeurs.append(v.tz_localize(None).to_pydatetime() if v.tz is not None else v.to_pydatetime())
        elif isinstance(v, str | int | float | dt.date | dt.datetime | bool):
            valeurs.append(v)
        else:
            valeurs.append(str(v))
    texte = pd.api.types.is_string_dtype(serie.dtype) and all(isinstance(v, str | None) for v in valeurs)
    return valeurs, ("@" if texte else None)


def exporter_xlsx(tables: dict[str, pd.DataFrame], *, donnees_fictives: bool = False) -> bytes:
    """Classeur XLSX : une feuille par table, en-tête en gras et figé, filtres, largeurs de colonnes.

    Les nombres restent des nombres (le tableur les affiche selon sa langue : `1,5` en
    français), les textes sont des cellules texte (et leurs colonnes ont le format Texte : un
    code saisi ensuite garde ses zéros), les booléens `oui`/`non`, les dates des cellules date au
    format `JJ/MM/AAAA` ; les cellules de texte qui seraient prises pour des formules reçoivent
    une apostrophe en tête. Écrit en mode « write-only » d'openpyxl (une ligne à la fois).

    Parameters
    ----------
    tables : nom de feuille → table (noms tronqués à 31 caractères, caractères `[]:*?/\\`
        remplacés, doublons numérotés) ; l'index d'une table est exporté s'il est nommé.
    donnees_fictives : True pendant la démonstration : une première feuille `avertissement`
        porte `MENTION_FICTIVE` (les autres feuilles sont inchangées et se relisent à l'identique).

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    classeur = Workbook(write_only=True)
    pris: set[str] = set()
    gras = Font(bold=True)
    if donnees_fictives:
        avertissement = classeur.create_sheet(_nom_feuille(COLONNE_AVERTISSEMENT, pris))
        avertissement.column_dimensions["A"].width = LARGEUR_MAX_COLONNE * 2
        cellule = WriteOnlyCell(avertissement, value=MENTION_FICTIVE)
        cellule.font = gras
        avertissement.append([cellule])
    for nom, table in tables.items():
        ws = classeur.create_sheet(_nom_feuille(nom, pris))
        table = _avec_index(table)
        entetes = [echapper_formule(str(c)) for c in table.columns]
        colonnes = [_valeurs_xlsx(table.iloc[:, j]) for j in range(table.shape[1])]
        for j, (entete, (valeurs, format_nombre)) in enumerate(zip(entetes, colonnes, strict=True), start=1):
            dimension = ws.column_dimensions[get_column_letter(j)]
            echantillon = [_largeur_affichee(v) for v in valeurs[:1000]]
            dimension.width = min(max([len(str(entete)), *echantillon]) + 2, LARGEUR_MAX_COLONNE)
            if format_nombre == "@":
                dimension.number_format = "@"  # style de colonne : les saisies futures restent du texte
        ws.freeze_panes = "A2"
        if table.shape[1]:
            ws.auto_filter.ref = f"A1:{get_column_letter(table.shape[1])}{len(table) + 1}"
        en_tete = []
        for entete in entetes:
            cellule = WriteOnlyCell(ws, value=entete)
            cellule.font = gras
            en_tete.append(cellule)
        ws.append(en_tete)
        a_formater = [
            (j, fmt) for j, (_, fmt) in enumerate(colonnes) if fmt is not None and fmt != "@"
        ]  # dates : format par cellule ; textes : une chaîne s'écrit telle quelle
        for rangee in zip(*(valeurs for valeurs, _ in colonnes), strict=True):
            if a_formater:
                rangee = list(rangee)
                for j, fmt in a_formater:
                    if rangee[j] is not None:
                        cellule = WriteOnlyCell(ws, value=rangee[j])
                        cellule.number_format = fmt
                        rangee[j] = cellule
            ws.append(rangee)
    if not classeur.sheetnames:
        classeur.create_sheet("vide")
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _largeur_affichee(valeur: object) -> int:
    if valeur is None:
        return 0
    if isinstance(valeur, dt.datetime | dt.date):
        return 10
    if isinstance(valeur, float):
        return len(f"{valeur:.6g}")
    return max((len(partie) for partie in str(valeur).splitlines()), default=0)


# --------------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------------


def exporter_geopackage(gdf: gpd.GeoDataFrame, *, couche: str, donnees_fictives: bool = False) -> bytes:
    """GeoPackage d'une couche (lisible par QGIS), via pyogrio.

    Parameters
    ----------
    gdf : la couche ; son CRS doit être EPSG:4326 (lon/lat) ou EPSG:2154 (Lambert-93), il est
        conservé tel quel. L'index est exporté en colonne s'il est nommé (ex. `code`).
    couche : nom de la couche dans le GeoPackage.
    donnees_fictives : True pendant la démonstration : un premier attribut `avertissement` porte
        `MENTION_FICTIVE` sur chaque objet.

    Returns
    -------
    bytes
        Le fichier `.gpkg`.

    Raises
    ------
    ValueError
        CRS absent ou autre que EPSG:4326 / EPSG:2154 ; nom de couche vide.
    """
    if not couche or not couche.strip():
        raise ValueError("exporter_geopackage : le nom de couche `couche` est vide.")
    if gdf.crs is None:
        raise ValueError("exporter_geopackage : la couche n'a pas de CRS (attendu : EPSG:4326 ou EPSG:2154).")
    epsg = gdf.crs.to_epsg()
    if epsg not in CRS_ACCEPTES:
        raise ValueError(
            f"exporter_geopackage : CRS {gdf.crs.to_string()} non accepté (attendu : EPSG:4326 ou EPSG:2154)."
        )
    gdf = gpd.GeoDataFrame(_marquer_fictif(gdf), geometry=gdf.geometry.name, crs=gdf.crs) if donnees_fictives else _avec_index(gdf)
    geometrie = gdf.geometry.name
    attributs = [c for c in gdf.columns if c != geometrie]
    sortie = gdf.copy()
    for c in attributs:
        sortie[c] = _echapper_serie(gdf[c])
    with tempfile.TemporaryDirectory(prefix="export_gpkg_") as dossier:
        chemin = Path(dossier) / "export.gpkg"
        sortie.to_file(chemin, layer=couche, driver="GPKG", engine="pyogrio")
        return chemin.read_bytes()
