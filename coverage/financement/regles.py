"""Règles de financement de l'appel à projets, dossier par dossier.

Chaque règle de l'appel est une fonction qui renvoie un `ResultatRegle` (respectée ou non,
explication en français avec les chiffres, passage de l'appel). Deux usages :

- `detail_regles(dossier)` : le détail règle par règle d'un dossier (fiche dossier, comité) ;
- `evaluer_dossiers(dossiers)` : toute la table d'un coup, vectorisée (numpy/pandas), qui ajoute
  `eligible`, `motifs`, `alertes`, `montant_max_aap` et les plafonds ; elle vit dans
  `coverage.financement.evaluation` et reste importable d'ici.

Les deux chemins partagent les mêmes fonctions de calcul des plafonds
(`coverage.financement.plafonds`), qui acceptent indifféremment des scalaires ou des tableaux ;
un test vérifie qu'ils concordent.

Règles bloquantes (le dossier est inéligible, `montant_max_aap` = 0) : moins de 0,5 ETP, dossier
incomplet, date de dépôt manquante, dossier déposé après la clôture, CERFA signé hors délai, aucun
montant possible (coût nul, aucun montant demandé, autres financements de l'État d'une collectivité
atteignant déjà 80 %).
Règles qui plafonnent le montant sans rendre inéligible : 70 % du coût, 29 473 € par ETP
(sauf dérogation), 80 % État pour les collectivités, montant demandé.
Règles d'alerte, non bloquantes : cofinancement d'au moins 30 % et budget équilibré (voir
`regle_cofinancement` pour le choix fait), structure nouvelle orientée vers le comité national.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pandas as pd

from coverage.documents.format import format_date, format_euros
from coverage.financement.evaluation import COLONNES_AJOUTEES, evaluer_dossiers
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.plafonds import (
    TOLERANCE_BUDGET,
    TOLERANCE_ETP,
    TOLERANCE_EUROS,
    annees_pnad,
    annees_texte,
    centimes_bas,
    format_etp,
    format_taux,
    format_taux_face_a,
    min_plafonds,
    plafond_70,
    plafond_80,
    plafond_etp,
)

# Réexportés : les pages et le comité importent d'ici la table et les formats.
__all__ = [
    "COLONNES_AJOUTEES", "CodeRegle", "ResultatRegle", "TOLERANCE_BUDGET", "centimes_bas", "detail_regles",
    "evaluer_dossiers", "format_etp", "format_taux", "montant_max_aap", "regle_budget_equilibre",
    "regle_cofinancement", "regle_comite_national", "regle_date_depot", "regle_dossier_complet",
    "regle_etp_minimum", "regle_montant_demande", "regle_plafond_70", "regle_plafond_80", "regle_plafond_etp",
    "regle_priorite_pnad",
]

# --------------------------------------------------------------------------------------------
# Les règles : codes, libellés, passages de l'appel (un seul endroit)
# --------------------------------------------------------------------------------------------

_APPEL = "Appel à projets facilitateurs 2025"


class CodeRegle(StrEnum):
    """Code stable de chaque règle ; `libelle` et `reference` pour l'affichage."""

    ETP_MINIMUM = "etp_minimum"
    DOSSIER_COMPLET = "dossier_complet"
    DATE_DEPOT = "date_depot"
    PLAFOND_70 = "plafond_70"
    PLAFOND_ETP = "plafond_etp"
    PLAFOND_80 = "plafond_80"
    COFINANCEMENT = "cofinancement"
    BUDGET_EQUILIBRE = "budget_equilibre"
    MONTANT_DEMANDE = "montant_demande"
    PRIORITE_PNAD = "priorite_pnad"
    COMITE_NATIONAL = "comite_national"

    @property
    def libelle(self) -> str:
        return _LIBELLES[self]

    @property
    def reference(self) -> str:
        return _REFERENCES[self]


