"""Appartenance commune → territoires (EPCI, EPT, département, région) en tableaux d'entiers.

Partagée par le moteur de couverture (`coverage.territoires.couverture`) et par le contrôle des
extensions limitrophes (`geo.voisinage`) : un périmètre (lignes `niveau`, `code`) est développé
en positions de communes dans `referentiel.communes`, sans boucle sur les lignes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.reference import Referentiel

_APPARTENANCE: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}


def table_appartenance(referentiel: Referentiel) -> pd.DataFrame:
    """Table longue (niveau, code, commune, population) : chaque territoire avec ses communes.

    Calculée une fois par référentiel (≈ 140 000 lignes pour la France entière).
    """
    communes = referentiel.communes
    cache = _APPARTENANCE.get(id(referentiel))
    if cache is not None and cache[0] is communes:
        return cache[1]
    base = pd.DataFrame({"commune": communes.index.to_numpy(), "population": communes["population"].to_numpy()})
    morceaux = []
    for niveau, colonne in (("commune", None), ("epci", "epci"), ("ept", "ept"), ("departement", "departement"), ("region", "region")):
        codes = base["commune"] if colonne is None else communes[colonne].to_numpy()
        morceaux.append(base.assign(niveau=niveau, code=codes))
    table = pd.concat(morceaux, ignore_index=True).dropna(subset=["code"])
    table = table.astype({"niveau": "category", "code": str, "commune": str})
    _APPARTENANCE[id(referentiel)] = (communes, table)
    return table


@dataclass(frozen=True)
class IndexAppartenance:
    """Appartenance commune → territoires en tableaux d'entiers (format CSR), pour développer vite.

    `cles` : « niveau|code » de chaque territoire ; les communes du territoire `k` sont
    `positions[debut[k] : debut[k] + longueur[k]]` (positions dans `referentiel.communes`).
    """

    cles: pd.Index
    debut: np.ndarray
    longueur: np.ndarray
    positions: np.ndarray
    population: np.ndarray
    codes: np.ndarray


_INDEX: dict[int, tuple[pd.DataFrame, IndexAppartenance]] = {}


def index_appartenance(referentiel: Referentiel) -> IndexAppartenance:
    """L'index CSR du référentiel, construit une fois (mis en cache par référentiel)."""
    communes = referentiel.communes
    cache = _INDEX.get(id(referentiel))
    if cache is not None and cache[0] is communes:
        return cache[1]
    table = table_appartenance(referentiel)
    cles = (table["niveau"].astype(str) + "|" + table["code"]).to_numpy(dtype=object)
    ids, uniques = pd.factorize(cles)
    ordre = np.argsort(ids, kind="stable")
    longueur = np.bincount(ids, minlength=len(uniques))
    debut = np.concatenate([[0], np.cumsum(longueur)[:-1]])
    positions = communes.index.get_indexer(table["commune"])[ordre]
    index = IndexAppartenance(
        cles=pd.Index(uniques, dtype=object),
        debut=debut,
        longueur=longueur,
        positions=positions,
        population=communes["population"].to_numpy(dtype=float),
        codes=communes.index.to_numpy(dtype=object),
    )
    _INDEX[id(referentiel)] = (communes, index)
    return index


def developper(perimetres: pd.DataFrame, idx: IndexAppartenance) -> tuple[np.ndarray, np.ndarray]:
    """(ligne de périmètre, position de commune) pour chaque commune de chaque ligne ; codes inconnus ignorés.

    `perimetres` : colonnes `niveau` et `code`, index quelconque (les lignes sont numérotées 0..n-1
    dans leur ordre).
    """
    cles = (perimetres["niveau"].astype(str) + "|" + perimetres["code"].astype(str)).to_numpy(dtype=object)
    k = idx.cles.get_indexer(cles)
    lignes = np.flatnonzero(k >= 0)
    k = k[lignes]
    n = idx.longueur[k]
    decalage = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return np.repeat(lignes, n), idx.positions[np.repeat(idx.debut[k], n) + decalage]
