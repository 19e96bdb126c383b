"""Mode 2 de l'allocation : couverture maximale sous budget, programme linéaire en nombres entiers.

`allouer_optimisation` choisit les dossiers couvrant le plus de besoin non couvert (poids des
communes : population des zones blanches…), chaque commune comptée une seule fois même si
plusieurs dossiers la couvrent (`scipy.optimize.milp`, solveur HiGHS). Le modèle est fait de
tableaux et d'index (`_Modele`) ; une fonction par famille de contraintes, dont la docstring
donne l'inégalité et l'unité ; le résultat n'est jamais moins bon que l'ordre de priorité.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.documents.format import format_euros, format_nombre
from coverage.financement.allocation_commune import (
    TOL_EUROS,
    OptionsSolveur,
    ResultatAllocation,
    StatutFinancement,
    check_communes,
    check_enveloppes,
    explication_ineligible,
    montant_minimum,
    objectif_couverture,
    preparer_base,
    resultat_infaisable,
    tableau_lignes,
)
from coverage.financement.allocation_priorite import allouer_priorite
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.plafonds import centimes_bas, format_etp


@dataclass(frozen=True)
class _Modele:
    """Le programme linéaire : tableaux et index, rien d'autre (construit par `_construire_modele`).

    Variables, dans cet ordre :
    - z[dossier] ∈ {0, 1} : le dossier est financé (n variables binaires) ;
    - x[dossier] ∈ [0, 1] : part du montant maximal attribuée (n variables continues), seulement
      si le financement partiel est permis ; sinon x = z (pas de variables en plus) ;
    - y[groupe] ∈ [0, 1] : le groupe de communes est couvert (m variables continues ; elles valent
      0 ou 1 à l'optimum puisque y ≤ somme de binaires et que l'objectif pousse y vers le haut).

    Un « groupe » rassemble les communes couvertes exactement par les mêmes dossiers candidats
    (son poids est la somme de leurs poids) : même modèle, beaucoup moins de lignes.
    """

    n: int
    m: int
    partiel: bool
    montants: np.ndarray  # montant maximal de chaque dossier candidat [€]
    etp: np.ndarray  # ETP demandés de chaque dossier candidat
    regions: np.ndarray
    incidence: sparse.csr_matrix  # groupes × dossiers, 1 si le dossier couvre le groupe
    poids_groupes: np.ndarray  # poids de chaque groupe (unité des poids)
    rang: np.ndarray  # rang de priorité (1 = premier)

    @property
    def n_variables(self) -> int:
        return self.n * (2 if self.partiel else 1) + self.m

    @property
    def col_z(self) -> int:
        return 0

    @property
    def col_x(self) -> int:
        """Première colonne des parts x (celle de z quand le financement partiel est exclu)."""
        return self.n if self.partiel else 0

    @property
    def col_y(self) -> int:
        return self.n * (2 if self.partiel else 1)


def _groupes_de_communes(
    communes_par_dossier: pd.DataFrame, ids_candidats: pd.Index, poids_communes: pd.Series
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Regroupe les communes de poids > 0 couvertes par les mêmes dossiers.

    La signature d'une commune est la somme (modulo 2^64) de deux hachages aléatoires fixes
    des dossiers qui la couvrent : deux communes ont la même signature si et seulement si elles
    sont couvertes par le même ensemble de dossiers (à une probabilité de collision près de
    l'ordre de 10^-29 pour 35 000 communes). Tout est vectorisé.

    Returns
    -------
    incidence : csr_matrix (groupes × dossiers candidats), valeurs 1.
    poids_groupes : np.ndarray, somme des poids des communes du groupe.
    """
    cpd = communes_par_dossier[["id_dossier", "commune"]].astype(str).drop_duplicates()
    colonne = ids_candidats.get_indexer(cpd["id_dossier"])
    poids = poids_communes.set_axis(poids_communes.index.astype(str)).astype(float)
    poids_ligne = poids.reindex(cpd["commune"]).fillna(0.0).to_numpy()
    garde = (colonne >= 0) & (poids_ligne > 0)
    colonne, communes = colonne[garde], cpd["commune"].to_numpy()[garde]
    if len(colonne) == 0:
        return sparse.csr_matrix((0, len(ids_candidats))), np.zeros(0)
    codes, commune_idx = np.unique(communes, return_inverse=True)
    poids_commune = poids.reindex(codes).to_numpy()
    alea = np.random.default_rng(20250715)
    hachages = alea.integers(0, np.iinfo(np.int64).max, size=(2, len(ids_candidats)), dtype=np.int64).astype(np.uint64)
    signature = np.zeros((len(codes), 2), dtype=np.uint64)
    for k in range(2):
        np.add.at(signature[:, k], commune_idx, hachages[k, colonne])
    _, groupe_de_commune = np.unique(signature, axis=0, return_inverse=True)
    groupe_de_commune = groupe_de_commune.ravel()
    m = int(groupe_de_commune.max()) + 1
    poids_groupes = np.bincount(groupe_de_commune, weights=poids_commune, minlength=m)
    paires = np.unique(np.stack([groupe_de_commune[commune_idx], colonne]), axis=1)
    incidence = sparse.csr_matrix(
        (np.ones(paires.shape[1]), (paires[0], paires[1])), shape=(m, len(ids_candidats))
    )
    return incidence, poids_groupes


