"""Allocation région par région : chaque région dans sa propre enveloppe, puis consolidation.

Sans choix explicite d'un pot national, aucun euro ne passe d'une région à une autre : les
dossiers de la région r se partagent l'enveloppe e_r, et rien d'autre,

    somme_{i de r} montant_i ≤ e_r   pour chaque région r   [€]

(`allouer_priorite` ou `allouer_optimisation` appelés une fois par région avec `enveloppe=e_r`).
Une région absente de la table des enveloppes ne reçoit rien (avertissement en français). Avec
`pot_national=True`, l'utilisateur choisit au contraire de mettre en commun le total des
enveloppes : une seule allocation nationale de ce total, l'argent suit les priorités d'une
région à l'autre.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from coverage.documents.format import format_euros
from coverage.financement.allocation import ResultatAllocation, allouer_optimisation, allouer_priorite

__all__ = ["AllocationRegionale", "allouer_par_region"]

_TOL_EUROS = 0.005


@dataclass(frozen=True)
class AllocationRegionale:
    """Allocations régionales et leur consolidation.

    Attributes
    ----------
    consolidee : ResultatAllocation
        Toutes les lignes (colonne `region`, `rang` = rang dans la région), enveloppe = total des
        enveloppes régionales ; se lit comme une allocation nationale.
    par_region : pd.DataFrame
        Index code région (régions de la table et régions qui ont des dossiers) : `enveloppe`,
        `utilisee`, `restante` (€), `nb_dossiers`, `nb_finances`, `etp_finances`, `depassement`
        (bool : jamais vrai sans pot national), `dans_la_table` (bool).
    resultats : dict[str, ResultatAllocation]
        L'allocation de chaque région (vide avec un pot national).
    avertissements : tuple[str, ...]
        Régions absentes de la table qui avaient des dossiers, en français.
    pot_national : bool
    """

    consolidee: ResultatAllocation
    par_region: pd.DataFrame
    resultats: dict[str, ResultatAllocation]
    avertissements: tuple[str, ...]
    pot_national: bool = False


def _allouer(mode: str, dossiers: pd.DataFrame, enveloppe: float, options: Mapping[str, Any],
             communes_par_dossier: pd.DataFrame | None) -> ResultatAllocation:
    communes = None
    if communes_par_dossier is not None:
        communes = communes_par_dossier[communes_par_dossier["id_dossier"].isin(dossiers["id_dossier"])]
    if mode == "optimisation":
        return allouer_optimisation(dossiers, enveloppe=enveloppe, communes_par_dossier=communes, **options)
    return allouer_priorite(dossiers, enveloppe=enveloppe, communes_par_dossier=communes, **options)


def _par_region(lignes: pd.DataFrame, enveloppes: pd.Series) -> pd.DataFrame:
    codes = sorted(set(enveloppes.index) | set(lignes["region"].astype(str)))
    groupes = lignes.assign(finance=lignes["montant_attribue"] > _TOL_EUROS).groupby(lignes["region"].astype(str))
    t = pd.DataFrame(index=pd.Index(codes, name="region"))
    t["enveloppe"] = enveloppes.reindex(t.index).fillna(0.0).astype(float)
    t["utilisee"] = groupes["montant_attribue"].sum().reindex(t.index).fillna(0.0).round(2)
    t["restante"] = (t["enveloppe"] - t["utilisee"]).round(2)
    t["nb_dossiers"] = groupes.size().reindex(t.index).fillna(0).astype(int)
    t["nb_finances"] = groupes["finance"].sum().reindex(t.index).fillna(0).astype(int)
    t["etp_finances"] = groupes["etp_finances"].sum().reindex(t.index).fillna(0.0).round(4)
    t["depassement"] = t["utilisee"] > t["enveloppe"] + _TOL_EUROS
    t["dans_la_table"] = t.index.isin(enveloppes.index)
    return t


def allouer_par_region(
    dossiers_evalues: pd.DataFrame,
    *,
    enveloppes: Mapping[str, float] | pd.Series,
    mode: Literal["priorite", "optimisation"] = "priorite",
    pot_national: bool = False,
    noms_regions: Mapping[str, str] | None = None,
    communes_par_dossier: pd.DataFrame | None = None,
    **options: Any,
) -> AllocationRegionale:
    """Alloue chaque région dans sa propre enveloppe et consolide.

    Parameters
    ----------
    dossiers_evalues : table de `evaluer_dossiers` avec la colonne `region` (code COG).
    enveloppes : code région → enveloppe en € ; une région absente reçoit 0 €.
    mode : `priorite` ou `optimisation` (il faut alors `communes_par_dossier` et
        `poids_communes` dans `options`).
    pot_national : True seulement sur choix explicite de l'utilisateur : une allocation nationale
        du total des enveloppes, sans limite par région.
    noms_regions : code → nom, pour les avertissements.
    options : transmises par mot-clé à `allouer_priorite` / `allouer_optimisation`
        (`priorites`, `financement_partiel`, `poids_communes`, `parametres`…).

    Returns
    -------
    AllocationRegionale

    Example
    -------
    >>> r = allouer_par_region(evalues, enveloppes={"84": 600_000, "32": 400_000})  # doctest: +SKIP
    >>> r.par_region[["enveloppe", "utilisee", "restante"]]  # doctest: +SKIP
    """
    debut = time.perf_counter()
    env = pd.Series(dict(enveloppes), dtype=float)
    if (env < 0).any() or not np.isfinite(env.to_numpy()).all():
        raise ValueError("Enveloppes régionales : chaque montant doit être un nombre d'euros positif ou nul.")
    dossiers = dossiers_evalues.assign(region=dossiers_evalues["region"].astype(str))
    noms = dict(noms_regions or {})
    avertissements = []
    for code, n in dossiers.groupby("region").size().items():
        if code not in env.index:
            avertissements.append(f"Région {noms.get(code, code)} ({code}) absente de la table des enveloppes régionales : "
                                  f"ses {n} dossier(s) ne reçoivent rien.")
    if pot_national:
        total = float(env.sum())
        r = _allouer(mode, dossiers, total, options, communes_par_dossier)
        consolidee = r
        resultats: dict[str, ResultatAllocation] = {}
    else:
        resultats = {code: _allouer(mode, groupe.reset_index(drop=True), float(env.get(code, 0.0)), options, communes_par_dossier)
                     for code, groupe in dossiers.groupby("region", sort=True)}
        consolidee = _consolider(resultats, env, mode, debut)
    par_region = _par_region(consolidee.lignes, env)
    messages = [*avertissements, *consolidee.messages] if pot_national else [*avertissements, *_messages(par_region, noms)]
    consolidee = replace(consolidee, messages=tuple(messages))
    return AllocationRegionale(consolidee, par_region, resultats, tuple(avertissements), pot_national)


def _consolider(resultats: dict[str, ResultatAllocation], env: pd.Series, mode: str, debut: float) -> ResultatAllocation:
    lignes = [r.lignes for r in resultats.values()]
    lignes = pd.concat(lignes, ignore_index=True) if lignes else pd.DataFrame(columns=["id_dossier", "region", "montant_attribue", "etp_finances"])
    if len(lignes):
        # Chaque allocation ne connaît que son enveloppe : ici, c'est celle de la région.
        explication = lignes["explication"].str.replace("enveloppe nationale", "enveloppe régionale", regex=False)
        absente = ~lignes["region"].isin(env.index) & lignes["eligible"].astype(bool)
        lignes["explication"] = explication.where(~absente, "Non financé : la région n'a pas d'enveloppe régionale dans la table.")
    total = float(env.sum())
    utilisee = float(np.round(lignes["montant_attribue"].sum(), 2)) if len(lignes) else 0.0
    objectifs = [r.objectif for r in resultats.values() if r.objectif is not None]
    statuts = sorted({r.statut_solveur for r in resultats.values()})
    return ResultatAllocation(
        mode=mode,  # type: ignore[arg-type]
        statut_solveur=(statuts[0] if len(statuts) == 1 else " / ".join(statuts)) + " — région par région, chacune dans son enveloppe",
        objectif=float(sum(objectifs)) if objectifs else None,
        temps_s=time.perf_counter() - debut,
        lignes=lignes,
        enveloppe=total,
        enveloppe_utilisee=utilisee,
        enveloppe_restante=float(np.round(total - utilisee, 2)),
        messages=(),
        faisable=all(r.faisable for r in resultats.values()),
    )


def _messages(par_region: pd.DataFrame, noms: Mapping[str, str]) -> list[str]:
    avec_dossiers = par_region[par_region["nb_dossiers"] > 0]
    restes = [f"{noms.get(c, c)} : {format_euros(r)}" for c, r in par_region["restante"].items() if r > _TOL_EUROS]
    lignes = [f"Allocation région par région : {len(avec_dossiers)} région(s) avec des dossiers, chacune dans son enveloppe ; "
              "aucun montant ne passe d'une région à une autre."]
    if restes:
        lignes.append("Reste par région : " + " ; ".join(restes) + ".")
    return lignes
