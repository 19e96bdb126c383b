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

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein. Aucun paramètre infaisable ne
lève d'exception : le résultat porte `faisable=False` et des messages en français. Seules les
erreurs de programmation (colonne absente) lèvent `ValueError`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.documents.format import format_euros, format_nombre
from coverage.financement.regles import centimes_bas, format_etp

_TOL_EUROS = 0.005  # demi-centime


class StatutFinancement(StrEnum):
    """Issue d'un dossier dans une allocation ; `libelle` pour l'affichage."""

    TOTAL = "total"
    PARTIEL = "partiel"
    NON_FINANCE = "non_finance"
    INELIGIBLE = "ineligible"

    @property
    def libelle(self) -> str:
        return {
            "total": "Financé",
            "partiel": "Financé partiellement",
            "non_finance": "Non financé",
            "ineligible": "Inéligible",
        }[self.value]


@dataclass(frozen=True)
class ResultatAllocation:
    """Résultat d'une allocation (figé : rien n'est ajouté après coup).

    Attributes
    ----------
    mode : {"priorite", "optimisation"}
    statut_solveur : str
        En français : « Classement par ordre de priorité (sans solveur) », « Solution optimale »,
        « Limite de temps atteinte : meilleure solution trouvée », « Infaisable »…
    objectif : float | None
        Couverture pondérée atteinte (somme des poids des communes couvertes, chacune une fois) ;
        None en mode priorité sans communes fournies.
    temps_s : float
        Durée du calcul, en secondes.
    lignes : pd.DataFrame
        Une ligne par dossier : `id_dossier`, `region`, `eligible`, `motifs`,
        `montant_max_aap` (€), `etp_demandes`, `montant_attribue` (€), `etp_finances`,
        `statut_financement` (valeur de `StatutFinancement`), `rang` (ordre de priorité parmi
        les éligibles, Int64, vide si inéligible), `prioritaire_pnad`, `score_territoire`,
        `note_marches_etat`, `score_comite`, `explication` (une phrase en français).
    enveloppe, enveloppe_utilisee, enveloppe_restante : float
        En €.
    messages : tuple[str, ...]
        Synthèse en français (ligne de coupure, enveloppes régionales, infaisabilité…).
    faisable : bool
        False quand les paramètres sont infaisables (rien n'est attribué).
    """

    mode: Literal["priorite", "optimisation"]
    statut_solveur: str
    objectif: float | None
    temps_s: float
    lignes: pd.DataFrame
    enveloppe: float
    enveloppe_utilisee: float
    enveloppe_restante: float
    messages: tuple[str, ...]
    faisable: bool = True


@dataclass(frozen=True)
class OptionsSolveur:
    """Options passées à `scipy.optimize.milp` (HiGHS), pour que les tests puissent les fixer.

    Attributes
    ----------
    time_limit : float
        Limite de temps du solveur, en secondes.
    mip_rel_gap : float
        Écart relatif toléré à l'optimum (0 = optimum prouvé ; 1e-6 par défaut).
    presolve : bool
        Pré-résolution HiGHS.
    node_limit : int | None
        Nombre maximal de nœuds de branchement (None : sans limite).
    """

    time_limit: float = 10.0
    mip_rel_gap: float = 1e-6
    presolve: bool = True
    node_limit: int | None = None

    def pour_scipy(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "time_limit": float(self.time_limit),
            "mip_rel_gap": float(self.mip_rel_gap),
            "presolve": bool(self.presolve),
            "disp": False,
        }
        if self.node_limit is not None:
            options["node_limit"] = int(self.node_limit)
        return options


# --------------------------------------------------------------------------------------------
# Préparation commune aux deux modes : colonnes, scores de priorité, rang
# --------------------------------------------------------------------------------------------

_COLONNES_EVALUEES = ("id_dossier", "eligible", "motifs", "montant_max_aap", "etp_demandes")
_ORDRE_PRIORITE = ("prioritaire_pnad", "score_territoire", "note_marches_etat", "score_comite", "id_dossier")


def _check_evalues(dossiers_evalues: pd.DataFrame) -> None:
    """Table issue de `evaluer_dossiers`, identifiants uniques ; sinon `ValueError` en français."""
    manquantes = [c for c in _COLONNES_EVALUEES if c not in dossiers_evalues.columns]
    if manquantes:
        raise ValueError(
            "Colonnes manquantes dans les dossiers évalués : "
            + ", ".join(f"`{c}`" for c in manquantes)
            + " (attendu : la table rendue par coverage.financement.regles.evaluer_dossiers)."
        )
    doublons = dossiers_evalues["id_dossier"].astype(str)
    doublons = doublons[doublons.duplicated()]
    if len(doublons):
        raise ValueError(f"Colonne `id_dossier` : « {doublons.iloc[0]} » apparaît plusieurs fois (attendu : identifiants uniques).")