def _construire_modele(
    base: pd.DataFrame,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    *,
    financement_partiel: bool,
) -> tuple[_Modele, np.ndarray]:
    """Modèle sur les dossiers candidats ; renvoie aussi leurs positions dans `base`."""
    positions = np.flatnonzero(base["candidat"].to_numpy())
    candidats = base.iloc[positions]
    incidence, poids_groupes = _groupes_de_communes(communes_par_dossier, pd.Index(candidats["id_dossier"]), poids_communes)
    modele = _Modele(
        n=len(candidats),
        m=len(poids_groupes),
        partiel=financement_partiel,
        montants=candidats["montant_max_aap"].to_numpy(dtype=float),
        etp=candidats["etp_demandes"].to_numpy(dtype=float),
        regions=candidats["region"].to_numpy(),
        incidence=incidence,
        poids_groupes=poids_groupes,
        rang=candidats["rang"].to_numpy(dtype=float),
    )
    return modele, positions


def _contrainte_enveloppe(modele: _Modele, enveloppe: float) -> LinearConstraint:
    """Enveloppe nationale : somme_i montant_max_i · x_i ≤ enveloppe   [€]."""
    a = sparse.csr_matrix(
        (modele.montants, (np.zeros(modele.n, dtype=int), modele.col_x + np.arange(modele.n))),
        shape=(1, modele.n_variables),
    )
    return LinearConstraint(a, -np.inf, enveloppe)


def _contraintes_regionales(modele: _Modele, enveloppes_regionales: Mapping[str, float]) -> LinearConstraint | None:
    """Enveloppes régionales : pour chaque région r listée,
    somme_{i de la région r} montant_max_i · x_i ≤ enveloppe_r   [€].

    Les régions absentes du dictionnaire n'ont pas de contrainte régionale.
    """
    regions = [r for r in sorted(enveloppes_regionales) if (modele.regions == r).any()]
    if not regions:
        return None
    ligne = pd.Index(regions).get_indexer(modele.regions)
    garde = ligne >= 0
    a = sparse.csr_matrix(
        (modele.montants[garde], (ligne[garde], modele.col_x + np.flatnonzero(garde))),
        shape=(len(regions), modele.n_variables),
    )
    return LinearConstraint(a, -np.inf, np.array([float(enveloppes_regionales[r]) for r in regions]))


def _contraintes_couverture(modele: _Modele) -> LinearConstraint | None:
    """Couverture : pour chaque groupe g, y_g − somme_{i couvre g} z_i ≤ 0   [sans unité].

    Un groupe n'est compté couvert (y_g = 1) que si au moins un dossier qui le couvre est
    financé ; deux dossiers sur les mêmes communes ne les comptent qu'une fois (y_g ≤ 1).
    """
    if modele.m == 0:
        return None
    a = sparse.hstack(
        [
            -modele.incidence,
            sparse.csr_matrix((modele.m, modele.col_y - modele.n)),
            sparse.identity(modele.m, format="csr"),
        ],
        format="csr",
    )
    return LinearConstraint(a, -np.inf, 0.0)


