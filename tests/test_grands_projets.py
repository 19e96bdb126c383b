"""Registre des grands projets et empreintes (issue 5).

Les empreintes sont calculées sur la géographie de référence COG 2026 committée (chargée une
fois par module) ; le bilan et la validation sur de petites tables écrites à la main.
"""

from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from coverage.territoires.grands_projets import (
    ErreurRegistre,
    GrandProjet,
    Trace,
    TypeProjet,
    ajouter_projet,
    axe_projet,
    bilan_projets,
    charger_registre,
    ecrire_registre_yaml,
    empreinte,
    empreintes,
    exporter_registre_geojson,
    exporter_registre_tableau,
    lire_registre_geojson,
    lire_registre_tableau,
    projet_depuis_dessin,
    projet_depuis_geojson,
    projets_depuis_yaml,
    projets_npnru,
    projets_vers_yaml,
    tableau_registre,
    valider_projet,
)
from coverage.sources.lecture import ErreurLecture
from geo.reference import charger_geometries, charger_referentiel

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def referentiel():
    return charger_referentiel()


@pytest.fixture(scope="module")
def communes_geo():
    return charger_geometries("commune", affichage=False)


@pytest.fixture(scope="module")
def registre(referentiel):
    return charger_registre(referentiel=referentiel)


def _par_id(projets, ident):
    return next(p for p in projets if p.id == ident)


def _trace(codes, largeur_km, ident="t"):
    return GrandProjet(ident, "Tracé", TypeProjet.FERROVIAIRE, "test", traces=(Trace(largeur_km, communes=tuple(codes)),))


# --------------------------------------------------------------------------------------------
# Registre livré
# --------------------------------------------------------------------------------------------


def test_registre_livre_contient_les_projets_de_l_appel(registre):
    assert [p.id for p in registre] == [
        "canal-seine-nord-europe",
        "bassin-minier-erbm",
        "gpso",
        "lnpca",
        "lnmp",
        "lnpn",
        "npnru-echantillon-grigny",
        "npnru-echantillon-clichy-montfermeil",
        "npnru-echantillon-amiens-nord",
        "npnru-echantillon-nimes",
    ]
    canal = _par_id(registre, "canal-seine-nord-europe")
    # Compiègne, Noyon, Nesle, Péronne, Marquion, Aubencheul-au-Bac (codes vérifiés dans le COG 2026)
    assert canal.traces == (Trace(10.0, communes=("60159", "60471", "80585", "80620", "62559", "59023")),)
    assert canal.type is TypeProjet.TRANSPORT_FLUVIAL
    assert len(_par_id(registre, "gpso").traces) == 2  # Bordeaux-Toulouse et Bordeaux-Dax
    assert len(_par_id(registre, "lnpn").traces) == 2  # vers Caen et vers Le Havre


def test_chaque_approximation_le_dit(registre):
    tableau = tableau_registre(registre)
    # Toutes les emprises livrées sont approchées : chacune porte sa mention.
    assert tableau["indicatif"].all()
    assert tableau["mention"].str.startswith("Emprise indicative : ").all()
    erbm = tableau.set_index("id").loc["bassin-minier-erbm", "mention"]
    assert "à remplacer par la liste officielle des communes de l'ERBM" in erbm


def test_bassin_minier_par_ses_8_epci(registre, referentiel, communes_geo):
    erbm = _par_id(registre, "bassin-minier-erbm")
    e = empreinte(erbm, referentiel=referentiel, communes_geo=communes_geo)
    # 8 EPCI : 100 + 36 + 14 + 35 + 20 + 47 + 35 + 49 communes (table EPCI du COG 2026)
    assert len(e) == 336
    assert e["epci"].nunique() == 8
    assert sorted(e["departement"].unique()) == ["59", "62"]
    assert (e["part_surface"] == 1.0).all()


# --------------------------------------------------------------------------------------------
# Empreintes
# --------------------------------------------------------------------------------------------


def test_trace_traverse_une_limite_de_departement(referentiel, communes_geo):
    # Noyon (Oise) → Nesle (Somme), corridor de 2 km
    e = empreinte(_trace(["60471", "80585"], 2), referentiel=referentiel, communes_geo=communes_geo)
    assert sorted(e["departement"].unique()) == ["60", "80"]
    assert {"60471", "80585"} <= set(e["commune"])
    assert e["part_surface"].between(0, 1).all()


