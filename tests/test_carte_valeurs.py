"""Contours en fichiers statiques (geo/geometries_web.py) et couches de valeurs (geo/carte_valeurs.py).

Carrés et anneaux écrits à la main ; les entiers attendus sont calculés à la main (pas de 1e-4 °).
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.carte import carte_choroplethe, categories_couverture
from geo.carte_valeurs import alignee_sur_fichier, carte_base, colonnes_compactes, couche_contours_url, couche_valeurs, url_js
from geo.geometries_web import decoder, ecrire_geometries_web, encoder, lire_manifeste
from ui import carte as ui_carte


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """Deux communes du Nord (un carré troué, un carré accolé) et une de La Réunion."""
    troue = shapely.Polygon(
        [(3.0, 50.0), (3.001, 50.0), (3.001, 50.001), (3.0, 50.001)],
        [[(3.0004, 50.0004), (3.0006, 50.0004), (3.0006, 50.0006), (3.0004, 50.0006)]],
    )
    return gpd.GeoDataFrame(
        {"nom": ["Lille <b>", "Roubaix", "Le Tampon"], "departement": ["59", "59", "974"],
         "population": [1000, 2000, 3000]},
        geometry=[troue, shapely.box(3.001, 50.0, 3.002, 50.001), shapely.box(55.5, -21.3, 55.6, -21.2)],
        index=pd.Index(["59350", "59512", "97422"], name="code"),
        crs=4326,
    )


def test_encoder_entiers_en_ecarts_sans_point_de_fermeture(communes):
    donnees = encoder(communes, niveau="commune")
    assert donnees["codes"] == ["59350", "59512", "97422"]
    assert donnees["noms"] == ["Lille <b>", "Roubaix", "Le Tampon"]
    exterieur, trou = donnees["geometries"][0][0]
    # (3,0 ; 50,0) = (30000, 500000) en pas de 1e-4 °, puis les écarts d'un côté de 10 pas.
    assert exterieur == [30000, 500000, 10, 0, 0, 10, -10, 0]
    assert trou == [30004, 500004, 2, 0, 0, 2, -2, 0]
    assert len(donnees["geometries"][1]) == 1 and len(donnees["geometries"][1][0]) == 1


def test_decoder_rend_les_polygones(communes):
    retour = decoder(json.loads(json.dumps(encoder(communes, niveau="commune"))))
    assert list(retour.index) == ["59350", "59512", "97422"]
    for code in retour.index:
        assert retour.geometry[code].symmetric_difference(communes.geometry[code]).area < 1e-12
    assert retour.geometry["59350"].area == pytest.approx(1e-6 - 4e-8)  # le trou est gardé


def test_un_anneau_plus_petit_que_le_pas_disparait():
    minuscule = gpd.GeoDataFrame({"nom": ["Îlot"]}, geometry=[shapely.MultiPolygon([
        shapely.box(1.0, 45.0, 1.001, 45.001), shapely.box(2.0, 45.0, 2.00001, 45.00001)])],
        index=["01001"], crs=4326)
    assert len(encoder(minuscule, niveau="commune")["geometries"][0]) == 1


def test_encoder_exige_des_degres(communes):
    with pytest.raises(ValueError, match="EPSG:4326"):
        encoder(communes.to_crs(2154), niveau="commune")


def test_ecrire_geometries_web_empreintes_manifeste_et_idempotence(tmp_path, communes):
    reference = tmp_path / "reference"
    reference.mkdir()
    communes.reset_index().to_parquet(reference / "commune_affichage.parquet")
    communes.reset_index()[["code", "nom", "geometry"]].iloc[:1].to_parquet(reference / "ept_affichage.parquet")
    static = tmp_path / "static"
    manifeste = ecrire_geometries_web(static, reference=reference)
    assert set(manifeste["niveaux"]) == {"commune", "ept"}  # tout niveau présent, EPT compris
    assert re.fullmatch(r"/app/static/geo/commune\.[0-9a-f]{12}\.json", manifeste["niveaux"]["commune"])
    assert set(manifeste["par_departement"]["commune"]) == {"59", "974"}
    fichier_59 = static / "geo" / manifeste["par_departement"]["commune"]["59"].rsplit("/", 1)[1]
    assert json.loads(fichier_59.read_text(encoding="utf-8"))["codes"] == ["59350", "59512"]
    assert lire_manifeste(static) == manifeste
    inode = fichier_59.stat().st_ino
    assert ecrire_geometries_web(static, reference=reference) == manifeste
    assert fichier_59.stat().st_ino == inode  # rien de réécrit
    # Nouvelle couche source : nouvelle empreinte, l'ancien fichier national est retiré.
    communes.iloc[:2].reset_index().to_parquet(reference / "commune_affichage.parquet")
    nouveau = ecrire_geometries_web(static, reference=reference)
    assert nouveau["niveaux"]["commune"] != manifeste["niveaux"]["commune"]
    assert not (static / "geo" / manifeste["niveaux"]["commune"].rsplit("/", 1)[1]).exists()
    assert set(nouveau["par_departement"]["commune"]) == {"59"}


def test_epci_ecrits_aussi_par_departement_de_leurs_communes(tmp_path, communes):
    """La carte communale du Nord trace les contours de ses EPCI sans télécharger les 1 255 EPCI :
    un fichier par département, avec tout EPCI dont une commune y est (même s'il déborde)."""
    reference = tmp_path / "reference"
    reference.mkdir()
    # Lille dans la MEL ; Roubaix (59) rattachée pour le test à un EPCI à cheval sur le Nord et La Réunion.
    communes.assign(epci=["200093201", "200000001", "200000001"]).reset_index().to_parquet(reference / "commune_affichage.parquet")
    epci = gpd.GeoDataFrame(
        {"code": ["200093201", "200000001", "249740077"], "nom": ["MEL", "À cheval", "Sans commune ici"]},
        geometry=[shapely.box(3.0, 50.0, 3.001, 50.001), shapely.box(3.001, 50.0, 3.002, 50.001), shapely.box(55.0, -21.0, 55.1, -20.9)],
        crs=4326,
    )
    epci.to_parquet(reference / "epci_affichage.parquet")
    static = tmp_path / "static"
    manifeste = ecrire_geometries_web(static, reference=reference)
    assert set(manifeste["par_departement"]["epci"]) == {"59", "974"}
    lire = lambda url: json.loads((static / "geo" / url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))  # noqa: E731
    assert lire(manifeste["par_departement"]["epci"]["59"])["codes"] == ["200000001", "200093201"]
    assert lire(manifeste["par_departement"]["epci"]["974"])["codes"] == ["200000001"]
    assert len(lire(manifeste["niveaux"]["epci"])["codes"]) == 3  # le fichier national reste entier
    # Un manifeste d'avant les fichiers d'EPCI par département (même couches sources) est réécrit.
    ancien = {k: v for k, v in manifeste.items() if k != "disposition"}
    ancien["par_departement"] = {"commune": manifeste["par_departement"]["commune"]}
    (static / "geo" / "manifeste.json").write_text(json.dumps(ancien), encoding="utf-8")
    assert ecrire_geometries_web(static, reference=reference)["par_departement"]["epci"] == manifeste["par_departement"]["epci"]


def test_colonnes_compactes_en_dictionnaire_quand_peu_de_textes():
    colonnes = colonnes_compactes(pd.DataFrame({"statut": ["Couvert", "Non couvert", "Couvert"],
                                                "nom": ["Lille", "Roubaix", "Tourcoing"]}))
    # Un caractère par territoire (indice dans le dictionnaire) au lieu d'une liste d'entiers.
    assert colonnes == [{"d": ["Couvert", "Non couvert"], "i": "010"}, ["Lille", "Roubaix", "Tourcoing"]]


def test_colonnes_compactes_nombres_francais_en_entiers_exacts():
    colonnes = colonnes_compactes(pd.DataFrame({
        "population": ["1\u00a0234\u00a0567", "-12", "Sans donnée", "7"],
        "indice": ["0,25", "12\u00a0345,50", "-0,05", "Sans donnée"],
        "melange": ["1,5", "2", "3,25", "4"],  # décimales différentes : textes tels quels
        "unite": ["1\u00a0€", "2\u00a0€", "3\u00a0€", "4\u00a0€"],
    }))
    assert colonnes[0] == {"n": [1234567, -12, None, 7], "e": 0}
    assert colonnes[1] == {"n": [25, 1234550, -5, None], "e": 2}
    assert colonnes[2] == ["1,5", "2", "3,25", "4"]
    assert colonnes[3] == ["1\u00a0€", "2\u00a0€", "3\u00a0€", "4\u00a0€"]


def test_couche_alignee_sur_le_fichier_sans_les_codes(communes):
    table = pd.DataFrame(communes.drop(columns="geometry")).assign(statut=["couvert", "non_couvert", None])
    couche = couche_valeurs(table.iloc[[1, 0]], geometries=["/app/static/geo/commune.x.json"], colonne="statut",
                            libelle="Couverture", palette="categorie", categories=categories_couverture(),
                            champs_infobulle=[("population", "Population")])
    # Le fichier a trois communes (dont 97422, hors de la couche) dans son propre ordre.
    alignee = alignee_sur_fichier(couche, ["97422", "59350", "59512"])
    v = alignee.options_valeurs["valeurs"]
    assert "codes" not in v
    assert v["s"] == "~20"  # 97422 absent, 59350 couvert (2), 59512 non couvert (0)
    assert v["colonnes"][0] == {"n": [None, 1000, 2000], "e": 0}
    assert alignee.options_valeurs["legende"] == couche.options_valeurs["legende"]
    # Un code de la couche absent du fichier : envoi avec les codes, comme avant.
    assert alignee_sur_fichier(couche, ["59350"]).options_valeurs["valeurs"]["codes"] == ["59512", "59350"]


def _options(couche) -> dict:
    return couche.options_valeurs


def test_couche_valeurs_envoie_classes_textes_et_legende_sans_geometrie(communes):
    table = pd.DataFrame(communes.drop(columns="geometry")).assign(statut=["couvert", "non_couvert", None])
    couche = couche_valeurs(table, geometries=["/app/static/geo/commune.x.json"], colonne="statut", libelle="Couverture",
                            palette="categorie", categories=categories_couverture(),
                            champs_infobulle=[("population", "Population")])
    o = _options(couche)
    assert o["geometries"] == ["/app/static/geo/commune.x.json"]
    assert o["valeurs"]["codes"] == ["59350", "59512", "97422"]
    assert o["valeurs"]["s"] == "204"  # couvert, non couvert, sans donnée (après les 4 statuts de StatutCouverture)
    assert o["etiquettes"] == ["Population", "Couverture"]
    assert o["valeurs"]["colonnes"][0] == {"n": [1000, 2000, 3000], "e": 0}  # le navigateur écrit « 1 000 »
    assert o["styles"][4]["fillColor"] == "#E5E5E5"
    assert "Non couvert (1)" in o["legende"]["html"] and "Sans donnée (1)" in o["legende"]["html"]
    assert "coordinates" not in couche.options_json
    # Le texte part dans un <script> : ni balise ni gabarit Jinja ne peuvent s'y glisser.
    assert "<" not in couche.options_json.replace("\\u003c", "")


def test_couche_valeurs_refuse_une_table_sans_la_colonne(communes):
    with pytest.raises(ValueError, match="Colonnes absentes"):
        couche_valeurs(pd.DataFrame(communes.drop(columns="geometry")), geometries=["u"], colonne="etp",
                       libelle="ETP", palette="sequentielle")


def test_contours_par_url_non_interactifs_et_filtres():
    o = _options(couche_contours_url(["/app/static/geo/departement.x.json"], nom="Départements", codes=["59"],
                                     tirets="6 4"))
    assert o["codes"] == ["59"] and o["interactive"] is False and o["contours"] is True
    assert o["styles"] == [{"fill": False, "color": "#161616", "weight": 1.0, "opacity": 1, "dashArray": "6 4"}]


def test_carte_base_stable_et_locale():
    a, b = carte_base(hauteur=500), carte_base(hauteur=500)
    from streamlit_folium import _get_map_string, generate_js_hash

    assert generate_js_hash(_get_map_string(a), "k") == generate_js_hash(_get_map_string(b), "k")
    assert [u for _, u in a.default_js] == ["/app/static/leaflet/leaflet.js", url_js()]


def test_afficher_carte_valeurs_cle_stable_et_couches_a_part(communes, monkeypatch):
    """Changer d'indicateur ne change que les couches : la clé du composant (carte de base) reste la même."""
    envois: list[dict] = []

    def faux_composant(**arguments):
        envois.append(arguments)
        return {}

    monkeypatch.setattr("streamlit_folium._component_func", faux_composant)
    table = pd.DataFrame(communes.drop(columns="geometry")).assign(statut="couvert")
    for colonne, palette in (("statut", "categorie"), ("population", "sequentielle")):
        valeurs = couche_valeurs(table, geometries=["/app/static/geo/commune.x.json"], colonne=colonne, libelle=colonne,
                                 palette=palette, categories=categories_couverture() if palette == "categorie" else None)
        ui_carte.afficher_carte(carte_base(), cle="accueil_carte", couches_variables=[valeurs])
    assert envois[0]["key"] == envois[1]["key"] and envois[0]["script"] == envois[1]["script"]
    assert envois[0]["feature_group"] != envois[1]["feature_group"]
    assert "L.coucheValeurs" in envois[1]["feature_group"] and "coordinates" not in envois[1]["feature_group"]
    assert envois[1]["returned_objects"] == ["last_active_drawing"]
    # Même carte en GeoJSON intégré (la manière d'avant) : les coordonnées partent à chaque exécution.
    inline = carte_choroplethe(communes, colonne="population", libelle="population", palette="sequentielle")
    ui_carte.afficher_carte(inline, cle="ancienne")
    assert "coordinates" in envois[2]["script"]


def test_la_base_de_comparaison_reproduit_la_carte_d_avant(communes):
    """`couche_integree` (banc d'essai) donne exactement le GeoJSON que `carte_choroplethe` envoyait."""
    from geo.carte import CoucheGeoJson, _parcourir
    from geo.carte_valeurs import couche_integree

    options = dict(colonne="population", libelle="Population", palette="sequentielle", bornes=[1500, 2500])
    couche = couche_valeurs(pd.DataFrame(communes.drop(columns="geometry")), geometries=["/g/commune.x.json"], **options)
    avant = next(e for e in _parcourir(carte_choroplethe(communes, **options)) if isinstance(e, CoucheGeoJson))
    integree = couche_integree(couche, communes)
    assert integree[0].donnees == avant.donnees
    assert integree[1].html == next(e for e in _parcourir(carte_choroplethe(communes, **options))
                                    if type(e).__name__ == "Legende").html


def test_mode_de_comparaison_integre_les_geometries_dans_la_carte(communes, monkeypatch):
    envois: list[dict] = []
    monkeypatch.setattr("streamlit_folium._component_func", lambda **a: envois.append(a) or {})
    monkeypatch.setattr("ui.etat.geometries", lambda niveau: communes)
    monkeypatch.setenv(ui_carte.VARIABLE_MODE, "integrees")
    table = pd.DataFrame(communes.drop(columns="geometry"))
    valeurs = couche_valeurs(table, geometries=["/app/static/geo/commune-59.x.json"], colonne="population",
                             libelle="Population", palette="sequentielle")
    contours = couche_contours_url(["/app/static/geo/commune.x.json"], nom="Contours", codes=["97422"])
    ui_carte.afficher_carte(carte_base(), cle="c", couches_variables=[valeurs, contours])
    assert envois[0]["feature_group"] is None
    assert envois[0]["script"].count('"type":"Feature"') == 4  # 3 territoires colorés + 1 contour
    assert "L.coucheValeurs" not in envois[0]["script"] and "legende-carte" in envois[0]["script"]


@pytest.mark.parametrize("decimales", [0, 1, 2])
def test_formater_nombre_ecrit_exactement_comme_format_nombre(decimales):
    """Le chemin rapide des infobulles (34 875 communes) donne le texte de `format_nombre`, égalités comprises."""
    from coverage.documents.format import format_nombre
    from geo.carte import formater_nombre

    valeurs = [0.125, 2.5, -2.5, 0.05, -0.04, -0.0, 1.005, 0.45, 1e-7, 1e20, 123456789.125, 1234.5, 29473.0, 7, float("inf")]
    attendu = [format_nombre(v, decimales=decimales) for v in valeurs] + ["Sans donnée"]
    assert formater_nombre(pd.Series(valeurs + [None]), decimales=decimales).tolist() == attendu


def _nombre_js(n, e: int) -> str:
    """`nombre(n, e)` de geo/js/carte_valeurs.js, recopiée : ce que le navigateur écrit d'un entier reçu."""
    if n is None:
        return "Sans donnée"
    entier, reste = divmod(abs(n), 10**e)
    texte = f"{entier:,}".replace(",", "\u00a0") + (f",{reste:0{e}d}" if e else "")
    return ("-" if n < 0 else "") + texte


@pytest.mark.parametrize("decimales", [0, 1, 2])
def test_nombres_envoyes_en_entiers_s_ecrivent_comme_format_nombre(decimales):
    """Les champs numériques partent sans passer par le texte : le navigateur doit écrire le même texte
    que `format_nombre` (moitié vers le haut sur l'écriture décimale, pas de « -0 »)."""
    from coverage.documents.format import format_nombre
    from geo.carte_valeurs import nombres_en_entiers

    valeurs = [0.125, 2.5, -2.5, 0.05, -0.04, -0.0, 1.005, 0.45, 1e-7, 2.675, 123456789.125, 1234.5, 29473.0, 7, 0.15]
    envoi = nombres_en_entiers(pd.Series(valeurs + [None]), decimales)
    assert envoi["e"] == decimales
    assert [_nombre_js(n, decimales) for n in envoi["n"]] == [format_nombre(v, decimales) for v in valeurs] + ["Sans donnée"]


def test_infobulle_numerique_de_la_carte_identique_a_la_carte_statique(communes):
    """Mêmes textes d'infobulle que la carte d'avant (textes écrits ici), champs décimaux compris."""
    table = pd.DataFrame(communes.drop(columns="geometry")).assign(statut=["couvert", "non_couvert", None],
                                                                   etp=[0.25, None, 1.75])
    couche = couche_valeurs(table, geometries=["/app/static/geo/commune.x.json"], colonne="statut", libelle="Couverture",
                            palette="categorie", categories=categories_couverture(),
                            champs_infobulle=[("population", "Population"), ("etp", "ETP")])
    population, etp = couche.options_valeurs["valeurs"]["colonnes"][:2]
    assert [_nombre_js(n, population["e"]) for n in population["n"]] == ["1\u00a0000", "2\u00a0000", "3\u00a0000"]
    assert [_nombre_js(n, etp["e"]) for n in etp["n"]] == ["0,3", "Sans donnée", "1,8"]  # une décimale, moitié vers le haut
    assert couche.classement.textes()["champ_1"].tolist() == ["0,3", "Sans donnée", "1,8"]


def test_champ_numerique_a_peu_de_valeurs_en_dictionnaire_de_textes():
    """Les ETP (quelques valeurs pour 34 875 communes) : un caractère par commune, pas un entier."""
    etp = pd.DataFrame({"etp": [0.5, 0.5, None, 1234.5, 0.5]})
    assert colonnes_compactes(etp, {"etp": 1}) == [{"d": ["0,5", "Sans donnée", "1\u00a0234,5"], "i": "00120"}]
