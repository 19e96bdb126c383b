"""L'application réelle (`app.py`) dans Chromium, sans internet : carte nationale, clic sur un EPCI,
couche des grands projets, mode présentation du comité."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo.carte import EMPRISES
from geo.reference import charger_geometries
from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 90_000
CODE_BOURGES_PLUS = "241800507"


def _carte(page, rang: int = 0):
    cadre = page.frame_locator(IFRAME_CARTE).nth(rang)
    expect(cadre.locator(".leaflet-container")).to_be_visible(timeout=DELAI_MS)
    return cadre


def test_couverture_clic_sur_un_epci_ouvre_son_panneau(serveur_streamlit, page, requetes_bloquees):
    # Premier test du module : lien direct vers une page sur un serveur neuf, la navigation d'app.py s'affiche.
    page.goto(f"{serveur_streamlit}/couverture")
    expect(page.get_by_role("link", name="Zones blanches")).to_be_visible(timeout=DELAI_MS)
    cadre = _carte(page)
    expect(cadre.locator("path.leaflet-interactive").nth(999)).to_be_attached(timeout=DELAI_MS)
    # La carte est recadrée sur la métropole après son premier rendu : attendre qu'elle y soit.
    lon_min, lat_min, lon_max, lat_max = EMPRISES["metropole"]
    cadre.locator("body").evaluate(
        """async (b, c) => { for (let i = 0; i < 200; i++) { const m = window.map.getCenter();
            if (Math.abs(m.lat - c.lat) < 0.3 && Math.abs(m.lng - c.lng) < 0.3) return; await new Promise(r => setTimeout(r, 50)); }
            throw new Error("carte non recadrée"); }""",
        {"lat": (lat_min + lat_max) / 2, "lng": (lon_min + lon_max) / 2},
    )
    # La carte doit être entièrement visible : sinon le défilement pendant le clic le transforme en glisser.
    page.locator(IFRAME_CARTE).scroll_into_view_if_needed()
    point = charger_geometries("epci").geometry[CODE_BOURGES_PLUS].representative_point()
    xy = cadre.locator("body").evaluate("(b, ll) => window.map.latLngToContainerPoint(ll)", {"lat": point.y, "lng": point.x})
    cadre.locator(".leaflet-container").click(position={"x": xy["x"], "y": xy["y"]})
    panneau = page.locator(".st-key-couverture_panneau")
    expect(panneau).to_be_visible(timeout=DELAI_MS)
    expect(panneau).to_contain_text(f"CA Bourges Plus ({CODE_BOURGES_PLUS})")
    expect(panneau).to_contain_text("habitants")
    page.screenshot(path=ARTEFACTS / "application_couverture_panneau.png", full_page=True)
    assert requetes_bloquees == []


def test_accueil_carte_nationale_des_epci(serveur_streamlit, page, requetes_bloquees):
    page.goto(serveur_streamlit)
    expect(page.get_by_role("heading", name="Facilitateurs de la clause sociale d'insertion")).to_be_visible(timeout=DELAI_MS)
    cadre = _carte(page)
    polygones = cadre.locator("path.leaflet-interactive")
    expect(polygones.nth(999)).to_be_attached(timeout=DELAI_MS)
    assert polygones.count() >= 1000  # 1 255 EPCI
    expect(cadre.locator(".legende-carte")).to_contain_text("Non couvert")
    expect(page.get_by_text("Données fictives de démonstration").first).to_be_visible()
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "application_accueil.png", full_page=True)
    assert requetes_bloquees == []


def test_grands_projets_couche_des_projets_dessinee(serveur_streamlit, page, requetes_bloquees):
    page.goto(f"{serveur_streamlit}/grands_projets")
    cadre = _carte(page)
    # Les emprises sont des contours non interactifs au-dessus des EPCI : une couche par type de projet.
    emprises = cadre.locator("path:not(.leaflet-interactive)")
    expect(emprises.first).to_be_attached(timeout=DELAI_MS)
    assert emprises.count() >= 5
    expect(page.get_by_text("Canal Seine-Nord Europe").first).to_be_visible(timeout=DELAI_MS)
    page.screenshot(path=ARTEFACTS / "application_grands_projets.png", full_page=True)
    assert requetes_bloquees == []


def test_comite_mode_presentation(serveur_streamlit, page, requetes_bloquees):
    page.goto(f"{serveur_streamlit}/comite")
    expect(page.get_by_role("heading", name="Comité régional de sélection").first).to_be_visible(timeout=DELAI_MS)
    page.get_by_text("Mode présentation (projecteur)").click()
    bouton = page.get_by_role("button", name="Quitter le mode présentation")
    expect(bouton).to_be_visible(timeout=DELAI_MS)
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    premier = page.get_by_text("Dossier 1 /").first
    expect(premier).to_be_visible(timeout=DELAI_MS)  # la proposition (région par région) se calcule au premier affichage
    page.get_by_role("button", name="Suivant ▶").click()
    expect(page.get_by_text("Dossier 2 /").first).to_be_visible(timeout=DELAI_MS)
    _carte(page)
    page.screenshot(path=ARTEFACTS / "application_comite_presentation.png", full_page=True)
    assert requetes_bloquees == []


def test_comite_saisie_d_une_decision_motivee(serveur_streamlit, page, requetes_bloquees):
    page.goto(f"{serveur_streamlit}/comite")
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_be_visible(timeout=DELAI_MS)
    page.get_by_text("Refusé", exact=True).first.click()
    page.get_by_label("Motif (obligatoire)").fill("Diagnostic territorial insuffisant")
    page.get_by_label("Votre nom").fill("Présidente du comité")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision en vigueur : Refusé")).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_text("Diagnostic territorial insuffisant").first).to_be_visible()
    assert requetes_bloquees == []