def test_canal_touche_ses_quatre_departements(registre, referentiel, communes_geo):
    e = empreinte(_par_id(registre, "canal-seine-nord-europe"), referentiel=referentiel, communes_geo=communes_geo)
    assert sorted(e["departement"].unique()) == ["59", "60", "62", "80"]
    assert {"60159", "60471", "80585", "80620", "62559", "59023"} <= set(e["commune"])


def test_la_largeur_du_corridor_change_le_compte(registre, referentiel, communes_geo):
    canal = _par_id(registre, "canal-seine-nord-europe")
    etroit, large = (
        dataclasses.replace(canal, traces=(dataclasses.replace(canal.traces[0], largeur_km=km),)) for km in (5, 20)
    )
    e5 = set(empreinte(etroit, referentiel=referentiel, communes_geo=communes_geo)["commune"])
    e20 = set(empreinte(large, referentiel=referentiel, communes_geo=communes_geo)["commune"])
    assert e5 < e20  # strictement inclus : un corridor plus large touche plus de communes


def test_ligne_dessinee_egale_trace_par_communes(referentiel, communes_geo):
    points = referentiel.communes.loc[["60159", "60471"], ["lon", "lat"]].to_numpy()
    dessin = {"type": "LineString", "coordinates": points.tolist()}
    dessine = projet_depuis_dessin(dessin, id="d", nom="Dessin", type="autre", largeur_km=3, referentiel=referentiel)
    par_codes = empreinte(_trace(["60159", "60471"], 3), referentiel=referentiel, communes_geo=communes_geo)
    par_ligne = empreinte(dessine, referentiel=referentiel, communes_geo=communes_geo)
    assert par_ligne["commune"].tolist() == par_codes["commune"].tolist()


def test_trace_dans_un_drom(referentiel, communes_geo):
    # Saint-Denis → Saint-Pierre (La Réunion) : corridor calculé en UTM 40S, pas en Lambert-93
    e = empreinte(_trace(["97411", "97416"], 2), referentiel=referentiel, communes_geo=communes_geo)
    assert set(e["departement"]) == {"974"}
    assert {"97411", "97416"} <= set(e["commune"])


def test_polygone_autour_d_un_point_de_commune(referentiel, communes_geo):
    lon, lat = referentiel.communes.loc["60159", ["lon", "lat"]]
    carre = box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    projet = GrandProjet("p", "Polygone", TypeProjet.AUTRE, "test", polygone=carre.wkt)
    e = empreinte(projet, referentiel=referentiel, communes_geo=communes_geo)
    assert e["commune"].tolist() == ["60159"]  # Compiègne seule
    assert 0 < e["part_surface"].iloc[0] < 0.01


def test_polygone_parts_de_surface_sur_communes_carrees(referentiel):
    # Trois « communes » carrées de 0,1° côte à côte (codes réels, géométries fabriquées).
    geo = gpd.GeoDataFrame(
        geometry=[box(2.0, 49.0, 2.1, 49.1), box(2.1, 49.0, 2.2, 49.1), box(2.2, 49.0, 2.3, 49.1)],
        index=pd.Index(["60159", "60471", "80585"], name="code"),
        crs=4326,
    )
    # Le polygone couvre le premier carré et la moitié ouest du deuxième ; il touche le troisième ? non :
    # il s'arrête à 2.15. Un second polygone borde le troisième carré sans le recouvrir.
    couvre = GrandProjet("a", "A", TypeProjet.AUTRE, "test", polygone=box(2.0, 49.0, 2.15, 49.1).wkt)
    borde = GrandProjet("b", "B", TypeProjet.AUTRE, "test", polygone=box(2.3, 49.0, 2.4, 49.1).wkt)
    e = empreintes([couvre, borde], referentiel=referentiel, communes_geo=geo)
    assert e["id_projet"].tolist() == ["a", "a"]  # « b » ne fait que partager un bord : aucune commune
    assert e["commune"].tolist() == ["60159", "60471"]
    assert e["part_surface"].tolist() == pytest.approx([1.0, 0.5], abs=1e-3)


def test_territoires_developpent_les_epci(referentiel, communes_geo):
    projet = GrandProjet(
        "t", "Territoires", TypeProjet.AUTRE, "test", communes=("60159",), epci=("200044048",)
    )
    e = empreinte(projet, referentiel=referentiel, communes_geo=communes_geo)
    # CC Osartis Marquion (49 communes, 42 999 hab.) + Compiègne (40 761 hab.)
    assert len(e) == 50
    assert e["population"].sum() == 83_760
    assert set(e["epci"]) == {"200044048", "200067965"}


