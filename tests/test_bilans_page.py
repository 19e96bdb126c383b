"""Page Bilans (AppTest depuis app.py) : remises, indicateurs, fiche, import valide et invalide, démo fictive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import _textes as textes_des_pages

RACINE = Path(__file__).resolve().parent.parent
DELAI = 180


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    app.run()
    app.switch_page("pages/bilans.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _textes(at: AppTest) -> str:
    return textes_des_pages(at) + "\n" + "\n".join(str(t.value) for t in at.text)


def test_remises_de_la_demo_au_1er_janvier_2026(at):
    assert at.title[0].value == "Bilans des structures financées"
    assert "Bilans fictifs de démonstration" in _textes(at)
    at.date_input(key="bilans_au").set_value(dt.date(2026, 1, 1)).run()
    assert at.selectbox(key="bilans_annee").value == 2024
    metriques = {m.label: m.value for m in at.metric}
    # démo 2024 : 359 conventions, 718 bilans attendus ; tous échus au 01/01/2026
    assert set(metriques) == {"Reçu", "Reçu en retard", "À venir", "En retard", "Manquant"}
    total = sum(int(v.replace("\u202f", "").replace("\xa0", "")) for v in metriques.values())
    assert total == 718
    assert metriques["À venir"] == "0"
    assert int(metriques["Manquant"]) > 0 and int(metriques["Reçu en retard"]) > 0
    assert "bilan intermédiaire dû le 28/02/2025, bilan annuel le 31/08/2025" in _textes(at)


def test_indicateurs_et_graphiques(at):
    at.segmented_control(key="bilans_section").set_value("indicateurs").run()
    assert not at.exception, [e.value for e in at.exception]
    metriques = {m.label: m.value for m in at.metric}
    assert "Heures par ETP (tous marchés)" in metriques
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 18  # 18 régions ont des structures financées dans la démo
    at.segmented_control(key="bilans_niveau").set_value("departement").run()
    assert len(at.dataframe[0].value) > 90


def _nombre(texte: str) -> int:
    return int(texte.replace("\u202f", "").replace("\xa0", ""))


def test_reporter_l_echeance_annuelle_change_les_statuts(at):
    at.segmented_control(key="bilans_section").set_value("remises").run()
    avant = {m.label: _nombre(m.value) for m in at.metric}
    assert avant["En retard"] == 0  # au 01/01/2026, les bilans 2024 non reçus sont tous manquants
    # bilan annuel dû le 31/12 (2026 pour la campagne 2025, donc 31/12/2025 pour 2024) : au 01/01/2026, un jour de retard
    at.date_input(key="bilans_ech_annuel").set_value(dt.date(2026, 12, 31)).run()
    assert not at.exception, [e.value for e in at.exception]
    apres = {m.label: _nombre(m.value) for m in at.metric}
    assert apres["En retard"] > 0
    assert apres["Manquant"] == avant["Manquant"] - apres["En retard"]
    assert "bilan annuel le 31/12/2025" in _textes(at)


def test_fiche_d_une_structure(at):
    at.segmented_control(key="bilans_section").set_value("fiche").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="bilans_fiche_structure").value == "S0002"  # première structure conventionnée de la démo
    assert any("Bilans dans le temps" in m.value for m in at.markdown)


def test_simulation_et_comite_montrent_le_dernier_bilan_et_les_signalements(at):
    at.switch_page("pages/simulation.py")
    at.run()
    at.segmented_control(key="simulation_rubrique").set_value("dossiers").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert {"Dernier bilan annuel", "Heures / ETP (bilan)", "Signalement du bilan"} <= set(table.columns)
    assert (table["Dernier bilan annuel"] == 2024).sum() > 0  # structures financées en 2024 : leur bilan annuel 2024
    assert table["Signalement du bilan"].str.contains("manquant|seuil").any()
    textes = _textes(at)
    assert "Seuils réglables dans la page Bilans" in textes
    assert "Dernier bilan annuel" in textes or "Aucun bilan annuel reçu" in textes
    at.switch_page("pages/comite.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Seuils réglables dans la page Bilans" in _textes(at)
