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

Organisation du paquet : `modele` (constantes, `ContratsDecp`, indicateurs documentés), `lecture`
(reconnaissance du format) avec `lecture_json` et `lecture_csv`, `normalisation` (commune aux deux
formats), `placement`, `indicateurs` (indicateurs par territoire, vue « achats »),
`ligne_de_commande`. N'importe, du domaine, que `coverage.modele`, `coverage.sources.lecture` et les
feuilles `coverage.documents.format` / `coverage.documents.exports`.
"""

from __future__ import annotations

from coverage.sources.decp.indicateurs import indicateurs_marches, perimetre_achats, vue_achats
from coverage.sources.decp.lecture import charger_decp_demo, lire_decp, lire_decp_fichier
from coverage.sources.decp.ligne_de_commande import executer_decp
from coverage.sources.decp.modele import (
    COLONNES_CONTRATS,
    COLONNES_PLACEMENT,
    FICHIER_DEMO_DECP,
    INDICATEURS_MARCHES,
    LIBELLES_PLACEMENT,
    LIBELLES_TYPE_ACHETEUR,
    OBJECTIF_PNAD,
    SOURCE_DEMO_DECP,
    ContratsDecp,
    Indicateur,
)
from coverage.sources.decp.normalisation import classer_considerations, type_acheteur
from coverage.sources.decp.placement import contrats_non_places, placer_contrats, resume_placement
from coverage.sources.lecture import ErreurLecture

__all__ = [
    "COLONNES_CONTRATS",
    "COLONNES_PLACEMENT",
    "FICHIER_DEMO_DECP",
    "ContratsDecp",
    "ErreurLecture",
    "INDICATEURS_MARCHES",
    "Indicateur",
    "LIBELLES_PLACEMENT",
    "LIBELLES_TYPE_ACHETEUR",
    "OBJECTIF_PNAD",
    "SOURCE_DEMO_DECP",
    "charger_decp_demo",
    "classer_considerations",
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

