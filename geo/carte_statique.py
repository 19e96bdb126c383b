"""Cartes statiques (PNG) d'une région ou de la France, pour le procès-verbal et les diapositives.

Dessinées par matplotlib (moteur Agg, sans affichage ni internet) à partir des couches de
référence (`geo.reference.charger_geometries`, IGN Admin Express, COG 2026) : aucune tuile.

- métropole en Lambert-93 (EPSG:2154) ; chaque DROM dans sa projection UTM locale :
  Guadeloupe et Martinique EPSG:5490 (RGAF09 / UTM 20N), Guyane EPSG:2972 (RGFG95 / UTM 22N),
  La Réunion EPSG:2975 (RGR92 / UTM 40S), Mayotte EPSG:4471 (RGM04 / UTM 38S) ;
- vue nationale (`region=None`) : la métropole et les cinq DROM en encarts ; vue d'une région de
  métropole : ses EPCI et départements, les départements voisins en gris clair pour situer ;
  vue d'une région d'outre-mer : ce seul territoire, dans sa projection ;
- EPCI colorés selon une colonne d'indicateurs (statut de couverture, zone blanche ou nombre),
  légende avec les effectifs, départements en trait plus épais, périmètres des dossiers financés
  soulignés en option ; titre et source « IGN Admin Express, COG 2026 ».

Le module n'utilise pas `matplotlib.pyplot` : chaque appel crée sa propre `Figure` (aucun état
global, aucune figure qui s'accumule dans un serveur Streamlit de longue durée) et les polygones
sont convertis en chemins matplotlib ici (l'outil de dessin de geopandas passe par pyplot).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as CheminMpl
from PIL import Image

from geo.carte import (
    COULEUR_SANS_DONNEE,
    LIBELLE_SANS_DONNEE,
    bornes_quantiles,
    categories_couverture,
)
from geo.carte import _classer_categories, _classer_sequentiel  # mêmes classes et légendes que la carte Leaflet
from geo.reference import MILLESIME, charger_geometries, charger_referentiel

__all__ = [
    "CATEGORIES_ZONE_BLANCHE",
    "CRS_DROM",
    "CRS_METROPOLE",
    "DEPARTEMENT_DES_REGIONS_DROM",
    "SOURCE_CARTES",
    "avant_apres_png",
    "carte_region_png",
    "couches_par_defaut",
]

CRS_METROPOLE = 2154
"""Lambert-93 (RGF93 v1), mètres : projection des cartes de métropole, Corse comprise."""

CRS_DROM: dict[str, int] = {
    "971": 5490,  # RGAF09 / UTM zone 20N
    "972": 5490,  # RGAF09 / UTM zone 20N
    "973": 2972,  # RGFG95 / UTM zone 22N
    "974": 2975,  # RGR92 / UTM zone 40S
    "976": 4471,  # RGM04 / UTM zone 38S
}
"""Projection locale (UTM, mètres) de chaque département d'outre-mer."""

DEPARTEMENT_DES_REGIONS_DROM: dict[str, str] = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}
"""Région d'outre-mer (code COG) → son unique département."""

NOMS_DROM: dict[str, str] = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}

SOURCE_CARTES = f"IGN Admin Express, {MILLESIME}"
"""Source citée sous chaque carte."""

MENTION_FICTIVE = "Données fictives de démonstration"

CATEGORIES_ZONE_BLANCHE: dict[Hashable, tuple[str, str]] = {
    True: ("#A50026", "Zone blanche"),
    False: ("#A6CEE3", "Hors zone blanche"),
}
"""Couleur et libellé d'une colonne booléenne `est_zone_blanche`."""

COULEUR_CONTEXTE = "#EEEEEE"  # départements hors de la vue
COULEUR_TRAIT_EPCI = "#FFFFFF"
COULEUR_TRAIT_DEPARTEMENT = "#3A3A3A"
COULEUR_SURLIGNE = "#000091"  # bleu France
COULEUR_SURLIGNE_SEQUENTIEL = "#161616"  # sur la palette bleue, un trait presque noir
LIBELLE_SURLIGNE = "Périmètres des dossiers financés"