def _score(table: pd.DataFrame, nom: str) -> pd.Series:
    """Colonne booléenne ou numérique en score float (absente ou vide : 0)."""
    if nom not in table.columns:
        return pd.Series(0.0, index=table.index)
    return table[nom].astype(object).fillna(0).astype(float)


def _preparer(dossiers_evalues: pd.DataFrame, priorites: pd.DataFrame | None) -> pd.DataFrame:
    """Colonnes utiles aux deux modes, avec le rang de priorité des dossiers candidats.

    Candidats : dossiers éligibles de montant maximal > 0. Rang 1 = le plus prioritaire.
    """
    _check_evalues(dossiers_evalues)
    d = dossiers_evalues.reset_index(drop=True)
    base = pd.DataFrame(
        {
            "id_dossier": d["id_dossier"].astype(str),
            "region": d["region"].astype(object).fillna("").astype(str) if "region" in d else "",
            "eligible": d["eligible"].astype(bool),
            "motifs": d["motifs"].astype(object).fillna("").astype(str),
            "montant_max_aap": d["montant_max_aap"].astype(float).fillna(0.0),
            "etp_demandes": d["etp_demandes"].astype(float).fillna(0.0),
            "prioritaire_pnad": d["prioritaire_pnad"].astype(object).fillna(False).astype(bool)
            if "prioritaire_pnad" in d
            else False,
            "couvre_zone_blanche": _score(d, "couvre_zone_blanche"),
            "couvre_grand_projet": _score(d, "couvre_grand_projet"),
            "note_marches_etat": _score(d, "note_marches_etat"),
            "score_comite": _score(d, "score_comite")
            if "score_comite" in d
            else sum(_score(d, n) for n in ("note_diagnostic", "note_marches_etat", "note_capacite", "note_conflits_interets")),
        }
    )
    if priorites is not None:
        if "id_dossier" not in priorites.columns:
            raise ValueError("Table `priorites` : colonne `id_dossier` manquante.")
        p = priorites.assign(id_dossier=priorites["id_dossier"].astype(str)).set_index("id_dossier")
        for nom in ("couvre_zone_blanche", "couvre_grand_projet"):
            if nom in p.columns:
                valeurs = base["id_dossier"].map(_score(p, nom))
                base[nom] = valeurs.where(valeurs.notna(), base[nom]).astype(float)
    base["score_territoire"] = base["couvre_zone_blanche"] + base["couvre_grand_projet"]
    candidat = base["eligible"] & (base["montant_max_aap"] > 0)
    ordre = base[candidat].sort_values(
        list(_ORDRE_PRIORITE), ascending=[False, False, False, False, True], kind="mergesort"
    ).index
    rang = pd.Series(pd.NA, index=base.index, dtype="Int64")
    rang.loc[ordre] = np.arange(1, len(ordre) + 1)
    base["rang"] = rang
    base["candidat"] = candidat
    return base


def _criteres(base: pd.DataFrame, parametres: ParametresCampagne) -> list[str]:
    """Critères de priorité de chaque dossier, en clair (pour les explications)."""
    annees = ", ".join(str(a) for a in parametres.annees_pnad_prioritaires)
    textes = []
    for pnad, zb, gp, marches, comite in zip(
        base["prioritaire_pnad"], base["couvre_zone_blanche"], base["couvre_grand_projet"],
        base["note_marches_etat"], base["score_comite"], strict=True,
    ):
        morceaux = [f"PNAD {annees}"] if pnad else []
        if zb > 0:
            morceaux.append("zone blanche" if zb == 1 else f"zone blanche {format_nombre(zb, 1, compact=True)}")
        if gp > 0:
            morceaux.append("grand projet" if gp == 1 else f"grand projet {format_nombre(gp, 1, compact=True)}")
        morceaux.append(f"marchés de l'État {format_nombre(marches, 1, compact=True)}/5")
        morceaux.append(f"comité {format_nombre(comite, 1, compact=True)}/20")
        textes.append(", ".join(morceaux))
    return textes


def _lignes(base: pd.DataFrame, montant: np.ndarray, explication: list[str]) -> pd.DataFrame:
    """Table `lignes` d'un résultat : montant attribué, ETP financés, statut, explication."""
    montant_max = base["montant_max_aap"].to_numpy()
    etp = base["etp_demandes"].to_numpy()
    part = np.divide(montant, montant_max, out=np.zeros_like(montant), where=montant_max > 0)
    statut = np.where(
        ~base["eligible"].to_numpy(),
        StatutFinancement.INELIGIBLE.value,
        np.where(
            montant <= _TOL_EUROS,
            StatutFinancement.NON_FINANCE.value,
            np.where(montant >= montant_max - _TOL_EUROS, StatutFinancement.TOTAL.value, StatutFinancement.PARTIEL.value),
        ),
    )
    lignes = base[
        ["id_dossier", "region", "eligible", "motifs", "montant_max_aap", "etp_demandes"]
    ].copy()
    lignes["montant_attribue"] = montant
    lignes["etp_finances"] = np.round(etp * part, 4)
    lignes["statut_financement"] = pd.Series(statut, index=base.index, dtype=str)
    lignes["rang"] = base["rang"]
    for nom in ("prioritaire_pnad", "score_territoire", "note_marches_etat", "score_comite"):
        lignes[nom] = base[nom]
    lignes["explication"] = pd.Series(explication, index=base.index, dtype=str)
    return lignes


