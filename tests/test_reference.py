"""Invariants de la géographie de référence committée (COG 2026)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.reference import charger_geometries, charger_referentiel, lire_provenance

REF = charger_referentiel()


def test_comptes_du_cog_2026():
    assert len(REF.communes) == 34_875  # métropole + DROM, hors COM
    assert len(REF.epci) == 1_255
    assert len(REF.departements) == 101
    assert len(REF.regions) == 18


def test_codes_sont_des_chaines_avec_zeros():
    assert REF.communes.index.dtype.kind in "OT" or str(REF.communes.index.dtype) == "str"
    for code in ["01001", "2A004", "2B033", "97411", "97101", "97302", "97209", "97611"]:  # Corse, DROM
        assert code in REF.communes.index, code
    assert {"01", "2A", "2B", "971", "972", "973", "974", "976"} <= set(REF.departements.index)
    assert REF.epci.index.str.fullmatch(r"\d{9}").all()  # SIREN
    assert REF.communes.index.str.fullmatch(r"\d[\dAB]\d{3}").all()


def test_chaque_commune_dans_un_departement_et_une_region():
    c = REF.communes
    assert c["departement"].isin(REF.departements.index).all()
    assert c["region"].isin(REF.regions.index).all()
    # la région de la commune est celle de son département
    assert (c["region"] == c["departement"].map(REF.departements["region"])).all()


def test_communes_hors_epci_sont_les_quatre_iles():
    assert sorted(REF.communes.index[REF.communes["epci"].isna()]) == ["22016", "29083", "29155", "85113"]
    assert REF.communes["epci"].dropna().isin(REF.epci.index).all()


def test_totaux_de_population_concordent():
    total = REF.communes["population"].sum()
    assert total == lire_provenance()["comptes"]["population_totale"]
    assert REF.departements["population"].sum() == total
    assert REF.regions["population"].sum() == total
    hors_epci = REF.communes.loc[REF.communes["epci"].isna(), "population"].sum()
    assert REF.epci["population"].sum() + hors_epci == total
    assert 65_000_000 < total < 72_000_000


def test_communes_sans_geometrie_sont_listees():
    sans = REF.communes.index[~REF.communes["a_geometrie"]]
    assert sorted(sans) == sorted(lire_provenance()["comptes"]["communes_sans_geometrie"])
    # reconstituées depuis leurs communes déléguées (changements du 1er janvier 2025)
    reconstituees = REF.communes.index[REF.communes["geometrie_source"] == "reconstituee_communes_deleguees"]
    assert sorted(reconstituees) == ["12218", "14581", "49126", "69114"]
    assert REF.communes[["lon", "lat"]].notna().all().all()  # toutes situées, même sans polygone


@pytest.fixture(scope="module")
def communes_completes():
    return charger_geometries("commune", affichage=False)


@pytest.mark.parametrize("niveau", ["epci", "departement"])
def test_union_des_communes_egale_le_territoire(communes_completes, niveau):
    """L'union des communes d'un territoire a la même surface que son polygone (à 0,1 % près)."""
    poly = charger_geometries(niveau, affichage=False).to_crs(2154)
    cle = REF.communes[niveau].reindex(communes_completes.index)
    metropole = ~cle.str.startswith("97") if niveau == "departement" else ~REF.communes["departement"].reindex(communes_completes.index).str.startswith("97")
    union = communes_completes[metropole].to_crs(2154).groupby(cle[metropole]).geometry.apply(lambda g: shapely.union_all(g.to_numpy()))
    union = gpd.GeoSeries(union, crs=2154)
    commun = union.index.intersection(poly.index)
    assert len(commun) >= (95 if niveau == "departement" else 1200)
    ecart = (union[commun].symmetric_difference(poly.geometry[commun]).area / poly.geometry[commun].area).to_numpy()
    assert np.nanmax(ecart) < 1e-3


@pytest.mark.parametrize("niveau", ["epci", "departement", "region"])
def test_couches_d_affichage_sans_chevauchement(niveau):
    gdf = charger_geometries(niveau)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    attendu = {"epci": 1_255, "departement": 101, "region": 18}[niveau]
    assert len(gdf) == attendu
    point = gdf.geometry.representative_point()
    metro = gdf[point.x.between(-6, 10) & point.y.between(41, 52)].to_crs(2154)
    paires = metro.sindex.query(metro.geometry, predicate="overlaps")
    aires = shapely.area(shapely.intersection(metro.geometry.to_numpy()[paires[0]], metro.geometry.to_numpy()[paires[1]]))
    # simplify_coverage garde les frontières communes : pas de chevauchement notable (< 1 ha)
    assert (aires < 10_000).all()


def test_table_des_codes_postaux():
    cp = REF.codes_postaux
    assert cp["commune"].isin(REF.communes.index).all()
    assert set(cp.loc[cp["code_postal"] == "01400", "commune"]) >= {"01001"}
    assert cp["code_postal"].str.fullmatch(r"\d{5}").all()


def test_anciens_codes_menent_aux_communes_2026():
    a = REF.anciens_codes.set_index("ancien_code")["commune"]
    assert a["01340"] == "01015"  # Arboys en Bugey
    assert a.isin(REF.communes.index).all()
