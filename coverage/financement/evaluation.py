"""Toute la table des dossiers d'un coup : les règles de l'appel, vectorisées (numpy/pandas).

`evaluer_dossiers(dossiers)` ajoute `eligible`, `motifs`, `alertes`, `montant_max_aap` et les
plafonds. Les plafonds viennent des mêmes fonctions que le détail dossier par dossier
(`coverage.financement.regles.detail_regles`, via `coverage.financement.plafonds`) ; un test
vérifie que les deux chemins concordent. L'évaluation se fait en étapes nommées : lecture des
colonnes, dates, motifs d'inéligibilité, alertes, PNAD, assemblage.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from coverage.documents.format import format_date, format_euros
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.plafonds import (
    PLAFONDS,
    TOLERANCE_BUDGET,
    TOLERANCE_ETP,
    TOLERANCE_EUROS,
    format_etp,
    format_taux,
    format_taux_face_a,
    min_plafonds,
    plafond_70,
    plafond_80,
    plafond_etp,
)

COLONNES_REQUISES = ("id_dossier", "statut", "etp_demandes", "cout_annuel_total", "montant_aap_demande", "dossier_complet")
COLONNES_BOOLEENNES = ("dossier_complet", "derogation_plafond", "derogation_cerfa")
COLONNES_NOTES = ("note_diagnostic", "note_marches_etat", "note_capacite", "note_conflits_interets")

COLONNES_AJOUTEES = (
    "eligible",
    "motifs",
    "alertes",
    "montant_max_aap",
    "plafond_70",
    "plafond_etp",
    "plafond_80",
    "plafond_limitant",
    "releve",
    "prioritaire_pnad",
    "comite_national",
    "score_comite",
)


def _check_dossiers(dossiers: pd.DataFrame) -> None:
    """Colonnes requises présentes, booléens vraiment booléens ; sinon `ValueError` en français."""
    manquantes = [c for c in COLONNES_REQUISES if c not in dossiers.columns]
    if manquantes:
        raise ValueError(
            "Colonnes manquantes dans la table des dossiers : "
            + ", ".join(f"`{c}`" for c in manquantes)
            + " (attendu : les colonnes du schéma `dossiers`, voir coverage.modele.DOSSIERS)."
        )
    for nom in COLONNES_BOOLEENNES:
        if nom not in dossiers.columns or pd.api.types.is_bool_dtype(dossiers[nom]):
            continue
        valeurs = dossiers[nom].dropna()
        invalides = valeurs[~valeurs.map(lambda v: isinstance(v, (bool, np.bool_)))]
        if len(invalides):
            raise ValueError(
                f"Colonne `{nom}` : « {invalides.iloc[0]} » n'est pas un booléen (attendu : True/False, "
                "après lecture du fichier par l'importeur)."
            )
    for nom in ("etp_demandes", "cout_annuel_total", "montant_aap_demande", "autres_financements_etat", "cofinancements"):
        if nom in dossiers.columns and not pd.api.types.is_numeric_dtype(dossiers[nom]):
            raise ValueError(f"Colonne `{nom}` : type {dossiers[nom].dtype} (attendu : nombres, float).")


def _nombre(dossiers: pd.DataFrame, nom: str, defaut: float = 0.0) -> np.ndarray:
    if nom not in dossiers.columns:
        return np.full(len(dossiers), defaut, dtype=float)
    return dossiers[nom].astype(float).fillna(defaut).to_numpy()


def _booleen(dossiers: pd.DataFrame, nom: str) -> np.ndarray:
    if nom not in dossiers.columns:
        return np.zeros(len(dossiers), dtype=bool)
    return dossiers[nom].astype(object).fillna(False).astype(bool).to_numpy()


def _texte_si(condition: np.ndarray, fabrique: Any, index: pd.Index) -> pd.Series:
    """Série de messages : `fabrique(positions)` pour les lignes où `condition`, "" ailleurs.

    Les nombres ne sont mis en forme que pour les lignes concernées.
    """
    sortie = pd.Series("", index=index, dtype=object)
    positions = np.flatnonzero(condition)
    if len(positions):
        sortie.iloc[positions] = np.asarray(fabrique(positions), dtype=object)
    return sortie


def _joindre(messages: list[pd.Series], separateur: str = " ; ") -> pd.Series:
    """Concatène des séries de messages ligne à ligne, en sautant les vides (vectorisé)."""
    resultat = pd.Series("", index=messages[0].index, dtype=object) if messages else pd.Series(dtype=object)
    for m in messages:
        vide_r, vide_m = resultat.eq(""), m.eq("")
        resultat = resultat.where(vide_m, resultat.where(vide_r, resultat + separateur) + m)
    return resultat


@dataclass(frozen=True)
class _Colonnes:
    """Les colonnes de la table en tableaux numpy alignés, avec les plafonds (€, ETP)."""

    index: pd.Index
    etp: np.ndarray  # NaN si non renseigné
    cout: np.ndarray
    demande: np.ndarray
    autres: np.ndarray
    cofi: np.ndarray
    complet: np.ndarray
    derogation: np.ndarray
    derogation_cerfa: np.ndarray
    collectivite: np.ndarray
    p70: np.ndarray
    petp: np.ndarray  # +inf si dérogation
    p80: np.ndarray  # +inf hors collectivités
    montant: np.ndarray  # plus petit plafond
    limitant: np.ndarray  # indice dans PLAFONDS


def _lire_colonnes(dossiers: pd.DataFrame, p: ParametresCampagne) -> _Colonnes:
    """Colonnes en tableaux et plafonds : mêmes fonctions que le chemin dossier par dossier."""
    etp = _nombre(dossiers, "etp_demandes", np.nan)
    cout = _nombre(dossiers, "cout_annuel_total")
    demande = _nombre(dossiers, "montant_aap_demande")
    autres = _nombre(dossiers, "autres_financements_etat")
    derogation = _booleen(dossiers, "derogation_plafond")
    collectivite = dossiers["statut"].astype(str).eq("collectivite").to_numpy()
    p70 = plafond_70(cout, p)
    petp = plafond_etp(np.nan_to_num(etp, nan=0.0), derogation, p)
    p80 = plafond_80(collectivite, cout, autres, p)
    montant, limitant = min_plafonds(demande, p70, petp, p80)
    return _Colonnes(
        index=dossiers.index, etp=etp, cout=cout, demande=demande, autres=autres,
        cofi=_nombre(dossiers, "cofinancements"), complet=_booleen(dossiers, "dossier_complet"),
        derogation=derogation, derogation_cerfa=_booleen(dossiers, "derogation_cerfa"), collectivite=collectivite,
        p70=p70, petp=petp, p80=p80, montant=montant, limitant=limitant,
    )


def _jours(dossiers: pd.DataFrame, nom: str, index: pd.Index) -> pd.Series:
    """Colonne de dates ramenée au jour (NaT si absente ou vide)."""
    if nom not in dossiers.columns:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.to_datetime(dossiers[nom], errors="coerce").dt.normalize()


@dataclass(frozen=True)
class _Dates:
    """Place du dossier et de son CERFA signé dans le calendrier de la campagne (tableaux alignés).

    Le dossier complet est dû à la clôture (seconde relève) ; seul le CERFA signé peut suivre,
    jusqu'à la date limite dérogatoire, sur autorisation expresse de la DREETS. Sans
    `date_cerfa_signe`, le CERFA signé est arrivé avec le dossier.
    """

    connue: np.ndarray  # date de dépôt renseignée
    en_r1: np.ndarray
    en_r2: np.ndarray
    depot_tardif: np.ndarray  # dossier déposé après la clôture : jamais recevable
    cerfa_fenetre: np.ndarray  # CERFA signé après la clôture, au plus tard à la date limite dérogatoire
    cerfa_hors_delai: np.ndarray  # CERFA signé dans la fenêtre sans dérogation, ou après la date limite
    avant_ouverture: np.ndarray
    depot_textes: np.ndarray  # jj/mm/aaaa
    cerfa_textes: np.ndarray


def _lire_dates(dossiers: pd.DataFrame, c: _Colonnes, p: ParametresCampagne) -> _Dates:
    """Dates : relève 1, relève 2, CERFA dans la fenêtre dérogatoire, hors délai, avant l'ouverture."""
    depot = _jours(dossiers, "date_depot", c.index)
    cerfa = _jours(dossiers, "date_cerfa_signe", c.index)
    cerfa = cerfa.where(cerfa.notna(), depot)  # sans date propre : signé avec le dossier
    connue = depot.notna().to_numpy()
    jours, signe = depot.to_numpy(), cerfa.to_numpy()
    ouverture, r1, r2, lim = (np.datetime64(d) for d in (p.date_ouverture, p.date_releve_1, p.date_releve_2,
                                                         p.date_limite_cerfa_signe))
    depot_tardif = connue & (jours > r2)
    recu = connue & ~depot_tardif
    cerfa_fenetre = recu & (signe > r2) & (signe <= lim)
    complet_au = np.where(signe > jours, signe, jours)  # le plus tardif des deux
    en_r1 = recu & (complet_au <= r1)
    en_r2 = recu & ~en_r1 & (complet_au <= r2)
    return _Dates(
        connue=connue, en_r1=en_r1, en_r2=en_r2, depot_tardif=depot_tardif, cerfa_fenetre=cerfa_fenetre,
        cerfa_hors_delai=(cerfa_fenetre & ~c.derogation_cerfa) | (recu & (signe > lim)),
        avant_ouverture=connue & (jours < ouverture),
        depot_textes=depot.dt.strftime("%d/%m/%Y").to_numpy(), cerfa_textes=cerfa.dt.strftime("%d/%m/%Y").to_numpy(),
    )