def _contraintes_financement_partiel(modele: _Modele, etp_minimum: float) -> LinearConstraint | None:
    """Financement partiel semi-continu, en ETP financés etp_i = etp_max_i · x_i :
    etp_minimum · z_i ≤ etp_max_i · x_i ≤ etp_max_i · z_i   [ETP],
    écrit en euros pour que le montant au centime respecte le minimum :
    montant_min_i · z_i − montant_max_i · x_i ≤ 0   [€]  (montant_min_i : 0,5 ETP, au centime supérieur)
    x_i − z_i ≤ 0   [part du montant maximal].

    Un dossier non retenu (z = 0) reçoit 0 ; un dossier retenu reçoit au moins 0,5 ETP.
    """
    if not modele.partiel or modele.n == 0:
        return None
    n = modele.n
    i = np.arange(n)
    lignes = np.concatenate([i, i, n + i, n + i])
    colonnes = np.concatenate([modele.col_z + i, modele.col_x + i, modele.col_z + i, modele.col_x + i])
    minimum = montant_minimum(modele.montants, modele.etp, etp_minimum)
    valeurs = np.concatenate([minimum, -modele.montants, -np.ones(n), np.ones(n)])
    a = sparse.csr_matrix((valeurs, (lignes, colonnes)), shape=(2 * n, modele.n_variables))
    return LinearConstraint(a, -np.inf, 0.0)


def _bornes(modele: _Modele, prioritaires: np.ndarray | None) -> Bounds:
    """0 ≤ z, x, y ≤ 1 ; dossiers prioritaires imposés : z_i = x_i = 1 (financés en totalité)."""
    bas = np.zeros(modele.n_variables)
    if prioritaires is not None and prioritaires.any():
        idx = np.flatnonzero(prioritaires)
        bas[modele.col_z + idx] = 1.0
        bas[modele.col_x + idx] = 1.0
    return Bounds(bas, np.ones(modele.n_variables))


def _objectif(modele: _Modele, enveloppe: float) -> np.ndarray:
    """Coefficients à minimiser (milp minimise) :
    − somme_g poids_g · y_g − ε · somme_i s_i · x_i,

    avec s_i = (montant_max_i / enveloppe) · (1 + (n − rang_i + 1) / n) : à couverture égale, on
    préfère dépenser l'enveloppe, et la dépenser sur les dossiers les mieux classés. ε est
    choisi pour que le terme secondaire total reste sous 0,001 × min(1, plus petit poids de
    groupe) : avec des poids entiers (populations), deux couvertures différentes diffèrent d'au
    moins 1, le terme secondaire ne peut donc pas faire perdre de couverture (à l'écart relatif
    toléré par le solveur près, `OptionsSolveur.mip_rel_gap`).
    """
    c = np.zeros(modele.n_variables)
    c[modele.col_y : modele.col_y + modele.m] = -modele.poids_groupes
    if modele.n:
        s = (modele.montants / max(enveloppe, 1.0)) * (1.0 + (modele.n - modele.rang + 1) / modele.n)
        positifs = modele.poids_groupes[modele.poids_groupes > 0]
        echelle = 1e-3 * min(1.0, positifs.min()) if len(positifs) else 1.0
        epsilon = echelle / max(s.sum(), 1e-12)
        c[modele.col_x : modele.col_x + modele.n] -= epsilon * s
    return c


_STATUTS_SCIPY = {
    0: "Solution optimale",
    1: "Limite atteinte (temps ou nœuds) : meilleure solution trouvée",
    2: "Infaisable",
    3: "Non borné",
    4: "Erreur du solveur",
}


def _montants_au_centime(modele: _Modele, part: np.ndarray, etp_minimum: float) -> np.ndarray:
    """Parts x du solveur → montants au centime [€], sans dépasser l'enveloppe.

    Part ≈ 1 (à 1e-7 près, tolérance du solveur) : montant maximal exact ; part au minimum
    (à un centime près) : montant minimal de 0,5 ETP exact ; autres parts : au centime inférieur.
    """
    montant = modele.montants * part
    minimum = montant_minimum(modele.montants, modele.etp, etp_minimum)
    au_minimum = (part > 0) & (np.abs(montant - minimum) < 0.01)
    return np.where(
        part >= 1 - 1e-7, modele.montants, np.where(au_minimum, minimum, np.where(part > 0, centimes_bas(montant), 0.0))
    )


