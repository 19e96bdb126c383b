"""Règles de financement de l'appel (coverage.financement.regles) : cas de DESIGN.md §5, seuils, détail."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.regles import (
    CodeRegle,
    detail_regles,
    evaluer_dossiers,
    format_etp,
    format_taux,
    montant_max_aap,
    regle_budget_equilibre,
    regle_cofinancement,
    regle_comite_national,
    regle_date_depot,
    regle_montant_demande,
    regle_plafond_70,
    regle_plafond_80,
    regle_plafond_etp,
)


def dossier(**valeurs) -> dict:
    """Un dossier typé, association d'1 ETP à 40 000 €, complet, déposé le 01/07/2025."""
    base = {
        "id_dossier": "X",
        "id_structure": "S",
        "statut": "association",
        "region": "84",
        "departement": "01",
        "etp_demandes": 1.0,
        "cout_annuel_total": 40_000.0,
        "montant_aap_demande": 28_000.0,
        "autres_financements_etat": 0.0,
        "cofinancements": 12_000.0,
        "derogation_plafond": False,
        "dossier_complet": True,
        "date_depot": pd.Timestamp("2025-07-01"),
    }
    base.update(valeurs)
    return base


def evaluer(*dossiers: dict, parametres: ParametresCampagne = PARAMETRES_2025) -> pd.DataFrame:
    table = pd.DataFrame(list(dossiers))
    table["id_dossier"] = [f"D{i}" for i in range(len(table))]
    return evaluer_dossiers(table, parametres=parametres)


def une_ligne(**valeurs) -> pd.Series:
    return evaluer(dossier(**valeurs)).iloc[0]


def regle(resultats, code: CodeRegle):
    return next(r for r in resultats if r.code == code.value)


def texte(chaine: str) -> str:
    """Les textes séparent les milliers par des espaces insécables (coverage.documents.format) : on les
    compare ici à des chaînes écrites avec des espaces ordinaires, plus lisibles."""
    return chaine.replace("\u00a0", " ")


# --- Les six cas de DESIGN.md §5 -------------------------------------------------------------

CAS = [
    # statut, etp, cout, autres État, dérogation, demande, montant max, plafond limitant
    ("association", 1.0, 40_000.0, 0.0, False, 28_000.0, 28_000.0, "70 %"),
    ("association", 1.0, 50_000.0, 0.0, False, 35_000.0, 29_473.0, "plafond par ETP"),
    ("association", 0.5, 22_000.0, 0.0, False, 15_400.0, 14_736.50, "plafond par ETP"),
    ("collectivite", 1.0, 40_000.0, 5_000.0, False, 28_000.0, 27_000.0, "80 % État"),
    ("association", 0.4, 20_000.0, 0.0, False, 14_000.0, 0.0, ""),
    ("association", 1.0, 50_000.0, 0.0, True, 35_000.0, 35_000.0, "70 %"),
]


@pytest.mark.parametrize(
    ("statut", "etp", "cout", "autres", "derogation", "demande", "attendu", "limitant"),
    CAS,
    ids=["A-70pc", "B-plafond", "C-demi-etp", "D-collectivite-80pc", "E-sous-0.5-etp", "F-derogation"],
)
def test_six_cas_du_design(statut, etp, cout, autres, derogation, demande, attendu, limitant):
    ligne = une_ligne(
        statut=statut,
        etp_demandes=etp,
        cout_annuel_total=cout,
        montant_aap_demande=demande,
        autres_financements_etat=autres,
        cofinancements=cout - demande - autres,
        derogation_plafond=derogation,
    )
    assert ligne["montant_max_aap"] == attendu
    assert ligne["plafond_limitant"] == limitant
    assert ligne["eligible"] == (attendu > 0)
    # Même résultat par le chemin dossier par dossier.
    assert (
        montant_max_aap(
            etp_demandes=etp,
            cout_annuel_total=cout,
            montant_aap_demande=demande,
            statut=statut,
            autres_financements_etat=autres,
            derogation_plafond=derogation,
            date_depot=date(2025, 7, 1),
        )
        == attendu
    )