def test_empreintes_sans_projet_est_vide(referentiel, communes_geo):
    e = empreintes([], referentiel=referentiel, communes_geo=communes_geo)
    assert e.empty
    assert list(e.columns) == ["id_projet", "commune", "nom", "epci", "departement", "region", "population", "part_surface"]


def test_communes_geo_sans_crs_refusees(referentiel):
    geo = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], index=pd.Index(["60159"], name="code"))
    with pytest.raises(ValueError, match="`communes_geo` n'a pas de système de coordonnées"):
        empreintes([_trace(["60159", "60471"], 2)], referentiel=referentiel, communes_geo=geo)


# --------------------------------------------------------------------------------------------
# Bilan
# --------------------------------------------------------------------------------------------


def _empreintes_main():
    return pd.DataFrame(
        {
            "id_projet": ["P1", "P1", "P1", "P2"],
            "commune": ["10001", "10002", "10003", "10001"],
            "nom": ["A", "B", "C", "A"],
            "epci": ["200000001", "200000001", "", "200000001"],
            "departement": ["10", "10", "11", "10"],
            "region": ["44", "44", "76", "44"],
            "population": [1000, 500, 1200, 1000],
            "part_surface": [1.0, 0.5, 0.2, 1.0],
        }
    )


def _couverture_main():
    return pd.DataFrame(
        {
            "population": [1000, 500, 1200],
            "etp": [0.5, 0.2, 0.0],
            "etp_principal": [0.5, 0.0, 0.0],
            "etp_extension": [0.0, 0.2, 0.0],
            "nb_structures": [2, 1, 0],
            "structures": ["S2,S1", "S3", ""],
            "statut": ["couvert", "extension_seule", "non_couvert"],
        },
        index=pd.Index(["10001", "10002", "10003"], name="commune"),
    )


def _zones_blanches_main():
    return pd.DataFrame(
        {
            "criteres": ["couverture_limitrophe,capacite_insuffisante", "non_couvert"],
            "motif": ["…", "…"],
        },
        index=pd.Index(["10002", "10003"], name="commune"),
    )


def test_bilan_d_un_projet_sur_une_zone_blanche():
    b = bilan_projets(_empreintes_main(), couverture_communes=_couverture_main(), zones_blanches=_zones_blanches_main())
    p1 = b.loc["P1"]
    assert p1["nb_communes"] == 3
    assert p1["nb_epci"] == 1  # la commune hors EPCI ne compte pas
    assert p1["population"] == 2700
    assert p1["departements"] == "10, 11"
    assert p1["structures"] == "S1,S2,S3"
    assert p1["nb_structures"] == 3
    assert p1["etp"] == pytest.approx(0.7)
    assert p1["part_population_couverte"] == pytest.approx(1500 / 2700)  # extension comprise
    assert p1["nb_communes_non_couvertes"] == 1
    assert p1["population_non_couverte"] == 1200
    assert p1["nb_communes_extension_seule"] == 1
    assert p1["nb_zones_blanches"] == 2
    assert (p1["zb_non_couvert"], p1["zb_couverture_limitrophe"], p1["zb_capacite_insuffisante"]) == (1, 1, 1)
    assert p1["communes_zone_blanche"] == "10002,10003"
    assert bool(p1["alerte"]) is True
    assert p1["alerte_motif"] == (
        "Le projet touche 2 communes en zone blanche (non couvert : 1 ; couverture limitrophe seule : 1 ; "
        f"capacité insuffisante : 1), 1 commune sans facilitateur (1{NBSP}200 habitants) et 1 commune "
        "couverte seulement par une extension limitrophe."
    )
    p2 = b.loc["P2"]
    assert (bool(p2["alerte"]), p2["alerte_motif"], p2["structures"]) == (False, "", "S1,S2")


def test_territoire_couvert_mais_sous_dimensionne_est_signale():
    e = _empreintes_main().iloc[[3]]  # P2 sur la commune A, couverte
    zb = pd.DataFrame({"criteres": ["capacite_insuffisante"], "motif": ["…"]}, index=pd.Index(["10001"], name="commune"))
    b = bilan_projets(e, couverture_communes=_couverture_main(), zones_blanches=zb)
    assert bool(b.loc["P2", "alerte"]) is True
    assert b.loc["P2", "alerte_motif"] == "Le projet touche 1 commune en zone blanche (capacité insuffisante : 1)."


