"""Règles de la maison sur le code : sens des imports, streamlit hors du domaine, tailles.

Les imports sont lus dans le texte (module `ast`), sans rien exécuter : une règle violée nomme le
fichier, la ligne et l'import fautif.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent

# Ce que chaque salle de `coverage/` peut importer du domaine (en plus d'elle-même).
# Les feuilles `documents.format` et `documents.exports` ne dépendent que du modèle : tout le monde
# peut s'en servir. `territoires` n'importe jamais `financement` ; `sources` ne touche jamais le magasin.
FEUILLES = {"coverage.modele", "coverage.documents.format", "coverage.documents.exports"}
PERMIS: dict[str, set[str]] = {
    "coverage": set(),
    "coverage.modele": set(),
    "coverage.documents.format": {"coverage.modele"},
    "coverage.documents.exports": {"coverage.modele", "coverage.documents.format"},
    "coverage.sources": FEUILLES,
    "coverage.territoires": FEUILLES | {"coverage.sources"},
    "coverage.espace": FEUILLES,
    "coverage.financement": FEUILLES | {"coverage.sources", "coverage.territoires", "coverage.espace"},
    "coverage.bilans": FEUILLES | {"coverage.sources", "coverage.territoires", "coverage.espace",
                                   "coverage.financement"},
    "coverage.documents": FEUILLES | {"coverage.sources", "coverage.territoires", "coverage.espace",
                                      "coverage.financement", "coverage.bilans"},
    "coverage.demo": FEUILLES | {"coverage.sources", "coverage.territoires", "coverage.espace",
                                 "coverage.financement", "coverage.bilans", "coverage.documents"},
    "coverage.cli": {"coverage"},
    "coverage.__main__": {"coverage"},
}


def _module(chemin: Path) -> str:
    parties = chemin.relative_to(RACINE).with_suffix("").parts
    return ".".join(parties[:-1] if parties[-1] == "__init__" else parties)


def _salle(module: str) -> str:
    """La règle la plus précise qui s'applique à `module` (préfixe le plus long de PERMIS)."""
    candidats = [r for r in PERMIS if module == r or module.startswith(r + ".")]
    return max(candidats, key=len)


def _imports(source: str, module: str) -> list[tuple[int, str]]:
    """(ligne, module importé) de chaque import de `coverage.…` dans `source`."""
    trouves = []
    for noeud in ast.walk(ast.parse(source)):
        if isinstance(noeud, ast.Import):
            trouves += [(noeud.lineno, a.name) for a in noeud.names]
        elif isinstance(noeud, ast.ImportFrom):
            assert not noeud.level, f"{module} ligne {noeud.lineno} : import relatif (la maison importe en absolu)"
            base = noeud.module or ""
            trouves += [(noeud.lineno, f"{base}.{a.name}" if base == "coverage" else base) for a in noeud.names]
    return [(ligne, nom) for ligne, nom in trouves if nom.startswith("coverage.")]


def violations_imports(fichiers: dict[str, str]) -> list[str]:
    """Imports interdits parmi `fichiers` (nom de module → source), en phrases lisibles."""
    fautes = []
    for module, source in fichiers.items():
        salle = _salle(module)
        permis = PERMIS[salle]
        for ligne, importe in _imports(source, module):
            if importe.startswith(salle + ".") or importe == salle:
                continue
            if not any(importe == p or importe.startswith(p + ".") for p in permis):
                fautes.append(f"{module} ligne {ligne} : `{importe}` interdit dans {salle}")
    return fautes


def _sources(dossier: str) -> dict[str, str]:
    return {_module(p): p.read_text(encoding="utf-8") for p in sorted((RACINE / dossier).rglob("*.py"))}


def test_les_imports_du_domaine_vont_dans_un_seul_sens():
    assert violations_imports(_sources("coverage")) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("coverage.territoires.zones_blanches", "from coverage.financement.regles import evaluer_dossiers"),
        ("coverage.sources.donnees", "from coverage.espace import ouvrir_espace"),
        ("coverage.sources.lecture", "import coverage.espace.sqlite"),
        ("coverage.modele", "from coverage.territoires import couverture"),
        ("coverage.documents.format", "from coverage.financement import parametres"),
        ("coverage.financement.comite", "from coverage.cli import main"),
    ],
    ids=["territoires→financement", "sources→magasin", "sources→magasin (import)", "modele→territoires",
         "feuille format→financement", "financement→cli"],
)
def test_un_import_interdit_est_signale(module, source):
    fautes = violations_imports({module: source})
    assert len(fautes) == 1 and module in fautes[0]


def test_un_import_permis_passe():
    assert violations_imports({"coverage.financement.simulation": "from coverage.territoires.couverture import x\n"
                                                                   "from coverage.documents.format import f"}) == []


@pytest.mark.parametrize("dossier", ["geo", "coverage"])
def test_le_domaine_n_importe_pas_streamlit(dossier):
    fautifs = []
    for module, source in _sources(dossier).items():
        for noeud in ast.walk(ast.parse(source)):
            noms = ([a.name for a in noeud.names] if isinstance(noeud, ast.Import)
                    else [noeud.module or ""] if isinstance(noeud, ast.ImportFrom) else [])
            fautifs += [module for n in noms if n.split(".")[0] == "streamlit"]
    assert fautifs == []


# Restructuration en cours (chacun retire sa ligne en découpant le module ou la fonction) :
# une entrée qui n'est plus trop longue fait échouer le test, pour que la liste ne garde rien de périmé.
EN_COURS_DE_DECOUPAGE: set[str] = set()


def _sans_restructuration_en_cours(trop_longs: dict[str, int], dossier: str) -> dict[str, int]:
    return {k: n for k, n in trop_longs.items() if k not in EN_COURS_DE_DECOUPAGE}


@pytest.mark.parametrize("dossier", ["geo", "coverage", "ui"])
def test_aucun_module_de_plus_de_800_lignes(dossier):
    longs = {str(p.relative_to(RACINE)): n for p in (RACINE / dossier).rglob("*.py")
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800}
    assert _sans_restructuration_en_cours(longs, dossier) == {}
    assert {e for e in EN_COURS_DE_DECOUPAGE if e.startswith(dossier + "/") and ":" not in e} <= set(longs)


@pytest.mark.parametrize("dossier", ["geo", "coverage", "ui", "pages"])
def test_aucune_fonction_de_plus_de_120_lignes(dossier):
    longues = {}
    for p in (RACINE / dossier).rglob("*.py"):
        for noeud in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(noeud, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (n := noeud.end_lineno - noeud.lineno + 1) > 120:
                    longues[f"{p.relative_to(RACINE)}:{noeud.name}"] = n
    assert _sans_restructuration_en_cours(longues, dossier) == {}
    assert {e for e in EN_COURS_DE_DECOUPAGE if e.startswith(dossier + "/") and ":" in e} <= set(longues)


def test_coverage_est_range_par_salles():
    """Au plus quatre modules à la racine de `coverage/` ; chaque salle dit dans son __init__ ce qu'elle contient."""
    modules = sorted(p.name for p in (RACINE / "coverage").glob("*.py"))
    assert len(modules) <= 4, modules
    for salle in (RACINE / "coverage").iterdir():
        if salle.is_dir() and salle.name != "__pycache__":
            doc = ast.get_docstring(ast.parse((salle / "__init__.py").read_text(encoding="utf-8")))
            assert doc and "import" in doc, salle.name
