"""Lecture des fichiers d'échange de l'utilisateur (CSV ou XLSX) et des valeurs « à la française ».

Deux étages, sans aucune interprétation métier :

1. `lire_tableau` transforme les octets d'un fichier déposé en `TableauBrut` : toutes les cellules
   en chaînes (aucune inférence de type : `01001` garde son zéro initial, une cellule XLSX
   numérique `1001` revient `"1001"` et non `"1001.0"`), en-têtes normalisés, numéro de ligne du
   tableur conservé pour chaque ligne (en-tête = ligne 1).
2. Les convertisseurs (`convertir_nombres`, `convertir_booleens`, `convertir_dates`,
   `convertir_annees`) lisent les valeurs telles que les écrit un tableur français : virgule
   décimale `1,5`, espaces entre milliers `29 473`, `29 473,50 €`, `oui`/`non`, `jj/mm/aaaa`, listes
   d'années `2022,2023,2024`. Ils travaillent sur des colonnes entières (vectorisés) et signalent
   les cellules illisibles sans lever d'exception : la validation (`coverage.sources.validation`) en fait
   des messages ligne par ligne. Les variantes scalaires (`nombre_fr`, `booleen_fr`, `date_fr`,
   `annees_fr`) servent aux saisies isolées.

Les problèmes qui empêchent de lire le fichier (fichier vide, illisible, extension inconnue,
colonne obligatoire absente) lèvent `ErreurLecture`, dont le message est une phrase en français.
"""

from __future__ import annotations

import datetime as dt
import functools
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

import numpy as np
import pandas as pd

from coverage.modele import Schema
from coverage.sources.lecture_csv import lire_csv
from coverage.sources.lecture_xlsx import lire_xlsx
from coverage.sources.limites import LIMITES, Limites, verifier_taille
from coverage.sources.problemes import ErreurLecture, Probleme, erreur_fichier

__all__ = [
    "Conversion",
    "ErreurLecture",
    "Probleme",
    "TableauBrut",
    "annees_fr",
    "booleen_fr",
    "colonnes_manquantes",
    "convertir_annees",
    "convertir_booleens",
    "convertir_dates",
    "convertir_nombres",
    "date_fr",
    "lire_fichier",
    "lire_tableau",
    "nombre_fr",
    "normaliser_entete",
]

EXTENSIONS_CSV = (".csv", ".txt", ".tsv")
EXTENSIONS_XLSX = (".xlsx", ".xlsm")
FORMULE_ECHAPPEE = re.compile(r"^'[=+\-@\t\r]")
"""Cellule échappée à l'export (`'=…`) : l'apostrophe est retirée à la relecture."""


# --------------------------------------------------------------------------------------------
# Tableau brut
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TableauBrut:
    """Le contenu d'un fichier déposé, cellules en chaînes, avant toute validation.

    Attributes
    ----------
    nom_fichier : nom du fichier déposé (`structures.csv`).
    donnees : une colonne par en-tête (noms normalisés : `normaliser_entete`), valeurs `str`
        (chaîne vide pour une cellule vide, espaces de début et de fin retirés) ; l'index `ligne`
        est le numéro de ligne dans le tableur (en-tête = 1). Les lignes entièrement vides sont
        ignorées (leur numéro n'est pas réattribué).
    format : `csv` ou `xlsx`.
    encodage : encodage détecté (`utf-8-sig`, `utf-8`, `cp1252`, `utf-16`) pour un CSV.
    separateur : séparateur détecté (`;`, `,`, tabulation) pour un CSV.
    feuille : feuille lue pour un classeur XLSX.
    nb_feuilles : nombre de feuilles du classeur (1 pour un CSV).
    erreurs : problèmes de structure trouvés ligne par ligne à la lecture (plus de valeurs que
        d'en-têtes, formule sans valeur calculée), repris comme erreurs par la validation.
    avertissements : problèmes de lecture qui n'empêchent pas l'import (texte qui n'est pas de
        l'UTF-8 valide, lu en Windows-1252), repris comme avertissements par la validation.
    """

    nom_fichier: str
    donnees: pd.DataFrame
    format: Literal["csv", "xlsx"]
    encodage: str | None = None
    separateur: str | None = None
    feuille: str | None = None
    nb_feuilles: int = 1
    erreurs: tuple[Probleme, ...] = ()
    avertissements: tuple[Probleme, ...] = ()

    @property
    def colonnes(self) -> tuple[str, ...]:
        """Noms de colonnes normalisés, dans l'ordre du fichier."""
        return tuple(self.donnees.columns)

    @property
    def libelle(self) -> str:
        """Nom à citer dans les messages : le fichier, et la feuille si le classeur en a plusieurs."""
        if self.feuille is not None and self.nb_feuilles > 1:
            return f"{self.nom_fichier} (feuille {self.feuille})"
        return self.nom_fichier

    def __len__(self) -> int:
        return len(self.donnees)


