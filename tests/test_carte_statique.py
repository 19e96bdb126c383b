"""Cartes statiques PNG (geo/carte_statique.py) : dessinées depuis le référentiel, sans tuile.

Les images sont vérifiées par leurs pixels : taille, part de pixels non blancs, présence des
couleurs exactes de la légende (l'intérieur d'un polygone garde sa couleur de remplissage).
Résolution basse (dpi=40) pour aller vite.
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geo.carte import COULEURS_STATUT, PALETTE_SEQUENTIELLE
from geo.carte_statique import (
    CATEGORIES_ZONE_BLANCHE,
    COULEUR_SURLIGNE,
    DEPARTEMENT_DES_REGIONS_DROM,
    avant_apres_png,
    carte_region_png,
    couches_par_defaut,
)
from coverage.modele import StatutCouverture

DPI = 40
ROUGE = COULEURS_STATUT[StatutCouverture.NON_COUVERT]
VERT = COULEURS_STATUT[StatutCouverture.COUVERT]


@pytest.fixture(scope="module")
def couches() -> dict[str, gpd.GeoDataFrame]:
    return couches_par_defaut()


def pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def rgb(couleur: str) -> tuple[int, int, int]:
    return tuple(int(couleur[i : i + 2], 16) for i in (1, 3, 5))


def masque(tableau: np.ndarray, couleur: str, *, tolerance: int = 0) -> np.ndarray:
    ecart = np.abs(tableau.astype(int) - np.array(rgb(couleur)))
    return np.all(ecart <= tolerance, axis=-1)


def part_non_blanche(tableau: np.ndarray) -> float:
    return float(np.mean(np.any(tableau < 250, axis=-1)))


def nb_couleurs(tableau: np.ndarray) -> int:
    return len(np.unique(tableau.reshape(-1, 3), axis=0))


def statuts(couches, region: str | None, statut: str, *, ailleurs: str | None = None) -> pd.DataFrame:
    """`statut` pour les EPCI de la région (toute la France si None), `ailleurs` pour les autres."""
    epci = couches["epci"]
    dans = np.ones(len(epci), bool) if region is None else (epci["region"] == region).to_numpy()
    valeurs = np.where(dans, statut, ailleurs if ailleurs is not None else statut)
    return pd.DataFrame({"statut": valeurs}, index=epci.index)


# --------------------------------------------------------------------------------------------
# Une région
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region",
    ["84", "94", "04", "11"],
    ids=["auvergne-rhone-alpes", "corse-2A-2B", "la-reunion-drom", "ile-de-france"],
)
def test_carte_d_une_region_non_vide(couches, region):
    png = carte_region_png(region, indicateurs=statuts(couches, region, "non_couvert"), titre="Essai", dpi=DPI, couches=couches)
    t = pixels(png)
    assert t.shape == (300, 400, 3)  # 7,5 × 40 sur 10 × 40
    assert part_non_blanche(t) > 0.05
    assert nb_couleurs(t) > 10
    assert masque(t, ROUGE).sum() > 500  # les EPCI de la région, en rouge « non couvert »


def test_taille_en_pixels_selon_taille_et_dpi(couches):
    png = carte_region_png("94", indicateurs=statuts(couches, "94", "couvert"), titre="Corse", taille=(8.0, 6.0), dpi=50, couches=couches)
    assert Image.open(io.BytesIO(png)).size == (400, 300)


def test_quatre_statuts_dans_leurs_couleurs(couches):
    epci = couches["epci"]
    codes = epci.index[(epci["region"] == "84").to_numpy()]
    quart = len(codes) // 4
    ind = pd.DataFrame(
        {"statut": ["non_couvert"] * quart + ["extension_seule"] * quart + ["extension_non_limitrophe"] * quart
         + ["couvert"] * (len(codes) - 3 * quart)}, index=codes
    )
    t = pixels(carte_region_png("84", indicateurs=ind, titre="Couverture", dpi=DPI, couches=couches))
    for statut in StatutCouverture:
        assert masque(t, COULEURS_STATUT[statut]).sum() > 100, statut


def test_vue_nationale_drom_en_encarts(couches):
    """DROM en rouge, métropole en vert : le rouge n'apparaît que dans la colonne d'encarts à gauche."""
    drom = couches["epci"]["region"].isin(list(DEPARTEMENT_DES_REGIONS_DROM)).to_numpy()
    ind = pd.DataFrame({"statut": np.where(drom, "non_couvert", "couvert")}, index=couches["epci"].index)
    t = pixels(carte_region_png(None, indicateurs=ind, titre="France", dpi=DPI, couches=couches))
    rouge = masque(t, ROUGE)
    # Légende exclue : la carte occupe les 70 % de gauche de l'image.
    colonnes_rouges = np.flatnonzero(rouge[:, : int(0.68 * t.shape[1])].any(axis=0))
    assert len(colonnes_rouges) > 0
    assert colonnes_rouges.max() < 0.18 * t.shape[1]  # encarts : 22 % de la largeur de la carte
    # Les cinq DROM sont dessinés : du rouge dans chacune des cinq bandes horizontales des encarts.
    lignes_rouges = rouge[:, : int(0.18 * t.shape[1])].any(axis=1)
    haut, bas = int(0.09 * t.shape[0]), int(0.95 * t.shape[0])
    bandes = np.array_split(lignes_rouges[haut:bas], 5)
    assert all(b.any() for b in bandes)
    assert masque(t, VERT).sum() > 2000  # la métropole


def test_colonne_booleenne_zone_blanche(couches):
    epci = couches["epci"]
    codes = epci.index[(epci["region"] == "94").to_numpy()]
    ind = pd.DataFrame({"est_zone_blanche": [True] + [False] * (len(codes) - 1)}, index=codes)
    t = pixels(carte_region_png("94", indicateurs=ind, colonne="est_zone_blanche", titre="ZB", dpi=DPI, couches=couches))
    assert masque(t, CATEGORIES_ZONE_BLANCHE[True][0]).sum() > 0
    assert masque(t, CATEGORIES_ZONE_BLANCHE[False][0]).sum() > 0


def test_colonne_numerique_palette_sequentielle(couches):
    epci = couches["epci"]
    codes = epci.index[(epci["region"] == "84").to_numpy()]
    ind = pd.DataFrame({"etp": np.arange(len(codes), dtype=float)}, index=codes)
    t = pixels(carte_region_png("84", indicateurs=ind, colonne="etp", bornes=[50.0], unite="ETP", titre="ETP", dpi=DPI, couches=couches))
    # Deux classes : la plus claire et la plus foncée de la palette.
    assert masque(t, PALETTE_SEQUENTIELLE[0]).sum() > 100
    assert masque(t, PALETTE_SEQUENTIELLE[-1]).sum() > 100


def test_perimetres_soulignes(couches):
    epci = couches["epci"]
    codes = epci.index[(epci["region"] == "84").to_numpy()]
    ind = statuts(couches, "84", "couvert")
    # Traits fins : 100 dpi et une tolérance pour l'anticrénelage.
    sans = pixels(carte_region_png("84", indicateurs=ind, titre="Sans", dpi=100, couches=couches))
    perimetres = epci.loc[codes[:3], ["geometry"]]
    avec = pixels(carte_region_png("84", indicateurs=ind, titre="Avec", surligner=perimetres, dpi=100, couches=couches))
    carte = slice(0, int(0.68 * avec.shape[1]))  # la carte, sans la légende à droite
    assert masque(sans, COULEUR_SURLIGNE, tolerance=30).sum() == 0
    assert masque(avec[:, carte], COULEUR_SURLIGNE, tolerance=30).sum() > 300  # contours des trois EPCI


def test_carte_avant_apres(couches):
    avant = statuts(couches, "94", "non_couvert")
    apres = statuts(couches, "94", "couvert")
    t = pixels(avant_apres_png("94", avant=avant, apres=apres, titre="Corse", dpi=DPI, couches=couches))
    assert t.shape == (300, 560, 3)  # 14 × 40 sur 7,5 × 40
    moitie = t.shape[1] // 2
    assert masque(t[:, :moitie], ROUGE).sum() > 200  # avant : non couvert
    assert masque(t[:, moitie:], ROUGE).sum() < 20  # après : seulement l'entrée de légende
    assert masque(t[:, moitie:], VERT).sum() > 200


# --------------------------------------------------------------------------------------------
# Erreurs
# --------------------------------------------------------------------------------------------


def test_region_inconnue(couches):
    with pytest.raises(ValueError, match="Région inconnue : '99'"):
        carte_region_png("99", indicateurs=statuts(couches, None, "couvert"), titre="x", couches=couches)


def test_colonne_absente(couches):
    with pytest.raises(ValueError, match="colonne `statut` absente"):
        carte_region_png("94", indicateurs=pd.DataFrame({"autre": []}), titre="x", couches=couches)


def test_valeur_sans_couleur(couches):
    with pytest.raises(ValueError, match="Valeurs sans couleur"):
        carte_region_png("94", indicateurs=statuts(couches, None, "a_moitie"), titre="x", couches=couches)


def test_surligner_doit_etre_en_lon_lat(couches):
    lambert = gpd.GeoDataFrame(geometry=[shapely.box(1_000_000, 6_200_000, 1_010_000, 6_210_000)], crs=2154)
    with pytest.raises(ValueError, match="attendu : EPSG:4326"):
        carte_region_png("94", indicateurs=statuts(couches, None, "couvert"), titre="x", surligner=lambert, couches=couches)
