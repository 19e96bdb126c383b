"""Cartes hors ligne : geo/carte.py (pur) et ui/carte.py (assets locaux, appel à st_folium).

Petits territoires carrés faits à la main ; les attendus sont écrits en clair.
"""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import streamlit_folium

from geo.carte import (
    COULEUR_SANS_DONNEE,
    EMPRISES,
    CoucheGeoJson,
    Legende,
    bornes_quantiles,
    carte_choroplethe,
    carte_vierge,
    categories_couverture,
    code_depuis_retour,
    couche_contours,
    emprise_par_defaut,
    formater_nombre,
    geojson_compact,
    liens_externes,
    liens_scripts_styles,
    poids_donnees,
    poids_geojson,
    vue_emprise,
)
from geo.reference import charger_referentiel
from ui import carte as ui_carte

URL_EXTERNE = re.compile(r"https?://|//cdn|//code\.")
JS_LOCAL = ["/app/static/leaflet/leaflet.js"]
CSS_LOCAL = ["/app/static/leaflet/leaflet.css"]


@pytest.fixture
def territoires() -> gpd.GeoDataFrame:
    """Trois carrés de 0,1° côte à côte dans l'Allier, un carré à La Réunion."""
    return gpd.GeoDataFrame(
        {
            "nom": ["L'Abergement <A> & co", "Ajaccio", "Le Tampon", "Bourges"],
            "population": [1234, 56789, 0, np.nan],
            "statut": ["couvert", "non_couvert", None, "couvert"],
            "etp_pour_100k": [5.0, 10.0, 100.0, np.nan],
        },
        geometry=[
            shapely.box(2.0, 46.0, 2.123456, 46.1),
            shapely.box(2.123456, 46.0, 2.3, 46.1),
            shapely.box(55.4, -21.2, 55.5, -21.1),
            shapely.box(2.3, 46.0, 2.4, 46.1),
        ],
        index=pd.Index(
            ["01001", "2A004", "97411", "18033"],  # zéros initiaux, Corse, La Réunion
            name="code",
        ),
        crs="EPSG:4326",
    )


def _carte_statut(territoires, **options) -> folium.Map:
    return carte_choroplethe(
        territoires,
        colonne="statut",
        libelle="Couverture",
        palette="categorie",
        categories=categories_couverture(),
        **options,
    )


def _couche(m: folium.Map) -> CoucheGeoJson:
    return next(e for e in m._children.values() if isinstance(e, CoucheGeoJson))


def _legende(m: folium.Map) -> Legende:
    return next(e for e in m._children.values() if isinstance(e, Legende))


def _proprietes(m: folium.Map) -> dict[str, dict]:
    donnees = json.loads(_couche(m).donnees_json)
    return {f["properties"]["code"]: f["properties"] for f in donnees["features"]}


# --- Formatage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valeur", "decimales", "unite", "attendu"),
    [
        (1234.5, 1, "", "1\u00a0234,5"),
        (29473, 0, "€", "29\u00a0473\u00a0€"),  # plafond par ETP de l'appel
        (0.5, 1, "ETP", "0,5\u00a0ETP"),  # seuil d'éligibilité
        (-1234567, 0, "", "-1\u00a0234\u00a0567"),
        (np.nan, 0, "", "Sans donnée"),
    ],
    ids=["decimale", "euros", "etp", "negatif", "manquant"],
)
def test_formater_nombre_a_la_francaise(valeur, decimales, unite, attendu):
    assert formater_nombre(pd.Series([valeur]), decimales=decimales, unite=unite).tolist() == [
        attendu
    ]


# --- Hors ligne : aucune ressource externe -------------------------------------------------------


def test_carte_ne_declare_que_leaflet_local(territoires):
    m = _carte_statut(territoires)
    assert liens_scripts_styles(m) == (JS_LOCAL, CSS_LOCAL)
    assert liens_externes(m) == []
    assert not URL_EXTERNE.search(m.get_root().render())