def test_cas_e_motif_en_francais():
    ligne = une_ligne(etp_demandes=0.4, cout_annuel_total=20_000.0, montant_aap_demande=14_000.0, cofinancements=6_000.0)
    assert texte(ligne["motifs"]) == "0,4 ETP demandés, moins que le minimum de 0,5 ETP"


def test_cas_d_collectivite_explication_80pc():
    r = regle(
        detail_regles(dossier(statut="collectivite", autres_financements_etat=5_000.0, cofinancements=7_000.0)),
        CodeRegle.PLAFOND_80,
    )
    assert r.respectee is False and r.bloquante is False
    assert "80 % × 40 000 € − 5 000 € d'autres financements de l'État = 27 000 €" in texte(r.explication)
    assert "l'aide est plafonnée à 27 000 €" in texte(r.explication)


def test_cas_b_explication_cite_le_plafond():
    r = regle(detail_regles(dossier(cout_annuel_total=50_000.0, montant_aap_demande=35_000.0)), CodeRegle.PLAFOND_ETP)
    assert r.respectee is False
    assert "29 473 € × 1 ETP = 29 473 €" in texte(r.explication)
    assert "29 473 €" in r.reference


def test_cas_c_montant_au_centime():
    r = regle(
        detail_regles(dossier(etp_demandes=0.5, cout_annuel_total=22_000.0, montant_aap_demande=15_400.0)),
        CodeRegle.PLAFOND_ETP,
    )
    assert "= 14 736,50 €" in texte(r.explication)


# --- Seuils, règle par règle -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("etp", "eligible"),
    [(0.49, False), (0.5, True), (0.1 * 5, True), (0.51, True)],
    ids=["0.49-refuse", "0.5-exact-admis", "0.5-calcule-admis", "0.51-admis"],
)
def test_seuil_etp_minimum(etp, eligible):
    # Minimum de 0,5 ETP (appel, 2-1) ; coût proportionnel pour rester sous les plafonds.
    ligne = une_ligne(etp_demandes=etp, cout_annuel_total=40_000.0 * etp, montant_aap_demande=28_000.0 * etp,
                      cofinancements=12_000.0 * etp)
    assert bool(ligne["eligible"]) is eligible


@pytest.mark.parametrize(
    ("cout", "attendu", "limitant"),
    [
        (42_104.28, 29_472.99, "70 %"),  # 70 % = 29 472,996 → 29 472,99 (au centime inférieur)
        (42_104.29, 29_473.00, "70 %"),  # point de rencontre : 70 % = 29 473,003 → 29 473,00 = plafond
        (42_104.30, 29_473.00, "plafond par ETP"),  # 70 % = 29 473,01 > plafond
    ],
    ids=["42104.28", "42104.29-rencontre", "42104.30"],
)
def test_rencontre_70pc_et_plafond(cout, attendu, limitant):
    ligne = une_ligne(cout_annuel_total=cout, montant_aap_demande=30_000.0, cofinancements=cout - 30_000.0)
    assert ligne["montant_max_aap"] == attendu
    assert ligne["plafond_limitant"] == limitant


def test_rencontre_donnee_par_les_parametres():
    assert round(PARAMETRES_2025.cout_par_etp_equilibre, 2) == 42_104.29


@pytest.mark.parametrize(
    ("demande", "respectee"),
    [(28_000.0, True), (28_000.01, False)],
    ids=["70pc-exact", "un-centime-de-trop"],
)
def test_regle_70pc(demande, respectee):
    r = regle_plafond_70(montant_demande=demande, cout=40_000.0)
    assert r.respectee is respectee
    assert r.bloquante is False


def test_regle_70pc_plafonne_sans_rendre_ineligible():
    ligne = une_ligne(montant_aap_demande=28_000.01, cofinancements=11_999.99)
    assert ligne["eligible"]
    assert ligne["montant_max_aap"] == 28_000.0
    assert "demande de 28 000,01 € > 70 % du coût (28 000 €)" in texte(ligne["alertes"])