_LIBELLES: dict[CodeRegle, str] = {
    CodeRegle.ETP_MINIMUM: "Au moins 0,5 ETP",
    CodeRegle.DOSSIER_COMPLET: "Dossier complet (annexe 2)",
    CodeRegle.DATE_DEPOT: "Dossier à la clôture, CERFA signé dans les délais",
    CodeRegle.PLAFOND_70: "Aide AAP ≤ 70 % du coût",
    CodeRegle.PLAFOND_ETP: "Aide AAP ≤ plafond par ETP",
    CodeRegle.PLAFOND_80: "Collectivité : financements État ≤ 80 % du coût",
    CodeRegle.COFINANCEMENT: "Cofinancement d'au moins 30 %",
    CodeRegle.BUDGET_EQUILIBRE: "Budget équilibré",
    CodeRegle.MONTANT_DEMANDE: "Montant attribué ≤ montant demandé",
    CodeRegle.PRIORITE_PNAD: "Priorité : structure financée par le PNAD (2022 à 2024)",
    CodeRegle.COMITE_NATIONAL: "Structure nouvelle : comité technique national",
}

_REFERENCES: dict[CodeRegle, str] = {
    CodeRegle.ETP_MINIMUM: f"{_APPEL}, B 2-1 : « Ces projets doivent couvrir à minima 0,5 ETP »",
    CodeRegle.DOSSIER_COMPLET: (
        f"{_APPEL}, B 2-2 : « Les dossiers devront être complets conformément à la liste des pièces "
        "justificatives définie en annexe 2. Les dossiers incomplets ne seront pas instruits. »"
    ),
    CodeRegle.DATE_DEPOT: (
        f"{_APPEL}, C « Pilotage du projet » : relèves des 4 et 15 juillet 2025 ; « Les porteurs de projet "
        "devront déposer un dossier complet au plus tard le 15 juillet » ; à titre dérogatoire et sur "
        "autorisation expresse de la DREETS, CERFA signé transmis « jusqu'au 31 août 2025 »"
    ),
    CodeRegle.PLAFOND_70: (
        f"{_APPEL}, B 2-3 « Montage financier des projets » : « Cet appel finance ces nouveaux ETP à "
        "hauteur maximale de 70% »"
    ),
    CodeRegle.PLAFOND_ETP: (
        f"{_APPEL}, B 2-3 : « Le montant maximal versé par l'Etat pour un ETP est de 29 473 €. Une "
        "dérogation à ce montant maximal pourra être examinée pour répondre à des circonstances "
        "exceptionnelles. »"
    ),
    CodeRegle.PLAFOND_80: (
        f"{_APPEL}, B 2-3 : « Les collectivités territoriales […] devront présenter un budget plafonné "
        "à 80% de financements État, tous financeurs État confondus, sur l'ETP identifié. Le financement "
        "par le biais de cet AAP reste plafonné à 70%. »"
    ),
    CodeRegle.COFINANCEMENT: (
        f"{_APPEL}, B 2-3 : « [l'appel] encourage donc le cofinancement à hauteur de 30% minimum » ; "
        "focus FSE+ : « Les 30% de cofinancement attendus […] peuvent être constitués de crédits FSE+ »"
    ),
    CodeRegle.BUDGET_EQUILIBRE: (
        f"{_APPEL}, B 2-3 : « Les sources de ces cofinancements devront apparaitre dans les budgets "
        "déposés par les structures » ; annexe 2 : « le budget du projet mettant en avant les cofinanceurs »"
    ),
    CodeRegle.MONTANT_DEMANDE: (
        f"{_APPEL}, D 1 : la convention précise « le montant de la subvention » ; l'aide accordée ne "
        "dépasse pas le montant demandé dans le CERFA n° 12156*06 (annexe 2)"
    ),
    CodeRegle.PRIORITE_PNAD: (
        f"{_APPEL}, B 2-1 : « Une priorité sera accordée aux projets présentés par les structures d'ores "
        "et déjà porteuses de facilitateurs de clauses sociales et ayant bénéficié d'un financement au "
        "titre du PNAD en 2022, 2023 et 2024. »"
    ),
    CodeRegle.COMITE_NATIONAL: (
        f"{_APPEL}, C 1 « Comitologie » : « un comité technique national piloté par la DGEFP, et composé "
        "de la DAE, l'ANRU, Alliance Ville Emploi (AVE). Ce comité intervient pour apprécier la "
        "candidature des structures nouvelles (ie qui candidatent pour la première fois). »"
    ),
}