def test_ce_que_st_folium_envoie_au_navigateur_est_local(territoires, monkeypatch):
    """On appelle le vrai `st_folium`, seul le composant front est remplacé par un espion."""
    envoye: dict = {}
    monkeypatch.setattr(
        streamlit_folium, "_component_func", lambda **kw: envoye.update(kw) or kw["default"]
    )
    groupe = folium.FeatureGroup(name="Périmètre simulé")
    couche_contours(territoires.iloc[:2], nom="Périmètre").add_to(groupe)
    m = _carte_statut(territoires, couches_dessus=[couche_contours(territoires, nom="Zone")])
    streamlit_folium.st_folium(
        m, key="carte", returned_objects=["last_active_drawing"], feature_group_to_add=[groupe]
    )
    assert envoye["js_links"] == JS_LOCAL
    assert envoye["css_links"] == CSS_LOCAL
    for partie in ("script", "header", "html", "feature_group"):
        assert not URL_EXTERNE.search(envoye[partie]), partie
    assert "2A004" in envoye["script"]
    assert "01001" in envoye["feature_group"]


def test_une_carte_folium_par_defaut_est_detectee_comme_externe():
    externes = liens_externes(folium.Map())
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in externes
    assert len(externes) == 10  # leaflet, jquery, bootstrap, awesome-markers, font-awesome…


def test_une_couche_tirant_un_cdn_est_refusee(territoires):
    with pytest.raises(ValueError, match="depuis internet.*leaflet.draw"):
        _carte_statut(territoires, couches_dessus=[folium.plugins.Draw()])


def test_pas_de_tuiles_par_defaut_et_tuiles_optionnelles(territoires):
    sans = _carte_statut(territoires)
    assert not [e for e in sans._children.values() if isinstance(e, folium.TileLayer)]
    avec = _carte_statut(
        territoires, tuiles="/tuiles/{z}/{x}/{y}.png", attribution_tuiles="Serveur interne"
    )
    (tuiles,) = [e for e in avec._children.values() if isinstance(e, folium.TileLayer)]
    assert tuiles.tiles == "/tuiles/{z}/{x}/{y}.png"


# --- GeoJSON compact -----------------------------------------------------------------------------


def test_geojson_minimal_code_classe_et_coordonnees_arrondies(territoires):
    donnees = geojson_compact(territoires.iloc[:1], classes=np.array([2]))
    (entite,) = donnees["features"]
    assert entite["properties"] == {"code": "01001", "s": 2}
    assert "id" not in entite
    # 2.123456 arrondi au 1/10 000 de degré
    assert tuple(entite["geometry"]["coordinates"][0][0]) == (2.1235, 46.0)


def test_infobulle_formatee_et_echappee(territoires):
    m = _carte_statut(territoires)
    proprietes = _proprietes(m)
    assert proprietes["01001"]["v"] == ["L'Abergement <A> & co", "01001", "1\u00a0234", "Couvert"]
    assert proprietes["18033"]["v"] == ["Bourges", "18033", "Sans donnée", "Couvert"]
    assert _couche(m).etiquettes == ["Nom", "Code", "Population", "Couverture"]
    # dans le script, aucun « < » ni « & » brut venu des données (pas d'injection HTML)
    assert "\\u003cA\\u003e \\u0026 co" in _couche(m).donnees_json


def test_donnees_inertes_pour_jinja(territoires, monkeypatch):
    """folium et streamlit-folium passent les scripts dans Jinja : un nom n'y est jamais évalué."""
    nom = "{{ 'zq' * 3 }} {% if x %} {# c #}"  # évalué, il donnerait « zqzqzq »
    m = _carte_statut(territoires.assign(nom=[nom, "b", "c", "d"]))
    page = m.get_root().render()
    assert "zqzqzq" not in page
    assert _proprietes(m)["01001"]["v"][0] == nom
    envoye: dict = {}
    monkeypatch.setattr(
        streamlit_folium, "_component_func", lambda **kw: envoye.update(kw) or kw["default"]
    )
    streamlit_folium.st_folium(m, key="c", returned_objects=["last_active_drawing"])
    assert "{\\u007b 'zq' * 3 }} {\\u0025 if x %} {\\u0023 c #}" in envoye["script"]


