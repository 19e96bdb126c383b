"""Configuration commune : un espace de travail SQLite jetable pour toute la session de tests, et
les fixtures du magasin sur ses deux moteurs.

Les AppTest et les serveurs Streamlit lancés par les tests navigateur héritent de la variable
d'environnement : ils n'écrivent jamais dans `data/espace.sqlite`.

- `serveur_postgres` (session) : un serveur PostgreSQL jetable (`tests/serveur_postgres.py`),
  démarré au premier test qui en a besoin et arrêté à la fin. Sans binaires PostgreSQL, les tests
  qui en ont besoin **échouent** en intégration continue (`CI=true` : une installation cassée ne
  doit pas passer pour un succès) et sont sautés, avec la raison, sur un poste de développement.
- `moteur` : paramètre `sqlite` / `postgresql` ; `nouvelle_cible` : fabrique d'adresses d'espaces
  vides pour ce moteur (un fichier dans `tmp_path`, ou une base neuve sur le serveur de test), les
  espaces PostgreSQL ouverts pendant le test sont fermés et leurs bases supprimées à la fin.
  Un test qui prend `nouvelle_cible` (ou une fixture qui en dépend) tourne donc sur les deux moteurs.
"""

import os
import tempfile
from pathlib import Path

import pytest

_DOSSIER = tempfile.mkdtemp(prefix="facilitateurs-tests-")
os.environ["FACILITATEURS_ESPACE"] = str(Path(_DOSSIER) / "espace.sqlite")

MOTEURS = ["sqlite", "postgresql"]
RACINE = Path(__file__).resolve().parent.parent


def application_demarree(delai: int = 180):
    """`app.py` exécuté une fois par AppTest, sans exception (première page : l'Accueil)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=delai)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def app():
    """Une application démarrée par module ; un module qui en veut une neuve par test définit la sienne."""
    return application_demarree()


@pytest.fixture(scope="session")
def serveur_postgres():
    from tests.serveur_postgres import ServeurPostgres, dossier_binaires

    binaires = dossier_binaires()
    if binaires is None:
        raison = ("binaires PostgreSQL introuvables (/usr/lib/postgresql/*/bin ou FACILITATEURS_PG_BIN) : "
                  "installez le paquet Debian postgresql (tester.sh le fait sur une machine neuve)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(raison)
        pytest.skip(raison)
    serveur = ServeurPostgres(binaires)
    try:
        serveur.demarrer()
        yield serveur
    finally:
        serveur.arreter()


@pytest.fixture(params=MOTEURS)
def moteur(request) -> str:
    return request.param


@pytest.fixture
def nouvelle_cible(moteur, request, tmp_path, monkeypatch):
    """Fabrique d'adresses d'espaces de travail vides pour le moteur du test : `nouvelle_cible()` → str."""
    if moteur == "sqlite":
        compteur = iter(range(1, 1000))
        yield lambda: str(tmp_path / f"espace_{next(compteur)}.sqlite")
        return
    from coverage.espace.postgres import EspacePostgres

    serveur = request.getfixturevalue("serveur_postgres")
    bases: list[str] = []
    ouverts: list[EspacePostgres] = []
    init = EspacePostgres.__init__

    def init_suivi(self, *args, **kwargs):  # pour fermer en fin de test les espaces ouverts par le test
        init(self, *args, **kwargs)
        ouverts.append(self)

    monkeypatch.setattr(EspacePostgres, "__init__", init_suivi)

    def creer() -> str:
        bases.append(serveur.creer_base())
        return bases[-1]

    try:
        yield creer
    finally:
        for espace in ouverts:
            espace.fermer()
        for url in bases:
            serveur.supprimer_base(url)