def normaliser_entete(nom: object) -> str:
    """Normalise un nom de colonne : BOM retiré, espaces de bord retirés, minuscules, accents gardés.

    Examples
    --------
    >>> normaliser_entete("\\ufeff  ID_Structure ")
    'id_structure'
    """
    if nom is None:
        return ""
    texte = str(nom).replace("\ufeff", "")
    return unicodedata.normalize("NFC", texte).strip().lower()


def lire_fichier(chemin: str | Path, *, schema: Schema | None = None, feuille: str | None = None) -> TableauBrut:
    """Lit un fichier sur disque (ligne de commande, tests) : voir `lire_tableau`."""
    chemin = Path(chemin)
    return lire_tableau(chemin.read_bytes(), nom_fichier=chemin.name, schema=schema, feuille=feuille)


def lire_tableau(
    contenu: bytes,
    *,
    nom_fichier: str,
    schema: Schema | None = None,
    feuille: str | None = None,
    limites: Limites = LIMITES,
) -> TableauBrut:
    """Lit un fichier d'échange CSV ou XLSX, toutes cellules en chaînes.

    Parameters
    ----------
    contenu : octets du fichier tel que déposé.
    nom_fichier : nom du fichier ; son extension choisit le lecteur (`.csv`, `.txt`, `.tsv` ;
        `.xlsx`, `.xlsm`) et il est cité dans les messages.
    schema : si donné, les colonnes obligatoires du schéma doivent être présentes (sinon
        `ErreurLecture` les nomme et liste les colonnes attendues), et dans un classeur, la
        feuille nommée comme la table (`structures`, `perimetres`, `dossiers`) est préférée à la
        première.
    feuille : nom de la feuille à lire dans un classeur (prioritaire sur `schema`).
    limites : tailles acceptées (`coverage.sources.limites.Limites`) : octets du fichier et du
        classeur décompressé, lignes, colonnes, caractères d'une cellule.

    CSV : séparateur `;`, `,` ou tabulation (détecté sur la ligne d'en-tête, ou donné par une
    première ligne `sep=;` d'Excel), encodage UTF-8 avec ou sans BOM, UTF-16 avec BOM, sinon
    Windows-1252. XLSX : la feuille choisie ci-dessus ; les
    nombres entiers reviennent sans décimale (`1001`), les autres avec une virgule décimale
    (`1,5`), une cellule au format `00000` garde ses zéros (`01001`), les dates en ISO
    (`2025-07-01`), les booléens `oui`/`non`.

    Returns
    -------
    TableauBrut

    Raises
    ------
    ErreurLecture
        Fichier vide, illisible, trop volumineux, extension inconnue, colonne en double ou colonne
        obligatoire absente, guillemet jamais fermé, XML de feuille mal formé.

    Examples
    --------
    >>> t = lire_tableau("code;nom\\n01001;L'Abergement\\n".encode(), nom_fichier="c.csv")
    >>> t.donnees.loc[2, "code"]
    '01001'
    """
    extension = PurePath(nom_fichier).suffix.lower()
    if not contenu or not contenu.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise erreur_fichier(nom_fichier, "le fichier est vide.")
    verifier_taille(contenu, nom_fichier, maximum=limites.octets_tableau, conseil="découpez-le par département ou par région.")
    if extension in EXTENSIONS_CSV:
        lignes, encodage, separateur, avertissements = lire_csv(contenu, nom_fichier, limites=limites)
        tableau = _construire(lignes, nom_fichier=nom_fichier, format="csv", encodage=encodage, separateur=separateur,
                              avertissements=avertissements)  # fmt: skip
    elif extension in EXTENSIONS_XLSX:
        lignes, nom_feuille, nb_feuilles, formules = lire_xlsx(
            contenu, nom_fichier, schema=schema, feuille=feuille, limites=limites
        )
        tableau = _construire(
            lignes, nom_fichier=nom_fichier, format="xlsx", feuille=nom_feuille, nb_feuilles=nb_feuilles, formules=formules
        )
    elif extension == ".xls":
        raise erreur_fichier(
            nom_fichier,
            "le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le classeur au "
            "format .xlsx ou .csv.",
        )
    else:
        raise erreur_fichier(
            nom_fichier,
            f"extension « {extension or '(aucune)'} » non reconnue (formats acceptés : .csv, .txt, .tsv, "
            ".xlsx, .xlsm).",
        )
    if schema is not None:
        manquantes = colonnes_manquantes(tableau, schema)
        if manquantes:
            raise ErreurLecture(*manquantes)
    return tableau


