"""Vue d'un département dans l'application réelle (issue 13, point 4), dans Chromium sans internet.

Un département choisi : ses communes, les contours de ses EPCI par-dessus (fichier `epci-01`,
pas les 1 255 EPCI), un tableau commune par commune ou EPCI par EPCI ; un EPCI choisi restreint
le titre, les chiffres et le tableau ; l'EPCI choisi et la commune cliquée sont surlignés.

Chiffres attendus : la population est la somme, à la main, des communes membres d'après le
référentiel ; les ETP viennent du moteur (`agreger_couverture`) sur les données de démonstration
que sert l'application.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coverage.documents.format import format_nombre
from coverage.sources.donnees import donnees_demo
from coverage.territoires.couverture import agreger_couverture, couverture_par_commune, etendre_perimetres
from geo.reference import charger_geometries, charger_referentiel
from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 120_000
AIN = "01"
HAUT_BUGEY = "200042935"  # CA Haut-Bugey Agglomération, entièrement dans l'Ain
OYONNAX = "01283"  # commune de la CA Haut-Bugey
CONTOURS = ".leaflet-contours-pane path"
EPCI = f'{CONTOURS}[stroke="#3A3A3A"]'  # contours des EPCI (ui.territoire.COULEUR_EPCI)
SURLIGNES = f'{CONTOURS}[stroke="#000000"][stroke-width="3.5"]'  # trait noir épais sur halo blanc (ui.territoire.SURLIGNAGE)


def _requetes_geo(page) -> list[str]:
    vues: list[str] = []
    page.on("request", lambda r: vues.append(r.url.split("/app/static/geo/")[1].split(".")[0]) if "/app/static/geo/" in r.url else None)
    return vues


def _fin_execution(page) -> None:
    page.locator('[data-test-script-state="notRunning"]').wait_for(timeout=DELAI_MS)


def _choisir(page, libelle: str, option: str) -> None:
    """Choisit `option` dans la liste déroulante `libelle` du volet latéral."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=libelle).click()
    page.get_by_role("option", name=option, exact=True).click()
    _fin_execution(page)


def _attendre_lignes(page, n: int) -> None:
    """Le tableau des territoires finit par avoir `n` lignes (attribut ARIA de la grille, en-tête compris)."""
    grille = page.locator('.st-key-couverture_tableau [role="grid"]').first
    expect(grille).to_have_attribute("aria-rowcount", str(n + 1), timeout=DELAI_MS)


def _attendre_metrique(page, libelle: str, valeur: str) -> None:
    metrique = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(libelle, exact=True))
    expect(metrique.locator('[data-testid="stMetricValue"]')).to_have_text(valeur, timeout=DELAI_MS)


def _cliquer_commune(page, cadre, code: str) -> None:
    """Clique au point représentatif de la commune, une fois la carte dessinée et recadrée autour d'elle."""
    page.locator(IFRAME_CARTE).first.scroll_into_view_if_needed()
    point = charger_geometries("commune").geometry[code].representative_point()
    ll = {"lat": point.y, "lng": point.x}
    cadre.locator("body").evaluate(
        """async (b, ll) => { for (let i = 0; i < 400; i++) {
            if (window.__derniersPolygones && window.map.getBounds().pad(-0.1).contains(ll) && !window.map._animatingZoom) return;
            await new Promise(r => setTimeout(r, 50)); } throw new Error("carte non recadrée"); }""", ll)
    xy = cadre.locator("body").evaluate("(b, ll) => window.map.latLngToContainerPoint(ll)", ll)
    cadre.locator(".leaflet-container").click(position={"x": xy["x"], "y": xy["y"]})


@pytest.fixture(scope="module")
def attendu() -> dict:
    ref = charger_referentiel()
    communes = ref.communes
    membres = communes[communes["epci"] == HAUT_BUGEY]
    donnees = donnees_demo(ref)
    long = etendre_perimetres(donnees, referentiel=ref)
    epci = agreger_couverture(couverture_par_commune(donnees, referentiel=ref, perimetres_communes=long), referentiel=ref,
                              niveau="epci", perimetres_communes=long)
    return {
        "communes_ain": int((communes["departement"] == AIN).sum()),
        "epci_ain": communes.loc[communes["departement"] == AIN, "epci"].nunique(),
        "communes_haut_bugey": len(membres),
        "habitants_haut_bugey": format_nombre(membres["population"].sum()),  # somme à la main des communes membres
        "etp_haut_bugey": format_nombre(epci.at[HAUT_BUGEY, "etp"], decimales=1),
    }


