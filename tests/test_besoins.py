"""Besoins et indice de besoin calculés à la main sur le jeu minuscule (tests/fixtures.py).

Population : C1 1000, C2 3000, C3 2000, C4 2000, C5 500, C6 1500 (10 000 habitants, soit 0,1
unité de besoin). EPCI : E1 = C1 + C2, E2 = C3 + C4, E3 = C5, E4 = C6 ; départements 01 (C1 à C5)
et 38 (C6).

Sources de l'exemple :
- marchés : C2 9 marchés (1,1 M€) dont 4 de l'État (600 000 €), C3 5 marchés (500 000 €), aucun
  de l'État ; parts hors État : C2 et C3 une moitié chacune (5 marchés, 500 000 € chacune) ;
- quartiers : C2 2 QPV ; C5 1 QPV en NPNRU national (compte 2) → C2 et C5 une moitié chacune ;
- grands projets : C5 « BM », C6 « CSNE » → une moitié chacune.
"""

import numpy as np
import pandas as pd
import pytest

from coverage.territoires.besoins import (
    PoidsBesoin,
    agreger_besoins,
    besoins_identifies,
    besoins_par_commune,
    composantes_presentes,
    indice_besoin,
)
from tests.fixtures import referentiel_minuscule

REF = referentiel_minuscule()
POPULATION_SEULE = PoidsBesoin(population=1, marches_etat=0, marches_autres=0, qpv_npnru=0, grands_projets=0)


def marches_exemple() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nb_marches": [9, 5],
            "montant_total": [1_100_000.0, 500_000.0],
            "nb_marches_etat": [4, 0],
            "montant_etat": [600_000.0, 0.0],
            "part_consideration_sociale": [0.25, np.nan],
        },
        index=pd.Index(["C2", "C3"], name="commune"),
    )


def quartiers_exemple() -> pd.DataFrame:
    return pd.DataFrame(
        {"nb_qpv": [2, 1], "nb_npnru_national": [0, 1], "nb_npnru_regional": [0, 0]}, index=pd.Index(["C2", "C5"])
    )


def projets_exemple() -> pd.Series:
    return pd.Series({"C5": "BM", "C6": "CSNE"})


def besoins_complets() -> pd.DataFrame:
    return besoins_par_commune(
        referentiel=REF, marches=marches_exemple(), quartiers=quartiers_exemple(), grands_projets=projets_exemple()
    )


# --- Besoins par commune ---------------------------------------------------------------------


def test_sources_absentes_non_renseignees():
    b = besoins_par_commune(referentiel=REF)
    assert list(b.index) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert b["population"].tolist() == [1000, 3000, 2000, 2000, 500, 1500]
    for colonne in ("nb_marches", "montant_etat", "nb_qpv", "nb_npnru", "nb_grands_projets"):
        assert b[colonne].isna().all(), colonne  # NaN = non renseigné, pas « aucun »
    assert not b["grand_projet"].any()
    assert composantes_presentes(b) == {
        "population": True, "marches_etat": False, "marches_autres": False, "qpv_npnru": False, "grands_projets": False,
    }  # fmt: skip


def test_commune_absente_d_une_source_fournie_vaut_zero():
    b = besoins_complets()
    assert b.loc["C1", ["nb_marches", "nb_marches_etat", "nb_qpv", "nb_grands_projets"]].tolist() == [0, 0, 0, 0]
    assert b.loc["C2", "nb_marches_autres"] == 5
    assert b.loc["C2", "montant_autres"] == 500_000
    assert b.loc["C5", "nb_npnru"] == 1
    assert b.loc["C2", "part_consideration_sociale"] == pytest.approx(0.25)
    assert np.isnan(b.loc["C3", "part_consideration_sociale"])  # part inconnue
    assert np.isnan(b.loc["C1", "part_consideration_sociale"])  # aucun marché
    assert b.loc["C6", "ids_grands_projets"] == "CSNE"
    assert b["grand_projet"].tolist() == [False, False, False, False, True, True]


