"""Mode 2 de l'allocation : couverture maximale sous budget, programme linéaire en nombres entiers.

`allouer_optimisation` choisit les dossiers couvrant le plus de besoin non couvert (poids des
communes : population des zones blanches…), chaque commune comptée une seule fois même si
plusieurs dossiers la couvrent, en valorisant aussi les postes déjà financés qu'un dossier
maintient, dans le respect de la priorité PNAD de l'appel (par défaut). Le modèle (tableaux et
index, une fonction par famille de contraintes) est dans `coverage.financement.optimisation_modele` ;
le solveur est HiGHS (paquet highspy), parti du glouton (`coverage.financement.glouton`) ; le
résultat n'est jamais moins bon que ce glouton ni que l'ordre de priorité.

Montants en centimes pendant le calcul, en euros (€) dans le résultat, pour 12 mois ; ETP en
équivalents temps plein.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from coverage.documents.format import format_euros, format_nombre
from coverage.financement.allocation_commune import (
    TOL_EUROS,
    OptionsSolveur,
    ResultatAllocation,
    centimes_enveloppe,
    check_communes,
    check_enveloppes,
    explication_ineligible,
    objectif_couverture,
    preparer_base,
    resultat_infaisable,
    tableau_lignes,
)
from coverage.financement.allocation_priorite import allouer_priorite
from coverage.financement.glouton import glouton, solution_de_depart
from coverage.financement.optimisation_modele import Modele, bornes, construire_modele, contraintes, objectif
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.placements import HABITANTS_PAR_ETP_REFERENCE
from coverage.financement.plafonds import format_etp


_STATUTS = {
    "kOptimal": "Solution optimale",
    "kTimeLimit": "Limite atteinte (temps ou nœuds) : meilleure solution trouvée",
    "kSolutionLimit": "Limite atteinte (temps ou nœuds) : meilleure solution trouvée",
    "kIterationLimit": "Limite atteinte (temps ou nœuds) : meilleure solution trouvée",
    "kInfeasible": "Infaisable",
    "kUnbounded": "Non borné",
}

VALEUR_ETP_MAINTENU = HABITANTS_PAR_ETP_REFERENCE
"""Valeur d'un ETP maintenu dans l'objectif, en habitants : la population qu'un ETP couvre en
moyenne (appel, partie A : environ 600 ETP pour la France). L'appel vise d'abord à consolider les
postes existants : garder un poste vaut autant que couvrir la population qu'il sert."""


def _centimes_de_la_solution(modele: Modele, part: np.ndarray) -> np.ndarray:
    """Parts x du solveur → centimes entiers : part ≈ 1 (tolérance du solveur) : le maximum ;
    part au minimum (à un centime près) : le minimum de 0,5 ETP ; autres parts : au centime inférieur."""
    brut = modele.centimes * part
    au_minimum = (part > 0) & (np.abs(brut - modele.minimum) < 1.0)
    bas = np.floor(brut + 1e-6).astype(np.int64)
    return np.where(part >= 1 - 1e-7, modele.centimes, np.where(au_minimum, modele.minimum, np.where(part > 0, bas, 0)))


def _reprendre_le_dernier_centime(
    modele: Modele, montants: np.ndarray, *, plafond: int, dans: np.ndarray, partiel: bool
) -> np.ndarray:
    """Total des dossiers `dans` ≤ `plafond` [centimes] : l'excès (arrondis, tolérance du solveur) est
    repris sur les dossiers financés, les moins bien classés d'abord, sans passer sous leur minimum
    de 0,5 ETP (financement partiel permis) ; s'il en reste, le moins bien classé n'est plus financé."""
    montants = montants.copy()
    exces = int(montants[dans].sum()) - plafond
    if exces <= 0:
        return montants
    ordre = np.flatnonzero(dans & (montants > 0))
    ordre = ordre[np.argsort(-modele.rang[ordre], kind="stable")]
    if partiel:
        for i in ordre:
            repris = min(max(int(montants[i] - modele.minimum[i]), 0), exces)
            montants[i] -= repris
            exces -= repris
    for i in ordre:
        if exces <= 0:
            break
        exces -= int(montants[i])
        montants[i] = 0
    return montants


