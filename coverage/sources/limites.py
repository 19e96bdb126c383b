"""Limites de taille des fichiers déposés, en un seul endroit, et les lecteurs bornés qui les appliquent.

Un fichier hostile ou accidentel (bombe de décompression, million de colonnes, cellule de plusieurs
mégaoctets, JSON imbriqué sur des milliers de niveaux) est refusé avec une phrase en français
avant d'épuiser la mémoire ou le temps de la machine. Les valeurs par défaut de `Limites` sont
documentées dans `docs/import.md` ; chacune se règle par une variable d'environnement
`COUVERTURE_LIMITE_<NOM>` (par exemple `COUVERTURE_LIMITE_LIGNES=2000000`), lue au démarrage.

Les bornes des nombres (montants, ETP, heures, comptes) sont celles des schémas
(`coverage.modele`) ; ce module borne les ressources. N'importe que `coverage.sources.problemes`.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from coverage.sources.problemes import erreur_fichier

__all__ = ["LIMITES", "Limites", "charger_json", "decompresser_gzip", "exiger_utf8_json", "format_octets", "ligne_colonne", "lire_fichier_borne", "message_json",
           "premier_octet_non_utf8", "verifier_profondeur_json", "verifier_profondeur_yaml", "verifier_taille",
           "verifier_zip"]

MIO = 1 << 20


@dataclass(frozen=True)
class Limites:
    """Ce que l'outil accepte de lire (valeurs par défaut : voir `docs/import.md`).

    Attributes
    ----------
    octets_tableau : taille d'un fichier d'échange déposé (CSV ou XLSX), en octets.
    octets_classeur : somme des tailles décompressées des parties d'un classeur XLSX (feuilles,
        `sharedStrings.xml`…), telles que le zip les déclare, en octets.
    octets_decp : taille d'un fichier DECP une fois décompressé (gzip), en octets.
    taux_compression : rapport taille décompressée / taille compressée au-delà duquel un fichier
        compressé est refusé (bombe de décompression) ; ne s'applique qu'au-delà de 64 Mio.
    lignes : lignes de données d'un fichier d'échange.
    colonnes : colonnes d'un fichier d'échange.
    caracteres_cellule : caractères d'une cellule (32 767 : la limite d'Excel).
    profondeur_json : niveaux d'imbrication d'un JSON (DECP, registre GeoJSON des grands projets) ou d'un
        YAML (registre des grands projets), vérifiés avant l'analyse.
    suggestions : codes inconnus d'une colonne qui reçoivent une suggestion « vouliez-vous dire » ;
        les suivants sont signalés sans suggestion.
    secondes_suggestions : temps consacré au plus aux suggestions d'une colonne.
    """

    octets_tableau: int = 100 * MIO
    octets_classeur: int = 300 * MIO
    octets_decp: int = 2048 * MIO
    taux_compression: int = 100
    lignes: int = 1_000_000
    colonnes: int = 500
    caracteres_cellule: int = 32_767
    profondeur_json: int = 64
    suggestions: int = 20
    secondes_suggestions: float = 2.0

    @classmethod
    def depuis_environnement(cls, environ: Mapping[str, str] = os.environ) -> Limites:
        """Les valeurs par défaut, remplacées par les variables `COUVERTURE_LIMITE_<NOM>` présentes.

        Examples
        --------
        >>> Limites.depuis_environnement({"COUVERTURE_LIMITE_LIGNES": "2000"}).lignes
        2000
        """
        valeurs = {}
        for champ in fields(cls):
            brut = environ.get(f"COUVERTURE_LIMITE_{champ.name.upper()}")
            if brut is None:
                continue
            try:
                valeur = float(brut) if champ.type == "float" else int(brut)
            except ValueError:
                raise ValueError(
                    f"COUVERTURE_LIMITE_{champ.name.upper()} = « {brut} » : un nombre positif est attendu."
                ) from None
            if valeur <= 0:
                raise ValueError(f"COUVERTURE_LIMITE_{champ.name.upper()} = « {brut} » : un nombre positif est attendu.")
            valeurs[champ.name] = valeur
        return replace(cls(), **valeurs)


LIMITES = Limites.depuis_environnement()
"""Les limites en vigueur (valeurs par défaut et variables d'environnement lues au démarrage)."""

_PLANCHER_COMPRESSION = 64 * MIO


def format_octets(n: int) -> str:
    """`104857600` → `"100 Mo"` (mébioctets arrondis, à la française)."""
    if n >= MIO:
        return f"{n / MIO:,.0f} Mo".replace(",", "\u202f")
    if n >= 1024:
        return f"{n / 1024:,.0f} ko".replace(",", "\u202f")
    return f"{n} octets"


def verifier_taille(contenu: bytes, nom_fichier: str, *, maximum: int, conseil: str = "") -> None:
    """`ErreurLecture` si le fichier dépasse `maximum` octets."""
    if len(contenu) > maximum:
        raise erreur_fichier(
            nom_fichier,
            f"fichier trop volumineux ({format_octets(len(contenu))} ; au plus {format_octets(maximum)})"
            + (f" : {conseil}" if conseil else "."),
        )


def lire_fichier_borne(chemin: str | os.PathLike[str], *, maximum: int, conseil: str = "") -> bytes:
    """Les octets d'un fichier sur disque, refusé sur sa taille avant d'être lu (ligne de commande)."""
    chemin = Path(chemin)
    try:
        taille = chemin.stat().st_size
        if taille > maximum:
            raise erreur_fichier(
                chemin.name,
                f"fichier trop volumineux ({format_octets(taille)} ; au plus {format_octets(maximum)})"
                + (f" : {conseil}" if conseil else "."),
            )
        return chemin.read_bytes()
    except OSError as exc:
        raise erreur_fichier(chemin.name, f"fichier introuvable ou illisible ({exc.strerror}).") from exc


def _plafond_decompression(taille: int, maximum: int, taux: int) -> int:
    return min(maximum, max(taux * taille, _PLANCHER_COMPRESSION))


def decompresser_gzip(contenu: bytes, nom_fichier: str, *, limites: Limites = LIMITES) -> bytes:
    """Décompresse un gzip par morceaux, en s'arrêtant dès que le résultat dépasse la limite.

    La limite est `limites.octets_decp`, ou `taux_compression` fois la taille compressée si c'est
    moins (et au moins 64 Mio) : une bombe de 4 Mo ne peut pas produire plus de 400 Mo.
    """
    plafond = _plafond_decompression(len(contenu), limites.octets_decp, limites.taux_compression)
    sortie = bytearray()
    decompresseur = zlib.decompressobj(wbits=47)  # gzip ou zlib, en-tête détecté
    reste = memoryview(contenu)
    try:
        while True:
            morceau = decompresseur.decompress(reste, 16 * MIO)
            sortie += morceau
            if len(sortie) > plafond:
                raise erreur_fichier(
                    nom_fichier,
                    f"fichier compressé trop volumineux une fois décompressé (plus de {format_octets(plafond)} "
                    f"pour {format_octets(len(contenu))} compressés) : bombe de décompression ou fichier à découper.",
                )
            reste = memoryview(decompresseur.unconsumed_tail)
            if decompresseur.eof:
                suite = decompresseur.unused_data
                if suite.startswith(b"\x1f\x8b"):  # gzip en plusieurs membres (concaténés)
                    decompresseur, reste = zlib.decompressobj(wbits=47), memoryview(suite)
                    continue
                return bytes(sortie)
            if not reste and not morceau:
                raise erreur_fichier(nom_fichier, "fichier compressé (gzip) tronqué : la fin manque.")
    except zlib.error as exc:
        raise erreur_fichier(nom_fichier, "fichier compressé (gzip) illisible ou tronqué.") from exc


def verifier_zip(contenu: bytes, nom_fichier: str, *, limites: Limites = LIMITES) -> None:
    """Refuse un classeur dont le zip déclare des parties décompressées trop grandes (avant de le lire).

    Les tailles déclarées bornent aussi la lecture : `zipfile` ne lit jamais plus que la taille
    déclarée d'une partie (et refuse une partie dont le contenu ne correspond pas).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            parties = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise erreur_fichier(
            nom_fichier,
            "fichier illisible : ce n'est pas un classeur .xlsx valide (enregistrez-le à nouveau depuis le tableur).",
        ) from exc
    plafond = _plafond_decompression(len(contenu), limites.octets_classeur, limites.taux_compression)
    total = sum(p.file_size for p in parties)
    if total > plafond:
        grande = max(parties, key=lambda p: p.file_size)
        raise erreur_fichier(
            nom_fichier,
            f"classeur trop volumineux une fois décompressé ({format_octets(total)} ; au plus "
            f"{format_octets(plafond)} pour ce fichier), dont {format_octets(grande.file_size)} pour "
            f"« {grande.filename} » : bombe de décompression ou classeur à découper (ou à enregistrer en CSV).",
        )


def ligne_colonne(contenu: bytes, position: int) -> tuple[int, int]:
    """(ligne, colonne) de l'octet `position` (numérotées à partir de 1)."""
    avant = contenu[:position]
    ligne = avant.count(b"\n") + 1
    return ligne, position - (avant.rfind(b"\n") + 1) + 1


def premier_octet_non_utf8(contenu: bytes, *, debut: int = 0) -> int | None:
    """Position du premier octet qui n'est pas de l'UTF-8 valide, ou None ; par fenêtres de 8 Mio."""
    decodeur = codecs.getincrementaldecoder("utf-8")("strict")
    fenetre = 8 * MIO
    for position in range(debut, len(contenu), fenetre):
        morceau = contenu[position : position + fenetre]
        en_attente = len(decodeur.getstate()[0])  # octets d'un caractère coupé par la fenêtre précédente
        try:
            decodeur.decode(morceau, final=position + fenetre >= len(contenu))
        except UnicodeDecodeError as exc:
            return position - en_attente + exc.start
    return None


def exiger_utf8_json(contenu: bytes, nom_fichier: str) -> None:
    """`ErreurLecture` (ligne, colonne du premier octet fautif) si le JSON n'est pas de l'UTF-8 valide."""
    mauvais = premier_octet_non_utf8(contenu)
    if mauvais is not None:
        ligne, colonne = ligne_colonne(contenu, mauvais)
        raise erreur_fichier(
            nom_fichier,
            f"fichier illisible (ligne {ligne}, colonne {colonne}) : le JSON doit être encodé en UTF-8 "
            "(ce fichier semble en Windows-1252 ; enregistrez-le en UTF-8).",
        )


_MESSAGES_JSON = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets doubles attendu",
    "Extra data": "texte en trop après la fin du JSON",
    "Unterminated string starting at": "chaîne ouverte et jamais fermée",
    "Invalid control character at": "caractère de contrôle interdit dans une chaîne",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin du tableau",
}


