"""Lecture d'un fichier DECP (JSON consolidé 2019 ou 2024, CSV à plat, gzip) : reconnaît le format,
délègue au lecteur du format, normalise et retire les doublons."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Literal

from coverage.sources.decp.lecture_csv import lire_csv
from coverage.sources.decp.lecture_json import lire_json
from coverage.sources.decp.modele import FICHIER_DEMO_DECP, SOURCE_DEMO_DECP, ContratsDecp, erreur_fichier
from coverage.sources.decp.normalisation import normaliser, retirer_doublons
from coverage.sources.limites import LIMITES, Limites, decompresser_gzip, lire_fichier_borne, verifier_taille

def lire_decp_fichier(chemin: str | Path, *, sirens_etat: Iterable[str] = ()) -> ContratsDecp:
    """Lit un fichier DECP sur disque (ligne de commande, tests) : voir `lire_decp`."""
    chemin = Path(chemin)
    contenu = lire_fichier_borne(chemin, maximum=LIMITES.octets_decp)
    return lire_decp(contenu, nom_fichier=chemin.name, sirens_etat=sirens_etat)


def charger_decp_demo() -> ContratsDecp:
    """L'échantillon fictif de démonstration (`data/demo/decp_demo.json.gz`), marqué `demo=True`."""
    lus = lire_decp_fichier(FICHIER_DEMO_DECP)
    return ContratsDecp(lus.contrats, lus.doublons, lus.avertissements, SOURCE_DEMO_DECP, lus.format, demo=True)


def lire_decp(
    contenu: bytes, *, nom_fichier: str, sirens_etat: Iterable[str] = (), limites: Limites = LIMITES
) -> ContratsDecp:
    """Lit un fichier DECP (JSON consolidé 2019 ou 2024, ou CSV à plat), éventuellement gzippé.

    Parameters
    ----------
    contenu : octets du fichier tel que déposé (gzip reconnu à sa signature).
    nom_fichier : nom du fichier, cité dans les messages ; `.csv`, `.txt`, `.tsv` (éventuellement
        suivi de `.gz`) désignent un CSV, le reste est lu comme du JSON (un CSV est aussi reconnu
        à son contenu).
    sirens_etat : SIREN (9 chiffres) d'acheteurs à classer `etat` quel que soit leur premier
        chiffre (opérateurs de l'État hors de la règle du « 1 », par exemple).
    limites : taille du fichier et taille décompressée acceptées (`coverage.sources.limites`).

    Returns
    -------
    ContratsDecp
        Les marchés (doublons `id` + acheteur retirés et comptés), avec les avertissements.

    Raises
    ------
    ErreurLecture
        Fichier vide, illisible, trop volumineux (décompressé compris), JSON invalide ou imbriqué
        trop profondément, CSV sans colonne d'acheteur ou de lieu, aucun marché.

    Examples
    --------
    >>> marche = {"id": "M1", "acheteur": {"id": "13000000000012"}, "montant": "1 000,5",
    ...           "lieuExecution": {"code": "01053", "typeCode": "Code commune"}}
    >>> lus = lire_decp(json.dumps({"marches": [marche]}).encode(), nom_fichier="decp.json")
    >>> lus.contrats.at[0, "type_acheteur"], float(lus.contrats.at[0, "montant"])
    ('etat', 1000.5)
    """
    verifier_taille(contenu, nom_fichier, maximum=limites.octets_decp)
    if contenu[:2] == b"\x1f\x8b":
        contenu = decompresser_gzip(contenu, nom_fichier, limites=limites)
    if contenu.startswith(b"\xef\xbb\xbf"):
        contenu = contenu[3:]
    blancs = re.compile(rb"\s*").match(contenu).end()  # sans copier le contenu
    if blancs == len(contenu):
        raise erreur_fichier(nom_fichier, "le fichier est vide.")
    suffixes = [s.lower() for s in PurePath(nom_fichier).suffixes]
    debut = contenu[blancs : blancs + 1]
    est_csv = bool({".csv", ".txt", ".tsv"} & set(suffixes)) or debut not in (b"{", b"[")
    if est_csv:
        brut, avertissements = lire_csv(contenu, nom_fichier)
        format_: Literal["json", "csv"] = "csv"
    else:
        brut, avertissements = lire_json(contenu, nom_fichier)
        format_ = "json"
    if brut.empty:
        raise erreur_fichier(nom_fichier, "aucun marché dans le fichier (tableau `marches` vide ou absent).")
    contrats, messages = normaliser(brut, nom_fichier=nom_fichier, format_=format_, sirens_etat=sirens_etat)
    contrats, doublons, message_doublons = retirer_doublons(contrats, nom_fichier=nom_fichier)
    tous = avertissements + messages + message_doublons
    return ContratsDecp(contrats.reset_index(drop=True), doublons, tuple(tous), nom_fichier, format_)

