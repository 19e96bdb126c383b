"""Où placer N ETP supplémentaires ? Les EPCI où ils couvriraient le plus de besoin non couvert.

Montants en euros (€), ETP en équivalents temps plein, populations en habitants.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne

HABITANTS_PAR_ETP_REFERENCE = 114_000.0
"""Capacité de référence d'un ETP de facilitateur, en habitants : environ 68,4 millions
d'habitants pour « environ 600 ETP » (appel, partie A). Convention à ajuster par l'utilisateur."""


def suggerer_placements(
    besoins: pd.DataFrame,
    *,
    etp_supplementaires: float | None = None,
    montant: float | None = None,
    pas_etp: float = 0.5,
    habitants_par_etp: float = HABITANTS_PAR_ETP_REFERENCE,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> pd.DataFrame:
    """EPCI où N ETP supplémentaires couvriraient le plus de besoin non couvert (glouton par pas).

    Modèle : chaque pas de `pas_etp` ETP placé dans un EPCI couvre au plus
    `pas_etp × habitants_par_etp` habitants de sa population non couverte ; le besoin couvert
    est proportionnel (`besoin_non_couvert × habitants couverts / population_non_couverte`).
    Le glouton place chaque pas là où le besoin marginal est le plus grand. Comme le besoin
    marginal d'un EPCI décroît de pas en pas, le glouton revient à retenir les N plus grands
    besoins marginaux de tous les EPCI : c'est ce qui est calculé, sans boucle. Égalités : code
    EPCI croissant.

    Parameters
    ----------
    besoins : pd.DataFrame
        Une ligne par EPCI : `code` (SIREN, colonne ou index), `population` (hab.),
        `population_non_couverte` (hab.), `etp_actuels` (ETP), et en option
        `besoin_non_couvert` (toute unité ; par défaut la population non couverte) et `nom`.
    etp_supplementaires : float, optional
        ETP à placer (arrondi au pas inférieur).
    montant : float, optional
        Ou un montant en € : ETP = montant / plafond par ETP (29 473 €), arrondi au pas inférieur.
    pas_etp : float
        Pas de placement, en ETP (0,5 : le minimum d'un projet).
    habitants_par_etp : float
        Habitants qu'un ETP peut couvrir.
    parametres : ParametresCampagne

    Returns
    -------
    pd.DataFrame
        Une ligne par EPCI retenu, triée par ETP ajoutés puis besoin couvert : `code`, `nom`
        (si fourni), `etp_actuels`, `etp_ajoutes`, `etp_apres`, `population`,
        `population_nouvellement_couverte`, `population_non_couverte_apres`, `besoin_couvert`,
        `etp_pour_100k_avant`, `etp_pour_100k_apres` (ETP pour 100 000 habitants).
        Les ETP qui ne couvriraient plus aucun besoin ne sont pas placés.

    Raises
    ------
    ValueError
        Ni `etp_supplementaires` ni `montant`, ou les deux ; colonne manquante.
    """
    if (etp_supplementaires is None) == (montant is None):
        raise ValueError("Indiquez soit `etp_supplementaires` (ETP), soit `montant` (€), pas les deux.")
    if pas_etp <= 0 or habitants_par_etp <= 0:
        raise ValueError(f"`pas_etp` ({pas_etp}) et `habitants_par_etp` ({habitants_par_etp}) doivent être strictement positifs.")
    table = besoins.reset_index() if "code" not in besoins.columns else besoins.reset_index(drop=True)
    manquantes = [c for c in ("code", "population", "population_non_couverte", "etp_actuels") if c not in table.columns]
    if manquantes:
        raise ValueError("Table des besoins par EPCI : colonnes manquantes " + ", ".join(f"`{c}`" for c in manquantes) + ".")
    etp_total = etp_supplementaires if etp_supplementaires is not None else float(montant) / parametres.plafond_etp
    nb_pas = int(math.floor(max(float(etp_total), 0.0) / pas_etp + 1e-9))

    code = table["code"].astype(str).to_numpy()
    non_couverte = table["population_non_couverte"].astype(float).fillna(0.0).clip(lower=0.0).to_numpy()
    besoin = (
        table["besoin_non_couvert"].astype(float).fillna(0.0).clip(lower=0.0).to_numpy()
        if "besoin_non_couvert" in table.columns
        else non_couverte
    )
    densite = np.divide(besoin, non_couverte, out=np.zeros_like(besoin), where=non_couverte > 0)
    capacite = pas_etp * habitants_par_etp

    # Pas utiles par EPCI (au plus nb_pas), puis tous les pas candidats à plat.
    n_pas = np.minimum(np.ceil(non_couverte / capacite - 1e-12), nb_pas).astype(int)
    n_pas[densite <= 0] = 0
    epci = np.repeat(np.arange(len(table)), n_pas)
    debut_groupe = np.repeat(np.cumsum(n_pas) - n_pas, n_pas)
    j = np.arange(len(epci)) - debut_groupe
    couverts = np.clip(non_couverte[epci] - j * capacite, 0.0, capacite)
    marginal = couverts * densite[epci]
    ordre = np.lexsort((j, code[epci], -marginal))[:nb_pas]
    retenus = pd.DataFrame({"epci": epci[ordre], "couverts": couverts[ordre], "besoin": marginal[ordre]})
    par_epci = retenus.groupby("epci").agg(pas=("couverts", "size"), couverts=("couverts", "sum"), besoin=("besoin", "sum"))

    sortie = table.loc[par_epci.index, [c for c in ("code", "nom") if c in table.columns]].copy()
    sortie["code"] = sortie["code"].astype(str)
    population = table.loc[par_epci.index, "population"].astype(float)
    avant = table.loc[par_epci.index, "etp_actuels"].astype(float).fillna(0.0)
    sortie["etp_actuels"] = avant
    sortie["etp_ajoutes"] = par_epci["pas"] * pas_etp
    sortie["etp_apres"] = avant + sortie["etp_ajoutes"]
    sortie["population"] = population
    sortie["population_nouvellement_couverte"] = par_epci["couverts"]
    sortie["population_non_couverte_apres"] = non_couverte[par_epci.index] - par_epci["couverts"]
    sortie["besoin_couvert"] = par_epci["besoin"]
    par_100k = np.where(population > 0, 100_000.0 / population.where(population > 0, 1.0), np.nan)
    sortie["etp_pour_100k_avant"] = avant * par_100k
    sortie["etp_pour_100k_apres"] = sortie["etp_apres"] * par_100k
    return sortie.sort_values(["etp_ajoutes", "besoin_couvert", "code"], ascending=[False, False, True]).reset_index(drop=True)