def message_json(exc: json.JSONDecodeError) -> str:
    """Le motif d'une erreur de `json` en français (le texte anglais si le motif est inconnu)."""
    return _MESSAGES_JSON.get(exc.msg, exc.msg)


_CLASSES_JSON = np.zeros(256, dtype=np.int8)  # +1 : `[` `{` ; -1 : `]` `}` ; 0 : guillemet
_CLASSES_JSON[[ord("["), ord("{")]] = 1
_CLASSES_JSON[[ord("]"), ord("}")]] = -1
_MORCEAU_JSON = 1 << 24


def _guillemets_echappes(a: np.ndarray, pos: np.ndarray, est_guillemet: np.ndarray, barres: int) -> np.ndarray:
    """Parmi les événements `pos` d'un morceau `a`, les guillemets précédés d'un nombre impair de `\\`
    (`barres` : barres obliques inverses qui terminaient le morceau précédent)."""
    echappe = np.zeros(len(pos), dtype=bool)
    cibles = np.flatnonzero(est_guillemet & (a[np.maximum(pos - 1, 0)] == 92) & (pos > 0))
    if len(cibles):
        bs = np.flatnonzero(a == 92)
        depart = np.ones(len(bs), dtype=bool)
        depart[1:] = np.diff(bs) != 1
        debut_serie = bs[np.maximum.accumulate(np.where(depart, np.arange(len(bs)), 0))]
        q = pos[cibles]
        d = debut_serie[np.searchsorted(bs, q - 1)]
        echappe[cibles] = (q - d + np.where(d == 0, barres, 0)) % 2 == 1
    if barres % 2 == 1 and len(pos) and pos[0] == 0 and est_guillemet[0]:
        echappe[0] = True
    return echappe