def colonnes_manquantes(tableau: TableauBrut, schema: Schema) -> list[Probleme]:
    """Un problème par colonne obligatoire du schéma absente du tableau (ligne 1, l'en-tête).

    Le message nomme la colonne, liste les colonnes attendues et, si une colonne présente lui
    ressemble (`etp facilitateur`), la propose.
    """
    presentes = set(tableau.colonnes)
    inconnues = [c for c in tableau.colonnes if c not in set(schema.noms)]
    problemes = []
    for col in schema.colonnes:
        if not col.obligatoire or col.nom in presentes:
            continue
        message = (
            f"colonne obligatoire `{col.nom}` absente (colonnes attendues : {', '.join(schema.noms)})."
        )
        proche = difflib.get_close_matches(col.nom, inconnues, n=1, cutoff=0.6)
        if proche:
            message = message[:-1] + f" ; la colonne `{proche[0]}` serait-elle `{col.nom}` ?"
        problemes.append(Probleme(tableau.libelle, 1, col.nom, None, message))
    return problemes


# --------------------------------------------------------------------------------------------
# Construction commune
# --------------------------------------------------------------------------------------------


def _nettoyer(cellule: object) -> str:
    texte = "" if cellule is None else str(cellule).strip()
    if FORMULE_ECHAPPEE.match(texte):
        texte = texte[1:]
    return texte