@dataclass(frozen=True)
class ResultatRegle:
    """Résultat d'une règle de l'appel pour un dossier.

    Attributes
    ----------
    code : str
        Code stable de la règle (valeur de `CodeRegle`).
    libelle : str
        Intitulé court en français.
    respectee : bool | None
        True / False ; None quand la règle est informative ou sans objet (ex. règle des 80 %
        pour une association, date de dépôt non renseignée).
    explication : str
        Phrase en français citant la règle et les chiffres du dossier (« 29 473 € »).
    reference : str
        Passage de l'appel à projets dont vient la règle.
    bloquante : bool
        True quand ce résultat rend le dossier inéligible (montant maximal = 0).
    """

    code: str
    libelle: str
    respectee: bool | None
    explication: str
    reference: str
    bloquante: bool = False


def _resultat(code: CodeRegle, respectee: bool | None, explication: str, *, bloquante: bool = False) -> ResultatRegle:
    return ResultatRegle(code.value, code.libelle, respectee, explication, code.reference, bloquante)


# --------------------------------------------------------------------------------------------
# Une fonction par règle (valeurs d'un dossier → ResultatRegle)
# --------------------------------------------------------------------------------------------


def regle_etp_minimum(*, etp: float, parametres: ParametresCampagne = PARAMETRES_2025) -> ResultatRegle:
    """Le projet couvre au moins 0,5 ETP (0,5 exactement est admis). Bloquante."""
    minimum = parametres.etp_minimum
    if etp is not None and not math.isnan(etp) and etp >= minimum - TOLERANCE_ETP:
        return _resultat(
            CodeRegle.ETP_MINIMUM,
            True,
            f"{format_etp(etp)} demandés : au moins {format_etp(minimum)}, minimum de l'appel.",
        )
    return _resultat(
        CodeRegle.ETP_MINIMUM,
        False,
        f"{format_etp(etp) if etp is not None and not math.isnan(etp) else 'ETP non renseignés'} : "
        f"moins que le minimum de {format_etp(minimum)} par projet ; le dossier n'est pas éligible.",
        bloquante=True,
    )


def regle_dossier_complet(*, dossier_complet: bool) -> ResultatRegle:
    """Toutes les pièces de l'annexe 2 sont présentes. Bloquante (« ne seront pas instruits »)."""
    if dossier_complet is not pd.NA and dossier_complet is not None and bool(dossier_complet):
        return _resultat(CodeRegle.DOSSIER_COMPLET, True, "Dossier complet : toutes les pièces de l'annexe 2 sont présentes.")
    return _resultat(
        CodeRegle.DOSSIER_COMPLET,
        False,
        "Dossier incomplet (pièces de l'annexe 2 manquantes) : il n'est pas instruit.",
        bloquante=True,
    )


