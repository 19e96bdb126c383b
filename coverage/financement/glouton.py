"""Le glouton de l'optimisation : la plus grande couverture par euro, dossier après dossier.

Base de comparaison et point de départ du solveur : `glouton(modele, …)` finance les dossiers
imposés, puis, tant qu'il en reste qui tiennent dans les enveloppes, celui qui apporte le plus de
valeur (poids des communes encore non couvertes + valeur des postes maintenus) par centime
demandé, en totalité. Évaluation paresseuse : l'apport d'un dossier ne peut que baisser quand
d'autres sont financés, on ne le recalcule que lorsqu'il arrive en tête du tas.

Montants en centimes (entiers).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np

from coverage.financement.optimisation_modele import Modele


def glouton(
    modele: Modele, *, enveloppe_centimes: int, enveloppes_regionales_centimes: Mapping[str, int]
) -> np.ndarray:
    """Dossiers candidats financés en totalité par le glouton (booléens alignés sur le modèle).

    Les dossiers imposés (`modele.fixes`) sont pris d'abord, les exclus (`modele.interdits`)
    jamais ; à apport par centime égal, le mieux classé (rang) passe d'abord. S'arrête quand
    plus aucun dossier qui tient n'apporte de valeur.
    """
    colonnes = modele.incidence.tocsc()
    choisi = modele.fixes.copy()
    couvert = np.zeros(modele.m, dtype=bool)
    for i in np.flatnonzero(choisi):
        couvert[colonnes.indices[colonnes.indptr[i] : colonnes.indptr[i + 1]]] = True
    restant = enveloppe_centimes - int(modele.centimes[choisi].sum())
    restant_regions = {r: int(c) - int(modele.centimes[choisi & (modele.regions == r)].sum())
                       for r, c in enveloppes_regionales_centimes.items()}

    def apport(i: int) -> float:
        groupes = colonnes.indices[colonnes.indptr[i] : colonnes.indptr[i + 1]]
        return float(modele.poids_groupes[groupes][~couvert[groupes]].sum()) + float(modele.valeur_postes[i])

    tas = [(-apport(i) / max(int(modele.centimes[i]), 1), modele.rang[i], i)
           for i in np.flatnonzero(~choisi & ~modele.interdits)]
    heapq.heapify(tas)
    while tas:
        ratio, rang, i = heapq.heappop(tas)
        cout = int(modele.centimes[i])
        region = modele.regions[i]
        if cout > restant or cout > restant_regions.get(region, restant):
            continue  # les reliquats ne font que baisser : il ne tiendra plus
        actuel = -apport(i) / max(cout, 1)
        if actuel >= 0:
            continue
        if tas and actuel > tas[0][0] + 1e-15:
            heapq.heappush(tas, (actuel, rang, i))  # apport périmé : remis à sa place
            continue
        choisi[i] = True
        couvert[colonnes.indices[colonnes.indptr[i] : colonnes.indptr[i + 1]]] = True
        restant -= cout
        if region in restant_regions:
            restant_regions[region] -= cout
    return choisi


def solution_de_depart(modele: Modele, choisi: np.ndarray) -> np.ndarray:
    """Vecteur des variables (z, x, y) d'une sélection de dossiers financés en totalité."""
    v = np.zeros(modele.n_variables)
    v[modele.col_z + np.flatnonzero(choisi)] = 1.0
    v[modele.col_x + np.flatnonzero(choisi)] = 1.0
    couverts = np.asarray(modele.incidence[:, choisi].sum(axis=1)).ravel() > 0 if modele.m else np.zeros(0, bool)
    v[modele.col_y + np.flatnonzero(couverts)] = 1.0
    return v