def _construire(
    lignes: list[list[object]],
    *,
    nom_fichier: str,
    format: Literal["csv", "xlsx"],
    encodage: str | None = None,
    separateur: str | None = None,
    feuille: str | None = None,
    nb_feuilles: int = 1,
    formules: list[tuple[int, int, str]] = (),
    avertissements: list[Probleme] = (),
) -> TableauBrut:
    libelle = f"{nom_fichier} (feuille {feuille})" if feuille is not None and nb_feuilles > 1 else nom_fichier
    if not lignes or not any(_nettoyer(c) for c in lignes[0]):
        if not any(any(_nettoyer(c) for c in rangee) for rangee in lignes):
            raise erreur_fichier(libelle, "le fichier est vide.")
        raise erreur_fichier(libelle, "la ligne 1 doit contenir les noms de colonnes ; elle est vide.")
    entete = [normaliser_entete(c) for c in lignes[0]]
    while entete and entete[-1] == "":
        entete.pop()
    vus: dict[str, int] = {}
    for i, nom in enumerate(entete):
        if nom and nom in vus:
            raise erreur_fichier(
                libelle,
                f"la colonne `{nom}` figure deux fois dans l'en-tête (colonnes {vus[nom] + 1} et {i + 1}).",
            )
        vus[nom] = i
    largeur = len(entete)
    erreurs: list[Probleme] = []
    cellules: list[list[str]] = []
    numeros: list[int] = []
    for numero, rangee in enumerate(lignes[1:], start=2):
        valeurs = [_nettoyer(c) for c in rangee]
        if not any(valeurs):
            continue  # ligne vide (y compris les lignes vides finales)
        surplus = valeurs[largeur:]
        if any(surplus):
            erreurs.append(
                Probleme(
                    libelle,
                    numero,
                    None,
                    None,
                    f"{largeur + max(i for i, v in enumerate(surplus) if v) + 1} valeurs pour {largeur} "
                    "colonnes d'en-tête (séparateur ou guillemets mal placés ?).",
                )
            )
        valeurs = (valeurs + [""] * largeur)[:largeur]
        cellules.append(valeurs)
        numeros.append(numero)
    for ligne, j, formule in formules:
        colonne = entete[j] if j < largeur and entete[j] else None
        erreurs.append(Probleme(libelle, ligne, colonne, formule, (
            f"formule « {formule} » sans valeur calculée{'' if colonne else f' (colonne n° {j + 1})'} : le classeur a "
            "été enregistré sans recalcul ; ouvrez-le dans le tableur, puis enregistrez-le (ou collez les valeurs)."
        )))  # fmt: skip
    gardees = [i for i, nom in enumerate(entete) if nom]  # colonne sans en-tête : ignorée
    donnees = pd.DataFrame(
        [[rangee[i] for i in gardees] for rangee in cellules],
        columns=[entete[i] for i in gardees],
        index=pd.Index(numeros, name="ligne", dtype="int64"),
        dtype="str",
    )
    return TableauBrut(
        nom_fichier=nom_fichier,
        donnees=donnees,
        format=format,
        encodage=encodage,
        separateur=separateur,
        feuille=feuille,
        nb_feuilles=nb_feuilles,
        erreurs=tuple(erreurs),
        avertissements=tuple(avertissements),
    )


# --------------------------------------------------------------------------------------------
# Valeurs à la française (vectorisé)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Conversion:
    """Résultat d'une conversion de colonne.

    Attributes
    ----------
    valeurs : valeurs typées (NaN, NaT ou <NA> pour une cellule vide ou illisible), même index.
    vides : cellules vides.
    invalides : cellules non vides qui n'ont pas pu être lues.
    """

    valeurs: pd.Series
    vides: pd.Series
    invalides: pd.Series


_ESPACES = " \u00a0\u202f\u2009"
_RE_NOMBRE = (
    r"[+\-\u2212]?"
    rf"(?:\d{{1,3}}(?:[{_ESPACES}]\d{{3}})+|\d+)?"  # milliers séparés par des espaces
    r"(?:[.,]\d+)?"  # virgule (ou point) décimale
    r"(?:[eE][+\-]?\d+)?"
)
_RE_SUFFIXE = r"\s*(?:€|eur|euros?|%)$"


@functools.cache
def _chiffres_unicode() -> dict[int, str]:
    """Chiffres décimaux de toutes les écritures (arabes-indiens `١`, devanagari `१`…) → chiffres ASCII ;
    construite au premier texte non ASCII lu dans une colonne de nombres ou de dates."""
    return {ord(c): str(unicodedata.digit(c)) for c in map(chr, range(0x80, 0x110000)) if unicodedata.category(c) == "Nd"}


def _textes(valeurs: pd.Series | list | tuple) -> pd.Series:
    s = pd.Series(valeurs) if not isinstance(valeurs, pd.Series) else valeurs
    return s.astype("str").where(s.notna(), "").str.strip()


def _ascii(s: pd.Series) -> pd.Series:
    """Formes de pleine chasse ramenées à l'ASCII (NFKC : `１，５` → `1,5`) et chiffres de toute écriture
    lus comme les chiffres qu'ils sont (`١٢` → `12`), calculé sur les valeurs distinctes non ASCII."""
    autres = s[~s.str.isascii()]
    if autres.empty:
        return s
    table = {v: unicodedata.normalize("NFKC", v).translate(_chiffres_unicode()) for v in pd.unique(autres)}
    return s.where(s.str.isascii(), s.map(table))


