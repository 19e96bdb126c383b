"""Marchés publics (DECP) : import, placement sur les territoires, indicateurs de besoins.

Les données essentielles de la commande publique (DECP) décrivent chaque marché notifié : son
acheteur (SIRET), son lieu d'exécution, son montant, sa date de notification et ses considérations
sociales. Ce module lit les fichiers consolidés officiels, place chaque marché sur une commune (ou,
à défaut, sur un département ou une région) et calcule, par territoire, le nombre de marchés, leur
montant, la part de l'État et la part des marchés comportant une considération sociale, à comparer
à l'objectif de 30 % du plan national des achats durables (PNAD).

Formats acceptés (`lire_decp`) :
- JSON consolidé, schéma 2024 (arrêtés du 22 décembre 2022) : `{"marches": {"marche": [...],
  "contrat-concession": [...]}}` ; ancien schéma 2019 : `{"marches": [...]}` ; un tableau seul
  `[...]` ; compressé en gzip (`.json.gz`) ou non ;
- CSV « à plat » (DECP consolidées au format tabulaire) : colonnes `acheteur.id` ou `acheteur_id`,
  `lieuExecution.code` ou `lieuExecution_code`, etc. (casse, accents, points et soulignés
  indifférents), séparateur `;`, `,` ou tabulation, UTF-8 ou Windows-1252.

Règles de placement (`placer_contrats`), dans cet ordre :
- `Code commune` : code INSEE en vigueur (COG 2026) ; un ancien code (commune fusionnée) est
  rapporté à sa commune actuelle ; un arrondissement municipal de Paris, Lyon ou Marseille à sa
  commune ; un code à 4 chiffres qui a perdu son zéro initial est réparé (`1053` → `01053`) ;
  un code inconnu est essayé comme code postal, puis rapporté au département de son préfixe ;
- `Code postal` : via la table des codes postaux ; quand un code postal couvre plusieurs
  communes, le marché est rattaché à la plus peuplée d'entre elles (le département reste juste :
  un code postal ne couvre qu'un département) ; un code absent de la table (CEDEX, par exemple)
  est rapporté au département de son préfixe ;
- `Code département`, `Code arrondissement` (département + 1 caractère), `Code canton`
  (département + 2 caractères) : placement au département ; `20` (ancienne Corse) : région 94 ;
- `Code région` : placement à la région ;
- `Code pays`, code absent ou inconnu : marché non placé, compté et listé avec son motif.

Un marché placé au seul département (ou à la seule région) compte dans les indicateurs de ce
département et de sa région, jamais dans ceux des communes et des EPCI ; la colonne
`nb_sans_commune` des indicateurs départementaux et régionaux les compte.

Types d'acheteurs (`type_acheteur`) : SIREN commençant par 1 = État et ses établissements publics
nationaux (`etat`), par 2 = collectivités territoriales et leurs groupements (`collectivite`),
sinon `autre` ; une liste de SIREN fournie par l'utilisateur est classée `etat` en plus.
"""

from __future__ import annotations

import codecs
import csv
import gc
import gzip
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from coverage.modele import DOSSIER_DEMO
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.sources.lecture import ErreurLecture, Probleme, convertir_dates, convertir_nombres
from geo.reference import NiveauGeo, Referentiel

__all__ = [
    "COLONNES_CONTRATS",
    "COLONNES_PLACEMENT",
    "ContratsDecp",
    "ErreurLecture",
    "INDICATEURS_MARCHES",
    "Indicateur",
    "LIBELLES_PLACEMENT",
    "LIBELLES_TYPE_ACHETEUR",
    "OBJECTIF_PNAD",
    "charger_decp_demo",
    "contrats_non_places",
    "executer_decp",
    "indicateurs_marches",
    "lire_decp",
    "lire_decp_fichier",
    "perimetre_achats",
    "placer_contrats",
    "resume_placement",
    "type_acheteur",
    "vue_achats",
]

FICHIER_DEMO_DECP = DOSSIER_DEMO / "decp_demo.json.gz"
SOURCE_DEMO_DECP = (
    "Échantillon fictif de démonstration au format DECP 2024 (généré par python -m coverage.demo.besoins) : "
    "importez les DECP consolidées de data.gouv.fr pour des chiffres réels."
)

OBJECTIF_PNAD = 0.30
"""Part des contrats comportant une considération sociale visée en 2025 par le PNAD 2022-2025.

Appel à projets, partie A : « […] le PNAD qui instaure un objectif de 30% des contrats (marchés,
concessions) incluant une considération sociale en 2025 ».
"""

TypeAcheteur = Literal["etat", "collectivite", "autre"]
TYPES_ACHETEUR: tuple[TypeAcheteur, ...] = ("etat", "collectivite", "autre")
LIBELLES_TYPE_ACHETEUR: dict[str, str] = {
    "etat": "État et établissements publics nationaux",
    "collectivite": "Collectivités territoriales et groupements",
    "autre": "Autres acheteurs",
}

NiveauPlacement = Literal["commune", "code_postal", "departement", "region", "non_place"]
NIVEAUX_PLACEMENT: tuple[NiveauPlacement, ...] = ("commune", "code_postal", "departement", "region", "non_place")
LIBELLES_PLACEMENT: dict[str, str] = {
    "commune": "Commune (code INSEE)",
    "code_postal": "Commune (par le code postal)",
    "departement": "Département seulement",
    "region": "Région seulement",
    "non_place": "Non placé",
}

COLONNES_CONTRATS = [
    "ligne",
    "id",
    "acheteur_siret",
    "acheteur_siren",
    "acheteur_nom",
    "type_acheteur",
    "nature",
    "objet",
    "code_cpv",
    "procedure",
    "montant",
    "date_notification",
    "lieu_type",
    "lieu_code",
    "considerations_sociales",
    "a_consideration_sociale",
]
"""Colonnes de `ContratsDecp.contrats` (voir la classe pour leur sens)."""

COLONNES_PLACEMENT = ["commune", "departement", "region", "niveau_placement", "motif_non_place", "remarque"]
"""Colonnes ajoutées par `placer_contrats`."""


@dataclass(frozen=True)
class Indicateur:
    """Documentation d'un indicateur de besoins, reprise par l'application et le README.

    Attributes
    ----------
    nom : nom de la colonne qui porte l'indicateur.
    libelle : libellé court pour l'interface.
    unite : unité (`marchés`, `€ HT`, `part (0 à 1)`, …).
    source : jeu de données d'origine.
    annee : millésime ou période couverte.
    description : mode de calcul, en une ou deux phrases.
    """

    nom: str
    libelle: str
    unite: str
    source: str
    annee: str
    description: str


_SOURCE_DECP = (
    "Données essentielles de la commande publique (DECP) consolidées, data.gouv.fr "
    "(ministère de l'Économie, DAJ) ; placement sur le COG 2026"
)
_ANNEE_DECP = "années de notification présentes dans le fichier importé (démonstration : 2024-2025, fictif)"

INDICATEURS_MARCHES: tuple[Indicateur, ...] = (
    Indicateur("nb_marches", "Marchés notifiés", "marchés", _SOURCE_DECP, _ANNEE_DECP,
               "Nombre de marchés dont le lieu d'exécution est dans le territoire (doublons retirés)."),
    Indicateur("montant_total", "Montant des marchés", "€ HT", _SOURCE_DECP, _ANNEE_DECP,
               "Somme des montants HT (montant initial ou estimé maximum) ; les montants absents ne comptent pas."),
    Indicateur("nb_marches_etat", "Marchés de l'État", "marchés", _SOURCE_DECP, _ANNEE_DECP,
               "Marchés passés par l'État et ses établissements publics nationaux (SIREN commençant par 1, "
               "ou SIREN de la liste fournie)."),
    Indicateur("montant_etat", "Montant des marchés de l'État", "€ HT", _SOURCE_DECP, _ANNEE_DECP,
               "Somme des montants HT des marchés de l'État."),
    Indicateur("nb_marches_collectivites", "Marchés des collectivités", "marchés", _SOURCE_DECP, _ANNEE_DECP,
               "Marchés passés par les collectivités territoriales et leurs groupements (SIREN commençant par 2)."),
    Indicateur("part_consideration_sociale", "Part avec considération sociale", "part (0 à 1)", _SOURCE_DECP,
               _ANNEE_DECP,
               "Marchés avec clause sociale, critère social ou marché (ou concession) réservé, rapportés aux "
               "marchés dont le champ `considerationsSociales` est renseigné (les autres ne comptent ni au "
               "numérateur ni au dénominateur)."),
    Indicateur("ecart_objectif_pnad", "Écart à l'objectif PNAD", "points de part (−1 à 1)",
               "Plan national des achats durables 2022-2025 (objectif 2025 : 30 %)", "2025",
               "Part avec considération sociale moins 0,30 ; négatif = en dessous de l'objectif."),
    Indicateur("nb_sans_commune", "Marchés placés au seul département ou à la seule région", "marchés",
               _SOURCE_DECP, _ANNEE_DECP,
               "Départements et régions seulement : marchés comptés dans le territoire sans pouvoir être "
               "attribués à une commune (lieu donné par un code département, région, canton, "
               "arrondissement ou un code postal inconnu)."),
)


