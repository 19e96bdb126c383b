"""Modèle des marchés publics (DECP) : constantes, indicateurs documentés, `ContratsDecp`, noms de champs.

N'importe que `coverage.modele` et `coverage.sources.lecture` (messages d'erreur) ; partagé par les
lecteurs, le placement et les indicateurs du paquet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from coverage.modele import DOSSIER_DEMO
from coverage.sources.lecture import ErreurLecture, Probleme

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


MAX_MESSAGES = 20

def cle_champ(nom: object) -> str:
    """Nom de champ réduit à ses lettres et chiffres, sans accent ni casse (`lieuExecution.code` → `lieuexecutioncode`)."""
    texte = unicodedata.normalize("NFKD", str(nom)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", texte.lower())


def trouver_colonnes(noms: Sequence[str], alias: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Champ du domaine → colonne du fichier : le premier alias présent, dans l'ordre des alias.

    Les noms sont comparés réduits par `cle_champ` (casse, accents, points, soulignés et espaces ignorés).
    """
    par_cle: dict[str, str] = {}
    for nom in noms:
        par_cle.setdefault(cle_champ(nom), nom)
    trouvees: dict[str, str] = {}
    for champ, candidats in alias.items():
        present = next((par_cle[c] for c in candidats if c in par_cle), None)
        if present is not None:
            trouvees[champ] = present
    return trouvees


def liste_messages(messages: list[str], reste: str) -> list[str]:
    """Au plus `MAX_MESSAGES` messages, puis un message qui compte les autres."""
    if len(messages) <= MAX_MESSAGES:
        return messages
    return messages[:MAX_MESSAGES] + [reste.format(n=len(messages) - MAX_MESSAGES)]


def erreur_fichier(nom_fichier: str, message: str, *, ligne: int | None = None) -> ErreurLecture:
    return ErreurLecture(Probleme(nom_fichier, ligne, None, None, message))