def _montant_minimum(montant_max: Any, etp: Any, etp_minimum: float) -> Any:
    """Plus petit montant au centime qui finance au moins `etp_minimum` ETP du dossier [€] :
    montant_max × etp_minimum / etp, arrondi au centime supérieur (le montant maximal si le
    dossier demande lui-même le minimum)."""
    montant_max = np.asarray(montant_max, dtype=float)
    part = np.minimum(etp_minimum / np.maximum(np.asarray(etp, dtype=float), 1e-12), 1.0)
    return np.minimum(np.ceil(montant_max * part * 100 - 1e-6) / 100, montant_max)


def _explication_ineligible(motifs: str) -> str:
    return f"Non financé : dossier inéligible ({motifs})." if motifs else "Non financé : dossier inéligible."


def _check_enveloppes(
    enveloppe: float, enveloppes_regionales: Mapping[str, float] | None
) -> list[str]:
    """Enveloppes valides ? Renvoie les messages d'infaisabilité (liste vide si tout va bien)."""
    messages = []
    if enveloppe is None or not math.isfinite(float(enveloppe)) or float(enveloppe) < 0:
        messages.append(f"L'enveloppe doit être un montant positif ou nul (reçu : {enveloppe}).")
    for region, montant in (enveloppes_regionales or {}).items():
        if montant is None or not math.isfinite(float(montant)) or float(montant) < 0:
            messages.append(f"L'enveloppe régionale de la région {region} doit être un montant positif ou nul (reçu : {montant}).")
    return messages


def _resultat_infaisable(
    mode: Literal["priorite", "optimisation"],
    base: pd.DataFrame,
    enveloppe: float,
    messages: list[str],
    debut: float,
) -> ResultatAllocation:
    """Résultat sans attribution, qui dit pourquoi (jamais d'exception pour l'utilisateur)."""
    raison = " ".join(messages)
    explication = [
        _explication_ineligible(m) if not e else f"Non calculé : paramètres infaisables. {raison}"
        for e, m in zip(base["eligible"], base["motifs"], strict=True)
    ]
    lignes = _lignes(base, np.zeros(len(base)), explication)
    enveloppe_f = float(enveloppe) if enveloppe is not None and math.isfinite(float(enveloppe)) else 0.0
    return ResultatAllocation(
        mode=mode,
        statut_solveur="Infaisable",
        objectif=None,
        temps_s=time.perf_counter() - debut,
        lignes=lignes,
        enveloppe=enveloppe_f,
        enveloppe_utilisee=0.0,
        enveloppe_restante=max(enveloppe_f, 0.0),
        messages=tuple(messages),
        faisable=False,
    )


# --------------------------------------------------------------------------------------------
# Mode 1 : ordre de priorité
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parcours:
    """Ce que le parcours par ordre de priorité a décidé, dossier par dossier (tableaux alignés)."""

    montant: np.ndarray  # € attribués
    disponible: np.ndarray  # € disponibles au passage du dossier (NaN si non candidat)
    limite_regionale: np.ndarray  # True si l'enveloppe régionale était la plus contraignante
    restant_regions: dict[str, float]


def _parcourir(
    base: pd.DataFrame,
    *,
    enveloppe: float,
    enveloppes_regionales: Mapping[str, float] | None,
    financement_partiel: bool,
    etp_minimum: float,
) -> _Parcours:
    """Parcourt les candidats dans l'ordre du rang et attribue l'enveloppe.

    Parcours séquentiel par nature (chaque décision dépend du reliquat laissé par les
    précédentes) : une boucle sur des tableaux numpy, pas sur les lignes du DataFrame ; un
    millier de dossiers se parcourt en moins d'une milliseconde.

    Pour chaque dossier, dans l'ordre :
    - disponible = min(reliquat national, reliquat de sa région s'il y a une enveloppe régionale) ;
    - s'il tient (montant maximal ≤ disponible) : financé en totalité ;
    - sinon, si le financement partiel est permis et que le disponible (au centime inférieur)
      finance encore au moins 0,5 ETP du dossier (disponible ≥ montant maximal × 0,5 / ETP, au
      centime supérieur) : financé à hauteur du disponible, ce qui épuise l'enveloppe concernée ;
    - sinon : non financé, et on passe au suivant, qui peut tenir dans le reliquat.
    """
    montant_max = base["montant_max_aap"].to_numpy()
    minimum = _montant_minimum(montant_max, base["etp_demandes"].to_numpy(), etp_minimum)
    regions = base["region"].to_numpy()
    n = len(base)
    montant = np.zeros(n)
    disponible = np.full(n, np.nan)
    limite_regionale = np.zeros(n, dtype=bool)
    restant = float(enveloppe)
    restant_regions = {str(k): float(v) for k, v in (enveloppes_regionales or {}).items()}
    ordre = base.index[base["candidat"].to_numpy()][np.argsort(base.loc[base["candidat"], "rang"].to_numpy(dtype=float))]
    for i in ordre:
        region = regions[i]
        dispo = min(restant, restant_regions.get(region, math.inf))
        disponible[i] = dispo
        limite_regionale[i] = restant_regions.get(region, math.inf) < restant
        if montant_max[i] <= dispo + _TOL_EUROS:
            accorde = montant_max[i]
        elif financement_partiel and float(centimes_bas(dispo)) >= minimum[i] - 1e-9:
            accorde = float(centimes_bas(dispo))
        else:
            continue
        montant[i] = accorde
        restant -= accorde
        if region in restant_regions:
            restant_regions[region] -= accorde
    return _Parcours(montant, disponible, limite_regionale, restant_regions)