def _dans_les_enveloppes(
    modele: Modele, montants: np.ndarray, *, enveloppe_centimes: int, regionales_centimes: Mapping[str, int]
) -> np.ndarray:
    """Vérifie chaque enveloppe au centime après la résolution et reprend ce qui dépasse."""
    for region, plafond in sorted(regionales_centimes.items()):
        montants = _reprendre_le_dernier_centime(modele, montants, plafond=plafond, dans=modele.regions == region,
                                                 partiel=modele.partiel)
    return _reprendre_le_dernier_centime(modele, montants, plafond=enveloppe_centimes, dans=np.ones(modele.n, bool),
                                         partiel=modele.partiel)


def _perimetre_prioritaire(
    base: pd.DataFrame, *, enveloppe_centimes: int, regionales_centimes: Mapping[str, int],
    financer_prioritaires: bool, parametres: ParametresCampagne,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Priorité de l'appel aux structures PNAD : dossiers imposés, dossiers exclus, messages.

    Si les dossiers prioritaires tiennent tous dans les enveloppes : ils sont financés en totalité
    (imposés). Sinon, dans l'enveloppe (nationale ou régionale) qu'ils dépassent, l'optimisation
    choisit parmi eux seuls : aucun dossier non prioritaire ne passe avant eux.
    """
    n = len(base)
    if not financer_prioritaires:
        return np.zeros(n, bool), np.zeros(n, bool), []
    prio = (base["candidat"] & base["prioritaire_pnad"]).to_numpy()
    autres = base["candidat"].to_numpy() & ~prio
    centimes_max = base["centimes_max"].to_numpy()
    regions = base["region"].to_numpy()
    annees = parametres.annees_pnad_texte
    if int(centimes_max[prio].sum()) > enveloppe_centimes:
        return np.zeros(n, bool), autres, [
            f"Les {int(prio.sum())} dossiers prioritaires (PNAD {annees}) demandent "
            f"{format_euros(centimes_max[prio].sum() / 100)}, plus que l'enveloppe : l'optimisation choisit parmi eux seuls."
        ]
    fixes, interdits, messages = prio.copy(), np.zeros(n, bool), []
    for region, plafond in sorted(regionales_centimes.items()):
        dans = regions == region
        if int(centimes_max[prio & dans].sum()) > plafond:
            fixes &= ~dans
            interdits |= autres & dans
            messages.append(f"Région {region} : les dossiers prioritaires (PNAD {annees}) dépassent l'enveloppe régionale ; "
                            "l'optimisation choisit parmi eux seuls.")
    return fixes, interdits, messages


def allouer_optimisation(
    dossiers_evalues: pd.DataFrame,
    *,
    enveloppe: float | None = None,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    enveloppes_regionales: Mapping[str, float] | None = None,
    financer_prioritaires: bool = True,
    financement_partiel: bool = False,
    parametres: ParametresCampagne = PARAMETRES_2025,
    priorites: pd.DataFrame | None = None,
    solveur: Literal["highs"] = "highs",
    options: OptionsSolveur = OptionsSolveur(),
    unite_poids: str = "habitants",
    valeur_etp_maintenu: float = VALEUR_ETP_MAINTENU,
) -> ResultatAllocation:
    """Choisit les dossiers qui couvrent le plus de besoin non couvert dans l'enveloppe (MILP, HiGHS).

    Couverture maximale sous budget (« maximal covering »), montants en centimes :

        maximiser   somme_c poids_c · y_c + somme_i valeur_postes_i · x_i  (+ ε · terme secondaire)
        sous        somme_i centimes_max_i · x_i ≤ enveloppe                      [centimes]
                    somme_{i de r} centimes_max_i · x_i ≤ enveloppe_r (option)     [centimes]
                    y_c ≤ somme_{i couvre c} z_i                                   (chaque commune une fois)
                    0,5 · z_i ≤ etp_i · x_i ≤ etp_i · z_i (si financement partiel) [ETP]
                    z_i = x_i = 1 pour les dossiers prioritaires (par défaut, voir `_perimetre_prioritaire`)
                    z ∈ {0, 1}, x, y ∈ [0, 1]

    Le solveur part du glouton (`coverage.financement.glouton` : la plus grande couverture par
    euro) ; le résultat n'est jamais moins bon que ce glouton ni que l'ordre de priorité
    (s'il respecte la priorité PNAD) : le meilleur des trois est retenu, et les messages le disent.
    Après la résolution, chaque enveloppe est vérifiée au centime et l'excès d'arrondi repris.

    Parameters
    ----------
    dossiers_evalues : table rendue par `evaluer_dossiers` (avec `region` pour les enveloppes
        régionales ; en option `etp_maintenus`, postes déjà financés que le dossier garde).
    enveloppe : en € ; par défaut `parametres.enveloppe_nationale`.
    communes_par_dossier : `id_dossier`, `commune` : les communes du périmètre de chaque dossier.
    poids_communes : code commune → poids (population des communes à couvrir ; 0 ailleurs).
    enveloppes_regionales : code région → € ; régions absentes : pas de limite régionale.
    financer_prioritaires : priorité de l'appel aux structures PNAD (2022, 2023 et 2024), par
        défaut ; False l'ignore (couverture seule).
    financement_partiel : permet de financer un dossier en partie, au moins 0,5 ETP.
    priorites : comme pour `allouer_priorite` (rang utilisé par le terme secondaire).
    solveur : seul « highs » (HiGHS, paquet highspy). options : limite de temps, écart, pré-résolution.
    unite_poids : unité des poids pour les explications (« habitants »).
    valeur_etp_maintenu : valeur d'un ETP maintenu dans l'objectif (unité des poids par ETP).

    Returns
    -------
    ResultatAllocation
        mode « optimisation » ; `objectif` = couverture pondérée + valeur des postes maintenus ;
        paramètres infaisables : `faisable=False` et messages en français, sans exception.
    """
    debut = time.perf_counter()
    enveloppe = parametres.enveloppe_nationale if enveloppe is None else enveloppe
    base = preparer_base(dossiers_evalues, priorites)
    check_communes(communes_par_dossier, poids_communes)
    if solveur != "highs":
        erreurs = [f"Solveur « {solveur} » inconnu (attendu : « highs »)."]
    else:
        erreurs = check_enveloppes(enveloppe, enveloppes_regionales)
    if erreurs:
        return resultat_infaisable("optimisation", base, enveloppe, erreurs, debut)
    enveloppe = float(enveloppe)
    env_c = centimes_enveloppe(enveloppe)
    reg_c = {str(r): centimes_enveloppe(v) for r, v in (enveloppes_regionales or {}).items()}
    fixes, interdits, messages_prio = _perimetre_prioritaire(
        base, enveloppe_centimes=env_c, regionales_centimes=reg_c, financer_prioritaires=financer_prioritaires,
        parametres=parametres,
    )
    # Référence : l'ordre de priorité, mêmes réglages (retenu s'il fait mieux et respecte la priorité).
    reference = allouer_priorite(
        dossiers_evalues, enveloppe=enveloppe, parametres=parametres, priorites=priorites,
        enveloppes_regionales=enveloppes_regionales, financement_partiel=financement_partiel,
        communes_par_dossier=communes_par_dossier, poids_communes=poids_communes,
    )
    modele, positions = construire_modele(
        base, communes_par_dossier, poids_communes, financement_partiel=financement_partiel,
        etp_minimum=parametres.etp_minimum, valeur_etp_maintenu=valeur_etp_maintenu, fixes=fixes, interdits=interdits,
    )
    depart = glouton(modele, enveloppe_centimes=env_c, enveloppes_regionales_centimes=reg_c)
    solution = _resoudre(modele, enveloppe_centimes=env_c, regionales_centimes=reg_c, depart=depart, options=options,
                         debut=debut)
    if solution.infaisable:
        return resultat_infaisable(
            "optimisation", base, enveloppe,
            ["Infaisable : aucune allocation ne respecte à la fois les enveloppes et les dossiers imposés."], debut,
        )
    valeur = _Valeur(base, communes_par_dossier, poids_communes, valeur_etp_maintenu)
    montant, messages, valeurs = _retenir(
        base, modele, positions, solution, depart, reference, valeur=valeur,
        enveloppe_centimes=env_c, regionales_centimes=reg_c, unite_poids=unite_poids,
    )
    explication = _explications_optimisation(
        base, montant, communes_par_dossier, poids_communes,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, parametres=parametres,
    )
    lignes = tableau_lignes(base, montant, explication)
    messages = _messages_optimisation(
        lignes, modele, messages_prio + messages, valeurs=valeurs, valeur=valeur, enveloppe=enveloppe,
        enveloppes_regionales=enveloppes_regionales, financement_partiel=financement_partiel,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, parametres=parametres,
    )
    utilisee = float(np.round(montant.sum(), 2))
    return ResultatAllocation(
        mode="optimisation", statut_solveur=solution.statut, objectif=float(valeurs["optimisation"]),
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


def _appeler_highs(
    cout: np.ndarray, entiers: np.ndarray, bas: np.ndarray, haut: np.ndarray, a: sparse.csr_matrix, b: np.ndarray,
    *, options: OptionsSolveur, limite_s: float, depart: np.ndarray,
) -> tuple[str, np.ndarray | None]:
    """Minimise cout · v sous A · v ≤ b, bas ≤ v ≤ haut, v_j entier où `entiers` ; départ fourni.

    Renvoie le statut HiGHS (« kOptimal », « kTimeLimit »…) et la meilleure solution trouvée
    (None s'il n'y en a pas). Rien n'est écrit sur la sortie standard (`output_flag` coupé).
    """
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(limite_s))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("presolve", "on" if options.presolve else "off")
    if options.node_limit is not None:
        h.setOptionValue("mip_max_nodes", int(options.node_limit))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cout), a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cout, bas, haut
    lp.row_lower_, lp.row_upper_ = np.full(a.shape[0], -highspy.kHighsInf), b
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cout), a.shape[0]
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if e else highspy.HighsVarType.kContinuous for e in entiers]
    h.passModel(lp)
    depart_highs = highspy.HighsSolution()
    depart_highs.col_value = depart.tolist()
    depart_highs.value_valid = True
    h.setSolution(depart_highs)
    h.run()
    statut = h.getModelStatus().name
    if h.getInfo().primal_solution_status < 2:  # 2 : solution réalisable
        return statut, None
    return statut, np.asarray(h.getSolution().col_value, dtype=float)


def _resoudre(
    modele: Modele, *, enveloppe_centimes: int, regionales_centimes: Mapping[str, int], depart: np.ndarray,
    options: OptionsSolveur, debut: float,
) -> _Solution:
    """Assemble le modèle (`optimisation_modele`), part du glouton, lit les parts x (z = 0 → part nulle).

    `options.time_limit` borne tout le calcul : le solveur reçoit ce qui reste, moins une réserve
    pour les explications qui suivent (0,3 s + 0,25 ms par dossier), et au moins 0,5 s.
    """
    if modele.n == 0:
        return _Solution(np.zeros(0), "Aucun dossier éligible : rien à optimiser")
    a, b = contraintes(modele, enveloppe_centimes=enveloppe_centimes, enveloppes_regionales_centimes=regionales_centimes)
    bas, haut = bornes(modele)
    entiers = np.zeros(modele.n_variables, dtype=bool)
    entiers[modele.col_z : modele.col_z + modele.n] = True
    reserve = 0.3 + 0.00025 * modele.n
    limite = max(0.5, float(options.time_limit) - (time.perf_counter() - debut) - reserve)
    code, x = _appeler_highs(objectif(modele), entiers, bas, haut, a, b, options=options, limite_s=limite,
                             depart=solution_de_depart(modele, depart))
    statut = _STATUTS.get(code, "Erreur du solveur")
    if x is None:
        if code == "kInfeasible":
            return _Solution(None, statut, infaisable=True)
        return _Solution(None, statut, messages=(f"{statut} : le solveur n'a pas trouvé de solution.",))
    z = x[modele.col_z : modele.col_z + modele.n] > 0.5
    part = np.clip(x[modele.col_x : modele.col_x + modele.n], 0.0, 1.0)
    return _Solution(np.where(z, part, 0.0), statut)


@dataclass(frozen=True)
class _Valeur:
    """L'objectif d'une allocation : couverture pondérée + valeur des postes maintenus (unité des poids)."""

    base: pd.DataFrame
    communes_par_dossier: pd.DataFrame
    poids_communes: pd.Series
    valeur_etp_maintenu: float

    def postes(self, montant: np.ndarray) -> float:
        """ETP maintenus financés : etp_maintenus × part financée."""
        maximum = self.base["montant_max_aap"].to_numpy()
        part = np.divide(montant, maximum, out=np.zeros_like(montant, dtype=float), where=maximum > 0)
        return float((self.base["etp_maintenus"].to_numpy() * part).sum())

    def __call__(self, montant: np.ndarray) -> float:
        lignes = pd.DataFrame({"id_dossier": self.base["id_dossier"], "montant_attribue": montant})
        couverture = objectif_couverture(lignes, self.communes_par_dossier, self.poids_communes)
        return couverture + self.valeur_etp_maintenu * self.postes(montant)


def _retenir(
    base: pd.DataFrame, modele: Modele, positions: np.ndarray, solution: _Solution, depart: np.ndarray,
    reference: ResultatAllocation, *, valeur: _Valeur,
    enveloppe_centimes: int, regionales_centimes: Mapping[str, int], unite_poids: str,
) -> tuple[np.ndarray, list[str], dict[str, float]]:
    """Le meilleur de la solution du solveur (au centime, enveloppes vérifiées), du glouton et de
    l'ordre de priorité ; à valeur égale, le solveur puis l'ordre
    de priorité. Renvoie les montants [€], les messages et la valeur de chacun."""
    messages = list(solution.messages)
    montants: dict[str, np.ndarray] = {}
    if solution.part is not None:
        centimes_sol = _dans_les_enveloppes(modele, _centimes_de_la_solution(modele, solution.part),
                                            enveloppe_centimes=enveloppe_centimes, regionales_centimes=regionales_centimes)
        montants["optimisation"] = np.zeros(len(base))
        montants["optimisation"][positions] = centimes_sol / 100
    montants["glouton"] = np.zeros(len(base))
    montants["glouton"][positions] = np.where(depart, modele.centimes, 0) / 100
    # L'ordre de priorité met toujours les structures PNAD en tête : il respecte la priorité de l'appel.
    montants["priorite"] = reference.lignes["montant_attribue"].to_numpy().copy()
    valeurs = {nom: valeur(m) for nom, m in montants.items()}
    retenu = max(montants, key=lambda nom: (valeurs[nom] + 1e-9 * (nom == "optimisation"), nom == "priorite"))
    if "optimisation" in valeurs and valeurs[retenu] > valeurs["optimisation"] + 1e-9:
        quoi = "l'ordre de priorité" if retenu == "priorite" else "le glouton (plus grande couverture par euro)"
        messages.append(
            f"Le solveur s'est arrêté ({solution.statut.lower()}) sur une couverture de {format_nombre(valeurs['optimisation'])} "
            f"{unite_poids}, moins que {quoi} ({format_nombre(valeurs[retenu])}) : l'allocation par "
            f"{'ordre de priorité' if retenu == 'priorite' else 'le glouton'} est retenue."
        )
    elif "optimisation" not in valeurs:
        messages.append(f"L'allocation par {'ordre de priorité' if retenu == 'priorite' else 'le glouton'} est retenue.")
    valeurs["optimisation"] = valeurs[retenu]
    return montants[retenu], messages, valeurs


def _messages_optimisation(
    lignes: pd.DataFrame,
    modele: Modele,
    messages: list[str],
    *,
    valeurs: dict[str, float],
    valeur: _Valeur,
    enveloppe: float,
    enveloppes_regionales: Mapping[str, float] | None,
    financement_partiel: bool,
    financer_prioritaires: bool,
    unite_poids: str,
    parametres: ParametresCampagne,
) -> list[str]:
    """Synthèse en français : valeur comparée à l'ordre de priorité et au glouton, enveloppe, modèle, régions."""
    montant = lignes["montant_attribue"].to_numpy()
    utilisee = float(np.round(montant.sum(), 2))
    ecart = valeurs["optimisation"] - valeurs["priorite"]
    tete = [
        f"Couverture pondérée : {format_nombre(valeurs['optimisation'])} {unite_poids} avec l'optimisation, contre "
        f"{format_nombre(valeurs['priorite'])} avec l'ordre de priorité (écart {'+' if ecart >= 0 else ''}"
        f"{format_nombre(ecart)}).",
        f"Enveloppe de {format_euros(enveloppe)} : {format_euros(utilisee)} attribués à "
        f"{int((montant > TOL_EUROS).sum())} dossier(s) pour {format_etp(round(float(lignes['etp_finances'].sum()), 2))} ; "
        f"reste {format_euros(enveloppe - utilisee)}.",
    ]
    postes = valeur.postes(montant)
    if postes > 0 and valeur.valeur_etp_maintenu > 0:
        tete.append(f"Dont postes maintenus : {format_etp(round(postes, 2))} déjà financés par le PNAD, comptés "
                    f"{format_nombre(valeur.valeur_etp_maintenu)} {unite_poids} par ETP.")
    fin = [
        f"Glouton (plus grande couverture par euro, point de départ du solveur) : {format_nombre(valeurs['glouton'])} "
        f"{unite_poids}.",
        f"Modèle : {modele.n} dossiers candidats, {modele.m} groupes de communes à couvrir"
        f"{', financement partiel (≥ ' + format_etp(parametres.etp_minimum) + ')' if financement_partiel else ''}"
        f"{', priorité PNAD ' + parametres.annees_pnad_texte + ' respectée' if financer_prioritaires else ', priorité PNAD ignorée'}.",
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
    ligne, codes = pd.factorize(communes)
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