def convertir_nombres(valeurs: pd.Series) -> Conversion:
    """Lit des nombres écrits à la française.

    Acceptés : `1,5` et `1.5`, `29 473` (espace, espace insécable U+00A0 ou fine U+202F entre
    milliers), `29 473,50 €`, `-2`, `58,9 %` (divisé par 100 : 0,589). La virgule est toujours
    décimale : `1,234` vaut 1,234. Les chiffres d'autres écritures (`１,５`, `١`) sont lus comme
    les chiffres qu'ils sont ; un nombre infini ou trop grand pour un float (`1e309`) est illisible.

    Returns
    -------
    Conversion
        `valeurs` en float64 (NaN si vide ou illisible).

    Examples
    --------
    >>> convertir_nombres(pd.Series(["29 473,50 €", "1,5", "x", ""])).valeurs.tolist()
    [29473.5, 1.5, nan, nan]
    """
    s = _ascii(_textes(valeurs))
    vides = s == ""
    pourcent = s.str.endswith("%")
    t = s.str.replace(_RE_SUFFIXE, "", regex=True, case=False).str.strip()
    lisibles = t.str.fullmatch(_RE_NOMBRE) & t.str.contains(r"\d", regex=True)
    normalise = (
        t.str.replace(f"[{_ESPACES}]", "", regex=True).str.replace(",", ".", regex=False).str.replace("\u2212", "-")
    )
    nombres = pd.to_numeric(normalise.where(lisibles), errors="coerce").astype("float64")
    nombres = nombres.where(~pourcent, nombres / 100)
    # Jamais de NaN silencieux ni d'infini : `1e309` ou un texte que le motif laisse passer est illisible.
    finis = pd.Series(np.isfinite(nombres.to_numpy()), index=nombres.index)
    return Conversion(nombres.where(finis), vides, ~vides & ~(lisibles.astype(bool) & finis))


VRAI = ("oui", "o", "1", "vrai", "true")
FAUX = ("non", "n", "0", "faux", "false")


def convertir_booleens(valeurs: pd.Series) -> Conversion:
    """Lit des booléens : `oui`/`non`, `o`/`n`, `1`/`0`, `vrai`/`faux`, `true`/`false` (casse libre).

    Returns
    -------
    Conversion
        `valeurs` en dtype `boolean` (<NA> si vide ou illisible).
    """
    s = _textes(valeurs).str.lower()
    correspondance = {**dict.fromkeys(VRAI, True), **dict.fromkeys(FAUX, False)}
    booleens = s.map(correspondance).astype("boolean")
    vides = s == ""
    return Conversion(booleens, vides, ~vides & booleens.isna())


_RE_DATE_FR = r"\d{1,2}/\d{1,2}/\d{4}"
_RE_DATE_ISO = r"\d{4}-\d{2}-\d{2}(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?"
"""Date ISO, heure éventuelle valide (`2025-07-01T25:99` est refusée)."""


def convertir_dates(valeurs: pd.Series) -> Conversion:
    """Lit des dates `jj/mm/aaaa` (ou `j/m/aaaa`) ou ISO `aaaa-mm-jj` (heure éventuelle ignorée).

    Les cellules date d'un classeur XLSX arrivent en ISO (voir `lire_tableau`). Une date
    impossible (`31/02/2025`) est illisible.

    Returns
    -------
    Conversion
        `valeurs` en datetime64[ns] à minuit (NaT si vide ou illisible).
    """
    s = _ascii(_textes(valeurs))
    vides = s == ""
    fr = s.str.fullmatch(_RE_DATE_FR)
    iso = s.str.fullmatch(_RE_DATE_ISO)
    d_fr = pd.to_datetime(s.where(fr), format="%d/%m/%Y", errors="coerce")
    d_iso = pd.to_datetime(s.str.slice(0, 10).where(iso), format="%Y-%m-%d", errors="coerce")
    dates = d_fr.where(fr, d_iso).astype("datetime64[ns]")
    return Conversion(dates, vides, ~vides & dates.isna())