def _profondeur_excessive(contenu: bytes, maximum: int, *, morceau: int = _MORCEAU_JSON) -> int | None:
    """Position du premier `[` ou `{` (hors chaînes) qui dépasse `maximum` niveaux, ou None.

    Lecture sans analyseur JSON (donc sans récursion) : par morceaux de 16 Mio, numpy repère
    guillemets et crochets, écarte les guillemets échappés, et cumule la profondeur hors chaînes.
    Une barre oblique inverse hors chaîne (JSON invalide) peut tromper le décompte après elle ;
    l'analyseur s'arrête de toute façon sur elle, avant d'atteindre l'imbrication.
    """
    vue = memoryview(contenu)
    niveau = dans_chaine = barres = 0
    for debut in range(0, len(vue), morceau):
        a = np.frombuffer(vue[debut : debut + morceau], dtype=np.uint8)
        pos = np.flatnonzero((a == 34) | ((a | 32) == 123) | ((a | 32) == 125))  # `"`, `[` `{`, `]` `}` (car `[`|32 = `{`)
        octets = a[pos]
        est_guillemet = octets == 34
        garde = ~_guillemets_echappes(a, pos, est_guillemet, barres)
        pos, octets, est_guillemet = pos[garde], octets[garde], est_guillemet[garde]
        dedans = (dans_chaine + np.cumsum(est_guillemet, dtype=np.int64) - est_guillemet) & 1
        profondeurs = niveau + np.cumsum(np.where(dedans == 0, _CLASSES_JSON[octets], 0), dtype=np.int64)
        if len(profondeurs):
            trop = np.flatnonzero(profondeurs > maximum)
            if len(trop):
                return debut + int(pos[trop[0]])
            niveau = int(profondeurs[-1])
        dans_chaine = (dans_chaine + int(est_guillemet.sum())) & 1
        fin = len(a)
        while fin > 0 and a[fin - 1] == 92:
            fin -= 1
        barres = (len(a) - fin) + (barres if fin == 0 else 0)
    return None