def test_indicateur_non_repete_dans_l_infobulle(territoires):
    m = carte_choroplethe(
        territoires,
        colonne="population",
        libelle="Population",
        palette="sequentielle",
        bornes=[1000],
    )
    assert _couche(m).etiquettes == ["Nom", "Code", "Population"]
    assert _proprietes(m)["2A004"]["v"] == ["Ajaccio", "2A004", "56\u00a0789"]


# --- Classes et légende --------------------------------------------------------------------------


def test_palette_categorie_couleurs_etat_et_legende(territoires):
    m = _carte_statut(territoires)
    classes = {code: p["s"] for code, p in _proprietes(m).items()}
    assert classes == {"01001": 2, "2A004": 0, "97411": 4, "18033": 2}  # 4 : sans donnée, après les 4 statuts
    assert [s["fillColor"] for s in _couche(m).styles] == [
        "#A50026",  # non couvert
        "#F4A300",  # extension seule
        "#2166AC",  # couvert
        "#C2A5CF",  # extension non limitrophe seulement
        COULEUR_SANS_DONNEE,
    ]
    assert _legende(m).lignes == [
        ("#A50026", "Non couvert (1)"),
        ("#F4A300", "Couvert seulement par extension limitrophe (0)"),
        ("#2166AC", "Couvert (2)"),
        ("#C2A5CF", "Extension non limitrophe seulement (compté non couvert) (0)"),
        ("#E5E5E5", "Sans donnée (1)"),
    ]


def test_palette_sequentielle_seuils_inclus_dans_la_classe_superieure(territoires):
    m = carte_choroplethe(
        territoires,
        colonne="etp_pour_100k",
        libelle="ETP pour 100 000 habitants",
        palette="sequentielle",
        bornes=[10, 100],
        decimales=1,
    )
    classes = {code: p["s"] for code, p in _proprietes(m).items()}
    # 5 < 10 ; 10 est dans [10, 100[ ; 100 dans [100, +inf[ ; manquant = sans donnée
    assert classes == {"01001": 0, "2A004": 1, "97411": 2, "18033": 3}
    assert _legende(m).lignes == [
        ("#E3E3FD", "moins de 10 (1)"),
        ("#9A9AF8", "de 10 à moins de 100 (1)"),
        ("#000091", "100 et plus (1)"),
        ("#E5E5E5", "Sans donnée (1)"),
    ]
    assert _proprietes(m)["2A004"]["v"][-1] == "10,0"


def test_bornes_quantiles_arrondies():
    # quantiles 20 %, 40 %, 60 %, 80 % de 1…100 : 20,8 ; 40,6 ; 60,4 ; 80,2
    assert bornes_quantiles(pd.Series(np.arange(1, 101))) == [21.0, 41.0, 60.0, 80.0]


# --- Cadrage -------------------------------------------------------------------------------------


def test_cadrage_par_defaut_sur_la_metropole(territoires):
    # Le Tampon (La Réunion) est hors de l'emprise métropolitaine : il ne dézoome pas la carte.
    assert emprise_par_defaut(territoires) == (2.0, 46.0, 2.4, 46.1)
    assert emprise_par_defaut(territoires.loc[["97411"]]) == (55.4, -21.2, 55.5, -21.1)


@pytest.mark.parametrize("cle", list(EMPRISES), ids=list(EMPRISES))
def test_emprises_contiennent_toutes_les_communes(cle):
    communes = charger_referentiel().communes
    drom = communes["departement"].isin([k for k in EMPRISES if k != "metropole"])
    dedans = communes[communes["departement"] == cle] if cle != "metropole" else communes[~drom]
    points = gpd.points_from_xy(dedans["lon"], dedans["lat"])
    assert len(dedans) > 0
    assert shapely.within(points, shapely.box(*EMPRISES[cle])).all()


@pytest.mark.parametrize(
    ("emprise", "largeur", "attendu"),
    [
        # 90° de longitude = 1/4 du monde ; 256 px × 2^4 × 1/4 = 1 024 px : zoom 4 pile
        ((0.0, -10.0, 90.0, 10.0), 1024, ((0.0, 45.0), 4.0)),
        # 1 000 px : log2(15,625) = 3,97, arrondi au pas de 0,25 inférieur
        ((0.0, -10.0, 90.0, 10.0), 1000, ((0.0, 45.0), 3.75)),
    ],
    ids=["zoom_entier", "pas_inferieur"],
)
def test_vue_emprise_comme_fitbounds(emprise, largeur, attendu):
    assert vue_emprise(emprise, largeur=largeur, hauteur=10_000) == attendu