def test_sans_table_de_zones_blanches_une_commune_non_couverte_alerte():
    e = _empreintes_main()
    # Commune absente de la table de couverture : comptée non couverte, sans ETP.
    couverture = _couverture_main().drop(index="10003")
    b = bilan_projets(e, couverture_communes=couverture, zones_blanches=None)
    assert b.loc["P1", "nb_zones_blanches"] == 0
    assert b.loc["P1", "nb_communes_non_couvertes"] == 1
    assert b.loc["P1", "alerte_motif"] == (
        f"Le projet touche 1 commune sans facilitateur (1{NBSP}200 habitants) et 1 commune couverte "
        "seulement par une extension limitrophe."
    )


def test_bilan_avec_les_projets_garde_ceux_sans_commune():
    projets = [
        GrandProjet("P1", "Un", TypeProjet.AUTRE, "test", indicatif=True, avertissement="approché.", communes=("10001",)),
        GrandProjet("P3", "Au large", TypeProjet.AUTRE, "test", polygone="POLYGON ((-10 45, -9 45, -9 46, -10 45))"),
    ]
    b = bilan_projets(_empreintes_main().iloc[:3], couverture_communes=_couverture_main(), projets=projets)
    assert b.index.tolist() == ["P1", "P3"]
    assert b.loc["P1", "mention"] == "Emprise indicative : approché."
    assert (b.loc["P3", "nb_communes"], b.loc["P3", "population"], bool(b.loc["P3", "alerte"])) == (0, 0, False)


def test_le_canal_sur_une_zone_blanche_est_signale(registre, referentiel, communes_geo):
    e = empreintes(registre[:3], referentiel=referentiel, communes_geo=communes_geo)
    tout_couvert = pd.DataFrame(
        {"etp": 0.1, "structures": "S1", "statut": "couvert"}, index=pd.Index(e["commune"].unique(), name="commune")
    )
    zb = pd.DataFrame({"criteres": ["non_couvert"], "motif": ["…"]}, index=pd.Index(["80620"], name="commune"))  # Péronne
    b = bilan_projets(e, couverture_communes=tout_couvert, zones_blanches=zb)
    assert b["alerte"].to_dict() == {"canal-seine-nord-europe": True, "bassin-minier-erbm": False, "gpso": False}
    assert b.loc["canal-seine-nord-europe", "alerte_motif"] == "Le projet touche 1 commune en zone blanche (non couvert : 1)."
    assert b.loc["canal-seine-nord-europe", "communes_zone_blanche"] == "80620"


# --------------------------------------------------------------------------------------------
# Validation du registre
# --------------------------------------------------------------------------------------------

_VALIDE = """\
projets:
  - id: a
    nom: Projet A
    type: autre
    source: test
    territoires: {communes: ["60159"]}
"""


def _yaml(entree: str) -> str:
    """Un registre d'un projet ; `entree` remplace les champs après `id: a` (ligne 2 du fichier)."""
    return "projets:\n  - id: a\n" + entree