def test_code_inconnu_ignore_et_lignes_en_double_additionnees():
    marches = pd.DataFrame(
        {"nb_marches": [2, 3, 7], "montant_total": [10.0, 20.0, 70.0], "nb_marches_etat": [1, 1, 7], "montant_etat": [5.0, 5.0, 70.0]},
        index=["C2", "C2", "99999"],
    )
    b = besoins_par_commune(referentiel=REF, marches=marches)
    assert b.loc["C2", ["nb_marches", "montant_total", "nb_marches_etat"]].tolist() == [5, 30, 2]
    assert b["nb_marches"].sum() == 5  # « 99999 » n'est pas au référentiel


def test_comptes_de_considerations_sociales_prioritaires_sur_la_part():
    # Sortie de coverage.sources.decp.indicateurs_marches : comptes exacts, État à part.
    marches = pd.DataFrame(
        {
            "nb_marches": [10], "montant_total": [1.0], "nb_marches_etat": [4], "montant_etat": [1.0],
            "nb_consideration_connue": [8], "nb_consideration_sociale": [2], "part_consideration_sociale": [0.99],
            "part_consideration_sociale_etat": [0.5],
        },
        index=["C1"],
    )  # fmt: skip
    b = besoins_par_commune(referentiel=REF, marches=marches)
    assert b.loc["C1", "part_consideration_sociale"] == pytest.approx(0.25)  # 2 / 8, pas 0,99
    assert b.loc["C1", "part_consideration_sociale_etat"] == pytest.approx(0.5)  # part appliquée aux 4 marchés


def test_colonne_de_marches_manquante():
    marches = marches_exemple().drop(columns="montant_etat")
    with pytest.raises(ValueError, match=r"Table `marches` : colonne\(s\) `montant_etat` absente"):
        besoins_par_commune(referentiel=REF, marches=marches)


@pytest.mark.parametrize(
    "projets",
    [
        pd.Series({"C5": "BM,CSNE", "C6": "CSNE"}),
        pd.Series({"C5": ["BM", "CSNE"], "C6": ("CSNE",)}),
        pd.DataFrame({"commune": ["C5", "C5", "C6", "C6"], "id_projet": ["CSNE", "BM", "CSNE", "CSNE"]}),
    ],
    ids=["chaines", "listes", "table_longue"],
)
def test_grands_projets_trois_formes(projets):
    b = besoins_par_commune(referentiel=REF, grands_projets=projets)
    assert b["nb_grands_projets"].tolist() == [0, 0, 0, 0, 2, 1]
    assert b.loc["C5", "ids_grands_projets"] == "BM,CSNE"


# --- Indice de besoin --------------------------------------------------------------------------


def test_indice_population_seule_vaut_population_sur_100000():
    ib = indice_besoin(besoins_par_commune(referentiel=REF))
    # Sources absentes : seule la population reste, son poids est ramené à 1.
    assert ib["indice_besoin"].tolist() == pytest.approx([0.01, 0.03, 0.02, 0.02, 0.005, 0.015])
    assert ib["indice_besoin"].sum() == pytest.approx(0.1)


def test_indice_toutes_sources_poids_par_defaut():
    ib = indice_besoin(besoins_complets(), poids=PoidsBesoin())
    # C2 : 0,1 × (0,4 × 0,3 + 0,3 × 1 + 0,1 × 0,5 + 0,1 × 0,5) = 0,052
    # C5 : 0,1 × (0,4 × 0,05 + 0,1 × 0,5 + 0,1 × 0,5) = 0,012
    assert ib["indice_besoin"].tolist() == pytest.approx([0.004, 0.052, 0.013, 0.008, 0.012, 0.011])
    assert ib.loc["C2", "besoin_marches_etat"] == pytest.approx(0.03)
    assert ib.loc["C6", "besoin_grands_projets"] == pytest.approx(0.005)
    assert ib["indice_besoin"].sum() == pytest.approx(0.1)  # la France (ici : le référentiel) vaut pop / 100 000