def test_carte_vierge_cadre_sur_l_emprise():
    m = carte_vierge(cadrage=EMPRISES["974"])
    script = m.get_root().render()
    assert "[[-21.4, 55.21], [-20.86, 55.84]]" in script  # fitBounds en [lat, lon]


# --- Erreurs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modifier", "options", "message"),
    [
        (lambda g: g.to_crs(2154), {}, "EPSG:4326"),
        (lambda g: g.drop(columns="nom"), {}, "Colonnes absentes.*nom"),
        (lambda g: g.iloc[[0, 0]], {}, "unique.*01001"),
        (lambda g: g.iloc[:0], {}, "vide"),
        (lambda g: g.assign(statut="inconnu"), {}, "Valeurs sans couleur.*inconnu"),
        (lambda g: g, {"categories": None}, "`categories` est obligatoire"),
        (lambda g: g, {"tuiles": "/t/{z}/{x}/{y}.png"}, "attribution_tuiles"),
    ],
    ids=["crs", "colonne", "doublon", "vide", "categorie_inconnue", "sans_categories", "tuiles"],
)
def test_erreurs_carte_categorie(territoires, modifier, options, message):
    parametres = {"categories": categories_couverture(), **options}
    with pytest.raises(ValueError, match=message):
        carte_choroplethe(
            modifier(territoires), colonne="statut", libelle="Couverture", palette="categorie",
            **parametres,
        )


@pytest.mark.parametrize(
    ("bornes", "message"),
    [([100, 10], "strictement croissant"), ([1, 2, 3, 4, 5, 6], "Trop de classes : 7")],
    ids=["decroissant", "trop_de_classes"],
)
def test_erreurs_bornes(territoires, bornes, message):
    with pytest.raises(ValueError, match=message):
        carte_choroplethe(
            territoires, colonne="etp_pour_100k", libelle="x", palette="sequentielle", bornes=bornes
        )


# --- Clic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retour", "avec_gdf", "attendu"),
    [
        (None, True, None),
        ({"last_active_drawing": None}, False, None),
        ({"last_active_drawing": {"properties": {"code": "2A004"}}}, False, "2A004"),
        ({"last_active_drawing": {"properties": {}}}, False, None),  # couche sans code
        ({"last_object_clicked": {"lat": 46.05, "lng": 2.2}}, True, "2A004"),  # point-dans-polygone
        ({"last_object_clicked": {"lat": 46.05, "lng": 2.2}}, False, None),
        ({"last_object_clicked": {"lat": 48.85, "lng": 2.35}}, True, None),  # hors des territoires
    ],
    ids=[
        "rien", "pas_de_clic", "entite", "entite_sans_code", "repli_point", "point_sans_gdf",
        "dehors",
    ],
)
def test_code_depuis_retour(territoires, retour, avec_gdf, attendu):
    assert code_depuis_retour(retour, territoires if avec_gdf else None) == attendu


# --- Mesures -------------------------------------------------------------------------------------


def test_poids_du_script_domine_par_les_donnees(territoires):
    m = _carte_statut(territoires)
    donnees = poids_donnees(m)
    assert donnees == len(_couche(m).donnees_json.encode("utf-8"))
    assert donnees < poids_geojson(m) < donnees + 10_000


# --- ui/carte.py : assets locaux et appel à st_folium --------------------------------------------


