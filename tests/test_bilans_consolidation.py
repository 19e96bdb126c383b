"""Consolidation des bilans et suivi des remises, contre des cas calculés à la main."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from coverage.bilans.consolidation import consolider, indicateurs_structures
from coverage.bilans.echeances import echeances, statuts_conventions, suivi_remises
from coverage.financement.parametres import ParametresCampagne
from coverage.modele import BILANS
from tests.fixtures import referentiel_minuscule

REF = referentiel_minuscule()  # départements 01 et 38, tous deux en région 84

STRUCTURES = pd.DataFrame({
    "id_structure": ["A", "B", "C", "D"],
    "nom": ["Deux périodes", "Intermédiaire seul", "Isère", "Sans bilan"],
    "departement": ["01", "01", "38", "38"],
    "financement_pnad": ["2024,2025", "2025", "2025", "2025"],
})


def _bilan(sid: str, periode: str, remise: str, etp: float, heures: float, etat: float, **autres) -> dict:
    ligne = {nom: float("nan") for nom in BILANS.noms}
    ligne.update(id_structure=sid, annee=2025, periode=periode, date_remise=pd.Timestamp(remise), etp_subventionnes=etp,
                 heures_insertion_total=heures, heures_insertion_etat=etat, marches_accompagnes_total=10.0,
                 marches_accompagnes_etat=2.0, montant_marches_ht_total=100_000.0, montant_marches_ht_etat=20_000.0,
                 acheteurs_accompagnes_total=5.0, acheteurs_accompagnes_etat=1.0, commentaire="")
    ligne.update(autres)
    return ligne


BILANS_2025 = pd.DataFrame([
    # A : deux périodes ; l'annuel (5 000 h) remplace l'intermédiaire (2 000 h), il ne s'y ajoute pas.
    _bilan("A", "intermediaire", "2026-02-20", 1.0, 2000, 500),
    _bilan("A", "annuel", "2026-09-15", 1.0, 5000, 1500, heures_annee_precedente=4000.0, heures_clausees_porteur=10_000.0,
           contacts_acheteurs=30.0),
    # B : intermédiaire seul, remis en retard.
    _bilan("B", "intermediaire", "2026-03-10", 0.5, 1200, 600, contacts_acheteurs=12.0),
    # C : annuel seul, en Isère, sans marchés de l'État.
    _bilan("C", "annuel", "2026-08-01", 2.0, 3000, 0, heures_annee_precedente=3500.0),
])


def test_echeances_mi_periode_et_fin_par_defaut_et_fixees():
    # conventions au 01/09/2025 pour 12 mois : intermédiaire le 28/02/2026, annuel le 31/08/2026
    assert echeances(ParametresCampagne(), 2025) == {"intermediaire": dt.date(2026, 2, 28), "annuel": dt.date(2026, 8, 31)}
    assert echeances(ParametresCampagne(), 2024)["intermediaire"] == dt.date(2025, 2, 28)
    fixees = ParametresCampagne(echeance_bilan_intermediaire=dt.date(2026, 1, 15), echeance_bilan_annuel=dt.date(2026, 10, 1))
    assert echeances(fixees, 2025) == {"intermediaire": dt.date(2026, 1, 15), "annuel": dt.date(2026, 10, 1)}


def test_des_echeances_dans_le_mauvais_ordre_sont_refusees():
    with pytest.raises(ValueError, match="échéances des bilans : attendu intermédiaire ≤ annuel"):
        ParametresCampagne(echeance_bilan_intermediaire=dt.date(2026, 9, 1), echeance_bilan_annuel=dt.date(2026, 1, 1))


def test_statuts_de_remise_au_15_octobre_2026():
    suivi = suivi_remises(STRUCTURES, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 10, 15),
                          annees=[2025])
    statuts = {(r.id_structure, r.periode): (r.statut, r.jours_retard) for r in suivi.itertuples()}
    assert statuts == {
        ("A", "intermediaire"): ("recu", 0),            # 20/02 ≤ 28/02
        ("A", "annuel"): ("recu_en_retard", 15),        # 15/09, échéance 31/08
        ("B", "intermediaire"): ("recu_en_retard", 10),  # 10/03
        ("B", "annuel"): ("manquant", 45),              # 45 jours > 30 jours de relance
        ("C", "intermediaire"): ("manquant", 229),      # non remis depuis le 28/02/2026
        ("C", "annuel"): ("recu", 0),
        ("D", "intermediaire"): ("manquant", 229),
        ("D", "annuel"): ("manquant", 45),
    }
    # au 20/09/2026 : 20 jours après l'échéance annuelle, le bilan annuel de B est « en retard »
    tot = suivi_remises(STRUCTURES, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 9, 20), annees=[2025])
    assert tot.set_index(["id_structure", "periode"]).at[("B", "annuel"), "statut"] == "en_retard"
    # avant l'échéance : à venir
    tot = suivi_remises(STRUCTURES, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 8, 1), annees=[2025])
    assert tot.set_index(["id_structure", "periode"]).at[("D", "annuel"), "statut"] == "a_venir"


def test_statut_d_une_convention_est_celui_de_son_bilan_le_plus_en_defaut():
    suivi = suivi_remises(STRUCTURES, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 10, 15))
    conv = statuts_conventions(suivi).set_index(["id_structure", "annee"])
    assert conv.loc[("A", 2025), "statut"] == "recu_en_retard"
    assert conv.loc[("B", 2025), "statut"] == "manquant"
    # A était aussi financée en 2024 (financement_pnad) sans aucun bilan importé : deux bilans manquants
    assert tuple(conv.loc[("A", 2024), ["statut_intermediaire", "statut_annuel"]]) == ("manquant", "manquant")


def test_indicateurs_par_structure():
    ind = indicateurs_structures(BILANS_2025, 2025)
    assert list(ind.index) == ["A", "B", "C"]
    assert list(ind["periode"]) == ["annuel", "intermediaire", "annuel"]
    assert ind.at["A", "heures_par_etp_total"] == 5000
    assert ind.at["B", "heures_par_etp_total"] == 2400  # 1 200 h / 0,5 ETP
    assert ind.at["A", "evolution_heures"] == pytest.approx(0.25)  # 5 000 / 4 000 − 1
    assert ind.at["A", "part_heures_porteur"] == pytest.approx(0.5)


def test_consolidation_par_departement():
    dep = consolider(BILANS_2025, STRUCTURES, referentiel=REF, niveau="departement", annee=2025).set_index("code")
    assert list(dep.index) == ["01", "38"]
    assert dep.at["01", "nom"] == "Ain"
    # Ain : A (annuel : 1 ETP, 5 000 h dont 1 500 État) + B (intermédiaire : 0,5 ETP, 1 200 h dont 600 État)
    assert dep.at["01", "structures"] == 2 and dep.at["01", "bilans_annuels"] == 1 and dep.at["01", "intermediaires_seuls"] == 1
    assert dep.at["01", "etp_subventionnes"] == 1.5
    assert dep.at["01", "heures_insertion_total"] == 6200
    assert dep.at["01", "heures_par_etp_total"] == pytest.approx(6200 / 1.5)  # 4 133,3 h par ETP
    assert dep.at["01", "heures_par_etp_etat"] == pytest.approx(2100 / 1.5)  # 1 400 h par ETP
    assert dep.at["01", "contacts_acheteurs"] == 42
    # évolution sur A seul (seule à déclarer l'année précédente) : 5 000 / 4 000 − 1
    assert dep.at["01", "evolution_heures"] == pytest.approx(0.25)
    assert dep.at["38", "heures_par_etp_total"] == 1500  # 3 000 h / 2 ETP
    assert dep.at["38", "heures_par_etp_etat"] == 0
    assert pd.isna(dep.at["38", "contacts_acheteurs"])  # non renseigné : pas un zéro


def test_consolidation_par_region_et_france():
    reg = consolider(BILANS_2025, STRUCTURES, referentiel=REF, niveau="region", annee=2025)
    fr = consolider(BILANS_2025, STRUCTURES, referentiel=REF, niveau="france", annee=2025)
    assert list(reg["code"]) == ["84"] and list(fr["code"]) == ["FR"]
    for table in (reg, fr):
        ligne = table.iloc[0]
        assert ligne["structures"] == 3
        assert ligne["heures_insertion_total"] == 9200  # 5 000 + 1 200 + 3 000
        assert ligne["heures_par_etp_total"] == pytest.approx(9200 / 3.5)  # 2 628,6
        assert ligne["heures_par_etp_etat"] == pytest.approx(2100 / 3.5)  # 600
        assert ligne["part_heures_etat"] == pytest.approx(2100 / 9200)
        assert ligne["evolution_heures"] == pytest.approx(8000 / 7500 - 1)  # A et C : 8 000 h contre 7 500
        assert ligne["marches_accompagnes_total"] == 30 and ligne["montant_marches_ht_etat"] == 60_000


# ------------------------------------------------------------------------------------------
# Campagne suivante : dernier bilan annuel et signalements
# ------------------------------------------------------------------------------------------


def _texte(s: str) -> str:
    return s.replace("\u202f", " ").replace("\xa0", " ")


def test_dernier_bilan_annuel_et_signalements_sur_les_dossiers():
    from coverage.bilans.campagne import SeuilsBilans, bilans_des_dossiers

    suivi = suivi_remises(STRUCTURES, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 10, 15))
    dossiers = pd.Series(["A", "B", "C", "D", "Z"], index=[10, 11, 12, 13, 14])
    table = bilans_des_dossiers(dossiers, BILANS_2025, suivi, seuils=SeuilsBilans(heures_par_etp_min=2000, part_etat_min=0.1))
    assert list(table.index) == [10, 11, 12, 13, 14]
    assert list(table["annee_bilan"]) == [2025, 0, 2025, 0, 0]
    assert table.at[10, "heures_par_etp_total"] == 5000
    assert table.at[10, "signalement"] == ""  # 5 000 h/ETP, 30 % État : rien à signaler
    assert list(table["bilan_manquant"]) == [False, True, False, True, False]
    assert table.at[11, "signalement"] == "Bilan annuel 2025 manquant"
    # C : 1 500 h par ETP (< 2 000) et 0 % sur les marchés de l'État (< 10 %)
    assert list(table["bilan_faible"]) == [False, False, True, False, False]
    assert _texte(table.at[12, "signalement"]) == (
        "1 500 h par ETP au bilan 2025 (seuil 2 000) ; 0 % des heures sur les marchés de l'État au bilan 2025 (seuil 10 %)")
    assert table.at[14, "signalement"] == ""  # structure nouvelle, sans convention : rien à reprocher


def test_seuils_invalides():
    from coverage.bilans.campagne import SeuilsBilans

    with pytest.raises(ValueError, match="part_etat_min"):
        SeuilsBilans(part_etat_min=15)


# ------------------------------------------------------------------------------------------
# Exports : classeur consolidé et synthèse PDF
# ------------------------------------------------------------------------------------------


def test_classeur_une_feuille_par_niveau_et_synthese_pdf():
    import io

    import openpyxl
    from pypdf import PdfReader

    from coverage.documents.synthese_bilans import classeur_consolidation, synthese_bilans_pdf

    structures = STRUCTURES.assign(statut="association", etp_facilitateur=1.0)
    suivi = suivi_remises(structures, BILANS_2025, parametres=ParametresCampagne(), au=dt.date(2026, 10, 15))
    classeur = openpyxl.load_workbook(io.BytesIO(classeur_consolidation(BILANS_2025, structures, suivi, referentiel=REF,
                                                                        annee=2025)))
    assert classeur.sheetnames == ["france", "regions", "departements", "structures", "remises"]
    entete = [c.value for c in classeur["departements"][1]]
    ain = [c.value for c in classeur["departements"][2]]
    assert ain[entete.index("code")] == "01"
    assert ain[entete.index("heures_par_etp_total")] == pytest.approx(6200 / 1.5)
    assert classeur["remises"].max_row == 1 + 8  # 4 conventions 2025 × 2 bilans
    pdf = synthese_bilans_pdf(BILANS_2025, structures, suivi, referentiel=REF, annee=2025, region="84", donnees_fictives=True,
                              seuil_heures_par_etp=2000)
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Synthèse des bilans 2025 — Auvergne-Rhône-Alpes" in texte
    assert "Données fictives de démonstration" in texte
    assert "Ain (01)" in texte and "Isère (38)" in texte
    assert "9 200" in texte.replace("\u202f", " ").replace("\xa0", " ")  # heures de la région
