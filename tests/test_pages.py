"""Chaque page de l'application, exécutée par AppTest depuis le point d'entrée `app.py`."""

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.cli import main as ligne_de_commande
from ui.texte import lu

RACINE = Path(__file__).resolve().parent.parent
DELAI = 120


def _page(app: AppTest, chemin: str) -> AppTest:
    app.switch_page(chemin)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _textes(at: AppTest) -> str:
    morceaux = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    morceaux += [i.value for i in at.info] + [e.value for e in at.error] + [s.value for s in at.success]
    return lu("\n".join(str(m) for m in morceaux))


def test_accueil_chiffres_cles_et_millesime(app):
    at = _page(app, "pages/accueil.py")
    assert at.title[0].value == "Facilitateurs de la clause sociale d'insertion"
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Communes"] == "34\u00a0875"
    assert metriques["EPCI à fiscalité propre"] == "1\u00a0255"
    assert metriques["Départements"] == "101"
    assert "COG 2026" in _textes(at)
    assert "Données fictives de démonstration" in _textes(at)


def test_couverture_chiffres_de_la_france_entiere(app):
    at = _page(app, "pages/couverture.py")
    assert at.title[0].value == "Couverture des territoires"
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["ETP de facilitateurs"] == "599,5"
    assert re.fullmatch(r"\d+,\d\u00a0%", metriques["Population couverte"])
    assert len(at.dataframe) >= 1


def test_couverture_selection_d_un_departement(app):
    at = _page(app, "pages/couverture.py")
    at.sidebar.selectbox(key="couverture_region").set_value("84").run()
    at.sidebar.selectbox(key="couverture_departement").set_value("01").run()
    assert not at.exception
    assert any("Communes — Ain (01)" in s.value for s in at.subheader)
    # Le territoire suit l'utilisateur sur toutes les pages : revenir à la France entière pour les tests suivants.
    at.sidebar.selectbox(key="couverture_departement").set_value(None).run()
    at.sidebar.selectbox(key="couverture_region").set_value(None).run()


def test_couverture_et_si_ajout_d_un_territoire(app):
    at = _page(app, "pages/couverture.py")
    at.session_state["couverture_modifs"] = [{"type": "etp", "id_structure": "S0001", "etp": 10.0}]
    at.run()
    assert not at.exception
    metriques = {m.label: m.value for m in at.metric}
    # S0001 passe de 4 à 10 ETP : + 6 ETP sur la France entière
    assert metriques["ETP de facilitateurs"].startswith("605,5")


def test_zones_blanches(app):
    at = _page(app, "pages/zones_blanches.py")
    assert at.title[0].value == "Zones blanches"
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["dont non couverts"] == "554"  # EPCI sans facilitateur dans la démo (voir Couverture)
    assert int(metriques["Zones blanches"].replace("\u00a0", "")) >= 554
    assert "échantillon DECP fictif" in _textes(at)


def test_grands_projets(app):
    at = _page(app, "pages/grands_projets.py")
    assert at.title[0].value == "Grands projets"
    assert "Canal Seine-Nord Europe" in _textes(at)


def test_simulation_allocation_dans_l_enveloppe(app):
    at = _page(app, "pages/simulation.py")
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Enveloppe"] == "4\u00a0500\u00a0000\u00a0€"
    attribue = int(metriques["Attribué"].replace("\u00a0", "").replace("€", ""))
    assert 0 < attribue <= 4_500_000


def test_simulation_mode_optimisation(app):
    at = _page(app, "pages/simulation.py")
    at.sidebar.radio(key="simulation_mode").set_value("optimisation").run()
    assert not at.exception
    assert any("optimal" in c.value.lower() or "solution" in c.value.lower() for c in at.caption)


def test_comite(app):
    at = _page(app, "pages/comite.py")
    assert at.title[0].value.startswith("Comité régional de sélection — ")  # une région par défaut


def test_donnees_modeles_et_sources(app):
    at = _page(app, "pages/donnees.py")
    assert at.title[0].value == "Données"
    assert "structures" in _textes(at)


@pytest.mark.parametrize("rubrique", ["impact", "dossiers", "placements", "scenarios", "enveloppes"])
def test_simulation_rubriques(app, rubrique):
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value(rubrique).run()
    assert not at.exception, [e.value for e in at.exception]


def test_simulation_le_curseur_d_enveloppe_borne_l_attribution(app):
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("allocation").run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("nationale").run()
    at.sidebar.select_slider(key="simulation_enveloppe").set_value(1_000_000).run()
    metriques = {m.label: m.value for m in at.metric}
    attribue = int(metriques["Attribué"].replace("\u00a0", "").replace("€", ""))
    assert 900_000 < attribue <= 1_000_000  # l'enveloppe est épuisée, jamais dépassée
    at.sidebar.select_slider(key="simulation_enveloppe").set_value(4_500_000).run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("regionales").run()