def test_preparer_assets_locaux_copie_puis_ne_touche_plus(tmp_path):
    cible = ui_carte.preparer_assets_locaux(tmp_path)
    assert cible == tmp_path / "static" / "leaflet"
    source = ui_carte._source_leaflet()
    for nom in ui_carte.FICHIERS_LEAFLET:
        assert (cible / nom).read_bytes() == (source / nom).read_bytes(), nom
    assert (cible / "leaflet.js").read_bytes().startswith(b"/* @preserve\n * Leaflet 1.9.4")
    inode = (cible / "leaflet.js").stat().st_ino
    ui_carte.preparer_assets_locaux(tmp_path)
    assert (cible / "leaflet.js").stat().st_ino == inode  # déjà à jour : pas recopié
    (cible / "leaflet.css").write_text("abîmé", encoding="utf-8")
    ui_carte.preparer_assets_locaux(tmp_path)
    assert (cible / "leaflet.css").read_bytes() == (source / "leaflet.css").read_bytes()


def test_afficher_carte_limite_le_retour_et_envoie_les_couches_a_part(territoires, monkeypatch):
    appels: list[dict] = []

    def faux_st_folium(m, **options):
        appels.append(options)
        return {"last_active_drawing": {"properties": {"code": "97411"}}}

    monkeypatch.setattr(ui_carte, "st_folium", faux_st_folium)
    contour = couche_contours(territoires.iloc[:1], nom="Périmètre")
    code = ui_carte.afficher_carte(
        _carte_statut(territoires, hauteur=450), cle="couverture_carte", couches_variables=[contour]
    )
    assert code == "97411"
    (options,) = appels
    assert options["key"] == "couverture_carte"
    assert options["height"] == 450
    assert options["returned_objects"] == ["last_active_drawing"]  # pan/zoom ne relance pas
    assert (options["center"], options["zoom"]) == (None, None)
    (groupe,) = options["feature_group_to_add"]
    assert isinstance(groupe, folium.FeatureGroup)
    assert list(groupe._children.values()) == [contour]


def test_afficher_carte_recadre_sans_recharger(territoires, monkeypatch):
    appels: list[dict] = []
    monkeypatch.setattr(ui_carte, "st_folium", lambda m, **o: appels.append(o) or None)
    code = ui_carte.afficher_carte(
        _carte_statut(territoires), cle="c", hauteur=512, largeur_estimee=1024,
        cadrage=(0.0, -10.0, 90.0, 10.0), gdf=territoires,
    )
    assert code is None
    (options,) = appels
    # 1 024 px pour 90° de longitude : zoom 4 ; 512 px de haut suffisent pour 20° de latitude
    assert (options["center"], options["zoom"]) == ((0.0, 45.0), 4.0)
    assert options["returned_objects"] == ["last_active_drawing", "last_object_clicked"]


def test_afficher_carte_refuse_une_carte_qui_tire_un_cdn(monkeypatch):
    monkeypatch.setattr(ui_carte, "st_folium", lambda m, **o: pytest.fail("st_folium appelé"))
    with pytest.raises(ValueError, match="hors ligne.*https://"):
        ui_carte.afficher_carte(folium.Map(), cle="c")


def test_parametres_tuiles_depuis_l_environnement(monkeypatch):
    monkeypatch.delenv("CARTE_URL_TUILES", raising=False)
    monkeypatch.delenv("CARTE_ATTRIBUTION_TUILES", raising=False)
    assert ui_carte.parametres_tuiles() == {"tuiles": None, "attribution_tuiles": None}
    monkeypatch.setenv("CARTE_URL_TUILES", "https://tuiles.intranet/{z}/{x}/{y}.png")
    monkeypatch.setenv("CARTE_ATTRIBUTION_TUILES", "IGN")
    assert ui_carte.parametres_tuiles() == {
        "tuiles": "https://tuiles.intranet/{z}/{x}/{y}.png",
        "attribution_tuiles": "IGN",
    }


def test_opacite_du_remplissage_reglable(territoires):
    """Sous des emprises de grands projets, le remplissage s'éclaircit pour laisser voir les contours."""
    defaut = carte_choroplethe(territoires, colonne="statut", libelle="Couverture", palette="categorie",
                               categories=categories_couverture()).get_root().render()
    claire = carte_choroplethe(territoires, colonne="statut", libelle="Couverture", palette="categorie",
                               categories=categories_couverture(), opacite=0.45).get_root().render()
    assert '"fillOpacity":0.85' in defaut and '"fillOpacity":0.45' in claire
