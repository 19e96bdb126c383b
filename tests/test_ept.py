"""Le niveau `ept` : les 12 territoires de la Métropole du Grand Paris (Paris et les 11 EPT).

La Métropole du Grand Paris (SIREN 200054781) est un seul EPCI de 130 communes et 7 142 540
habitants : au niveau EPCI, une commune sans facilitateur y disparaît dans la moyenne. Le niveau
`ept` la découpe en ses 12 territoires. Chiffres vérifiés à la main dans `ept.json` du paquet
`@etalab/decoupage-administratif@6.0.0` (champ `populationMunicipale` de chaque EPT, égal à la
somme de ses communes) :
- Plaine Commune (200057867) : 8 communes (Saint-Denis et Pierrefitte-sur-Seine ont fusionné en
  2025), 88 365 + 47 167 + 52 833 + 8 696 + 149 077 + 53 615 + 41 388 + 12 530 = 453 671 habitants ;
- Paris (217500016, SIREN de la commune) : la seule commune 75056, 2 103 778 habitants ;
- Grand-Orly Seine Bièvre (200058014) : 24 communes, dont Athis-Mons (91027), en Essonne.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import DONNEES_INVALIDES, OK, main
from coverage.sources.donnees import importer_fichiers
from geo.reference import NIVEAUX, SIREN_METROPOLE_GRAND_PARIS, charger_geometries, charger_referentiel

PARIS = "217500016"
PLAINE_COMMUNE = "200057867"
GRAND_ORLY = "200058014"
MGP = "200054781"

REF = charger_referentiel()


def test_douze_territoires_paris_et_onze_ept():
    assert "ept" in NIVEAUX and SIREN_METROPOLE_GRAND_PARIS == MGP
    assert len(REF.ept) == 12
    assert (REF.ept["type"] == "EPT").sum() == 11
    assert REF.ept.at[PARIS, "nom"] == "Paris" and REF.ept.at[PARIS, "type"] == "Ville de Paris"
    assert REF.ept.at[PLAINE_COMMUNE, "nom"] == "Plaine Commune"


def test_les_130_communes_de_la_metropole_et_elles_seules():
    dans_un_ept = REF.communes.index[REF.communes["ept"].notna()]
    dans_la_mgp = REF.communes.index[REF.communes["epci"] == MGP]
    assert len(dans_un_ept) == 130
    assert sorted(dans_un_ept) == sorted(dans_la_mgp)
    assert REF.ept["nb_communes"].sum() == 130
    assert REF.ept["population"].sum() == REF.epci.at[MGP, "population"] == 7_142_540


def test_paris_est_un_territoire_d_une_seule_commune():
    assert REF.communes.index[REF.communes["ept"] == PARIS].tolist() == ["75056"]
    assert REF.ept.at[PARIS, "population"] == 2_103_778
    assert REF.ept.at[PARIS, "nb_communes"] == 1


def test_plaine_commune_et_grand_orly():
    plaine = REF.communes[REF.communes["ept"] == PLAINE_COMMUNE]
    assert sorted(plaine.index) == ["93001", "93027", "93031", "93039", "93066", "93070", "93072", "93079"]
    assert REF.ept.at[PLAINE_COMMUNE, "population"] == 453_671
    assert REF.ept.at[GRAND_ORLY, "nb_communes"] == 24
    assert REF.communes.at["91027", "ept"] == GRAND_ORLY  # Athis-Mons, Essonne
    assert REF.ept.at[GRAND_ORLY, "departement"] == "94"  # département de la majorité de sa population


def test_contours_des_douze_territoires():
    for affichage in (True, False):
        geo = charger_geometries("ept", affichage=affichage)
        assert sorted(geo.index) == sorted(REF.ept.index)
        assert geo.crs.to_epsg() == 4326
    complet = charger_geometries("ept", affichage=False).to_crs(2154)
    paris = charger_geometries("commune", affichage=False).loc[["75056"]].to_crs(2154)
    # Le territoire de Paris est le polygone de la commune (≈ 105 km²).
    assert complet.at[PARIS, "geometry"].area == pytest.approx(paris.geometry.iloc[0].area, rel=1e-6)
    assert 100e6 < complet.at[PARIS, "geometry"].area < 110e6


# --- Périmètres au niveau ept -----------------------------------------------------------------

STRUCTURES = """id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad
S1;Mission clauses de Plaine Commune;association;;93;1,5;0;2022,2023,2024
S2;Ville de Paris (service clauses sociales);collectivite;;75;2;0;2022,2023,2024
"""
PERIMETRES = f"""id_structure;niveau;code;role;part_etp
S1;ept;{PLAINE_COMMUNE};principal;
S2;ept;{PARIS};principal;
"""


def _importer(perimetres: str):
    return importer_fichiers(
        structures=(STRUCTURES.encode(), "structures.csv"), perimetres=(perimetres.encode(), "perimetres.csv"), referentiel=REF
    )


def test_un_perimetre_ept_est_valide():
    resultat = _importer(PERIMETRES)
    assert resultat.valide, [str(p) for p in resultat.erreurs]


@pytest.mark.parametrize(
    ("ligne", "attendu"),
    [
        (f"S1;ept;{MGP};principal;", f"« {MGP} » est un code d'EPCI (Métropole du Grand Paris), pas un code d'EPT"),
        (f"S1;epci;{PLAINE_COMMUNE};principal;", f"« {PLAINE_COMMUNE} » est un code d'EPT (Plaine Commune), pas un code d'EPCI"),
        ("S1;ept;200057868;principal;", "code EPT « 200057868 » inconnu au COG 2026"),
    ],
    ids=["siren-de-la-mgp-en-ept", "ept-en-epci", "siren-inconnu"],
)
def test_un_code_du_mauvais_niveau_est_une_erreur_qui_le_dit(ligne, attendu):
    resultat = _importer(PERIMETRES.splitlines()[0] + "\n" + ligne + "\n")
    assert not resultat.valide
    messages = [str(p) for p in resultat.erreurs]
    assert any("perimetres.csv, ligne 2, colonne `code`" in m and attendu in m for m in messages), messages


# --- Ligne de commande : couverture et zones blanches par ept ---------------------------------


@pytest.fixture
def fichiers(tmp_path: Path) -> dict[str, Path]:
    chemins = {"structures": tmp_path / "structures.csv", "perimetres": tmp_path / "perimetres.csv"}
    chemins["structures"].write_text(STRUCTURES, encoding="utf-8")
    chemins["perimetres"].write_text(PERIMETRES, encoding="utf-8")
    return chemins


def _lire(chemin: Path) -> pd.DataFrame:
    return pd.read_csv(chemin, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("code")


def test_couverture_par_ept(fichiers, tmp_path, capsys):
    sortie = tmp_path / "couverture_ept.csv"
    code = main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--niveau", "ept", "--sortie", str(sortie)])
    assert code == OK
    assert "Couverture par EPT : 12 territoires" in capsys.readouterr().out.replace("\u00a0", " ")
    table = _lire(sortie)
    assert len(table) == 12
    assert (table.at[PLAINE_COMMUNE, "population"], table.at[PLAINE_COMMUNE, "etp"]) == ("453671", "1,5")
    assert (table.at[PARIS, "population"], table.at[PARIS, "etp"], table.at[PARIS, "statut"]) == ("2103778", "2,0", "couvert")
    assert table.at[GRAND_ORLY, "statut"] == "non_couvert"
    assert (table["statut"] == "non_couvert").sum() == 10


def test_au_niveau_epci_la_metropole_cache_les_trous(fichiers, tmp_path):
    """Au niveau EPCI, la Métropole est « couverte » à 36 % ; au niveau ept, 10 territoires sur 12 n'ont personne."""
    sortie = tmp_path / "couverture_epci.csv"
    assert main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--niveau", "epci", "--sortie", str(sortie)]) == OK
    mgp = _lire(sortie).loc[MGP]
    # (2 103 778 + 453 671) / 7 142 540 = 0,3581 ; 3,5 ETP sur tout l'EPCI.
    assert (mgp["part_population_couverte"], mgp["etp"]) == ("0,3581", "3,5")