ANNEE_MIN, ANNEE_MAX = 2000, 2100


def convertir_annees(valeurs: pd.Series) -> Conversion:
    """Lit des listes d'années : `2022,2023,2024`, `2022;2023`, `2022 2023` dans une cellule.

    Returns
    -------
    Conversion
        `valeurs` en chaînes normalisées, années triées sans doublon séparées par des virgules
        (`"2022,2023,2024"`, `""` si vide ou illisible). Une année doit avoir 4 chiffres, entre
        2000 et 2100.
    """
    s = _ascii(_textes(valeurs))
    vides = s == ""
    positions = pd.Series(s.to_numpy(), index=pd.RangeIndex(len(s)))
    jetons = positions[positions != ""].str.split(r"[\s,;/]+", regex=True).explode()
    jetons = jetons[jetons.notna() & (jetons != "")]
    annees = pd.to_numeric(jetons.where(jetons.str.fullmatch(r"\d{4}")), errors="coerce")
    jeton_ok = annees.between(ANNEE_MIN, ANNEE_MAX)
    ligne_ok = jeton_ok.groupby(level=0).all().reindex(positions.index, fill_value=False)
    valides = annees[jeton_ok & ligne_ok.reindex(annees.index).to_numpy()].astype("int64")
    triees = (
        valides.rename("annee")
        .rename_axis("pos")
        .reset_index()
        .drop_duplicates()
        .sort_values(["pos", "annee"])
    )
    listes = triees.assign(annee=triees["annee"].astype("str")).groupby("pos")["annee"].agg(",".join)
    normalisees = listes.reindex(positions.index, fill_value="").astype("str")
    normalisees.index = s.index
    invalides = pd.Series(~vides.to_numpy() & ~ligne_ok.to_numpy(), index=s.index)
    return Conversion(normalisees, vides, invalides)


# --------------------------------------------------------------------------------------------
# Variantes scalaires
# --------------------------------------------------------------------------------------------


def _scalaire(conversion: Conversion, texte: object, attendu: str) -> object:
    if bool(conversion.vides.iloc[0]):
        return None
    if bool(conversion.invalides.iloc[0]):
        raise ValueError(f"« {texte} » n'est pas {attendu}.")
    return conversion.valeurs.iloc[0]


def nombre_fr(texte: object) -> float | None:
    """`"29 473,50 €"` → 29473.5 ; None si vide ; ValueError (en français) si illisible."""
    valeur = _scalaire(convertir_nombres(pd.Series([texte], dtype="object")), texte, "un nombre (ex. 1 234,5)")
    return None if valeur is None else float(valeur)


def booleen_fr(texte: object) -> bool | None:
    """`"oui"` → True, `"Non"` → False ; None si vide ; ValueError si illisible."""
    valeur = _scalaire(convertir_booleens(pd.Series([texte], dtype="object")), texte, "une valeur oui/non")
    return None if valeur is None else bool(valeur)


def date_fr(texte: object) -> dt.date | None:
    """`"01/07/2025"` ou `"2025-07-01"` → date(2025, 7, 1) ; None si vide ; ValueError si illisible."""
    valeur = _scalaire(
        convertir_dates(pd.Series([texte], dtype="object")), texte, "une date (jj/mm/aaaa ou aaaa-mm-jj)"
    )
    return None if valeur is None else pd.Timestamp(valeur).date()


def annees_fr(texte: object) -> tuple[int, ...]:
    """`"2024;2022 2023"` → (2022, 2023, 2024) ; () si vide ; ValueError si illisible."""
    valeur = _scalaire(
        convertir_annees(pd.Series([texte], dtype="object")), texte, "une liste d'années (ex. 2022,2023,2024)"
    )
    return tuple(int(a) for a in valeur.split(",")) if valeur else ()
