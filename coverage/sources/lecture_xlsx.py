"""Lecture d'un classeur XLSX : zip vérifié avant lecture, feuille choisie, cellules en chaînes, bornes.

Le zip est contrôlé avant qu'openpyxl ne l'ouvre (`coverage.sources.limites.verifier_zip` : tailles
décompressées déclarées) ; un XML de feuille mal formé, une formule sans valeur calculée, trop de
lignes, de colonnes ou une cellule trop longue donnent un message en français.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np

from coverage.modele import Schema
from coverage.sources.limites import Limites, verifier_zip
from coverage.sources.problemes import ErreurLecture, erreur_fichier

_ILLISIBLE = (
    "fichier illisible : ce n'est pas un classeur .xlsx valide (enregistrez-le à nouveau depuis le tableur)."
)

_XML_MAL_FORME = (
    "fichier illisible : le contenu XML d'une feuille est mal formé (classeur abîmé ou produit par un outil "
    "défectueux) ; ouvrez-le dans le tableur et enregistrez-le à nouveau."
)


def _normaliser(nom: str) -> str:
    from coverage.sources.lecture import normaliser_entete  # même règle que les en-têtes

    return normaliser_entete(nom)


def texte_cellule(valeur: object, format_nombre: str | None) -> str:
    """Une cellule XLSX en chaîne, comme l'utilisateur l'a écrite."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, dt.datetime):
        if valeur.time() == dt.time(0):
            return valeur.date().isoformat()
        return valeur.isoformat(sep=" ")
    if isinstance(valeur, (dt.date, dt.time)):
        return valeur.isoformat()
    if isinstance(valeur, (int, float)):
        if isinstance(valeur, float) and not np.isfinite(valeur):
            return str(valeur)
        if float(valeur).is_integer() and abs(valeur) < 1e16:
            texte = str(int(valeur))
            if format_nombre and re.fullmatch(r"0+", format_nombre) and valeur >= 0:
                texte = texte.zfill(len(format_nombre))  # format « 00000 » : zéros initiaux affichés
            return texte
        return np.format_float_positional(float(valeur), trim="-").replace(".", ",")
    return str(valeur)


def _a_des_formules(contenu: bytes) -> bool:
    """Une feuille du classeur contient une formule (`<f>`) : une seconde lecture dira lesquelles n'ont
    pas de valeur calculée. Tailles déjà bornées par `verifier_zip`."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        return any(
            b"<f" in archive.read(p) for p in archive.namelist() if p.startswith("xl/worksheets/") and p.endswith(".xml")
        )


def _rangees(ws: object, nom_fichier: str, limites: Limites) -> tuple[list[list[object]], list[tuple[int, int]]]:
    """Lignes de la feuille en chaînes, et positions (ligne, colonne) des cellules vides."""
    lignes: list[list[object]] = []
    vides: list[tuple[int, int]] = []
    for numero, rangee in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1):
        if numero > limites.lignes + 1:
            raise erreur_fichier(nom_fichier, f"plus de {limites.lignes:,} lignes de données : découpez le classeur."
                                 .replace(",", "\u202f"), ligne=numero)  # fmt: skip
        if len(rangee) > limites.colonnes:
            raise erreur_fichier(nom_fichier, f"{len(rangee):,} colonnes (au plus {limites.colonnes:,}).".replace(",", "\u202f"),
                                 ligne=numero)  # fmt: skip
        textes = []
        for j, c in enumerate(rangee):
            texte = texte_cellule(c.value, getattr(c, "number_format", None))
            if len(texte) > limites.caracteres_cellule:
                raise erreur_fichier(
                    nom_fichier,
                    f"la cellule n° {j + 1} compte {len(texte):,} caractères (au plus {limites.caracteres_cellule:,})."
                    .replace(",", "\u202f"),
                    ligne=numero,
                )
            if texte == "":
                vides.append((numero, j))
            textes.append(texte)
        lignes.append(textes)
    return lignes, vides


def _formules_sans_valeur(contenu: bytes, nom_feuille: str, vides: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(ligne, indice de colonne, formule) des cellules vides à la lecture des valeurs qui portent une formule."""
    import openpyxl

    cherchees = set(vides)
    trouvees = []
    classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=False)
    try:
        for numero, rangee in enumerate(classeur[nom_feuille].iter_rows(min_row=1, min_col=1), start=1):
            for j, c in enumerate(rangee):
                if (numero, j) in cherchees and isinstance(c.value, str) and c.value.startswith("="):
                    trouvees.append((numero, j, c.value))
    finally:
        classeur.close()
    return trouvees


def _choisir_feuille(noms: list[str], nom_fichier: str, schema: Schema | None, feuille: str | None) -> str:
    normalises = {_normaliser(n): n for n in noms}
    if feuille is not None:
        if _normaliser(feuille) not in normalises:
            raise erreur_fichier(nom_fichier, f"feuille « {feuille} » absente du classeur (feuilles : {', '.join(noms)}).")
        return normalises[_normaliser(feuille)]
    if schema is not None and schema.nom in normalises:
        return normalises[schema.nom]
    return noms[0]


def lire_xlsx(
    contenu: bytes, nom_fichier: str, *, schema: Schema | None, feuille: str | None, limites: Limites
) -> tuple[list[list[object]], str, int, list[tuple[int, int, str]]]:
    """(lignes, feuille lue, nombre de feuilles, formules sans valeur calculée) d'un classeur."""
    import openpyxl  # import local : seul le lecteur XLSX en a besoin
    from openpyxl.utils.exceptions import InvalidFileException

    if contenu.startswith(b"\xd0\xcf\x11\xe0"):
        raise erreur_fichier(
            nom_fichier,
            "fichier illisible : classeur protégé par mot de passe ou au format Excel 97-2003 ; "
            "enregistrez-le au format .xlsx sans mot de passe.",
        )
    verifier_zip(contenu, nom_fichier, limites=limites)
    illisibles = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, EOFError,
                  SyntaxError)  # SyntaxError : ParseError du XML (xml.etree comme lxml) ; fmt: skip
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except illisibles as exc:
        raise erreur_fichier(nom_fichier, _XML_MAL_FORME if isinstance(exc, SyntaxError) else _ILLISIBLE) from exc
    try:
        noms = list(classeur.sheetnames)
        nom_feuille = _choisir_feuille(noms, nom_fichier, schema, feuille)
        ws = classeur[nom_feuille]
        ws.reset_dimensions()  # certaines applications écrivent une dimension fausse
        lignes, vides = _rangees(ws, nom_fichier, limites)
    except ErreurLecture:
        raise
    except illisibles as exc:
        raise erreur_fichier(nom_fichier, _XML_MAL_FORME) from exc
    finally:
        classeur.close()
    formules = _formules_sans_valeur(contenu, nom_feuille, vides) if vides and _a_des_formules(contenu) else []
    return lignes, nom_feuille, len(noms), formules
