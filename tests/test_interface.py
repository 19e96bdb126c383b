"""Parcours d'interface (AppTest depuis `app.py`) : mode présentation du comité, dossier retenu par
comité, simulation « et si » à plusieurs modifications, texte des utilisateurs affiché comme du texte."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import application_demarree
from tests.fixtures import cellules_affichees
from ui.texte import GLUON, liste, texte

RACINE = Path(__file__).resolve().parent.parent
DELAI = 120
HOSTILE = "![p](http://exemple.invalid/p.png) [Cliquez ici](https://exemple.invalid/)"


@pytest.fixture
def app():  # une application neuve par test : les choix gardés d'une page à l'autre ne passent pas d'un test au suivant
    return application_demarree(DELAI)


def _page(at: AppTest, chemin: str) -> AppTest:
    at.switch_page(chemin)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _dossier_affiche(at: AppTest) -> str:
    titre = next(m.value for m in at.markdown if m.value.startswith("## "))
    return titre.split()[1]


def _position(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Dossier " in m.value and " / " in m.value)


def test_quitter_le_mode_presentation_garde_le_comite_et_le_dossier(app):
    at = _page(app, "pages/comite.py")
    at.sidebar.selectbox(key="comite_choix").set_value("84").run()
    at.sidebar.toggle(key="comite_presentation").set_value(True).run()
    at.button(key="comite_suiv").click().run()
    dossier = _dossier_affiche(at)
    assert "Dossier 2 /" in _position(at)
    at.button(key="comite_quitter").click().run()
    # avant : StreamlitWidgetAlreadyInstantiatedError à l'écran, volet latéral toujours masqué
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.toggle(key="comite_presentation").value is False
    assert not any("stSidebar" in h.proto.body for h in at.get("html"))  # le style qui masque le volet est retiré
    assert at.sidebar.selectbox(key="comite_choix").value == "84"
    assert _dossier_affiche(at) == dossier


def test_le_comite_ne_montre_jamais_le_dossier_d_un_autre_comite_au_meme_rang(app):
    at = _page(app, "pages/comite.py")
    at.sidebar.selectbox(key="comite_choix").set_value("84").run()
    premier_bretagne = None
    for _ in range(2):
        at.button(key="comite_suiv").click().run()
    dossier_ara = _dossier_affiche(at)
    assert "Dossier 3 /" in _position(at)
    at.sidebar.selectbox(key="comite_choix").set_value("53").run()  # Bretagne : son premier dossier
    assert "Dossier 1 /" in _position(at)
    premier_bretagne = _dossier_affiche(at)
    assert premier_bretagne != dossier_ara
    at.sidebar.selectbox(key="comite_choix").set_value("84").run()  # retour : le dossier qu'on regardait
    assert _dossier_affiche(at) == dossier_ara


def test_et_si_deux_modifications_comptees_des_le_second_clic(app):
    """S0001 passe de 4 à 10 ETP (+ 6), puis S0002 de 0,5 à 5 ETP (+ 4,5) : 599,5 + 10,5 = 610,0 ETP dès le second clic."""
    at = _page(app, "pages/couverture.py")
    assert {m.label: m.value for m in at.metric}["ETP de facilitateurs"] == "599,5"
    for ident, etp in (("S0001", 10.0), ("S0002", 5.0)):
        formulaire = [s for s in at.selectbox if s.label == "Structure"][0]
        formulaire.set_value(ident)
        [n for n in at.number_input if n.label == "Nouveaux ETP"][0].set_value(etp)
        [b for b in at.button if b.label == "Ajouter à la simulation"][0].click().run()
        assert not at.exception, [e.value for e in at.exception]
    metriques = [m for m in at.metric if m.label == "ETP de facilitateurs"]
    assert [m.value for m in metriques] == ["610,0", "610,0"]  # haut de page et section « et si »
    assert metriques[1].delta == "10,5"
    at.session_state["couverture_modifs"] = []
    at.run()


def test_texte_echappe_liens_images_et_directives():
    g = GLUON  # casse les liens nus (https://, www., courriel) que GFM reconnaît même échappés
    assert texte(HOSTILE) == (rf"\!\[p\]\(http\:{g}\/\/exemple\.invalid\/p\.png\) "
                              rf"\[Cliquez ici\]\(https\:{g}\/\/exemple\.invalid\/\)")
    assert texte(":red[alerte] $x$ <b>gras</b>\n- puce") == rf"\:{g}red\[alerte\] \$x\$ \<b\>gras\<\/b\> \- puce"
    assert texte("www.x.fr a@b.fr") == rf"www{g}\.x\.fr a\@{g}b\.fr"
    assert texte(None) == "" and texte(float("nan")) == ""
    assert liste(["a*b", "c"]) == "- a\\*b\n- c"


def test_le_territoire_suit_l_utilisateur_d_une_page_a_l_autre_et_dans_l_adresse(app):
    at = _page(app, "pages/couverture.py")
    at.sidebar.selectbox(key="couverture_region").set_value("84").run()
    at.sidebar.selectbox(key="couverture_departement").set_value("01").run()
    assert at.query_params == {"region": "84", "departement": "01"}  # l'adresse de la vue
    _page(at, "pages/zones_blanches.py")
    assert at.sidebar.selectbox(key="zb_region").value == "84"
    assert at.sidebar.selectbox(key="zb_departement").value == "01"
    _page(at, "pages/simulation.py")  # page sans sélecteur de territoire
    _page(at, "pages/couverture.py")
    assert at.sidebar.selectbox(key="couverture_departement").value == "01"
    assert any("Communes — Ain (01)" in s.value for s in at.subheader)


def test_un_lien_avec_le_territoire_ouvre_la_meme_vue():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    at.query_params["region"] = "84"
    at.query_params["departement"] = "01"
    at.query_params["epci"] = "200042935"  # CA Haut-Bugey Agglomération (Ain)
    at.run()
    at.switch_page("pages/couverture.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="couverture_epci").value == "200042935"


def test_couverture_un_epci_choisi_la_legende_compte_ses_communes():
    """CA Haut-Bugey (42 communes) : les classes de la légende comptent ses communes, le reste de l'Ain est
    « Hors de l'EPCI choisi » ; « Territoires non couverts » = la somme des deux classes non couvertes."""
    import html
    import json
    import re

    from geo.reference import charger_referentiel

    membres = charger_referentiel().communes.query("epci == '200042935'")
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    for cle, valeur in (("region", "84"), ("departement", "01"), ("epci", "200042935")):
        at.query_params[cle] = valeur
    at.run()
    at.switch_page("pages/couverture.py").run()
    assert not at.exception, [e.value for e in at.exception]
    carte = next(e for e in at.get("component_instance") if "feature_group" in e.proto.json_args)
    groupes = json.loads(carte.proto.json_args)["feature_group"]
    legende = html.unescape(json.loads(re.search(r'"legende": ?\{"html": ?("(?:[^"\\]|\\.)*")', groupes).group(1)))
    comptes = {lib.strip(): int(n.replace("\u00a0", "")) for lib, n in re.findall(r">([^<>]*?) \(([\d\u00a0]+)\)<", legende)}
    hors = next(n for lib, n in comptes.items() if "Hors de l" in lib)
    dedans = sum(n for lib, n in comptes.items() if "Hors de l" not in lib)
    assert dedans == int(membres["a_geometrie"].sum())
    assert hors > 300  # le reste de l'Ain (391 communes en tout)
    non_couverts = sum(n for lib, n in comptes.items() if lib.lower().startswith(("non couvert", "extension non limitrophe")))
    metrique = {m.label: m.value for m in at.metric}["Territoires non couverts"]
    assert int(metrique.replace("\u00a0", "")) == non_couverts, (comptes, metrique)