def regle_date_depot(
    *,
    date_depot: date | datetime | pd.Timestamp | None,
    date_cerfa_signe: date | datetime | pd.Timestamp | None = None,
    derogation_cerfa: bool = False,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> ResultatRegle:
    """Dossier complet déposé à la clôture ; seul le CERFA signé peut suivre, sur dérogation.

    Règle de l'appel (partie C) : « Les porteurs de projet devront déposer un dossier complet au
    plus tard le 15 juillet. A titre dérogatoire et sur autorisation expresse de la DREETS, les
    porteurs n'ayant pas été en mesure d'obtenir […] la signature du formulaire CERFA […] seront
    autorisés à transmettre à la DREETS une version définitive signée jusqu'au 31 août 2025. »

    - `date_depot` manquante : bloquante (« date de dépôt manquante ») ;
    - `date_depot` après la clôture (15 juillet) : bloquante, aucune dérogation ne vise le dossier ;
    - `date_cerfa_signe` (vide : le CERFA signé est venu avec le dossier) : au plus tard à la
      clôture, respectée ; jusqu'au 31 août, respectée seulement avec `derogation_cerfa`
      (autorisation expresse de la DREETS), bloquante sinon ; après le 31 août, bloquante ;
    - dépôt avant l'ouverture de l'appel (`parametres.date_ouverture`) : signalé, non bloquant.
    """
    p = parametres
    cloture, limite = format_date(p.date_releve_2), format_date(p.date_limite_cerfa_signe)
    if date_depot is None or pd.isna(date_depot):
        return _resultat(CodeRegle.DATE_DEPOT, False, "Date de dépôt manquante : le dossier n'est pas recevable.", bloquante=True)
    jour = pd.Timestamp(date_depot).date()
    depose = f"Déposé le {format_date(jour)}"
    if jour > p.date_releve_2:
        return _resultat(
            CodeRegle.DATE_DEPOT, False,
            f"{depose}, après la clôture du {cloture} : le dossier complet est dû à la clôture ; seule la "
            "transmission du CERFA signé peut être différée. Non recevable.",
            bloquante=True,
        )
    signe = jour if date_cerfa_signe is None or pd.isna(date_cerfa_signe) else pd.Timestamp(date_cerfa_signe).date()
    cerfa = "CERFA signé transmis avec le dossier" if signe == jour else f"CERFA signé le {format_date(signe)}"
    if signe > p.date_limite_cerfa_signe:
        return _resultat(
            CodeRegle.DATE_DEPOT, False, f"{depose} ; {cerfa}, après la date limite dérogatoire du {limite} : non recevable.",
            bloquante=True,
        )
    if signe > p.date_releve_2 and not bool(derogation_cerfa):
        return _resultat(
            CodeRegle.DATE_DEPOT, False,
            f"{depose} ; {cerfa}, après la clôture du {cloture}, sans autorisation expresse de la DREETS : non recevable.",
            bloquante=True,
        )
    if signe > p.date_releve_2:
        examen = (f"recevable à titre dérogatoire (CERFA signé transmis au plus tard le {limite} sur autorisation "
                  "expresse de la DREETS)")
    elif max(jour, signe) <= p.date_releve_1:
        examen = f"examiné à la première relève ({format_date(p.date_releve_1)})"
    else:
        examen = f"examiné à la seconde relève ({cloture}, clôture)"
    if jour < p.date_ouverture:
        return _resultat(
            CodeRegle.DATE_DEPOT, False,
            f"{depose}, avant l'ouverture de l'appel le {format_date(p.date_ouverture)} : date à vérifier ; {cerfa} ; "
            f"{examen}. Non bloquant.",
        )
    return _resultat(CodeRegle.DATE_DEPOT, True, f"{depose} ; {cerfa} ; {examen}.")


def regle_plafond_70(
    *, montant_demande: float, cout: float, parametres: ParametresCampagne = PARAMETRES_2025
) -> ResultatRegle:
    """Aide AAP ≤ 70 % du coût annuel total. Plafonne le montant ; bloquante si le coût est nul."""
    taux = format_taux(parametres.taux_max_aap)
    plafond = float(plafond_70(cout, parametres))
    if plafond <= 0:
        return _resultat(
            CodeRegle.PLAFOND_70,
            False,
            f"Coût annuel total de {format_euros(cout)} : {taux} du coût ne permet aucune aide ; "
            "le dossier n'est pas éligible.",
            bloquante=True,
        )
    base = f"{taux} du coût de {format_euros(cout)} = {format_euros(plafond)}"
    if montant_demande <= plafond + TOLERANCE_EUROS:
        return _resultat(CodeRegle.PLAFOND_70, True, f"Montant demandé {format_euros(montant_demande)} ≤ {base}.")
    return _resultat(
        CodeRegle.PLAFOND_70,
        False,
        f"Montant demandé {format_euros(montant_demande)} > {base} : l'aide est plafonnée à {format_euros(plafond)}.",
    )


def regle_plafond_etp(
    *,
    montant_demande: float,
    etp: float,
    derogation_plafond: bool = False,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> ResultatRegle:
    """Aide AAP ≤ 29 473 € × ETP, sauf dérogation accordée par la DREETS. Plafonne le montant."""
    unitaire = format_euros(parametres.plafond_etp)
    if bool(derogation_plafond):
        return _resultat(
            CodeRegle.PLAFOND_ETP,
            True,
            f"Dérogation accordée (circonstances exceptionnelles) : le plafond de {unitaire} par ETP ne "
            "s'applique pas ; les autres plafonds restent applicables.",
        )
    plafond = float(plafond_etp(etp, False, parametres))
    base = f"{unitaire} × {format_etp(etp)} = {format_euros(plafond)}"
    if montant_demande <= plafond + TOLERANCE_EUROS:
        return _resultat(CodeRegle.PLAFOND_ETP, True, f"Montant demandé {format_euros(montant_demande)} ≤ {base}.")
    return _resultat(
        CodeRegle.PLAFOND_ETP,
        False,
        f"Montant demandé {format_euros(montant_demande)} > {base} : l'aide est plafonnée à "
        f"{format_euros(plafond)} (sans dérogation).",
    )


def regle_plafond_80(
    *,
    statut: str,
    montant_demande: float,
    cout: float,
    autres_financements_etat: float = 0.0,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> ResultatRegle:
    """Collectivité : AAP + autres financements de l'État ≤ 80 % du coût (l'AAP seul reste ≤ 70 %).

    Sans objet (None) pour les autres statuts. Plafonne le montant à 80 % × coût − autres
    financements État ; bloquante si ce plafond est nul ou négatif.
    """
    taux = format_taux(parametres.taux_max_etat_collectivite)
    if str(statut) != "collectivite":
        return _resultat(CodeRegle.PLAFOND_80, None, f"Sans objet : la règle des {taux} ne vise que les collectivités territoriales.")
    plafond = float(plafond_80(True, cout, autres_financements_etat, parametres))
    base = (
        f"{taux} × {format_euros(cout)} − {format_euros(autres_financements_etat)} d'autres financements de l'État "
        f"= {format_euros(max(plafond, 0.0))}"
    )
    if plafond <= 0:
        return _resultat(
            CodeRegle.PLAFOND_80,
            False,
            f"Collectivité : les autres financements de l'État ({format_euros(autres_financements_etat)}) atteignent "
            f"déjà {taux} du coût de {format_euros(cout)} : aucune aide AAP possible ; le dossier n'est pas éligible.",
            bloquante=True,
        )
    if montant_demande <= plafond + TOLERANCE_EUROS:
        return _resultat(CodeRegle.PLAFOND_80, True, f"Collectivité : montant demandé {format_euros(montant_demande)} ≤ {base}.")
    return _resultat(
        CodeRegle.PLAFOND_80,
        False,
        f"Collectivité : montant demandé {format_euros(montant_demande)} > {base} : l'aide est plafonnée à "
        f"{format_euros(plafond)}.",
    )


def regle_cofinancement(
    *,
    cout: float,
    autres_financements_etat: float = 0.0,
    cofinancements: float = 0.0,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> ResultatRegle:
    """Ressources hors AAP ≥ 30 % du coût, vérifié sur le budget déposé. Alerte non bloquante.

    Choix retenu :
    - le cofinancement est tout ce qui n'est pas l'AAP : autres financements de l'État +
      cofinancements (FSE+ compris). C'est le complément exact de « finance à hauteur maximale de
      70% et encourage donc le cofinancement à hauteur de 30% minimum », et c'est cohérent avec la
      règle des collectivités (70 % AAP + 10 % d'autres crédits État + 20 % hors État est admis :
      compter seulement les cofinancements hors État signalerait à tort ce budget permis) ;
    - un manque n'est pas bloquant : l'appel « encourage » le cofinancement, et la part de l'État
      est déjà bornée par le plafond de 70 %, appliqué au montant maximal quel que soit le
      budget déposé. Le manque est signalé en alerte, pour que le budget soit revu au
      conventionnement.
    """
    taux = format_taux(parametres.taux_min_cofinancement)
    hors_aap = (autres_financements_etat or 0.0) + (cofinancements or 0.0)
    if cout is None or math.isnan(cout) or cout <= 0:
        return _resultat(CodeRegle.COFINANCEMENT, None, "Coût annuel total nul ou non renseigné : part de cofinancement non calculable.")
    part = hors_aap / cout
    detail = (
        f"Ressources hors AAP (autres financements de l'État {format_euros(autres_financements_etat or 0.0)} + "
        f"cofinancements {format_euros(cofinancements or 0.0)}) : {format_euros(hors_aap)}, soit "
        f"{format_taux_face_a(part, parametres.taux_min_cofinancement)} du coût de {format_euros(cout)}"
    )
    if hors_aap >= parametres.taux_min_cofinancement * cout - TOLERANCE_EUROS:
        return _resultat(CodeRegle.COFINANCEMENT, True, f"{detail} (au moins {taux}).")
    return _resultat(
        CodeRegle.COFINANCEMENT,
        False,
        f"{detail}, moins que les {taux} attendus. Non bloquant : l'aide AAP reste plafonnée à "
        f"{format_taux(parametres.taux_max_aap)} du coût ; le budget est à compléter au conventionnement.",
    )


def regle_budget_equilibre(
    *,
    cout: float,
    montant_demande: float,
    autres_financements_etat: float = 0.0,
    cofinancements: float = 0.0,
) -> ResultatRegle:
    """Coût = AAP demandé + autres financements de l'État + cofinancements, à 1 € près. Alerte.

    Non bloquante : un budget déséquilibré est une erreur de saisie ou de montage à corriger avec
    le porteur ; le montant maximal se calcule sur le coût déclaré.
    """
    ressources = (montant_demande or 0.0) + (autres_financements_etat or 0.0) + (cofinancements or 0.0)
    ecart = ressources - (cout or 0.0)
    detail = (
        f"AAP demandé {format_euros(montant_demande or 0.0)} + autres financements de l'État "
        f"{format_euros(autres_financements_etat or 0.0)} + cofinancements {format_euros(cofinancements or 0.0)} "
        f"= {format_euros(ressources)}"
    )
    if abs(ecart) <= TOLERANCE_BUDGET:
        return _resultat(CodeRegle.BUDGET_EQUILIBRE, True, f"Budget équilibré : {detail} = coût de {format_euros(cout or 0.0)}.")
    sens = "excède" if ecart > 0 else "ne couvre pas"
    return _resultat(
        CodeRegle.BUDGET_EQUILIBRE,
        False,
        f"Budget déséquilibré : {detail} {sens} le coût de {format_euros(cout or 0.0)} (écart "
        f"{format_euros(abs(ecart))}). À corriger avec le porteur ; non bloquant.",
    )


def regle_montant_demande(*, montant_demande: float, montant_attribue: float | None = None) -> ResultatRegle:
    """Le montant attribué ne dépasse jamais le montant demandé.

    Sans `montant_attribue` : rappelle que le montant demandé plafonne l'aide (bloquante si rien
    n'est demandé). Avec `montant_attribue` : vérifie une attribution.
    """
    if montant_demande is None or math.isnan(montant_demande) or montant_demande <= 0:
        return _resultat(
            CodeRegle.MONTANT_DEMANDE, False, "Aucun montant AAP demandé : rien ne peut être attribué.", bloquante=True
        )
    if montant_attribue is None:
        return _resultat(
            CodeRegle.MONTANT_DEMANDE,
            True,
            f"L'aide attribuée ne dépassera pas le montant demandé de {format_euros(montant_demande)}.",
        )
    if montant_attribue <= montant_demande + TOLERANCE_EUROS:
        return _resultat(
            CodeRegle.MONTANT_DEMANDE,
            True,
            f"Montant attribué {format_euros(montant_attribue)} ≤ montant demandé {format_euros(montant_demande)}.",
        )
    return _resultat(
        CodeRegle.MONTANT_DEMANDE,
        False,
        f"Montant attribué {format_euros(montant_attribue)} > montant demandé {format_euros(montant_demande)} : "
        "à ramener au montant demandé.",
    )


def regle_priorite_pnad(
    *, financement_pnad: Any, parametres: ParametresCampagne = PARAMETRES_2025
) -> ResultatRegle:
    """Information : structure financée par le PNAD chacune des années prioritaires (2022, 2023 et
    2024), ou l'une d'elles si `parametres.priorite_pnad` vaut « une »."""
    annees_txt = parametres.annees_pnad_texte
    annees = annees_pnad(financement_pnad)
    exigees = set(parametres.annees_pnad_prioritaires)
    prioritaire = exigees <= annees if parametres.priorite_pnad == "toutes" else bool(exigees & annees)
    if prioritaire:
        return _resultat(CodeRegle.PRIORITE_PNAD, None, f"Structure financée par le PNAD en {annees_txt} : projet prioritaire.")
    deja = f" (financée en {annees_texte(sorted(annees))})" if annees else ""
    return _resultat(
        CodeRegle.PRIORITE_PNAD, None, f"Structure non financée par le PNAD en {annees_txt}{deja} : pas de priorité."
    )


def regle_comite_national(*, financement_pnad: Any, financement_pnad_connu: bool = True) -> ResultatRegle:
    """Information : une structure nouvelle (aucun financement PNAD) va au comité technique national.

    Non bloquante : le comité (DGEFP, DAE, ANRU, AVE) apprécie la candidature, la DREETS instruit.
    """
    if not financement_pnad_connu:
        return _resultat(
            CodeRegle.COMITE_NATIONAL, None, "Financements PNAD de la structure non fournis : orientation vers le comité national à vérifier."
        )
    annees = annees_pnad(financement_pnad)
    if annees:
        return _resultat(
            CodeRegle.COMITE_NATIONAL,
            None,
            f"Structure déjà financée par le PNAD ({annees_texte(sorted(annees))}) : instruction régionale par la DREETS.",
        )
    return _resultat(
        CodeRegle.COMITE_NATIONAL,
        None,
        "Structure nouvelle (aucun financement PNAD) : candidature appréciée par le comité technique national "
        "(DGEFP, DAE, ANRU, AVE).",
    )


# --------------------------------------------------------------------------------------------
# Un dossier : détail des règles et montant maximal
# --------------------------------------------------------------------------------------------


def _valeur(dossier: Mapping[str, Any], nom: str, defaut: Any) -> Any:
    valeur = dossier.get(nom, defaut)
    if valeur is None or valeur is pd.NA or (isinstance(valeur, float) and math.isnan(valeur)):
        return defaut
    return valeur


def detail_regles(
    dossier: Mapping[str, Any] | pd.Series, parametres: ParametresCampagne = PARAMETRES_2025
) -> list[ResultatRegle]:
    """Toutes les règles de l'appel pour un dossier, dans l'ordre de la fiche.

    Parameters
    ----------
    dossier : Mapping ou pd.Series
        Une ligne au format `coverage.modele.DOSSIERS` (nombres en float, booléens en bool,
        `date_depot` date ou NaT), avec en option `financement_pnad` (« 2022,2023,2024 »),
        `date_cerfa_signe` (date ; absente : CERFA signé transmis avec le dossier) et
        `derogation_cerfa` (bool). Colonnes facultatives absentes : 0 € / False / non renseigné.
    parametres : ParametresCampagne
        Chiffres de la campagne.

    Returns
    -------
    list[ResultatRegle]
        Dans l'ordre : ETP minimum, dossier complet, date de dépôt, 70 %, plafond par ETP, 80 %
        (collectivités), cofinancement, budget équilibré, montant demandé, priorité PNAD, comité
        national. Le dossier est inéligible si l'un d'eux est `bloquante`.

    Example
    -------
    >>> r = detail_regles({"etp_demandes": 0.4, "cout_annuel_total": 20000.0,
    ...     "montant_aap_demande": 14000.0, "statut": "association", "dossier_complet": True})
    >>> r[0].respectee, r[0].bloquante
    (False, True)
    """
    etp = float(_valeur(dossier, "etp_demandes", math.nan))
    cout = float(_valeur(dossier, "cout_annuel_total", 0.0))
    demande = float(_valeur(dossier, "montant_aap_demande", 0.0))
    autres = float(_valeur(dossier, "autres_financements_etat", 0.0))
    cofi = float(_valeur(dossier, "cofinancements", 0.0))
    statut = str(_valeur(dossier, "statut", ""))
    pnad_connu = "financement_pnad" in dossier
    pnad = dossier.get("financement_pnad") if pnad_connu else None
    return [
        regle_etp_minimum(etp=etp, parametres=parametres),
        regle_dossier_complet(dossier_complet=bool(_valeur(dossier, "dossier_complet", False))),
        regle_date_depot(
            date_depot=dossier.get("date_depot"),
            date_cerfa_signe=dossier.get("date_cerfa_signe"),
            derogation_cerfa=bool(_valeur(dossier, "derogation_cerfa", False)),
            parametres=parametres,
        ),
        regle_plafond_70(montant_demande=demande, cout=cout, parametres=parametres),
        regle_plafond_etp(
            montant_demande=demande,
            etp=0.0 if math.isnan(etp) else etp,
            derogation_plafond=bool(_valeur(dossier, "derogation_plafond", False)),
            parametres=parametres,
        ),
        regle_plafond_80(
            statut=statut, montant_demande=demande, cout=cout, autres_financements_etat=autres, parametres=parametres
        ),
        regle_cofinancement(cout=cout, autres_financements_etat=autres, cofinancements=cofi, parametres=parametres),
        regle_budget_equilibre(cout=cout, montant_demande=demande, autres_financements_etat=autres, cofinancements=cofi),
        regle_montant_demande(montant_demande=demande),
        regle_priorite_pnad(financement_pnad=pnad, parametres=parametres),
        regle_comite_national(financement_pnad=pnad, financement_pnad_connu=pnad_connu),
    ]


def montant_max_aap(
    *,
    etp_demandes: float,
    cout_annuel_total: float,
    montant_aap_demande: float,
    statut: str = "association",
    autres_financements_etat: float = 0.0,
    derogation_plafond: bool = False,
    dossier_complet: bool = True,
    date_depot: date | datetime | pd.Timestamp | None,
    date_cerfa_signe: date | datetime | pd.Timestamp | None = None,
    derogation_cerfa: bool = False,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> float:
    """Le plus grand montant AAP que toutes les règles permettent, montant demandé compris [€].

    min(montant demandé, 70 % × coût, 29 473 € × ETP sauf dérogation, pour une collectivité
    80 % × coût − autres financements de l'État), au centime inférieur ; 0 si le dossier est
    inéligible (moins de 0,5 ETP, incomplet, date de dépôt manquante ou hors délai, aucun montant
    possible). `date_depot` est obligatoire : sans elle le dossier n'est pas recevable.

    Example
    -------
    >>> montant_max_aap(etp_demandes=0.5, cout_annuel_total=22000.0, montant_aap_demande=15400.0,
    ...                 date_depot=date(2025, 7, 1))
    14736.5
    """
    dossier = {
        "etp_demandes": etp_demandes,
        "cout_annuel_total": cout_annuel_total,
        "montant_aap_demande": montant_aap_demande,
        "statut": str(statut),
        "autres_financements_etat": autres_financements_etat,
        "derogation_plafond": derogation_plafond,
        "dossier_complet": dossier_complet,
        "date_depot": date_depot,
        "date_cerfa_signe": date_cerfa_signe,
        "derogation_cerfa": derogation_cerfa,
    }
    if any(r.bloquante for r in detail_regles(dossier, parametres)):
        return 0.0
    montant, _ = min_plafonds(
        montant_aap_demande,
        plafond_70(cout_annuel_total, parametres),
        plafond_etp(etp_demandes, derogation_plafond, parametres),
        plafond_80(str(statut) == "collectivite", cout_annuel_total, autres_financements_etat, parametres),
    )
    return max(float(montant), 0.0)