def test_departement_epci_contours_tableau_restreint_et_surlignage(serveur_streamlit, page, requetes_bloquees, attendu):
    geo = _requetes_geo(page)
    page.goto(f"{serveur_streamlit}/couverture")
    cadre = page.frame_locator(IFRAME_CARTE).first
    expect(cadre.locator("path.leaflet-interactive").nth(999)).to_be_attached(timeout=DELAI_MS)
    _choisir(page, "Région", "Auvergne-Rhône-Alpes (84)")
    _choisir(page, "Département", "01 – Ain")
    expect(page.get_by_role("heading", name="Communes — Ain (01)")).to_be_visible(timeout=DELAI_MS)

    # Les contours des 17 EPCI de l'Ain par-dessus les communes, lus dans le fichier des EPCI de l'Ain.
    expect(cadre.locator(EPCI)).to_have_count(attendu["epci_ain"], timeout=DELAI_MS)
    assert "epci-01" in geo and "commune-01" in geo
    assert cadre.locator(SURLIGNES).count() == 0  # rien de choisi ni de cliqué
    _attendre_lignes(page, attendu["communes_ain"])

    # Le tableau EPCI par EPCI, puis de nouveau commune par commune.
    page.get_by_role("radio", name="EPCI", exact=True).click()
    _fin_execution(page)
    _attendre_lignes(page, attendu["epci_ain"])
    page.get_by_role("radio", name="Communes", exact=True).click()
    _fin_execution(page)
    _attendre_lignes(page, attendu["communes_ain"])

    # Un EPCI choisi : titre, chiffres et tableau restreints à ses communes ; son contour surligné ; dans l'adresse.
    _choisir(page, "EPCI", "CA Haut-Bugey Agglomération")
    expect(page.get_by_role("heading", name="Communes — CA Haut-Bugey Agglomération, Ain (01)")).to_be_visible(timeout=DELAI_MS)
    _attendre_metrique(page, "Habitants", attendu["habitants_haut_bugey"])
    _attendre_metrique(page, "ETP de facilitateurs", attendu["etp_haut_bugey"])
    _attendre_lignes(page, attendu["communes_haut_bugey"])
    expect(cadre.locator(SURLIGNES)).to_have_count(1, timeout=DELAI_MS)
    assert f"epci={HAUT_BUGEY}" in page.url

    # Clic sur Oyonnax : la commune est surlignée (en plus de l'EPCI) et le panneau la montre.
    _cliquer_commune(page, cadre, OYONNAX)
    panneau = page.locator(".st-key-couverture_panneau")
    expect(panneau).to_contain_text(f"Oyonnax ({OYONNAX})", timeout=DELAI_MS)
    expect(cadre.locator(SURLIGNES)).to_have_count(2, timeout=DELAI_MS)
    page.screenshot(path=ARTEFACTS / "vue_departement_epci_commune.png", full_page=True)

    # Retour à tout le département : l'EPCI n'est plus choisi, le tableau reprend les communes de l'Ain.
    page.get_by_role("button", name="Tout le département").click()
    expect(page.get_by_role("heading", name="Communes — Ain (01)")).to_be_visible(timeout=DELAI_MS)
    _attendre_lignes(page, attendu["communes_ain"])
    assert "epci=" not in page.url
    assert requetes_bloquees == []


def test_detail_par_epci_un_clic_choisit_l_epci_et_l_indicateur_ne_recadre_pas(serveur_streamlit, page, requetes_bloquees, attendu):
    """Lien vers l'Ain ; détail par EPCI : un clic sur Oyonnax montre et surligne son EPCI, que le panneau
    permet de choisir ; changer d'indicateur garde la vue de la carte."""
    page.goto(f"{serveur_streamlit}/couverture?region=84&departement=01")
    expect(page.get_by_role("heading", name="Communes — Ain (01)")).to_be_visible(timeout=DELAI_MS)
    cadre = page.frame_locator(IFRAME_CARTE).first
    expect(cadre.locator(EPCI)).to_have_count(attendu["epci_ain"], timeout=DELAI_MS)
    page.get_by_role("radio", name="EPCI", exact=True).click()
    _attendre_lignes(page, attendu["epci_ain"])
    _cliquer_commune(page, cadre, OYONNAX)
    panneau = page.locator(".st-key-couverture_panneau")
    expect(panneau).to_contain_text(f"CA Haut-Bugey Agglomération ({HAUT_BUGEY})", timeout=DELAI_MS)
    expect(cadre.locator(SURLIGNES)).to_have_count(1, timeout=DELAI_MS)  # l'EPCI cliqué, pas encore choisi
    assert "epci=" not in page.url

    # Changer d'indicateur ne recadre pas la carte (même clé, valeurs seules).
    cadre.locator("body").evaluate("() => { window.marque = 1; window.map.setView([46.2, 5.6], 10); }")
    page.get_by_role("radio", name="Part couverte", exact=True).click()
    expect(cadre.locator(".legende-carte")).to_contain_text("Part de la population couverte", timeout=DELAI_MS)
    vue = cadre.locator("body").evaluate("() => [window.marque, window.map.getZoom(), window.map.getCenter()]")
    assert vue[0] == 1 and vue[1] == 10 and abs(vue[2]["lat"] - 46.2) < 1e-6 and abs(vue[2]["lng"] - 5.6) < 1e-6

    # Le panneau choisit l'EPCI cliqué : titre, chiffres, volet latéral et adresse le suivent.
    page.get_by_role("button", name="Restreindre la page à CA Haut-Bugey Agglomération").click()
    expect(page.get_by_role("heading", name="Communes — CA Haut-Bugey Agglomération, Ain (01)")).to_be_visible(timeout=DELAI_MS)
    _attendre_metrique(page, "Habitants", attendu["habitants_haut_bugey"])
    _attendre_lignes(page, 1)  # détail par EPCI : la ligne de l'EPCI choisi
    expect(page.locator('[data-testid="stSidebar"]').get_by_role("group").filter(
        has=page.get_by_role("combobox", name="EPCI"))).to_match_aria_snapshot('- combobox "EPCI": CA Haut-Bugey Agglomération')
    page.wait_for_url(f"**epci={HAUT_BUGEY}**", timeout=DELAI_MS)
    assert requetes_bloquees == []