@pytest.mark.parametrize(
    ("entree", "attendu"),
    [
        (
            '    nom: A\n    type: fluvial\n    source: s\n    territoires: {communes: ["60159"]}\n',
            "grands_projets.yaml, ligne 2, projet « a », champ `type` : « fluvial » n'est pas un type de projet connu "
            "(attendu : renovation_urbaine, rehabilitation, transport_fluvial, ferroviaire, autre).",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    territoires: {communes: ["99999"]}\n',
            "champ `territoires.communes` : code commune « 99999 » inconnu du COG 2026",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    territoires: {communes: ["01003"]}\n',
            "« 01003 » n'est plus un code commune en vigueur au COG 2026 : la commune est aujourd'hui « 01165 » (Francheleins).",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    territoires: {epci: ["200000000"]}\n',
            "champ `territoires.epci` : SIREN d'EPCI « 200000000 » inconnu du COG 2026",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159"], largeur_km: 10}\n',
            "champ `trace.communes` : un tracé relie au moins deux communes distinctes (1 donnée).",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "60159"], largeur_km: 10}\n',
            "un tracé relie au moins deux communes distinctes (1 donnée).",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "60471"], largeur_km: 0}\n',
            "champ `trace.largeur_km` : « 0 » n'est pas une largeur de corridor valide "
            "(attendu : nombre de kilomètres strictement positif, au plus 100).",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "60471"], largeur_km: "100,5"}\n',
            "« 100,5 » n'est pas une largeur de corridor valide",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "60471"]}\n',
            "champ `trace.largeur_km` : largeur du corridor manquante",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "60471"], ligne: "LINESTRING (2 49, 3 50)", largeur_km: 5}\n',
            "champ `trace` : donnez soit `communes` (liste ordonnée de codes INSEE), soit `ligne` (WKT), pas les deux.",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["60159", "97411"], largeur_km: 5}\n',
            "un tracé ne peut pas relier la métropole et un DROM, ni deux DROM.",
        ),
        (
            "    nom: A\n    type: autre\n    source: s\n    polygone: POLYGON ((2 49, 3 50, 3 49, 2 50, 2 49))\n",
            "champ `polygone` : POLYGON ou MULTIPOLYGON invalide (Self-intersection[2.5 49.5]) : redessinez-le sans croisement.",
        ),
        (
            "    nom: A\n    type: autre\n    source: s\n    polygone: POLYGON ((2 49, 3\n",
            "champ `polygone` : « POLYGON ((2 49, 3 » n'est pas une géométrie WKT lisible",
        ),
        (
            "    nom: A\n    type: autre\n    source: s\n    polygone: POLYGON ((650000 6860000, 660000 6860000, 660000 6870000, 650000 6860000))\n",
            "coordonnées hors des bornes de la longitude et de la latitude : la géométrie doit être en degrés (EPSG:4326",
        ),
        (
            "    nom: A\n    type: autre\n    source: s\n    polygone: LINESTRING (2 49, 3 50)\n",
            "la géométrie est un LineString, pas un POLYGON ou MULTIPOLYGON.",
        ),
        (
            "    nom: A\n    type: autre\n    source: s\n",
            "grands_projets.yaml, ligne 2, projet « a » : aucune emprise : donnez `territoires`, `trace` (ou `traces`) ou `polygone`.",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    territoires: {communes: ["60159"]}\n    polygone: POLYGON ((2 49, 3 49, 3 50, 2 49))\n',
            "plusieurs emprises (territoires, polygone) : une seule par projet.",
        ),
        (
            '    nom: A\n    type: autre\n    territoires: {communes: ["60159"]}\n',
            "champ `source` : source manquante",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    periode: 2032-2022\n    territoires: {communes: ["60159"]}\n',
            "champ `periode` : la période « 2032-2022 » finit avant de commencer.",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    indicatif: peut-être\n    territoires: {communes: ["60159"]}\n',
            "champ `indicatif` : « peut-être » n'est pas une valeur oui/non",
        ),
        (
            '    nom: A\n    type: autre\n    source: s\n    tracé: x\n    territoires: {communes: ["60159"]}\n',
            "champ `tracé` : champ inconnu (champs attendus : id, nom, type",
        ),
    ],
    ids=[
        "type-inconnu", "commune-inconnue", "ancien-code-commune", "epci-inconnu", "trace-une-commune",
        "trace-commune-repetee", "largeur-nulle", "largeur-plus-de-100", "largeur-manquante", "trace-communes-et-ligne", "trace-metropole-drom",
        "polygone-croise", "wkt-illisible", "polygone-en-metres", "polygone-pas-polygone", "sans-emprise",
        "deux-emprises", "sans-source", "periode-inversee", "indicatif-illisible", "champ-inconnu",
    ],  # fmt: skip
)
def test_entree_invalide(entree, attendu, referentiel):
    with pytest.raises(ErreurRegistre) as exc:
        projets_depuis_yaml(_yaml(entree), referentiel=referentiel)
    assert len(exc.value.problemes) == 1
    assert attendu in str(exc.value.problemes[0])


def test_identifiant_en_double(referentiel):
    texte = _VALIDE + '  - id: a\n    nom: B\n    type: autre\n    source: s\n    territoires: {epci: ["200044048"]}\n'
    with pytest.raises(ErreurRegistre, match=r"ligne 7, projet « a », champ `id` : identifiant « a » déjà utilisé \(ligne 2\)"):
        projets_depuis_yaml(texte, referentiel=referentiel)