def _check_prioritaires(
    base: pd.DataFrame, enveloppe: float, enveloppes_regionales: Mapping[str, float] | None, parametres: ParametresCampagne
) -> list[str]:
    """Les dossiers prioritaires tiennent-ils dans les enveloppes ? Messages d'infaisabilité sinon."""
    annees = ", ".join(str(a) for a in parametres.annees_pnad_prioritaires)
    prio = base[base["candidat"] & base["prioritaire_pnad"]]
    messages = []
    total = float(prio["montant_max_aap"].sum())
    if total > enveloppe + TOL_EUROS:
        messages.append(
            f"Infaisable : les {len(prio)} dossiers prioritaires (PNAD {annees}) demandent au total "
            f"{format_euros(total)}, plus que l'enveloppe de {format_euros(enveloppe)}. Décochez « financer les "
            "dossiers prioritaires » ou augmentez l'enveloppe."
        )
    for region, plafond in sorted((enveloppes_regionales or {}).items()):
        total_r = float(prio.loc[prio["region"] == str(region), "montant_max_aap"].sum())
        if total_r > float(plafond) + TOL_EUROS:
            messages.append(
                f"Infaisable : dans la région {region}, les dossiers prioritaires demandent {format_euros(total_r)}, "
                f"plus que l'enveloppe régionale de {format_euros(float(plafond))}."
            )
    return messages


def allouer_optimisation(
    dossiers_evalues: pd.DataFrame,
    *,
    enveloppe: float | None = None,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    enveloppes_regionales: Mapping[str, float] | None = None,
    financer_prioritaires: bool = False,
    financement_partiel: bool = False,
    parametres: ParametresCampagne = PARAMETRES_2025,
    priorites: pd.DataFrame | None = None,
    solveur: Literal["highs"] = "highs",
    options: OptionsSolveur = OptionsSolveur(),
    unite_poids: str = "habitants",
) -> ResultatAllocation:
    """Choisit les dossiers qui couvrent le plus de besoin non couvert dans l'enveloppe (MILP).

    Couverture maximale sous budget (« maximal covering ») :

        maximiser   somme_c poids_c · y_c  (+ ε · terme secondaire, voir `_objectif`)
        sous        somme_i montant_max_i · x_i ≤ enveloppe                      [€]
                    somme_{i de r} montant_max_i · x_i ≤ enveloppe_r (option)     [€]
                    y_c ≤ somme_{i couvre c} z_i                                   (chaque commune une fois)
                    0,5 · z_i ≤ etp_i · x_i ≤ etp_i · z_i (si financement partiel) [ETP]
                    z_i = x_i = 1 pour les dossiers prioritaires (option)
                    z ∈ {0, 1}, x, y ∈ [0, 1]

    Le résultat n'est jamais moins bon que l'ordre de priorité sur cet objectif : l'allocation
    par ordre de priorité (mêmes enveloppes, même règle de financement partiel) est calculée
    aussi, et retenue si le solveur, arrêté par sa limite de temps, n'a pas fait mieux.

    Parameters
    ----------
    dossiers_evalues : pd.DataFrame
        Table rendue par `coverage.financement.regles.evaluer_dossiers` (avec `region` pour les enveloppes
        régionales).
    enveloppe : float, optional
        En € ; par défaut `parametres.enveloppe_nationale`.
    communes_par_dossier : pd.DataFrame
        `id_dossier`, `commune` : les communes du périmètre de chaque dossier.
    poids_communes : pd.Series
        Code commune → poids (population des communes en zone blanche ou en sous-capacité non
        encore couvertes ; 0 ailleurs). Une commune absente pèse 0.
    enveloppes_regionales : dict[str, float], optional
        Code région → € ; régions absentes : pas de limite régionale.
    financer_prioritaires : bool
        Impose de financer en totalité les dossiers prioritaires (PNAD 2022, 2023 et 2024).
    financement_partiel : bool
        Permet de financer un dossier en partie, au moins 0,5 ETP. Attention : l'objectif compte
        une commune couverte dès 0,5 ETP, le modèle peut donc réduire des dossiers à 0,5 ETP
        pour en financer davantage ; le terme secondaire répartit ensuite le reliquat.
    parametres : ParametresCampagne
    priorites : pd.DataFrame, optional
        Comme pour `allouer_priorite` (rang utilisé par le terme secondaire et la comparaison).
    solveur : {"highs"}
        Seul HiGHS (via `scipy.optimize.milp`) est disponible.
    options : OptionsSolveur
        Limite de temps (10 s par défaut), écart relatif toléré, pré-résolution.
    unite_poids : str
        Unité des poids pour les explications (« habitants » par défaut).

    Returns
    -------
    ResultatAllocation
        mode « optimisation » ; `objectif` = couverture pondérée atteinte ; `messages` compare
        avec l'ordre de priorité. Paramètres infaisables : `faisable=False` et messages en
        français, sans exception.
    """
    debut = time.perf_counter()
    enveloppe = parametres.enveloppe_nationale if enveloppe is None else enveloppe
    base = preparer_base(dossiers_evalues, priorites)
    check_communes(communes_par_dossier, poids_communes)
    if solveur != "highs":
        erreurs = [f"Solveur « {solveur} » inconnu (attendu : « highs »)."]
    else:
        erreurs = check_enveloppes(enveloppe, enveloppes_regionales)
    if not erreurs and financer_prioritaires:
        erreurs = _check_prioritaires(base, float(enveloppe), enveloppes_regionales, parametres)
    if erreurs:
        return resultat_infaisable("optimisation", base, enveloppe, erreurs, debut)
    enveloppe = float(enveloppe)

    # Référence : l'ordre de priorité, mêmes réglages (garantit « jamais moins bien »).
    reference = allouer_priorite(
        dossiers_evalues, enveloppe=enveloppe, parametres=parametres, priorites=priorites,
        enveloppes_regionales=enveloppes_regionales, financement_partiel=financement_partiel,
        communes_par_dossier=communes_par_dossier, poids_communes=poids_communes,
    )
    modele, positions = _construire_modele(base, communes_par_dossier, poids_communes, financement_partiel=financement_partiel)
    prioritaires = base["prioritaire_pnad"].to_numpy()[positions] if financer_prioritaires else None
    solution = _resoudre(
        modele, enveloppe=enveloppe, enveloppes_regionales=enveloppes_regionales or {}, prioritaires=prioritaires,
        etp_minimum=parametres.etp_minimum, options=options,
    )
    if solution.infaisable:
        return resultat_infaisable(
            "optimisation", base, enveloppe,
            ["Infaisable : aucune allocation ne respecte à la fois les enveloppes et les dossiers imposés."], debut,
        )
    montant, objectif, messages = _retenir(
        base, modele, positions, solution, reference,
        communes_par_dossier=communes_par_dossier, poids_communes=poids_communes,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, etp_minimum=parametres.etp_minimum,
    )
    explication = _explications_optimisation(
        base, montant, communes_par_dossier, poids_communes,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, parametres=parametres,
    )
    lignes = tableau_lignes(base, montant, explication)
    messages = _messages_optimisation(
        lignes, modele, messages, objectif=objectif, objectif_reference=float(reference.objectif or 0.0),
        enveloppe=enveloppe, enveloppes_regionales=enveloppes_regionales, financement_partiel=financement_partiel,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, parametres=parametres,
    )
    utilisee = float(np.round(montant.sum(), 2))
    return ResultatAllocation(
        mode="optimisation", statut_solveur=solution.statut, objectif=float(objectif),
        temps_s=time.perf_counter() - debut, lignes=lignes, enveloppe=enveloppe, enveloppe_utilisee=utilisee,
        enveloppe_restante=float(np.round(enveloppe - utilisee, 2)), messages=tuple(messages),
    )


