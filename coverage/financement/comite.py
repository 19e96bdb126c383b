"""Comité de sélection : dossiers d'un comité, décisions, synthèse, liste des conventions.

Deux sortes de comités (appel à projets 2025, partie C « Comitologie ») :

- le **comité régional** d'une DREETS (code de la région, `84`…) examine tous les dossiers
  déposés dans sa région, structures nouvelles comprises (la DREETS instruit tous les dossiers
  et conventionne) ;
- le **comité technique national** (`national` : DGEFP, DAE, ANRU, AVE) « intervient pour
  apprécier la candidature des structures nouvelles (ie qui candidatent pour la première
  fois) » : il ne voit que les dossiers des structures sans aucune année de financement PNAD.

Les décisions sont enregistrées par `coverage.espace` (une table par comité, avec historique) ;
ce module les rapproche des dossiers évalués par les règles de l'appel (`coverage.financement.regles`) :
décisions manquantes, synthèse (enveloppe, ETP, décisions), conformité des montants décidés et
liste des conventions (XLSX) pour les dossiers retenus.

Choix pour une décision « retenu partiellement » : le plafond par ETP s'applique aux ETP
retenus (29 473 € × ETP retenus) ; les plafonds de 70 % et de 80 % restent calculés sur le coût
annuel total du dossier tel que déposé (le budget est revu avec le porteur au
conventionnement). Le montant maximal est recalculé par le moteur de règles
(`evaluer_dossiers`) sur le dossier dont les ETP demandés sont remplacés par les ETP retenus,
ce qui applique aussi le minimum de 0,5 ETP.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from coverage.espace import COMITE_NATIONAL, Decision
from coverage.espace.controles import _check_comite  # une seule définition d'un code de comité valide
from coverage.documents.exports import exporter_xlsx
from coverage.documents.format import format_date
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.regles import COLONNES_AJOUTEES, evaluer_dossiers

__all__ = [
    "COLONNES_CONVENTIONS",
    "CRITERES_COMITE",
    "FUSEAU_AFFICHAGE",
    "date_fin_convention",
    "decisions_manquantes",
    "decisions_par_dossier",
    "en_attente_comite_national",
    "dossiers_du_comite",
    "exporter_conventions_xlsx",
    "horodatage_lisible",
    "libelle_comite",
    "lignes_financement",
    "liste_conventions",
    "synthese_comite",
]

CRITERES_COMITE: dict[str, str] = {
    "note_diagnostic": "Diagnostic territorial",
    "note_marches_etat": "Orientation vers les marchés de l'État",
    "note_capacite": "Capacité réelle de mise en œuvre",
    "note_conflits_interets": "Maîtrise des conflits d'intérêts",
}
"""Les quatre critères de l'appel notés par le comité (0 à 5) : colonne → libellé."""

FUSEAU_AFFICHAGE = ZoneInfo("Europe/Paris")
"""Fuseau des dates et heures affichées (l'espace de travail les enregistre en UTC)."""

_TOLERANCE_EUROS = 0.005  # un demi-centime

COLONNES_CONVENTIONS: dict[str, str] = {
    "id_dossier": "Dossier",
    "structure": "Structure",
    "siret": "SIRET",
    "statut": "Statut",
    "region": "Région",
    "departement": "Département",
    "decision": "Décision",
    "etp_finances": "ETP financés",
    "cout_annuel_total": "Coût annuel total (€)",
    "montant_aap": "Montant AAP (€)",
    "autres_financements_etat": "Autres financements de l'État (€)",
    "cofinancements": "Cofinancements hors État (€)",
    "part_etat": "Part de l'État (AAP + autres État) / coût",
    "plafond_70": "Plafond 70 % du coût (€)",
    "plafond_etp": "Plafond par ETP (€)",
    "plafond_80": "Plafond 80 % État, collectivités (€)",
    "montant_max_aap": "Montant maximal AAP (€)",
    "conforme": "Montant conforme aux règles",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
}
"""Colonnes de `liste_conventions` → en-têtes du classeur XLSX."""


# --------------------------------------------------------------------------------------------
# Comités
# --------------------------------------------------------------------------------------------


