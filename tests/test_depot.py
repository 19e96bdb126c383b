"""Cohérence du dépôt : navigation, documentation des formats, règles de la maison."""

import re
from pathlib import Path

import pytest

from coverage.modele import SCHEMAS

RACINE = Path(__file__).resolve().parent.parent
README = (RACINE / "README.md").read_text(encoding="utf-8")


def test_chaque_page_est_dans_la_navigation():
    app = (RACINE / "app.py").read_text(encoding="utf-8")
    declarees = set(re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', app))
    fichiers = {f"pages/{p.name}" for p in (RACINE / "pages").glob("*.py")}
    assert declarees == fichiers


@pytest.mark.parametrize("schema", list(SCHEMAS.values()), ids=list(SCHEMAS))
def test_chaque_colonne_des_modeles_est_documentee_dans_le_readme(schema):
    manquantes = [c.nom for c in schema.colonnes if f"`{c.nom}`" not in README]
    assert manquantes == []


def test_chaque_document_de_docs_est_lie_depuis_le_readme():
    for doc in (RACINE / "docs").glob("*.md"):
        assert f"docs/{doc.name}" in README, doc.name


def test_la_commande_de_test_du_readme_est_celle_de_la_ci():
    assert "./tester.sh" in README
    assert "tester.sh" in (RACINE / ".ci" / "run").read_text(encoding="utf-8")


def test_aucune_ressource_tierce_committee():
    """Leaflet vient du paquet pip au démarrage : aucun .js ou .css tiers dans le dépôt.

    Seul le code écrit pour l'application est permis, dans `geo/js/` (les couches de valeurs des cartes,
    `carte_valeurs.js`), et il le dit dès sa première ligne.
    """
    import subprocess

    suivis = subprocess.run(["git", "ls-files"], cwd=RACINE, capture_output=True, text=True, check=True).stdout.split()
    ressources = [f for f in suivis if f.endswith((".js", ".css"))]
    assert [f for f in ressources if not f.startswith("geo/js/")] == []
    for f in ressources:
        entete = (RACINE / f).read_text(encoding="utf-8")[:600]
        assert "Écrit pour l'application" in entete and "Leaflet" in entete, f


_CHEMIN_DE_CODE = re.compile(r"\b(?:coverage|geo)/[A-Za-z0-9_/]*(?:\.py\b|/(?![A-Za-z0-9_*]))")


def chemins_de_code_absents(texte: str) -> list[str]:
    """Les chemins `coverage/…py`, `geo/…py` (ou dossiers `coverage/…/`) cités dans `texte` qui n'existent pas."""
    return sorted({c for c in _CHEMIN_DE_CODE.findall(texte) if not (RACINE / c).exists()})


@pytest.mark.parametrize("document", ["README.md", *sorted(f"docs/{p.name}" for p in (RACINE / "docs").glob("*.md"))])
def test_chaque_chemin_de_code_cite_existe(document):
    assert chemins_de_code_absents((RACINE / document).read_text(encoding="utf-8")) == []


def test_un_chemin_de_code_perime_est_signale():
    # L'ancien module d'avant la restructuration en salles, et un dossier qui n'existe pas.
    assert chemins_de_code_absents("voir `coverage/grands_projets.py` et `coverage/cartes/`, `geo/reference.py`") == [
        "coverage/cartes/",
        "coverage/grands_projets.py",
    ]