@dataclass(frozen=True)
class _Solution:
    """Ce que le solveur a rendu : parts attribuées (None si pas de solution) et statut en français."""

    part: np.ndarray | None  # part du montant maximal de chaque dossier candidat, dans [0, 1]
    statut: str
    infaisable: bool = False
    messages: tuple[str, ...] = ()


def _resoudre(
    modele: _Modele,
    *,
    enveloppe: float,
    enveloppes_regionales: Mapping[str, float],
    prioritaires: np.ndarray | None,
    etp_minimum: float,
    options: OptionsSolveur,
) -> _Solution:
    """Assemble les contraintes, appelle HiGHS et lit les parts x (z = 0 → part nulle)."""
    if modele.n == 0:
        return _Solution(np.zeros(0), "Aucun dossier éligible : rien à optimiser")
    contraintes = [
        c
        for c in (
            _contrainte_enveloppe(modele, enveloppe),
            _contraintes_regionales(modele, enveloppes_regionales),
            _contraintes_couverture(modele),
            _contraintes_financement_partiel(modele, etp_minimum),
        )
        if c is not None
    ]
    integralite = np.zeros(modele.n_variables)
    integralite[modele.col_z : modele.col_z + modele.n] = 1
    resultat = milp(
        c=_objectif(modele, enveloppe),
        integrality=integralite,
        bounds=_bornes(modele, prioritaires),
        constraints=contraintes,
        options=options.pour_scipy(),
    )
    statut = _STATUTS_SCIPY.get(resultat.status, "Erreur du solveur")
    if resultat.x is None:
        if resultat.status == 2:
            return _Solution(None, statut, infaisable=True)
        return _Solution(None, statut, messages=(f"{statut} : le solveur n'a pas trouvé de solution ; l'ordre de priorité est retenu.",))
    z = resultat.x[modele.col_z : modele.col_z + modele.n] > 0.5
    x = np.clip(resultat.x[modele.col_x : modele.col_x + modele.n], 0.0, 1.0)
    return _Solution(np.where(z, x, 0.0), statut)