@pytest.mark.parametrize(
    ("demande", "respectee"),
    [(29_473.0, True), (29_473.01, False)],
    ids=["plafond-exact", "un-centime-de-trop"],
)
def test_regle_plafond_etp(demande, respectee):
    assert regle_plafond_etp(montant_demande=demande, etp=1.0).respectee is respectee


def test_derogation_leve_le_plafond_mais_pas_les_70pc():
    r = regle_plafond_etp(montant_demande=40_000.0, etp=1.0, derogation_plafond=True)
    assert r.respectee is True
    assert "Dérogation accordée" in texte(r.explication)
    ligne = une_ligne(cout_annuel_total=60_000.0, montant_aap_demande=45_000.0, cofinancements=15_000.0,
                      derogation_plafond=True)
    assert ligne["montant_max_aap"] == 42_000.0  # 70 % de 60 000 €
    assert np.isnan(ligne["plafond_etp"])


@pytest.mark.parametrize(
    ("autres", "attendu", "limitant"),
    [
        (0.0, 28_000.0, "70 %"),  # l'AAP seul reste plafonné à 70 % même sans autre crédit État
        (4_000.0, 28_000.0, "70 %"),  # 28 000 + 4 000 = 32 000 = 80 % exactement : admis
        (4_000.01, 27_999.99, "80 % État"),  # un centime au-delà des 80 %
        (31_000.0, 1_000.0, "80 % État"),
    ],
    ids=["sans-autre-etat", "80pc-exact", "80pc-plus-un-centime", "presque-tout-etat"],
)
def test_collectivite_80pc(autres, attendu, limitant):
    ligne = une_ligne(statut="collectivite", autres_financements_etat=autres, cofinancements=12_000.0 - autres)
    assert ligne["montant_max_aap"] == attendu
    assert ligne["plafond_limitant"] == limitant


def test_collectivite_80pc_deja_atteint_ineligible():
    ligne = une_ligne(statut="collectivite", autres_financements_etat=32_000.0, montant_aap_demande=1_000.0,
                      cofinancements=7_000.0)
    assert not ligne["eligible"]
    assert ligne["montant_max_aap"] == 0.0
    assert texte(ligne["motifs"]) == "collectivité : autres financements de l'État (32 000 €) ≥ 80 % du coût (40 000 €)"
    r = regle_plafond_80(statut="collectivite", montant_demande=1_000.0, cout=40_000.0, autres_financements_etat=32_000.0)
    assert r.respectee is False and r.bloquante is True


def test_80pc_sans_objet_hors_collectivite():
    # Une association avec d'autres crédits État n'est limitée que par les 70 % et le plafond.
    ligne = une_ligne(autres_financements_etat=20_000.0, cofinancements=0.0, cout_annuel_total=48_000.0)
    assert ligne["montant_max_aap"] == 28_000.0
    assert np.isnan(ligne["plafond_80"])
    assert regle_plafond_80(statut="association", montant_demande=1.0, cout=1.0).respectee is None


@pytest.mark.parametrize(
    ("autres", "cofi", "respectee"),
    [
        (0.0, 12_000.0, True),  # 30 % exactement
        (0.0, 11_600.0, False),  # 29 %
        (4_000.0, 8_000.0, True),  # collectivité : 10 % d'autres crédits État + 20 % hors État
    ],
    ids=["30pc-exact", "29pc", "autres-etat-comptes"],
)
def test_regle_cofinancement(autres, cofi, respectee):
    r = regle_cofinancement(cout=40_000.0, autres_financements_etat=autres, cofinancements=cofi)
    assert r.respectee is respectee
    assert r.bloquante is False


def test_cofinancement_insuffisant_non_bloquant():
    ligne = une_ligne(montant_aap_demande=30_000.0, cofinancements=10_000.0)  # 25 % hors AAP
    assert ligne["eligible"]
    assert ligne["montant_max_aap"] == 28_000.0
    assert "cofinancement hors AAP de 25 %, moins que 30 %" in texte(ligne["alertes"])