@dataclass(frozen=True)
class _Blocages:
    """Règles bloquantes, une colonne booléenne par motif d'inéligibilité."""

    etp_insuffisant: np.ndarray
    incomplet: np.ndarray
    sans_demande: np.ndarray
    cout_nul: np.ndarray
    etat_80_atteint: np.ndarray
    date_manquante: np.ndarray
    depot_tardif: np.ndarray
    cerfa_hors_delai: np.ndarray

    @property
    def ineligible(self) -> np.ndarray:
        return (
            self.etp_insuffisant | self.incomplet | self.date_manquante | self.depot_tardif | self.cerfa_hors_delai
            | self.sans_demande | self.cout_nul | self.etat_80_atteint
        )


def _blocages(c: _Colonnes, dates: _Dates, p: ParametresCampagne) -> _Blocages:
    return _Blocages(
        etp_insuffisant=~(c.etp >= p.etp_minimum - TOLERANCE_ETP),  # NaN compris
        incomplet=~c.complet,
        sans_demande=c.demande <= 0,
        cout_nul=c.p70 <= 0,
        etat_80_atteint=c.collectivite & (c.p80 <= 0),
        date_manquante=~dates.connue,
        depot_tardif=dates.depot_tardif,
        cerfa_hors_delai=dates.cerfa_hors_delai,
    )


