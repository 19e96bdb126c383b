"""Tests navigateur : Streamlit lancé pour de vrai, Chromium de Debian piloté par Playwright.

- `serveur_streamlit` (module) : `streamlit run <script>` sur un port libre, prêt quand
  `/_stcore/health` répond `ok`, arrêté dans un `finally`. Script par défaut : `app.py` ; un test
  en choisit un autre par paramétrage indirect :
  `@pytest.mark.parametrize("serveur_streamlit", [SCRIPT], indirect=True, ids=["demo"])`.
- `navigateur` (module) : Chromium headless (`/usr/bin/chromium`), sans réseau de fond.
- `page` : un onglet dont toute requête vers un autre hôte que 127.0.0.1/localhost est bloquée et
  notée dans `requetes_bloquees` ; capture d'écran dans `artefacts/` si le test échoue.

Les tests sont marqués `navigateur` (marqueur déclaré dans `pytest.ini`) :
`pytest -m "not navigateur"` les saute.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

RACINE = Path(__file__).resolve().parents[2]
ARTEFACTS = RACINE / "artefacts"
CHROMIUM = "/usr/bin/chromium"
ARGUMENTS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
HOTES_LOCAUX = {"127.0.0.1", "localhost"}
ESSAIS_SANTE = 600  # × INTERVALLE_SANTE = 60 s au plus pour démarrer
INTERVALLE_SANTE = 0.1  # secondes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Garde le rapport de chaque phase sur l'item : la fixture `page` sait si le test a échoué."""
    rapport = yield
    setattr(item, f"rapport_{rapport.when}", rapport)
    return rapport


def port_libre() -> int:
    """Un port TCP libre, choisi par le système (liaison au port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sante(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reponse:
            return reponse.status == 200 and reponse.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def serveur(
    script: Path | str,
    *,
    cwd: Path = RACINE,
    port: int | None = None,
    arguments: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Lance `streamlit run script` et donne l'URL de base quand le serveur est prêt.

    `port` (un port libre sinon), `arguments` ajoutés à la commande (ex. `--secrets.files`),
    `env` ajouté à l'environnement (ex. `FACILITATEURS_ESPACE`).
    """
    port = port or port_libre()
    url = f"http://127.0.0.1:{port}"
    ARTEFACTS.mkdir(exist_ok=True)
    journal_chemin = ARTEFACTS / f"streamlit-{Path(script).stem}.log"
    python = RACINE / ".venv" / "bin" / "python"
    commande = [
        str(python if python.exists() else sys.executable),
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *arguments,
    ]
    with open(journal_chemin, "w", encoding="utf-8") as journal:
        processus = subprocess.Popen(
            commande, cwd=cwd, stdout=journal, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        try:
            for _ in range(ESSAIS_SANTE):
                if processus.poll() is not None:
                    raise RuntimeError(
                        f"streamlit s'est arrêté (code {processus.returncode}) : "
                        f"{journal_chemin.read_text(encoding='utf-8')[-2000:]}"
                    )
                if _sante(url):
                    break
                time.sleep(INTERVALLE_SANTE)
            else:
                raise RuntimeError(
                    f"streamlit ne répond pas sur {url}/_stcore/health après "
                    f"{ESSAIS_SANTE * INTERVALLE_SANTE:.0f} s (journal : {journal_chemin})."
                )
            yield url
        finally:
            processus.terminate()
            try:
                processus.wait(timeout=15)
            except subprocess.TimeoutExpired:
                processus.kill()
                processus.wait(timeout=15)


@pytest.fixture(scope="module")
def serveur_streamlit(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL de base d'un `streamlit run` (script : paramètre indirect, sinon `app.py`)."""
    script = getattr(request, "param", RACINE / "app.py")
    with serveur(script, cwd=RACINE) as url:
        yield url


@pytest.fixture(scope="module")
def navigateur():
    """Chromium de Debian en headless (Playwright ne télécharge aucun navigateur)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} absent : installer le paquet Debian `chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def requetes_bloquees() -> list[str]:
    """URL que la page a tenté de charger hors de 127.0.0.1/localhost (toutes bloquées)."""
    return []


@pytest.fixture
def page(navigateur, requetes_bloquees: list[str], request: pytest.FixtureRequest):
    """Un onglet 1400×1000 sans accès à internet ; capture d'écran en cas d'échec."""
    contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")

    def filtrer(route) -> None:
        if urlparse(route.request.url).hostname in HOTES_LOCAUX:
            route.continue_()
        else:
            requetes_bloquees.append(route.request.url)
            route.abort()

    contexte.route("**/*", filtrer)
    onglet = contexte.new_page()
    try:
        yield onglet
    finally:
        rapport = getattr(request.node, "rapport_call", None)
        if rapport is not None and rapport.failed:
            ARTEFACTS.mkdir(exist_ok=True)
            onglet.screenshot(path=ARTEFACTS / f"echec-{_nom_fichier(request.node.name)}.png")
        contexte.close()


def _nom_fichier(nom: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in nom)