@pytest.mark.parametrize(
    ("cofi", "respectee"),
    [(12_001.0, True), (12_001.01, False), (11_000.0, False)],
    ids=["ecart-1-euro", "ecart-1.01-euro", "ecart-1000-euros"],
)
def test_regle_budget_equilibre(cofi, respectee):
    r = regle_budget_equilibre(cout=40_000.0, montant_demande=28_000.0, cofinancements=cofi)
    assert r.respectee is respectee
    assert r.bloquante is False


def test_budget_desequilibre_alerte():
    ligne = une_ligne(cofinancements=13_000.0)  # ressources 41 000 € pour un coût de 40 000 €
    assert ligne["eligible"]
    assert texte(ligne["alertes"]) == "budget déséquilibré (écart de 1 000 €)"


def test_montant_demande_plafonne():
    ligne = une_ligne(montant_aap_demande=20_000.0, cofinancements=20_000.0)
    assert ligne["montant_max_aap"] == 20_000.0
    assert ligne["plafond_limitant"] == "montant demandé"


def test_aucun_montant_demande_ineligible():
    ligne = une_ligne(montant_aap_demande=0.0, cofinancements=40_000.0)
    assert not ligne["eligible"]
    assert texte(ligne["motifs"]) == "aucun montant AAP demandé"


@pytest.mark.parametrize(
    ("attribue", "respectee"),
    [(None, True), (28_000.0, True), (28_000.01, False)],
    ids=["sans-attribution", "egal", "au-dela"],
)
def test_regle_montant_demande(attribue, respectee):
    assert regle_montant_demande(montant_demande=28_000.0, montant_attribue=attribue).respectee is respectee


def test_dossier_incomplet_non_instruit():
    ligne = une_ligne(dossier_complet=False)
    assert not ligne["eligible"]
    assert ligne["montant_max_aap"] == 0.0
    assert texte(ligne["motifs"]) == "dossier incomplet (annexe 2) : non instruit"


@pytest.mark.parametrize(
    ("depot", "cerfa", "derogation", "eligible", "releve"),
    [
        (date(2025, 7, 4), None, False, True, 1),  # première relève, dernier jour
        (date(2025, 7, 5), None, False, True, 2),
        (date(2025, 7, 15), None, False, True, 2),  # clôture, dernier jour
        (date(2025, 7, 1), date(2025, 7, 10), False, True, 2),  # CERFA signé après la 1re relève : la 2de
        (date(2025, 7, 10), date(2025, 7, 16), False, False, None),  # CERFA après la clôture sans dérogation
        (date(2025, 7, 10), date(2025, 7, 16), True, True, None),  # CERFA signé, dérogation DREETS
        (date(2025, 7, 10), date(2025, 8, 31), True, True, None),  # dernier jour dérogatoire
        (date(2025, 7, 10), date(2025, 9, 1), True, False, None),  # au-delà du 31 août : aucune dérogation
        (date(2025, 7, 16), None, True, False, None),  # dossier après la clôture : la dérogation ne vise que le CERFA
        (date(2025, 8, 20), date(2025, 8, 20), True, False, None),  # « déposé pour la première fois le 20 août »
    ],
    ids=["04-07", "05-07", "15-07", "cerfa-10-07", "cerfa-16-07-sans-derog", "cerfa-16-07-derog",
         "cerfa-31-08-derog", "cerfa-01-09-derog", "depot-16-07-derog", "depot-20-08-derog"],
)
def test_dossier_a_la_cloture_seul_le_cerfa_signe_peut_suivre(depot, cerfa, derogation, eligible, releve):
    # Appel, C : « Les porteurs de projet devront déposer un dossier complet au plus tard le 15 juillet. A titre
    # dérogatoire et sur autorisation expresse de la DREETS, les porteurs n'ayant pas été en mesure d'obtenir […]
    # la signature du formulaire CERFA […] seront autorisés à transmettre […] une version définitive signée
    # jusqu'au 31 août 2025. »
    ligne = une_ligne(date_depot=pd.Timestamp(depot), date_cerfa_signe=pd.Timestamp(cerfa) if cerfa else pd.NaT,
                      derogation_cerfa=derogation)
    assert bool(ligne["eligible"]) is eligible
    assert (None if pd.isna(ligne["releve"]) else int(ligne["releve"])) == releve
    r = regle_date_depot(date_depot=depot, date_cerfa_signe=cerfa, derogation_cerfa=derogation)
    assert r.respectee is eligible
    assert r.bloquante is (not eligible)


