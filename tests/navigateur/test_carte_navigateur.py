"""La carte nationale des EPCI s'affiche sans internet et un clic renvoie le code de l'EPCI.

Toute requête hors de 127.0.0.1/localhost est bloquée (fixture `page`) : si la carte dépendait
d'un CDN, le conteneur Leaflet ne serait jamais peint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from geo.carte import EMPRISES
from geo.reference import charger_geometries
from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

SCRIPT_DEMO = Path(__file__).with_name("app_carte_demo.py")
IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 60_000  # premier rendu : chargement de ~1,8 Mo de GeoJSON dans Chromium headless

# La CA Bourges Plus (Cher), au centre de la métropole, loin de la légende (coin bas gauche).
CODE_BOURGES_PLUS = "241800507"


@pytest.mark.parametrize("serveur_streamlit", [SCRIPT_DEMO], indirect=True, ids=["demo"])
def test_carte_epci_nationale_hors_ligne_et_clic(serveur_streamlit, page, requetes_bloquees):
    page.goto(serveur_streamlit)
    cadre = page.frame_locator(IFRAME_CARTE)
    carte = cadre.locator(".leaflet-container")
    expect(carte).to_be_visible(timeout=DELAI_MS)
    polygones = cadre.locator("path.leaflet-interactive")
    expect(polygones.nth(999)).to_be_attached(timeout=DELAI_MS)  # au moins 1 000 EPCI dessinés
    assert polygones.count() >= 1000
    expect(cadre.locator(".legende-carte")).to_contain_text("Population municipale")

    # Clic au point représentatif de l'EPCI, converti en pixels par Leaflet lui-même.
    point = charger_geometries("epci").geometry[CODE_BOURGES_PLUS].representative_point()
    xy = cadre.locator("body").evaluate(
        "(b, ll) => window.map.latLngToContainerPoint(ll)", {"lat": point.y, "lng": point.x}
    )
    carte.click(position={"x": xy["x"], "y": xy["y"]})
    expect(page.get_by_text(f"Territoire cliqué : {CODE_BOURGES_PLUS}")).to_be_visible(
        timeout=DELAI_MS
    )

    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "carte_epci_nationale.png")
    assert requetes_bloquees == []


@pytest.mark.parametrize("serveur_streamlit", [SCRIPT_DEMO], indirect=True, ids=["demo"])
def test_saut_vers_un_drom(serveur_streamlit, page, requetes_bloquees):
    page.goto(serveur_streamlit)
    expect(page.frame_locator(IFRAME_CARTE).locator(".leaflet-container")).to_be_visible(
        timeout=DELAI_MS
    )
    # Marque posée dans la page de la carte : elle disparaîtrait si la carte était rechargée.
    page.frame_locator(IFRAME_CARTE).locator("body").evaluate("() => { window.avantSaut = 1; }")
    page.get_by_role("radio", name="La Réunion").click()
    # Même carte, recentrée sur La Réunion (centre ≈ 21,13° S, 55,53° E), sans rechargement.
    page.wait_for_function(
        """() => {
            const cadre = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
            const fenetre = cadre && cadre.contentWindow;
            const carte = fenetre && fenetre.map;
            if (!carte || fenetre.avantSaut !== 1) return false;
            const c = carte.getCenter();
            return Math.abs(c.lat + 21.13) < 0.2 && Math.abs(c.lng - 55.525) < 0.2;
        }""",
        timeout=DELAI_MS,
    )
    # Le zoom calculé en Python (geo.carte.vue_emprise) est celui que Leaflet choisirait.
    lon_min, lat_min, lon_max, lat_max = EMPRISES["974"]
    zooms = page.frame_locator(IFRAME_CARTE).locator("body").evaluate(
        "(b, e) => [window.map.getZoom(), window.map.getBoundsZoom(e)]",
        [[lat_min, lon_min], [lat_max, lon_max]],
    )
    assert zooms[0] == zooms[1]
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "carte_epci_la_reunion.png")
    assert requetes_bloquees == []
