"""Tests des quartiers prioritaires (QPV) et du NPNRU : lecture, placement sur les communes, comptes."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from coverage.sources.lecture import ErreurLecture
from coverage.sources.qpv import (
    charger_npnru_demo,
    charger_qpv_demo,
    indicateurs_quartiers,
    lire_npnru,
    lire_qpv,
    npnru_non_places,
    placer_quartiers,
    quartiers_par_commune,
)
from tests.test_decp import referentiel_decp

# Deux communes carrées de 1 km de côté, côte à côte, en Lambert-93 (près de Bourg-en-Bresse) :
# A = [X0, X0 + 1000] × [Y0, Y0 + 1000], B = [X0 + 1000, X0 + 2000] × [Y0, Y0 + 1000].
X0, Y0 = 870_000.0, 6_570_000.0
COMMUNES = gpd.GeoDataFrame(
    {"code": ["01053", "01165"]},
    geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
    crs="EPSG:2154",
).set_index("code")


def carre(x: float, y: float, cote: float) -> shapely.Polygon:
    """Carré de `cote` mètres dont le coin bas-gauche est à (X0 + x, Y0 + y), en Lambert-93."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + cote, Y0 + y + cote)


def geojson(proprietes: list[dict], geometries: list, crs: str = "EPSG:2154") -> bytes:
    """Un GeoJSON en EPSG:4326 (comme les fichiers publiés), construit depuis des géométries en Lambert-93."""
    gdf = gpd.GeoDataFrame(proprietes, geometry=geometries, crs=crs).to_crs("EPSG:4326")
    return gdf.to_json().encode("utf-8")


# --------------------------------------------------------------------------------------------
# Placement par intersection
# --------------------------------------------------------------------------------------------


def test_placer_quartiers():
    quartiers = gpd.GeoSeries(
        [
            carre(100, 100, 200),  # Q1 : entièrement dans A
            carre(900, 100, 200),  # Q2 : moitié A, moitié B
            carre(812, 100, 200),  # Q3 : 94 % dans A, 6 % dans B (au-dessus du seuil de 5 %)
            carre(808, 100, 200),  # Q4 : 96 % dans A, 4 % dans B (sous le seuil)
            shapely.Point(X0 + 1500, Y0 + 500),  # Q5 : un point dans B
            carre(5000, 5000, 100),  # Q6 : hors des deux communes
        ],
        index=["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
        crs="EPSG:2154",
    )
    paires = placer_quartiers(quartiers, COMMUNES.to_crs("EPSG:4326"))
    rattachements = paires.groupby("code_qpv")["commune"].agg(tuple).to_dict()
    assert rattachements == {
        "Q1": ("01053",),
        "Q2": ("01053", "01165"),
        "Q3": ("01053", "01165"),
        "Q4": ("01053",),
        "Q5": ("01165",),
    }
    q2 = paires[paires["code_qpv"] == "Q2"]["part_surface"].tolist()
    assert q2 == pytest.approx([0.5, 0.5], abs=1e-6)


def test_placer_quartiers_sans_crs():
    with pytest.raises(ValueError, match="CRS défini"):
        placer_quartiers(gpd.GeoSeries([carre(0, 0, 10)]), COMMUNES)


# --------------------------------------------------------------------------------------------
# Lecture des contours
# --------------------------------------------------------------------------------------------


def test_lire_qpv_format_officiel_une_ligne_par_commune():
    """Fichier officiel 2024 : un objet par couple quartier × commune (`insee_com`)."""
    contenu = geojson(
        [
            {"code_qp": "QN00101M", "lib_qp": "Les Vennes", "insee_com": "01053"},
            {"code_qp": "QN00101M", "lib_qp": "Les Vennes", "insee_com": "1165"},  # zéro initial perdu
            {"code_qp": "QN00102N", "lib_qp": "Croix-Blanche", "insee_com": "01053"},
        ],
        [carre(900, 100, 100), carre(1000, 100, 100), carre(100, 100, 100)],
    )
    qpv = lire_qpv(contenu, "qpv.geojson", communes=COMMUNES)
    assert qpv.index.tolist() == ["QN00101M", "QN00102N"]
    assert qpv["communes"].tolist() == [("01053", "01165"), ("01053",)]
    assert qpv["nb_communes"].tolist() == [2, 1]
    assert qpv["placement"].tolist() == ["fichier", "fichier"]
    assert qpv["source"].tolist() == ["qpv.geojson", "qpv.geojson"]
    assert qpv.crs == "EPSG:4326"
    # Les deux morceaux de « Les Vennes » sont réunis : 200 m × 100 m.
    assert qpv.loc[["QN00101M"]].to_crs("EPSG:2154").area.iloc[0] == pytest.approx(20_000, rel=1e-3)
    assert qpv.attrs["avertissements"] == ()


def test_lire_qpv_par_contour_et_geopackage(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"CODE_QP": ["QP001001", "QP001002"], "NOM_QP": ["Reyssouze", "Pont-des-Chèvres"]},
        geometry=[carre(900, 100, 200), carre(100, 100, 200)],
        crs="EPSG:2154",
    )
    gdf.to_file(tmp_path / "qpv.gpkg")
    qpv = lire_qpv((tmp_path / "qpv.gpkg").read_bytes(), "qpv.gpkg", communes=COMMUNES)
    assert qpv["nom_qpv"].tolist() == ["Reyssouze", "Pont-des-Chèvres"]
    assert qpv["communes"].tolist() == [("01053", "01165"), ("01053",)]
    assert qpv["placement"].tolist() == ["geometrie", "geometrie"]