def verifier_profondeur_json(contenu: bytes, nom_fichier: str, *, limites: Limites = LIMITES, attendu: str = "") -> None:
    """`ErreurLecture` (ligne et colonne) si le JSON est imbriqué sur plus de `limites.profondeur_json` niveaux.

    Vérifié avant toute analyse : ni l'analyseur de Python (récursif) ni celui d'Arrow ne voient un
    tel fichier. `attendu` complète la phrase (« un marché DECP n'a que quelques niveaux »).
    """
    trop = _profondeur_excessive(contenu, limites.profondeur_json)
    if trop is not None:
        ligne, colonne = ligne_colonne(contenu, trop)
        raise erreur_fichier(
            nom_fichier,
            f"JSON imbriqué sur plus de {limites.profondeur_json} niveaux (ligne {ligne}, colonne {colonne}) : "
            + (attendu or "ce n'est pas un fichier du format attendu") + ".",
        )


def verifier_profondeur_yaml(texte: str, nom_fichier: str, *, limites: Limites = LIMITES) -> None:
    """`ErreurLecture` (ligne et colonne) si le YAML est imbriqué sur plus de `limites.profondeur_json` niveaux.

    Le décompte suit les événements de l'analyseur de PyYAML (itératif), avant la construction des
    objets (récursive). Un YAML illisible n'est pas signalé ici : le lecteur le dira, ligne comprise.
    """
    import yaml

    niveau = 0
    try:
        for evenement in yaml.parse(texte, Loader=yaml.BaseLoader):
            if isinstance(evenement, yaml.CollectionStartEvent):
                niveau += 1
                if niveau > limites.profondeur_json:
                    marque = evenement.start_mark
                    raise erreur_fichier(
                        nom_fichier,
                        f"YAML imbriqué sur plus de {limites.profondeur_json} niveaux (ligne {marque.line + 1}, colonne "
                        f"{marque.column + 1}) : ce n'est pas un registre du format attendu.",
                    )
            elif isinstance(evenement, yaml.CollectionEndEvent):
                niveau -= 1
    except yaml.YAMLError:
        return


def charger_json(contenu: bytes, nom_fichier: str, *, limites: Limites = LIMITES) -> object:
    """`json.loads` borné : UTF-8 exigé, imbrication limitée à `limites.profondeur_json` niveaux.

    Raises
    ------
    ErreurLecture
        Avec la ligne et la colonne : octet qui n'est pas de l'UTF-8, imbrication trop profonde,
        JSON invalide.
    """
    if contenu.startswith(b"\xef\xbb\xbf"):
        contenu = contenu[3:]
    exiger_utf8_json(contenu, nom_fichier)
    verifier_profondeur_json(contenu, nom_fichier, limites=limites)
    try:
        return json.loads(contenu)
    except json.JSONDecodeError as exc:
        raise erreur_fichier(nom_fichier, f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {message_json(exc)}.") from exc