def test_tous_les_problemes_sont_listes_ensemble(referentiel):
    texte = (
        "projets:\n"
        "  - id: a\n    nom: A\n    type: fluvial\n    source: s\n    territoires: {communes: ['99999']}\n"
        "  - id: b\n    nom: B\n    type: autre\n    source: s\n    trace: {communes: ['60159', '60471'], largeur_km: -2}\n"
    )
    with pytest.raises(ErreurRegistre) as exc:
        projets_depuis_yaml(texte, referentiel=referentiel)
    assert [(p.ligne, p.projet, p.colonne) for p in exc.value.problemes] == [
        (2, "a", "type"),
        (2, "a", "territoires.communes"),
        (7, "b", "trace.largeur_km"),
    ]
    assert str(exc.value).startswith("3 problèmes ; rien n'a été chargé :\n- grands_projets.yaml, ligne 2")


def test_yaml_illisible(referentiel):
    with pytest.raises(ErreurRegistre, match=r"grands_projets.yaml, ligne 3 : YAML illisible"):
        projets_depuis_yaml("projets:\n  - id: a\n  nom: A\n    type: autre\n", referentiel=referentiel)


def test_commune_sans_position_dans_un_trace(referentiel):
    communes = referentiel.communes.copy()
    communes.loc["15031", ["lon", "lat"]] = np.nan  # Celles : commune sans géométrie source
    ref = dataclasses.replace(referentiel, communes=communes)
    with pytest.raises(ErreurRegistre, match=r"la commune « 15031 » \(Celles\) n'a pas de position dans le référentiel"):
        projets_depuis_yaml(_yaml('    nom: A\n    type: autre\n    source: s\n    trace: {communes: ["15031", "15035"], largeur_km: 5}\n'), referentiel=ref)


def test_codes_sans_guillemets_gardent_leurs_zeros(referentiel):
    texte = _yaml("    nom: A\n    type: autre\n    source: s\n    indicatif: oui\n    territoires: {communes: [01001, 2A004]}\n")
    (projet,) = projets_depuis_yaml(texte, referentiel=referentiel)
    assert projet.communes == ("01001", "2A004")  # 01001 n'est pas lu comme un nombre octal
    assert projet.indicatif is True


# --------------------------------------------------------------------------------------------
# Allers-retours : YAML, tableau, GeoJSON
# --------------------------------------------------------------------------------------------


def _projets_varies():
    return [
        GrandProjet("terr", "Territoires", TypeProjet.REHABILITATION, "s", "2017-2027", True, "d", "approché.", ("01001", "2A004"), ("200044048",)),
        GrandProjet(
            "trace",
            "Deux branches",
            TypeProjet.FERROVIAIRE,
            "s",
            traces=(Trace(10.0, communes=("33063", "31555")), Trace(7.5, communes=("33063", "40088"))),
        ),
        GrandProjet("poly", "Polygone", TypeProjet.AUTRE, "s", polygone="POLYGON ((2 49, 2.1 49, 2.1 49.1, 2 49))"),
        GrandProjet("dessin", "Dessin", TypeProjet.AUTRE, "s", traces=(Trace(4.0, ligne="LINESTRING (2 49, 2.2 49.1)"),)),
        GrandProjet("desc", "Description", TypeProjet.AUTRE, "s", description="- commence par un tiret", communes=("60159",)),
    ]


def test_aller_retour_yaml(registre, referentiel):
    for projets in (registre, _projets_varies()):
        assert projets_depuis_yaml(projets_vers_yaml(projets), referentiel=referentiel) == projets


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_aller_retour_tableau(format, referentiel):
    projets = _projets_varies()
    contenu = exporter_registre_tableau(projets, format=format)
    assert lire_registre_tableau(contenu, f"registre.{format}", referentiel=referentiel) == projets


def test_lecture_csv_a_la_francaise(referentiel):
    csv = (
        "id;nom;type;periode;source;indicatif;forme;codes;largeur_km;geometrie_wkt\n"
        "a;A;autre;;s;oui;territoires;1001, 200044048;;\n"
        "b;B;ferroviaire;;s;non;trace;33063,31555|33063,40088;7,5;\n"
    ).encode("cp1252")
    a, b = lire_registre_tableau(csv, "registre.csv", referentiel=referentiel)
    assert (a.communes, a.epci, a.indicatif) == (("01001",), ("200044048",), True)  # zéro initial retrouvé
    assert b.traces == (Trace(7.5, communes=("33063", "31555")), Trace(7.5, communes=("33063", "40088")))