def allouer_priorite(
    dossiers_evalues: pd.DataFrame,
    *,
    enveloppe: float | None = None,
    parametres: ParametresCampagne = PARAMETRES_2025,
    priorites: pd.DataFrame | None = None,
    enveloppes_regionales: Mapping[str, float] | None = None,
    financement_partiel: bool = True,
    communes_par_dossier: pd.DataFrame | None = None,
    poids_communes: pd.Series | None = None,
) -> ResultatAllocation:
    """Attribue l'enveloppe dans l'ordre de priorité de l'appel, jusqu'à épuisement.

    Ordre (du plus au moins prioritaire), pour les dossiers éligibles :
    1. structure financée par le PNAD chacune des années 2022, 2023 et 2024 (`prioritaire_pnad`) ;
    2. couverture des zones blanches et des grands projets (`couvre_zone_blanche` +
       `couvre_grand_projet`, booléens ou scores, 0 si absents) ;
    3. orientation vers les marchés de l'État (`note_marches_etat`, 0 à 5) ;
    4. score du comité (`score_comite`, somme des quatre notes, 0 à 20) ;
    5. à égalité, `id_dossier` (ordre alphabétique) : le résultat est toujours le même.

    Chaque dossier reçoit son montant maximal (`montant_max_aap`) tant que l'enveloppe le
    permet. Le premier dossier qui ne tient pas marque la ligne de coupure : il est financé
    partiellement si le reliquat finance encore au moins 0,5 ETP de son projet (minimum de
    l'appel) et si `financement_partiel` ; sinon il n'est pas financé et les dossiers suivants
    qui tiennent dans le reliquat sont financés (les explications le disent).

    Parameters
    ----------
    dossiers_evalues : pd.DataFrame
        Table rendue par `coverage.financement.regles.evaluer_dossiers` (avec, en option, `region`,
        `couvre_zone_blanche`, `couvre_grand_projet`).
    enveloppe : float, optional
        Enveloppe à répartir, en € ; par défaut `parametres.enveloppe_nationale`.
    parametres : ParametresCampagne
        Chiffres de la campagne (ETP minimum, années PNAD).
    priorites : pd.DataFrame, optional
        `id_dossier` et `couvre_zone_blanche` / `couvre_grand_projet` (booléens ou scores) ;
        remplace les valeurs des dossiers (ex. calculées par le moteur de couverture).
    enveloppes_regionales : dict[str, float], optional
        Code région → enveloppe en € ; une région absente n'a pas de limite régionale (seule
        l'enveloppe nationale s'applique).
    financement_partiel : bool
        Autorise le financement partiel du dossier de la ligne de coupure (au moins 0,5 ETP).
    communes_par_dossier, poids_communes : optional
        Si fournis, `objectif` = couverture pondérée atteinte (voir `objectif_couverture`).

    Returns
    -------
    ResultatAllocation
        mode « priorite », lignes par dossier, enveloppe utilisée et restante, messages (ligne
        de coupure, enveloppes régionales).

    Example
    -------
    >>> r = allouer_priorite(evaluer_dossiers(dossiers), enveloppe=100_000.0)  # doctest: +SKIP
    >>> r.lignes[["id_dossier", "montant_attribue", "explication"]]  # doctest: +SKIP
    """
    debut = time.perf_counter()
    enveloppe = parametres.enveloppe_nationale if enveloppe is None else enveloppe
    base = _preparer(dossiers_evalues, priorites)
    erreurs = _check_enveloppes(enveloppe, enveloppes_regionales)
    if erreurs:
        return _resultat_infaisable("priorite", base, enveloppe, erreurs, debut)
    enveloppe = float(enveloppe)
    parcours = _parcourir(
        base,
        enveloppe=enveloppe,
        enveloppes_regionales=enveloppes_regionales,
        financement_partiel=financement_partiel,
        etp_minimum=parametres.etp_minimum,
    )
    montant = parcours.montant
    montant_max = base["montant_max_aap"].to_numpy()
    rang = base["rang"].to_numpy(dtype=float, na_value=np.nan)
    candidat = base["candidat"].to_numpy()
    pas_total = candidat & (montant < montant_max - _TOL_EUROS)
    rang_coupure = float(np.nanmin(np.where(pas_total, rang, np.nan))) if pas_total.any() else math.inf
    n_candidats = int(candidat.sum())

    explication = _explications_priorite(
        base, parcours, rang_coupure=rang_coupure, n_candidats=n_candidats,
        financement_partiel=financement_partiel, parametres=parametres,
    )
    lignes = _lignes(base, montant, explication)
    utilisee = float(np.round(montant.sum(), 2))
    messages = _messages_priorite(base, lignes, parcours, enveloppe=enveloppe, rang_coupure=rang_coupure)
    objectif = None
    if communes_par_dossier is not None and poids_communes is not None:
        objectif = objectif_couverture(lignes, communes_par_dossier, poids_communes)
    return ResultatAllocation(
        mode="priorite",
        statut_solveur="Classement par ordre de priorité (sans solveur)",
        objectif=objectif,
        temps_s=time.perf_counter() - debut,
        lignes=lignes,
        enveloppe=enveloppe,
        enveloppe_utilisee=utilisee,
        enveloppe_restante=float(np.round(enveloppe - utilisee, 2)),
        messages=tuple(messages),
    )