Taille = tuple[float, float]
"""Taille d'une figure en pouces (largeur, hauteur) ; en pixels : taille × dpi."""


# --- Données géographiques -----------------------------------------------------------------------


def couches_par_defaut() -> dict[str, gpd.GeoDataFrame]:
    """Couches d'affichage `epci` et `departement` (EPSG:4326, index code) avec leur colonne `region`.

    Returns
    -------
    dict
        `{"epci": ..., "departement": ...}` ; les EPCI portent déjà `region` (région de la
        majorité de leur population), les départements la reçoivent du référentiel.
    """
    departements = charger_geometries("departement")
    region = charger_referentiel().departements["region"]
    departements = departements.assign(region=region.reindex(departements.index).to_numpy())
    return {"epci": charger_geometries("epci"), "departement": departements}


def _check_couches(couches: Mapping[str, gpd.GeoDataFrame]) -> None:
    for nom in ("epci", "departement"):
        if nom not in couches:
            raise ValueError(f"`couches` : couche « {nom} » absente (attendu : clés « epci » et « departement »).")
        couche = couches[nom]
        if couche.crs is None or couche.crs.to_epsg() != 4326:
            raise ValueError(f"`couches[{nom!r}]` : CRS {couche.crs} (attendu : EPSG:4326, lon/lat).")
        if "region" not in couche.columns:
            raise ValueError(f"`couches[{nom!r}]` : colonne `region` absente (code de région de chaque territoire).")


def _check_region(region: str | None, couches: Mapping[str, gpd.GeoDataFrame]) -> None:
    if region is None:
        return
    connues = set(couches["departement"]["region"].dropna().astype(str))
    if not isinstance(region, str) or region not in connues:
        raise ValueError(
            f"Région inconnue : {region!r} (attendu : un code de région du {MILLESIME}, ex. « 84 », "
            "ou None pour la France entière)."
        )


def _check_surligner(surligner: gpd.GeoDataFrame | None) -> None:
    if surligner is None:
        return
    if surligner.crs is None or surligner.crs.to_epsg() != 4326:
        raise ValueError(f"`surligner` : CRS {surligner.crs} (attendu : EPSG:4326, lon/lat, comme les couches de référence).")


# --- Couleurs des EPCI ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Coloriage:
    """Couleur de chaque EPCI et lignes de légende."""

    couleurs: pd.Series  # index code EPCI → couleur hexadécimale
    legende: list[tuple[str, str]]  # (couleur, libellé avec effectif)
    sequentiel: bool


def _colorier(
    codes: pd.Index,
    indicateurs: pd.DataFrame,
    *,
    colonne: str,
    categories: Mapping[Hashable, tuple[str, str]] | None,
    bornes: Sequence[float] | None,
    unite: str,
) -> _Coloriage:
    """Classe la colonne `colonne` des EPCI `codes` (absents d'`indicateurs` : « Sans donnée »)."""
    if colonne not in indicateurs.columns:
        raise ValueError(
            f"`indicateurs` : colonne `{colonne}` absente (colonnes présentes : {', '.join(map(str, indicateurs.columns))})."
        )
    valeurs = indicateurs[colonne].reindex(codes)
    numerique = pd.api.types.is_numeric_dtype(indicateurs[colonne]) and not pd.api.types.is_bool_dtype(indicateurs[colonne])
    if categories is None and not numerique:
        if pd.api.types.is_bool_dtype(indicateurs[colonne]) or set(valeurs.dropna().unique()) <= {True, False}:
            categories = CATEGORIES_ZONE_BLANCHE
        else:
            categories = categories_couverture()
    if categories is not None:
        classes, lignes, _ = _classer_categories(valeurs.astype(object), categories)
        palette = [c for c, _ in categories.values()] + [COULEUR_SANS_DONNEE]
        return _Coloriage(pd.Series(np.asarray(palette, dtype=object)[classes], index=codes), lignes, False)
    seuils = list(bornes) if bornes is not None else bornes_quantiles(valeurs)
    classes, palette, lignes = _classer_sequentiel(valeurs, seuils, decimales=1, unite=unite)
    return _Coloriage(pd.Series(np.asarray(palette, dtype=object)[classes], index=codes), lignes, True)


