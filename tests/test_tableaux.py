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
            assert not valeurs & {"True", "False"}, (chemin, colonne)  # « Oui » / « Non », pas une case à cocher
            # un libellé prévu, pas un nom machine à peine retouché (« Etp avant », « Unite »)
            assert colonne in LIBELLES_FRANCAIS, (chemin, colonne)


def _nombre(texte: str) -> float:
    return float(texte.replace("\u202f", "").replace("\u00a0", "").replace("€", "").replace("%", "").replace(",", "."))


def test_impact_difference_par_region_et_barres_appariees(app):
    """Simulation, Impact : la table « ce qui change » = après − avant ; le graphique a les deux séries pour chaque région ;
    résolues et nouvelles expliquent avant − après."""
    import json
    import re

    at = _page(app, "pages/simulation.py", {"simulation_rubrique": "impact"})
    tables = _tableaux(at)
    changes = next(t for t in tables if list(t.columns) == ["Code", "Nom", "ETP avant", "ETP après", "ETP ajoutés"])
    assert len(changes) >= 1
    for _, ligne in changes.iterrows():
        assert _nombre(ligne["ETP ajoutés"]) == pytest.approx(_nombre(ligne["ETP après"]) - _nombre(ligne["ETP avant"]), abs=0.011)
    ecarts = [abs(_nombre(v)) for v in changes["ETP ajoutés"]]
    assert ecarts == sorted(ecarts, reverse=True)
    complet = next(t for t in tables if "Part couverte avant" in t.columns)
    assert len(changes) == sum(_nombre(a) != _nombre(b) for a, b in zip(complet["ETP avant"], complet["ETP après"], strict=True))
    from streamlit import dataframe_util

    element = next(e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"
                   and "yOffset" in json.loads(e.proto.spec)["encoding"])
    graphique = json.loads(element.proto.spec)
    donnees = dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.datasets[0].data.data)
    series = donnees.groupby("nom")["serie"].agg(set).to_dict()
    assert len(series) == 18 and all(s == {"Avant", "Après"} for s in series.values())
    assert "Auvergne-Rhône-Alpes" in series  # des noms de régions, pas des codes
    assert graphique["encoding"]["y"]["axis"]["labelLimit"] == 0 and graphique["config"]["locale"]["number"]["decimal"] == ","
    # avant − après = résolues − nouvelles, sur chaque ligne (nombres lus dans le tableau affiché)
    zb = next(t for t in tables if "Résolues" in t.columns)
    for _, ligne in zb.iterrows():
        assert _nombre(ligne["Avant"]) - _nombre(ligne["Après"]) == _nombre(ligne["Résolues"]) - _nombre(ligne["Nouvelles"])
    legende = " ".join(c.value for c in at.caption)
    total = zb[zb["Critère"].str.startswith("Zones blanches")].iloc[0]
    attendu = f"{total['Avant']} − {total['Après']} = {total['Résolues']} − {total['Nouvelles']}"
    assert attendu in legende, legende
    assert re.search(r"\d+ EPCI en zone blanche", legende)


def test_zones_blanches_chiffres_legende_et_tableau_comptent_pareil(app):
    """Chaque territoire compté une fois : le total des chiffres clés = la somme des classes de la carte = les lignes du tableau ;
    chaque critère = les lignes du tableau qui le citent (un territoire peut en citer plusieurs)."""
    import re

    from coverage.territoires.zones_blanches import LIBELLES_CRITERES

    at = _page(app, "pages/zones_blanches.py", {})
    metriques = {m.label: int(_nombre(m.value)) for m in at.metric}
    legende = next(c.value for c in at.caption if c.value.startswith("Carte : une couleur par territoire"))
    termes = [int(x.replace("\u00a0", "")) for x in re.findall(r"([\d\u00a0]+) (?:non couverts|en couverture|en capacité)", legende)]
    total_carte = int(re.search(r"= ([\d\u00a0]+) territoires en zone blanche", legende).group(1).replace("\u00a0", ""))
    assert len(termes) == 3 and sum(termes) == total_carte == metriques["Zones blanches"]
    table = next(t for t in _tableaux(at) if "Critères" in t.columns)
    assert len(table) == metriques["Zones blanches"]
    for critere, libelle in (("non_couvert", "dont non couverts"), ("couverture_limitrophe", "dont limitrophe seulement"),
                             ("capacite_insuffisante", "dont capacité insuffisante")):
        assert table["Critères"].str.contains(LIBELLES_CRITERES[critere], regex=False).sum() == metriques[libelle]
    assert sum(metriques[k] for k in metriques if k.startswith("dont")) >= metriques["Zones blanches"]
    assert "un territoire peut relever de plusieurs critères" in " ".join(c.value for c in at.caption)


