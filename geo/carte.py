"""Cartes choroplèthes Leaflet qui s'affichent sans internet (folium, aucun CDN).

Par défaut folium charge Leaflet, jQuery, Bootstrap et Font Awesome depuis des CDN publics :
sur un réseau fermé (intranet de l'État, CI) la carte reste blanche. Ici :

- la carte ne déclare qu'un script et une feuille de style, `leaflet.js` et `leaflet.css`, servis
  par l'application elle-même (`ui.carte.preparer_assets_locaux` les copie depuis le paquet PyPI
  `django-js-lib-leaflet` dans `static/leaflet/`, que Streamlit sert sous `/app/static/`) ;
- les polygones sont dessinés par une couche maison (`CoucheGeoJson`) au lieu de `folium.GeoJson` :
  GeoJSON compact (propriétés minimales, coordonnées arrondies, JSON sans espaces), couleurs
  portées par un indice de classe, infobulle construite sans HTML injecté ;
- la légende est un contrôle Leaflet écrit ici (pas de `branca.colormap`, qui ajoute d3 depuis
  un CDN) ;
- pas de fond de carte par défaut (`tuiles=None`) : un fond uni clair ; une URL de tuiles peut être
  donnée pour les réseaux qui ont un serveur de tuiles.

Aucune fonction de ce module n'importe streamlit : l'affichage est dans `ui/carte.py`.
Le module est la façade des cartes : les éléments Leaflet sont dans `geo.carte_leaflet`, les
couleurs, classes et légendes dans `geo.carte_classes`, les emprises dans `geo.carte_cadrage` ;
leurs noms publics s'importent aussi d'ici.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import branca.element
import folium
import folium.map
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.carte_cadrage import (  # noqa: F401  (réexportés : l'API des cartes s'importe de geo.carte)
    EMPRISES,
    LIBELLES_EMPRISES,
    Emprise,
    _emprise,
    emprise_du_code,
    emprise_par_defaut,
    vue_emprise,
)
from geo.carte_classes import (  # noqa: F401
    COULEUR_CONTOUR,
    COULEUR_FOND,
    COULEUR_SANS_DONNEE,
    COULEUR_SURVOL,
    COULEURS_STATUT,
    LIBELLE_SANS_DONNEE,
    PALETTE_SEQUENTIELLE,
    Palette,
    _classer_categories,
    _classer_sequentiel,
    _styles,
    _texte_infobulle,
    bornes_quantiles,
    categories_couverture,
    decimales_infobulle,
    est_numerique,
    formater_nombre,
)
from geo.carte_leaflet import (  # noqa: F401
    CSS_LEAFLET,
    JS_LEAFLET,
    URL_ASSETS_LEAFLET,
    CoucheGeoJson,
    Legende,
    _json_pour_script,
    carte_vierge,
)

# --- Préparation des données ---------------------------------------------------------------------


def _check_gdf(
    gdf: gpd.GeoDataFrame, colonnes: Sequence[str], *, choroplethe: bool = True, geometrie: bool = True
) -> None:
    if not geometrie:
        if not isinstance(gdf, pd.DataFrame):
            raise TypeError(f"La table doit être un DataFrame, reçu {type(gdf).__name__}.")
    elif not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"`gdf` doit être un GeoDataFrame, reçu {type(gdf).__name__}.")
    elif gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"`gdf` doit être en EPSG:4326 (lon/lat), reçu {gdf.crs}.")
    if not choroplethe:  # contours : ni clic ni infobulle, un code peut revenir plusieurs fois
        return
    if gdf.empty:
        raise ValueError("`gdf` est vide : aucun territoire à cartographier.")
    if not gdf.index.is_unique:
        doublons = gdf.index[gdf.index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"L'index de `gdf` (les codes) doit être unique ; en double : {doublons}.")
    manquantes = [c for c in colonnes if c not in gdf.columns]
    if manquantes:
        raise ValueError(
            f"Colonnes absentes de `gdf` : {manquantes} (présentes : {list(gdf.columns)})."
        )


def geojson_compact(
    gdf: gpd.GeoDataFrame,
    *,
    classes: np.ndarray | None = None,
    infobulles: pd.DataFrame | None = None,
    decimales_coordonnees: int = 4,
) -> dict:
    """FeatureCollection minimale pour `CoucheGeoJson`.

    Parameters
    ----------
    gdf : GeoDataFrame
        Géométries en EPSG:4326, index = code officiel (chaîne).
    classes : array of int, optional
        Indice de style de chaque entité (propriété `s`) ; 0 partout par défaut.
    infobulles : DataFrame, optional
        Textes de l'infobulle, une colonne par ligne, même index que `gdf` (propriété `v`).
    decimales_coordonnees : int
        Arrondi des coordonnées en degrés (4 décimales ≈ 11 m).

    Returns
    -------
    dict
        FeatureCollection dont chaque entité a les propriétés `code`, `s` et éventuellement `v`.
    """
    geometries = shapely.transform(
        np.asarray(gdf.geometry.values), lambda xy: np.round(xy, decimales_coordonnees)
    )
    proprietes = pd.DataFrame(
        {
            "code": gdf.index.astype(str).to_numpy(dtype=object),
            "s": np.zeros(len(gdf), dtype=int)
            if classes is None
            else np.asarray(classes, dtype=int),
        },
        index=gdf.index,
    )
    if infobulles is not None:
        proprietes["v"] = pd.Series(
            infobulles.astype(object).to_numpy().tolist(), index=gdf.index, dtype=object
        )
    couche = gpd.GeoDataFrame(proprietes, geometry=geometries, crs=gdf.crs)
    return couche.to_geo_dict(drop_id=True)


def couche_contours(
    gdf: gpd.GeoDataFrame,
    *,
    nom: str,
    couleur: str = "#000091",
    epaisseur: float = 2.0,
    tirets: str | None = None,
    decimales_coordonnees: int = 4,
) -> CoucheGeoJson:
    """Contours non interactifs (périmètres d'une structure, zone d'un grand projet).

    La couche laisse passer clics et survols vers la couche choroplèthe en dessous. L'index peut
    avoir des doublons (une structure, plusieurs polygones) ; une couche vide est permise.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygones en EPSG:4326, index = code.
    nom : str
        Nom de la couche (sélecteur de couches).
    couleur : str
        Couleur du trait.
    epaisseur : float
        Épaisseur du trait en pixels.
    tirets : str, optional
        Motif SVG `dashArray` (`"6 4"`) pour un trait en tirets (ex. une extension limitrophe).
    """
    _check_gdf(gdf, [], choroplethe=False)
    style = {"fill": False, "color": couleur, "weight": epaisseur, "opacity": 1}
    if tirets:
        style["dashArray"] = tirets
    donnees = geojson_compact(gdf, decimales_coordonnees=decimales_coordonnees)
    return CoucheGeoJson(
        donnees,
        styles=[style],
        nom=nom,
        interactive=False,
        survol=False,
        emprise=_emprise(gdf) if len(gdf) else None,
    )


def carte_choroplethe(
    gdf: gpd.GeoDataFrame,
    *,
    colonne: str,
    libelle: str,
    palette: Palette,
    categories: Mapping[Hashable, tuple[str, str]] | None = None,
    champs_infobulle: Sequence[tuple[str, str]] | None = None,
    bornes: Sequence[float] | None = None,
    decimales: int = 0,
    unite: str = "",
    cadrage: Emprise | None = None,
    couches_dessus: Sequence[folium.map.Layer] = (),
    hauteur: int = 600,
    tuiles: str | None = None,
    attribution_tuiles: str | None = None,
    attribution: str | None = None,
    decimales_coordonnees: int = 4,
    opacite: float | None = None,
) -> folium.Map:
    """Carte choroplèthe d'un indicateur, territoire par territoire, sans ressource externe.

    Parameters
    ----------
    gdf : GeoDataFrame
        Territoires en EPSG:4326, index = code officiel (chaîne) ; colonnes `nom`, `colonne`,
        celles de `champs_infobulle`.
    colonne : str
        L'indicateur représenté.
    libelle : str
        Son libellé français (titre de la légende, ligne de l'infobulle).
    palette : {"categorie", "sequentielle"}
        `categorie` : une couleur par valeur (`categories`) ; `sequentielle` : classes de bleus
        définies par les seuils `bornes`.
    categories : dict, optional
        `{valeur: (couleur, libellé)}`, obligatoire pour `categorie` (voir
        `categories_couverture`). Une valeur manquante est « Sans donnée » ; une valeur absente
        du dictionnaire est une erreur.
    champs_infobulle : list of (colonne, libellé), optional
        Lignes de l'infobulle entre le code et l'indicateur ; par défaut la population si la
        colonne `population` existe. Les nombres sont formatés à la française.
    bornes : list of float, optional
        Seuils croissants entre classes (`n` seuils, `n + 1` classes : « moins de b1 », …,
        « bn et plus ») ; par défaut les quantiles (`bornes_quantiles`).
    decimales, unite : int, str
        Format de l'indicateur dans l'infobulle et la légende (palette séquentielle).
    cadrage : Emprise, optional
        `(lon_min, lat_min, lon_max, lat_max)` en degrés ; par défaut `emprise_par_defaut(gdf)`.
    couches_dessus : list of folium Layer
        Couches ajoutées au-dessus (contours de périmètres : `couche_contours`).
    hauteur : int
        Hauteur en pixels.
    tuiles, attribution_tuiles : str, optional
        Fond de carte optionnel (voir `carte_vierge`) ; aucun par défaut.
    attribution : str, optional
        Source des contours affichée en bas de carte (ex. « IGN Admin Express, COG 2026 »).
    decimales_coordonnees : int
        Arrondi des coordonnées (degrés) dans le GeoJSON envoyé au navigateur.
    opacite : float, optional
        Opacité du remplissage (0 à 1) ; par défaut 0,85 sans tuiles, 0,6 avec. Plus bas quand des
        contours doivent ressortir par-dessus (grands projets).

    Returns
    -------
    folium.Map
        La carte ; au clic sur un territoire, `code_depuis_retour` renvoie son code.

    Example
    -------
    >>> m = carte_choroplethe(gdf, colonne="statut", libelle="Couverture",
    ...                       palette="categorie", categories=categories_couverture())
    """
    classement = classer_indicateur(
        gdf, colonne=colonne, libelle=libelle, palette=palette, categories=categories,
        champs_infobulle=champs_infobulle, bornes=bornes, decimales=decimales, unite=unite,
    )
    donnees = geojson_compact(
        gdf,
        classes=classement.classes,
        infobulles=classement.textes(),
        decimales_coordonnees=decimales_coordonnees,
    )
    m = carte_vierge(
        cadrage=cadrage if cadrage is not None else emprise_par_defaut(gdf),
        hauteur=hauteur,
        tuiles=tuiles,
        attribution_tuiles=attribution_tuiles,
    )
    CoucheGeoJson(
        donnees,
        styles=_styles(classement.couleurs, opacite=opacite if opacite is not None else (0.6 if tuiles else 0.85)),
        etiquettes=classement.etiquettes,
        nom=libelle,
        attribution=attribution,
        emprise=_emprise(gdf),
    ).add_to(m)
    for couche in couches_dessus:
        couche.add_to(m)
    Legende(titre=libelle, lignes=classement.lignes).add_to(m)
    verifier_hors_ligne(m)
    return m


@dataclass(frozen=True)
class Classement:
    """Ce qu'une carte choroplèthe montre d'un indicateur, territoire par territoire.

    Attributes
    ----------
    classes : array of int
        Indice de couleur de chaque territoire (ordre de `gdf`) ; la dernière couleur est « Sans donnée ».
    couleurs : list of str
        Couleur de chaque classe.
    lignes : list of (couleur, libellé)
        Lignes de la légende (effectifs compris).
    infobulles : DataFrame
        Textes de l'infobulle, une colonne par ligne (nom, code, champs, indicateur), index = code ;
        les colonnes de `decimales` sont restées des nombres (`textes()` les écrit).
    etiquettes : list of str
        Libellé de chaque ligne de l'infobulle.
    decimales : dict
        Colonnes numériques de `infobulles` et leur nombre de décimales (vide par défaut) : la carte
        à valeurs les envoie en entiers que le navigateur écrit à la française, sans les écrire puis
        les relire ici (0,2 s par exécution pour les 34 875 communes).
    """

    classes: np.ndarray
    couleurs: list[str]
    lignes: list[tuple[str, str]]
    infobulles: pd.DataFrame
    etiquettes: list[str]
    decimales: dict[str, int] = field(default_factory=dict)

    def textes(self) -> pd.DataFrame:
        """`infobulles` entièrement en textes (nombres à la française, « Sans donnée »)."""
        if not self.decimales:
            return self.infobulles
        return self.infobulles.assign(**{c: formater_nombre(self.infobulles[c], decimales=d) for c, d in self.decimales.items()})


def classer_indicateur(
    gdf: pd.DataFrame,
    *,
    colonne: str,
    libelle: str,
    palette: Palette,
    categories: Mapping[Hashable, tuple[str, str]] | None = None,
    champs_infobulle: Sequence[tuple[str, str]] | None = None,
    bornes: Sequence[float] | None = None,
    decimales: int = 0,
    unite: str = "",
    exiger_geometrie: bool = True,
    nombres_bruts: bool = False,
) -> Classement:
    """Classes, couleurs, légende et infobulles d'un indicateur (mêmes paramètres que `carte_choroplethe`).

    `exiger_geometrie=False` accepte une table sans géométrie (les contours viennent d'ailleurs :
    `geo.carte_valeurs`) ; `nombres_bruts=True` laisse en nombres les champs numériques de l'infobulle
    (`Classement.decimales`).
    """
    champs = (
        list(champs_infobulle)
        if champs_infobulle is not None
        else ([("population", "Population")] if "population" in gdf.columns else [])
    )
    champs = [(c, lib) for c, lib in champs if c != colonne]  # l'indicateur a sa propre ligne
    _check_gdf(gdf, ["nom", colonne, *[c for c, _ in champs]], geometrie=exiger_geometrie)
    valeurs = gdf[colonne]
    if palette == "categorie":
        if not categories:
            raise ValueError("`categories` est obligatoire avec `palette='categorie'`.")
        classes, lignes, texte_indicateur = _classer_categories(valeurs, categories)
        couleurs = [c for c, _ in categories.values()] + [COULEUR_SANS_DONNEE]
    elif palette == "sequentielle":
        seuils = list(bornes) if bornes is not None else bornes_quantiles(valeurs)
        classes, couleurs, lignes = _classer_sequentiel(
            valeurs, seuils, decimales=decimales, unite=unite
        )
        texte_indicateur = formater_nombre(valeurs, decimales=decimales, unite=unite)
    else:
        raise ValueError(f"`palette` doit être 'categorie' ou 'sequentielle', reçu {palette!r}.")
    decimales = {f"champ_{i}": decimales_infobulle(gdf[c]) for i, (c, _) in enumerate(champs)
                 if nombres_bruts and est_numerique(gdf[c])}
    infobulles = pd.DataFrame(
        {
            "nom": gdf["nom"].astype(str),
            "code": gdf.index.astype(str).to_numpy(dtype=object),
            **{f"champ_{i}": gdf[c].astype("float64") if f"champ_{i}" in decimales else _texte_infobulle(gdf[c])
               for i, (c, _) in enumerate(champs)},
            "indicateur": texte_indicateur,
        },
        index=gdf.index,
    )
    etiquettes = ["Nom", "Code", *[lib for _, lib in champs], libelle]
    return Classement(classes, list(couleurs), list(lignes), infobulles, etiquettes, decimales)


def verifier_hors_ligne(m: branca.element.Element) -> None:
    """Refuse une carte qui ferait charger une ressource depuis internet (réseau fermé)."""
    externes = liens_externes(m)
    if externes:
        raise ValueError(
            "La carte chargerait des ressources depuis internet (interdit : réseau fermé) : "
            f"{externes}. N'utiliser que des éléments sans dépendance JS/CSS externe."
        )


# --- Vérifications et mesures --------------------------------------------------------------------


def _parcourir(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for enfant in element._children.values():
        yield from _parcourir(enfant)


def liens_scripts_styles(m: branca.element.Element) -> tuple[list[str], list[str]]:
    """Les URL JS et CSS que streamlit-folium fera charger au navigateur pour cette carte.

    Même parcours que `streamlit_folium.st_folium` : `default_js`/`default_css` de chaque
    élément de la carte ; une `branca.colormap.ColorMap` y ajoute d3 depuis un CDN.

    Returns
    -------
    (list of str, list of str)
        URL des scripts, URL des feuilles de style, sans doublon, dans l'ordre de chargement.
    """
    import branca.colormap

    js: list[str] = []
    css: list[str] = []
    for element in _parcourir(m):
        if isinstance(element, branca.colormap.ColorMap):
            js[:0] = [
                "https://d3js.org/d3.v4.min.js",
                "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
            ]
        js.extend(url for _, url in getattr(element, "default_js", []))
        css.extend(url for _, url in getattr(element, "default_css", []))
    return list(dict.fromkeys(js)), list(dict.fromkeys(css))


def liens_externes(m: branca.element.Element) -> list[str]:
    """URL `http://`, `https://` ou `//` que la carte ferait charger (vide = carte hors ligne)."""
    js, css = liens_scripts_styles(m)
    return [u for u in js + css if u.startswith(("http://", "https://", "//"))]


def poids_carte(m: folium.Map) -> int:
    """Taille en octets (UTF-8) de la page HTML complète que folium génère (`m.save`)."""
    return len(m.get_root().render().encode("utf-8"))


def poids_geojson(m: folium.Map) -> int:
    """Taille en octets (UTF-8) du JavaScript généré pour la carte, données GeoJSON comprises.

    C'est, à quelques centaines d'octets près, le `script` que streamlit-folium envoie au
    navigateur à chaque (re)chargement de la carte ; les données en font l'essentiel.
    """
    figure = m.get_root()
    figure.render()
    return len(figure.script.render().encode("utf-8"))


def poids_donnees(m: folium.Map) -> int:
    """Taille en octets (UTF-8) des seules données GeoJSON des `CoucheGeoJson` de la carte."""
    return sum(
        len(e.donnees_json.encode("utf-8"))
        for e in _parcourir(m)
        if isinstance(e, CoucheGeoJson)
    )


# --- Retour du clic ------------------------------------------------------------------------------


def code_depuis_retour(
    retour: Mapping[str, Any] | None, gdf: gpd.GeoDataFrame | None = None
) -> str | None:
    """Code du territoire cliqué, d'après le dictionnaire renvoyé par `st_folium`.

    Lit d'abord `last_active_drawing.properties.code` (l'entité cliquée d'une `CoucheGeoJson`) ;
    à défaut, si `gdf` est donné, cherche le polygone qui contient `last_object_clicked`
    (`{"lat": …, "lng": …}`, degrés).

    Parameters
    ----------
    retour : dict or None
        Valeur renvoyée par `st_folium` (None avant tout clic).
    gdf : GeoDataFrame, optional
        Territoires en EPSG:4326, index = code, pour le repli point-dans-polygone.

    Returns
    -------
    str or None
        Le code, ou None si rien n'a été cliqué ou si le clic est hors des territoires.
    """
    if not retour:
        return None
    entite = retour.get("last_active_drawing")
    if isinstance(entite, Mapping):
        code = (entite.get("properties") or {}).get("code")
        if code is not None:
            return str(code)
    point = retour.get("last_object_clicked") or retour.get("last_clicked")
    if gdf is not None and isinstance(point, Mapping) and {"lat", "lng"} <= point.keys():
        contient = gdf.geometry.intersects(shapely.Point(point["lng"], point["lat"]))
        codes = gdf.index[contient.to_numpy()]
        if len(codes):
            return str(codes[0])
    return None
