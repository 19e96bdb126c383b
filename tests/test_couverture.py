"""Couverture calculée à la main sur le jeu minuscule (voir tests/fixtures.py)."""

import pytest

from coverage.territoires.couverture import (
    agreger_couverture,
    ajouter_territoire,
    comparer,
    couverture_par_commune,
    etendre_perimetres,
    modifier_etp,
    retirer_territoire,
    structures_du_territoire,
)
from tests.fixtures import donnees_minuscules, referentiel_minuscule

REF = referentiel_minuscule()


@pytest.fixture(scope="module")
def communes():
    return couverture_par_commune(donnees_minuscules(), referentiel=REF)


@pytest.mark.parametrize(
    ("commune", "etp", "statut", "nb"),
    [
        ("C1", 0.375, "couvert", 1),  # S1 : 2 × 0,75 × 1000/4000
        ("C2", 1.125, "couvert", 1),  # S1 : 2 × 0,75 × 3000/4000
        ("C3", 0.25 + 2000 / 5500, "couvert", 2),  # S1 : 2 × 0,25 / 2 ; S2 : 2000/5500
        ("C5", 0.0, "non_couvert", 0),  # S3 a 0 ETP : ne couvre rien
        ("C6", 1500 / 5500, "extension_seule", 1),  # S2 en extension seulement
    ],
    ids=["part_etp", "part_etp_prorata", "deux_structures", "non_couvert", "extension"],
)
def test_etp_et_statut_par_commune(communes, commune, etp, statut, nb):
    ligne = communes.loc[commune]
    assert ligne["etp"] == pytest.approx(etp)
    assert ligne["statut"] == statut
    assert ligne["nb_structures"] == nb


def test_total_etp_conserve(communes):
    # 2 ETP de S1 + 1 ETP de S2, S3 n'a pas d'ETP
    assert communes["etp"].sum() == pytest.approx(3.0)


def test_etp_principal_et_extension(communes):
    assert communes.loc["C6", "etp_principal"] == 0
    assert communes.loc["C6", "etp_extension"] == pytest.approx(1500 / 5500)


def test_agregat_departement(communes):
    long = etendre_perimetres(donnees_minuscules(), referentiel=REF)
    dep = agreger_couverture(communes, referentiel=REF, niveau="departement", perimetres_communes=long)
    ain = dep.loc["01"]
    assert ain["population"] == 8500
    assert ain["part_population_couverte"] == pytest.approx(8000 / 8500)
    assert ain["etp"] == pytest.approx(2 + 4000 / 5500)
    assert ain["etp_pour_100k_hab"] == pytest.approx((2 + 4000 / 5500) / 8500 * 100_000)
    assert ain["nb_structures"] == 2
    assert ain["statut"] == "couvert"
    assert dep.loc["38", "statut"] == "extension_seule"


def test_agregat_epci(communes):
    epci = agreger_couverture(communes, referentiel=REF, niveau="epci")
    assert epci.loc["E3", "statut"] == "non_couvert"
    assert epci.loc["E3", "part_population_couverte"] == 0
    assert epci.loc["E2", "etp"] == pytest.approx(0.5 + 4000 / 5500)


def test_structures_du_territoire():
    long = etendre_perimetres(donnees_minuscules(), referentiel=REF)
    t = structures_du_territoire(long, structures=donnees_minuscules().structures, referentiel=REF, niveau="epci", code="E2")
    assert list(t["id_structure"]) == ["S2", "S1"]
    assert t.set_index("id_structure").loc["S1", "etp_territoire"] == pytest.approx(0.5)


def test_et_si_extension_puis_retrait():
    d = donnees_minuscules()
    avant = agreger_couverture(couverture_par_commune(d, referentiel=REF), referentiel=REF, niveau="epci")
    etendu = ajouter_territoire(d, id_structure="S1", niveau="epci", code="E3", role="extension")
    apres = agreger_couverture(couverture_par_commune(etendu, referentiel=REF), referentiel=REF, niveau="epci")
    assert apres.loc["E3", "statut"] == "extension_seule"
    # S1 passe au prorata : 2 ETP sur 8500 habitants, dont 500 en E3
    assert apres.loc["E3", "etp"] == pytest.approx(2 * 500 / 8500)
    diff = comparer(avant, apres)
    assert "E3" in diff.index and diff.loc["E3", "statut_avant"] == "non_couvert"
    retour = retirer_territoire(etendu, id_structure="S1", niveau="epci", code="E3")
    assert couverture_par_commune(retour, referentiel=REF).loc["C5", "statut"] == "non_couvert"


def test_modifier_etp():
    d = modifier_etp(donnees_minuscules(), id_structure="S2", etp=2.0)
    c = couverture_par_commune(d, referentiel=REF)
    assert c.loc["C6", "etp"] == pytest.approx(2 * 1500 / 5500)
    assert donnees_minuscules().structures.loc[1, "etp_facilitateur"] == 1.0  # l'original est intact
