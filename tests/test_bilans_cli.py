"""`python -m coverage bilans` : CSV consolidé, erreurs françaises avec ligne et colonne, code 1.

S1 (Ain, 01) a deux bilans 2025 (l'annuel compte), S2 (Ain) seulement l'intermédiaire, S3 (Isère, 38)
un annuel : région 84 = 5 000 + 1 200 + 3 000 = 9 200 h pour 1 + 0,5 + 2 = 3,5 ETP.
"""

from __future__ import annotations

import pandas as pd
import pytest

from coverage.cli import DONNEES_INVALIDES, OK, main
from coverage.modele import BILANS

STRUCTURES = """id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad
S1;Maison de l'emploi du Haut-Bugey;association;;01;1;0;2025
S2;Association Deux;association;;01;0,5;0;2025
S3;Isère Emploi;association;;38;2;0;2025
"""
PERIMETRES = """id_structure;niveau;code;role;part_etp
S1;epci;200042935;principal;
S2;epci;200029999;principal;
S3;departement;38;principal;
"""
_COLONNES = ["id_structure", "annee", "periode", "date_remise", "etp_subventionnes", "heures_insertion_total",
             "heures_insertion_etat", "marches_accompagnes_total", "marches_accompagnes_etat",
             "montant_marches_ht_total", "montant_marches_ht_etat", "acheteurs_accompagnes_total",
             "acheteurs_accompagnes_etat"]
BILANS_CSV = ";".join(_COLONNES) + "\n" + "\n".join([
    "S1;2025;intermediaire;20/02/2026;1;2 000;500;4;1;10 000;1 000;2;1",
    "S1;2025;annuel;15/09/2026;1;5 000;1 500;10;2;100 000;20 000;5;1",
    "S2;2025;intermediaire;10/03/2026;0,5;1 200;600;10;2;100 000;20 000;5;1",
    "S3;2025;annuel;01/08/2026;2;3 000;0;10;2;100 000;20 000;5;1",
]) + "\n"


@pytest.fixture
def fichiers(tmp_path):
    chemins = {}
    for nom, texte in (("structures", STRUCTURES), ("perimetres", PERIMETRES), ("bilans", BILANS_CSV)):
        chemins[nom] = tmp_path / f"{nom}.csv"
        chemins[nom].write_text(texte, encoding="utf-8")
    return chemins


def _args(f, sortie, niveau="region", bilans=None):
    return ["bilans", "--bilans", str(bilans or f["bilans"]), "--structures", str(f["structures"]),
            "--perimetres", str(f["perimetres"]), "--niveau", niveau, "--sortie", str(sortie)]


def test_consolidation_par_region(fichiers, tmp_path, capsys):
    sortie = tmp_path / "consolidation.csv"
    assert main(_args(fichiers, sortie)) == OK
    table = pd.read_csv(sortie, sep=";", encoding="utf-8-sig", decimal=",", dtype={"code": str})
    assert list(table["code"]) == ["84"]
    ligne = table.iloc[0]
    assert ligne["nom"] == "Auvergne-Rhône-Alpes"
    assert ligne["heures_insertion_total"] == 9200
    assert ligne["heures_par_etp_total"] == pytest.approx(9200 / 3.5, abs=0.01)
    assert ligne["heures_par_etp_etat"] == pytest.approx(600)
    for nom in ("heures_insertion", "marches_accompagnes", "montant_marches_ht", "acheteurs_accompagnes"):
        assert {f"{nom}_total", f"{nom}_etat"} <= set(table.columns)
    assert ligne["marches_accompagnes_total"] == 30  # l'annuel de S1 (10), pas 10 + 4
    assert "Bilans 2025 consolidés par région" in capsys.readouterr().out


def test_consolidation_par_departement(fichiers, tmp_path):
    sortie = tmp_path / "dep.csv"
    assert main(_args(fichiers, sortie, niveau="departement")) == OK
    table = pd.read_csv(sortie, sep=";", encoding="utf-8-sig", decimal=",", dtype={"code": str}).set_index("code")
    assert list(table.index) == ["01", "38"]
    assert table.at["01", "heures_par_etp_total"] == pytest.approx(6200 / 1.5, abs=0.01)
    assert table.at["01", "intermediaires_seuls"] == 1


def test_fichier_invalide_code_1_et_message_ligne_colonne(fichiers, tmp_path, capsys):
    mauvais = tmp_path / "bilans_faux.csv"
    mauvais.write_text(BILANS_CSV.replace("S3;2025;annuel;01/08/2026;2;3 000;0", "S9;2025;annuel;01/08/2026;2;3 000;4 000"),
                       encoding="utf-8")
    sortie = tmp_path / "jamais.csv"
    assert main(_args(fichiers, sortie, bilans=mauvais)) == DONNEES_INVALIDES
    err = capsys.readouterr().err
    assert "bilans_faux.csv, ligne 5, colonne `id_structure` : structure « S9 » inconnue" in err
    assert "bilans_faux.csv, ligne 5, colonne `heures_insertion_etat` :" in err
    assert "2 erreurs : rien n'a été consolidé" in err
    assert not sortie.exists()


def test_le_modele_de_bilans_est_complet():
    assert _COLONNES == [c.nom for c in BILANS.colonnes if c.obligatoire]
