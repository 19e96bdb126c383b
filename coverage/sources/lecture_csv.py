"""Lecture d'un fichier d'échange CSV : encodage, séparateur, cellules, bornes (`coverage.sources.limites`).

Rend les lignes telles quelles (listes de chaînes) et les avertissements de lecture ; la
construction du tableau est commune avec le XLSX (`coverage.sources.lecture`).
"""

from __future__ import annotations

import csv
import io
import itertools
import re

from coverage.sources.limites import Limites, ligne_colonne, premier_octet_non_utf8
from coverage.sources.problemes import Probleme, erreur_fichier

SEPARATEURS = (";", ",", "\t")
_LIMITE_CHAMP_CSV = 1 << 24  # le module csv refuse au-delà ; la limite de l'outil est vérifiée ensuite


def _decoder(contenu: bytes, nom_fichier: str) -> tuple[str, str, list[Probleme]]:
    """(texte, encodage, avertissements) ; UTF-16 avec BOM, UTF-8 (avec ou sans BOM), sinon Windows-1252."""
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return contenu.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            pass
    elif contenu.startswith(b"PK\x03\x04"):
        raise erreur_fichier(
            nom_fichier,
            "fichier illisible : son contenu est un classeur Excel, pas un CSV ; renommez-le en .xlsx.",
        )
    else:
        bom = contenu.startswith(b"\xef\xbb\xbf")
        mauvais = premier_octet_non_utf8(contenu, debut=3 if bom else 0)
        if mauvais is None:
            return contenu.decode("utf-8-sig"), ("utf-8-sig" if bom else "utf-8"), []
        ligne, colonne = ligne_colonne(contenu, mauvais)
        try:
            texte = contenu[3 if bom else 0 :].decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            if bom:
                message = (
                    "le fichier commence par la marque de l'UTF-8 (BOM) mais la suite n'est pas de l'UTF-8 "
                    f"(premier caractère invalide ligne {ligne}, colonne {colonne}) : lu en Windows-1252 ; "
                    "vérifiez les accents, ou enregistrez-le à nouveau en « CSV UTF-8 »."
                )
            else:
                message = (
                    f"le fichier n'est pas en UTF-8 (premier caractère invalide ligne {ligne}, colonne {colonne}) : "
                    "lu en Windows-1252 ; vérifiez les accents, ou enregistrez-le en « CSV UTF-8 »."
                )
            return texte, "cp1252", [Probleme(nom_fichier, ligne, None, None, message)]
    raise erreur_fichier(
        nom_fichier,
        "fichier illisible : ce n'est pas un texte en UTF-8 ni en Windows-1252 ; enregistrez-le en "
        "« CSV UTF-8 » depuis le tableur.",
    )


def _separateur(texte: str) -> tuple[str, str]:
    """(texte sans la ligne `sep=;` éventuelle, séparateur) ; détecté sur la première ligne non vide."""
    indication = re.match(r"sep=(.)\r?\n", texte)  # ligne « sep=; » d'Excel, invisible dans le tableur
    if indication:
        return texte[indication.end():], indication.group(1)
    debut = texte[: 1 << 20]  # la ligne d'en-tête tient dans le premier Mio (sinon : colonnes trop nombreuses)
    premiere = next((ligne for ligne in debut.splitlines() if ligne.strip()), "")
    comptes = {sep: len(next(csv.reader([premiere], delimiter=sep), [])) for sep in SEPARATEURS}
    return texte, max(SEPARATEURS, key=lambda sep: comptes[sep])  # à égalité : `;` puis `,`