def test_date_de_depot_manquante_rend_le_dossier_ineligible():
    ligne = une_ligne(date_depot=pd.NaT)
    assert not ligne["eligible"]
    assert ligne["montant_max_aap"] == 0.0
    assert texte(ligne["motifs"]) == "date de dépôt manquante"
    r = regle_date_depot(date_depot=None)
    assert (r.respectee, r.bloquante) == (False, True)
    assert texte(r.explication) == "Date de dépôt manquante : le dossier n'est pas recevable."


def test_sans_colonne_date_de_depot_aucun_dossier_ne_passe():
    table = pd.DataFrame([dossier()]).drop(columns="date_depot")
    assert evaluer_dossiers(table)["motifs"].map(texte).tolist() == ["date de dépôt manquante"]


def test_date_hors_delai_motif():
    ligne = une_ligne(date_depot=pd.Timestamp("2025-07-20"))
    assert texte(ligne["motifs"]) == (
        "déposé le 20/07/2025, après la clôture du 15/07/2025 (le dossier complet est dû à la clôture)"
    )


@pytest.mark.parametrize(
    ("cerfa", "derogation", "motif"),
    [
        ("2025-07-20", False, "CERFA signé le 20/07/2025, après la clôture du 15/07/2025, sans autorisation de la DREETS"),
        ("2025-09-02", True, "CERFA signé le 02/09/2025, après la date limite dérogatoire du 31/08/2025"),
    ],
    ids=["fenetre-sans-derogation", "apres-31-08"],
)
def test_cerfa_signe_hors_delai_motif(cerfa, derogation, motif):
    ligne = une_ligne(date_cerfa_signe=pd.Timestamp(cerfa), derogation_cerfa=derogation)
    assert texte(ligne["motifs"]) == motif


def test_depot_avant_l_ouverture_signale():
    # Appel, C : « La date de début de dépôt des dossiers est fixée à la date de publication. »
    p = dataclasses.replace(PARAMETRES_2025, date_ouverture=date(2025, 6, 2))
    ligne = evaluer(dossier(date_depot=pd.Timestamp("2025-05-30")), parametres=p).iloc[0]
    assert ligne["eligible"]  # signalé, non bloquant : date à vérifier
    assert "déposé le 30/05/2025, avant l'ouverture de l'appel le 02/06/2025 : date à vérifier" in texte(ligne["alertes"])
    r = regle_date_depot(date_depot=date(2025, 5, 30), parametres=p)
    assert (r.respectee, r.bloquante) == (False, False)


def test_dates_python_acceptees():
    # date_depot en objets datetime.date (colonne object) plutôt qu'en datetime64
    ligne = une_ligne(date_depot=date(2025, 7, 2))
    assert int(ligne["releve"]) == 1


@pytest.mark.parametrize(
    ("pnad", "prioritaire", "comite"),
    [
        ("2022,2023,2024", True, False),
        ("2023,2024", False, False),
        ("", False, True),
        (None, False, True),
    ],
    ids=["trois-annees", "deux-annees", "vide-nouvelle", "absente-nouvelle"],
)
def test_pnad_priorite_et_comite_national(pnad, prioritaire, comite):
    ligne = une_ligne(financement_pnad=pnad)
    assert bool(ligne["prioritaire_pnad"]) is prioritaire
    assert bool(ligne["comite_national"]) is comite
    assert ligne["eligible"]  # informatif, jamais bloquant


