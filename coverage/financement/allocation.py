"""Allocation de l'enveloppe de l'appel à projets entre les dossiers éligibles.

Deux modes, sur la table rendue par `coverage.financement.regles.evaluer_dossiers` :

1. `allouer_priorite` — l'ordre de priorité de l'appel, lisible en comité de sélection :
   les dossiers éligibles sont classés (structure financée par le PNAD en 2022, 2023 et 2024,
   puis couverture des zones blanches et des grands projets, puis orientation vers les marchés
   de l'État, puis score du comité, enfin `id_dossier`), et financés à leur montant maximal dans
   cet ordre jusqu'à épuisement de l'enveloppe (voir la fonction pour le dossier qui ne tient
   pas).
2. `allouer_optimisation` — un programme linéaire en nombres entiers (couverture maximale sous
   budget, `scipy.optimize.milp`, solveur HiGHS) qui choisit les dossiers couvrant le plus de
   besoin non couvert (poids des communes : population des zones blanches…), chaque commune
   comptée une seule fois même si plusieurs dossiers la couvrent.

`comparer` liste les dossiers dont le financement diffère entre deux allocations ;
`objectif_couverture` évalue n'importe quelle allocation sur la fonction objectif de
l'optimisation ; `suggerer_placements` indique les EPCI où N ETP supplémentaires couvriraient le
plus de besoin.

Le code vit dans un module par mode : `allocation_commune` (résultat, options, préparation,
objectif, comparaison), `allocation_priorite` (mode 1), `optimisation` (mode 2, le MILP, une
fonction par famille de contraintes) et `placements` ; ce module les rassemble pour les pages et
la ligne de commande.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein. Aucun paramètre infaisable ne
lève d'exception : le résultat porte `faisable=False` et des messages en français. Seules les
erreurs de programmation (colonne absente) lèvent `ValueError`.
"""

from coverage.financement.allocation_commune import (
    OptionsSolveur,
    ResultatAllocation,
    StatutFinancement,
    comparer,
    objectif_couverture,
)
from coverage.financement.allocation_priorite import allouer_priorite
from coverage.financement.optimisation import allouer_optimisation
from coverage.financement.placements import HABITANTS_PAR_ETP_REFERENCE, suggerer_placements

__all__ = [
    "HABITANTS_PAR_ETP_REFERENCE",
    "OptionsSolveur",
    "ResultatAllocation",
    "StatutFinancement",
    "allouer_optimisation",
    "allouer_priorite",
    "comparer",
    "objectif_couverture",
    "suggerer_placements",
]
