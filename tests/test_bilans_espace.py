"""Bilans importés gardés dans l'espace de travail (migration 3) : relus à l'identique, historique, retrait."""

from __future__ import annotations

import sqlite3

import pandas as pd
from pandas.testing import assert_frame_equal

from coverage.bilans.validation import importer_bilans
from coverage.espace import VERSION_SCHEMA, ouvrir_espace
from coverage.modele import BILANS, BILANS_REPARTITIONS
from coverage.sources.modeles_fichiers import modele_csv
from tests.fixtures import referentiel_minuscule


def _bilans_valides():
    r = importer_bilans(bilans=(modele_csv(BILANS), "bilans.csv"), repartitions=(modele_csv(BILANS_REPARTITIONS), "r.csv"),
                        structures=pd.DataFrame({"id_structure": ["S001"]}), referentiel=referentiel_minuscule())
    assert r.valide
    return r.bilans, r.repartitions


def test_import_relu_a_l_identique_puis_retire(tmp_path):
    espace = ouvrir_espace(tmp_path / "e.sqlite")
    assert espace.bilans_actifs() is None  # aucun import : l'application montre la démonstration
    bilans, repartitions = _bilans_valides()
    premier = espace.enregistrer_bilans(bilans, repartitions, auteur="DREETS ARA", libelle="Import bilans.csv", base_version=0)
    second = espace.enregistrer_bilans(bilans.iloc[:1], repartitions, auteur="DREETS ARA", libelle="Correction",
                                       base_version=premier)
    ident, relus, reps = espace.bilans_actifs()
    assert ident == second > premier
    assert_frame_equal(relus, bilans.iloc[:1])
    assert_frame_equal(reps, repartitions)
    historique = espace.lister_imports_bilans()
    assert list(historique["libelle"]) == ["Correction", "Import bilans.csv"]
    assert list(historique["nb_bilans"]) == [1, 2] and list(historique["actif"]) == [True, False]
    espace.retirer_bilans(auteur="DREETS ARA", base_version=second)
    assert espace.bilans_actifs() is None
    assert len(espace.lister_imports_bilans()) == 2


def test_une_base_au_schema_2_recoit_la_table_des_bilans(tmp_path):
    chemin = tmp_path / "ancienne.sqlite"
    espace = ouvrir_espace(chemin)
    with sqlite3.connect(chemin) as cx:  # simule une base d'avant les bilans
        for table in ("bilans_importes", "enveloppes_regionales", "enveloppes_versions"):  # migrations 3 et 4
            cx.execute(f"DROP TABLE {table}")
        cx.execute("DELETE FROM schema_version WHERE version > 2")
    rouverte = ouvrir_espace(chemin)
    assert rouverte.version_schema() == VERSION_SCHEMA  # migrations suivantes comprises
    bilans, repartitions = _bilans_valides()
    rouverte.enregistrer_bilans(bilans, repartitions, auteur="a", libelle="b", base_version=0)
    assert len(rouverte.bilans_actifs()[1]) == 2
    del espace