@dataclass(frozen=True)
class ContratsDecp:
    """Les marchés lus dans un fichier DECP, un par ligne, doublons retirés.

    Attributes
    ----------
    contrats : une ligne par marché ; colonnes (`COLONNES_CONTRATS`) :
        `ligne` (int : ligne du tableur pour un CSV, en-tête = 1 ; rang du marché dans le
        fichier pour un JSON, 1 = premier), `id` (str, identifiant donné par l'acheteur),
        `acheteur_siret` (str, chiffres seuls), `acheteur_siren` (str, 9 chiffres ou <NA>),
        `acheteur_nom` (str, souvent vide : le schéma 2024 ne le donne pas), `type_acheteur`
        (`etat`, `collectivite`, `autre`), `nature`, `objet`, `code_cpv`, `procedure` (str),
        `montant` (float, € HT, NaN si absent ou illisible), `date_notification`
        (datetime64, NaT si absente ou illisible), `lieu_type` (type de code tel que lu, ex.
        `Code postal`), `lieu_code` (str, tel que lu), `considerations_sociales` (str, valeurs
        jointes par « , », <NA> si le champ est absent), `a_consideration_sociale` (boolean :
        True = clause sociale, critère social ou marché réservé ; False = « Pas de
        considération sociale » ; <NA> = inconnu, champ absent ou vide).
    doublons : nombre de marchés retirés parce qu'un marché de même `id` et même acheteur
        figurait déjà plus haut dans le fichier (le premier est gardé).
    avertissements : messages en français (valeurs illisibles, doublons, …), le fichier restant lu.
    nom_fichier : nom du fichier lu.
    format : `json` ou `csv`.
    demo : True pour l'échantillon fictif de démonstration.
    """

    contrats: pd.DataFrame
    doublons: int
    avertissements: tuple[str, ...]
    nom_fichier: str = ""
    format: Literal["json", "csv"] = "json"
    demo: bool = False

    @property
    def nb_contrats(self) -> int:
        return len(self.contrats)


# ============================================================================================
# Lecture
# ============================================================================================

_MAX_MESSAGES = 20
_FENETRE_JSON = 8 << 20  # octets décodés à la fois
_RE_DEBUT_JSON = re.compile(rb'\A\s*(?:\{\s*"marches"\s*:\s*(?:\{\s*"marche"\s*:\s*)?)?\[')
_RE_CONCESSIONS = re.compile(rb'\A\s*,\s*"contrat-concession"\s*:\s*\[')
_RE_SEPARATEURS_JSON = re.compile(r"[\s,]*")


