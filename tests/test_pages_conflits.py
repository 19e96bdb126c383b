"""Mises à jour perdues, vues depuis les pages : un autre utilisateur écrit entre l'affichage et le clic.

Le « Bob » de ces tests écrit directement dans l'espace de travail partagé (celui des AppTest), entre
l'exécution qui affiche le formulaire et celle du clic : l'enregistrement est refusé avec le message
de conflit et un bouton « Recharger », l'écriture de Bob reste en place ; après rechargement,
l'enregistrement passe. Chaque test remet ensuite la version de départ, pour les autres tests.
"""

import os
from pathlib import Path

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
