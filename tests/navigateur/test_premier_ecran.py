"""Premier écran d'un portable (issue 13, point 9) : à 1366 × 768, volet latéral ouvert comme à la
première visite, la carte principale d'Accueil, de Couverture et du Comité commence sans défiler.

Le Comité a une carte principale : celle du périmètre du dossier affiché sur les zones blanches
(colonne de droite de la fiche). Elle est mesurée comme les autres. Toute requête hors de
127.0.0.1 est bloquée.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.navigateur.conftest import ARTEFACTS, HOTES_LOCAUX

pytestmark = pytest.mark.navigateur

IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 120_000
LARGEUR, HAUTEUR = 1366, 768
VISIBLE_MIN = 192  # au moins un quart de l'écran montre déjà la carte, pas seulement son bord


@pytest.fixture
def portable(navigateur, requetes_bloquees):
    contexte = navigateur.new_context(viewport={"width": LARGEUR, "height": HAUTEUR}, locale="fr-FR")
    contexte.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in HOTES_LOCAUX
                   else (requetes_bloquees.append(r.request.url), r.abort()))
    onglet = contexte.new_page()
    try:
        yield onglet
    finally:
        contexte.close()


@pytest.mark.parametrize(("chemin", "repere"), [
    ("", "Facilitateurs de la clause sociale d'insertion"),
    ("couverture", "EPCI — France entière"),
    ("comite", "Enregistrer la décision"),
    ("zones_blanches", "Zones blanches classées"),
], ids=["accueil", "couverture", "comite", "zones_blanches"])
def test_la_carte_principale_commence_dans_le_premier_ecran(serveur_streamlit, portable, requetes_bloquees, chemin, repere):
    page = portable
    page.goto(f"{serveur_streamlit}/{chemin}")
    expect(page.get_by_text(repere).first).to_be_attached(timeout=DELAI_MS)
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_visible()  # volet ouvert, comme à la première visite
    carte = page.locator(IFRAME_CARTE).first
    expect(page.frame_locator(IFRAME_CARTE).first.locator(".leaflet-container")).to_be_visible(timeout=DELAI_MS)
    page.locator('[data-test-script-state="notRunning"]').wait_for(timeout=DELAI_MS)
    defilement = page.evaluate("() => [window.scrollY, ...[...document.querySelectorAll('section, div')].map(e => e.scrollTop)]")
    assert max(defilement) == 0  # rien n'a défilé : on mesure le premier écran
    boite = carte.bounding_box()
    page.screenshot(path=ARTEFACTS / f"premier_ecran_{chemin or 'accueil'}_{LARGEUR}x{HAUTEUR}.png")
    assert boite is not None and boite["height"] > 0
    assert 0 <= boite["y"] < HAUTEUR, boite  # le haut de la carte est dans le premier écran
    assert boite["y"] <= HAUTEUR - VISIBLE_MIN, boite
    # La source des contours (en bas à droite) ne recouvre pas la légende (en bas à gauche), même étroite.
    cadre = page.frame_locator(IFRAME_CARTE).first
    expect(cadre.locator(".legende-carte").first).to_be_visible(timeout=DELAI_MS)
    legende = cadre.locator(".legende-carte").first.bounding_box()
    source = cadre.locator(".leaflet-control-attribution").first.bounding_box()
    separees = (source["x"] >= legende["x"] + legende["width"] or source["x"] + source["width"] <= legende["x"]
                or source["y"] >= legende["y"] + legende["height"] or source["y"] + source["height"] <= legende["y"])
    assert separees, (legende, source)
    assert requetes_bloquees == []