def test_lire_qpv_codes_verifies_par_le_referentiel():
    contenu = geojson(
        [
            {"code_qp": "Q1", "lib_qp": "Ancien", "insee_com": "01003"},  # ancien code → 01165
            {"code_qp": "Q2", "lib_qp": "Inconnu", "insee_com": "99999"},  # inconnu : placé par son contour
            {"code_qp": "Q3", "lib_qp": "Liste", "insee_com": "01053, 01165"},  # liste dans une cellule
        ],
        [carre(1500, 100, 100), carre(100, 100, 100), carre(900, 100, 200)],
    )
    qpv = lire_qpv(contenu, "qpv.geojson", communes=COMMUNES, referentiel=referentiel_decp())
    assert qpv["communes"].tolist() == [("01165",), ("01053",), ("01053", "01165")]
    assert qpv["placement"].tolist() == ["fichier", "geometrie", "fichier"]
    assert qpv.attrs["avertissements"] == (
        "qpv.geojson, colonne `insee_com` : code(s) commune inconnu(s) du COG 2026 écarté(s) : 99999 ; les quartiers "
        "concernés sont placés par leur contour.",
    )


def test_lire_qpv_quartier_hors_communes():
    contenu = geojson([{"code_qp": "Q9", "lib_qp": "Ailleurs"}], [carre(9000, 9000, 100)])
    qpv = lire_qpv(contenu, "qpv.geojson", communes=COMMUNES)
    assert qpv["communes"].tolist() == [()]
    assert "1 quartier(s) sans commune" in qpv.attrs["avertissements"][0]


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "qpv.geojson : le fichier est vide."),
        (b"pas un fichier geographique", "qpv.geojson : fichier illisible : formats acceptés"),
        (geojson([{"nom": "Sans code"}], [carre(0, 0, 10)]), r"colonne `code_qp` : colonne du code de quartier absente"),
        (
            json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"code_qp": None}, "geometry": {"type": "Point", "coordinates": [5, 46]}}]}
            ).encode(),
            r"1 objet\(s\) sans code de quartier \(objets n° 1\)",
        ),
    ],
    ids=["vide", "illisible", "sans-colonne-code", "code-vide"],
)  # fmt: skip
def test_lire_qpv_erreurs(contenu, message):
    with pytest.raises(ErreurLecture, match=message):
        lire_qpv(contenu, "qpv.geojson", communes=COMMUNES)


# --------------------------------------------------------------------------------------------
# NPNRU
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("national", "national"),
        ("Intérêt national", "national"),
        ("PRIN", "national"),
        ("régional", "regional"),
        ("Intérêt régional", "regional"),
        ("PRIR", "regional"),
    ],
    ids=["national", "interet-national", "prin", "regional", "interet-regional", "prir"],
)
def test_lire_npnru_interet(valeur, attendu):
    liste = lire_npnru(f"code_qpv;nom;interet\nQP001001;Reyssouze;{valeur}\n".encode(), "npnru.csv")
    assert liste["interet"].tolist() == [attendu]


def test_lire_npnru_colonnes_et_communes():
    contenu = (
        "Code QPV,Nom du quartier,Type d'intérêt,Code INSEE\n"
        "qp001001,Reyssouze,national,1053\n"
        "QP001002,Pont-des-Chèvres,régional,\n"
        "QP001001,Reyssouze,national,1053\n"  # doublon
    ).encode("cp1252")
    liste = lire_npnru(contenu, "npnru.csv")
    assert liste["code_qpv"].tolist() == ["QP001001", "QP001002"]
    assert liste["ligne"].tolist() == [2, 3]
    assert liste["commune"].tolist()[0] == "01053" and pd.isna(liste.at[1, "commune"])
    assert liste["source"].tolist() == ["npnru.csv", "npnru.csv"]
    assert liste.attrs["avertissements"] == (
        "npnru.csv : 1 ligne(s) en double (même quartier, même commune) ignorée(s) : lignes 4.",
    )


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"code_qpv;nom\nQP001001;Reyssouze\n", r"npnru.csv, ligne 1, colonne `interet` : colonne obligatoire"),
        (b"nom;interet\nReyssouze;national\n", r"npnru.csv, ligne 1, colonne `code_qpv` : colonne obligatoire"),
        (
            b"code_qpv;interet\nQP001001;national\nQP001002;majeur\nQP001003;\n",
            r"npnru.csv, ligne 3, colonne `interet` : « majeur » : intérêt illisible \(attendu : national ou "
            r"régional, PRIN ou PRIR\) ; même problème aux lignes 4\.",
        ),
        (b"code_qpv;interet\n;national\n", r"npnru.csv, ligne 2, colonne `code_qpv` : code de quartier vide\."),
    ],
    ids=["sans-interet", "sans-code", "interet-illisible", "code-vide"],
)
def test_lire_npnru_erreurs(contenu, message):
    with pytest.raises(ErreurLecture, match=message):
        lire_npnru(contenu, "npnru.csv")


