"""Bilans fictifs de la démonstration : reproductibles à l'identique, marqués fictifs, avec retards et manques."""

from __future__ import annotations

import datetime as dt
import shutil

from coverage.bilans.donnees import bilans_demo
from coverage.bilans.echeances import suivi_remises
from coverage.bilans.consolidation import indicateurs_structures
from coverage.demo.bilans import MENTION, ecrire_bilans_demo
from coverage.financement.parametres import PARAMETRES_2025
from coverage.modele import DOSSIER_DEMO
from coverage.sources.donnees import donnees_demo
from geo.reference import charger_referentiel


def test_la_commande_reproduit_les_fichiers_versionnes(tmp_path):
    for nom in ("structures.csv", "perimetres.csv"):
        shutil.copy(DOSSIER_DEMO / nom, tmp_path / nom)
    comptes = ecrire_bilans_demo(tmp_path)
    assert comptes == {"bilans": 1723, "repartitions": 8039}
    for nom in ("bilans.csv", "bilans_repartitions.csv"):
        assert (tmp_path / nom).read_bytes() == (DOSSIER_DEMO / nom).read_bytes(), nom


def test_bilans_de_demo_valides_fictifs_en_retard_et_manquants():
    ref = charger_referentiel()
    structures = donnees_demo(ref).structures
    resultat = bilans_demo(structures, ref)
    bilans = resultat.bilans
    assert bilans["commentaire"].str.startswith(MENTION).all()
    suivi = suivi_remises(structures, bilans, parametres=PARAMETRES_2025, au=dt.date(2026, 1, 1))
    statuts = suivi[suivi["annee"] == 2024]["statut"].value_counts()
    assert statuts["recu"] > statuts["recu_en_retard"] > 0 and statuts["manquant"] > 0
    heures = indicateurs_structures(bilans, 2024)["heures_par_etp_total"]
    # une dispersion réaliste : au moins un facteur 3 entre le premier et le dernier décile
    assert heures.quantile(0.9) > 3 * heures.quantile(0.1)
    assert 12_000 < heures.median() < 30_000