# --- Dessin --------------------------------------------------------------------------------------


def _chemins(geometries: gpd.GeoSeries) -> list[CheminMpl]:
    """Un chemin matplotlib composé par géométrie (anneaux extérieurs et trous), coordonnées de la couche.

    Les polygones sont orientés (extérieur dans le sens trigonométrique, trous dans l'autre)
    pour que la règle de remplissage « nonzero » laisse les trous vides.
    """
    geoms = shapely.orient_polygons(np.asarray(geometries.values, dtype=object), exterior_cw=False)
    parties, i_geom = shapely.get_parts(geoms, return_index=True)
    anneaux, i_partie = shapely.get_rings(parties, return_index=True)
    coords, i_anneau = shapely.get_coordinates(anneaux, return_index=True)
    codes = np.full(len(coords), CheminMpl.LINETO, dtype=CheminMpl.code_type)
    debut = np.r_[True, i_anneau[1:] != i_anneau[:-1]]
    fin = np.r_[i_anneau[1:] != i_anneau[:-1], True]
    codes[debut] = CheminMpl.MOVETO
    codes[fin] = CheminMpl.CLOSEPOLY
    geom_du_point = i_geom[i_partie[i_anneau]]
    coupures = np.searchsorted(geom_du_point, np.arange(1, len(geoms)))
    return [
        CheminMpl(c, k) for c, k in zip(np.split(coords, coupures), np.split(codes, coupures), strict=True)
    ]


def _polygones(ax, geometries: gpd.GeoSeries, *, faces, traits: str, epaisseur: float, zorder: float) -> None:
    chemins = _chemins(geometries)
    if not chemins:
        return
    collection = PatchCollection(
        [PathPatch(c) for c in chemins],
        facecolors=faces,
        edgecolors=traits,
        linewidths=epaisseur,
        zorder=zorder,
        joinstyle="round",
    )
    ax.add_collection(collection)


