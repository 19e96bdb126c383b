"""Assemblage de la simulation et mesure de l'impact, sur le jeu minuscule (tests/fixtures.py)."""

import dataclasses

import pandas as pd
import pytest

from coverage.financement.simulation import communes_des_dossiers, donnees_apres_allocation, impact_allocation, preparer_simulation
from coverage.territoires.zones_blanches import SeuilsZonesBlanches
from coverage.territoires.besoins import besoins_par_commune
from tests.fixtures import donnees_minuscules, referentiel_minuscule

REF = referentiel_minuscule()


def _donnees():
    """Un dossier D1 de la structure nouvelle S3 (0 ETP, périmètre E3 = commune C5, 500 hab.), un D2 de S1."""
    dossiers = pd.DataFrame({
        "id_dossier": ["D1", "D2"], "id_structure": ["S3", "S1"], "statut": ["association", "association"],
        "region": ["84", "84"], "departement": ["01", "01"], "etp_demandes": [1.0, 1.0],
        "cout_annuel_total": [40_000.0, 50_000.0], "montant_aap_demande": [28_000.0, 29_473.0],
        "autres_financements_etat": [0.0, 0.0], "cofinancements": [12_000.0, 20_527.0],
        "derogation_plafond": [False, False], "dossier_complet": [True, True],
        "date_depot": pd.to_datetime(["2025-07-01", "2025-07-01"]),
        "note_diagnostic": [3.0, 3.0], "note_marches_etat": [3.0, 3.0], "note_capacite": [3.0, 3.0], "note_conflits_interets": [3.0, 3.0],
    })
    return dataclasses.replace(donnees_minuscules(), dossiers=dossiers)


def _zb_communes():
    # C5 non couverte : seule zone blanche du jeu
    return pd.DataFrame({"population": REF.communes["population"], "est_zone_blanche": REF.communes.index == "C5",
                         "grands_projets": ["", "", "", "", "", "GP1"]}, index=REF.communes.index)


def test_communes_des_dossiers():
    lien = communes_des_dossiers(_donnees(), referentiel=REF)
    assert sorted(lien.loc[lien["id_dossier"] == "D1", "commune"]) == ["C5"]
    assert sorted(lien.loc[lien["id_dossier"] == "D2", "commune"]) == ["C1", "C2", "C3", "C4"]


def test_preparer_simulation_poids_et_priorites():
    e = preparer_simulation(_donnees(), referentiel=REF, zones_blanches_communes=_zb_communes())
    assert e.poids_communes.to_dict() == {"C5": 500.0}
    p = e.priorites.set_index("id_dossier")
    assert p.loc["D1", "couvre_zone_blanche"] and p.loc["D1", "population_zone_blanche"] == 500
    assert not p.loc["D2", "couvre_zone_blanche"]
    d = e.dossiers.set_index("id_dossier")
    assert d.loc["D1", "montant_max_aap"] == pytest.approx(28_000)  # 70 % de 40 000 €
    assert d.loc["D2", "montant_max_aap"] == pytest.approx(29_473)  # plafond par ETP


def test_donnees_apres_allocation_ajoute_les_etp_finances():
    lignes = pd.DataFrame({"id_dossier": ["D1", "D2"], "etp_finances": [1.0, 0.5], "montant_attribue": [28_000.0, 14_736.5]})
    apres = donnees_apres_allocation(_donnees(), lignes).structures.set_index("id_structure")["etp_facilitateur"]
    assert apres.to_dict() == {"S1": 2.5, "S2": 1.0, "S3": 1.0}


def test_impact_du_financement_d_une_structure_nouvelle():
    donnees = _donnees()
    e = preparer_simulation(donnees, referentiel=REF, zones_blanches_communes=_zb_communes())
    lignes = pd.DataFrame({"id_dossier": ["D1"], "etp_finances": [1.0], "montant_attribue": [28_000.0]})
    seuils = SeuilsZonesBlanches(ratio_capacite_min=0.0, population_besoin_min=100)
    impact = impact_allocation(donnees, lignes, referentiel=REF, besoins=besoins_par_commune(referentiel=REF), seuils=seuils,
                               dossiers_evalues=e.dossiers)
    assert impact.population_nouvellement_couverte == 500  # C5 passe de non couverte à couverte
    assert impact.enveloppe_utilisee == 28_000
    assert impact.part_etat == pytest.approx(28_000 / 40_000)
    zb = impact.zones_blanches.set_index("critere")
    assert zb.loc["non_couvert", "avant"] == 1 and zb.loc["non_couvert", "apres"] == 0 and zb.loc["non_couvert", "resolues"] == 1
    # chaque EPCI compté une fois ; avant − après = résolues − nouvelles, ligne par ligne
    # E3 (non couvert) et E4 (limitrophe seulement) avant ; E4 seul après
    assert zb.loc["total", ["avant", "apres", "resolues", "nouvelles"]].tolist() == [2, 1, 1, 0]
    assert ((zb["avant"] - zb["apres"]) == (zb["resolues"] - zb["nouvelles"])).all()
    assert impact.par_region.loc["84", "etp_apres"] == pytest.approx(4.0)  # 3 ETP + 1 ETP financé
    assert impact.par_region.loc["84", "montant_attribue"] == 28_000


def test_ecarts_avant_apres_ce_qui_change_trie_par_ecart_absolu():
    from coverage.territoires.couverture import ecarts

    avant = pd.Series({"84": 10.0, "11": 5.0, "93": 2.0, "44": 1.0})
    apres = pd.Series({"84": 12.5, "11": 5.0, "93": 0.0, "52": 3.0})  # 44 disparaît, 52 apparaît
    t = ecarts(avant, apres, noms=pd.Series({"84": "Auvergne-Rhône-Alpes", "93": "Provence-Alpes-Côte d'Azur"}))
    # à la main : 52 : 0 → 3 (+3) ; 84 : 10 → 12,5 (+2,5) ; 93 : 2 → 0 (−2) ; 44 : 1 → 0 (−1) ; 11 inchangée
    assert t.index.tolist() == ["52", "84", "93", "44"]
    assert t["difference"].tolist() == [3.0, 2.5, -2.0, -1.0]
    assert t.loc["84", ["avant", "apres"]].tolist() == [10.0, 12.5] and t.loc["84", "nom"] == "Auvergne-Rhône-Alpes"
    assert t.loc["52", "nom"] == ""
