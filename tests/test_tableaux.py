"""Tableaux montrés aux personnes, page par page (AppTest depuis `app.py`) : ni « nan » ni « None », aucun code
interne à la place de son libellé, le nom à côté des codes de structure et de territoire."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coverage.documents.libelles import LIBELLES_COLONNES, LIBELLES_VALEURS
from tests.fixtures import cellules_affichees

RACINE = Path(__file__).resolve().parent.parent
DELAI = 180
VIDES = {"nan", "NaN", "None", "none", "NaT", "<NA>"}
# Codes internes dont le libellé diffère (« non_couvert » → « Non couvert ») : jamais dans une cellule affichée.
CODES = {code for table in LIBELLES_VALEURS.values() for code, libelle in table.items() if code != libelle}

# (page, réglages de session avant l'affichage) : l'état par défaut et quelques choix.
PARCOURS = [
    ("pages/accueil.py", {}),
    ("pages/couverture.py", {}),
    ("pages/zones_blanches.py", {}),
    ("pages/grands_projets.py", {}),
    ("pages/simulation.py", {"simulation_rubrique": "allocation"}),
    ("pages/simulation.py", {"simulation_rubrique": "dossiers"}),
    ("pages/simulation.py", {"simulation_rubrique": "impact"}),
    ("pages/simulation.py", {"simulation_rubrique": "scenarios"}),
    ("pages/simulation.py", {"simulation_rubrique": "placements"}),
    ("pages/comite.py", {}),
    ("pages/comite.py", {"comite_ecran": "synthese"}),
    ("pages/donnees.py", {"donnees_rubrique": "versions"}),
    ("pages/donnees.py", {"donnees_rubrique": "sources"}),
    ("pages/bilans.py", {"bilans_section": "remises"}),
    ("pages/bilans.py", {"bilans_section": "indicateurs"}),
    ("pages/bilans.py", {"bilans_section": "fiche"}),
]


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    at.run()
    assert not at.exception, at.exception
    return at


def _page(at: AppTest, chemin: str, reglages: dict) -> AppTest:
    at.switch_page(chemin)
    for cle, valeur in reglages.items():
        at.session_state[cle] = valeur
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tableaux(at: AppTest) -> list:
    return [cellules_affichees(d) for d in at.dataframe if d.editing_mode == "read_only"]


@pytest.mark.parametrize(("chemin", "reglages"), PARCOURS, ids=[f"{c.split('/')[-1]}{r}" for c, r in PARCOURS])
def test_aucun_vide_ni_code_interne_dans_les_tableaux(app, chemin, reglages):
    at = _page(app, chemin, reglages)
    for table in _tableaux(at):
        for colonne in table.columns:
            valeurs = set(table[colonne].astype(str).str.strip())
            assert not valeurs & VIDES, (chemin, colonne, valeurs & VIDES)
            assert not valeurs & CODES, (chemin, colonne, valeurs & CODES)
            # un libellé prévu, pas un nom machine à peine retouché (« Etp avant », « Unite »)
            assert colonne in LIBELLES_FRANCAIS, (chemin, colonne)


LIBELLES_FRANCAIS = set(LIBELLES_COLONNES.values()) | {"Structure", "Noms des structures"}


def _cellules(at: AppTest, colonne: str) -> list[str]:
    return [v for t in _tableaux(at) if colonne in t.columns for v in t[colonne]]


def test_noms_a_cote_des_codes_simulation_comite_zones_blanches(app):
    at = _page(app, "pages/simulation.py", {"simulation_rubrique": "allocation"})
    regions = _cellules(at, "Région")
    assert "Auvergne-Rhône-Alpes (84)" in regions and all(r.endswith(")") and " (" in r for r in regions)
    structures = _cellules(at, "Structure")
    assert structures and all(s.strip() and not s.startswith("S0") for s in structures)  # un nom, pas « S0001 »
    at = _page(app, "pages/comite.py", {"comite_ecran": "synthese"})
    structures = _cellules(at, "Structure")
    assert structures and all(s.strip() and not s.startswith("S0") for s in structures)
    at = _page(app, "pages/zones_blanches.py", {})
    departements = _cellules(at, "Département")
    assert "Ain (01)" in departements and all(" (" in d for d in departements)
    noms = _cellules(at, "Nom")
    assert noms and all(n.strip() for n in noms)
    at = _page(app, "pages/grands_projets.py", {})
    assert any(d.startswith("Nord (59), Oise (60)") for d in _cellules(at, "Départements"))