def test_couverture_et_si_difference_par_region_et_barres_appariees(app):
    """S0001 (Ain) passe de 4 à 10 ETP : une seule région change, Auvergne-Rhône-Alpes, de + 6 ETP."""
    import json

    from streamlit import dataframe_util

    at = _page(app, "pages/couverture.py", {"couverture_modifs": [{"type": "etp", "id_structure": "S0001", "etp": 10.0}]})
    try:
        changes = next(t for t in _tableaux(at) if list(t.columns) == ["Code", "Nom", "ETP avant", "ETP après", "ETP ajoutés"])
        assert changes["Nom"].tolist() == ["Auvergne-Rhône-Alpes"] and changes["ETP ajoutés"].tolist() == ["6"]
        assert _nombre(changes["ETP après"].iloc[0]) - _nombre(changes["ETP avant"].iloc[0]) == pytest.approx(6)
        element = next(e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"
                       and "yOffset" in json.loads(e.proto.spec)["encoding"])
        donnees = dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.datasets[0].data.data)
        ara = donnees[donnees["nom"] == "Auvergne-Rhône-Alpes"].set_index("serie")["valeur"]
        assert ara["Après"] - ara["Avant"] == pytest.approx(6)
        assert donnees.groupby("nom")["serie"].nunique().eq(2).all()
    finally:
        at.session_state["couverture_modifs"] = []
        at.run()


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


def test_xlsx_de_l_allocation_pour_les_personnes():
    """L'export XLSX de l'allocation : libellés, nom de la région à côté de son code, issue en toutes lettres."""
    import io

    import openpyxl
    import pandas as pd

    from ui.simulation import exporter_allocation

    class Resultat:
        lignes = pd.DataFrame({"id_dossier": ["D1"], "montant_attribue": [28_000.0], "etp_finances": [1.0],
                               "statut_financement": ["total"], "rang": [1], "explication": ["cas A"], "region": ["84"]})
        statut_solveur = "optimal"
        enveloppe_utilisee = 28_000.0

    class Entrees:
        dossiers = pd.DataFrame({"id_dossier": ["D1"], "id_structure": ["S0001"], "nom_structure": ["Structure A"]})

    class Reglages:
        def en_dict(self):
            return {"enveloppe": 4_500_000}

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_allocation(Resultat(), Entrees(), Reglages())))
    region = [[c.value for c in ligne] for ligne in classeur["synthese_region"].iter_rows()]
    assert region == [["Région", "Dossiers", "Montant attribué", "ETP financés"], ["Auvergne-Rhône-Alpes (84)", 1, 28_000, 1]]
    dossiers = {e.value: v.value for e, v in zip(classeur["dossiers"][1], classeur["dossiers"][2], strict=True)}
    assert dossiers["Financement"] == "Financé" and dossiers["Structure"] == "Structure A" and dossiers["Dossier"] == "D1"


def test_zones_blanches_communales_les_mille_premieres_par_besoin_et_le_compte_entier(app):
    """France entière commune par commune : 1 000 lignes affichées (les plus forts besoins), la légende dit sur
    combien (le chiffre clé), les exports gardent tout."""
    from ui.presentation import LIGNES_AFFICHEES

    at = _page(app, "pages/zones_blanches.py", {"zb_maille": "commune"})
    total = int(_nombre(next(m.value for m in at.metric if m.label == "Zones blanches")))
    assert total > LIGNES_AFFICHEES
    table = next(t for t in _tableaux(at) if "Critères" in t.columns)
    assert len(table) == LIGNES_AFFICHEES
    besoins = [_nombre(v) for v in table["Indice de besoin"]]
    assert besoins == sorted(besoins, reverse=True)
    attendu = (f"Les 1\u00a0000 premières lignes sur {total:,d}".replace(",", "\u00a0")
               + ", par indice de besoin décroissant ; les exports ci-dessous contiennent toutes les lignes.")
    assert attendu in [c.value for c in at.caption]
    at.session_state["zb_maille"] = "epci"
    at.run()