# --------------------------------------------------------------------------------------------
# Par commune et par territoire
# --------------------------------------------------------------------------------------------


def quartiers_exemple() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Q1 sur 01053 et 01165 ; Q2 sur 01053 ; Q3 sur 2A004. NPNRU : Q1 national (communes du QPV),
    Q2 régional avec commune 01053 donnée, Q9 national sans commune ni QPV (non placé)."""
    qpv = pd.DataFrame(
        {"nom_qpv": ["Vennes", "Croix-Blanche", "Jardins"], "communes": [("01053", "01165"), ("01053",), ("2A004",)]},
        index=pd.Index(["Q1", "Q2", "Q3"], name="code_qpv"),
    )
    npnru = pd.DataFrame(
        {
            "code_qpv": ["Q1", "Q2", "Q9"],
            "nom": ["Vennes", "Croix-Blanche", "Fantôme"],
            "interet": ["national", "regional", "national"],
            "commune": [None, "01053", None],
        },
        dtype="str",
    )
    return qpv, npnru


def test_quartiers_par_commune():
    table = quartiers_par_commune(*quartiers_exemple())
    assert table.index.tolist() == ["01053", "01165", "2A004"]
    assert table["nb_qpv"].tolist() == [2, 1, 1]
    assert table["nb_npnru_national"].tolist() == [1, 1, 0]
    assert table["nb_npnru_regional"].tolist() == [1, 0, 0]
    assert table.at["01053", "quartiers"] == "Croix-Blanche ; Vennes"
    assert table.at["01053", "quartiers_npnru"] == "Croix-Blanche (regional) ; Vennes (national)"
    assert table.at["2A004", "quartiers_npnru"] == ""


def test_npnru_non_places():
    assert npnru_non_places(*quartiers_exemple())["code_qpv"].tolist() == ["Q9"]


@pytest.mark.parametrize(
    ("niveau", "code", "nb_qpv", "nb_national", "nb_regional"),
    [
        ("commune", "01053", 2, 1, 1),
        ("epci", "E01", 2, 1, 1),  # Q1 sur deux communes de l'EPCI : compté une fois
        ("departement", "01", 2, 1, 1),
        ("region", "94", 1, 0, 0),
        ("commune", "97411", 0, 0, 0),
    ],
    ids=["commune", "epci-sans-double-compte", "departement", "region-corse", "commune-sans-quartier"],
)
def test_indicateurs_quartiers(niveau, code, nb_qpv, nb_national, nb_regional):
    table = indicateurs_quartiers(*quartiers_exemple(), referentiel=referentiel_decp(), niveau=niveau)
    ligne = table.loc[code]
    assert (ligne["nb_qpv"], ligne["nb_npnru_national"], ligne["nb_npnru_regional"]) == (nb_qpv, nb_national, nb_regional)
    assert ligne["nb_npnru"] == nb_national + nb_regional


# --------------------------------------------------------------------------------------------
# Échantillons illustratifs livrés (géographie réelle)
# --------------------------------------------------------------------------------------------


def test_demo_quartiers_illustratifs():
    from geo.reference import charger_referentiel

    referentiel = charger_referentiel()
    qpv = charger_qpv_demo(referentiel=referentiel)
    npnru = charger_npnru_demo()
    assert qpv.attrs["demo"] and npnru.attrs["demo"]
    assert len(qpv) == 12 and qpv["nom_qpv"].str.startswith("Quartier illustratif").all()
    assert qpv["source"].str.contains("illustratif").all() and npnru["source"].str.contains("illustratif").all()
    assert qpv.loc["QX09302", "communes"] == ("93001", "93066")  # à cheval sur Aubervilliers et Saint-Denis
    toutes = {c for communes in qpv["communes"] for c in communes}
    assert toutes <= set(referentiel.communes.index)
    assert set(npnru["code_qpv"]) <= set(qpv.index) and npnru_non_places(qpv, npnru).empty
    assert set(npnru["interet"]) == {"national", "regional"}


def test_demo_geojson_lisible_sans_referentiel():
    """Le fichier de démonstration se relit comme un fichier officiel (objets quartier × commune)."""
    brut = gpd.read_file(io.BytesIO((__import__("coverage.sources.qpv").sources.qpv.FICHIER_DEMO_QPV).read_bytes()))
    assert {"code_qp", "lib_qp", "insee_com", "source"} <= set(brut.columns)
    assert brut["code_qp"].nunique() == 12 and len(brut) == 13