def _motifs(c: _Colonnes, dates: _Dates, b: _Blocages, p: ParametresCampagne) -> pd.Series:
    """Motifs d'inéligibilité en français, « ; » entre deux motifs."""
    index = c.index
    fr_r2, fr_lim = format_date(p.date_releve_2), format_date(p.date_limite_cerfa_signe)
    return _joindre(
        [
            _texte_si(
                b.etp_insuffisant,
                lambda i: [
                    f"{format_etp(v)} demandés, moins que le minimum de {format_etp(p.etp_minimum)}"
                    if not math.isnan(v)
                    else "ETP non renseignés"
                    for v in c.etp[i]
                ],
                index,
            ),
            _texte_si(b.incomplet, lambda i: ["dossier incomplet (annexe 2) : non instruit"] * len(i), index),
            _texte_si(b.date_manquante, lambda i: ["date de dépôt manquante"] * len(i), index),
            _texte_si(
                b.depot_tardif,
                lambda i: [f"déposé le {d}, après la clôture du {fr_r2} (le dossier complet est dû à la clôture)"
                           for d in dates.depot_textes[i]],
                index,
            ),
            _texte_si(
                b.cerfa_hors_delai & dates.cerfa_fenetre,
                lambda i: [f"CERFA signé le {d}, après la clôture du {fr_r2}, sans autorisation de la DREETS"
                           for d in dates.cerfa_textes[i]],
                index,
            ),
            _texte_si(
                b.cerfa_hors_delai & ~dates.cerfa_fenetre,
                lambda i: [f"CERFA signé le {d}, après la date limite dérogatoire du {fr_lim}" for d in dates.cerfa_textes[i]],
                index,
            ),
            _texte_si(b.sans_demande, lambda i: ["aucun montant AAP demandé"] * len(i), index),
            _texte_si(b.cout_nul, lambda i: [f"coût annuel total de {format_euros(v)} : aucune aide possible" for v in c.cout[i]], index),
            _texte_si(
                b.etat_80_atteint,
                lambda i: [
                    f"collectivité : autres financements de l'État ({format_euros(a)}) ≥ "
                    f"{format_taux(p.taux_max_etat_collectivite)} du coût ({format_euros(x)})"
                    for a, x in zip(c.autres[i], c.cout[i], strict=True)
                ],
                index,
            ),
        ]
    )


