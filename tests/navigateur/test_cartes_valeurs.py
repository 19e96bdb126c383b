"""Contours téléchargés une fois, valeurs seules à chaque exécution (issue 17), dans l'application réelle.

Chaque test compte les requêtes vers `/app/static/geo/` (les fichiers de géométries) : un fichier
n'est demandé qu'une fois par onglet, même quand l'indicateur change, qu'on change de page ou
qu'on revient. Toute requête hors de 127.0.0.1 est bloquée (fixture `page`).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo.reference import charger_referentiel
from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 120_000


def _requetes_geo(page) -> list[str]:
    vues: list[str] = []
    page.on("request", lambda r: vues.append(r.url.split("/app/static/geo/")[1]) if "/app/static/geo/" in r.url else None)
    return vues


def _attendre_dessins(page, minimum: int) -> None:
    """Attend que la carte ait dessiné au moins `minimum` couches depuis sa création."""
    page.wait_for_function(
        """(n) => { const c = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
                    const w = c && c.contentWindow; return !!w && (w.__cartesDessins || 0) >= n; }""",
        arg=minimum, timeout=DELAI_MS,
    )


# La couche de valeurs de la carte et le polygone d'un code (dans le cadre de la carte).
CHERCHER = """((code) => { const couches = Object.values(window.map._layers).filter(l => l.options && l.options.valeurs
    && l.getLayers); for (const c of couches) { const p = c.getLayers().find(q => q.feature.properties.code === code);
    if (p) return {c, p}; } return {}; })"""
INFOBULLE = "(_, code) => { const t = " + CHERCHER + "(code); return {sans_codes: !t.c.options.valeurs.codes, texte: t.c._infobulle(t.p).textContent}; }"


# Polygones de la couche de valeurs dont la couleur n'est pas celle de leur classe ; polygones gris.
STYLES_FAUX = """() => { const c = Object.values(window.map._layers).find(l => l.options && l.options.valeurs && l.getLayers);
    let faux = 0, gris = 0; for (const p of c.getLayers()) { const attendu = c.options.styles[p.feature.properties.s].fillColor;
    if (p.options.fillColor !== attendu) faux++; if (attendu === "#E5E5E5") gris++; } return {faux, gris}; }"""


def _carte(page):
    return page.frame_locator(IFRAME_CARTE).first.locator("body")


def test_accueil_contours_telecharges_une_fois_et_vue_gardee(serveur_streamlit, page, requetes_bloquees):
    geo = _requetes_geo(page)
    page.goto(serveur_streamlit)
    _attendre_dessins(page, 2)  # EPCI et contours des départements
    assert sorted(n.split(".")[0] for n in geo) == ["departement", "epci"]
    carte = _carte(page)
    assert carte.evaluate("() => window.__derniersPolygones") == 1255
    # L'utilisateur se déplace, puis change d'indicateur : même carte (pas rechargée), même vue.
    carte.evaluate("() => { window.marque = 'avant'; window.map.setView([45.0, 5.0], 8); }")
    page.get_by_text("Population", exact=True).first.click()
    _attendre_dessins(page, 4)
    expect(page.frame_locator(IFRAME_CARTE).first.locator(".legende-carte")).to_contain_text("Population municipale")
    etat = carte.evaluate("() => [window.marque, window.map.getZoom(), window.map.getCenter()]")
    assert etat[0] == "avant" and etat[1] == 8
    assert abs(etat[2]["lat"] - 45.0) < 1e-6 and abs(etat[2]["lng"] - 5.0) < 1e-6
    # Une autre page, puis retour : les fichiers viennent de la mémoire de l'onglet, pas du serveur.
    page.get_by_role("link", name="Zones blanches").click()
    _attendre_dessins(page, 2)
    page.get_by_role("link", name="Accueil").click()
    _attendre_dessins(page, 2)
    assert len(geo) == 2, geo
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "cartes_valeurs_accueil.png")
    assert requetes_bloquees == []


def test_carte_communale_d_un_departement_ne_charge_que_ses_communes(serveur_streamlit, page, requetes_bloquees):
    geo = _requetes_geo(page)
    page.goto(f"{serveur_streamlit}/couverture")
    _attendre_dessins(page, 2)
    page.get_by_label("Rechercher une commune (nom ou code)").fill("59350")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Communes — Nord (59)")).to_be_visible(timeout=DELAI_MS)
    _attendre_dessins(page, 4)
    communes_59 = charger_referentiel().communes.query("departement == '59' and a_geometrie")
    assert _carte(page).evaluate("() => window.__derniersPolygones") == len(communes_59)
    assert [n.split(".")[0] for n in geo] == ["epci", "departement", "commune-59", "epci-59"]  # EPCI du Nord : leurs contours
    assert requetes_bloquees == []


def test_carte_nationale_des_communes(serveur_streamlit, page, requetes_bloquees):
    geo = _requetes_geo(page)
    page.goto(f"{serveur_streamlit}/zones_blanches")
    _attendre_dessins(page, 2)
    page.get_by_role("radio", name="Communes", exact=True).click()
    expect(page.get_by_text("Communes — France entière").first).to_be_visible(timeout=DELAI_MS)
    _attendre_dessins(page, 4)
    carte = _carte(page)
    assert carte.evaluate("() => window.__derniersPolygones") >= 34_800
    assert "commune" in [n.split(".")[0] for n in geo]
    # Les valeurs arrivent sans les codes (ordre du fichier) et les nombres en entiers : l'infobulle
    # de Lille (59350) écrit pourtant sa population comme Python (« 236 710 »).
    population = int(charger_referentiel().communes.loc["59350", "population"])
    attendu = f"{population:,d}".replace(",", "\u00a0")
    infobulle = carte.evaluate(INFOBULLE, "59350")
    assert infobulle["sans_codes"] is True
    assert f"Population\u00a0: {attendu}" in infobulle["texte"], infobulle
    # Un autre critère : les mêmes polygones, restylés sur place (ni recréés ni reprojetés).
    carte.evaluate("(_, code) => { window.__polygoneMarque = " + CHERCHER + "(code).p; window.__polygoneMarque.__marque = 1;"
                   " window.__polygoneMarque.once('remove', () => { window.__polygoneMarque.__retire = true; }); }",
                   "59350")
    dessins = carte.evaluate("() => window.__cartesDessins")
    page.get_by_role("radio", name="Non couvert", exact=True).click()
    _attendre_dessins(page, dessins + 1)
    expect(page.frame_locator(IFRAME_CARTE).first.locator(".legende-carte")).to_contain_text("Critère non rempli")
    apres = carte.evaluate("(_, code) => { const t = " + CHERCHER + "(code); return [t.p.__marque === 1, t.p._map === window.map,"
                           " !t.p.__retire]; }", "59350")
    assert apres == [True, True, True]  # même objet, resté sur la carte
    assert carte.evaluate("() => window.__derniersPolygones") >= 34_800
    # Seuls les polygones dont la classe change sont restylés : chacun a bien la couleur de sa classe.
    assert carte.evaluate(STYLES_FAUX) == {"faux": 0, "gris": carte.evaluate(STYLES_FAUX)["gris"]}
    assert carte.evaluate(STYLES_FAUX)["gris"] > 1000  # « Critère non rempli » : les communes couvertes
    dessins = carte.evaluate("() => window.__cartesDessins")
    page.get_by_role("radio", name="Critère principal", exact=True).click()
    _attendre_dessins(page, dessins + 1)
    expect(page.frame_locator(IFRAME_CARTE).first.locator(".legende-carte")).to_contain_text("Zones blanches")
    assert carte.evaluate(STYLES_FAUX)["faux"] == 0
    page.screenshot(path=ARTEFACTS / "cartes_valeurs_communes_france.png")
    assert requetes_bloquees == []