def _retenir(
    base: pd.DataFrame,
    modele: _Modele,
    positions: np.ndarray,
    solution: _Solution,
    reference: ResultatAllocation,
    *,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    financer_prioritaires: bool,
    unite_poids: str,
    etp_minimum: float,
) -> tuple[np.ndarray, float, list[str]]:
    """Montants au centime de la solution, ou ceux de l'ordre de priorité s'il fait mieux
    (solveur arrêté par sa limite) ou si le solveur n'a rien rendu. Renvoie montants [€],
    objectif atteint et messages."""
    messages = list(solution.messages)
    montant = np.zeros(len(base))
    objectif = -math.inf
    if solution.part is not None:
        montant[positions] = _montants_au_centime(modele, solution.part, etp_minimum)
        candidat_lignes = tableau_lignes(base, montant, [""] * len(base))
        objectif = objectif_couverture(candidat_lignes, communes_par_dossier, poids_communes)
    objectif_reference = float(reference.objectif or 0.0)
    reference_admissible = not financer_prioritaires or bool(
        (reference.lignes.loc[base["candidat"] & base["prioritaire_pnad"], "statut_financement"] == StatutFinancement.TOTAL.value).all()
    )
    if reference_admissible and objectif < objectif_reference - 1e-9:
        if solution.part is not None:
            messages.append(
                f"Le solveur s'est arrêté ({solution.statut.lower()}) sur une couverture de {format_nombre(objectif)} "
                f"{unite_poids}, moins que l'ordre de priorité ({format_nombre(objectif_reference)}) : l'allocation par "
                "ordre de priorité est retenue."
            )
        return reference.lignes["montant_attribue"].to_numpy().copy(), objectif_reference, messages
    if solution.part is None:
        return reference.lignes["montant_attribue"].to_numpy().copy(), objectif_reference, messages
    return montant, objectif, messages


def _messages_optimisation(
    lignes: pd.DataFrame,
    modele: _Modele,
    messages: list[str],
    *,
    objectif: float,
    objectif_reference: float,
    enveloppe: float,
    enveloppes_regionales: Mapping[str, float] | None,
    financement_partiel: bool,
    financer_prioritaires: bool,
    unite_poids: str,
    parametres: ParametresCampagne,
) -> list[str]:
    """Synthèse en français : couverture comparée à l'ordre de priorité, enveloppe, modèle, régions."""
    montant = lignes["montant_attribue"].to_numpy()
    utilisee = float(np.round(montant.sum(), 2))
    ecart = objectif - objectif_reference
    tete = [
        f"Couverture pondérée : {format_nombre(objectif)} {unite_poids} avec l'optimisation, contre "
        f"{format_nombre(objectif_reference)} avec l'ordre de priorité (écart {'+' if ecart >= 0 else ''}"
        f"{format_nombre(ecart)}).",
        f"Enveloppe de {format_euros(enveloppe)} : {format_euros(utilisee)} attribués à "
        f"{int((montant > TOL_EUROS).sum())} dossier(s) pour {format_etp(round(float(lignes['etp_finances'].sum()), 2))} ; "
        f"reste {format_euros(enveloppe - utilisee)}.",
    ]
    fin = [
        f"Modèle : {modele.n} dossiers candidats, {modele.m} groupes de communes à couvrir"
        f"{', financement partiel (≥ ' + format_etp(parametres.etp_minimum) + ')' if financement_partiel else ''}"
        f"{', dossiers prioritaires imposés' if financer_prioritaires else ''}."
    ]
    for region, plafond in sorted((enveloppes_regionales or {}).items()):
        pris = float(lignes.loc[lignes["region"] == str(region), "montant_attribue"].sum())
        fin.append(f"Enveloppe régionale {region} : reste {format_euros(float(plafond) - pris)}.")
    return tete + messages + fin