def test_lignes_invalides_d_un_csv(referentiel):
    csv = (
        "id;nom;type;source;forme;codes;largeur_km;geometrie_wkt\n"
        "a;A;autre;s;territoires;99999;;\n"
        "b;B;autre;s;trace;60159,60471;-2;\n"
        "c;C;autre;s;cercle;;;\n"
        "d;D;autre;s;polygone;;;\n"
        "a;E;autre;s;territoires;60159;;\n"
    ).encode()
    with pytest.raises(ErreurRegistre) as exc:
        lire_registre_tableau(csv, "registre.csv", referentiel=referentiel)
    assert [str(p) for p in exc.value.problemes] == [
        "registre.csv, ligne 2, projet « a », colonne `codes` : code commune « 99999 » inconnu du COG 2026 "
        "(attendu : code INSEE à 5 caractères, ex. 01001, 2A004).",
        "registre.csv, ligne 3, projet « b », colonne `largeur_km` : « -2 » n'est pas une largeur de corridor valide "
        "(attendu : nombre de kilomètres strictement positif, au plus 100).",
        "registre.csv, ligne 4, projet « c », colonne `forme` : « cercle » n'est pas une forme d'emprise connue "
        "(attendu : territoires, trace ou polygone).",
        "registre.csv, ligne 5, projet « d », colonne `geometrie_wkt` : emprise « polygone » sans le polygone.",
        "registre.csv, ligne 6, projet « a », colonne `id` : identifiant « a » déjà utilisé (ligne 2) : "
        "chaque projet a un identifiant unique.",
    ]


def test_csv_sans_colonne_obligatoire(referentiel):
    with pytest.raises(ErreurLecture, match="colonne obligatoire `forme` absente"):
        lire_registre_tableau(b"id;nom;type;source\na;A;autre;s\n", "registre.csv", referentiel=referentiel)


def test_export_geojson(referentiel, communes_geo):
    projets = _projets_varies()
    contenu = exporter_registre_geojson(projets, referentiel=referentiel, communes_geo=communes_geo)
    collection = json.loads(contenu)
    assert collection["type"] == "FeatureCollection"
    types = {f["id"]: f["geometry"]["type"] for f in collection["features"]}
    assert types == {
        "terr": "MultiPolygon",  # union des communes
        "trace": "MultiLineString",  # deux branches
        "poly": "Polygon",
        "dessin": "LineString",
        "desc": "MultiPolygon",
    }
    proprietes = collection["features"][1]["properties"]
    assert (proprietes["forme"], proprietes["codes"], proprietes["largeur_km"], proprietes["indicatif"]) == (
        "trace", "33063,31555|33063,40088", [10.0, 7.5], False,
    )  # fmt: skip
    assert lire_registre_geojson(contenu, "registre.geojson", referentiel=referentiel) == projets


def test_geojson_objet_invalide(referentiel):
    contenu = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"id": "x", "nom": "X", "type": "autre", "source": "s"},
                 "geometry": {"type": "Point", "coordinates": [2, 49]}},
            ],
        }
    ).encode()  # fmt: skip
    with pytest.raises(ErreurRegistre, match=r"registre.geojson, objet n° 1, projet « x », champ `geometry` : géométrie « Point » non prise en charge"):
        lire_registre_geojson(contenu, "registre.geojson", referentiel=referentiel)


def test_projet_depuis_feature_polygone(referentiel):
    feature = {
        "type": "Feature",
        "properties": {"id": "z", "nom": "Zone", "type": "renovation_urbaine", "source": "s", "indicatif": True},
        "geometry": {"type": "Polygon", "coordinates": [[[2, 49], [2.1, 49], [2.1, 49.1], [2, 49]]]},
    }
    projet = projet_depuis_geojson(feature, referentiel=referentiel)
    assert (projet.forme, projet.polygone, projet.indicatif) == ("polygone", "POLYGON ((2 49, 2.1 49, 2.1 49.1, 2 49))", True)


# --------------------------------------------------------------------------------------------
# Dessin, ajout, écriture, NPNRU
# --------------------------------------------------------------------------------------------


def test_dessin_d_une_ligne_et_d_un_polygone(referentiel):
    ligne = projet_depuis_dessin(
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[2, 49], [2.5, 49.5]]}},
        id="l", nom="Ligne", type="ferroviaire", largeur_km=5, referentiel=referentiel,
    )  # fmt: skip
    assert ligne.traces == (Trace(5.0, ligne="LINESTRING (2 49, 2.5 49.5)"),)
    assert ligne.indicatif and ligne.mention == "Emprise indicative : emprise dessinée à la main sur la carte."
    assert axe_projet(ligne, referentiel=referentiel).equals(shapely.LineString([(2, 49), (2.5, 49.5)]))
    zone = projet_depuis_dessin(
        {"type": "Polygon", "coordinates": [[[2, 49], [2.1, 49], [2.1, 49.1], [2, 49]]]},
        id="z", nom="Zone", type=TypeProjet.AUTRE, referentiel=referentiel,
    )  # fmt: skip
    assert zone.forme == "polygone"