def _cadrer(ax, emprise: np.ndarray, *, marge: float = 0.04) -> None:
    """Limites de l'axe sur l'emprise (xmin, ymin, xmax, ymax, en mètres), marge relative comprise,
    élargies dans un sens pour que le rapport largeur/hauteur soit celui de l'axe (échelle égale
    en x et en y : la carte remplit son cadre, le contexte apparaît autour)."""
    xmin, ymin, xmax, ymax = (float(v) for v in emprise)
    dx, dy = max(xmax - xmin, 1.0) * (1 + 2 * marge), max(ymax - ymin, 1.0) * (1 + 2 * marge)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    boite = ax.get_position()
    largeur_fig, hauteur_fig = ax.figure.get_size_inches()
    rapport_axe = (boite.width * largeur_fig) / (boite.height * hauteur_fig)
    if dx / dy < rapport_axe:
        dx = dy * rapport_axe
    else:
        dy = dx / rapport_axe
    ax.set_xlim(cx - dx / 2, cx + dx / 2)
    ax.set_ylim(cy - dy / 2, cy + dy / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()


@dataclass(frozen=True)
class _Vue:
    """Un cadre de carte : ses EPCI (découpés au territoire), ses départements, le contexte, sa projection."""

    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    contexte: gpd.GeoDataFrame | None
    crs: int
    titre: str = ""


def _epci_decoupes(epci: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Les EPCI qui recouvrent les départements donnés, découpés à leur contour.

    Un EPCI à cheval sur deux régions est ainsi dessiné dans chacune, pour sa partie (son
    statut vaut pour tout son territoire). Les éclats de moins de 0,5 % de la surface d'un EPCI,
    dus à la simplification des contours, sont écartés.
    """
    zone = shapely.union_all(np.asarray(departements.geometry.values, dtype=object))
    candidats = epci.iloc[np.unique(epci.sindex.query(zone, predicate="intersects"))]
    decoupes = shapely.intersection(np.asarray(candidats.geometry.values, dtype=object), zone)
    aires = shapely.area(np.asarray(candidats.geometry.values, dtype=object))
    garde = shapely.area(decoupes) > 0.005 * aires
    return gpd.GeoDataFrame(candidats[["region"]][garde], geometry=decoupes[garde], crs=epci.crs)


def _vues(region: str | None, couches: Mapping[str, gpd.GeoDataFrame]) -> list[_Vue]:
    """France entière : la métropole puis les cinq DROM ; une région : un seul cadre."""
    epci, deps = couches["epci"], couches["departement"]
    region_epci = epci["region"].astype(str).to_numpy()
    region_dep = deps["region"].astype(str).to_numpy()
    drom = list(DEPARTEMENT_DES_REGIONS_DROM)
    if region is None:
        vues = [_Vue(epci[~np.isin(region_epci, drom)], deps[~np.isin(region_dep, drom)], None, CRS_METROPOLE)]
        for code_region, dep in DEPARTEMENT_DES_REGIONS_DROM.items():
            vues.append(
                _Vue(epci[region_epci == code_region], deps[region_dep == code_region], None, CRS_DROM[dep], NOMS_DROM[dep])
            )
        return vues
    d = deps[region_dep == region]
    if region in DEPARTEMENT_DES_REGIONS_DROM:
        return [_Vue(epci[region_epci == region], d, None, CRS_DROM[DEPARTEMENT_DES_REGIONS_DROM[region]])]
    contexte = deps[~np.isin(region_dep, [region, *drom])]
    return [_Vue(_epci_decoupes(epci[~np.isin(region_epci, drom)], d), d, contexte, CRS_METROPOLE)]


def _codes_dessines(vues: list[_Vue]) -> pd.Index:
    return pd.Index(pd.unique(np.concatenate([v.epci.index.to_numpy(dtype=object) for v in vues])), name="code")


def _dessiner_vue(
    ax,
    vue: _Vue,
    *,
    couleurs: pd.Series,
    surligner: gpd.GeoDataFrame | None,
    couleur_surligne: str,
    traits_departements: float,
) -> None:
    """Dessine une vue dans `ax` (coordonnées projetées) : contexte, EPCI colorés, départements, périmètres."""
    departements = vue.departements.to_crs(vue.crs)
    if vue.contexte is not None and len(vue.contexte):
        _polygones(ax, vue.contexte.to_crs(vue.crs).geometry, faces=COULEUR_CONTEXTE, traits="#FFFFFF", epaisseur=0.5, zorder=1)
    # Sous les EPCI, les départements en gris « sans donnée » : les communes hors EPCI (îles) restent visibles.
    _polygones(ax, departements.geometry, faces=COULEUR_SANS_DONNEE, traits="none", epaisseur=0.0, zorder=2)
    if len(vue.epci):
        _polygones(
            ax,
            vue.epci.to_crs(vue.crs).geometry,
            faces=couleurs.reindex(vue.epci.index).fillna(COULEUR_SANS_DONNEE).tolist(),
            traits=COULEUR_TRAIT_EPCI,
            epaisseur=0.35,
            zorder=3,
        )
    _polygones(ax, departements.geometry, faces="none", traits=COULEUR_TRAIT_DEPARTEMENT, epaisseur=traits_departements, zorder=4)
    a_souligner = _surligner_dans(surligner, vue.departements)
    if a_souligner is not None and len(a_souligner):
        _polygones(ax, a_souligner.to_crs(vue.crs).geometry, faces="none", traits=couleur_surligne, epaisseur=1.6, zorder=5)
    _cadrer(ax, departements.total_bounds)
    if vue.titre:
        ax.set_title(vue.titre, fontsize=7, pad=1)


def _surligner_dans(surligner: gpd.GeoDataFrame | None, departements: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Les périmètres qui touchent l'emprise des départements dessinés (les autres sont hors cadre)."""
    if surligner is None or not len(surligner):
        return None
    xmin, ymin, xmax, ymax = departements.total_bounds
    garde = surligner.geometry.intersects(shapely.box(xmin, ymin, xmax, ymax))
    return surligner[garde.to_numpy()]


def _panneau(
    fig: Figure,
    rect: tuple[float, float, float, float],
    vues: list[_Vue],
    *,
    couleurs: pd.Series,
    surligner: gpd.GeoDataFrame | None,
    couleur_surligne: str,
    sous_titre: str = "",
) -> None:
    """Les vues dans le rectangle `rect` (fraction de la figure : gauche, bas, largeur, hauteur).

    Une vue : elle occupe le rectangle. France entière : la métropole à droite, les cinq DROM en
    encarts sur une colonne à gauche.
    """
    gauche, bas, largeur, hauteur = rect
    if sous_titre:
        fig.text(gauche + largeur / 2, bas + hauteur + 0.005, sous_titre, ha="center", va="bottom", fontsize=12, weight="bold")
    if len(vues) == 1:
        _dessiner_vue(fig.add_axes(rect), vues[0], couleurs=couleurs, surligner=surligner,
                      couleur_surligne=couleur_surligne, traits_departements=1.1)
        return
    principale, *encarts = vues
    largeur_encarts = largeur * 0.22
    ax = fig.add_axes((gauche + largeur_encarts + largeur * 0.02, bas, largeur - largeur_encarts - largeur * 0.02, hauteur))
    _dessiner_vue(ax, principale, couleurs=couleurs, surligner=surligner, couleur_surligne=couleur_surligne,
                  traits_departements=0.45)
    hauteur_encart = hauteur / len(encarts)
    for i, vue in enumerate(encarts):
        ax_encart = fig.add_axes((gauche, bas + hauteur - (i + 1) * hauteur_encart, largeur_encarts, hauteur_encart * 0.84))
        _dessiner_vue(ax_encart, vue, couleurs=couleurs, surligner=surligner, couleur_surligne=couleur_surligne,
                      traits_departements=0.6)


def _legende(
    fig: Figure,
    coloriage: _Coloriage,
    *,
    titre_legende: str,
    surligne: bool,
    couleur_surligne: str,
    loc: str,
    ancre: tuple[float, float],
    colonnes: int = 1,
    largeur_libelles: int = 32,
) -> None:
    poignees = [
        Patch(facecolor=c, edgecolor="#999999", linewidth=0.4, label=textwrap.fill(lib, largeur_libelles))
        for c, lib in coloriage.legende
    ]
    if surligne:
        poignees.append(Patch(facecolor="none", edgecolor=couleur_surligne, linewidth=1.6, label=LIBELLE_SURLIGNE))
    fig.legend(
        handles=poignees,
        title=titre_legende or None,
        loc=loc,
        bbox_to_anchor=ancre,
        ncol=colonnes,
        fontsize=9,
        title_fontsize=10,
        frameon=False,
        alignment="left",
    )


def _habiller(fig: Figure, *, titre: str, donnees_fictives: bool) -> None:
    fig.text(0.5, 0.975, titre, ha="center", va="top", fontsize=15, weight="bold", wrap=True)
    source = f"Source : {SOURCE_CARTES}."
    if donnees_fictives:
        source += f" {MENTION_FICTIVE}."
    fig.text(0.01, 0.012, source, ha="left", va="bottom", fontsize=8, color="#555555")


def _png(fig: Figure, dpi: int) -> bytes:
    """PNG RGB (sans canal alpha) de la figure, taille exacte `figsize × dpi`."""
    FigureCanvasAgg(fig)
    tampon = io.BytesIO()
    fig.savefig(tampon, format="png", dpi=dpi, facecolor="white")
    image = Image.open(io.BytesIO(tampon.getvalue())).convert("RGB")
    sortie = io.BytesIO()
    image.save(sortie, format="PNG", optimize=True)
    return sortie.getvalue()


def _preparer(
    region: str | None,
    *,
    couches: Mapping[str, gpd.GeoDataFrame] | None,
    surligner: gpd.GeoDataFrame | None,
) -> Mapping[str, gpd.GeoDataFrame]:
    couches = couches if couches is not None else couches_par_defaut()
    _check_couches(couches)
    _check_region(region, couches)
    _check_surligner(surligner)
    return couches


def carte_region_png(
    region: str | None,
    *,
    indicateurs: pd.DataFrame,
    titre: str,
    colonne: str = "statut",
    titre_legende: str = "",
    categories: Mapping[Hashable, tuple[str, str]] | None = None,
    bornes: Sequence[float] | None = None,
    unite: str = "",
    surligner: gpd.GeoDataFrame | None = None,
    donnees_fictives: bool = False,
    taille: Taille = (10.0, 7.5),
    dpi: int = 150,
    couches: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> bytes:
    """Carte PNG d'une région (ou de la France) : EPCI colorés, départements, légende, source.

    Parameters
    ----------
    region : str or None
        Code de région COG (`84`, `94` Corse, `04` La Réunion…) ; None : France entière, DROM
        en encarts.
    indicateurs : pandas.DataFrame
        Indexé par code d'EPCI (SIREN, chaînes) ; les EPCI absents sont « Sans donnée ».
    titre : str
        Titre en haut de l'image.
    colonne : str
        Colonne d'`indicateurs` qui colore les EPCI : texte ou booléen (catégories), ou nombre
        (classes par quantiles, palette bleue).
    titre_legende : str
        Titre de la légende (vide : aucun).
    categories : mapping, optional
        `{valeur: (couleur, libellé)}`. Par défaut : statuts de couverture
        (`coverage.modele.StatutCouverture`) pour une colonne de texte, `CATEGORIES_ZONE_BLANCHE`
        pour une colonne booléenne.
    bornes : sequence of float, optional
        Seuils des classes d'une colonne numérique (par défaut : quantiles arrondis).
    unite : str
        Unité des seuils d'une colonne numérique dans la légende (`"ETP"`, `"€"`).
    surligner : geopandas.GeoDataFrame, optional
        Polygones à souligner (périmètres des dossiers financés), EPSG:4326.
    donnees_fictives : bool
        Ajoute « Données fictives de démonstration » à la source.
    taille : (float, float)
        Taille en pouces ; l'image fait `taille[0] × dpi` sur `taille[1] × dpi` pixels.
    dpi : int
        Résolution, points par pouce.
    couches : mapping, optional
        `{"epci", "departement"}` en EPSG:4326 avec une colonne `region` (par défaut :
        `couches_par_defaut()`, couches d'affichage du référentiel).

    Returns
    -------
    bytes
        Image PNG (RGB).

    Raises
    ------
    ValueError
        Région inconnue, colonne absente, valeur sans couleur, CRS de `surligner` autre que
        EPSG:4326.

    Example
    -------
    >>> png = carte_region_png("84", indicateurs=epci_agreges, titre="Auvergne-Rhône-Alpes")  # doctest: +SKIP
    """
    couches = _preparer(region, couches=couches, surligner=surligner)
    vues = _vues(region, couches)
    coloriage = _colorier(_codes_dessines(vues), indicateurs, colonne=colonne, categories=categories, bornes=bornes, unite=unite)
    couleur_surligne = COULEUR_SURLIGNE_SEQUENTIEL if coloriage.sequentiel else COULEUR_SURLIGNE
    fig = Figure(figsize=taille, dpi=dpi)
    _habiller(fig, titre=titre, donnees_fictives=donnees_fictives)
    _panneau(
        fig,
        (0.02, 0.05, 0.66, 0.86),
        vues,
        couleurs=coloriage.couleurs,
        surligner=surligner,
        couleur_surligne=couleur_surligne,
    )
    _legende(
        fig,
        coloriage,
        titre_legende=titre_legende,
        surligne=surligner is not None and len(surligner) > 0,
        couleur_surligne=couleur_surligne,
        loc="center left",
        ancre=(0.69, 0.5),
    )
    return _png(fig, dpi)


def avant_apres_png(
    region: str | None,
    *,
    avant: pd.DataFrame,
    apres: pd.DataFrame,
    titre: str,
    colonne: str = "statut",
    titres_panneaux: tuple[str, str] = ("Avant le comité", "Après les décisions du comité"),
    titre_legende: str = "",
    categories: Mapping[Hashable, tuple[str, str]] | None = None,
    bornes: Sequence[float] | None = None,
    unite: str = "",
    surligner: gpd.GeoDataFrame | None = None,
    donnees_fictives: bool = False,
    taille: Taille = (14.0, 7.5),
    dpi: int = 150,
    couches: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> bytes:
    """Deux cartes côte à côte, avant et après, avec la même légende (mêmes classes).

    Parameters
    ----------
    region : str or None
        Code de région COG, ou None pour la France entière (DROM en encarts).
    avant, apres : pandas.DataFrame
        Indicateurs par code d'EPCI (même colonne `colonne`).
    titre : str
        Titre de l'image.
    titres_panneaux : (str, str)
        Titres des deux cartes.
    surligner : geopandas.GeoDataFrame, optional
        Périmètres soulignés sur la carte « après » seulement, EPSG:4326.
    autres paramètres
        Comme `carte_region_png` ; pour une colonne numérique, les seuils sont calculés sur les
        valeurs avant et après réunies, pour que les deux cartes se comparent.

    Returns
    -------
    bytes
        Image PNG (RGB) de `taille[0] × dpi` sur `taille[1] × dpi` pixels.
    """
    couches = _preparer(region, couches=couches, surligner=surligner)
    vues = _vues(region, couches)
    codes = _codes_dessines(vues)
    for nom, table in (("avant", avant), ("apres", apres)):
        if colonne not in table.columns:
            raise ValueError(f"`{nom}` : colonne `{colonne}` absente (colonnes présentes : {', '.join(map(str, table.columns))}).")
    numerique = pd.api.types.is_numeric_dtype(avant[colonne]) and not pd.api.types.is_bool_dtype(avant[colonne])
    if numerique and bornes is None:
        ensemble = pd.concat([avant[colonne].reindex(codes), apres[colonne].reindex(codes)], ignore_index=True)
        bornes = bornes_quantiles(ensemble)
    c_avant = _colorier(codes, avant, colonne=colonne, categories=categories, bornes=bornes, unite=unite)
    c_apres = _colorier(codes, apres, colonne=colonne, categories=categories, bornes=bornes, unite=unite)
    couleur_surligne = COULEUR_SURLIGNE_SEQUENTIEL if c_apres.sequentiel else COULEUR_SURLIGNE
    fig = Figure(figsize=taille, dpi=dpi)
    _habiller(fig, titre=titre, donnees_fictives=donnees_fictives)
    for rect, coloriage, sous_titre, souligne in (
        ((0.01, 0.17, 0.48, 0.70), c_avant, titres_panneaux[0], None),
        ((0.51, 0.17, 0.48, 0.70), c_apres, titres_panneaux[1], surligner),
    ):
        _panneau(
            fig,
            rect,
            vues,
            couleurs=coloriage.couleurs,
            surligner=souligne,
            couleur_surligne=couleur_surligne,
            sous_titre=sous_titre,
        )
    # Légende commune : libellés sans effectif (les effectifs diffèrent avant et après).
    communes = _Coloriage(c_apres.couleurs, _sans_effectifs(c_avant.legende, c_apres.legende), c_apres.sequentiel)
    _legende(
        fig,
        communes,
        titre_legende=titre_legende,
        surligne=surligner is not None and len(surligner) > 0,
        couleur_surligne=couleur_surligne,
        loc="lower center",
        ancre=(0.5, 0.035),
        colonnes=4,
    )
    return _png(fig, dpi)


def _sans_effectifs(*legendes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Réunit des lignes de légende « Libellé (12) » en « Libellé », sans doublon, dans l'ordre."""
    vues: dict[str, str] = {}
    for legende in legendes:
        for couleur, libelle in legende:
            texte = libelle.rsplit(" (", 1)[0] if libelle.endswith(")") else libelle
            vues.setdefault(texte, couleur)
    ordre = sorted(vues.items(), key=lambda kv: kv[0] == LIBELLE_SANS_DONNEE)  # « Sans donnée » en dernier
    return [(couleur, texte) for texte, couleur in ordre]