def _alertes(c: _Colonnes, dates: _Dates, ineligible: np.ndarray, p: ParametresCampagne) -> pd.Series:
    """Alertes non bloquantes : plafonds dépassés par la demande (dossiers éligibles : elles
    expliquent la réduction du montant), cofinancement, budget, date inconnue (tous)."""
    index = c.index
    hors_aap = c.autres + c.cofi
    ressources = c.demande + c.autres + c.cofi
    return _joindre(
        [
            _texte_si(
                ~ineligible & (c.demande > c.p70 + TOLERANCE_EUROS),
                lambda i: [
                    f"demande de {format_euros(d)} > {format_taux(p.taux_max_aap)} du coût ({format_euros(x)})"
                    for d, x in zip(c.demande[i], c.p70[i], strict=True)
                ],
                index,
            ),
            _texte_si(
                ~ineligible & (c.demande > c.petp + TOLERANCE_EUROS),
                lambda i: [
                    f"demande de {format_euros(d)} > {format_euros(p.plafond_etp)} × {format_etp(e)} ({format_euros(x)})"
                    for d, e, x in zip(c.demande[i], c.etp[i], c.petp[i], strict=True)
                ],
                index,
            ),
            _texte_si(
                ~ineligible & (c.demande > c.p80 + TOLERANCE_EUROS),
                lambda i: [
                    f"demande de {format_euros(d)} > plafond des {format_taux(p.taux_max_etat_collectivite)} "
                    f"État ({format_euros(x)})"
                    for d, x in zip(c.demande[i], c.p80[i], strict=True)
                ],
                index,
            ),
            _texte_si(
                (c.cout > 0) & (hors_aap < p.taux_min_cofinancement * c.cout - TOLERANCE_EUROS),
                lambda i: [
                    f"cofinancement hors AAP de {format_taux_face_a(h / x, p.taux_min_cofinancement)}, moins que "
                    f"{format_taux(p.taux_min_cofinancement)}"
                    for h, x in zip(hors_aap[i], c.cout[i], strict=True)
                ],
                index,
            ),
            _texte_si(
                np.abs(ressources - c.cout) > TOLERANCE_BUDGET,
                lambda i: [
                    f"budget déséquilibré (écart de {format_euros(abs(r - x))})"
                    for r, x in zip(ressources[i], c.cout[i], strict=True)
                ],
                index,
            ),
            _texte_si(
                dates.avant_ouverture,
                lambda i: [f"déposé le {d}, avant l'ouverture de l'appel le {format_date(p.date_ouverture)} : date à vérifier"
                           for d in dates.depot_textes[i]],
                index,
            ),
        ]
    )


def _pnad(dossiers: pd.DataFrame, p: ParametresCampagne) -> tuple[np.ndarray, np.ndarray]:
    """PNAD : priorité (toutes les années prioritaires, ou l'une d'elles selon `priorite_pnad`) et
    structures nouvelles (aucune année)."""
    n = len(dossiers)
    if "financement_pnad" not in dossiers.columns:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    pnad = dossiers["financement_pnad"].astype(object).where(dossiers["financement_pnad"].notna(), "").astype(str)
    annee_presente = {a: pnad.str.contains(rf"\b{a}\b", regex=True).to_numpy() for a in p.annees_pnad_prioritaires}
    combiner = np.logical_and if p.priorite_pnad == "toutes" else np.logical_or
    prioritaire = combiner.reduce(list(annee_presente.values())) if annee_presente else np.zeros(n, bool)
    comite = ~pnad.str.contains(r"\d{4}", regex=True).to_numpy()
    return prioritaire, comite