def lire_csv(contenu: bytes, nom_fichier: str, *, limites: Limites) -> tuple[list[list[object]], str, str, list[Probleme]]:
    """(lignes, encodage, séparateur, avertissements) d'un CSV ; `ErreurLecture` au-delà des limites.

    Un guillemet ouvert et jamais fermé est une erreur (sinon la fin du fichier deviendrait une
    seule cellule) ; une cellule trop longue, trop de colonnes ou de lignes aussi.
    """
    texte, encodage, avertissements = _decoder(contenu, nom_fichier)
    if "\x00" in texte:
        raise erreur_fichier(nom_fichier, "fichier illisible : il contient des données binaires, pas du texte.")
    ancienne_limite = csv.field_size_limit()
    lignes: list[list[str]] = []
    debut_derniere = 1  # ligne du fichier texte où commence le dernier enregistrement
    try:
        csv.field_size_limit(_LIMITE_CHAMP_CSV)
        texte, separateur = _separateur(texte)
        lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
        # Au plus une ligne de trop est lue (boucle en C) ; les contrôles suivent sur la liste.
        lignes = list(itertools.islice(lecteur, limites.lignes + 2))
        if lignes and _guillemet_non_ferme(texte, lignes[-1]):  # rare : relecture pour situer l'enregistrement
            relecture = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
            for _ in itertools.islice(relecture, len(lignes) - 1):
                debut_derniere = relecture.line_num + 1
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise erreur_fichier(
                nom_fichier,
                f"une cellule dépasse {_LIMITE_CHAMP_CSV:,} caractères (au plus {limites.caracteres_cellule:,})."
                .replace(",", "\u202f"),
            ) from exc
        raise erreur_fichier(nom_fichier, f"fichier CSV illisible ({exc}).") from exc
    finally:
        csv.field_size_limit(ancienne_limite)
    _controler(lignes, texte, nom_fichier, limites)
    if lignes and _guillemet_non_ferme(texte, lignes[-1]):
        raise erreur_fichier(
            nom_fichier,
            f"guillemet ouvert (ligne {debut_derniere} du fichier texte) et jamais fermé : "
            "tout le reste du fichier serait lu comme une seule cellule ; fermez le guillemet ou retirez-le.",
            ligne=len(lignes),
        )
    return lignes, encodage, separateur, avertissements


def _guillemet_non_ferme(texte: str, derniere: list[object]) -> bool:
    """Le fichier se termine dans une cellule entre guillemets : nombre impair de guillemets et
    dernière cellule sur plusieurs lignes (une cellule légitime sur plusieurs lignes est fermée)."""
    return texte.count('"') % 2 == 1 and any("\n" in str(c) or "\r" in str(c) for c in derniere)


def _controler(lignes: list[list[str]], texte: str, nom_fichier: str, limites: Limites) -> None:
    """Lignes, colonnes et caractères d'une cellule dans les limites ; sinon `ErreurLecture` avec la ligne."""
    if len(lignes) > limites.lignes + 1:
        raise erreur_fichier(
            nom_fichier,
            f"plus de {limites.lignes:,} lignes de données : découpez le fichier.".replace(",", "\u202f"),
            ligne=limites.lignes + 2,
        )
    if lignes and max(map(len, lignes)) > limites.colonnes:
        numero = next(i for i, r in enumerate(lignes, start=1) if len(r) > limites.colonnes)
        raise erreur_fichier(
            nom_fichier,
            f"{len(lignes[numero - 1]):,} colonnes (au plus {limites.colonnes:,}) : séparateur mal détecté ou fichier "
            "qui n'est pas une table d'échange.".replace(",", "\u202f"),
            ligne=numero,
        )
    if len(texte) <= limites.caracteres_cellule:  # aucune cellule ne peut dépasser la limite
        return
    for numero, rangee in enumerate(lignes, start=1):
        if rangee and max(map(len, rangee)) > limites.caracteres_cellule:
            i, cellule = next((i, c) for i, c in enumerate(rangee) if len(c) > limites.caracteres_cellule)
            raise erreur_fichier(
                nom_fichier,
                f"la cellule n° {i + 1} compte {len(cellule):,} caractères (au plus {limites.caracteres_cellule:,})"
                .replace(",", "\u202f")
                + (" : un guillemet ouvert et jamais fermé ?" if "\n" in cellule else "."),
                ligne=numero,
            )