def test_un_lien_incoherent_est_tronque():
    """Département 75 hors de la région 84 : on garde la région, on oublie le reste (jamais d'erreur)."""
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    at.query_params["region"] = "84"
    at.query_params["departement"] = "75"
    at.run()
    at.switch_page("pages/couverture.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="couverture_region").value == "84"
    assert at.sidebar.selectbox(key="couverture_departement").value is None


def test_comite_et_reglages_de_simulation_gardes_d_une_page_a_l_autre(app):
    at = _page(app, "pages/simulation.py")
    at.sidebar.radio(key="simulation_mode").set_value("optimisation").run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("nationale").run()  # une enveloppe unique : le curseur s'applique
    at.sidebar.select_slider(key="simulation_enveloppe").set_value(3_000_000).run()
    assert any(o == "3\u00a0000\u00a0000\u00a0€" for o in at.sidebar.select_slider(key="simulation_enveloppe").options)
    _page(at, "pages/comite.py")
    at.sidebar.selectbox(key="comite_choix").set_value("53").run()
    _page(at, "pages/accueil.py")
    _page(at, "pages/simulation.py")
    assert at.sidebar.radio(key="simulation_mode").value == "optimisation"
    assert at.sidebar.select_slider(key="simulation_enveloppe").value == 3_000_000
    assert at.sidebar.radio(key="simulation_enveloppes").value == "nationale"
    _page(at, "pages/comite.py")
    assert at.sidebar.selectbox(key="comite_choix").value == "53"


def test_tableau_pour_les_personnes_libelles_codes_dates_et_formules():
    def script():
        import pandas as pd

        from ui.presentation import tableau

        tableau(pd.DataFrame({
            "nom": ['=HYPERLINK("http://exemple.invalid","clic")'], "statut": ["non_couvert"], "region": ["84"],
            "montant_attribue": [47_754.0], "part_population_couverte": [0.973], "auteur": [None],
            "horodatage": ["2026-11-25T14:35:00+00:00"], "type": ["renovation_urbaine"]}))

    at = AppTest.from_function(script, default_timeout=DELAI).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Nom", "Statut", "Région", "Montant attribué", "Part couverte", "Auteur", "Date", "Type"]
    assert table.iloc[0].tolist() == [
        "'=HYPERLINK(\"http://exemple.invalid\",\"clic\")",  # apostrophe : plus une formule, même téléchargée
        "Non couvert", "Auvergne-Rhône-Alpes (84)", 47_754.0, 0.973, "", "25/11/2026 15:35", "Rénovation urbaine"]
    # Le nombre reste un nombre (tri) ; la grille montre un texte français, quelle que soit la langue du navigateur.
    affiche = cellules_affichees(at.dataframe[0]).iloc[0]
    assert affiche["Montant attribué"] == "47\u202f754,00\u00a0€" and affiche["Part couverte"] == "97,3\u202f%"
    assert "format" not in at.dataframe[0].proto.columns  # aucun format de colonne : il suivrait la langue du navigateur


def test_tableau_nom_a_cote_des_codes_de_structure_epci_commune_et_nombres_francais():
    def script():
        import pandas as pd

        from ui.presentation import tableau

        tableau(pd.DataFrame({"id_structure": ["S0001"], "epci": ["200046977"], "commune": ["01053"], "etp": [1.25],
                              "population": [123_456], "annee": [2025], "montant_aap_demande": [float("nan")]}))

    at = AppTest.from_function(script, default_timeout=DELAI).run()
    assert not at.exception, [e.value for e in at.exception]
    affiche = cellules_affichees(at.dataframe[0])
    assert list(affiche.columns) == ["Structure", "EPCI", "Commune", "ETP", "Population", "Année", "Montant demandé"]
    assert affiche.iloc[0].tolist() == ["GIP Emploi Insertion du Bassin de Bourg-en-Bresse et environs (S0001)",
                                        "Métropole de Lyon (200046977)", "Bourg-en-Bresse (01053)", "1,25", "123\u202f456", "2025", ""]


def test_export_scenario_sans_colonnes_de_fusion():
    import pandas as pd

    from ui.scenarios import _resultats

    class Resultat:
        lignes = pd.DataFrame({"id_dossier": ["D1"], "region": ["84"], "statut": ["association"], "montant_attribue": [1.0],
                               "etp_finances": [0.5]})

    class Entrees:
        dossiers = pd.DataFrame({"id_dossier": ["D1"], "nom_structure": ["S"], "statut": ["association"], "etp_demandes": [1.0],
                                 "cout_annuel_total": [2.0], "montant_aap_demande": [1.0], "motifs": [""]})

    colonnes = list(_resultats(Resultat, Entrees)["dossiers"].columns)
    assert not [c for c in colonnes if c.endswith(("_x", "_y"))], colonnes
    assert colonnes.count("statut") == 1 and "nom_structure" in colonnes


def test_graphique_par_region_trie_par_valeur_et_a_la_francaise(app):
    import json

    at = _page(app, "pages/simulation.py")
    at.segmented_control(key="simulation_rubrique").set_value("allocation").run()
    assert not at.exception, [e.value for e in at.exception]
    graphique = next(e for e in at.main if getattr(e, "type", None) == "vega_lite_chart")
    spec = json.loads(graphique.proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","  # 1 234,5 et non 1,234.5
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0  # noms de régions jamais coupés
    ordre = spec["encoding"]["y"]["sort"]
    assert len(ordre) >= 10 and ordre != sorted(ordre)  # trié par montant, pas par ordre alphabétique


def test_mois_en_francais():
    import pandas as pd

    from ui.presentation import mois_francais

    assert mois_francais(pd.date_range("2024-12-01", periods=3, freq="MS")) == ["déc. 2024", "janv. 2025", "févr. 2025"]


def test_grands_projets_alertes_en_avertissement_et_zoom_sur_un_projet(app):
    at = _page(app, "pages/grands_projets.py")
    assert not at.error  # une alerte attendue (projet mal couvert) n'est pas une erreur
    assert any("zone blanche" in w.value or "couvert" in w.value for w in at.warning)
    bouton = next(b for b in at.button if b.key and b.key.startswith("gp_zoom_"))
    bouton.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["gp_zoom"] == bouton.key.removeprefix("gp_zoom_")


def test_selecteur_de_territoire_sans_texte_anglais(app):
    """Avant : « Choose an option » dans la liste des régions (valeur None posée par l'état de session)."""
    at = _page(app, "pages/accueil.py")
    region = at.sidebar.selectbox(key="accueil_region")
    assert region.proto.placeholder == "France entière"
    assert region.value is None or region.index == 0


def test_zones_blanches_un_epci_choisi_restreint_chiffres_et_tableau(app):
    """Ain, puis la CA Haut-Bugey Agglomération : chiffres et tableau ne parlent plus que de ses communes ;
    détail par EPCI : une seule ligne, l'EPCI ; « Tout le département » revient aux 391 communes de l'Ain."""
    from geo.reference import charger_referentiel

    membres = set(charger_referentiel().communes.query("epci == '200042935'").index)
    at = _page(app, "pages/zones_blanches.py")
    at.sidebar.selectbox(key="zb_region").set_value("84").run()
    at.sidebar.selectbox(key="zb_departement").set_value("01").run()
    tableau_ain = at.dataframe[-1].value
    assert not set(tableau_ain.iloc[:, 0]) <= membres  # l'Ain entier : des communes hors de l'EPCI
    at.sidebar.selectbox(key="zb_epci").set_value("200042935").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Communes — CA Haut-Bugey Agglomération, Ain (01)" for s in at.subheader)
    tableau = at.dataframe[-1].value
    assert len(tableau) > 0 and set(tableau.iloc[:, 0]) <= membres
    total = int({m.label: m.value for m in at.metric}["Zones blanches"].replace("\u00a0", ""))
    assert total == len(tableau)  # chaque zone blanche de l'EPCI est une ligne du tableau
    # La phrase sous la carte additionne les classes de la légende : les communes de l'EPCI seulement.
    phrase = next(c.value for c in at.caption if c.value.startswith("Carte : une couleur par territoire"))
    assert phrase.endswith(f"= {total} territoires en zone blanche."), phrase
    at.segmented_control(key="zb_detail").set_value("epci").run()
    assert list(at.dataframe[-1].value.iloc[:, 0]) in ([], ["200042935"])  # l'EPCI, s'il est zone blanche
    at.segmented_control(key="zb_detail").set_value("commune").run()
    at.button(key="zb_tout_departement").click().run()
    assert at.sidebar.selectbox(key="zb_epci").value is None
    assert any(s.value == "Communes — Ain (01)" for s in at.subheader)
    at.sidebar.selectbox(key="zb_departement").set_value(None).run()  # les tests suivants partent de la France entière
    at.sidebar.selectbox(key="zb_region").set_value(None).run()
