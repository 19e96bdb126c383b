"""Mises à jour perdues, vues depuis les pages : un autre utilisateur écrit entre l'affichage et le clic.

Le « Bob » de ces tests écrit directement dans l'espace de travail partagé (celui des AppTest), entre
l'exécution qui affiche le formulaire et celle du clic : l'enregistrement est refusé avec le message
de conflit et un bouton « Recharger », l'écriture de Bob reste en place ; après rechargement,
l'enregistrement passe. Chaque test remet ensuite la version de départ, pour les autres tests.
"""

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.espace import ouvrir_espace
from ui.texte import lu

RACINE = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def espace():
    """L'espace des AppTest ; la version active de départ est remise à la fin du test."""
    e = ouvrir_espace(os.environ["FACILITATEURS_ESPACE"])
    depart = e.version_active()
    yield e
    if e.version_active() != depart:
        e.restaurer_version(depart, auteur="tests", base_version=e.version_active())


def _bob_importe(espace) -> int:
    """Bob enregistre une nouvelle version (mêmes données) : elle devient active."""
    return espace.enregistrer_version(espace.charger_version(), auteur="Bob", libelle="Import de Bob", source="import",
                                      base_version=espace.version_active())


def _bouton(at: AppTest, libelle: str):
    return next(b for b in at.button if b.label == libelle)


def _champ(at: AppTest, libelle: str):
    return next(t for t in at.text_input if t.label == libelle)


def _erreurs(at: AppTest) -> str:
    """Les messages d'erreur tels que l'utilisateur les lit (échappements Markdown retirés)."""
    return lu("\n".join(e.value for e in at.error))


def test_et_si_enregistre_apres_un_import_d_un_autre(app, espace):
    app.switch_page("pages/couverture.py")
    app.session_state["couverture_modifs"] = [{"type": "etp", "id_structure": "S0001", "etp": 10.0}]
    app.run()
    app.text_input(key="couverture_auteur").set_value("Alice").run()  # Alice voit l'avant/après sur la version active
    version_de_bob = _bob_importe(espace)

    _bouton(app, "Enregistrer dans l'espace de travail").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Conflit d'édition sur les données des facilitateurs" in _erreurs(app)
    assert f"la version en vigueur est la version {version_de_bob}, mise en vigueur par Bob" in _erreurs(app)
    assert espace.version_active() == version_de_bob  # l'import de Bob n'a pas disparu
    assert app.session_state["couverture_modifs"]  # les modifications d'Alice sont gardées

    _bouton(app, "Recharger les données à jour").click().run()
    _bouton(app, "Enregistrer dans l'espace de travail").click().run()
    assert not app.exception and not app.error
    assert espace.version_active() == version_de_bob + 1
    assert espace.lister_versions().iloc[0]["auteur"] == "Alice"
    assert espace.charger_version().structures.set_index("id_structure").at["S0001", "etp_facilitateur"] == 10.0


def test_saisie_d_un_dossier_apres_un_import_d_un_autre(app, espace):
    app.switch_page("pages/simulation.py")
    app.run()
    app.segmented_control(key="simulation_rubrique").set_value("dossiers").run()  # le formulaire est affiché
    assert not app.exception, [e.value for e in app.exception]
    version_de_bob = _bob_importe(espace)

    _champ(app, "Identifiant du dossier").set_value("D-CONFLIT")
    _champ(app, "Votre nom").set_value("Alice")
    _bouton(app, "Enregistrer le dossier").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Conflit d'édition sur les données des facilitateurs" in _erreurs(app)
    assert espace.version_active() == version_de_bob
    assert "D-CONFLIT" not in set(espace.charger_version().dossiers["id_dossier"])


def test_espace_corrompu_un_message_sans_trace(app, tmp_path, monkeypatch):
    """Un fichier d'espace qui n'est pas une base : chaque page dit quoi faire, sans trace technique ni chemin du serveur."""
    from ui import etat

    corrompu = tmp_path / "secret" / "espace.sqlite"
    corrompu.parent.mkdir()
    corrompu.write_bytes(b"PK\x03\x04 un classeur, pas une base" * 50)
    monkeypatch.setenv("FACILITATEURS_ESPACE", str(corrompu))
    etat.magasin.clear()
    try:
        for page in sorted(str(p.relative_to(RACINE)) for p in (RACINE / "pages").glob("*.py")):
            app.switch_page(page)
            app.run()
            assert not app.exception, [e.value for e in app.exception]
            assert "L'espace de travail est indisponible" in _erreurs(app)
            assert "« espace.sqlite » n'est pas une base SQLite lisible" in _erreurs(app)
            assert str(corrompu.parent) not in _erreurs(app)
    finally:
        monkeypatch.undo()
        etat.magasin.clear()
    app.switch_page("pages/accueil.py")
    app.run()
    assert not app.exception and not app.error


# --------------------------------------------------------------------------------------------
# Enveloppes régionales, bilans, scénarios, import par portée : même refus, même « Recharger »
# --------------------------------------------------------------------------------------------