def _apports(
    base: pd.DataFrame, montant: np.ndarray, communes_par_dossier: pd.DataFrame, poids_communes: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Par dossier : poids de ses communes, poids qu'il couvre seul parmi les financés, et poids
    qu'il ajouterait s'il était financé (communes que personne ne couvre). Vectorisé."""
    cpd = communes_par_dossier[["id_dossier", "commune"]].astype(str).drop_duplicates()
    colonne = pd.Index(base["id_dossier"]).get_indexer(cpd["id_dossier"])
    garde = colonne >= 0
    colonne, communes = colonne[garde], cpd["commune"].to_numpy()[garde]
    n = len(base)
    if len(colonne) == 0:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    codes, ligne = np.unique(communes, return_inverse=True)
    poids = poids_communes.set_axis(poids_communes.index.astype(str)).astype(float).reindex(codes).fillna(0.0).to_numpy()
    a = sparse.csr_matrix((np.ones(len(ligne)), (ligne, colonne)), shape=(len(codes), n))
    finance = (montant > TOL_EUROS).astype(float)
    nb_couvrants = a @ finance
    total = a.T @ poids
    seul = a.T @ (poids * (nb_couvrants == 1))
    nouveau = a.T @ (poids * (nb_couvrants == 0))
    return total, seul, nouveau


def _explications_optimisation(
    base: pd.DataFrame,
    montant: np.ndarray,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    *,
    financer_prioritaires: bool,
    unite_poids: str,
    parametres: ParametresCampagne,
) -> list[str]:
    """Une phrase par dossier : ce qu'il apporte à la couverture (mise en forme seulement)."""
    total, seul, nouveau = _apports(base, montant, communes_par_dossier, poids_communes)
    textes = []
    for i, (eligible, candidat, motifs, m_max, etp, prio) in enumerate(
        zip(
            base["eligible"], base["candidat"], base["motifs"], base["montant_max_aap"],
            base["etp_demandes"], base["prioritaire_pnad"], strict=True,
        )
    ):
        if not eligible or not candidat:
            textes.append(explication_ineligible(motifs))
            continue
        impose = " ; dossier prioritaire (PNAD) imposé" if financer_prioritaires and prio else ""
        if total[i] <= 0:
            apport = "ne couvre aucune commune à couvrir (reliquat employé selon l'ordre de priorité)"
        elif seul[i] <= 0 and montant[i] > TOL_EUROS:
            apport = (
                f"ses communes à couvrir ({format_nombre(total[i])} {unite_poids}) sont aussi couvertes par d'autres "
                "dossiers financés (reliquat employé selon l'ordre de priorité)"
            )
        else:
            apport = (
                f"couvre {format_nombre(total[i])} {unite_poids} à couvrir, dont {format_nombre(seul[i])} qu'aucun "
                "autre dossier financé ne couvre"
            )
        if montant[i] >= m_max - TOL_EUROS:
            textes.append(f"Financé en totalité : {format_euros(montant[i])} pour {format_etp(etp)} ; {apport}{impose}.")
        elif montant[i] > TOL_EUROS:
            etp_f = etp * montant[i] / m_max
            textes.append(
                f"Financé partiellement : {format_euros(montant[i])} sur {format_euros(m_max)} "
                f"({format_etp(round(etp_f, 2))} sur {format_etp(etp)}, au moins {format_etp(parametres.etp_minimum)}) ; "
                f"{apport}."
            )
        elif total[i] <= 0:
            textes.append("Non financé : aucune commune à couvrir dans son périmètre, l'enveloppe sert mieux ailleurs.")
        elif nouveau[i] <= 0:
            textes.append(
                f"Non financé : ses communes à couvrir ({format_nombre(total[i])} {unite_poids}) le sont déjà par "
                "d'autres dossiers financés."
            )
        else:
            textes.append(
                f"Non financé : il ajouterait {format_nombre(nouveau[i])} {unite_poids} pour {format_euros(m_max)} ; "
                "dans l'enveloppe, d'autres dossiers couvrent davantage."
            )
    return textes
