"""Indicateurs des bilans consolidés par département, région et France, tous marchés et marchés de l'État.

Règles (docs/bilans.md) :
- pour une année de campagne, chaque structure compte une fois, par son bilan annuel s'il est reçu,
  sinon par son bilan intermédiaire (le rapport annuel couvre toute l'année et reprend le semestre :
  les deux ne s'additionnent pas) ;
- une structure est rattachée au département de son siège (`structures.departement`), donc à la
  DREETS de sa région, qui signe sa convention ;
- heures par ETP subventionné = somme des heures / somme des ETP subventionnés du territoire
  (`heures_par_etp_total`, `heures_par_etp_etat`), pas une moyenne des ratios des structures ;
- évolution des heures = heures de l'année / heures de l'année précédente − 1, sur les seules
  structures qui ont déclaré `heures_annee_precedente`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from coverage.modele import INDICATEURS_TOTAL_ETAT, Periode
from geo.reference import Referentiel

__all__ = ["INDICATEURS_SOMMES", "bilans_retenus", "consolider", "indicateurs_structures"]

NiveauConsolidation = Literal["departement", "region", "france"]

INDICATEURS_SOMMES = (
    "etp_subventionnes",
    *(f"{nom}_{suffixe}" for nom in INDICATEURS_TOTAL_ETAT for suffixe in ("total", "etat")),
    "heures_clausees_porteur",
    "heures_annee_precedente",
    "contacts_acheteurs",
    "beneficiaires_etp",
    "beneficiaires_nombre",
    "structures_inclusives_mobilisees",
    "territoires_concernes",
)
"""Indicateurs additifs des bilans (sommés sur les structures d'un territoire)."""

INDICATEURS_RATIOS = ("heures_par_etp_total", "heures_par_etp_etat", "part_heures_etat", "evolution_heures",
                      "part_heures_porteur")
"""Indicateurs calculés sur les sommes : heures par ETP, part État, évolution, part des heures du porteur."""


def bilans_retenus(bilans: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Le bilan qui représente chaque structure pour `annee` : l'annuel s'il existe, sinon l'intermédiaire.

    Returns
    -------
    Une ligne par structure, colonnes du fichier `bilans` (la colonne `periode` dit lequel a été retenu).
    """
    de_l_annee = bilans[bilans["annee"] == annee]
    rang = (de_l_annee["periode"] == Periode.ANNUEL.value).astype(int)
    ordre = de_l_annee.assign(_rang=rang).sort_values(["id_structure", "_rang"], ascending=[True, False])
    return ordre.drop_duplicates("id_structure").drop(columns="_rang").reset_index(drop=True)


def _ratios(sommes: pd.DataFrame, avec_precedent: pd.DataFrame) -> pd.DataFrame:
    """Ratios d'un territoire à partir de ses sommes (NaN quand le dénominateur est nul)."""
    etp = sommes["etp_subventionnes"].where(sommes["etp_subventionnes"] > 0)
    total = sommes["heures_insertion_total"]
    ratios = pd.DataFrame(index=sommes.index)
    ratios["heures_par_etp_total"] = total / etp
    ratios["heures_par_etp_etat"] = sommes["heures_insertion_etat"] / etp
    ratios["part_heures_etat"] = sommes["heures_insertion_etat"] / total.where(total > 0)
    precedent = avec_precedent["heures_annee_precedente"]
    ratios["evolution_heures"] = avec_precedent["heures_insertion_total"] / precedent.where(precedent > 0) - 1
    porteur = avec_precedent["heures_clausees_porteur"]
    ratios["part_heures_porteur"] = avec_precedent["heures_porteur_ref"] / porteur.where(porteur > 0)
    return ratios


def indicateurs_structures(bilans: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Une ligne par structure (bilan retenu pour `annee`) avec ses ratios, indexée par `id_structure`."""
    retenus = bilans_retenus(bilans, annee).set_index("id_structure")
    sommes = retenus[list(INDICATEURS_SOMMES)].astype(float)
    return pd.concat([retenus[["annee", "periode", "date_remise"]], sommes, _ratios(sommes, _pour_ratios(sommes))],
                     axis=1)


def _pour_ratios(sommes: pd.DataFrame) -> pd.DataFrame:
    """Numérateurs restreints aux lignes qui ont le dénominateur (heures précédentes, heures du porteur)."""
    a_precedent = sommes["heures_annee_precedente"].notna()
    a_porteur = sommes["heures_clausees_porteur"].notna()
    return pd.DataFrame({
        "heures_insertion_total": sommes["heures_insertion_total"].where(a_precedent),
        "heures_annee_precedente": sommes["heures_annee_precedente"],
        "heures_porteur_ref": sommes["heures_insertion_total"].where(a_porteur),
        "heures_clausees_porteur": sommes["heures_clausees_porteur"],
    }, index=sommes.index)


def _territoire(structures: pd.DataFrame, ids: pd.Series, niveau: NiveauConsolidation,
                referentiel: Referentiel) -> pd.Series:
    if niveau == "france":
        return pd.Series("FR", index=ids.index)
    departement = ids.map(structures.drop_duplicates("id_structure").set_index("id_structure")["departement"])
    if niveau == "departement":
        return departement.fillna("")
    return departement.map(referentiel.departements["region"]).fillna("")


def _noms(codes: pd.Index, niveau: NiveauConsolidation, referentiel: Referentiel) -> pd.Series:
    if niveau == "france":
        return pd.Series("France", index=codes)
    table = referentiel.departements if niveau == "departement" else referentiel.regions
    return pd.Series(codes.map(table["nom"]), index=codes).fillna("(inconnu)")


def consolider(
    bilans: pd.DataFrame,
    structures: pd.DataFrame,
    *,
    referentiel: Referentiel,
    niveau: NiveauConsolidation,
    annee: int,
) -> pd.DataFrame:
    """Indicateurs de l'année `annee` consolidés à un niveau, une ligne par territoire qui a des bilans.

    Parameters
    ----------
    bilans : table `bilans` validée (toutes années).
    structures : table `structures` (département du siège de chaque structure).
    referentiel : géographie de référence (région de chaque département, noms).
    niveau : `departement`, `region` ou `france`.
    annee : année de campagne.

    Returns
    -------
    DataFrame : `code`, `nom`, `annee`, `structures` (avec un bilan retenu), `bilans_annuels`,
    `intermediaires_seuls`, les sommes de `INDICATEURS_SOMMES` (heures, marchés, montants en € HT,
    acheteurs, `_total` et `_etat`, bénéficiaires, contacts…), puis `heures_par_etp_total`,
    `heures_par_etp_etat` (heures par ETP subventionné), `part_heures_etat`, `evolution_heures`
    (0,12 = +12 %), `part_heures_porteur` ; triée par code.

    Examples
    --------
    >>> consolider(bilans, structures, referentiel=ref, niveau="region", annee=2025)  # doctest: +SKIP
    """
    parts = indicateurs_structures(bilans, annee).reset_index()
    parts["code"] = _territoire(structures, parts["id_structure"], niveau, referentiel)
    parts["annuel"] = parts["periode"] == Periode.ANNUEL.value
    groupes = parts.groupby("code", sort=True)
    sommes = groupes[list(INDICATEURS_SOMMES)].sum(min_count=1)
    comptes = pd.DataFrame({"structures": groupes.size(), "bilans_annuels": groupes["annuel"].sum()})
    comptes["intermediaires_seuls"] = comptes["structures"] - comptes["bilans_annuels"]
    numerateurs = _pour_ratios(parts.set_index("code")[list(INDICATEURS_SOMMES)].astype(float))
    ratios = _ratios(sommes, numerateurs.groupby(level=0).sum(min_count=1).reindex(sommes.index))
    table = pd.concat([comptes.astype(int), sommes, ratios], axis=1)
    table.insert(0, "annee", annee)
    table.insert(0, "nom", _noms(table.index, niveau, referentiel))
    return table.rename_axis("code").reset_index().replace([np.inf, -np.inf], np.nan)