@pytest.mark.parametrize(
    ("priorite", "pnad", "prioritaire", "phrase"),
    [
        ("toutes", "2023,2024", False, "Structure non financée par le PNAD en 2022, 2023 et 2024 (financée en 2023 et 2024) : pas de priorité."),
        ("une", "2023,2024", True, "Structure financée par le PNAD en 2022, 2023 ou 2024 : projet prioritaire."),
        ("une", "2021", False, "Structure non financée par le PNAD en 2022, 2023 ou 2024 (financée en 2021) : pas de priorité."),
    ],
    ids=["toutes-par-defaut", "une-suffit", "une-hors-periode"],
)
def test_priorite_pnad_toutes_ou_une_des_annees_parametre_de_campagne(priorite, pnad, prioritaire, phrase):
    # Appel, B 2-1 : « ayant bénéficié d'un financement au titre du PNAD en 2022, 2023 et 2024 » ; « et » est la
    # lecture par défaut, la campagne peut retenir « l'une des années ».
    p = dataclasses.replace(PARAMETRES_2025, priorite_pnad=priorite)
    assert bool(evaluer(dossier(financement_pnad=pnad), parametres=p).iloc[0]["prioritaire_pnad"]) is prioritaire
    r = regle(detail_regles(dossier(financement_pnad=pnad), p), CodeRegle.PRIORITE_PNAD)
    assert texte(r.explication) == phrase


def test_comite_national_explication():
    r = regle_comite_national(financement_pnad="")
    assert r.respectee is None and r.bloquante is False
    assert "comité technique national (DGEFP, DAE, ANRU, AVE)" in texte(r.explication)


def test_sans_colonne_pnad_rien_n_est_suppose():
    ligne = une_ligne()
    assert not ligne["comite_national"] and not ligne["prioritaire_pnad"]
    assert regle(detail_regles(dossier()), CodeRegle.COMITE_NATIONAL).respectee is None


def test_detail_regles_ordre_et_references():
    resultats = detail_regles(dossier(financement_pnad="2022,2023,2024"))
    assert [r.code for r in resultats] == [c.value for c in CodeRegle]
    assert all(r.reference.startswith("Appel à projets facilitateurs 2025") for r in resultats)
    assert not any(r.bloquante for r in resultats)


def test_score_comite_somme_des_notes():
    ligne = une_ligne(note_diagnostic=4.0, note_marches_etat=3.0, note_capacite=4.0, note_conflits_interets=5.0)
    assert ligne["score_comite"] == 16.0


def test_vectorise_et_dossier_par_dossier_concordent():
    # 300 dossiers tirés au hasard (graine fixe) autour de tous les seuils.
    rng = np.random.default_rng(7)
    n = 300
    etp = rng.choice([0.4, 0.5, 1.0, 1.5], n)
    cout = np.round(etp * rng.uniform(30_000, 50_000, n), 2)
    autres = np.round(rng.choice([0.0, 0.05, 0.15, 0.85], n) * cout, 2)
    table = pd.DataFrame(
        {
            "id_dossier": [f"D{i}" for i in range(n)],
            "statut": rng.choice(["association", "collectivite", "epa"], n),
            "etp_demandes": etp,
            "cout_annuel_total": cout,
            "montant_aap_demande": np.round(cout * rng.uniform(0.5, 0.8, n), 2),
            "autres_financements_etat": autres,
            "cofinancements": np.round(cout * 0.2, 2),
            "derogation_plafond": rng.random(n) < 0.2,
            "dossier_complet": rng.random(n) < 0.9,
            "date_depot": pd.Timestamp("2025-06-20") + pd.to_timedelta(rng.integers(0, 80, n), unit="D"),
            "derogation_cerfa": rng.random(n) < 0.5,
        }
    )
    # Un tiers des CERFA signés après le dépôt (jusqu'à 60 jours), quelques dates de dépôt manquantes.
    retard = pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    table["date_cerfa_signe"] = (table["date_depot"] + retard).where(rng.random(n) < 0.33)
    table.loc[rng.random(n) < 0.05, "date_depot"] = pd.NaT
    evalues = evaluer_dossiers(table)
    for (_, ligne), (_, sortie) in zip(table.iterrows(), evalues.iterrows(), strict=True):
        detail = detail_regles(ligne)
        assert sortie["eligible"] == (not any(r.bloquante for r in detail)), ligne["id_dossier"]
        attendu = montant_max_aap(
            etp_demandes=ligne["etp_demandes"],
            cout_annuel_total=ligne["cout_annuel_total"],
            montant_aap_demande=ligne["montant_aap_demande"],
            statut=ligne["statut"],
            autres_financements_etat=ligne["autres_financements_etat"],
            derogation_plafond=ligne["derogation_plafond"],
            dossier_complet=ligne["dossier_complet"],
            date_depot=ligne["date_depot"],
            date_cerfa_signe=ligne["date_cerfa_signe"],
            derogation_cerfa=ligne["derogation_cerfa"],
        )
        assert sortie["montant_max_aap"] == attendu, ligne["id_dossier"]
    assert 0 < evalues["eligible"].sum() < n  # l'échantillon contient les deux cas


