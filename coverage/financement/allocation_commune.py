"""Ce que partagent les modes d'allocation : résultat, options du solveur, préparation, objectif.

- `ResultatAllocation` (figé), `StatutFinancement`, `OptionsSolveur` ;
- `preparer_base` : colonnes utiles et rang de priorité des dossiers candidats ;
- `tableau_lignes` : la table `lignes` d'un résultat ; `resultat_infaisable` : un résultat qui dit
  pourquoi rien n'est attribué ;
- `objectif_couverture` : la couverture pondérée d'une allocation ; `comparer` : ce qui diffère
  entre deux allocations.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
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

from coverage.documents.format import format_nombre
from coverage.financement.parametres import ParametresCampagne

TOL_EUROS = 0.005  # demi-centime


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
        Limite de temps de tout le calcul de l'optimisation, en secondes (le solveur reçoit ce qui
        reste après la préparation, moins une réserve pour les explications).
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


def preparer_base(dossiers_evalues: pd.DataFrame, priorites: pd.DataFrame | None) -> pd.DataFrame:
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
    base["centimes_max"] = centimes(base["montant_max_aap"].to_numpy())
    base["etp_maintenus"] = (d["etp_maintenus"].astype(float).fillna(0.0).to_numpy() if "etp_maintenus" in d
                             else np.zeros(len(base)))
    candidat = base["eligible"] & (base["montant_max_aap"] > 0)
    ordre = base[candidat].sort_values(
        list(_ORDRE_PRIORITE), ascending=[False, False, False, False, True], kind="mergesort"
    ).index
    rang = pd.Series(pd.NA, index=base.index, dtype="Int64")
    rang.loc[ordre] = np.arange(1, len(ordre) + 1)
    base["rang"] = rang
    base["candidat"] = candidat
    return base


def criteres_en_clair(base: pd.DataFrame, parametres: ParametresCampagne) -> list[str]:
    """Critères de priorité de chaque dossier, en clair (pour les explications)."""
    annees = ", ".join(str(a) for a in parametres.annees_pnad_prioritaires)
    formats: dict[float, str] = {}  # peu de valeurs distinctes (notes au demi-point) : chacune mise en forme une fois

    def nombre(v: float) -> str:
        if v not in formats:
            formats[v] = format_nombre(v, 1, compact=True)
        return formats[v]

    textes = []
    for pnad, zb, gp, marches, comite in zip(
        base["prioritaire_pnad"], base["couvre_zone_blanche"], base["couvre_grand_projet"],
        base["note_marches_etat"], base["score_comite"], strict=True,
    ):
        morceaux = [f"PNAD {annees}"] if pnad else []
        if zb > 0:
            morceaux.append("zone blanche" if zb == 1 else f"zone blanche {nombre(zb)}")
        if gp > 0:
            morceaux.append("grand projet" if gp == 1 else f"grand projet {nombre(gp)}")
        morceaux.append(f"marchés de l'État {nombre(marches)}/5")
        morceaux.append(f"comité {nombre(comite)}/20")
        textes.append(", ".join(morceaux))
    return textes


def tableau_lignes(base: pd.DataFrame, montant: np.ndarray, explication: list[str]) -> pd.DataFrame:
    """Table `lignes` d'un résultat : montant attribué, ETP financés, statut, explication."""
    montant_max = base["montant_max_aap"].to_numpy()
    etp = base["etp_demandes"].to_numpy()
    part = np.divide(montant, montant_max, out=np.zeros_like(montant), where=montant_max > 0)
    statut = np.where(
        ~base["eligible"].to_numpy(),
        StatutFinancement.INELIGIBLE.value,
        np.where(
            montant <= TOL_EUROS,
            StatutFinancement.NON_FINANCE.value,
            np.where(montant >= montant_max - TOL_EUROS, StatutFinancement.TOTAL.value, StatutFinancement.PARTIEL.value),
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


def centimes(montant: Any) -> Any:
    """Euros → centimes entiers (int64), arrondis au plus proche : les montants maximaux sont déjà au centime."""
    return np.round(np.asarray(montant, dtype=float) * 100).astype(np.int64)


def centimes_enveloppe(enveloppe: float) -> int:
    """Une enveloppe en € → centimes entiers, au centime inférieur (jamais plus que l'enveloppe)."""
    return int(np.floor(float(enveloppe) * 100 + 1e-6))


def centimes_minimum(centimes_max: Any, etp: Any, etp_minimum: float) -> Any:
    """Plus petit montant en centimes qui finance au moins `etp_minimum` ETP du dossier :
    centimes_max × etp_minimum / etp, au centime supérieur (le maximum si le dossier demande le minimum)."""
    centimes_max = np.asarray(centimes_max, dtype=np.int64)
    part = np.minimum(etp_minimum / np.maximum(np.asarray(etp, dtype=float), 1e-12), 1.0)
    return np.minimum(np.ceil(centimes_max * part - 1e-6).astype(np.int64), centimes_max)


def montant_minimum(montant_max: Any, etp: Any, etp_minimum: float) -> Any:
    """Plus petit montant au centime qui finance au moins `etp_minimum` ETP du dossier [€] :
    montant_max × etp_minimum / etp, arrondi au centime supérieur (le montant maximal si le
    dossier demande lui-même le minimum)."""
    montant_max = np.asarray(montant_max, dtype=float)
    part = np.minimum(etp_minimum / np.maximum(np.asarray(etp, dtype=float), 1e-12), 1.0)
    return np.minimum(np.ceil(montant_max * part * 100 - 1e-6) / 100, montant_max)


def explication_ineligible(motifs: str) -> str:
    return f"Non financé : dossier inéligible ({motifs})." if motifs else "Non financé : dossier inéligible."


def check_enveloppes(
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


def resultat_infaisable(
    mode: Literal["priorite", "optimisation"],
    base: pd.DataFrame,
    enveloppe: float,
    messages: list[str],
    debut: float,
) -> ResultatAllocation:
    """Résultat sans attribution, qui dit pourquoi (jamais d'exception pour l'utilisateur)."""
    raison = " ".join(messages)
    explication = [
        explication_ineligible(m) if not e else f"Non calculé : paramètres infaisables. {raison}"
        for e, m in zip(base["eligible"], base["motifs"], strict=True)
    ]
    lignes = tableau_lignes(base, np.zeros(len(base)), explication)
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
# Objectif de couverture et comparaison (communs aux deux modes)
# --------------------------------------------------------------------------------------------


def check_communes(communes_par_dossier: pd.DataFrame, poids_communes: pd.Series) -> None:
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
    check_communes(communes_par_dossier, poids)
    finances = set(lignes.loc[lignes["montant_attribue"] > TOL_EUROS, "id_dossier"].astype(str))
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
    differe = fusion["ecart"].abs() > TOL_EUROS
    sortie = fusion.loc[
        differe,
        ["id_dossier", "rang", "montant_a", "montant_b", "ecart", "etp_a", "etp_b", "statut_a", "statut_b", "explication_a", "explication_b"],
    ]
    return sortie.sort_values(["ecart", "id_dossier"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
