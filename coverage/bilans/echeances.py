"""Remise des bilans convention par convention : reçu, reçu en retard, en retard, manquant, à venir.

Une convention = une structure financée une année de campagne : l'année figure dans sa colonne
`financement_pnad`, ou un bilan de cette année a été importé pour elle. Appel, D 1 : la structure
fournit « un rapport intermédiaire et un rapport annuel » ; les échéances sont celles des paramètres
de campagne (`ParametresCampagne.echeances_bilans` : mi-période et fin de période par défaut).

Statut d'un bilan attendu, à la date d'observation `au` :

| statut | condition |
|---|---|
| `recu` | remis au plus tard à l'échéance |
| `recu_en_retard` | remis après l'échéance |
| `a_venir` | non remis, échéance pas encore atteinte (`au` ≤ échéance) |
| `en_retard` | non remis, échéance dépassée de 1 à `delai_relance_bilans_jours` jours |
| `manquant` | non remis, échéance dépassée de plus de `delai_relance_bilans_jours` jours |
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pandas as pd

from coverage.financement.parametres import ParametresCampagne
from coverage.modele import Periode
from coverage.sources.lecture import annees_fr

__all__ = ["StatutRemise", "conventions", "echeances", "remises_par_territoire", "statuts_conventions", "suivi_remises"]


class StatutRemise(StrEnum):
    """Statut de remise d'un bilan attendu."""

    RECU = "recu"
    RECU_EN_RETARD = "recu_en_retard"
    A_VENIR = "a_venir"
    EN_RETARD = "en_retard"
    MANQUANT = "manquant"

    @property
    def libelle(self) -> str:
        return {
            "recu": "Reçu",
            "recu_en_retard": "Reçu en retard",
            "a_venir": "À venir",
            "en_retard": "En retard",
            "manquant": "Manquant",
        }[self.value]


GRAVITE = {StatutRemise.RECU: 0, StatutRemise.A_VENIR: 1, StatutRemise.RECU_EN_RETARD: 2,
           StatutRemise.EN_RETARD: 3, StatutRemise.MANQUANT: 4}
"""Ordre de gravité : le statut d'une convention est celui de son bilan le plus en défaut."""


def _ajouter_mois(jour: dt.date, mois: int) -> dt.date:
    return (pd.Timestamp(jour) + pd.DateOffset(months=mois)).date()


def _decaler_annees(jour: dt.date, annees: int) -> dt.date:
    return (pd.Timestamp(jour) + pd.DateOffset(years=annees)).date()


