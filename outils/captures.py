"""Captures d'écran de chaque page à 1366×768 (portable) et 1920×1080 (projecteur), pour regarder
ce que voit un utilisateur.

Lance l'application (`streamlit run app.py`, espace de travail jetable amorcé avec la démonstration)
et Chromium de Debian sans accès à internet, puis écrit dans `artefacts/captures/` (non versionné) :
- `<page>-<largeur>x<hauteur>.png` : le premier écran, tel qu'il s'affiche sans défiler ;
- `<page>-<largeur>x<hauteur>-complete.png` : la page entière ;
- `comite_presentation-…` : le comité en mode présentation.

    .venv/bin/python outils/captures.py [page …]     # ex. : outils/captures.py accueil comite
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("FACILITATEURS_ESPACE", str(Path(tempfile.mkdtemp(prefix="captures-")) / "espace.sqlite"))

from tests.navigateur.conftest import ARGUMENTS_CHROMIUM, CHROMIUM, HOTES_LOCAUX, serveur  # noqa: E402

PAGES = {
    "accueil": "", "couverture": "couverture", "zones_blanches": "zones_blanches", "grands_projets": "grands_projets",
    "simulation": "simulation", "comite": "comite", "donnees": "donnees",
}
ECRANS = [(1366, 768), (1920, 1080)]
DOSSIER = RACINE / "artefacts" / "captures"
DELAI_MS = 120_000


def attendre_fin_execution(onglet) -> None:
    """Attend que le script Streamlit ait fini et que les cartes présentes soient dessinées."""
    for _ in range(DELAI_MS // 500):  # une relance (st.rerun) repasse brièvement par « notRunning » : deux constats à 0,5 s
        onglet.wait_for_selector('[data-test-script-state="notRunning"]', timeout=DELAI_MS)
        onglet.wait_for_timeout(500)
        if onglet.locator('[data-test-script-state="notRunning"]').count() and not onglet.locator('[data-testid="stSpinner"]').count():
            break
    cadres = onglet.locator('iframe[title="streamlit_folium.st_folium"]')
    for i in range(cadres.count()):
        onglet.frame_locator('iframe[title="streamlit_folium.st_folium"]').nth(i).locator(".leaflet-container").wait_for(timeout=DELAI_MS)
    onglet.wait_for_timeout(1500)  # fin des transitions (cadrage Leaflet, polices) : capture, pas un test


def capturer(url: str, pages: list[str]) -> list[Path]:
    from urllib.parse import urlparse

    from playwright.sync_api import sync_playwright

    DOSSIER.mkdir(parents=True, exist_ok=True)
    ecrites = []
    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM, headless=True)
        try:
            for largeur, hauteur in ECRANS:
                contexte = navigateur.new_context(viewport={"width": largeur, "height": hauteur}, locale="fr-FR")
                contexte.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in HOTES_LOCAUX else r.abort())
                onglet = contexte.new_page()
                for nom in pages:
                    onglet.goto(f"{url}/{PAGES[nom]}")
                    attendre_fin_execution(onglet)
                    ecrites += _enregistrer(onglet, f"{nom}-{largeur}x{hauteur}")
                    if nom == "comite":
                        onglet.get_by_text("Mode présentation (projecteur)").click()
                        onglet.get_by_role("button", name="Quitter le mode présentation").wait_for(timeout=DELAI_MS)
                        attendre_fin_execution(onglet)
                        ecrites += _enregistrer(onglet, f"comite_presentation-{largeur}x{hauteur}")
                        onglet.get_by_role("button", name="Quitter le mode présentation").click()
                        attendre_fin_execution(onglet)
                contexte.close()
        finally:
            navigateur.close()
    return ecrites


def _enregistrer(onglet, base: str) -> list[Path]:
    premier, complete = DOSSIER / f"{base}.png", DOSSIER / f"{base}-complete.png"
    onglet.screenshot(path=premier)
    onglet.screenshot(path=complete, full_page=True)
    return [premier, complete]


def main(arguments: list[str]) -> int:
    inconnues = [a for a in arguments if a not in PAGES]
    if inconnues:
        print(f"Page(s) inconnue(s) : {', '.join(inconnues)} (attendu : {', '.join(PAGES)})", file=sys.stderr)
        return 1
    with serveur(RACINE / "app.py", cwd=RACINE) as url:
        for chemin in capturer(url, arguments or list(PAGES)):
            print(chemin.relative_to(RACINE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