def _explications_priorite(
    base: pd.DataFrame,
    parcours: _Parcours,
    *,
    rang_coupure: float,
    n_candidats: int,
    financement_partiel: bool,
    parametres: ParametresCampagne,
) -> list[str]:
    """Une phrase par dossier : pourquoi financé, partiellement, ou non (mise en forme seulement)."""
    criteres = _criteres(base, parametres)
    minimum = format_etp(parametres.etp_minimum)
    textes = []
    for i, (eligible, candidat, motifs, m_max, etp, rang, region) in enumerate(
        zip(
            base["eligible"], base["candidat"], base["motifs"], base["montant_max_aap"],
            base["etp_demandes"], base["rang"], base["region"], strict=True,
        )
    ):
        if not eligible or not candidat:
            textes.append(_explication_ineligible(motifs))
            continue
        montant = parcours.montant[i]
        dispo = parcours.disponible[i]
        quelle = f"régionale ({region})" if parcours.limite_regionale[i] else "nationale"
        position = f"rang {rang} sur {n_candidats} ({criteres[i]})"
        if montant >= m_max - _TOL_EUROS:
            if rang > rang_coupure:
                textes.append(
                    f"Financé en totalité : {format_euros(montant)} pour {format_etp(etp)}, {position} ; "
                    f"classé après la ligne de coupure (rang {int(rang_coupure)}), son montant tient dans le "
                    f"reliquat de l'enveloppe {quelle}."
                )
            else:
                textes.append(f"Financé en totalité : {format_euros(montant)} pour {format_etp(etp)}, {position}.")
        elif montant > _TOL_EUROS:
            etp_f = etp * montant / m_max
            textes.append(
                f"Financé partiellement : {format_euros(montant)} sur {format_euros(m_max)} "
                f"({format_etp(round(etp_f, 2))} sur {format_etp(etp)}), {position} ; ligne de coupure : le "
                f"reliquat de l'enveloppe {quelle} finance au moins {minimum}."
            )
        else:
            etp_possible = etp * max(dispo, 0.0) / m_max
            if dispo <= _TOL_EUROS:
                raison = f"l'enveloppe {quelle} était épuisée"
            elif not financement_partiel:
                raison = (
                    f"il fallait {format_euros(m_max)} et il restait {format_euros(dispo)} sur l'enveloppe {quelle} ; "
                    "le financement partiel n'est pas retenu"
                )
            else:
                raison = (
                    f"il fallait {format_euros(m_max)} et il restait {format_euros(dispo)} sur l'enveloppe {quelle}, "
                    f"soit {format_etp(math.floor(etp_possible * 100) / 100)}, moins que le minimum de {minimum}"
                )
            textes.append(f"Non financé : {position}, sous la ligne de coupure ; {raison}.")
    return textes