def test_composante_absente_retiree_et_poids_renormalises():
    ib = indice_besoin(besoins_par_commune(referentiel=REF, marches=marches_exemple()))
    # Poids présents : 0,4 + 0,3 + 0,1 = 0,8. C2 : 0,1 × (0,12 + 0,3 + 0,05) / 0,8 = 0,05875
    assert ib["indice_besoin"].tolist() == pytest.approx([0.005, 0.05875, 0.01625, 0.01, 0.0025, 0.0075])
    assert ib["besoin_qpv_npnru"].eq(0).all()


def test_part_du_montant_seule_si_aucun_nombre():
    marches = pd.DataFrame(
        {"nb_marches": [0, 0], "montant_total": [300.0, 100.0], "nb_marches_etat": [0, 0], "montant_etat": [300.0, 100.0]},
        index=["C1", "C2"],
    )
    poids = PoidsBesoin(population=0, marches_etat=1, marches_autres=0, qpv_npnru=0, grands_projets=0)
    ib = indice_besoin(besoins_par_commune(referentiel=REF, marches=marches), poids=poids)
    assert ib.loc[["C1", "C2"], "indice_besoin"].tolist() == pytest.approx([0.075, 0.025])  # 3/4 et 1/4 de 0,1


def test_marches_moitie_nombre_moitie_montant():
    marches = pd.DataFrame(
        {"nb_marches": [1, 3], "montant_total": [300.0, 100.0], "nb_marches_etat": [1, 3], "montant_etat": [300.0, 100.0]},
        index=["C1", "C2"],
    )
    poids = PoidsBesoin(population=0, marches_etat=1, marches_autres=0, qpv_npnru=0, grands_projets=0)
    ib = indice_besoin(besoins_par_commune(referentiel=REF, marches=marches), poids=poids)
    # C1 : (1/4 des marchés + 3/4 du montant) / 2 = 1/2 ; C2 : (3/4 + 1/4) / 2 = 1/2.
    assert ib.loc[["C1", "C2"], "indice_besoin"].tolist() == pytest.approx([0.05, 0.05])


def test_indice_additif_par_epci_departement_region():
    b = besoins_complets()
    b = b.join(indice_besoin(b))
    epci = agreger_besoins(b, referentiel=REF, niveau="epci")
    assert epci["indice_besoin"].tolist() == pytest.approx([0.056, 0.021, 0.012, 0.011])  # E1 = C1 + C2, …
    assert epci["besoin_marches_etat"].tolist() == pytest.approx([0.03, 0, 0, 0])
    departements = agreger_besoins(b, referentiel=REF, niveau="departement")
    assert departements["indice_besoin"].tolist() == pytest.approx([0.089, 0.011])
    assert agreger_besoins(b, referentiel=REF, niveau="region").loc["84", "indice_besoin"] == pytest.approx(0.1)
    assert epci["nb_marches"].tolist() == [9, 5, 0, 0]
    assert epci["ids_grands_projets"].tolist() == ["", "", "BM", "CSNE"]
    assert epci["grand_projet"].tolist() == [False, False, True, True]


def test_agregation_source_absente_reste_non_renseignee():
    epci = agreger_besoins(besoins_par_commune(referentiel=REF), referentiel=REF, niveau="epci")
    assert epci["nb_marches"].isna().all()
    assert epci["population"].tolist() == [4000, 4000, 500, 1500]


def test_part_de_consideration_sociale_reponderee_par_les_marches():
    marches = pd.DataFrame(
        {
            "nb_marches": [2, 8, 3], "montant_total": [1.0, 1.0, 1.0], "nb_marches_etat": [0, 0, 0],
            "montant_etat": [0.0, 0.0, 0.0], "part_consideration_sociale": [0.5, 0.25, np.nan],
        },
        index=["C1", "C2", "C3"],
    )  # fmt: skip
    epci = agreger_besoins(besoins_par_commune(referentiel=REF, marches=marches), referentiel=REF, niveau="epci")
    assert epci.loc["E1", "part_consideration_sociale"] == pytest.approx(0.3)  # (1 + 2) / 10, pas la moyenne 0,375
    assert np.isnan(epci.loc["E2", "part_consideration_sociale"])  # C3 inconnue, C4 sans marché