def echeances(parametres: ParametresCampagne, annee: int) -> dict[str, dt.date]:
    """Échéances des bilans des conventions de la campagne `annee`.

    Les dates de `parametres` valent pour `parametres.annee` ; pour une autre année, elles sont
    décalées du même nombre d'années. Sans date fixée : intermédiaire = veille de
    `debut_conventions` + `duree_mois` / 2 (mi-période), annuel = veille de `debut_conventions` +
    `duree_mois` (fin de période).

    Examples
    --------
    >>> echeances(ParametresCampagne(), 2024)["annuel"]
    datetime.date(2025, 8, 31)
    """
    decalage = annee - parametres.annee
    debut = parametres.debut_conventions
    un_jour = dt.timedelta(days=1)
    intermediaire = parametres.echeance_bilan_intermediaire or (_ajouter_mois(debut, parametres.duree_mois // 2) - un_jour)
    annuel = parametres.echeance_bilan_annuel or (_ajouter_mois(debut, parametres.duree_mois) - un_jour)
    return {Periode.INTERMEDIAIRE.value: _decaler_annees(intermediaire, decalage),
            Periode.ANNUEL.value: _decaler_annees(annuel, decalage)}


def conventions(structures: pd.DataFrame, bilans: pd.DataFrame) -> pd.DataFrame:
    """Conventions (`id_structure`, `annee`) : années de `financement_pnad` et années des bilans importés."""
    lignes = [(sid, a) for sid, annees in zip(structures["id_structure"], structures["financement_pnad"].fillna(""),
                                             strict=True)
              for a in annees_fr(annees)]
    depuis_bilans = list(zip(bilans["id_structure"], bilans["annee"].astype(int), strict=True)) if len(bilans) else []
    table = pd.DataFrame(lignes + depuis_bilans, columns=["id_structure", "annee"]).drop_duplicates()
    return table.astype({"annee": int}).sort_values(["annee", "id_structure"]).reset_index(drop=True)


def suivi_remises(
    structures: pd.DataFrame,
    bilans: pd.DataFrame,
    *,
    parametres: ParametresCampagne,
    au: dt.date,
    annees: list[int] | None = None,
) -> pd.DataFrame:
    """Un bilan attendu par ligne : convention × période, avec son échéance et son statut.

    Parameters
    ----------
    structures : table `structures` (colonnes `id_structure`, `nom`, `departement`, `financement_pnad`).
    bilans : table `bilans` validée.
    parametres : paramètres de campagne (échéances, délai de relance).
    au : date d'observation (aujourd'hui dans l'application ; fixée dans les tests).
    annees : années de campagne à suivre (toutes par défaut).

    Returns
    -------
    DataFrame : `id_structure`, `nom`, `departement`, `annee`, `periode`, `echeance`, `date_remise`
    (NaT si non remis), `jours_retard` (jours après l'échéance, remis ou à `au` ; 0 si à temps),
    `statut` (valeur de `StatutRemise`).
    """
    conv = conventions(structures, bilans)
    if annees is not None:
        conv = conv[conv["annee"].isin(annees)]
    attendus = conv.merge(pd.DataFrame({"periode": [p.value for p in Periode]}), how="cross")
    attendus["echeance"] = [echeances(parametres, a)[p] for a, p in zip(attendus["annee"], attendus["periode"],
                                                                          strict=True)]
    remis = bilans[["id_structure", "annee", "periode", "date_remise"]].astype({"annee": int})
    table = attendus.merge(remis, on=["id_structure", "annee", "periode"], how="left")
    infos = structures.drop_duplicates("id_structure").set_index("id_structure")
    table["nom"] = table["id_structure"].map(infos["nom"]).fillna("")
    table["departement"] = table["id_structure"].map(infos["departement"]).fillna("")
    echeance = pd.to_datetime(table["echeance"])
    reference = table["date_remise"].fillna(pd.Timestamp(au))
    retard = (reference - echeance).dt.days.clip(lower=0)
    table["jours_retard"] = retard.astype(int)
    table["statut"] = _statuts(table["date_remise"].notna(), retard, parametres.delai_relance_bilans_jours)
    colonnes = ["id_structure", "nom", "departement", "annee", "periode", "echeance", "date_remise", "jours_retard",
                "statut"]
    return table[colonnes].sort_values(["annee", "id_structure", "periode"], ascending=[True, True, False]).reset_index(
        drop=True)


def _statuts(remis: pd.Series, retard: pd.Series, delai: int) -> pd.Series:
    statut = pd.Series(StatutRemise.A_VENIR.value, index=remis.index)
    statut[remis & (retard == 0)] = StatutRemise.RECU.value
    statut[remis & (retard > 0)] = StatutRemise.RECU_EN_RETARD.value
    statut[~remis & (retard > 0)] = StatutRemise.EN_RETARD.value
    statut[~remis & (retard > delai)] = StatutRemise.MANQUANT.value
    return statut


def statuts_conventions(suivi: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par convention : statut de chaque bilan et statut d'ensemble (le plus en défaut).

    Colonnes : `id_structure`, `nom`, `departement`, `annee`, `statut_intermediaire`,
    `statut_annuel`, `statut`.
    """
    larges = suivi.pivot_table(index=["id_structure", "nom", "departement", "annee"], columns="periode",
                               values="statut", aggfunc="first").reset_index()
    larges.columns.name = None
    larges = larges.rename(columns={"intermediaire": "statut_intermediaire", "annuel": "statut_annuel"})
    gravite = {s.value: g for s, g in GRAVITE.items()}
    pire = [max((si, sa), key=gravite.__getitem__) for si, sa in zip(larges["statut_intermediaire"],
                                                                      larges["statut_annuel"], strict=True)]
    larges["statut"] = pire
    return larges[["id_structure", "nom", "departement", "annee", "statut_intermediaire", "statut_annuel", "statut"]]


def remises_par_territoire(suivi: pd.DataFrame, *, regions: pd.Series | None = None) -> pd.DataFrame:
    """Compte des bilans attendus par statut, par département du siège (ou par région si `regions` est donné).

    Parameters
    ----------
    suivi : `suivi_remises` (une ligne par bilan attendu).
    regions : région de chaque département (`referentiel.departements["region"]`) pour compter par région.

    Returns
    -------
    DataFrame indexé par code : une colonne par statut (`recu`, `recu_en_retard`, `a_venir`,
    `en_retard`, `manquant`), `attendus`, `part_recus` (reçus à temps ou en retard / attendus échus),
    `part_manquants` (manquants / attendus).
    """
    code = suivi["departement"] if regions is None else suivi["departement"].map(regions).fillna("")
    comptes = pd.crosstab(code, suivi["statut"]).reindex(columns=[s.value for s in StatutRemise], fill_value=0)
    comptes.columns.name = None
    comptes.index.name = "code"
    comptes["attendus"] = comptes[[s.value for s in StatutRemise]].sum(axis=1)
    echus = comptes["attendus"] - comptes[StatutRemise.A_VENIR.value]
    recus = comptes[StatutRemise.RECU.value] + comptes[StatutRemise.RECU_EN_RETARD.value]
    comptes["part_recus"] = recus / echus.where(echus > 0)
    comptes["part_manquants"] = comptes[StatutRemise.MANQUANT.value] / comptes["attendus"].where(comptes["attendus"] > 0)
    return comptes