def _cle(nom: object) -> str:
    """Nom de champ réduit à ses lettres et chiffres, sans accent ni casse (`lieuExecution.code` → `lieuexecutioncode`)."""
    texte = unicodedata.normalize("NFKD", str(nom)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", texte.lower())


def _trouver_colonnes(noms: Sequence[str], alias: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Champ du domaine → colonne du fichier : le premier alias présent, dans l'ordre des alias.

    Les noms sont comparés réduits par `_cle` (casse, accents, points, soulignés et espaces ignorés).
    """
    par_cle: dict[str, str] = {}
    for nom in noms:
        par_cle.setdefault(_cle(nom), nom)
    trouvees: dict[str, str] = {}
    for champ, candidats in alias.items():
        present = next((par_cle[c] for c in candidats if c in par_cle), None)
        if present is not None:
            trouvees[champ] = present
    return trouvees


def _liste_messages(messages: list[str], reste: str) -> list[str]:
    """Au plus `_MAX_MESSAGES` messages, puis un message qui compte les autres."""
    if len(messages) <= _MAX_MESSAGES:
        return messages
    return messages[:_MAX_MESSAGES] + [reste.format(n=len(messages) - _MAX_MESSAGES)]


def _erreur(nom_fichier: str, message: str) -> ErreurLecture:
    return ErreurLecture(Probleme(nom_fichier, None, None, None, message))


def lire_decp_fichier(chemin: str | Path, *, sirens_etat: Iterable[str] = ()) -> ContratsDecp:
    """Lit un fichier DECP sur disque (ligne de commande, tests) : voir `lire_decp`."""
    chemin = Path(chemin)
    try:
        contenu = chemin.read_bytes()
    except OSError as exc:
        raise _erreur(chemin.name, f"fichier introuvable ou illisible ({exc.strerror}).") from exc
    return lire_decp(contenu, nom_fichier=chemin.name, sirens_etat=sirens_etat)


def charger_decp_demo() -> ContratsDecp:
    """L'échantillon fictif de démonstration (`data/demo/decp_demo.json.gz`), marqué `demo=True`."""
    lus = lire_decp_fichier(FICHIER_DEMO_DECP)
    return ContratsDecp(lus.contrats, lus.doublons, lus.avertissements, SOURCE_DEMO_DECP, lus.format, demo=True)


def lire_decp(contenu: bytes, *, nom_fichier: str, sirens_etat: Iterable[str] = ()) -> ContratsDecp:
    """Lit un fichier DECP (JSON consolidé 2019 ou 2024, ou CSV à plat), éventuellement gzippé.

    Parameters
    ----------
    contenu : octets du fichier tel que déposé (gzip reconnu à sa signature).
    nom_fichier : nom du fichier, cité dans les messages ; `.csv`, `.txt`, `.tsv` (éventuellement
        suivi de `.gz`) désignent un CSV, le reste est lu comme du JSON (un CSV est aussi reconnu
        à son contenu).
    sirens_etat : SIREN (9 chiffres) d'acheteurs à classer `etat` quel que soit leur premier
        chiffre (opérateurs de l'État hors de la règle du « 1 », par exemple).

    Returns
    -------
    ContratsDecp
        Les marchés (doublons `id` + acheteur retirés et comptés), avec les avertissements.

    Raises
    ------
    ErreurLecture
        Fichier vide, illisible, JSON invalide, CSV sans colonne d'acheteur ou de lieu, aucun marché.

    Examples
    --------
    >>> marche = {"id": "M1", "acheteur": {"id": "13000000000012"}, "montant": "1 000,5",
    ...           "lieuExecution": {"code": "01053", "typeCode": "Code commune"}}
    >>> lus = lire_decp(json.dumps({"marches": [marche]}).encode(), nom_fichier="decp.json")
    >>> lus.contrats.at[0, "type_acheteur"], float(lus.contrats.at[0, "montant"])
    ('etat', 1000.5)
    """
    if contenu[:2] == b"\x1f\x8b":
        try:
            contenu = gzip.decompress(contenu)
        except (OSError, EOFError) as exc:
            raise _erreur(nom_fichier, "fichier compressé (gzip) illisible ou tronqué.") from exc
    if contenu.startswith(b"\xef\xbb\xbf"):
        contenu = contenu[3:]
    blancs = re.compile(rb"\s*").match(contenu).end()  # sans copier le contenu
    if blancs == len(contenu):
        raise _erreur(nom_fichier, "le fichier est vide.")
    suffixes = [s.lower() for s in PurePath(nom_fichier).suffixes]
    debut = contenu[blancs : blancs + 1]
    est_csv = bool({".csv", ".txt", ".tsv"} & set(suffixes)) or debut not in (b"{", b"[")
    if est_csv:
        brut, avertissements = _lire_csv(contenu, nom_fichier)
        format_: Literal["json", "csv"] = "csv"
    else:
        brut, avertissements = _lire_json(contenu, nom_fichier)
        format_ = "json"
    if brut.empty:
        raise _erreur(nom_fichier, "aucun marché dans le fichier (tableau `marches` vide ou absent).")
    contrats, messages = _normaliser(brut, nom_fichier=nom_fichier, format_=format_, sirens_etat=sirens_etat)
    contrats, doublons, message_doublons = _retirer_doublons(contrats, nom_fichier=nom_fichier)
    tous = avertissements + messages + message_doublons
    return ContratsDecp(contrats.reset_index(drop=True), doublons, tuple(tous), nom_fichier, format_)


# --- JSON ------------------------------------------------------------------------------------

_CHAMPS_JSON = (
    "id", "acheteur_siret", "acheteur_nom", "nature", "objet", "code_cpv", "procedure", "montant",
    "date_notification", "lieu_code", "lieu_type", "considerations_sociales",
)  # fmt: skip


def _objet(valeur: object) -> dict:
    if isinstance(valeur, dict):
        return valeur
    if isinstance(valeur, list) and valeur and isinstance(valeur[0], dict):
        return valeur[0]
    return {}


def _joindre_considerations(valeur: object) -> str | None:
    """`("Clause sociale", "Critère social")` → `"Clause sociale, Critère social"` ; None si vide."""
    if valeur is None:
        return None
    if isinstance(valeur, tuple | list):
        textes = [str(v).strip() for v in valeur if v is not None and str(v).strip()]
        return ", ".join(textes) if textes else None
    texte = str(valeur).strip()
    return texte or None


def _extraire(r: object, _dict: type = dict, _list: type = list) -> tuple:
    """Les champs utiles d'un marché (ou d'un contrat de concession) du JSON, dans l'ordre de `_CHAMPS_JSON`.

    Les considérations sociales restent brutes (tuple, chaîne ou None) : elles sont jointes plus
    tard, une fois par valeur distincte. Appelée une fois par marché : écrite pour la vitesse.
    """
    if type(r) is not _dict:
        return (None,) * len(_CHAMPS_JSON)
    g = r.get
    acheteur = g("acheteur")
    nature = g("nature")
    if acheteur is None:
        acheteur = g("autoriteConcedante")
        if acheteur is not None and nature is None:
            nature = "Contrat de concession"
    if type(acheteur) is _dict:
        siret, nom = acheteur.get("id"), acheteur.get("nom")
    else:
        siret, nom = acheteur, None
    lieu = g("lieuExecution")
    if type(lieu) is not _dict:
        lieu = _objet(lieu)
    montant = g("montant")
    if montant is None:
        montant = g("valeurGlobale")
    sociales = g("considerationsSociales")
    if type(sociales) is _dict:
        sociales = sociales.get("considerationSociale", sociales.get("considerationsSociale"))
    if type(sociales) is _list:
        sociales = tuple(sociales)
    return (
        g("id"), siret, nom, nature, g("objet"), g("codeCPV"), g("procedure"), montant,
        g("dateNotification") or g("dateSignature"), lieu.get("code"), lieu.get("typeCode"), sociales,
    )  # fmt: skip


def _lieu_json(contenu: bytes, position: int) -> str:
    avant = contenu[:position]
    ligne = avant.count(b"\n") + 1
    colonne = position - (avant.rfind(b"\n") + 1) + 1
    return f"ligne {ligne}, colonne {colonne}"


def _lire_tableau_json(contenu: bytes, debut: int, nom_fichier: str) -> tuple[list[tuple], int]:
    """Lit, enregistrement par enregistrement, le tableau JSON qui commence à l'octet `debut` (après `[`).

    Le texte est décodé par fenêtres de quelques Mo : le fichier n'est jamais converti en entier
    en chaîne Python ni en objets (un DECP national dépasse le gigaoctet une fois décodé).
    Rend les enregistrements extraits et l'octet qui suit le `]` fermant.
    """
    decodeur_json = json.JSONDecoder()
    decodeur = codecs.getincrementaldecoder("utf-8")(errors="strict")
    lus: list[tuple] = []
    extraire = _extraire
    separateurs = _RE_SEPARATEURS_JSON.match
    taille = len(contenu)
    fin_lue = debut
    tampon = ""
    i = 0
    octets_avant_tampon = debut  # octets consommés avant le début de `tampon` (position approchée)

    def lire_suite() -> str:
        nonlocal fin_lue
        morceau = contenu[fin_lue : fin_lue + _FENETRE_JSON]
        fin_lue += len(morceau)
        try:
            return decodeur.decode(morceau, final=fin_lue >= taille)
        except UnicodeDecodeError as exc:
            raise _erreur(nom_fichier, "fichier illisible : le JSON doit être encodé en UTF-8.") from exc

    while True:
        i = separateurs(tampon, i).end()
        if i >= len(tampon):
            if fin_lue >= taille:
                raise _erreur(nom_fichier, "JSON invalide : le tableau des marchés n'est pas fermé (fichier tronqué ?).")
            octets_avant_tampon += len(tampon[:i].encode("utf-8"))
            tampon, i = lire_suite(), 0
            continue
        if tampon[i] == "]":
            consommes = len(tampon[: i + 1].encode("utf-8"))
            return lus, octets_avant_tampon + consommes
        try:
            objet, j = decodeur_json.raw_decode(tampon, i)
        except json.JSONDecodeError as exc:
            if fin_lue < taille:  # enregistrement coupé par la fenêtre : lire la suite
                octets_avant_tampon += len(tampon[:i].encode("utf-8"))
                tampon, i = tampon[i:] + lire_suite(), 0
                continue
            position = octets_avant_tampon + len(tampon[: exc.pos].encode("utf-8"))
            raise _erreur(
                nom_fichier,
                f"JSON invalide ({_lieu_json(contenu, position)}, marché n° {len(lus) + 1}) : {exc.msg}.",
            ) from exc
        lus.append(extraire(objet))
        i = j


def _lire_marches_json(contenu: bytes, nom_fichier: str) -> tuple[list[tuple], list[tuple]]:
    entete = _RE_DEBUT_JSON.match(contenu[:4096])
    if entete is None:
        return _lire_json_complet(contenu, nom_fichier)
    marches, fin = _lire_tableau_json(contenu, entete.end(), nom_fichier)
    concessions: list[tuple] = []
    suite = _RE_CONCESSIONS.match(contenu[fin : fin + 4096])
    if suite is not None:
        concessions, fin = _lire_tableau_json(contenu, fin + suite.end(), nom_fichier)
    if contenu[fin:].strip(b" \t\r\n}"):
        # Structure inattendue après le tableau (autres clés) : lecture complète, plus lente.
        return _lire_json_complet(contenu, nom_fichier)
    return marches, concessions


def _schema_arrow(*, enveloppe: bool) -> pa.Schema:
    """Schéma Arrow des seuls champs utiles (les autres sont ignorés par le lecteur).

    Un même type d'enregistrement sert aux marchés et aux contrats de concession (champs
    `autoriteConcedante`, `valeurGlobale`, `dateSignature`), comme dans l'ancien schéma où les deux
    se mêlent dans la liste `marches`.
    """
    texte = pa.string()
    identite = pa.struct([pa.field("id", texte), pa.field("nom", texte)])
    contrat = pa.struct(
        [
            pa.field("id", texte),
            pa.field("acheteur", identite),
            pa.field("autoriteConcedante", identite),
            pa.field("nature", texte),
            pa.field("objet", texte),
            pa.field("codeCPV", texte),
            pa.field("procedure", texte),
            pa.field("montant", pa.float64()),
            pa.field("valeurGlobale", pa.float64()),
            pa.field("dateNotification", texte),
            pa.field("dateSignature", texte),
            pa.field("lieuExecution", pa.struct([pa.field("code", texte), pa.field("typeCode", texte)])),
            pa.field("considerationsSociales", pa.struct([pa.field("considerationSociale", pa.list_(texte))])),
        ]
    )
    if not enveloppe:  # `{"marches": [...]}`
        return pa.schema([pa.field("marches", pa.list_(contrat))])
    return pa.schema(
        [pa.field("marches", pa.struct([pa.field("marche", pa.list_(contrat)),
                                        pa.field("contrat-concession", pa.list_(contrat))]))]
    )  # fmt: skip


def _lire_json_arrow(contenu: bytes) -> tuple[pd.DataFrame, int] | None:
    """Lecture rapide (C++, Apache Arrow) d'un JSON consolidé aux types conformes au schéma.

    Rend None si le fichier sort du cas simple (tableau seul, montant écrit en chaîne, identifiant
    écrit en nombre, considérations sociales en liste, fichier de plus de 2 Go…) : la lecture
    Python, plus lente mais tolérante, prend alors le relais.
    """
    entete = _RE_DEBUT_JSON.match(contenu[:4096])
    if entete is None or not entete.group(0).lstrip().startswith(b"{") or len(contenu) >= 2**31 - 1:
        return None
    enveloppe = b'"marche"' in entete.group(0)
    options = pj.ParseOptions(
        explicit_schema=_schema_arrow(enveloppe=enveloppe), unexpected_field_behavior="ignore",
        newlines_in_values=True,
    )  # fmt: skip
    try:
        table = pj.read_json(
            pa.py_buffer(contenu), read_options=pj.ReadOptions(block_size=len(contenu) + 1), parse_options=options
        )
        if table.num_rows != 1:
            return None
        racine = table.column("marches").combine_chunks()
        if enveloppe:
            marches = pc.list_flatten(pc.struct_field(racine, "marche"))
            concessions = pc.list_flatten(pc.struct_field(racine, "contrat-concession"))
            contrats = pa.concat_arrays([marches, concessions])
        else:
            contrats = pc.list_flatten(racine)
            concessions = pa.array([], type=contrats.type)
    except (pa.ArrowException, ValueError, KeyError):
        return None

    def champ(*chemin: str) -> pa.Array:
        return pc.struct_field(contrats, list(chemin))

    nature = pc.if_else(
        pc.and_(pc.is_null(champ("nature")), pc.is_valid(champ("autoriteConcedante"))),
        pa.scalar("Contrat de concession"),
        champ("nature"),
    )
    colonnes = {
        "id": champ("id"),
        "acheteur_siret": pc.coalesce(champ("acheteur", "id"), champ("autoriteConcedante", "id")),
        "acheteur_nom": pc.coalesce(champ("acheteur", "nom"), champ("autoriteConcedante", "nom")),
        "nature": nature,
        "objet": champ("objet"),
        "code_cpv": champ("codeCPV"),
        "procedure": champ("procedure"),
        "montant": pc.coalesce(champ("montant"), champ("valeurGlobale")),
        "date_notification": pc.coalesce(champ("dateNotification"), champ("dateSignature")),
        "lieu_code": champ("lieuExecution", "code"),
        "lieu_type": champ("lieuExecution", "typeCode"),
        "considerations_sociales": pc.binary_join(champ("considerationsSociales", "considerationSociale"), ", "),
    }
    brut = pd.DataFrame({nom: colonnes[nom].to_pandas() for nom in _CHAMPS_JSON})
    brut.insert(0, "ligne", np.arange(1, len(brut) + 1, dtype="int64"))
    return brut, len(concessions)


def _lire_json(contenu: bytes, nom_fichier: str) -> tuple[pd.DataFrame, list[str]]:
    avertissements: list[str] = []
    rapide = _lire_json_arrow(contenu)
    if rapide is not None:
        brut, nb_concessions = rapide
        if nb_concessions:
            avertissements.append(_message_concessions(nom_fichier, nb_concessions))
        return (brut if len(brut) else pd.DataFrame()), avertissements
    ramasse_miettes = gc.isenabled()
    gc.disable()  # des centaines de milliers de petits objets : le ramasse-miettes ralentirait tout
    try:
        marches, concessions = _lire_marches_json(contenu, nom_fichier)
    finally:
        if ramasse_miettes:
            gc.enable()
    if concessions:
        avertissements.append(_message_concessions(nom_fichier, len(concessions)))
    lignes = marches + concessions
    del marches[:]
    if not lignes:
        return pd.DataFrame(), avertissements
    colonnes = {}
    for nom, valeurs in zip(_CHAMPS_JSON, zip(*lignes)):
        tableau = np.empty(len(lignes), dtype=object)
        tableau[:] = valeurs
        colonnes[nom] = tableau
    del lignes
    sociales = pd.Series(colonnes["considerations_sociales"], dtype=object)
    uniques = pd.unique(sociales.dropna())
    colonnes["considerations_sociales"] = sociales.map({v: _joindre_considerations(v) for v in uniques}).to_numpy()
    brut = pd.DataFrame(colonnes, dtype=object)
    brut.insert(0, "ligne", np.arange(1, len(brut) + 1, dtype="int64"))
    return brut, avertissements


def _message_concessions(nom_fichier: str, nombre: int) -> str:
    return (
        f"{nom_fichier} : {nombre} contrat(s) de concession lu(s) avec les marchés ; le schéma 2024 ne leur "
        "donne pas de lieu d'exécution, ils sont comptés parmi les contrats non placés."
    )


def _lire_json_complet(contenu: bytes, nom_fichier: str) -> tuple[list[tuple], list[tuple]]:
    try:
        donnees = json.loads(contenu)
    except UnicodeDecodeError as exc:
        raise _erreur(nom_fichier, "fichier illisible : le JSON doit être encodé en UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise _erreur(nom_fichier, f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}.") from exc
    marches: object = donnees
    concessions: object = []
    if isinstance(donnees, dict):
        if "marches" not in donnees:
            raise _erreur(
                nom_fichier,
                "aucun tableau `marches` dans le JSON (attendu : le format des DECP consolidées, "
                '`{"marches": {"marche": [...]}}` ou `{"marches": [...]}`).',
            )
        marches = donnees["marches"]
        if isinstance(marches, dict):
            concessions = marches.get("contrat-concession", [])
            marches = marches.get("marche", [])
    if isinstance(marches, dict):  # un seul marché, comme dans les exemples du schéma
        marches = [marches]
    if isinstance(concessions, dict):
        concessions = [concessions]
    if not isinstance(marches, list) or not isinstance(concessions, list):
        raise _erreur(nom_fichier, "le champ `marches` doit contenir un tableau de marchés.")
    return [_extraire(r) for r in marches], [_extraire(r) for r in concessions]


# --- CSV -------------------------------------------------------------------------------------

_ALIAS_CSV: dict[str, tuple[str, ...]] = {
    "id": ("id", "idmarche", "identifiantmarche", "identifiant"),
    "acheteur_siret": ("acheteurid", "idacheteur", "acheteursiret", "siretacheteur", "acheteur"),
    "acheteur_nom": ("acheteurnom", "nomacheteur", "acheteurdenomination"),
    "nature": ("nature",),
    "objet": ("objet",),
    "code_cpv": ("codecpv", "cpv"),
    "procedure": ("procedure",),
    "montant": ("montant", "montantht"),
    "date_notification": ("datenotification",),
    "lieu_code": ("lieuexecutioncode", "lieuxexecutioncode", "codelieuexecution", "lieuexecution"),
    "lieu_type": ("lieuexecutiontypecode", "lieuxexecutiontypecode", "typecodelieuexecution", "lieuexecutiontype"),
    "considerations_sociales": ("considerationssociales", "considerationsociale", "considerationssociale"),
    "_donnees_actuelles": ("donneesactuelles",),
}
_OBLIGATOIRES_CSV = {"acheteur_siret": "acheteur.id", "lieu_code": "lieuExecution.code"}


def _decoder_debut(contenu: bytes) -> str:
    """Encodage d'un CSV : UTF-8 si le début se décode ainsi, sinon Windows-1252."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(contenu[: 1 << 20], final=len(contenu) <= 1 << 20)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _lire_csv(contenu: bytes, nom_fichier: str) -> tuple[pd.DataFrame, list[str]]:
    encodage = _decoder_debut(contenu)
    premiere = contenu[: contenu.find(b"\n") if b"\n" in contenu else len(contenu)].decode(encodage, "replace")
    comptes = {sep: len(next(csv.reader([premiere], delimiter=sep), [])) for sep in (";", ",", "\t")}
    separateur = max(comptes, key=lambda s: comptes[s])
    entetes = next(csv.reader([premiere.strip("\r")], delimiter=separateur), [])
    colonnes = _trouver_colonnes(entetes, _ALIAS_CSV)
    manquantes = [nom for champ, nom in _OBLIGATOIRES_CSV.items() if champ not in colonnes]
    if manquantes:
        raise ErreurLecture(
            Probleme(
                nom_fichier, 1, manquantes[0], None,
                f"colonne obligatoire `{manquantes[0]}` absente (ou `{manquantes[0].replace('.', '_')}`) : "
                f"ce n'est pas un fichier DECP à plat (colonnes lues : {', '.join(entetes[:12])}"
                f"{'…' if len(entetes) > 12 else ''}).",
            )
        )  # fmt: skip
    avertissements = []
    for champ, libelle in (("montant", "montant"), ("considerations_sociales", "considerationsSociales")):
        if champ not in colonnes:
            avertissements.append(f"{nom_fichier} : colonne `{libelle}` absente ; l'indicateur correspondant reste vide.")
    try:
        table = pd.read_csv(
            io.BytesIO(contenu),
            sep=separateur,
            encoding=encodage,
            dtype=str,
            usecols=list(colonnes.values()),
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise _erreur(nom_fichier, f"fichier CSV illisible ({exc}).") from exc
    brut = pd.DataFrame({champ: table[nom] for champ, nom in colonnes.items()})
    for champ in _CHAMPS_JSON:
        if champ not in brut.columns:
            brut[champ] = pd.Series(None, index=brut.index, dtype=object)
    brut.insert(0, "ligne", np.arange(2, len(brut) + 2, dtype="int64"))
    if "_donnees_actuelles" in brut.columns:
        actuelles = brut.pop("_donnees_actuelles").str.strip().str.lower().isin(["1", "true", "oui", "vrai"])
        brut["_actuelles"] = actuelles.to_numpy()
    return brut, avertissements


# --- Normalisation commune aux deux formats --------------------------------------------------

_SOCIALES_OUI = r"clause sociale|critere social|reserve"
_SOCIALES_NON = r"pas de consideration"


def _sans_accents(valeurs: pd.Series) -> pd.Series:
    """Minuscules sans accents, calculé sur les valeurs distinctes (rapide sur 500 000 lignes)."""
    uniques = pd.unique(valeurs.dropna())
    table = {
        v: unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode("ascii").lower().strip()
        for v in uniques
    }
    return valeurs.map(table).astype("str")


def _textes(valeurs: pd.Series) -> pd.Series:
    """Chaînes nettoyées (`str`), <NA> pour une valeur absente ou vide.

    Un nombre du JSON (identifiant ou code écrit sans guillemets) devient sa chaîne : `1053` → `"1053"`,
    `1053.0` → `"1053"`.
    """
    if valeurs.dtype == "str":
        texte = valeurs.str.strip()
        return texte.where(texte != "")
    s = valeurs.astype("object")
    if pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        nombres = s.map(type).isin([int, float]) & s.notna()
        s = s.where(~nombres, s[nombres].map(lambda v: str(int(v)) if float(v).is_integer() else repr(v)))
    texte = s.astype("str").str.strip()
    return texte.where(s.notna() & (texte != ""))


def classer_considerations(valeurs: pd.Series) -> pd.Series:
    """True si une considération sociale est déclarée, False si « Pas de considération sociale », <NA> sinon.

    Reconnaît, sans casse ni accents : « Clause sociale », « Critère social », « Marché réservé »,
    « Concession réservée » (True) ; « Pas de considération sociale » (False). Une valeur vide ou
    absente (ancien schéma 2019) est inconnue (<NA>) : elle ne compte pas dans la part.
    """
    normalise = _sans_accents(valeurs)
    oui = normalise.str.contains(_SOCIALES_OUI, regex=True, na=False)
    non = normalise.str.contains(_SOCIALES_NON, regex=True, na=False) & ~oui
    resultat = pd.Series(pd.NA, index=valeurs.index, dtype="boolean")
    resultat[oui.to_numpy()] = True
    resultat[non.to_numpy()] = False
    return resultat


def type_acheteur(sirens: pd.Series, *, sirens_etat: Iterable[str] = ()) -> pd.Series:
    """Type d'acheteur d'après le SIREN : `etat` (commence par 1, ou dans `sirens_etat`), `collectivite` (2), `autre`.

    Parameters
    ----------
    sirens : SIREN à 9 chiffres (str ; <NA> si inconnu, classé `autre`).
    sirens_etat : SIREN à classer `etat` en plus de la règle du premier chiffre (liste fournie par
        l'utilisateur) ; les espaces sont ignorés.

    Examples
    --------
    >>> type_acheteur(pd.Series(["130005481", "217500016", "775671356", None])).tolist()
    ['etat', 'collectivite', 'autre', 'autre']
    """
    premier = sirens.astype("str").str.slice(0, 1)
    types = np.select([premier == "1", premier == "2"], ["etat", "collectivite"], "autre")
    liste = {re.sub(r"\D", "", str(s)) for s in sirens_etat}
    if liste:
        types = np.where(sirens.isin(liste).to_numpy(), "etat", types)
    return pd.Series(types, index=sirens.index, dtype="str")


def _cellule(format_: str, nom_fichier: str, ligne: int, ident: object, champ: str) -> str:
    if format_ == "csv":
        return str(Probleme(nom_fichier, int(ligne), champ, None, "")).removesuffix(" : ")
    ident_txt = f" (id « {ident} »)" if isinstance(ident, str) and ident else ""
    return f"{nom_fichier}, marché n° {ligne}{ident_txt}, champ `{champ}`"


def _normaliser(
    brut: pd.DataFrame, *, nom_fichier: str, format_: str, sirens_etat: Iterable[str]
) -> tuple[pd.DataFrame, list[str]]:
    messages: list[str] = []
    textes = {c: _textes(brut[c]) for c in ("id", "acheteur_siret", "acheteur_nom", "nature", "objet", "code_cpv",
                                            "procedure", "lieu_code", "lieu_type", "considerations_sociales")}  # fmt: skip
    siret = textes["acheteur_siret"].str.replace(r"\D", "", regex=True)
    siret = siret.where(siret != "")
    siren = siret.str.slice(0, 9).where(siret.str.len() >= 9)

    # Montants : nombres du JSON tels quels, chaînes lues à la française (`12 345,67`).
    brut_montant = brut["montant"]
    if pd.api.types.is_numeric_dtype(brut_montant.dtype):
        montant = brut_montant.astype("float64")
    else:
        brut_montant = brut_montant.astype("object")
        montant = pd.to_numeric(brut_montant, errors="coerce").astype("float64")
        a_lire = montant.isna() & brut_montant.notna()
        if a_lire.any():
            conversion = convertir_nombres(brut_montant[a_lire].astype("str"))
            montant[a_lire.to_numpy()] = conversion.valeurs.to_numpy()
            illisibles = conversion.invalides[conversion.invalides].index
            messages += _liste_messages(
                [
                    f"{_cellule(format_, nom_fichier, brut.at[k, 'ligne'], textes['id'].at[k], 'montant')} : "
                    f"« {brut_montant.at[k]} » n'est pas un montant lisible (attendu : nombre en € HT, ex. "
                    "12 345,67) ; montant laissé vide."
                    for k in illisibles
                ],
                f"{nom_fichier} : … et {{n}} autres montants illisibles laissés vides.",
            )
    sans_montant = int(np.isnan(montant.to_numpy()).sum())
    if sans_montant:
        messages.append(f"{nom_fichier} : {sans_montant} marché(s) sans montant lisible ; ils comptent dans le "
                        "nombre de marchés, pas dans les montants.")  # fmt: skip

    # Dates : `aaaa-mm-jj` (fuseau éventuel ignoré) ou `jj/mm/aaaa`.
    dates_txt = _textes(brut["date_notification"])
    dates_txt = dates_txt.where(~dates_txt.str.match(r"\d{4}-\d{2}-\d{2}", na=False), dates_txt.str.slice(0, 10))
    conversion_dates = convertir_dates(dates_txt.fillna(""))
    dates = conversion_dates.valeurs
    if conversion_dates.invalides.any():
        messages += _liste_messages(
            [
                f"{_cellule(format_, nom_fichier, brut.at[k, 'ligne'], textes['id'].at[k], 'dateNotification')} : "
                f"« {dates_txt.at[k]} » n'est pas une date lisible (attendu : aaaa-mm-jj ou jj/mm/aaaa)."
                for k in conversion_dates.invalides[conversion_dates.invalides].index
            ],
            f"{nom_fichier} : … et {{n}} autres dates illisibles laissées vides.",
        )

    sociales = textes["considerations_sociales"]
    contrats = pd.DataFrame(
        {
            "ligne": brut["ligne"].to_numpy("int64"),
            "id": textes["id"],
            "acheteur_siret": siret,
            "acheteur_siren": siren,
            "acheteur_nom": textes["acheteur_nom"],
            "type_acheteur": type_acheteur(siren, sirens_etat=sirens_etat),
            "nature": textes["nature"],
            "objet": textes["objet"],
            "code_cpv": textes["code_cpv"],
            "procedure": textes["procedure"],
            "montant": montant,
            "date_notification": dates.to_numpy("datetime64[ns]"),
            "lieu_type": textes["lieu_type"],
            "lieu_code": textes["lieu_code"],
            "considerations_sociales": sociales,
            "a_consideration_sociale": classer_considerations(sociales),
        },
        index=brut.index,
    )
    if "_actuelles" in brut.columns:
        contrats["_actuelles"] = brut["_actuelles"].to_numpy(bool)
    sans_acheteur = int(siren.isna().sum())
    if sans_acheteur:
        messages.append(
            f"{nom_fichier} : {sans_acheteur} marché(s) sans SIRET d'acheteur lisible (14 chiffres attendus) ; "
            "classés « autres acheteurs »."
        )
    sans_id = int(contrats["id"].isna().sum())
    if sans_id:
        messages.append(f"{nom_fichier} : {sans_id} marché(s) sans identifiant ; gardés, sans contrôle de doublon.")
    return contrats, messages


def _retirer_doublons(contrats: pd.DataFrame, *, nom_fichier: str) -> tuple[pd.DataFrame, int, list[str]]:
    """Garde le premier marché de chaque couple (`id`, acheteur) ; les lignes `donneesActuelles` d'abord."""
    if "_actuelles" in contrats.columns:
        contrats = contrats.sort_values("_actuelles", ascending=False, kind="stable")
    cle = contrats[["id", "acheteur_siret"]]
    doublon = cle.duplicated(keep="first") & contrats["id"].notna()
    if "_actuelles" in contrats.columns:
        contrats = contrats.sort_index()
        doublon = doublon.sort_index()
    retires = contrats[doublon.to_numpy()]
    messages: list[str] = []
    if len(retires):
        exemples = ", ".join(
            f"« {i} » (acheteur {a if isinstance(a, str) else 'inconnu'})"
            for i, a in zip(retires["id"].head(10), retires["acheteur_siret"].head(10))
        )
        suite = f" et {len(retires) - 10} autres" if len(retires) > 10 else ""
        messages.append(
            f"{nom_fichier} : {len(retires)} marché(s) en double (même identifiant, même acheteur) gardé(s) une "
            f"seule fois : {exemples}{suite}."
        )
    gardes = contrats[~doublon.to_numpy()].drop(columns=[c for c in ("_actuelles",) if c in contrats.columns])
    return gardes, len(retires), messages


# ============================================================================================
# Placement
# ============================================================================================

_ARRONDISSEMENTS_MUNICIPAUX: dict[str, str] = {
    **{f"751{i:02d}": "75056" for i in range(1, 21)},  # Paris
    **{f"132{i:02d}": "13055" for i in range(1, 17)},  # Marseille
    **{f"6938{i}": "69123" for i in range(1, 10)},  # Lyon
}
_TYPES_LIEU = {
    "codepostal": "code_postal",
    "cp": "code_postal",
    "codecommune": "commune",
    "codeinsee": "commune",
    "commune": "commune",
    "codedepartement": "departement",
    "departement": "departement",
    "coderegion": "region",
    "region": "region",
    "codepays": "pays",
    "pays": "pays",
    "codearrondissement": "arrondissement",
    "codecanton": "canton",
    "": "",
}
_PAYS_FRANCE = {"FR", "FRA", "FRANCE", "250"}
_REMARQUES = {
    "commune_postal": "code commune inconnu, lu comme code postal",
    "commune_prefixe": "code commune inconnu : placé au département de son préfixe",
    "postal_commune": "code postal inconnu, lu comme code commune",
    "postal_prefixe": "code postal absent de la table (CEDEX ?) : placé au département de son préfixe",
    "absent_commune": "type de code absent : lu comme code commune",
    "absent_postal": "type de code absent : lu comme code postal",
    "absent_departement": "type de code absent : lu comme code département",
    "corse": "code 20 (ancienne Corse) : placé à la région Corse",
    "arrondissement": "code arrondissement : placé à son département",
    "canton": "code canton : placé à son département",
}


@dataclass(frozen=True)
class _Tables:
    """Tables de correspondance d'un référentiel, construites une fois."""

    communes: pd.Series  # code (actuel, ancien, arrondissement) → code INSEE en vigueur
    postaux: pd.Series  # code postal → commune la plus peuplée
    nb_communes_postal: pd.Series  # code postal → nombre de communes
    departement_commune: pd.Series
    region_commune: pd.Series
    region_departement: pd.Series
    departements: pd.Index
    regions: pd.Index
    commune_seule_departement: pd.Series  # département d'une seule commune (75) → cette commune


_CACHE_TABLES: dict[int, tuple[pd.DataFrame, _Tables]] = {}


def _tables(referentiel: Referentiel) -> _Tables:
    cache = _CACHE_TABLES.get(id(referentiel))
    if cache is not None and cache[0] is referentiel.communes:
        return cache[1]
    communes = referentiel.communes
    codes = pd.Series(communes.index.to_numpy(), index=communes.index.to_numpy())
    anciens = referentiel.anciens_codes
    anciens = anciens[~anciens["ancien_code"].isin(codes.index) & anciens["commune"].isin(codes.index)]
    arrondissements = {a: c for a, c in _ARRONDISSEMENTS_MUNICIPAUX.items() if c in codes.index}
    table_communes = pd.concat(
        [
            codes,
            pd.Series(anciens["commune"].to_numpy(), index=anciens["ancien_code"].to_numpy()),
            pd.Series(arrondissements, dtype="str"),
        ]
    )
    table_communes = table_communes[~table_communes.index.duplicated()].astype("str")
    postaux = referentiel.codes_postaux[referentiel.codes_postaux["commune"].isin(codes.index)]
    postaux = postaux.assign(population=communes["population"].reindex(postaux["commune"]).to_numpy())
    # La plus peuplée ; à égalité, le plus petit code INSEE (déterministe).
    postaux = postaux.sort_values(["code_postal", "population", "commune"], ascending=[True, False, True])
    principale = postaux.drop_duplicates("code_postal").set_index("code_postal")["commune"].astype("str")
    par_departement = communes.groupby("departement")["nom"].size()
    seules_deps = par_departement.index[par_departement == 1]
    seules = pd.Series(
        communes.index[communes["departement"].isin(seules_deps)].to_numpy(),
        index=communes.loc[communes["departement"].isin(seules_deps), "departement"].to_numpy(),
        dtype="str",
    )
    tables = _Tables(
        communes=table_communes,
        postaux=principale,
        nb_communes_postal=postaux.groupby("code_postal")["commune"].nunique(),
        departement_commune=communes["departement"].astype("str"),
        region_commune=communes["region"].astype("str"),
        region_departement=referentiel.departements["region"].astype("str"),
        departements=referentiel.departements.index,
        regions=referentiel.regions.index,
        commune_seule_departement=seules,
    )
    _CACHE_TABLES[id(referentiel)] = (communes, tables)
    return tables


def _prefixe_departement(codes: pd.Series, *, postal: bool) -> pd.Series:
    """Département d'un code commune ou postal à 5 caractères, d'après son préfixe (sans vérifier qu'il existe)."""
    deux = codes.str.slice(0, 2)
    trois = codes.str.slice(0, 3)
    numero = pd.to_numeric(codes.where(codes.str.fullmatch(r"\d{5}", na=False)), errors="coerce")
    corse_postale = np.where(numero < 20200, "2A", "2B")  # 200xx-201xx : Corse-du-Sud ; 202xx, 206xx : Haute-Corse
    resultat = np.select(
        [deux.isin(["97", "98"]).to_numpy(), ((deux == "20") & postal).to_numpy()],
        [trois.to_numpy(), corse_postale],
        deux.to_numpy(),
    )
    return pd.Series(resultat, index=codes.index, dtype="str").where(codes.str.len() == 5)


def _placer_lieux(lieux: pd.DataFrame, tables: _Tables) -> pd.DataFrame:
    """Place des couples (type, code) distincts. Colonnes rendues : COLONNES_PLACEMENT."""
    type_brut = lieux["lieu_type"]
    cles_types = type_brut.fillna("").map({t: _cle(t) for t in pd.unique(type_brut.fillna(""))}).astype("str")
    genre = cles_types.map(_TYPES_LIEU).fillna("inconnu").astype("str")
    code = lieux["lieu_code"].fillna("").astype("str").str.strip().str.upper().str.replace(r"\s", "", regex=True)
    code = code.str.replace(r"\.0$", "", regex=True)  # `1053.0` écrit par un tableur
    vide = code == ""

    # Zéro initial perdu : `1053` → `01053` (commune, code postal), `1` → `01` (département).
    court5 = code.str.fullmatch(r"\d{4}") & genre.isin(["commune", "code_postal", ""])
    court2 = code.str.fullmatch(r"\d") & genre.isin(["departement", "region", ""])
    code5 = code.where(~court5, "0" + code)
    code5 = code5.where(~court2, "0" + code5)
    repare = court5 | court2

    par_insee = code5.map(tables.communes)
    ancien = par_insee.notna() & (par_insee != code5)
    arrondissement = code5.isin(list(_ARRONDISSEMENTS_MUNICIPAUX))
    par_postal = code5.map(tables.postaux)
    postal_partage = code5.map(tables.nb_communes_postal).fillna(0) > 1
    prefixe_insee = _prefixe_departement(code5, postal=False)
    prefixe_postal = _prefixe_departement(code5, postal=True)
    dep_connu = lambda s: s.where(s.isin(tables.departements))  # noqa: E731
    prefixe_insee, prefixe_postal = dep_connu(prefixe_insee), dep_connu(prefixe_postal)
    dep_direct = dep_connu(code5.where(code5 != "20"))
    dep_arrondissement = dep_connu(code5.str.slice(0, -1))
    dep_canton = dep_connu(code5.str.slice(0, -2))
    region_directe = code5.where(code5.isin(tables.regions))

    est = {g: (genre == g).to_numpy() for g in ("commune", "code_postal", "", "departement", "region", "pays",
                                                "arrondissement", "canton")}  # fmt: skip
    c_insee, c_postal = par_insee.notna().to_numpy(), par_postal.notna().to_numpy()
    p_insee, p_postal = prefixe_insee.notna().to_numpy(), prefixe_postal.notna().to_numpy()
    v = vide.to_numpy()
    # Une règle par ligne du tableau ; la première qui s'applique l'emporte. Remarques : `_REMARQUES`.
    dep_ok, dep_arr_ok, dep_canton_ok = (s.notna().to_numpy() for s in (dep_direct, dep_arrondissement, dep_canton))
    corse = (code5 == "20").to_numpy()
    regles = [
        # (condition,                                 niveau,       commune,    département,  région, remarque)
        (v,                                           "non_place",   None,       None,         None,   ""),
        (est["commune"] & c_insee,                    "commune",     par_insee,  None,         None,   ""),
        (est["commune"] & c_postal,                   "code_postal", par_postal, None,         None,   "commune_postal"),
        (est["commune"] & p_insee,                    "departement", None,       prefixe_insee, None,  "commune_prefixe"),
        (est["code_postal"] & c_postal,               "code_postal", par_postal, None,         None,   ""),
        (est["code_postal"] & c_insee,                "commune",     par_insee,  None,         None,   "postal_commune"),
        (est["code_postal"] & p_postal,               "departement", None,       prefixe_postal, None, "postal_prefixe"),
        (est[""] & c_insee,                           "commune",     par_insee,  None,         None,   "absent_commune"),
        (est[""] & c_postal,                          "code_postal", par_postal, None,         None,   "absent_postal"),
        (est[""] & dep_ok,                            "departement", None,       dep_direct,   None,   "absent_departement"),
        (est["departement"] & dep_ok,                 "departement", None,       dep_direct,   None,   ""),
        ((est["departement"] | est[""]) & corse,      "region",      None,       None,         "94",   "corse"),
        (est["arrondissement"] & dep_arr_ok,          "departement", None,       dep_arrondissement, None, "arrondissement"),
        (est["canton"] & dep_canton_ok,               "departement", None,       dep_canton,   None,   "canton"),
        (est["region"] & region_directe.notna().to_numpy(), "region", None,      None,   region_directe, ""),
    ]  # fmt: skip
    n = len(lieux)
    niveau = np.full(n, "non_place", dtype=object)
    commune = pd.Series(pd.NA, index=lieux.index, dtype="str")
    departement = pd.Series(pd.NA, index=lieux.index, dtype="str")
    region = pd.Series(pd.NA, index=lieux.index, dtype="str")
    remarque = np.full(n, "", dtype=object)
    fait = np.zeros(n, dtype=bool)
    for condition, niv, com, dep, reg, rem in regles:
        m = condition & ~fait
        if not m.any():
            continue
        niveau[m] = niv
        remarque[m] = _REMARQUES.get(rem, "")
        for cible, valeur in ((commune, com), (departement, dep), (region, reg)):
            if valeur is None:
                continue
            cible[m] = valeur[m].to_numpy() if isinstance(valeur, pd.Series) else valeur
        fait |= m

    # Département d'une seule commune (Paris) : le marché est placé sur cette commune.
    unique = departement.map(tables.commune_seule_departement)
    m = (unique.notna() & commune.isna()).to_numpy()
    if m.any():
        commune[m] = unique[m].to_numpy()
        niveau[m] = "commune"
        texte = "département d'une seule commune : placé sur cette commune"
        remarque[m] = np.where(remarque[m] == "", texte, remarque[m] + " ; " + texte)
    par_commune = commune.notna()
    departement = departement.where(~par_commune, commune.map(tables.departement_commune))
    region = region.where(departement.isna(), departement.map(tables.region_departement))
    region = region.where(~par_commune, commune.map(tables.region_commune))

    # Précisions ajoutées à la remarque : code réparé, ancien code, code postal partagé.
    remarque = pd.Series(remarque, index=lieux.index, dtype="str")
    ajouts = [
        (repare & pd.Series(fait, index=lieux.index), "zéro initial rétabli (« " + code + " » → « " + code5 + " »)"),
        (ancien & ~arrondissement & pd.Series(niveau == "commune", index=lieux.index),
         "ancien code " + code5 + " → commune " + commune.fillna("")),
        (ancien & arrondissement & pd.Series(niveau == "commune", index=lieux.index),
         "arrondissement municipal " + code5 + " → commune " + commune.fillna("")),
        (postal_partage & pd.Series(niveau == "code_postal", index=lieux.index),
         "code postal " + code5 + " partagé par plusieurs communes : rattaché à la plus peuplée (" + commune.fillna("") + ")"),
    ]  # fmt: skip
    for masque, texte in ajouts:
        m = masque.to_numpy(bool)
        if m.any():
            avant = remarque[m]
            remarque[m] = np.where(avant == "", texte[m], avant + " ; " + texte[m])

    # Motifs des non placés.
    code_cite = "« " + lieux["lieu_code"].fillna("").astype("str") + " »"
    type_cite = "« " + type_brut.fillna("").astype("str") + " »"
    france = code5.isin(_PAYS_FRANCE)
    motifs = np.select(
        [
            v,
            est["pays"] & france.to_numpy(),
            est["pays"],
            est["commune"],
            est["code_postal"],
            est[""],
            est["departement"] | est["arrondissement"] | est["canton"],
            est["region"],
        ],
        [
            "lieu d'exécution absent",
            ("pays entier (" + code_cite + ") : pas de territoire plus précis").to_numpy(),
            ("exécution hors de France (pays " + code_cite + ")").to_numpy(),
            ("code commune inconnu du COG 2026 : " + code_cite).to_numpy(),
            ("code postal inconnu : " + code_cite).to_numpy(),
            ("type de code absent et code non reconnu : " + code_cite).to_numpy(),
            ("code département inconnu : " + code_cite).to_numpy(),
            ("code région inconnu : " + code_cite).to_numpy(),
        ],
        ("type de code " + type_cite + " non reconnu (code " + code_cite + ")").to_numpy(),
    )
    motif = pd.Series(np.where(niveau == "non_place", motifs, ""), index=lieux.index, dtype="str")
    return pd.DataFrame(
        {
            "commune": commune,
            "departement": departement,
            "region": region,
            "niveau_placement": pd.Series(niveau, index=lieux.index, dtype="str"),
            "motif_non_place": motif.where(motif != ""),
            "remarque": remarque.where(remarque != ""),
        }
    )


def placer_contrats(contrats: pd.DataFrame, *, referentiel: Referentiel) -> pd.DataFrame:
    """Place chaque marché sur une commune, ou à défaut un département ou une région (règles du module).

    Vectorisé : le placement est calculé une fois par couple (type de code, code) distinct puis
    rapporté aux marchés par jointure.

    Parameters
    ----------
    contrats : `ContratsDecp.contrats` (au moins `lieu_type` et `lieu_code`).
    referentiel : géographie de référence (COG 2026) : communes, départements, régions, codes
        postaux, anciens codes.

    Returns
    -------
    pandas.DataFrame
        Les marchés, même index, avec en plus : `commune` (code INSEE en vigueur ou <NA>),
        `departement`, `region` (codes ou <NA>), `niveau_placement` (`commune`, `code_postal`,
        `departement`, `region`, `non_place`), `motif_non_place` (phrase, <NA> si placé),
        `remarque` (correction appliquée, <NA> sinon).

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> c = pd.DataFrame({"lieu_type": ["Code postal"], "lieu_code": ["97400"]})
    >>> placer_contrats(c, referentiel=charger_referentiel()).loc[0, ["commune", "region"]].tolist()
    ['97411', '04']
    """
    lieux = contrats[["lieu_type", "lieu_code"]].drop_duplicates().reset_index(drop=True)
    places = _placer_lieux(lieux, _tables(referentiel))
    table = pd.concat([lieux, places], axis=1)
    cle = ["lieu_type", "lieu_code"]
    resultat = contrats.drop(columns=[c for c in COLONNES_PLACEMENT if c in contrats.columns]).merge(
        table, on=cle, how="left", sort=False
    )
    resultat.index = contrats.index
    return resultat


def contrats_non_places(places: pd.DataFrame) -> pd.DataFrame:
    """Les marchés non placés, avec leur motif (colonnes utiles à l'affichage et à l'export)."""
    colonnes = ["ligne", "id", "acheteur_siret", "type_acheteur", "objet", "montant", "lieu_type", "lieu_code",
                "motif_non_place"]  # fmt: skip
    return places.loc[places["niveau_placement"] == "non_place", colonnes]


def resume_placement(places: pd.DataFrame) -> pd.DataFrame:
    """Nombre et montant des marchés par niveau de placement (index `niveau_placement`, + `libelle`, `part`)."""
    groupes = places.groupby("niveau_placement", observed=True).agg(
        nb_marches=("niveau_placement", "size"), montant_total=("montant", "sum")
    )
    resume = groupes.reindex(list(NIVEAUX_PLACEMENT), fill_value=0)
    resume["nb_marches"] = resume["nb_marches"].astype("int64")
    resume["part"] = resume["nb_marches"] / max(len(places), 1)
    resume.insert(0, "libelle", [LIBELLES_PLACEMENT[n] for n in resume.index])
    return resume


# ============================================================================================
# Indicateurs
# ============================================================================================


def _agreger(marches: pd.DataFrame, code: pd.Series) -> pd.DataFrame:
    """Sommes par territoire ; `code` aligné sur `marches`."""
    etat = (marches["type_acheteur"] == "etat").to_numpy()
    coll = (marches["type_acheteur"] == "collectivite").to_numpy()
    montant = marches["montant"].to_numpy("float64")
    connue = marches["a_consideration_sociale"].notna().to_numpy()
    sociale = marches["a_consideration_sociale"].fillna(False).to_numpy(bool)
    montant0 = np.nan_to_num(montant)
    table = pd.DataFrame(
        {
            "code": code.to_numpy(),
            "nb_marches": 1,
            "montant_total": montant0,
            "nb_sans_montant": np.isnan(montant).astype("int64"),
            "nb_marches_etat": etat.astype("int64"),
            "montant_etat": np.where(etat, montant0, 0.0),
            "nb_marches_collectivites": coll.astype("int64"),
            "montant_collectivites": np.where(coll, montant0, 0.0),
            "nb_marches_autres": (~etat & ~coll).astype("int64"),
            "nb_consideration_connue": connue.astype("int64"),
            "nb_consideration_sociale": sociale.astype("int64"),
            "nb_consideration_connue_etat": (connue & etat).astype("int64"),
            "nb_consideration_sociale_etat": (sociale & etat).astype("int64"),
            "nb_sans_commune": marches["commune"].isna().to_numpy().astype("int64"),
        }
    )
    return table.groupby("code", sort=True).sum()


def indicateurs_marches(places: pd.DataFrame, *, referentiel: Referentiel, niveau: NiveauGeo) -> pd.DataFrame:
    """Indicateurs de commande publique par territoire du niveau demandé.

    Un marché placé sur une commune compte pour sa commune, son EPCI, son département et sa
    région ; un marché placé au seul département compte pour le département et la région ; un
    marché placé à la seule région, pour la région. Les non placés ne comptent nulle part (voir
    `resume_placement` et `contrats_non_places`).

    Parameters
    ----------
    places : sortie de `placer_contrats`.
    referentiel : géographie de référence ; donne l'EPCI de chaque commune et la liste des
        territoires (tous figurent dans le résultat, à 0 s'ils n'ont aucun marché).
    niveau : `commune`, `epci`, `departement` ou `region`.

    Returns
    -------
    pandas.DataFrame
        Index `code` (tous les territoires du niveau). Colonnes : `nb_marches`, `montant_total`
        (€ HT), `nb_sans_montant`, `nb_marches_etat`, `montant_etat` (€ HT),
        `nb_marches_collectivites`, `montant_collectivites` (€ HT), `nb_marches_autres`,
        `nb_consideration_connue`, `nb_consideration_sociale`, `part_consideration_sociale`
        (0 à 1, NaN si aucune considération connue), `part_consideration_sociale_etat`,
        `ecart_objectif_pnad` (part − 0,30) et, aux niveaux département et région,
        `nb_sans_commune`.

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> ref = charger_referentiel()
    >>> c = pd.DataFrame({"lieu_type": ["Code commune"], "lieu_code": ["01053"], "type_acheteur": ["etat"],
    ...                   "montant": [1000.0], "a_consideration_sociale": pd.array([True], dtype="boolean")})
    >>> ind = indicateurs_marches(placer_contrats(c, referentiel=ref), referentiel=ref, niveau="departement")
    >>> ind.loc["01", ["nb_marches", "montant_etat", "part_consideration_sociale"]].tolist()
    [1.0, 1000.0, 1.0]
    """
    if niveau not in ("commune", "epci", "departement", "region"):
        raise ValueError(f"niveau « {niveau} » inconnu (attendu : commune, epci, departement ou region).")
    if niveau in ("commune", "epci"):
        marches = places[places["commune"].notna()]
        code = marches["commune"]
        if niveau == "epci":
            code = code.map(referentiel.communes["epci"])
            marches, code = marches[code.notna()], code[code.notna()]
    else:
        marches = places[places[niveau].notna()]
        code = marches[niveau]
    territoires = referentiel.table(niveau).index
    table = _agreger(marches, code).reindex(territoires, fill_value=0)
    table.index.name = "code"
    entiers = [c for c in table.columns if c.startswith("nb_")]
    table[entiers] = table[entiers].astype("int64")
    connues = table["nb_consideration_connue"].where(table["nb_consideration_connue"] > 0)
    table["part_consideration_sociale"] = table["nb_consideration_sociale"] / connues
    connues_etat = table["nb_consideration_connue_etat"].where(table["nb_consideration_connue_etat"] > 0)
    table["part_consideration_sociale_etat"] = table["nb_consideration_sociale_etat"] / connues_etat
    table["ecart_objectif_pnad"] = table["part_consideration_sociale"] - OBJECTIF_PNAD
    table = table.drop(columns=["nb_consideration_connue_etat", "nb_consideration_sociale_etat"])
    if niveau in ("commune", "epci"):
        table = table.drop(columns="nb_sans_commune")
    return table


# ============================================================================================
# Vue « achats » d'un territoire
# ============================================================================================


def perimetre_achats(referentiel: Referentiel, *, niveau: NiveauGeo, code: str) -> dict[str, list[str]]:
    """Ce qu'il faut passer à `vue_achats` pour un territoire : ses communes, et ses départements et région
    s'il en contient d'entiers (pour y inclure les marchés placés au seul département ou à la seule région).

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> p = perimetre_achats(charger_referentiel(), niveau="departement", code="2A")
    >>> p["departements"], p["regions"], len(p["codes_communes"]) > 100
    (['2A'], [], True)
    """
    communes = referentiel.communes
    if niveau == "commune":
        return {"codes_communes": [code], "departements": [], "regions": []}
    if niveau == "epci":
        return {"codes_communes": communes.index[communes["epci"] == code].tolist(), "departements": [], "regions": []}
    if niveau == "departement":
        return {"codes_communes": communes.index[communes["departement"] == code].tolist(), "departements": [code],
                "regions": []}  # fmt: skip
    if niveau == "region":
        deps = referentiel.departements.index[referentiel.departements["region"] == code].tolist()
        return {"codes_communes": communes.index[communes["region"] == code].tolist(), "departements": deps,
                "regions": [code]}  # fmt: skip
    raise ValueError(f"niveau « {niveau} » inconnu (attendu : commune, epci, departement ou region).")


def _resumer(groupe: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    table = groupe.agg(
        nb_marches=("montant", "size"),
        montant_total=("montant", "sum"),
        nb_marches_etat=("_etat", "sum"),
        nb_consideration_connue=("_connue", "sum"),
        nb_consideration_sociale=("_sociale", "sum"),
    )
    table["part_consideration_sociale"] = table["nb_consideration_sociale"] / table["nb_consideration_connue"].where(
        table["nb_consideration_connue"] > 0
    )
    return table


def vue_achats(
    places: pd.DataFrame,
    *,
    codes_communes: Sequence[str],
    departements: Sequence[str] = (),
    regions: Sequence[str] = (),
    nb_acheteurs: int = 10,
) -> dict[str, pd.DataFrame]:
    """Les tableaux de la page « commande publique » pour un territoire.

    Parameters
    ----------
    places : sortie de `placer_contrats`.
    codes_communes : communes du territoire (codes INSEE) ; leurs marchés sont retenus.
    departements : départements entiers du territoire : leurs marchés placés au seul département
        sont retenus aussi (voir `perimetre_achats`).
    regions : régions entières du territoire : idem pour les marchés placés à la seule région.
    nb_acheteurs : nombre d'acheteurs dans `top_acheteurs`.

    Returns
    -------
    dict[str, pandas.DataFrame]
        - `totaux` : une ligne : `nb_marches`, `montant_total` (€ HT), `nb_marches_etat`,
          `montant_etat`, `part_marches_etat`, `nb_consideration_connue`,
          `part_consideration_sociale`, `objectif_pnad` (0,30), `ecart_objectif_pnad`,
          `nb_consideration_inconnue`, `nb_sans_montant`, `nb_sans_date`, `nb_sans_commune` ;
        - `par_type_acheteur` : index `type_acheteur` (`etat`, `collectivite`, `autre`), colonnes
          `libelle`, `nb_marches`, `montant_total`, `part_montant`, `nb_consideration_connue`,
          `nb_consideration_sociale`, `part_consideration_sociale` ;
        - `par_mois` : index `mois` (premier jour du mois, datetime), colonnes `nb_marches`,
          `montant_total`, `nb_marches_etat`, `part_consideration_sociale` (mois sans marché
          inclus entre le premier et le dernier ; marchés sans date exclus) ;
        - `top_acheteurs` : les `nb_acheteurs` premiers acheteurs par montant : `acheteur_siren`,
          `acheteur_nom`, `type_acheteur`, `libelle_type`, `nb_marches`, `montant_total`,
          `part_consideration_sociale`.
    """
    dans = places["commune"].isin(list(codes_communes))
    dans |= places["commune"].isna() & places["departement"].isin(list(departements))
    dans |= places["departement"].isna() & places["region"].isin(list(regions))
    choix = places[dans.to_numpy()]
    marches = choix.assign(
        _etat=(choix["type_acheteur"] == "etat").astype("int64"),
        _connue=choix["a_consideration_sociale"].notna().astype("int64"),
        _sociale=choix["a_consideration_sociale"].fillna(False).astype("int64"),
    )

    par_type = _resumer(marches.groupby("type_acheteur", observed=True)).reindex(list(TYPES_ACHETEUR))
    par_type[["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]] = (
        par_type[["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]]
        .fillna(0)
        .astype("int64")
    )
    par_type["montant_total"] = par_type["montant_total"].fillna(0.0)
    total_montant = float(marches["montant"].sum())
    par_type["part_montant"] = par_type["montant_total"] / total_montant if total_montant else np.nan
    par_type.insert(0, "libelle", [LIBELLES_TYPE_ACHETEUR[t] for t in par_type.index])
    par_type = par_type.drop(columns="nb_marches_etat")
    par_type.index.name = "type_acheteur"

    dates = marches["date_notification"]
    avec_date = marches[dates.notna()]
    mois = avec_date["date_notification"].dt.to_period("M").dt.to_timestamp()
    par_mois = _resumer(avec_date.groupby(mois.rename("mois")))
    if len(par_mois):
        tous_mois = pd.date_range(par_mois.index.min(), par_mois.index.max(), freq="MS", name="mois")
        par_mois = par_mois.reindex(tous_mois)
        entiers = ["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]
        par_mois[entiers] = par_mois[entiers].fillna(0).astype("int64")
        par_mois["montant_total"] = par_mois["montant_total"].fillna(0.0)
    par_mois = par_mois.drop(columns=["nb_consideration_connue", "nb_consideration_sociale"])

    cle = marches["acheteur_siren"].fillna("inconnu")
    acheteurs = _resumer(marches.groupby(cle.rename("acheteur_siren")))
    infos = marches.assign(acheteur_siren=cle).groupby("acheteur_siren").agg(
        acheteur_nom=("acheteur_nom", "first"), type_acheteur=("type_acheteur", "first")
    )
    acheteurs = acheteurs.join(infos).reset_index()
    acheteurs = acheteurs.sort_values(["montant_total", "nb_marches", "acheteur_siren"], ascending=[False, False, True])
    top = acheteurs.head(nb_acheteurs).reset_index(drop=True)
    top["libelle_type"] = top["type_acheteur"].map(LIBELLES_TYPE_ACHETEUR)
    top = top[["acheteur_siren", "acheteur_nom", "type_acheteur", "libelle_type", "nb_marches", "montant_total",
               "part_consideration_sociale"]]  # fmt: skip

    nb = len(marches)
    connues = int(marches["_connue"].sum())
    part = marches["_sociale"].sum() / connues if connues else np.nan
    montant_etat = float(marches.loc[marches["_etat"] == 1, "montant"].sum())
    totaux = pd.DataFrame(
        {
            "nb_marches": [nb],
            "montant_total": [total_montant],
            "nb_marches_etat": [int(marches["_etat"].sum())],
            "montant_etat": [montant_etat],
            "part_marches_etat": [marches["_etat"].sum() / nb if nb else np.nan],
            "nb_consideration_connue": [connues],
            "part_consideration_sociale": [part],
            "objectif_pnad": [OBJECTIF_PNAD],
            "ecart_objectif_pnad": [part - OBJECTIF_PNAD],
            "nb_consideration_inconnue": [nb - connues],
            "nb_sans_montant": [int(marches["montant"].isna().sum())],
            "nb_sans_date": [int(dates.isna().sum())],
            "nb_sans_commune": [int(marches["commune"].isna().sum())],
        }
    )
    return {"totaux": totaux, "par_type_acheteur": par_type, "par_mois": par_mois, "top_acheteurs": top}


# ============================================================================================
# Ligne de commande
# ============================================================================================


_PAR_NIVEAU = {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région"}


def executer_decp(fichier: Path, sortie: Path, *, niveau: NiveauGeo = "commune", sirens_etat: Iterable[str] = ()) -> int:
    """`python -m coverage decp --fichier FICHIER --sortie SORTIE.csv [--niveau epci]`.

    Lit le fichier DECP, place les marchés, écrit les indicateurs des territoires qui ont au moins
    un marché dans `sortie` (CSV `;`, virgule décimale, UTF-8 avec BOM : s'ouvre tel quel dans un
    tableur français) et la liste des marchés non placés dans `<sortie>_non_places.csv`, puis
    affiche un résumé en français.

    Returns
    -------
    int
        0 si tout s'est bien passé, 1 si le fichier n'a pas pu être lu ou la sortie écrite.
    """
    from geo.reference import charger_referentiel

    fichier, sortie = Path(fichier), Path(sortie)
    try:
        lus = lire_decp_fichier(fichier, sirens_etat=sirens_etat)
    except ErreurLecture as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    referentiel = charger_referentiel()
    places = placer_contrats(lus.contrats, referentiel=referentiel)
    indicateurs = indicateurs_marches(places, referentiel=referentiel, niveau=niveau)
    indicateurs = indicateurs[indicateurs["nb_marches"] > 0]
    indicateurs.insert(0, "nom", referentiel.table(niveau)["nom"].reindex(indicateurs.index))
    non_places = contrats_non_places(places)
    chemin_non_places = sortie.with_name(f"{sortie.stem}_non_places.csv")
    try:
        sortie.parent.mkdir(parents=True, exist_ok=True)
        from coverage.documents.exports import exporter_csv  # formules échappées : les objets et ids viennent de tiers

        sortie.write_bytes(exporter_csv(indicateurs.round(4)))
        chemin_non_places.write_bytes(exporter_csv(non_places.round(2)))
    except OSError as exc:
        print(f"Erreur : impossible d'écrire {exc.filename} ({exc.strerror}).", file=sys.stderr)
        return 1

    resume = resume_placement(places)
    connues = places["a_consideration_sociale"].notna()
    part = places.loc[connues, "a_consideration_sociale"].astype(bool).mean() if connues.any() else np.nan
    etat = places["type_acheteur"] == "etat"
    lignes = [
        f"{fichier.name} : {format_nombre(lus.nb_contrats)} marchés lus"
        + (f" ({format_nombre(lus.doublons)} doublons retirés)" if lus.doublons else "") + ".",
        f"Montant total : {format_euros(places['montant'].sum())} HT ; État : {format_nombre(int(etat.sum()))} marchés, "
        f"{format_euros(places.loc[etat, 'montant'].sum())} HT.",
        f"Considération sociale : {format_pourcentage(part)} des {format_nombre(int(connues.sum()))} marchés renseignés "
        f"(objectif PNAD : {format_pourcentage(OBJECTIF_PNAD)}).",
        "Placement :",
    ]  # fmt: skip
    for niveau_placement, ligne in resume.iterrows():
        if ligne["nb_marches"]:
            lignes.append(f"  - {ligne['libelle']} : {format_nombre(ligne['nb_marches'])} ({format_pourcentage(ligne['part'])})")
    if len(non_places):
        lignes.append(f"{format_nombre(len(non_places))} marchés non placés, listés dans {chemin_non_places} ; motifs :")
        motifs = non_places["motif_non_place"].str.replace(r" : « .* »$| \(.*\)$", "", regex=True).value_counts()
        for motif, nb in motifs.head(8).items():
            lignes.append(f"  - {motif} : {format_nombre(nb)}")
    for message in lus.avertissements[:10]:
        lignes.append(f"Avertissement : {message}")
    if len(lus.avertissements) > 10:
        lignes.append(f"… et {len(lus.avertissements) - 10} autres avertissements.")
    lignes.append(f"Indicateurs par {_PAR_NIVEAU[niveau]} ({format_nombre(len(indicateurs))} territoires) écrits dans {sortie}.")
    print("\n".join(lignes))
    return 0