def test_simulation_nationale_en_enveloppes_regionales_aucune_region_au_dela(app):
    """Démonstration : la table suggérée (prorata des ETP financés en 2024) est amorcée ; chaque région reste dans la sienne."""
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("allocation").run()
    assert at.sidebar.radio(key="simulation_enveloppes").value == "regionales"
    assert [s.value for s in at.success] == ["Aucune région au-delà de son enveloppe."]
    table = at.dataframe[0].value.data if hasattr(at.dataframe[0].value, "data") else at.dataframe[0].value
    assert (table["Attribué"] <= table["Enveloppe"] + 0.005).all() and len(table) == 18
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Enveloppe"].replace("\u00a0", " ").replace("\u202f", " ") == "4 500 000 €"


def test_simulation_le_curseur_en_mode_priorite_ne_lance_pas_le_solveur(app, monkeypatch):
    # Issue 17 : le volet « Comparer » replié exécutait l'optimisation à chaque mouvement du curseur.
    import coverage.financement.optimisation as optimisation

    appels = []
    solveur = optimisation._appeler_highs
    monkeypatch.setattr(optimisation, "_appeler_highs", lambda *a, **k: appels.append(1) or solveur(*a, **k))
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("allocation").run()
    at.sidebar.radio(key="simulation_mode").set_value("priorite").run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("nationale").run()  # une enveloppe unique : le curseur s'applique
    try:
        at.sidebar.select_slider(key="simulation_enveloppe").set_value(3_050_000).run()  # jamais calculée avant
        assert appels == []
        at.toggle(key="simulation_comparer").set_value(True).run()  # demandé : l'optimisation tourne
        assert len(appels) == 1
    finally:
        at.toggle(key="simulation_comparer").set_value(False).run()
        at.sidebar.select_slider(key="simulation_enveloppe").set_value(4_500_000).run()
        at.sidebar.radio(key="simulation_enveloppes").set_value("regionales").run()


def test_simulation_meme_classement_que_la_ligne_de_commande(app, tmp_path):
    # Issue 14, point 2 : `python -m coverage simuler` et la page appellent la même fonction avec les mêmes
    # entrées (grands projets compris) ; à 2 M€ l'enveloppe coupe la liste, le rang décide de qui est financé.
    sortie = tmp_path / "allocation.csv"
    demo = RACINE / "data" / "demo"
    assert ligne_de_commande([
        "simuler", "--dossiers", str(demo / "dossiers.csv"), "--structures", str(demo / "structures.csv"),
        "--perimetres", str(demo / "perimetres.csv"), "--enveloppe", "2000000", "--sortie", str(sortie),
    ]) == 0
    cli = pd.read_csv(sortie, sep=";", decimal=",", dtype={"id_dossier": str}, encoding="utf-8-sig")
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("allocation").run()
    at.sidebar.radio(key="simulation_mode").set_value("priorite").run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("nationale").run()  # une enveloppe unique, comme --enveloppe
    at.sidebar.select_slider(key="simulation_enveloppe").set_value(2_000_000).run()
    # Le tableau affiché porte les libellés français (coverage.documents.libelles) : retour aux noms machine.
    page = at.dataframe[0].value.rename(columns={"Rang": "rang", "Dossier": "id_dossier", "Montant attribué": "montant_attribue"})
    try:
        classes = lambda t: t.dropna(subset=["rang"]).sort_values("rang")  # noqa: E731
        assert classes(page)["id_dossier"].tolist() == classes(cli)["id_dossier"].tolist()
        assert classes(page)["rang"].astype(int).tolist() == classes(cli)["rang"].astype(int).tolist()
        montants = lambda t: t.set_index("id_dossier")["montant_attribue"].astype(float).round(2).sort_index()  # noqa: E731
        pd.testing.assert_series_equal(montants(page), montants(cli))
        assert 0 < (cli["montant_attribue"] > 0).sum() < cli["rang"].notna().sum()  # une ligne de coupure
    finally:
        at.sidebar.select_slider(key="simulation_enveloppe").set_value(4_500_000).run()
        at.sidebar.radio(key="simulation_enveloppes").set_value("regionales").run()