def test_parametres_d_une_autre_annee():
    p2026 = dataclasses.replace(PARAMETRES_2025, annee=2026, plafond_etp=30_000.0)
    ligne = evaluer(dossier(cout_annuel_total=50_000.0, montant_aap_demande=35_000.0, cofinancements=15_000.0),
                    parametres=p2026).iloc[0]
    assert ligne["montant_max_aap"] == 30_000.0


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"taux_max_aap": 70.0}, r"taux_max_aap : 70.0 \(attendu : taux entre 0 et 1"),
        ({"etp_minimum": 0.0}, r"etp_minimum : 0.0 \(attendu : nombre d'ETP strictement positif\)"),
        ({"date_releve_2": date(2025, 7, 1)}, r"date_releve_1 ≤ date_releve_2"),
    ],
    ids=["taux-en-pourcent", "etp-nul", "releves-inversees"],
)
def test_parametres_invalides(champs, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(PARAMETRES_2025, **champs)


def test_colonne_manquante():
    table = pd.DataFrame([dossier()]).drop(columns=["etp_demandes"])
    with pytest.raises(ValueError, match=r"Colonnes manquantes dans la table des dossiers : `etp_demandes`"):
        evaluer_dossiers(table)


def test_booleen_non_converti_refuse():
    table = pd.DataFrame([dossier(dossier_complet="non")])
    with pytest.raises(ValueError, match=r"Colonne `dossier_complet` : « non » n'est pas un booléen"):
        evaluer_dossiers(table)


def test_nombre_non_converti_refuse():
    table = pd.DataFrame([dossier(cout_annuel_total="40 000")])
    with pytest.raises(ValueError, match=r"Colonne `cout_annuel_total` : type .* \(attendu : nombres, float\)"):
        evaluer_dossiers(table)


def test_montants_jamais_coupes_en_fin_de_ligne():
    # Espaces insécables entre les milliers et avant « € », comme partout dans l'application.
    r = regle(detail_regles(dossier(cout_annuel_total=50_000.0, montant_aap_demande=35_000.0)), CodeRegle.PLAFOND_ETP)
    assert "29\u00a0473\u00a0€" in r.explication


@pytest.mark.parametrize(
    ("etp", "attendu"),
    [(0.5, "0,5 ETP"), (1.0, "1 ETP"), (1.25, "1,25 ETP")],
    ids=["demi", "un", "deux-decimales"],
)
def test_format_etp(etp, attendu):
    assert texte(format_etp(etp)) == attendu


def test_format_taux():
    assert [texte(format_taux(0.7)), texte(format_taux(0.275))] == ["70 %", "27,5 %"]


def test_cofinancement_juste_sous_30pc_garde_ses_decimales():
    # Issue 14, point 10 : à 29,9975 % l'alerte ne dit pas « 30 %, moins que 30 % ». Coût 40 000 €, ressources
    # hors AAP 11 999 € : 29,9975 % ; l'appel « encourage donc le cofinancement à hauteur de 30% minimum ».
    ligne = une_ligne(montant_aap_demande=28_001.0, cofinancements=11_999.0)
    assert "cofinancement hors AAP de 29,998 %, moins que 30 %" in texte(ligne["alertes"])
    r = regle_cofinancement(cout=40_000.0, cofinancements=11_999.0)
    assert "soit 29,998 % du coût de 40 000" in texte(r.explication)
    assert texte(format_taux(0.275)) == "27,5 %"  # hors comparaison, une décimale au plus
