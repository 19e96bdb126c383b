"""Paramètres d'une campagne de l'appel à projets « facilitateurs de la clause sociale d'insertion ».

Un seul objet, `ParametresCampagne`, rassemble tous les chiffres que les règles de financement
(`coverage.financement.regles`) et l'allocation de l'enveloppe (`coverage.financement.allocation`) utilisent. Les valeurs
par défaut sont celles de l'appel à projets 2025 (`seed/appel-a-projets-facilitateurs-2025.txt`) ;
chaque champ cite le passage de l'appel dont il vient. Pour une autre année, on crée un autre
objet (`dataclasses.replace(PARAMETRES_2025, annee=2026, ...)`) : aucun chiffre de l'appel n'est
écrit ailleurs dans le code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class ParametresCampagne:
    """Chiffres d'une campagne de l'appel à projets (montants en euros, taux entre 0 et 1).

    Attributes
    ----------
    enveloppe_nationale : float
        Enveloppe nationale de l'État pour la campagne, en €.
        Appel, partie A : « 4,5 M€ sont dédiés à la contribution de l'Etat au financement des
        facilitateurs et des coordinateurs en 2025. »
    taux_max_aap : float
        Part maximale du coût annuel total financée par l'AAP (0,70 = 70 %).
        Appel, B 2-3 « Montage financier des projets » : « Cet appel finance ces nouveaux ETP à
        hauteur maximale de 70% ».
    plafond_etp : float
        Montant maximal versé par l'État pour un ETP, en € par ETP et pour 12 mois.
        Appel, B 2-3 : « Le montant maximal versé par l'Etat pour un ETP est de 29 473 €. Une
        dérogation à ce montant maximal pourra être examinée pour répondre à des circonstances
        exceptionnelles. »
    taux_max_etat_collectivite : float
        Part maximale de financements de l'État, tous financeurs État confondus, dans le budget
        d'une collectivité territoriale (0,80 = 80 %).
        Appel, B 2-3 : « Les collectivités territoriales déposant une candidature devront présenter
        un budget plafonné à 80% de financements État, tous financeurs État confondus, sur l'ETP
        identifié. Le financement par le biais de cet AAP reste plafonné à 70%. »
    taux_min_cofinancement : float
        Part minimale du coût couverte par d'autres ressources que l'AAP (0,30 = 30 %).
        Appel, B 2-3 : « [l'appel] encourage donc le cofinancement à hauteur de 30% minimum » ;
        focus FSE+ : « Les 30% de cofinancement attendus des porteurs de projets […] peuvent être
        constitués de crédits FSE+. »
    etp_minimum : float
        Nombre minimal d'ETP d'un projet.
        Appel, B 2-1 : « Ces projets doivent couvrir à minima 0,5 ETP et au besoin selon les
        projets, plus d'un ETP. »
    annees_pnad_prioritaires : tuple[int, ...]
        Années de financement PNAD qui donnent la priorité (toutes exigées).
        Appel, B 2-1 (et partie A pour Auvergne-Rhône-Alpes) : « Une priorité sera accordée aux
        projets présentés par les structures d'ores et déjà porteuses de facilitateurs de clauses
        sociales et ayant bénéficié d'un financement au titre du PNAD en 2022, 2023 et 2024. »
    priorite_pnad : {"toutes", "une"}
        « toutes » : la priorité exige un financement PNAD chacune des `annees_pnad_prioritaires`
        (lecture du texte, « en 2022, 2023 et 2024 », valeur par défaut) ; « une » : l'une d'elles
        suffit (lecture plus large, laissée au choix de la campagne).
    date_ouverture : datetime.date
        Ouverture du dépôt des dossiers. Appel, C : « La date de début de dépôt des dossiers est
        fixée à la date de publication. » Le texte ne donne pas cette date : par défaut le
        1er janvier de l'année de campagne, à remplacer par la date de publication. Un dépôt
        antérieur est signalé (alerte, non bloquante : date à vérifier).
    date_releve_1 : datetime.date
        Première relève des dossiers.
        Appel, C « Pilotage du projet » : « Une première relève interviendra le 4 juillet 2025 »
        (date du calendrier de la campagne, reprise aussi dans l'issue du simulateur).
    date_releve_2 : datetime.date
        Seconde relève, qui est aussi la date de clôture : un dossier complet doit être déposé au
        plus tard ce jour-là.
        Appel, C : « La date de clôture de l'appel à projets est fixée au 15 juillet 2025. […] Une
        seconde relève interviendra le 15 juillet 2025. Les porteurs de projet devront déposer un
        dossier complet au plus tard le 15 juillet. »
    date_limite_cerfa_signe : datetime.date
        Date limite de transmission du CERFA signé, à titre dérogatoire.
        Appel, C : « A titre dérogatoire et sur autorisation expresse de la DREETS, les porteurs
        n'ayant pas été en mesure d'obtenir, dans les délais impartis, la signature du formulaire
        CERFA […] seront autorisés à transmettre à la DREETS une version définitive signée
        jusqu'au 31 août 2025. »
    duree_mois : int
        Durée du financement d'un poste, en mois.
        Appel, B : « Cet appel à projet permet le financement de chaque poste conventionné pour
        1 an » ; D 1 : « une convention sera conclue pour une durée de douze mois ».
    annee : int
        Année de la campagne.
    debut_conventions : datetime.date
        Date d'effet des conventions de la campagne (l'appel : « une convention sera conclue pour
        une durée de douze mois. Elle peut préciser une date d'effet »). Par défaut le 1er septembre,
        au lendemain de la date limite du CERFA signé : à ajuster à la date réelle des conventions.
    echeance_bilan_intermediaire, echeance_bilan_annuel : datetime.date | None
        Dates de remise des bilans fixées par les conventions. Appel, D 1 : « Le porteur de projet
        s'engage ainsi à fournir à la DREETS des bilans consolidés : un rapport intermédiaire et un
        rapport annuel » ; D 2 : « Le bilan final devra être transmis à la date prévue par la
        convention. » None : mi-période (veille de `debut_conventions` + `duree_mois` / 2) et fin de
        période (veille de `debut_conventions` + `duree_mois`).
    delai_relance_bilans_jours : int
        Jours après l'échéance pendant lesquels un bilan non reçu est « en retard » ; au-delà, il est
        « manquant ». Règle de suivi du produit, non fixée par l'appel.

    Notes
    -----
    La dérogation au plafond par ETP est une décision de la DREETS, portée dossier par dossier
    (colonne `derogation_plafond`) : elle n'est pas un paramètre de campagne.
    Les dossiers incomplets ne sont pas instruits (appel, B 2-2 : « Les dossiers incomplets ne
    seront pas instruits. ») : règle sans paramètre.
    """

    enveloppe_nationale: float = 4_500_000.0
    taux_max_aap: float = 0.70
    plafond_etp: float = 29_473.0
    taux_max_etat_collectivite: float = 0.80
    taux_min_cofinancement: float = 0.30
    etp_minimum: float = 0.5
    annees_pnad_prioritaires: tuple[int, ...] = (2022, 2023, 2024)
    priorite_pnad: Literal["toutes", "une"] = "toutes"
    date_ouverture: date = date(2025, 1, 1)
    date_releve_1: date = date(2025, 7, 4)
    date_releve_2: date = date(2025, 7, 15)
    date_limite_cerfa_signe: date = date(2025, 8, 31)
    duree_mois: int = 12
    annee: int = 2025
    debut_conventions: date = date(2025, 9, 1)
    echeance_bilan_intermediaire: date | None = None
    echeance_bilan_annuel: date | None = None
    delai_relance_bilans_jours: int = 30

    def __post_init__(self) -> None:
        _check_parametres(self)

    @property
    def cout_par_etp_equilibre(self) -> float:
        """Coût annuel par ETP (€) où le plafond par ETP et le taux de 70 % se rejoignent.

        Au-dessous, le taux de 70 % limite l'aide ; au-dessus, le plafond par ETP
        (29 473 € / 0,70 = 42 104,29 € en 2025).
        """
        return self.plafond_etp / self.taux_max_aap

    @property
    def annees_pnad_texte(self) -> str:
        """« 2022, 2023 et 2024 » (toutes exigées) ou « 2022, 2023 ou 2024 » (l'une suffit)."""
        annees = [str(a) for a in sorted(self.annees_pnad_prioritaires)]
        if len(annees) <= 1:
            return "".join(annees)
        return ", ".join(annees[:-1]) + (" et " if self.priorite_pnad == "toutes" else " ou ") + annees[-1]


def _check_parametres(p: ParametresCampagne) -> None:
    """Vérifie la cohérence des paramètres ; lève `ValueError` avec un message en français."""
    erreurs: list[str] = []
    if p.enveloppe_nationale < 0:
        erreurs.append(f"enveloppe_nationale : {p.enveloppe_nationale} (attendu : montant positif ou nul, en €)")
    for nom in ("taux_max_aap", "taux_max_etat_collectivite", "taux_min_cofinancement"):
        valeur = getattr(p, nom)
        if not 0 <= valeur <= 1:
            erreurs.append(f"{nom} : {valeur} (attendu : taux entre 0 et 1, ex. 0.70 pour 70 %)")
    if p.plafond_etp <= 0:
        erreurs.append(f"plafond_etp : {p.plafond_etp} (attendu : montant strictement positif, en € par ETP)")
    if p.etp_minimum <= 0:
        erreurs.append(f"etp_minimum : {p.etp_minimum} (attendu : nombre d'ETP strictement positif)")
    if not p.date_ouverture <= p.date_releve_1 <= p.date_releve_2 <= p.date_limite_cerfa_signe:
        erreurs.append(
            "dates : attendu date_ouverture ≤ date_releve_1 ≤ date_releve_2 ≤ date_limite_cerfa_signe "
            f"(reçu {p.date_ouverture:%d/%m/%Y}, {p.date_releve_1:%d/%m/%Y}, {p.date_releve_2:%d/%m/%Y}, "
            f"{p.date_limite_cerfa_signe:%d/%m/%Y})"
        )
    if p.priorite_pnad not in ("toutes", "une"):
        erreurs.append(f"priorite_pnad : « {p.priorite_pnad} » (attendu : « toutes » ou « une »)")
    if p.duree_mois <= 0:
        erreurs.append(f"duree_mois : {p.duree_mois} (attendu : nombre de mois strictement positif)")
    if p.delai_relance_bilans_jours < 0:
        erreurs.append(f"delai_relance_bilans_jours : {p.delai_relance_bilans_jours} (attendu : nombre de jours positif ou nul)")
    if (p.echeance_bilan_intermediaire and p.echeance_bilan_annuel
            and p.echeance_bilan_intermediaire > p.echeance_bilan_annuel):
        erreurs.append(
            "échéances des bilans : attendu intermédiaire ≤ annuel "
            f"(reçu {p.echeance_bilan_intermediaire:%d/%m/%Y}, {p.echeance_bilan_annuel:%d/%m/%Y})"
        )
    if erreurs:
        raise ValueError("Paramètres de campagne invalides : " + " ; ".join(erreurs) + ".")


PARAMETRES_2025 = ParametresCampagne()
"""Paramètres de l'appel à projets 2025 (valeurs par défaut de `ParametresCampagne`)."""
