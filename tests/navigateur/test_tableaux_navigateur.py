"""Tableaux lus dans Chromium réglé en anglais (en-US) : les montants et parts restent écrits à la française.

La grille de `st.dataframe` est dessinée sur un canevas (glide-data-grid). Sa table accessible (`role="grid"`)
porte la valeur brute de chaque case (`47754`), pas le texte dessiné : le test enregistre donc chaque texte que la
page écrit sur un canevas (`fillText`, espionné avant le chargement de la page) et lit celui-là.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.navigateur

SCRIPT = Path(__file__).with_name("app_tableau_demo.py")
DELAI_MS = 60_000
ESPION = """
window.__textes_dessines = [];
const origine = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (texte, ...reste) {
  window.__textes_dessines.push(String(texte));
  return origine.call(this, texte, ...reste);
};
"""


@pytest.fixture
def page_anglaise(navigateur, requetes_bloquees):
    contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    contexte.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost")
                   else (requetes_bloquees.append(route.request.url), route.abort()))
    contexte.add_init_script(ESPION)
    onglet = contexte.new_page()
    try:
        yield onglet
    finally:
        contexte.close()


def _textes_dessines(page) -> list[str]:
    for rang in (0, 1):
        expect(page.locator('[data-testid="stDataFrame"]').nth(rang)).to_be_visible(timeout=DELAI_MS)
    page.wait_for_function("window.__textes_dessines.some(t => t.includes('Structure B'))", timeout=DELAI_MS)
    page.wait_for_timeout(500)
    return page.evaluate("window.__textes_dessines")


@pytest.mark.parametrize("serveur_streamlit", [SCRIPT], indirect=True)
def test_montants_et_parts_a_la_francaise_dans_un_navigateur_anglais(serveur_streamlit, page_anglaise, requetes_bloquees):
    page_anglaise.goto(serveur_streamlit)
    assert page_anglaise.evaluate("navigator.language") == "en-US"
    dessines = _textes_dessines(page_anglaise)
    assert "47\u202f754,00\u00a0€" in dessines and "1\u202f234\u202f567,50\u00a0€" in dessines, dessines
    assert "97,3\u202f%" in dessines and "5,0\u202f%" in dessines and "1,25" in dessines, dessines
    assert "47754" not in dessines and "0.973" not in dessines
    # Témoin (second tableau) : les formats de colonne de Streamlit suivent la langue du navigateur, ce que
    # la présentation commune évite ; il prouve aussi que l'espion lit bien le texte des cases.
    assert "€47,754.00" in dessines and "97.3%" in dessines, dessines
    assert requetes_bloquees == []