def _messages_priorite(
    base: pd.DataFrame,
    lignes: pd.DataFrame,
    parcours: _Parcours,
    *,
    enveloppe: float,
    rang_coupure: float,
) -> list[str]:
    finances = lignes["montant_attribue"] > _TOL_EUROS
    utilisee = float(lignes["montant_attribue"].sum())
    messages = [
        f"Enveloppe de {format_euros(enveloppe)} : {format_euros(utilisee)} attribués à {int(finances.sum())} "
        f"dossier(s) pour {format_etp(round(float(lignes['etp_finances'].sum()), 2))} ; reste "
        f"{format_euros(enveloppe - utilisee)}."
    ]
    n_inel = int((~base["candidat"]).sum())
    if n_inel:
        messages.append(f"{n_inel} dossier(s) inéligible(s), non classé(s).")
    if math.isinf(rang_coupure):
        if base["candidat"].any():
            messages.append("Pas de ligne de coupure : tous les dossiers éligibles sont financés en totalité.")
    else:
        coupe = lignes[lignes["rang"].astype(float) == rang_coupure].iloc[0]
        messages.append(
            f"Ligne de coupure au rang {int(rang_coupure)} (dossier {coupe['id_dossier']}, "
            f"{StatutFinancement(coupe['statut_financement']).libelle.lower()}) : il restait "
            f"{format_euros(parcours.disponible[coupe.name])} pour un montant maximal de "
            f"{format_euros(coupe['montant_max_aap'])}."
        )
        apres = int((finances & (lignes["rang"].astype(float) > rang_coupure)).sum())
        if apres:
            messages.append(
                f"{apres} dossier(s) classé(s) après la ligne de coupure sont financé(s) : leur montant tenait "
                "dans le reliquat."
            )
    for region, reste in sorted(parcours.restant_regions.items()):
        messages.append(f"Enveloppe régionale {region} : reste {format_euros(reste)}.")
    return messages


# --------------------------------------------------------------------------------------------
# Objectif de couverture et comparaison (communs aux deux modes)
# --------------------------------------------------------------------------------------------


def _check_communes(communes_par_dossier: pd.DataFrame, poids_communes: pd.Series) -> None:
    manquantes = [c for c in ("id_dossier", "commune") if c not in communes_par_dossier.columns]
    if manquantes:
        raise ValueError(
            "Table `communes_par_dossier` : colonnes manquantes "
            + ", ".join(f"`{c}`" for c in manquantes)
            + " (attendu : une ligne par couple dossier, commune couverte)."
        )
    if not isinstance(poids_communes, pd.Series) or not pd.api.types.is_numeric_dtype(poids_communes):
        raise ValueError("`poids_communes` : attendu une pd.Series numérique indexée par code commune.")
    if poids_communes.index.has_duplicates:
        code = poids_communes.index[poids_communes.index.duplicated()][0]
        raise ValueError(f"`poids_communes` : la commune « {code} » apparaît plusieurs fois (attendu : un poids par commune).")


def objectif_couverture(lignes: pd.DataFrame, communes_par_dossier: pd.DataFrame, poids: pd.Series) -> float:
    """Couverture pondérée d'une allocation : somme des poids des communes couvertes, chacune une fois.

    Une commune est couverte si au moins un dossier qui la couvre reçoit un montant > 0 (le
    financement, même partiel, est d'au moins 0,5 ETP). C'est la fonction objectif de
    `allouer_optimisation` (sans son terme secondaire) : elle sert à comparer deux allocations.

    Parameters
    ----------
    lignes : pd.DataFrame
        `id_dossier`, `montant_attribue` (€) — les `lignes` d'un `ResultatAllocation`.
    communes_par_dossier : pd.DataFrame
        `id_dossier`, `commune` (code INSEE) : une ligne par commune du périmètre du dossier.
    poids : pd.Series
        Code commune → poids (ex. population de la commune si elle est à couvrir, 0 sinon).

    Returns
    -------
    float
        Somme des poids (unité des poids, ex. habitants).

    Example
    -------
    >>> lignes = pd.DataFrame({"id_dossier": ["A", "B"], "montant_attribue": [1.0, 1.0]})
    >>> cpd = pd.DataFrame({"id_dossier": ["A", "B"], "commune": ["01001", "01001"]})
    >>> objectif_couverture(lignes, cpd, pd.Series({"01001": 100.0}))
    100.0
    """
    _check_communes(communes_par_dossier, poids)
    finances = set(lignes.loc[lignes["montant_attribue"] > _TOL_EUROS, "id_dossier"].astype(str))
    communes = communes_par_dossier.loc[communes_par_dossier["id_dossier"].astype(str).isin(finances), "commune"]
    communes = pd.Index(communes.astype(str).unique())
    poids = poids.set_axis(poids.index.astype(str))
    return float(poids.reindex(communes).fillna(0.0).sum())


