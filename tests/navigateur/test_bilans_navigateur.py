"""La page Bilans dans Chromium, sans internet : carte des remises, indicateurs, import d'un fichier faux refusé."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coverage.modele import BILANS
from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

IFRAME_CARTE = 'iframe[title="streamlit_folium.st_folium"]'
DELAI_MS = 90_000


def test_page_bilans_remises_indicateurs_et_import_refuse(serveur_streamlit, page, requetes_bloquees, tmp_path):
    page.goto(f"{serveur_streamlit}/bilans")
    expect(page.get_by_role("heading", name="Bilans des structures financées")).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_text("Bilans fictifs de démonstration", exact=False).first).to_be_visible(timeout=DELAI_MS)
    cadre = page.frame_locator(IFRAME_CARTE).first
    expect(cadre.locator(".leaflet-container")).to_be_visible(timeout=DELAI_MS)
    expect(cadre.locator(".legende-carte")).to_contain_text("Au moins un bilan manquant", timeout=DELAI_MS)
    expect(page.get_by_text("Par convention")).to_be_visible()

    page.get_by_text("Indicateurs consolidés", exact=True).click()
    expect(page.get_by_text("Heures par ETP (tous marchés)")).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Synthèse PDF")).to_be_visible(timeout=DELAI_MS)

    page.get_by_text("Importer des bilans", exact=True).click()
    faux = tmp_path / "bilans_faux.csv"
    valeurs = {"id_structure": "INCONNUE", "annee": "2025", "periode": "annuel", "date_remise": "15/01/2026",
               "etp_subventionnes": "1", "heures_insertion_total": "100", "heures_insertion_etat": "200",
               "marches_accompagnes_total": "1", "marches_accompagnes_etat": "0", "montant_marches_ht_total": "1",
               "montant_marches_ht_etat": "0", "acheteurs_accompagnes_total": "1", "acheteurs_accompagnes_etat": "0"}
    faux.write_text(";".join(BILANS.noms) + "\n" + ";".join(valeurs.get(n, "") for n in BILANS.noms) + "\n", encoding="utf-8")
    page.locator(".st-key-bilans_fichier input[type=file]").set_input_files(str(faux))
    # le fichier est envoyé au serveur dès qu'il est choisi : attendre qu'il soit listé avant de soumettre
    expect(page.locator(".st-key-bilans_fichier").get_by_text("bilans_faux.csv")).to_be_visible(timeout=DELAI_MS)
    page.get_by_label("Votre nom").fill("DREETS test")
    page.get_by_label("Votre nom").press("Tab")
    page.get_by_role("button", name="Valider et importer").click()
    expect(page.get_by_text("rien n'a été importé", exact=False)).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_text("bilans_faux.csv, ligne 2, colonne `id_structure`", exact=False)).to_be_visible()
    expect(page.get_by_text("bilans_faux.csv, ligne 2, colonne `heures_insertion_etat`", exact=False)).to_be_visible()
    page.screenshot(path=ARTEFACTS / "bilans_import_refuse.png", full_page=True)
    assert requetes_bloquees == []


def test_carte_des_remises_contours_telecharges_une_fois(serveur_streamlit, page, requetes_bloquees):
    """La carte des remises prend les contours des départements dans un fichier statique, téléchargé une fois :
    après un passage par une autre vue, la carte revient sans nouveau téléchargement."""
    geo: list[str] = []
    page.on("request", lambda r: geo.append(r.url.split("/app/static/geo/")[1]) if "/app/static/geo/" in r.url else None)
    page.goto(f"{serveur_streamlit}/bilans")
    cadre = page.frame_locator(IFRAME_CARTE).first
    expect(cadre.locator(".legende-carte")).to_contain_text("Au moins un bilan manquant", timeout=DELAI_MS)
    assert cadre.locator("body").evaluate("() => window.__derniersPolygones") >= 100  # les départements, France entière
    page.get_by_text("Indicateurs consolidés", exact=True).click()
    expect(page.get_by_text("Heures par ETP (tous marchés)")).to_be_visible(timeout=DELAI_MS)
    page.get_by_text("Remise des bilans", exact=True).click()
    expect(cadre.locator(".legende-carte")).to_contain_text("Au moins un bilan manquant", timeout=DELAI_MS)
    page.wait_for_function("() => (document.querySelector('" + IFRAME_CARTE + "').contentWindow.__derniersPolygones || 0) >= 100",
                           timeout=DELAI_MS)
    assert [n.split(".")[0] for n in geo] == ["departement"]  # une seule fois pour l'onglet
    assert requetes_bloquees == []