def test_enveloppes_enregistrees_apres_celles_d_un_autre(app, espace):
    app.switch_page("pages/simulation.py")
    app.run()
    app.segmented_control(key="simulation_rubrique").set_value("enveloppes").run()
    app.text_input(key="enveloppes_auteur").set_value("Alice").run()  # Alice a la table en vigueur sous les yeux
    vue = espace.version_enveloppes(2025)
    table = espace.enveloppes_regionales(2025).to_dict()
    assert espace.enregistrer_enveloppes(2025, table, auteur="Bob", cle="même table", base_version=vue) == vue + 1

    _bouton(app, "Enregistrer cette table (nouvelle version)").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert (f"Conflit d'édition sur les enveloppes régionales 2025 : la version en vigueur est la version {vue + 1}, "
            "mise en vigueur par Bob") in _erreurs(app)
    assert "Rien n'a été enregistré : rechargez" in _erreurs(app)
    assert espace.version_enveloppes(2025) == vue + 1  # la table de Bob est la dernière, rien d'autre n'est écrit
    _bouton(app, "Recharger les données à jour").click().run()
    assert not app.exception and not app.error


def test_scenario_supprime_apres_un_renommage_d_un_autre(app, espace):
    ident = espace.enregistrer_scenario(nom="Scénario du test de conflit", auteur="Alice", parametres={}, resultats={
        "dossiers": pd.DataFrame({"id_dossier": ["D1"], "nom_structure": ["S"], "region": ["84"], "montant_attribue": [1.0],
                                  "etp_finances": [1.0]})},  # colonnes d'un vrai scénario (la comparaison les lit)
        base_version=espace.version_active())
    try:
        app.switch_page("pages/simulation.py")
        app.run()
        app.segmented_control(key="simulation_rubrique").set_value("scenarios").run()
        app.selectbox(key="simulation_scenario_choix").set_value(ident).run()
        app.text_input(key="simulation_scenario_auteur").set_value("Alice").run()  # Alice voit le scénario
        espace.renommer_scenario(ident, "Renommé par Bob", auteur="Bob", base_version=espace.charger_scenario(ident).version)

        _bouton(app, "Supprimer").click().run()
        assert not app.exception, [e.value for e in app.exception]
        assert (f"Conflit d'édition sur le scénario n° {ident} « Renommé par Bob » : il a été renommé par Bob") in _erreurs(app)
        assert not espace.charger_scenario(ident).supprime  # rien n'a été écrit
        _bouton(app, "Recharger les données à jour").click().run()
        _bouton(app, "Supprimer").click().run()  # sur le scénario rechargé, la suppression passe
        assert not app.exception and not app.error
        assert espace.charger_scenario(ident).supprime
    finally:
        if not espace.charger_scenario(ident).supprime:
            espace.supprimer_scenario(ident, auteur="tests", base_version=espace.charger_scenario(ident).version)


def _bilans_csv() -> bytes:
    from coverage.modele import BILANS
    from coverage.sources.modeles_fichiers import modele_csv

    return modele_csv(BILANS).replace(b"S001;", b"S0336;")  # S0336 : structure de la démonstration (Somme)


def test_bilans_importes_apres_l_import_d_un_autre(app, espace):
    depart = espace.version_bilans()
    app.switch_page("pages/bilans.py")
    app.run()
    app.segmented_control(key="bilans_section").set_value("import").run()  # Alice voit les bilans en vigueur
    assert not app.exception, [e.value for e in app.exception]
    from ui.bilans import importer as valider_bilans

    lu = valider_bilans((_bilans_csv(), "bilans_bob.csv"), None)
    assert lu.valide, lu.erreurs
    de_bob = espace.enregistrer_bilans(lu.bilans, lu.repartitions, auteur="Bob", libelle="Import de Bob", base_version=depart)
    try:
        app.file_uploader(key="bilans_fichier").set_value(("bilans.csv", _bilans_csv(), "text/csv"))
        app.text_input(key="bilans_auteur").set_value("Alice")
        _bouton(app, "Valider et importer").click().run()
        assert not app.exception, [e.value for e in app.exception]
        assert f"Conflit d'édition sur les bilans importés : la version en vigueur est la version {de_bob}" in _erreurs(app)
        assert espace.version_bilans() == de_bob
        assert espace.lister_imports_bilans()["libelle"].iloc[0] == "Import de Bob"  # l'import d'Alice n'a rien écrit
        assert any(b.label == "Recharger les données à jour" for b in app.button)
    finally:
        espace.retirer_bilans(auteur="tests", base_version=espace.version_bilans())