def test_zones_blanches_par_ept(fichiers, tmp_path, capsys):
    sortie = tmp_path / "zones_blanches_ept.csv"
    code = main(["zones-blanches", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--niveau", "ept", "--sortie", str(sortie)])
    assert code == OK
    assert "sur 12 territoires (ept)" in capsys.readouterr().out
    table = _lire(sortie)
    assert len(table) == 12
    non_couverts = sorted(table.index[table["criteres"].str.contains("non_couvert")])
    assert non_couverts == sorted(set(REF.ept.index) - {PARIS, PLAINE_COMMUNE})
    assert table.at[GRAND_ORLY, "est_zone_blanche"] == "oui"
    assert "non_couvert" not in table.at[PARIS, "criteres"]


def test_couverture_ept_refuse_un_fichier_invalide(fichiers, tmp_path, capsys):
    fichiers["perimetres"].write_text(PERIMETRES + f"S1;ept;{MGP};extension;\n", encoding="utf-8")
    sortie = tmp_path / "couverture_ept.csv"
    code = main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--niveau", "ept", "--sortie", str(sortie)])
    assert code == DONNEES_INVALIDES
    assert "perimetres.csv, ligne 4, colonne `code`" in capsys.readouterr().err
    assert not sortie.exists()


# --- Cartes : en Île-de-France, la Métropole en ses 12 territoires ----------------------------


@pytest.fixture
def app():  # une application neuve par test : le territoire choisi est gardé d'une page à l'autre
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize(("page", "prefixe"), [("pages/couverture.py", "couverture"), ("pages/zones_blanches.py", "zb")],
                         ids=["couverture", "zones-blanches"])
def test_la_carte_d_ile_de_france_propose_les_douze_territoires(app, page, prefixe):
    app.switch_page(page)
    app.run()
    assert not [s for s in app.segmented_control if s.key == f"{prefixe}_niveau_idf"]  # France entière : pas de choix
    app.sidebar.selectbox(key=f"{prefixe}_region").set_value("11").run()
    choix = app.segmented_control(key=f"{prefixe}_niveau_idf")
    assert choix.value == "epci"
    choix.set_value("ept").run()
    assert not app.exception, [e.value for e in app.exception]
    titres = [s.value for s in app.subheader] + [c.value for c in app.caption]
    assert any("Métropole du Grand Paris — Paris et les 11 établissements publics territoriaux" in t for t in titres), titres
    if prefixe == "couverture":
        tableau = app.dataframe[-1].value.set_index("Code")  # tableau affiché en libellés français
        assert sorted(tableau.index) == sorted(REF.ept.index)  # les 12 territoires, Paris compris
        assert tableau.at[PARIS, "Population"] == 2_103_778
    app.sidebar.selectbox(key=f"{prefixe}_departement").set_value("93").run()  # un département : les communes
    assert not [s for s in app.segmented_control if s.key == f"{prefixe}_niveau_idf"]