def evaluer_dossiers(dossiers: pd.DataFrame, *, parametres: ParametresCampagne = PARAMETRES_2025) -> pd.DataFrame:
    """Applique les règles de l'appel à tous les dossiers (vectorisé) et calcule le montant maximal.

    Parameters
    ----------
    dossiers : pd.DataFrame
        Colonnes de `coverage.modele.DOSSIERS` typées (nombres en float, booléens en bool,
        `date_depot` datetime/date ou NaT). Requises : `id_dossier`, `statut`, `etp_demandes`,
        `cout_annuel_total` (€), `montant_aap_demande` (€), `dossier_complet`. Facultatives :
        `autres_financements_etat`, `cofinancements` (€, 0 si absentes), `derogation_plafond`,
        `derogation_cerfa` (False), `date_depot` (manquante : inéligible), `date_cerfa_signe`
        (vide : CERFA signé transmis avec le dossier), les quatre notes (0 à 5) et `financement_pnad`
        (« 2022,2023,2024 », jointe depuis les structures).
    parametres : ParametresCampagne
        Chiffres de la campagne (2025 par défaut).

    Returns
    -------
    pd.DataFrame
        Une copie avec, en plus : `eligible` (bool) ; `motifs` (motifs d'inéligibilité, « ; ») ;
        `alertes` (règles non bloquantes non respectées, « ; ») ; `montant_max_aap` (€, au
        centime, 0 si inéligible) ; `plafond_70`, `plafond_etp` (NaN si dérogation),
        `plafond_80` (NaN hors collectivités) en € ; `plafond_limitant` (« 70 % », « plafond par
        ETP », « 80 % État », « montant demandé », vide si inéligible) ; `releve` (1, 2 ou vide :
        CERFA signé sur dérogation, hors délai, date manquante ; dossier et CERFA signé compris) ;
        `prioritaire_pnad` (bool, financée en 2022, 2023 et 2024, ou l'une d'elles selon
        `parametres.priorite_pnad`) ; `comite_national` (bool, structure sans financement PNAD) ;
        `score_comite` (somme des quatre notes, 0 à 20).

    Raises
    ------
    ValueError
        Colonne requise absente ou colonne de type inattendu (message en français).

    Example
    -------
    >>> d = pd.DataFrame({"id_dossier": ["A"], "statut": ["association"], "etp_demandes": [1.0],
    ...     "cout_annuel_total": [40000.0], "montant_aap_demande": [28000.0], "dossier_complet": [True],
    ...     "date_depot": [pd.Timestamp("2025-07-01")]})
    >>> evaluer_dossiers(d)["montant_max_aap"].tolist()
    [28000.0]
    """
    _check_dossiers(dossiers)
    p = parametres
    c = _lire_colonnes(dossiers, p)
    dates = _lire_dates(dossiers, c, p)
    blocages = _blocages(c, dates, p)
    ineligible = blocages.ineligible
    prioritaire, comite = _pnad(dossiers, p)
    index = c.index

    sortie = dossiers.copy()
    sortie["eligible"] = ~ineligible
    sortie["motifs"] = _motifs(c, dates, blocages, p).astype(str)
    sortie["alertes"] = _alertes(c, dates, ineligible, p).astype(str)
    sortie["montant_max_aap"] = np.where(ineligible, 0.0, np.maximum(c.montant, 0.0))
    sortie["plafond_70"] = c.p70
    sortie["plafond_etp"] = np.where(np.isinf(c.petp), np.nan, c.petp)
    sortie["plafond_80"] = np.where(np.isinf(c.p80), np.nan, c.p80)
    sortie["plafond_limitant"] = pd.Series(
        np.where(ineligible, "", np.asarray(PLAFONDS, dtype=object)[c.limitant]), index=index, dtype=str
    )
    sortie["releve"] = pd.Series(np.where(dates.en_r1, 1, 2), index=index, dtype="Int64").mask(~(dates.en_r1 | dates.en_r2))
    sortie["prioritaire_pnad"] = prioritaire
    sortie["comite_national"] = comite
    sortie["score_comite"] = sum((_nombre(dossiers, n) for n in COLONNES_NOTES), start=np.zeros(len(index)))
    return sortie
