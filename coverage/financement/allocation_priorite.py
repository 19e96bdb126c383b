"""Mode 1 de l'allocation : l'ordre de priorité de l'appel, lisible en comité de sélection.

Les dossiers éligibles sont classés (structure financée par le PNAD en 2022, 2023 et 2024, puis
couverture des zones blanches et des grands projets, puis orientation vers les marchés de l'État,
puis score du comité, enfin `id_dossier`) et financés à leur montant maximal dans cet ordre
jusqu'à épuisement de l'enveloppe (voir `allouer_priorite` pour le dossier qui ne tient pas).

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coverage.documents.format import format_euros
from coverage.financement.allocation_commune import (
    TOL_EUROS,
    ResultatAllocation,
    StatutFinancement,
    centimes_enveloppe,
    centimes_minimum,
    check_enveloppes,
    criteres_en_clair,
    explication_ineligible,
    objectif_couverture,
    preparer_base,
    resultat_infaisable,
    tableau_lignes,
)
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.plafonds import format_etp

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
    # En centimes entiers : le reliquat est exact, l'enveloppe n'est jamais dépassée d'un centime.
    montant_max = base["centimes_max"].to_numpy()
    minimum = centimes_minimum(montant_max, base["etp_demandes"].to_numpy(), etp_minimum)
    regions = base["region"].to_numpy()
    n = len(base)
    montant = np.zeros(n, dtype=np.int64)
    disponible = np.full(n, np.nan)
    limite_regionale = np.zeros(n, dtype=bool)
    restant = centimes_enveloppe(enveloppe)
    restant_regions = {str(k): centimes_enveloppe(v) for k, v in (enveloppes_regionales or {}).items()}
    ordre = base.index[base["candidat"].to_numpy()][np.argsort(base.loc[base["candidat"], "rang"].to_numpy(dtype=float))]
    for i in ordre:
        region = regions[i]
        dispo = min(restant, restant_regions.get(region, restant))
        disponible[i] = dispo / 100
        limite_regionale[i] = restant_regions.get(region, restant) < restant
        if montant_max[i] <= dispo:
            accorde = montant_max[i]
        elif financement_partiel and dispo >= minimum[i]:
            accorde = dispo
        else:
            continue
        montant[i] = accorde
        restant -= accorde
        if region in restant_regions:
            restant_regions[region] -= accorde
    restant_euros = {r: c / 100 for r, c in restant_regions.items()}
    return _Parcours(montant / 100, disponible, limite_regionale, restant_euros)


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
    base = preparer_base(dossiers_evalues, priorites)
    erreurs = check_enveloppes(enveloppe, enveloppes_regionales)
    if erreurs:
        return resultat_infaisable("priorite", base, enveloppe, erreurs, debut)
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
    pas_total = candidat & (montant < montant_max - TOL_EUROS)
    rang_coupure = float(np.nanmin(np.where(pas_total, rang, np.nan))) if pas_total.any() else math.inf
    n_candidats = int(candidat.sum())

    explication = _explications_priorite(
        base, parcours, rang_coupure=rang_coupure, n_candidats=n_candidats,
        financement_partiel=financement_partiel, parametres=parametres,
    )
    lignes = tableau_lignes(base, montant, explication)
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
    criteres = criteres_en_clair(base, parametres)
    minimum = format_etp(parametres.etp_minimum)
    textes = []
    for i, (eligible, candidat, motifs, m_max, etp, rang, region) in enumerate(
        zip(
            base["eligible"], base["candidat"], base["motifs"], base["montant_max_aap"],
            base["etp_demandes"], base["rang"], base["region"], strict=True,
        )
    ):
        if not eligible or not candidat:
            textes.append(explication_ineligible(motifs))
            continue
        montant = parcours.montant[i]
        dispo = parcours.disponible[i]
        quelle = f"régionale ({region})" if parcours.limite_regionale[i] else "nationale"
        position = f"rang {rang} sur {n_candidats} ({criteres[i]})"
        if montant >= m_max - TOL_EUROS:
            if rang > rang_coupure:
                textes.append(
                    f"Financé en totalité : {format_euros(montant)} pour {format_etp(etp)}, {position} ; "
                    f"classé après la ligne de coupure (rang {int(rang_coupure)}), son montant tient dans le "
                    f"reliquat de l'enveloppe {quelle}."
                )
            else:
                textes.append(f"Financé en totalité : {format_euros(montant)} pour {format_etp(etp)}, {position}.")
        elif montant > TOL_EUROS:
            etp_f = etp * montant / m_max
            textes.append(
                f"Financé partiellement : {format_euros(montant)} sur {format_euros(m_max)} "
                f"({format_etp(round(etp_f, 2))} sur {format_etp(etp)}), {position} ; ligne de coupure : le "
                f"reliquat de l'enveloppe {quelle} finance au moins {minimum}."
            )
        else:
            etp_possible = etp * max(dispo, 0.0) / m_max
            if dispo <= TOL_EUROS:
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
    finances = lignes["montant_attribue"] > TOL_EUROS
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
