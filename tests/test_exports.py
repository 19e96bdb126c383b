"""Exports sûrs (CSV, XLSX, GeoPackage), modèles de fichiers et leur documentation."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl.utils import get_column_letter

from coverage.documents.exports import echapper_formule, exporter_csv, exporter_geopackage, exporter_xlsx
from coverage.sources.lecture import lire_tableau
from coverage.modele import DOSSIERS, PERIMETRES, SCHEMAS, STRUCTURES
from coverage.sources.modeles_fichiers import documentation_markdown, modele_csv, modele_xlsx
from coverage.sources.validation import valider_structures_perimetres
from tests.test_validation import referentiel_test

RACINE = Path(__file__).resolve().parent.parent


def _classeur(contenu: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(contenu))


# ------------------------------------------------------------------------------------------
# Échappement des formules
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "echappe"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-x", "'-x"),
        ("@SOMME(A1)", "'@SOMME(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Maison = emploi", "Maison = emploi"),  # le signe n'est dangereux qu'en tête
        ("01001", "01001"),
    ],
    ids=["egal", "plus", "moins", "arobase", "tabulation", "retour-chariot", "milieu", "code"],
)
def test_echapper_formule(texte: str, echappe: str) -> None:
    assert echapper_formule(texte) == echappe


def test_les_nombres_ne_sont_jamais_echappes() -> None:
    assert echapper_formule(-2) == -2 and echapper_formule(-1.5) == -1.5


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------

TABLE = pd.DataFrame(
    {
        "nom": ["=HYPERLINK(\"http://x\")", "-x", "Ambérieu", None],
        "code": ["01001", "2A004", "97411", "01004"],
        "etp": [1.5, -2.0, None, 3.0],
        "n": [1, -2, 3, 4],
        "complet": [True, False, True, False],
        "depot": pd.to_datetime(["2025-07-01", None, "2025-01-02", "2025-12-31"]),
    }
)


def test_csv_format_francais_et_echappement() -> None:
    contenu = exporter_csv(TABLE)
    assert contenu.startswith(b"\xef\xbb\xbf")  # BOM : Excel lit l'UTF-8
    assert contenu.decode("utf-8-sig").split("\r\n") == [
        "nom;code;etp;n;complet;depot",
        "\"'=HYPERLINK(\"\"http://x\"\")\";01001;1,5;1;oui;01/07/2025",  # guillemets CSV doublés
        "'-x;2A004;-2,0;-2;non;",  # texte « -x » échappé, nombre -2 intact
        "Ambérieu;97411;;3;oui;02/01/2025",
        ";01004;3,0;4;non;31/12/2025",
        "",
    ]


def test_csv_colonne_objet_mixte_seules_les_chaines_echappees() -> None:
    table = pd.DataFrame({"v": pd.Series(["=a", -3, 2.5, True], dtype="object")})
    assert exporter_csv(table).decode("utf-8-sig").split("\r\n")[1:5] == ["'=a", "-3", "2,5", "oui"]


def test_csv_en_tete_echappe_et_index_nomme_exporte() -> None:
    table = pd.DataFrame({"=x": [1]}, index=pd.Index(["01001"], name="code"))
    assert exporter_csv(table).decode("utf-8-sig").split("\r\n")[:2] == ["code;'=x", "01001;1"]


def test_csv_reimporte_a_l_identique() -> None:
    relu = lire_tableau(exporter_csv(TABLE), nom_fichier="export.csv")
    assert relu.donnees["nom"].tolist() == ["=HYPERLINK(\"http://x\")", "-x", "Ambérieu", ""]
    assert relu.donnees["code"].tolist() == ["01001", "2A004", "97411", "01004"]


# ------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------


def test_xlsx_feuilles_types_et_echappement() -> None:
    classeur = _classeur(exporter_xlsx({"structures": TABLE, "péri/mètres": TABLE.iloc[:1]}))
    assert classeur.sheetnames == ["structures", "péri_mètres"]
    ws = classeur["structures"]
    assert [c.value for c in ws[1]] == ["nom", "code", "etp", "n", "complet", "depot"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert [(c.value, c.data_type) for c in ws[2]] == [
        ("'=HYPERLINK(\"http://x\")", "s"),  # texte, jamais une formule
        ("01001", "s"),
        (1.5, "n"),
        (1, "n"),
        ("oui", "s"),
        (dt.datetime(2025, 7, 1), "d"),
    ]
    assert [(c.value, c.data_type) for c in ws[3]][:4] == [("'-x", "s"), ("2A004", "s"), (-2, "n"), (-2, "n")]
    assert ws["F2"].number_format == "DD/MM/YYYY"
    assert ws.column_dimensions["B"].number_format == "@"  # colonne de codes au format Texte
    assert ws.column_dimensions["A"].width == len("=HYPERLINK(\"http://x\")") + 3
    assert ws.column_dimensions["D"].width == 4  # « -2 » + 2
    assert ws["C4"].value is None  # NaN → cellule vide


def test_xlsx_noms_de_feuilles_tronques_et_uniques() -> None:
    long = "x" * 40
    classeur = _classeur(exporter_xlsx({long: TABLE, long + "y": TABLE, "a:b": TABLE}))
    assert classeur.sheetnames == ["x" * 31, "x" * 27 + " (2)", "a_b"]


def test_xlsx_reimporte_avec_les_codes_intacts() -> None:
    relu = lire_tableau(exporter_xlsx({"t": TABLE}), nom_fichier="export.xlsx")
    assert relu.donnees["code"].tolist() == ["01001", "2A004", "97411", "01004"]
    assert relu.donnees["nom"].tolist()[:2] == ["=HYPERLINK(\"http://x\")", "-x"]
    assert relu.donnees["etp"].tolist() == ["1,5", "-2", "", "3"]
    assert relu.donnees["depot"].tolist() == ["2025-07-01", "", "2025-01-02", "2025-12-31"]


@pytest.mark.parametrize("format_", ["csv", "xlsx"], ids=["csv", "xlsx"])
def test_aller_retour_structures_perimetres(format_: str) -> None:
    # tables typées → export → relecture → validation : mêmes tables
    structures = pd.DataFrame(
        {
            "id_structure": ["S1", "S2"],
            "nom": ["=Maison de l'emploi", "Ville d'Ajaccio"],
            "statut": ["association", "collectivite"],
            "siret": ["73282932000074", ""],
            "departement": ["01", "2A"],
            "etp_facilitateur": [1.5, 0.25],
            "etp_coordinateur": [0.0, 0.0],
            "financement_pnad": ["2022,2023,2024", ""],
        }
    )
    perimetres = pd.DataFrame(
        {
            "id_structure": ["S1", "S1", "S2"],
            "niveau": ["epci", "commune", "commune"],
            "code": ["200042935", "01004", "2A004"],
            "role": ["principal", "extension", "principal"],
            "part_etp": [0.75, 0.25, float("nan")],
        }
    )
    if format_ == "csv":
        ts = lire_tableau(exporter_csv(structures), nom_fichier="structures.csv")
        tp = lire_tableau(exporter_csv(perimetres), nom_fichier="perimetres.csv")
    else:
        classeur = exporter_xlsx({"structures": structures, "perimetres": perimetres})
        ts = lire_tableau(classeur, nom_fichier="export.xlsx", schema=STRUCTURES)
        tp = lire_tableau(classeur, nom_fichier="export.xlsx", schema=PERIMETRES)
    r = valider_structures_perimetres(ts, tp, referentiel=referentiel_test())
    assert r.erreurs == ()
    pd.testing.assert_frame_equal(r.structures, structures, check_dtype=False)
    pd.testing.assert_frame_equal(r.perimetres, perimetres, check_dtype=False)


# ------------------------------------------------------------------------------------------
# GeoPackage
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("epsg", [4326, 2154], ids=["wgs84", "lambert93"])
def test_geopackage_couche_crs_et_echappement(tmp_path: Path, epsg: int) -> None:
    gdf = gpd.GeoDataFrame(
        {"nom": ["=cmd", "Ajaccio"], "etp": [-1.0, 2.5], "couvert": [True, False]},
        geometry=[shapely.Point(8.7, 41.9), shapely.Point(8.74, 41.93)],
        index=pd.Index(["2A004", "2A005"], name="code"),
        crs=4326,
    ).to_crs(epsg)
    chemin = tmp_path / "export.gpkg"
    chemin.write_bytes(exporter_geopackage(gdf, couche="communes"))
    assert pyogrio.list_layers(chemin)[:, 0].tolist() == ["communes"]
    relu = gpd.read_file(chemin, layer="communes")
    assert relu.crs.to_epsg() == epsg
    assert relu["code"].tolist() == ["2A004", "2A005"]
    assert relu["nom"].tolist() == ["'=cmd", "Ajaccio"]
    assert relu["etp"].tolist() == [-1.0, 2.5]
    assert relu["couvert"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("crs", "message"),
    [(3857, r"CRS EPSG:3857 non accepté \(attendu : EPSG:4326 ou EPSG:2154\)"), (None, r"la couche n'a pas de CRS")],
    ids=["web-mercator", "sans-crs"],
)
def test_geopackage_crs_refuse(crs: int | None, message: str) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=crs)
    with pytest.raises(ValueError, match=message):
        exporter_geopackage(gdf, couche="x")


# ------------------------------------------------------------------------------------------
# Modèles de fichiers
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", list(SCHEMAS.values()), ids=list(SCHEMAS))
def test_modele_csv(schema) -> None:
    contenu = modele_csv(schema)
    assert contenu.startswith(b"\xef\xbb\xbf")
    lignes = contenu.decode("utf-8-sig").split("\r\n")
    assert lignes[0] == ";".join(schema.noms)
    assert len(lignes) == len(schema.exemple) + 2  # en-tête, exemples, fin de ligne finale


def test_modele_csv_structures_exemple() -> None:
    assert modele_csv(STRUCTURES).decode("utf-8-sig").split("\r\n")[1] == (
        "S001;Maison de l'emploi exemple;association;73282932000074;01;1,5;0;2022,2023,2024"
    )


@pytest.mark.parametrize("schema", list(SCHEMAS.values()), ids=list(SCHEMAS))
def test_modele_xlsx_feuille_de_donnees_et_aide(schema) -> None:
    classeur = _classeur(modele_xlsx(schema))
    assert classeur.sheetnames == [schema.nom, "aide"]
    donnees, aide = classeur[schema.nom], classeur["aide"]
    assert [c.value for c in donnees[1]] == schema.noms
    assert donnees.max_row == len(schema.exemple) + 1
    assert [c.value for c in aide[1]] == ["colonne", "type", "obligatoire", "description", "valeurs acceptées", "si vide"]
    lignes_aide = [[c.value for c in r] for r in aide.iter_rows(min_row=2)]
    assert [r[0] for r in lignes_aide] == schema.noms
    assert [r[2] for r in lignes_aide] == ["oui" if c.obligatoire else "non" for c in schema.colonnes]


def test_modele_xlsx_aide_structures() -> None:
    aide = _classeur(modele_xlsx(STRUCTURES))["aide"]
    assert [c.value for c in aide[4]] == [
        "statut",
        "texte",
        "oui",
        "Statut juridique",
        "association, collectivite, epa, gip, autre",
        "erreur",
    ]
    assert [c.value for c in aide[7]][4:] == ["0 à 50", "erreur"]  # etp_facilitateur


def test_modele_xlsx_types_des_cellules() -> None:
    ws = _classeur(modele_xlsx(DOSSIERS))["dossiers"]

    def lettre(nom: str) -> str:
        return get_column_letter(DOSSIERS.noms.index(nom) + 1)

    departement, cout, depot = (ws[f"{lettre(n)}2"] for n in ("departement", "cout_annuel_total", "date_depot"))
    assert (departement.value, departement.number_format) == ("01", "@")  # département en texte
    assert ws.column_dimensions[lettre("departement")].number_format == "@"  # toute la colonne en Texte
    assert cout.value == 40000  # coût : un vrai nombre
    assert (depot.value, depot.number_format) == (dt.datetime(2025, 7, 1), "DD/MM/YYYY")


# ------------------------------------------------------------------------------------------
# Documentation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", list(SCHEMAS.values()), ids=list(SCHEMAS))
def test_docs_import_documente_chaque_colonne(schema) -> None:
    # le tableau de docs/import.md est celui que génère le code : pas de dérive
    texte = (RACINE / "docs" / "import.md").read_text(encoding="utf-8")
    assert documentation_markdown(schema) in texte


def test_documentation_markdown_perimetres() -> None:
    assert documentation_markdown(PERIMETRES).splitlines()[6] == (
        "| `part_etp` | nombre (virgule décimale, ex. 1,5 ou 29 473) | non | Part des ETP de la structure sur cette "
        "ligne (0 à 1 ; vide : au prorata de la population) | 0 à 1 | prorata de la population |"
    )
