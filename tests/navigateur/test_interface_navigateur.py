"""Parcours d'interface dans Chromium (sans internet) : texte des utilisateurs jamais interprété,
mode présentation du comité (entrée, lisibilité, sortie), sur un espace de travail dont une
structure, un motif et un auteur sont des chaînes hostiles."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.navigateur.conftest import ARTEFACTS, RACINE, serveur
from ui.texte import GLUON

pytestmark = pytest.mark.navigateur

DELAI_MS = 90_000
HOSTILE = "![p](http://exemple.invalid/p.png) [Cliquez ici](https://exemple.invalid/piege)"
DOSSIER = "D001"  # premier dossier du comité Auvergne-Rhône-Alpes (84) dans la démonstration


@pytest.fixture(scope="module")
def serveur_hostile():
    """`streamlit run app.py` sur un espace jetable : la structure du dossier D001 porte un nom hostile,
    et une décision y a un motif et un auteur hostiles."""
    from coverage.espace import ouvrir_espace
    from coverage.sources.donnees import donnees_demo
    from geo.reference import charger_referentiel

    chemin = Path(tempfile.mkdtemp(prefix="hostile-")) / "espace.sqlite"
    donnees = donnees_demo(charger_referentiel())
    espace = ouvrir_espace(chemin, initialiser_avec=lambda: donnees)
    ident = donnees.dossiers.set_index("id_dossier").at[DOSSIER, "id_structure"]
    structures = donnees.structures.copy()
    structures.loc[structures["id_structure"] == ident, "nom"] = HOSTILE
    espace.enregistrer_version(dataclasses.replace(donnees, demo=False, structures=structures), auteur="Test",
                               libelle="Nom hostile", source="import", base_version=espace.version_active())
    espace.enregistrer_decision(comite="84", id_dossier=DOSSIER, decision="ajourne", motif=f"Motif {HOSTILE}",
                                auteur=f"Auteur {HOSTILE}", version_attendue=0)
    avant = os.environ["FACILITATEURS_ESPACE"]
    os.environ["FACILITATEURS_ESPACE"] = str(chemin)  # hérité par le processus streamlit au démarrage
    try:
        with serveur(RACINE / "app.py", cwd=RACINE) as url:
            os.environ["FACILITATEURS_ESPACE"] = avant
            yield url
    finally:
        os.environ["FACILITATEURS_ESPACE"] = avant


def _ouvrir_comite(page, url: str) -> None:
    page.goto(f"{url}/comite")
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_be_visible(timeout=DELAI_MS)


def test_un_nom_hostile_reste_du_texte(serveur_hostile, page, requetes_bloquees):
    _ouvrir_comite(page, serveur_hostile)
    titre = page.get_by_role("heading", name=f"{DOSSIER} —")
    expect(titre).to_be_visible()
    lu = lambda loc: loc.inner_text().replace(GLUON, "")  # noqa: E731  (le gluon est invisible)
    assert lu(titre) == f"{DOSSIER} — {HOSTILE}"  # le nom tel quel, crochets et parenthèses compris
    decision = page.get_by_text("Décision en vigueur")
    assert f"Motif {HOSTILE}" in lu(decision) and f"Auteur {HOSTILE}" in lu(decision)
    liens = page.locator("a[href*='exemple.invalid']")
    assert liens.count() == 0, [liens.nth(i).evaluate("e => e.parentElement.outerHTML.slice(0, 300)") for i in range(liens.count())]
    assert page.locator("img[src*='exemple.invalid']").count() == 0  # aucune image
    page.screenshot(path=ARTEFACTS / "interface_nom_hostile.png")
    assert requetes_bloquees == []  # rien n'a été demandé à exemple.invalid


def test_mode_presentation_lisible_et_sortie_propre(serveur_hostile, navigateur, requetes_bloquees):
    contexte = navigateur.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    page = contexte.new_page()
    try:
        _ouvrir_comite(page, serveur_hostile)
        page.get_by_role("button", name="Suivant ▶").click()
        expect(page.get_by_text("Dossier 2 /")).to_be_visible(timeout=DELAI_MS)
        titre_dossier = page.locator("h2").filter(has_text=" — ").first.inner_text()
        page.get_by_text("Mode présentation (projecteur)").click()
        quitter = page.get_by_role("button", name="Quitter le mode présentation")
        expect(quitter).to_be_visible(timeout=DELAI_MS)
        expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
        page.locator('[data-test-script-state="notRunning"]').wait_for(timeout=DELAI_MS)  # plus d'éléments périmés
        enregistrer = page.get_by_role("button", name="Enregistrer la décision")
        expect(enregistrer).to_be_visible(timeout=DELAI_MS)
        # La décision tient dans le premier écran (1920×1080), sans défiler.
        boite = enregistrer.bounding_box()
        assert boite["y"] + boite["height"] <= 1080, boite
        assert page.get_by_label("Motif (obligatoire)").bounding_box()["y"] >= 0
        # Chiffres clés plus grands que le texte ; règle non respectée (D001 : plafond par ETP) : un mot et une couleur.
        page.get_by_role("button", name="◀ Précédent").click()
        expect(page.get_by_text("Dossier 1 /")).to_be_visible(timeout=DELAI_MS)
        page.locator('[data-test-script-state="notRunning"]').wait_for(timeout=DELAI_MS)
        titre_dossier = page.locator("h2").filter(has_text=" — ").first.inner_text()
        assert titre_dossier.startswith(DOSSIER)
        taille = lambda sel: float(page.locator(sel).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))  # noqa: E731
        assert taille('[data-testid="stMetricValue"]') >= 1.8 * taille('[data-testid="stMarkdownContainer"] p')
        non_respectee = page.get_by_text("Non respectée").first
        expect(non_respectee).to_be_visible()
        couleur = non_respectee.evaluate("e => getComputedStyle(e.closest('span')).color")
        assert couleur != page.get_by_text(re.compile("Respectée")).first.evaluate("e => getComputedStyle(e.closest('span')).color")
        page.screenshot(path=ARTEFACTS / "interface_comite_presentation_1920.png")
        quitter.click()
        expect(page.locator('section[data-testid="stSidebar"]')).to_be_visible(timeout=DELAI_MS)
        expect(quitter).to_be_hidden()
        assert page.get_by_text("StreamlitWidgetAlreadyInstantiatedError").count() == 0
        expect(page.get_by_text("Dossier 1 /")).to_be_visible()
        assert page.locator("h2").filter(has_text=" — ").first.inner_text() == titre_dossier
        assert requetes_bloquees == []
    finally:
        contexte.close()


def test_tableaux_sans_telechargement_integre(serveur_hostile, page, requetes_bloquees):
    """Le « Download as CSV » des tableaux est masqué : les exports de la page (formules échappées) le remplacent."""
    _ouvrir_comite(page, serveur_hostile)
    page.get_by_text("Historique des décisions de ce dossier").click()
    grille = page.locator('[data-testid="stDataFrame"]').first
    expect(grille).to_be_visible(timeout=DELAI_MS)
    grille.hover()
    expect(page.locator('[data-testid="stElementToolbar"]').first).to_be_attached(timeout=DELAI_MS)
    assert page.get_by_role("button", name="Download as CSV").count() == 0 or not page.get_by_role(
        "button", name="Download as CSV").first.is_visible()
    assert requetes_bloquees == []