@pytest.mark.parametrize(
    ("geometrie", "largeur", "attendu"),
    [
        ({"type": "Point", "coordinates": [2, 49]}, None, "forme dessinée « Point » non prise en charge"),
        ({"type": "LineString", "coordinates": [[2, 49], [2.5, 49.5]]}, None, "largeur du corridor manquante"),
        ({"type": "LineString", "coordinates": [[2, 49], [2, 49]]}, 5, "la ligne doit passer par au moins deux points distincts"),
        ({"type": "Polygon", "coordinates": [[[2, 49], [3, 50], [3, 49], [2, 50], [2, 49]]]}, None, "POLYGON ou MULTIPOLYGON invalide"),
    ],
    ids=["cercle-ou-marqueur", "ligne-sans-largeur", "ligne-d-un-point", "polygone-croise"],
)
def test_dessin_invalide(geometrie, largeur, attendu, referentiel):
    with pytest.raises(ErreurRegistre, match=attendu):
        projet_depuis_dessin(geometrie, id="x", nom="X", type="autre", largeur_km=largeur, referentiel=referentiel)


def test_ajouter_projet(referentiel):
    registre = _projets_varies()[:2]
    nouveau = GrandProjet("n", "Nouveau", TypeProjet.AUTRE, "s", communes=("60159",))
    assert [p.id for p in ajouter_projet(registre, nouveau, referentiel=referentiel)] == ["terr", "trace", "n"]
    assert len(registre) == 2  # la liste d'origine n'est pas modifiée
    doublon = dataclasses.replace(nouveau, id="terr")
    with pytest.raises(ErreurRegistre, match="identifiant « terr » déjà utilisé"):
        ajouter_projet(registre, doublon, referentiel=referentiel)
    remplace = ajouter_projet(registre, doublon, referentiel=referentiel, remplacer=True)
    assert remplace[0] is doublon


def test_valider_projet_construit_en_memoire(referentiel):
    faux = GrandProjet("f", "Faux", TypeProjet.AUTRE, "s", traces=(Trace(0.0, communes=("60159", "60471")),))
    with pytest.raises(ErreurRegistre, match="projet saisi, projet « f », champ `trace.largeur_km` : « 0 » n'est pas"):
        valider_projet(faux, referentiel=referentiel)


def test_ecrire_registre_yaml(tmp_path, referentiel):
    chemin = tmp_path / "grands_projets.yaml"
    projets = _projets_varies()
    ecrire_registre_yaml(projets, chemin, referentiel=referentiel)
    assert charger_registre(chemin, referentiel=referentiel) == projets
    avant = chemin.read_bytes()
    doublons = [*projets, dataclasses.replace(projets[0], nom="Autre")]
    with pytest.raises(ErreurRegistre, match="identifiant « terr » déjà utilisé"):
        ecrire_registre_yaml(doublons, chemin, referentiel=referentiel)
    assert chemin.read_bytes() == avant  # rien n'est écrit
    assert [f.name for f in tmp_path.iterdir()] == ["grands_projets.yaml"]  # pas de fichier temporaire laissé


def test_projets_npnru(referentiel):
    quartiers = pd.DataFrame(
        {
            "code_quartier": ["QN09101M", "QN09302M"],
            "nom": ["Grigny", "Clichy-Montfermeil"],
            "communes": ["91286", "93014,93047"],
            "interet": ["national", "regional"],
        }
    )
    a, b = projets_npnru(quartiers, source="échantillon de test", referentiel=referentiel)
    assert (a.id, a.nom, a.communes) == ("npnru-QN09101M", "NPNRU — Grigny (intérêt national)", ("91286",))
    assert (b.communes, b.type, b.indicatif) == (("93014", "93047"), TypeProjet.RENOVATION_URBAINE, True)
    quartiers.loc[1, "communes"] = "93999"
    with pytest.raises(ErreurRegistre, match=r"quartier n° 2, projet « npnru-QN09302M », champ `territoires.communes` : code commune « 93999 »"):
        projets_npnru(quartiers, source="s", referentiel=referentiel)