def test_bilans_importes_puis_retires_depuis_la_page(app, espace):
    """Importer un fichier de bilans par la page, puis « Retirer l'import actif » : la démonstration revient."""
    depart = espace.version_bilans()
    app.switch_page("pages/bilans.py")
    app.run()
    app.segmented_control(key="bilans_section").set_value("import").run()
    try:
        app.file_uploader(key="bilans_fichier").set_value(("bilans_alice.csv", _bilans_csv(), "text/csv"))
        app.text_input(key="bilans_auteur").set_value("Alice")
        _bouton(app, "Valider et importer").click().run()
        assert not app.exception and not app.error, [e.value for e in app.exception] + [e.value for e in app.error]
        importe = espace.version_bilans()
        assert importe != depart
        assert espace.lister_imports_bilans()["libelle"].iloc[0] == "Import bilans_alice.csv"
        app.run()  # la page montre l'import actif et son bouton
        _bouton(app, "Retirer l'import actif").click().run()
        assert not app.exception and not app.error, [e.value for e in app.exception] + [e.value for e in app.error]
        assert espace.version_bilans() != importe  # retiré : plus en vigueur
        assert not any(b.label == "Retirer l'import actif" for b in app.button)  # démonstration de nouveau
    finally:
        if espace.version_bilans() not in (depart, 0) and espace.lister_imports_bilans()["libelle"].iloc[0] == "Import bilans_alice.csv":
            espace.retirer_bilans(auteur="tests", base_version=espace.version_bilans())


def test_import_par_portee_confirme_apres_l_ecriture_d_un_autre(app, espace):
    """Aperçu sur la version vue ; Bob écrit ; la confirmation est refusée, rien n'est changé."""
    from tests.test_import_portee import PERIMETRES_80, STRUCTURES_80

    app.switch_page("pages/donnees.py")
    app.run()
    app.selectbox(key="donnees_portee").set_value("departement:80")
    app.file_uploader(key="donnees_f_structures").set_value(("s.csv", STRUCTURES_80.encode(), "text/csv"))
    app.file_uploader(key="donnees_f_perimetres").set_value(("p.csv", PERIMETRES_80.encode(), "text/csv"))
    app.text_input(key="donnees_auteur").set_value("Alice")
    _bouton(app, "Vérifier et voir l'aperçu").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, _erreurs(app)
    assert any(s.value == "Aperçu de l'import" for s in app.subheader)
    version_de_bob = _bob_importe(espace)
    avant = espace.charger_version()

    _bouton(app, "Confirmer l'import").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "L'aperçu ne correspond plus aux données en vigueur" in _erreurs(app)
    assert f"la version en vigueur est la version {version_de_bob}, mise en vigueur par Bob" in _erreurs(app)
    assert espace.version_active() == version_de_bob  # rien n'a été écrit
    assert "S9001" not in set(avant.structures["id_structure"]) and "S9001" not in set(espace.charger_version().structures["id_structure"])
    _bouton(app, "Recharger les données à jour").click().run()
    assert not app.exception and not app.error


def test_scenario_duplique_puis_renomme_depuis_la_page(app, espace):
    """Dupliquer puis renommer par les boutons de la page ; la comparaison tient avec un scénario sans région."""
    ident = espace.enregistrer_scenario(nom="Scénario à dupliquer", auteur="Alice", parametres={}, resultats={
        "dossiers": pd.DataFrame({"id_dossier": ["D1"], "nom_structure": ["S"], "montant_attribue": [1.0],
                                  "etp_finances": [1.0]})},  # importé d'ailleurs : sans colonne région
        base_version=espace.version_active())
    crees = []
    try:
        app.switch_page("pages/simulation.py")
        app.run()
        app.segmented_control(key="simulation_rubrique").set_value("scenarios").run()
        app.selectbox(key="simulation_scenario_choix").set_value(ident).run()
        app.text_input(key="simulation_scenario_auteur").set_value("Alice").run()
        avant = set(espace.lister_scenarios()["id"])
        _bouton(app, "Dupliquer").click().run()
        assert not app.exception and not app.error, [e.value for e in app.exception]
        crees = sorted(set(espace.lister_scenarios()["id"]) - avant)
        assert len(crees) == 1
        copie = espace.charger_scenario(crees[0])
        assert copie.nom.startswith("Scénario à dupliquer (copie ")
        assert copie.resultats["dossiers"]["montant_attribue"].tolist() == [1.0]
        app.selectbox(key="simulation_scenario_choix").set_value(crees[0]).run()
        app.text_input(key="simulation_scenario_nouveau_nom").set_value("Copie renommée").run()
        _bouton(app, "Renommer").click().run()
        assert not app.exception and not app.error, [e.value for e in app.exception]
        assert espace.charger_scenario(crees[0]).nom == "Copie renommée"
        # Comparer l'original (sans région) à un scénario calculé ici (avec régions) : les écarts, pas d'erreur.
        crees.append(espace.enregistrer_scenario(nom="Scénario avec régions", auteur="Alice", parametres={}, resultats={
            "dossiers": pd.DataFrame({"id_dossier": ["D1"], "nom_structure": ["S"], "region": ["84"], "montant_attribue": [2.0],
                                      "etp_finances": [1.0]})}, base_version=espace.version_active()))
        app.run()
        app.selectbox(key="simulation_cmp_a").set_value(ident).run()
        app.selectbox(key="simulation_cmp_b").set_value(crees[-1]).run()
        assert not app.exception, [e.value for e in app.exception]
        assert "1 dossier(s) financé(s) différemment." in [c.value for c in app.caption]
    finally:
        for i in [ident, *crees]:
            if not espace.charger_scenario(i).supprime:
                espace.supprimer_scenario(i, auteur="tests", base_version=espace.charger_scenario(i).version)