def comparer(resultat_a: ResultatAllocation, resultat_b: ResultatAllocation) -> pd.DataFrame:
    """Dossiers dont le financement diffère entre deux allocations.

    Returns
    -------
    pd.DataFrame
        `id_dossier`, `rang`, `montant_a`, `montant_b`, `ecart` (b − a, €), `etp_a`, `etp_b`,
        `statut_a`, `statut_b`, `explication_a`, `explication_b` ; trié par écart décroissant
        puis `id_dossier`. Vide si les deux allocations attribuent les mêmes montants.
        L'objectif de chacune sur la même fonction : `objectif_couverture`.
    """
    colonnes = ["id_dossier", "rang", "montant_attribue", "etp_finances", "statut_financement", "explication"]
    a = resultat_a.lignes[colonnes]
    b = resultat_b.lignes[colonnes].drop(columns="rang")
    fusion = a.merge(b, on="id_dossier", how="outer", suffixes=("_a", "_b"))
    for c in ("montant_attribue_a", "montant_attribue_b", "etp_finances_a", "etp_finances_b"):
        fusion[c] = fusion[c].fillna(0.0)
    fusion = fusion.rename(
        columns={
            "montant_attribue_a": "montant_a",
            "montant_attribue_b": "montant_b",
            "etp_finances_a": "etp_a",
            "etp_finances_b": "etp_b",
            "statut_financement_a": "statut_a",
            "statut_financement_b": "statut_b",
        }
    )
    fusion["ecart"] = np.round(fusion["montant_b"] - fusion["montant_a"], 2)
    differe = fusion["ecart"].abs() > _TOL_EUROS
    sortie = fusion.loc[
        differe,
        ["id_dossier", "rang", "montant_a", "montant_b", "ecart", "etp_a", "etp_b", "statut_a", "statut_b", "explication_a", "explication_b"],
    ]
    return sortie.sort_values(["ecart", "id_dossier"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Mode 2 : optimisation (couverture maximale sous budget, MILP)
# --------------------------------------------------------------------------------------------


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
    minimum = _montant_minimum(modele.montants, modele.etp, etp_minimum)
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
    minimum = _montant_minimum(modele.montants, modele.etp, etp_minimum)
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
    if total > enveloppe + _TOL_EUROS:
        messages.append(
            f"Infaisable : les {len(prio)} dossiers prioritaires (PNAD {annees}) demandent au total "
            f"{format_euros(total)}, plus que l'enveloppe de {format_euros(enveloppe)}. Décochez « financer les "
            "dossiers prioritaires » ou augmentez l'enveloppe."
        )
    for region, plafond in sorted((enveloppes_regionales or {}).items()):
        total_r = float(prio.loc[prio["region"] == str(region), "montant_max_aap"].sum())
        if total_r > float(plafond) + _TOL_EUROS:
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
    base = _preparer(dossiers_evalues, priorites)
    _check_communes(communes_par_dossier, poids_communes)
    if solveur != "highs":
        return _resultat_infaisable(
            "optimisation", base, enveloppe, [f"Solveur « {solveur} » inconnu (attendu : « highs »)."], debut
        )
    erreurs = _check_enveloppes(enveloppe, enveloppes_regionales)
    if not erreurs and financer_prioritaires:
        erreurs = _check_prioritaires(base, float(enveloppe), enveloppes_regionales, parametres)
    if erreurs:
        return _resultat_infaisable("optimisation", base, enveloppe, erreurs, debut)
    enveloppe = float(enveloppe)

    # Référence : l'ordre de priorité, mêmes réglages (garantit « jamais moins bien »).
    reference = allouer_priorite(
        dossiers_evalues,
        enveloppe=enveloppe,
        parametres=parametres,
        priorites=priorites,
        enveloppes_regionales=enveloppes_regionales,
        financement_partiel=financement_partiel,
        communes_par_dossier=communes_par_dossier,
        poids_communes=poids_communes,
    )

    modele, positions = _construire_modele(base, communes_par_dossier, poids_communes, financement_partiel=financement_partiel)
    prioritaires = base["prioritaire_pnad"].to_numpy()[positions] if financer_prioritaires else None
    contraintes = [
        c
        for c in (
            _contrainte_enveloppe(modele, enveloppe),
            _contraintes_regionales(modele, enveloppes_regionales or {}),
            _contraintes_couverture(modele),
            _contraintes_financement_partiel(modele, parametres.etp_minimum),
        )
        if c is not None
    ]
    integralite = np.zeros(modele.n_variables)
    integralite[modele.col_z : modele.col_z + modele.n] = 1
    messages: list[str] = []
    if modele.n == 0:
        part = np.zeros(0)
        statut = "Aucun dossier éligible : rien à optimiser"
    else:
        solution = milp(
            c=_objectif(modele, enveloppe),
            integrality=integralite,
            bounds=_bornes(modele, prioritaires),
            constraints=contraintes,
            options=options.pour_scipy(),
        )
        statut = _STATUTS_SCIPY.get(solution.status, "Erreur du solveur")
        if solution.x is None:
            if solution.status == 2:
                return _resultat_infaisable(
                    "optimisation", base, enveloppe,
                    ["Infaisable : aucune allocation ne respecte à la fois les enveloppes et les dossiers imposés."],
                    debut,
                )
            messages.append(f"{statut} : le solveur n'a pas trouvé de solution ; l'ordre de priorité est retenu.")
            part = None
        else:
            z = solution.x[modele.col_z : modele.col_z + modele.n] > 0.5
            x = np.clip(solution.x[modele.col_x : modele.col_x + modele.n], 0.0, 1.0)
            part = np.where(z, x, 0.0)

    montant = np.zeros(len(base))
    if part is not None:
        montant[positions] = _montants_au_centime(modele, part, parametres.etp_minimum)
        candidat_lignes = _lignes(base, montant, [""] * len(base))
        objectif = objectif_couverture(candidat_lignes, communes_par_dossier, poids_communes)
    else:
        objectif = -math.inf
    objectif_reference = float(reference.objectif or 0.0)
    reference_admissible = not financer_prioritaires or bool(
        (reference.lignes.loc[base["candidat"] & base["prioritaire_pnad"], "statut_financement"] == StatutFinancement.TOTAL.value).all()
    )
    if reference_admissible and objectif < objectif_reference - 1e-9:
        if part is not None:
            messages.append(
                f"Le solveur s'est arrêté ({statut.lower()}) sur une couverture de {format_nombre(objectif)} {unite_poids}, "
                f"moins que l'ordre de priorité ({format_nombre(objectif_reference)}) : l'allocation par ordre de "
                "priorité est retenue."
            )
        montant = reference.lignes["montant_attribue"].to_numpy().copy()
        objectif = objectif_reference
    elif part is None:
        montant = reference.lignes["montant_attribue"].to_numpy().copy()
        objectif = objectif_reference

    explication = _explications_optimisation(
        base, montant, communes_par_dossier, poids_communes,
        financer_prioritaires=financer_prioritaires, unite_poids=unite_poids, parametres=parametres,
    )
    lignes = _lignes(base, montant, explication)
    utilisee = float(np.round(montant.sum(), 2))
    ecart = objectif - objectif_reference
    messages.insert(
        0,
        f"Couverture pondérée : {format_nombre(objectif)} {unite_poids} avec l'optimisation, contre "
        f"{format_nombre(objectif_reference)} avec l'ordre de priorité (écart {'+' if ecart >= 0 else ''}"
        f"{format_nombre(ecart)}).",
    )
    messages.insert(
        1,
        f"Enveloppe de {format_euros(enveloppe)} : {format_euros(utilisee)} attribués à "
        f"{int((montant > _TOL_EUROS).sum())} dossier(s) pour {format_etp(round(float(lignes['etp_finances'].sum()), 2))} ; "
        f"reste {format_euros(enveloppe - utilisee)}.",
    )
    messages.append(
        f"Modèle : {modele.n} dossiers candidats, {modele.m} groupes de communes à couvrir"
        f"{', financement partiel (≥ ' + format_etp(parametres.etp_minimum) + ')' if financement_partiel else ''}"
        f"{', dossiers prioritaires imposés' if financer_prioritaires else ''}."
    )
    for region, plafond in sorted((enveloppes_regionales or {}).items()):
        pris = float(lignes.loc[lignes["region"] == str(region), "montant_attribue"].sum())
        messages.append(f"Enveloppe régionale {region} : reste {format_euros(float(plafond) - pris)}.")
    return ResultatAllocation(
        mode="optimisation",
        statut_solveur=statut,
        objectif=float(objectif),
        temps_s=time.perf_counter() - debut,
        lignes=lignes,
        enveloppe=enveloppe,
        enveloppe_utilisee=utilisee,
        enveloppe_restante=float(np.round(enveloppe - utilisee, 2)),
        messages=tuple(messages),
    )


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
    finance = (montant > _TOL_EUROS).astype(float)
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
            textes.append(_explication_ineligible(motifs))
            continue
        impose = " ; dossier prioritaire (PNAD) imposé" if financer_prioritaires and prio else ""
        if total[i] <= 0:
            apport = "ne couvre aucune commune à couvrir (reliquat employé selon l'ordre de priorité)"
        elif seul[i] <= 0 and montant[i] > _TOL_EUROS:
            apport = (
                f"ses communes à couvrir ({format_nombre(total[i])} {unite_poids}) sont aussi couvertes par d'autres "
                "dossiers financés (reliquat employé selon l'ordre de priorité)"
            )
        else:
            apport = (
                f"couvre {format_nombre(total[i])} {unite_poids} à couvrir, dont {format_nombre(seul[i])} qu'aucun "
                "autre dossier financé ne couvre"
            )
        if montant[i] >= m_max - _TOL_EUROS:
            textes.append(f"Financé en totalité : {format_euros(montant[i])} pour {format_etp(etp)} ; {apport}{impose}.")
        elif montant[i] > _TOL_EUROS:
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


# --------------------------------------------------------------------------------------------
# Où placer N ETP supplémentaires ?
# --------------------------------------------------------------------------------------------

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