def test_simulation_liste_et_compare_les_scenarios(app):
    """Deux scénarios de l'espace (la saisie par formulaire est la même API) : listés, comparés sans erreur."""
    import os

    import pandas as pd

    from coverage.espace import EspaceSQLite

    espace = EspaceSQLite(os.environ["FACILITATEURS_ESPACE"])
    lignes = pd.DataFrame({"id_dossier": ["D001", "D002"], "region": ["84", "84"], "montant_attribue": [28_000.0, 0.0],
                           "etp_finances": [1.0, 0.0]})
    for nom, montant in (("Scénario A test", 28_000.0), ("Scénario B test", 14_000.0)):
        espace.enregistrer_scenario(nom=nom, auteur="Agent DREETS", parametres={"mode": "priorite", "enveloppe": 4_500_000},
                                    resultats={"dossiers": lignes.assign(montant_attribue=[montant, 0.0])},
                                    base_version=espace.version_active())
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("scenarios").run()
    assert not at.exception, [e.value for e in at.exception]
    options = at.selectbox(key="simulation_scenario_choix").options
    assert any("Scénario A test" in o for o in options) and any("Scénario B test" in o for o in options)


def test_comite_affiche_la_decision_en_vigueur_et_son_historique(app):
    """Une décision enregistrée (ici directement dans l'espace, la saisie est testée dans le navigateur)
    apparaît sur la fiche du dossier, et sa modification garde l'historique."""
    import os

    from coverage.espace import EspaceSQLite

    at = _page(app, "pages/comite.py")
    comite = at.sidebar.selectbox(key="comite_choix").value
    assert comite != "national"  # une région par défaut (DREETS)
    premier = at.markdown[[m.value for m in at.markdown].index(next(m.value for m in at.markdown if m.value.startswith("## D")))].value
    id_dossier = premier.split()[1]
    espace = EspaceSQLite(os.environ["FACILITATEURS_ESPACE"])
    avant = len(espace.historique_decisions(comite, id_dossier))  # le test navigateur a pu décider avant
    v = espace.enregistrer_decision(comite=comite, id_dossier=id_dossier, decision="ajourne", motif="Pièces à compléter",
                                    auteur="Secrétaire", version_attendue=avant)
    espace.enregistrer_decision(comite=comite, id_dossier=id_dossier, decision="refuse", motif="Diagnostic territorial insuffisant",
                                auteur="Présidente", version_attendue=v)
    at.run()
    assert any("Refusé" in i.value and "Diagnostic territorial insuffisant" in i.value for i in at.info)
    assert len(espace.historique_decisions(comite, id_dossier)) == avant + 2


def test_enveloppes_regionales_repartition_suggeree_et_total(app):
    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("enveloppes").run()
    assert [s.value for s in at.success][0].replace("\u202f", " ").replace("\u00a0", " ") == (
        "Total des enveloppes régionales : 4 500 000 € pour une enveloppe nationale de 4 500 000 € : la répartition est complète.")
    at.radio(key="enveloppes_base").set_value("indice_besoin").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("au prorata de l'indice de besoin" in c.value for c in at.caption)


def test_comite_montre_l_engage_face_a_l_enveloppe_regionale(app):
    """Auvergne-Rhône-Alpes : enveloppe suggérée de 600 000 € sur la démonstration (66 des 495 ETP financés en 2024)."""
    at = _page(app, "pages/comite.py")
    at.sidebar.selectbox(key="comite_choix").set_value("84").run()
    textes = [m.value.replace("\u202f", " ").replace("\u00a0", " ") for m in at.markdown]
    assert any("sur une enveloppe régionale de **600 000 €**" in t for t in textes), textes[:5]


def test_comite_synthese_signale_les_decisions_manquantes(app):
    at = _page(app, "pages/comite.py")
    at.segmented_control(key="comite_ecran").set_value("synthese").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Procès-verbal définitif indisponible" in w.value for w in at.warning)
    assert at.get("download_button") is not None


@pytest.mark.parametrize("rubrique", ["versions", "besoins", "sources"])
def test_donnees_rubriques(app, rubrique):
    at = _page(app, "pages/donnees.py")
    at.segmented_control(key="donnees_rubrique").set_value(rubrique).run()
    assert not at.exception, [e.value for e in at.exception]


def test_couverture_cantal_signale_les_communes_sans_contour(app):
    """Les 4 communes rétablies en 2025 n'ont pas de contour IGN : la carte communale le dit."""
    at = _page(app, "pages/couverture.py")
    at.sidebar.selectbox(key="couverture_region").set_value("84").run()
    at.sidebar.selectbox(key="couverture_departement").set_value("15").run()
    assert not at.exception
    assert any("Celles (15031)" in c.value and "sans contour" in c.value for c in at.caption)
    at.sidebar.selectbox(key="couverture_departement").set_value(None).run()
    at.sidebar.selectbox(key="couverture_region").set_value(None).run()