def test_les_poids_changent_le_classement():
    b = besoins_complets()
    defaut = indice_besoin(b, poids=PoidsBesoin())["indice_besoin"]
    population = indice_besoin(b, poids=POPULATION_SEULE)["indice_besoin"]
    assert defaut["C5"] > defaut["C4"]  # 0,012 > 0,008 : QPV NPNRU et grand projet
    assert population["C5"] < population["C4"]  # 0,005 < 0,02 : 500 habitants contre 2 000


def test_normalisation_par_departement():
    b = besoins_par_commune(referentiel=REF, marches=marches_exemple())
    national = indice_besoin(b)["indice_besoin"]
    par_departement = indice_besoin(b, niveau_normalisation="departement")["indice_besoin"]
    assert national["C6"] == pytest.approx(0.0075)
    # Isère : aucun marché, la population y reprend tout son poids ; le département vaut 1 500 / 100 000.
    assert par_departement["C6"] == pytest.approx(0.015)
    assert par_departement[["C1", "C2", "C3", "C4", "C5"]].sum() == pytest.approx(0.085)


def test_normalisation_inconnue():
    with pytest.raises(ValueError, match="niveau_normalisation : « canton » inconnu"):
        indice_besoin(besoins_par_commune(referentiel=REF), niveau_normalisation="canton")


@pytest.mark.parametrize(
    ("poids", "message"),
    [
        ({"population": -1}, "Poids `population` : « -1 » n'est pas valide"),
        ({"marches_etat": float("nan")}, "Poids `marches_etat` : « nan » n'est pas valide"),
        ({"population": 0, "marches_etat": 0, "marches_autres": 0, "qpv_npnru": 0, "grands_projets": 0}, "au moins un poids"),
    ],
    ids=["negatif", "nan", "tous_nuls"],
)
def test_poids_invalides(poids, message):
    with pytest.raises(ValueError, match=message):
        PoidsBesoin(**poids)


# --- Besoins identifiés ------------------------------------------------------------------------


def _territoire(**valeurs) -> pd.DataFrame:
    base = {"population": 500.0, "nb_marches_etat": 0.0, "nb_marches": 0.0, "nb_qpv": 0.0, "nb_npnru": 0.0, "nb_grands_projets": 0.0}
    return pd.DataFrame([{**base, **valeurs}], index=["T"])


@pytest.mark.parametrize(
    ("valeurs", "condition", "attendu"),
    [
        ({"population": 10_000}, "population", True),  # seuil inclus
        ({"population": 9_999}, "population", False),
        ({"nb_marches_etat": 1}, "marches_etat", True),
        ({"nb_marches": 10}, "marches", True),  # seuil inclus
        ({"nb_marches": 9}, "marches", False),
        ({"nb_qpv": 1}, "qpv_npnru", True),
        ({"nb_npnru": 1}, "qpv_npnru", True),
        ({"nb_grands_projets": 1}, "grands_projets", True),
        ({"nb_marches_etat": np.nan, "nb_marches": np.nan, "nb_qpv": np.nan, "nb_npnru": np.nan}, "marches", False),
    ],
    ids=["pop_au_seuil", "pop_sous_seuil", "marche_etat", "marches_au_seuil", "marches_sous_seuil", "qpv", "npnru",
         "grand_projet", "sources_absentes"],
)  # fmt: skip
def test_besoins_identifies(valeurs, condition, attendu):
    resultat = besoins_identifies(_territoire(**valeurs))
    assert bool(resultat.loc["T", condition]) is attendu
    assert bool(resultat.loc["T", "besoins_identifies"]) is attendu


def test_seuils_des_besoins_identifies_modifiables():
    t = _territoire(population=1500)
    assert not besoins_identifies(t).loc["T", "besoins_identifies"]
    assert besoins_identifies(t, population_min=1500).loc["T", "besoins_identifies"]