def libelle_comite(comite: str, *, regions: pd.DataFrame) -> str:
    """Nom du comité en français.

    Parameters
    ----------
    comite : str
        `national` ou code de région.
    regions : pandas.DataFrame
        Table des régions du référentiel (index code, colonne `nom`).

    Example
    -------
    >>> libelle_comite("84", regions=referentiel.regions)  # doctest: +SKIP
    'Comité régional de sélection — Auvergne-Rhône-Alpes'
    """
    _check_comite(comite)
    if comite == COMITE_NATIONAL:
        return "Comité technique national (DGEFP, DAE, ANRU, AVE)"
    if comite not in regions.index:
        raise ValueError(f"Région inconnue : {comite!r} (absente de la table des régions).")
    return f"Comité régional de sélection — {regions.loc[comite, 'nom']}"


def _structure_nouvelle(financement_pnad: pd.Series) -> pd.Series:
    """Aucune année de financement PNAD (vide ou absente) : structure nouvelle."""
    texte = financement_pnad.astype(object).where(financement_pnad.notna(), "").astype(str)
    return ~texte.str.contains(r"\d{4}", regex=True)


def dossiers_du_comite(dossiers_evalues: pd.DataFrame, *, comite: str, structures: pd.DataFrame) -> pd.DataFrame:
    """Les dossiers qu'examine un comité, avec le nom, le SIRET et les années PNAD de la structure.

    Parameters
    ----------
    dossiers_evalues : pandas.DataFrame
        Dossiers (format `coverage.modele.DOSSIERS`), évalués ou non par `evaluer_dossiers`.
    comite : str
        Code de région (comité régional : tous les dossiers de la région) ou `national`
        (comité technique national : les dossiers des structures nouvelles, toutes régions).
    structures : pandas.DataFrame
        Table `structures` (`id_structure`, `nom`, `siret`, `financement_pnad`).

    Returns
    -------
    pandas.DataFrame
        Les lignes retenues, triées par `id_dossier`, index remis à zéro, avec en plus (ou
        remplacées) : `nom_structure`, `siret`, `financement_pnad` (« 2022,2023,2024 », vide
        si aucune) et `structure_nouvelle` (bool : aucune année PNAD ; une structure absente de
        `structures` compte comme nouvelle, faute de financement connu).

    Raises
    ------
    ValueError
        Comité invalide ou colonne `id_dossier`, `id_structure` ou `region` absente.
    """
    _check_comite(comite)
    manquantes = [c for c in ("id_dossier", "id_structure", "region") if c not in dossiers_evalues.columns]
    if manquantes:
        raise ValueError("Table des dossiers : colonnes absentes : " + ", ".join(f"`{c}`" for c in manquantes) + ".")
    s = structures.drop_duplicates("id_structure").set_index("id_structure")
    ids = dossiers_evalues["id_structure"].astype(str)

    def de_la_structure(nom: str) -> pd.Series:
        valeurs = ids.map(s[nom]) if nom in s.columns else pd.Series(pd.NA, index=ids.index, dtype=object)
        return valeurs.astype(object).where(valeurs.notna(), "").astype(str)

    d = dossiers_evalues.assign(
        nom_structure=de_la_structure("nom"),
        siret=de_la_structure("siret"),
        financement_pnad=de_la_structure("financement_pnad"),
    )
    d["structure_nouvelle"] = _structure_nouvelle(d["financement_pnad"]).to_numpy()
    if comite == COMITE_NATIONAL:
        garde = d["structure_nouvelle"]
    else:
        garde = d["region"].astype(str).eq(comite)
    return d[garde.to_numpy()].sort_values("id_dossier", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Décisions
# --------------------------------------------------------------------------------------------


def decisions_manquantes(dossiers_du_comite: pd.DataFrame, decisions_courantes: pd.DataFrame) -> list[str]:
    """Identifiants des dossiers du comité sans décision enregistrée, dans l'ordre des dossiers.

    Parameters
    ----------
    dossiers_du_comite : pandas.DataFrame
        Sortie de `dossiers_du_comite` (colonne `id_dossier`).
    decisions_courantes : pandas.DataFrame
        Sortie de `EspaceSQLite.decisions_courantes(comite)` (colonne `id_dossier`).
    """
    decides = set(decisions_courantes["id_dossier"].astype(str))
    ids = dossiers_du_comite["id_dossier"].astype(str)
    return ids[~ids.isin(decides)].tolist()


def en_attente_comite_national(dossiers_du_comite: pd.DataFrame, decisions_nationales: pd.DataFrame) -> list[str]:
    """Dossiers de structures nouvelles que le comité technique national n'a pas (encore) retenus.

    Appel, partie C : le comité national « intervient pour apprécier la candidature des structures
    nouvelles ». Tant qu'il ne les a pas retenues (retenu ou retenu partiellement), un comité
    régional ne peut pas les mettre dans ses conventions : ils sont « en attente du comité national ».

    Parameters
    ----------
    dossiers_du_comite : sortie de `dossiers_du_comite` pour un comité régional (`structure_nouvelle`).
    decisions_nationales : décisions courantes du comité `national`.
    """
    retenus = set(decisions_nationales.loc[decisions_nationales["decision"].astype(str).isin(
        [Decision.RETENU.value, Decision.RETENU_PARTIELLEMENT.value]), "id_dossier"].astype(str))
    nouvelles = dossiers_du_comite.loc[dossiers_du_comite["structure_nouvelle"].astype(bool), "id_dossier"].astype(str)
    return [i for i in nouvelles if i not in retenus]


def horodatage_lisible(horodatage: str | pd.Series) -> str | pd.Series:
    """Horodatage UTC ISO 8601 de l'espace → « 04/07/2025 à 10:05 » (heure de Paris).

    Accepte une chaîne ou une série de chaînes (vide ou illisible → chaîne vide).
    """
    serie = pd.Series([horodatage]) if isinstance(horodatage, str) else pd.Series(horodatage)
    instants = pd.to_datetime(serie, utc=True, errors="coerce", format="ISO8601").dt.tz_convert(FUSEAU_AFFICHAGE)
    texte = instants.dt.strftime("%d/%m/%Y à %H:%M").astype(object).where(instants.notna(), "")
    return str(texte.iloc[0]) if isinstance(horodatage, str) else texte


def decisions_par_dossier(dossiers: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par dossier du comité avec sa décision en vigueur (vide si aucune).

    Parameters
    ----------
    dossiers : pandas.DataFrame
        Dossiers du comité (`id_dossier` et toutes leurs colonnes).
    decisions : pandas.DataFrame
        Décisions courantes du comité (`decisions_courantes`).

    Returns
    -------
    pandas.DataFrame
        Les colonnes des dossiers, puis `decision` (code, vide si aucune), `decision_libelle`,
        `motif`, `etp_retenus`, `montant_retenu` (€, NaN si ajourné, refusé ou sans décision),
        `auteur`, `horodatage` (UTC ISO), `date_decision` (« 04/07/2025 à 10:05 », heure de
        Paris), `version` (Int64, vide si aucune décision).
    """
    colonnes = ["id_dossier", "decision", "motif", "etp_retenus", "montant_retenu", "auteur", "horodatage", "version"]
    dec = decisions[colonnes].astype({"id_dossier": str}).drop_duplicates("id_dossier", keep="last")
    base = dossiers.drop(columns=[c for c in colonnes[1:] if c in dossiers.columns])
    t = base.merge(dec, on="id_dossier", how="left")
    t["decision"] = t["decision"].astype(object).where(t["decision"].notna(), "").astype(str)
    libelles = {d.value: d.libelle for d in Decision}
    t["decision_libelle"] = t["decision"].map(libelles).fillna("").astype(str)
    for nom in ("motif", "auteur", "horodatage"):
        t[nom] = t[nom].astype(object).where(t[nom].notna(), "").astype(str)
    t["date_decision"] = horodatage_lisible(t["horodatage"]).to_numpy()
    t["version"] = t["version"].astype("Int64")
    t["etp_retenus"] = t["etp_retenus"].astype(float)
    t["montant_retenu"] = t["montant_retenu"].astype(float)
    return t


def lignes_financement(decisions: pd.DataFrame) -> pd.DataFrame:
    """Les décisions au format des lignes d'allocation, pour l'avant/après des cartes.

    Returns
    -------
    pandas.DataFrame
        `id_dossier`, `etp_finances`, `montant_attribue` (€) des dossiers retenus ou retenus
        partiellement : l'entrée attendue par `coverage.financement.simulation.donnees_apres_allocation` et
        `impact_allocation`.
    """
    finances = decisions["decision"].astype(str).isin([Decision.RETENU.value, Decision.RETENU_PARTIELLEMENT.value])
    d = decisions[finances.to_numpy()]
    return pd.DataFrame(
        {
            "id_dossier": d["id_dossier"].astype(str).to_numpy(),
            "etp_finances": d["etp_retenus"].astype(float).fillna(0.0).to_numpy(),
            "montant_attribue": d["montant_retenu"].astype(float).fillna(0.0).to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------
# Montants décidés face aux règles de l'appel
# --------------------------------------------------------------------------------------------


def _finances(dossiers: pd.DataFrame, decisions: pd.DataFrame, parametres: ParametresCampagne) -> pd.DataFrame:
    """Dossiers retenus (totalement ou partiellement) avec les plafonds recalculés sur les ETP retenus.

    Le moteur de règles est appliqué au dossier dont `etp_demandes` vaut les ETP retenus (voir
    l'en-tête du module) ; `conforme` : 0 ≤ montant décidé ≤ montant maximal, au demi-centime près.
    """
    lignes = lignes_financement(decisions)
    inconnus = sorted(set(lignes["id_dossier"]) - set(dossiers["id_dossier"].astype(str)))
    if inconnus:
        raise ValueError(
            "Décisions de financement sur des dossiers absents des données : "
            + ", ".join(inconnus)
            + " (ont-ils été retirés par un nouvel import ?). Revoyez ces décisions avant d'exporter."
        )
    decision = (
        decisions.assign(id_dossier=decisions["id_dossier"].astype(str))
        .drop_duplicates("id_dossier", keep="last")
        .set_index("id_dossier")["decision"]
        .astype(str)
    )
    recalculees = (*COLONNES_AJOUTEES, "decision", *lignes.columns.drop("id_dossier"))
    base = dossiers.drop(columns=[c for c in recalculees if c in dossiers.columns])
    base = base.assign(id_dossier=base["id_dossier"].astype(str)).merge(lignes, on="id_dossier", how="inner")
    base["decision"] = base["id_dossier"].map(decision).to_numpy()
    reevalues = evaluer_dossiers(base.assign(etp_demandes=base["etp_finances"]), parametres=parametres)
    sortie = base.copy()
    for nom in ("plafond_70", "plafond_etp", "plafond_80", "montant_max_aap", "eligible", "motifs"):
        sortie[nom] = reevalues[nom].to_numpy()
    montant = sortie["montant_attribue"].to_numpy(dtype=float)
    sortie["conforme"] = (montant >= 0) & (montant <= sortie["montant_max_aap"].to_numpy(dtype=float) + _TOLERANCE_EUROS)
    return sortie


def synthese_comite(
    dossiers: pd.DataFrame,
    decisions: pd.DataFrame,
    *,
    enveloppe_disponible: float,
    parametres: ParametresCampagne = PARAMETRES_2025,
    zones_blanches_resolues: int | None = None,
) -> dict[str, Any]:
    """Chiffres de synthèse d'un comité : décisions, enveloppe, ETP, conformité.

    Parameters
    ----------
    dossiers : pandas.DataFrame
        Dossiers du comité (`dossiers_du_comite`), évalués par `evaluer_dossiers` (il faut
        `montant_max_aap` et `eligible`).
    decisions : pandas.DataFrame
        Décisions courantes du comité ; celles de dossiers absents de `dossiers` sont ignorées.
    enveloppe_disponible : float
        Enveloppe dont dispose le comité, en €.
    parametres : ParametresCampagne
        Chiffres de la campagne (plafonds pour la conformité des montants décidés).
    zones_blanches_resolues : int, optional
        Nombre de zones blanches résolues par les décisions (calculé par la page avec
        `coverage.financement.simulation.impact_allocation` et `lignes_financement`), repris tel quel.

    Returns
    -------
    dict
        `nb_dossiers`, `nb_decisions`, `decisions_manquantes` (liste d'identifiants),
        `par_decision` (`{code de décision: nombre}`, les quatre codes), `nb_eligibles`,
        `enveloppe_disponible`, `enveloppe_utilisee` (somme des montants retenus, €),
        `enveloppe_restante` (€, négative en cas de dépassement), `part_enveloppe_utilisee`
        (0 à 1, None si l'enveloppe est nulle), `depassement_enveloppe` (bool),
        `etp_demandes`, `etp_finances`, `nb_finances`, `montant_demande` (somme des demandes,
        €), `montant_max_aap` (somme des montants maximaux des dossiers éligibles, €),
        `cout_total_finance` (coût des dossiers financés, €), `part_etat` (AAP + autres
        financements de l'État / coût des dossiers financés, None si aucun),
        `non_conformes` (dossiers dont le montant décidé dépasse le maximal des règles),
        `zones_blanches_resolues`.
    """
    if "montant_max_aap" not in dossiers.columns:
        raise ValueError("synthese_comite : les dossiers doivent être évalués par `evaluer_dossiers` (colonne `montant_max_aap` absente).")
    ids = dossiers["id_dossier"].astype(str)
    dec = decisions[decisions["id_dossier"].astype(str).isin(ids)]
    finances = _finances(dossiers, dec, parametres)
    comptes = dec["decision"].astype(str).value_counts()
    utilisee = float(np.round(finances["montant_attribue"].sum(), 2))
    cout = float(finances["cout_annuel_total"].astype(float).sum())
    etat = utilisee + float(finances["autres_financements_etat"].astype(float).fillna(0.0).sum()) if len(finances) else 0.0
    eligible = dossiers["eligible"].astype(bool) if "eligible" in dossiers.columns else pd.Series(True, index=dossiers.index)
    return {
        "nb_dossiers": len(dossiers),
        "nb_decisions": len(dec),
        "decisions_manquantes": decisions_manquantes(dossiers, dec),
        "par_decision": {d.value: int(comptes.get(d.value, 0)) for d in Decision},
        "nb_eligibles": int(eligible.sum()),
        "enveloppe_disponible": float(enveloppe_disponible),
        "enveloppe_utilisee": utilisee,
        "enveloppe_restante": float(np.round(enveloppe_disponible - utilisee, 2)),
        "part_enveloppe_utilisee": utilisee / enveloppe_disponible if enveloppe_disponible > 0 else None,
        "depassement_enveloppe": utilisee > enveloppe_disponible + _TOLERANCE_EUROS,
        "etp_demandes": float(np.round(dossiers["etp_demandes"].astype(float).sum(), 6)),
        "etp_finances": float(np.round(finances["etp_finances"].sum(), 6)),
        "nb_finances": len(finances),
        "montant_demande": float(np.round(dossiers["montant_aap_demande"].astype(float).sum(), 2)),
        "montant_max_aap": float(np.round(dossiers["montant_max_aap"].astype(float)[eligible.to_numpy()].sum(), 2)),
        "cout_total_finance": cout,
        "part_etat": etat / cout if cout > 0 else None,
        "non_conformes": finances.loc[~finances["conforme"], "id_dossier"].tolist(),
        "zones_blanches_resolues": zones_blanches_resolues,
    }


# --------------------------------------------------------------------------------------------
# Conventions
# --------------------------------------------------------------------------------------------


def date_fin_convention(date_debut: dt.date, duree_mois: int = PARAMETRES_2025.duree_mois) -> dt.date:
    """Dernier jour d'une convention de `duree_mois` mois commençant le `date_debut`.

    La veille de la même date `duree_mois` mois plus tard : 01/09/2025 → 31/08/2026. Quand ce
    jour n'existe pas (un début au 29/02), l'échéance est le 1er du mois suivant, donc la
    convention finit le dernier jour du mois : 29/02/2028 → 28/02/2029.

    Examples
    --------
    >>> date_fin_convention(dt.date(2025, 9, 1))
    datetime.date(2026, 8, 31)
    """
    debut = pd.Timestamp(date_debut)
    echeance = debut + pd.DateOffset(months=int(duree_mois))
    if echeance.day < debut.day:  # jour absent du mois d'arrivée : échéance au 1er du mois suivant
        echeance = echeance + pd.offsets.MonthBegin(1)
    return (echeance - pd.Timedelta(days=1)).date()


def liste_conventions(
    dossiers_evalues: pd.DataFrame,
    decisions: pd.DataFrame,
    structures: pd.DataFrame,
    *,
    parametres: ParametresCampagne = PARAMETRES_2025,
    date_debut: dt.date,
    exclus: Collection[str] = (),
) -> pd.DataFrame:
    """Une ligne par dossier financé (retenu ou retenu partiellement) : la liste des conventions.

    `exclus` : dossiers à laisser hors des conventions (ceux « en attente du comité national »,
    `en_attente_comite_national`).

    Parameters
    ----------
    dossiers_evalues : pandas.DataFrame
        Dossiers (format `DOSSIERS`), typiquement ceux du comité ; évalués ou non (les plafonds
        sont recalculés ici par le moteur de règles sur les ETP retenus).
    decisions : pandas.DataFrame
        Décisions courantes du comité (`decisions_courantes`).
    structures : pandas.DataFrame
        Table `structures` (nom et SIRET de la structure).
    parametres : ParametresCampagne
        Chiffres de la campagne (plafonds, `duree_mois`).
    date_debut : datetime.date
        Date d'effet des conventions ; la fin est `date_fin_convention(date_debut, duree_mois)`.

    Returns
    -------
    pandas.DataFrame
        Colonnes `COLONNES_CONVENTIONS`, triées par `id_dossier` : montants en € (`montant_aap`
        = montant décidé), `part_etat` = (AAP + autres financements de l'État) / coût (0 à 1),
        plafonds en € (`plafond_etp` NaN si dérogation, `plafond_80` NaN hors collectivités),
        `conforme` (bool : 0 ≤ montant décidé ≤ `montant_max_aap`), `date_debut` et
        `date_fin` (datetime64, jour).

    Raises
    ------
    ValueError
        Une décision de financement porte sur un dossier absent de `dossiers_evalues`.
    """
    finances = _finances(dossiers_evalues, decisions, parametres)
    finances = finances[~finances["id_dossier"].astype(str).isin({str(i) for i in exclus})]
    s = structures.drop_duplicates("id_structure").set_index("id_structure")
    ids = finances["id_structure"].astype(str)
    cout = finances["cout_annuel_total"].astype(float)
    autres = finances["autres_financements_etat"].astype(float).fillna(0.0) if "autres_financements_etat" in finances else 0.0 * cout
    cofi = finances["cofinancements"].astype(float).fillna(0.0) if "cofinancements" in finances else 0.0 * cout
    montant = finances["montant_attribue"].astype(float)
    libelles = {d.value: d.libelle for d in Decision}
    fin = date_fin_convention(date_debut, parametres.duree_mois)
    t = pd.DataFrame(
        {
            "id_dossier": finances["id_dossier"].astype(str),
            "structure": ids.map(s["nom"]).fillna("").astype(str) if "nom" in s else "",
            "siret": ids.map(s["siret"]).fillna("").astype(str) if "siret" in s else "",
            "statut": finances["statut"].astype(str),
            "region": finances["region"].astype(str),
            "departement": finances["departement"].astype(str) if "departement" in finances else "",
            "decision": finances["decision"].map(libelles).astype(str),
            "etp_finances": finances["etp_finances"].astype(float),
            "cout_annuel_total": cout,
            "montant_aap": montant,
            "autres_financements_etat": autres,
            "cofinancements": cofi,
            "part_etat": ((montant + autres) / cout.where(cout > 0)).astype(float),
            "plafond_70": finances["plafond_70"].astype(float),
            "plafond_etp": finances["plafond_etp"].astype(float),
            "plafond_80": finances["plafond_80"].astype(float),
            "montant_max_aap": finances["montant_max_aap"].astype(float),
            "conforme": finances["conforme"].astype(bool),
            "date_debut": pd.Series(pd.Timestamp(date_debut), index=finances.index),
            "date_fin": pd.Series(pd.Timestamp(fin), index=finances.index),
        }
    )
    return t.sort_values("id_dossier", kind="stable").reset_index(drop=True)[list(COLONNES_CONVENTIONS)]


_LIBELLES_PARAMETRES: dict[str, tuple[str, str]] = {
    "enveloppe_nationale": ("Enveloppe nationale", "€"),
    "taux_max_aap": ("Part maximale du coût financée par l'AAP", "taux (0,70 = 70 %)"),
    "plafond_etp": ("Montant maximal versé par l'État pour un ETP", "€ par ETP"),
    "taux_max_etat_collectivite": ("Collectivités : part maximale de financements de l'État", "taux"),
    "taux_min_cofinancement": ("Cofinancement minimal attendu", "taux"),
    "etp_minimum": ("Nombre minimal d'ETP d'un projet", "ETP"),
    "annees_pnad_prioritaires": ("Années de financement PNAD donnant la priorité", "années"),
    "priorite_pnad": ("Priorité PNAD : toutes les années exigées ou l'une d'elles", "toutes / une"),
    "date_ouverture": ("Ouverture du dépôt des dossiers", "date"),
    "date_releve_1": ("Première relève des dossiers", "date"),
    "date_releve_2": ("Seconde relève (clôture)", "date"),
    "date_limite_cerfa_signe": ("Date limite dérogatoire du CERFA signé", "date"),
    "duree_mois": ("Durée de la convention", "mois"),
    "annee": ("Année de la campagne", ""),
}


def _table_parametres(
    parametres: ParametresCampagne, *, comite_libelle: str, donnees_fictives: bool, date_debut: dt.date | None
) -> pd.DataFrame:
    lignes: list[tuple[str, object, str]] = [
        ("Comité", comite_libelle, ""),
        ("Données", "Données fictives de démonstration" if donnees_fictives else "Données importées", ""),
    ]
    if date_debut is not None:
        lignes.append(("Date de début des conventions", format_date(date_debut), "date"))
    for champ in dataclasses.fields(parametres):
        valeur = getattr(parametres, champ.name)
        libelle, unite = _LIBELLES_PARAMETRES.get(champ.name, (champ.name, ""))
        if isinstance(valeur, dt.date):
            valeur = format_date(valeur)
        elif isinstance(valeur, tuple):
            valeur = ", ".join(str(v) for v in valeur)
        lignes.append((libelle, valeur, unite))
    return pd.DataFrame(lignes, columns=["Paramètre", "Valeur", "Unité"]).astype({"Valeur": object})


def exporter_conventions_xlsx(
    conventions: pd.DataFrame,
    *,
    parametres: ParametresCampagne = PARAMETRES_2025,
    comite_libelle: str = "",
    donnees_fictives: bool = False,
) -> bytes:
    """Classeur XLSX de la liste des conventions : feuilles « conventions » et « parametres ».

    Parameters
    ----------
    conventions : pandas.DataFrame
        Sortie de `liste_conventions` ; les colonnes prennent les en-têtes français de
        `COLONNES_CONVENTIONS`. Montants en nombres (€), dates en cellules date `JJ/MM/AAAA`,
        booléens `oui`/`non`, textes échappés contre l'injection de formules
        (`coverage.documents.exports.exporter_xlsx`).
    parametres : ParametresCampagne
        Écrits dans la feuille « parametres » (un paramètre par ligne, avec son unité).
    comite_libelle : str
        Nom du comité, repris dans la feuille « parametres ».
    donnees_fictives : bool
        Si True, une première feuille « avertissement » et la feuille « parametres » le disent.

    Returns
    -------
    bytes
        Le fichier `.xlsx`.
    """
    manquantes = [c for c in COLONNES_CONVENTIONS if c not in conventions.columns]
    if manquantes:
        raise ValueError("Liste des conventions : colonnes absentes : " + ", ".join(f"`{c}`" for c in manquantes) + ".")
    feuille = conventions[list(COLONNES_CONVENTIONS)].rename(columns=COLONNES_CONVENTIONS)
    debut = conventions["date_debut"].dropna()
    table_parametres = _table_parametres(
        parametres,
        comite_libelle=comite_libelle,
        donnees_fictives=donnees_fictives,
        date_debut=pd.Timestamp(debut.iloc[0]).date() if len(debut) else None,
    )
    return exporter_xlsx({"conventions": feuille, "parametres": table_parametres}, donnees_fictives=donnees_fictives)
