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
Les emprises sont en degrés (EPSG:4326), dans l'ordre de `GeoDataFrame.total_bounds` :
`(lon_min, lat_min, lon_max, lat_max)`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal

import branca.element
import folium
import folium.elements
import folium.map
import folium.utilities
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from coverage.documents.format import format_nombre
from coverage.modele import StatutCouverture

# --- Assets locaux -------------------------------------------------------------------------------

URL_ASSETS_LEAFLET = "/app/static/leaflet"
"""Où le navigateur trouve Leaflet : `static/leaflet/` de l'application, servi par Streamlit
(`server.enableStaticServing = true`) sous `/app/static/`. Chemin absolu sur le même hôte : aucune
requête ne sort vers internet."""

JS_LEAFLET: list[tuple[str, str]] = [("leaflet", f"{URL_ASSETS_LEAFLET}/leaflet.js")]
CSS_LEAFLET: list[tuple[str, str]] = [("leaflet_css", f"{URL_ASSETS_LEAFLET}/leaflet.css")]

# --- Couleurs (palette sobre, inspirée du système de design de l'État) ---------------------------

COULEURS_STATUT: dict[StatutCouverture, str] = {
    StatutCouverture.NON_COUVERT: "#CE0500",  # rouge « erreur »
    StatutCouverture.EXTENSION_SEULE: "#FC5D00",  # orange « avertissement »
    StatutCouverture.COUVERT: "#18753C",  # vert « succès »
}
PALETTE_SEQUENTIELLE: tuple[str, ...] = (
    "#E3E3FD",
    "#C1C1FB",
    "#9A9AF8",
    "#6A6AF4",
    "#3636C6",
    "#000091",  # bleu France
)
COULEUR_SANS_DONNEE = "#E5E5E5"
COULEUR_CONTOUR = "#666666"
COULEUR_SURVOL = "#000091"
COULEUR_FOND = "#F6F6F6"
LIBELLE_SANS_DONNEE = "Sans donnée"

# --- Emprises : métropole et départements d'outre-mer --------------------------------------------

Emprise = tuple[float, float, float, float]
"""(lon_min, lat_min, lon_max, lat_max) en degrés, EPSG:4326."""

EMPRISES: dict[str, Emprise] = {
    "metropole": (-5.3, 41.3, 9.7, 51.2),  # Ouessant à l'Alsace, Corse comprise
    "971": (-61.85, 15.82, -60.98, 16.53),  # Guadeloupe, Marie-Galante, Saintes, Désirade
    "972": (-61.24, 14.38, -60.80, 14.89),  # Martinique
    "973": (-54.61, 2.10, -51.60, 5.80),  # Guyane
    "974": (55.21, -21.40, 55.84, -20.86),  # La Réunion
    "976": (44.98, -13.02, 45.32, -12.62),  # Mayotte
}
LIBELLES_EMPRISES: dict[str, str] = {
    "metropole": "France métropolitaine",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}

Palette = Literal["categorie", "sequentielle"]


def categories_couverture() -> dict[str, tuple[str, str]]:
    """Couleur et libellé de chaque statut de couverture, pour `carte_choroplethe(categories=...)`.

    Returns
    -------
    dict
        `{valeur du statut: (couleur hexadécimale, libellé français)}`, dans l'ordre de
        l'énumération.
    """
    return {s.value: (COULEURS_STATUT[s], s.libelle) for s in StatutCouverture}


# --- Formatage des nombres -----------------------------------------------------------------------


def formater_nombre(valeurs: pd.Series, *, decimales: int = 0, unite: str = "") -> pd.Series:
    """Nombres au format français : `1 234,5` (espace insécable entre milliers, virgule décimale).

    Parameters
    ----------
    valeurs : pd.Series
        Nombres ; les valeurs manquantes donnent « Sans donnée ».
    decimales : int
        Nombre de décimales affichées.
    unite : str
        Suffixe ajouté après une espace insécable (`"€"`, `"ETP"`), vide par défaut.

    Returns
    -------
    pd.Series
        Chaînes, même index.

    Example
    -------
    >>> formater_nombre(pd.Series([1234.5]), decimales=1).tolist()
    ['1\\xa0234,5']
    """
    nombres = pd.to_numeric(valeurs, errors="coerce").astype("float64")
    suffixe = f"\u00a0{unite}" if unite else ""
    # Un seul format des nombres dans tout le produit : celui de coverage.documents.format.
    textes = nombres.map(lambda x: format_nombre(x, decimales=decimales) + suffixe, na_action="ignore")
    return textes.astype(object).where(nombres.notna(), LIBELLE_SANS_DONNEE)


# --- Éléments Leaflet maison ---------------------------------------------------------------------


def _json_pour_script(obj: Any) -> str:
    """JSON compact, sûr dans un `<script>` et inerte pour Jinja.

    Les `<`, `>`, `&` des chaînes sont échappés (`\\u003c`…). `{{`, `{%`, `{#` ne peuvent venir
    que d'une chaîne (en JSON, une accolade ouvrante est suivie d'une clé entre guillemets) : leur
    second caractère est échappé aussi (`{\\u007b`), folium et streamlit-folium passant le
    script dans des gabarits Jinja.
    """
    texte = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for brut, echappe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        texte = texte.replace(brut, echappe)
    for debut in ("{{", "{%", "{#"):
        texte = texte.replace(debut, "{" + f"\\u{ord(debut[1]):04x}")
    return texte


class _TexteBrut(branca.element.Element):
    """Texte déjà rendu, inséré tel quel (branca recompilerait sinon le script en gabarit Jinja)."""

    def __init__(self, texte: str):
        super().__init__()
        self.texte = texte

    def render(self, **kwargs) -> str:
        return self.texte


class CoucheGeoJson(folium.map.Layer):
    """Couche GeoJSON compacte : une couleur par classe, survol, infobulle, propriété `code`.

    Chaque entité porte les propriétés `code` (le code officiel, renvoyé au clic), `s` (indice
    du style dans `styles`) et, si `etiquettes` est donné, `v` (les textes de l'infobulle, déjà
    formatés, le premier servant de titre). Pas de dépendance JS/CSS autre que Leaflet.

    Parameters
    ----------
    donnees : dict
        FeatureCollection GeoJSON (EPSG:4326) aux propriétés `code`, `s` et éventuellement `v`.
    styles : list of dict
        Styles de chemin Leaflet (`fillColor`, `fillOpacity`, `color`, `weight`, `opacity`,
        `fill`), indexés par la propriété `s`.
    etiquettes : list of str, optional
        Libellés des lignes de l'infobulle (le premier, celui du titre, n'est pas affiché).
    interactive : bool
        `False` pour une couche de contours qui laisse passer clics et survols.
    survol : bool
        Surligne l'entité survolée (contour épais bleu France).
    emprise : Emprise, optional
        `(lon_min, lat_min, lon_max, lat_max)` des données, si connue (évite de parcourir les
        coordonnées en Python quand streamlit-folium demande l'emprise de la carte).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_styles = {{ this.styles_json }};
        var {{ this.get_name() }} = L.geoJson(null, {
            interactive: {{ this.interactive|tojson }},
            {%- if this.attribution %}
            attribution: {{ this.attribution|tojson }},
            {%- endif %}
            style: function (f) { return {{ this.get_name() }}_styles[f.properties.s]; },
            onEachFeature: function (f, l) {
                {%- if this.survol %}
                l.on({
                    mouseover: function (e) {
                        e.target.setStyle({{ this.style_survol_json }});
                        e.target.bringToFront();
                    },
                    mouseout: function (e) {
                        {{ this.get_name() }}.resetStyle(e.target);
                        e.target.bringToBack();
                    }
                });
                {%- endif %}
            }
        });
        {%- if this.etiquettes %}
        var {{ this.get_name() }}_etiquettes = {{ this.etiquettes_json }};
        {{ this.get_name() }}.bindTooltip(function (l) {
            var v = l.feature.properties.v, d = L.DomUtil.create("div", "infobulle-carte");
            L.DomUtil.create("strong", "", d).textContent = v[0];
            for (var i = 1; i < v.length; i++) {
                L.DomUtil.create("div", "", d).textContent =
                    {{ this.get_name() }}_etiquettes[i] + "\\u00a0: " + v[i];
            }
            return d;
        }, {sticky: true});
        {%- endif %}
        {{ this.get_name() }}.addData({{ this.donnees_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        donnees: dict,
        *,
        styles: Sequence[Mapping[str, Any]],
        etiquettes: Sequence[str] | None = None,
        nom: str | None = None,
        interactive: bool = True,
        survol: bool = True,
        attribution: str | None = None,
        show: bool = True,
        emprise: Emprise | None = None,
    ):
        super().__init__(name=nom, overlay=True, control=True, show=show)
        self.emprise = emprise
        self._name = "CoucheGeoJson"
        self.donnees = donnees
        # Sérialisé une fois : folium puis streamlit-folium rendent chacun le script de la couche.
        self.donnees_json = _json_pour_script(donnees)
        self.styles = [dict(s) for s in styles]
        self.etiquettes = list(etiquettes) if etiquettes else None
        self.interactive = interactive
        self.survol = survol and interactive
        self.attribution = attribution

    def render(self, **kwargs) -> None:
        """Comme `Layer.render`, sans recompiler le script (≈ 1 Mo de données) en gabarit Jinja.

        `MacroElement.render` de branca enveloppe le script rendu dans un `Element(gabarit)` qui
        le relit avec Jinja : pour la couche nationale des EPCI, 0,4 s par rendu et un risque
        d'interprétation des données. Ici le script est inséré comme texte brut.
        """
        figure = self.get_root()
        if not isinstance(figure, branca.element.Figure):
            raise TypeError("CoucheGeoJson doit être ajoutée à une carte avant d'être rendue.")
        if self.show:
            self.add_child(
                folium.elements.ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        figure.script.add_child(
            _TexteBrut(self._template.module.script(self, kwargs)), name=self.get_name()
        )
        for enfant in self._children.values():
            enfant.render(**kwargs)

    @property
    def styles_json(self) -> str:
        return _json_pour_script(self.styles)

    @property
    def etiquettes_json(self) -> str:
        return _json_pour_script(self.etiquettes)

    @property
    def style_survol_json(self) -> str:
        return _json_pour_script({"color": COULEUR_SURVOL, "weight": 3, "opacity": 1})

    def _get_self_bounds(self) -> list[list[float | None]]:
        """Emprise [[lat_min, lon_min], [lat_max, lon_max]] (utilisée par `Map.get_bounds`)."""
        if self.emprise is None:
            return folium.utilities.get_bounds(self.donnees, lonlat=True)
        lon_min, lat_min, lon_max, lat_max = self.emprise
        return [[lat_min, lon_min], [lat_max, lon_max]]


class Legende(branca.element.MacroElement):
    """Légende HTML en contrôle Leaflet (coin de la carte), sans dépendance externe.

    Parameters
    ----------
    titre : str
        Titre de la légende (libellé de l'indicateur).
    lignes : list of (couleur, libellé)
        Une case de couleur et son texte par classe.
    position : str
        Coin Leaflet : `bottomleft` (la mer, en métropole), `bottomright`, `topleft`, `topright`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "legende-carte");
            div.innerHTML = {{ this.html_json }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, *, titre: str, lignes: Sequence[tuple[str, str]], position: str = "bottomleft"
    ):
        super().__init__()
        self._name = "Legende"
        self.titre = titre
        self.lignes = list(lignes)
        self.position = position

    @property
    def html(self) -> str:
        cases = "".join(
            '<div style="display:flex;align-items:center;gap:6px;margin-top:3px">'
            f'<span style="display:inline-block;width:14px;height:14px;background:{couleur};'
            f'border:1px solid {COULEUR_CONTOUR}"></span><span>{html.escape(texte)}</span></div>'
            for couleur, texte in self.lignes
        )
        return (
            '<div style="background:#FFFFFF;padding:6px 10px;border-radius:4px;'
            "box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.3 Marianne,Arial,sans-serif;"
            'color:#161616;max-width:260px">'
            f"<strong>{html.escape(self.titre)}</strong>{cases}</div>"
        )

    @property
    def html_json(self) -> str:
        return _json_pour_script(self.html)


class _Habillage(branca.element.MacroElement):
    """Fond uni du conteneur (quand il n'y a pas de tuiles) et échelle métrique."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.couleur %}
        {{ this._parent.get_name() }}.getContainer().style.background = {{ this.couleur|tojson }};
        {%- endif %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, couleur: str | None):
        super().__init__()
        self._name = "Habillage"
        self.couleur = couleur


# --- Préparation des données ---------------------------------------------------------------------


def _check_gdf(
    gdf: gpd.GeoDataFrame, colonnes: Sequence[str], *, choroplethe: bool = True
) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"`gdf` doit être un GeoDataFrame, reçu {type(gdf).__name__}.")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
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


def _classer_categories(
    valeurs: pd.Series, categories: Mapping[Hashable, tuple[str, str]]
) -> tuple[np.ndarray, list[tuple[str, str]], pd.Series]:
    """Indice de style, lignes de légende et libellé de chaque entité (palette « categorie »)."""
    connues = valeurs.isna() | valeurs.isin(list(categories))
    if not connues.all():
        inconnues = valeurs[~connues].unique()[:5].tolist()
        raise ValueError(
            f"Valeurs sans couleur dans `categories` : {inconnues} "
            f"(attendu : {list(categories)} ou valeur manquante)."
        )
    cles = list(categories)
    indices = pd.Series(range(len(cles)), index=pd.Index(cles, dtype=object))
    classes = (
        valeurs.astype(object).map(indices).fillna(len(cles)).to_numpy(dtype=int)
    )  # la dernière classe : sans donnée
    effectifs = np.bincount(classes, minlength=len(cles) + 1)
    lignes = [
        (couleur, f"{libelle} ({effectifs[i]})")
        for i, (couleur, libelle) in enumerate(categories.values())
    ]
    if effectifs[-1]:
        lignes.append((COULEUR_SANS_DONNEE, f"{LIBELLE_SANS_DONNEE} ({effectifs[-1]})"))
    libelles = pd.Series([lib for _, lib in categories.values()] + [LIBELLE_SANS_DONNEE])
    textes = pd.Series(libelles.to_numpy()[classes], index=valeurs.index, dtype=object)
    return classes, lignes, textes


def bornes_quantiles(valeurs: pd.Series, *, nb_classes: int = 5) -> list[float]:
    """Seuils entre classes d'effectifs voisins (quantiles arrondis à 2 chiffres significatifs).

    Parameters
    ----------
    valeurs : pd.Series
        Valeurs de l'indicateur (les manquantes sont ignorées).
    nb_classes : int
        Nombre de classes voulu (au plus `len(PALETTE_SEQUENTIELLE)`).

    Returns
    -------
    list of float
        Au plus `nb_classes - 1` seuils croissants, sans doublon.
    """
    v = pd.to_numeric(valeurs, errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return []
    q = np.quantile(v, np.linspace(0, 1, nb_classes + 1)[1:-1])
    ordre = np.floor(np.log10(np.where(q == 0, 1, np.abs(q))))
    pas = 10.0 ** (ordre - 1)
    arrondis = np.round(q / pas) * pas
    seuils = np.unique(arrondis)
    return [float(s) for s in seuils if v.min() < s <= v.max()]


def _classer_sequentiel(
    valeurs: pd.Series, bornes: Sequence[float], *, decimales: int, unite: str
) -> tuple[np.ndarray, list[str], list[tuple[str, str]]]:
    """Indice de classe (seuils `bornes`), couleurs, lignes de légende (palette séquentielle)."""
    seuils = np.asarray(bornes, dtype=float)
    if seuils.size and np.any(np.diff(seuils) <= 0):
        raise ValueError(f"`bornes` doit être strictement croissant, reçu {list(bornes)}.")
    nb = seuils.size + 1
    if nb > len(PALETTE_SEQUENTIELLE):
        raise ValueError(
            f"Trop de classes : {nb} (au plus {len(PALETTE_SEQUENTIELLE)}, soit "
            f"{len(PALETTE_SEQUENTIELLE) - 1} bornes)."
        )
    rangs = np.round(np.linspace(0, len(PALETTE_SEQUENTIELLE) - 1, nb)).astype(int)
    couleurs = [PALETTE_SEQUENTIELLE[i] for i in rangs] if nb > 1 else [PALETTE_SEQUENTIELLE[-1]]
    nombres = pd.to_numeric(valeurs, errors="coerce").astype("float64")
    classes = np.where(nombres.isna(), nb, np.digitize(nombres.fillna(0.0), seuils))
    decimales_seuils = 0 if np.all(seuils % 1 == 0) else decimales
    textes = formater_nombre(pd.Series(seuils), decimales=decimales_seuils, unite=unite).tolist()
    if nb == 1:
        libelles = ["Toutes valeurs"]
    else:
        libelles = (
            [f"moins de {textes[0]}"]
            + [f"de {a} à moins de {b}" for a, b in zip(textes[:-1], textes[1:])]
            + [f"{textes[-1]} et plus"]
        )
    effectifs = np.bincount(classes, minlength=nb + 1)
    lignes = [
        (c, f"{lib} ({effectifs[i]})") for i, (c, lib) in enumerate(zip(couleurs, libelles))
    ]
    if effectifs[-1]:
        lignes.append((COULEUR_SANS_DONNEE, f"{LIBELLE_SANS_DONNEE} ({effectifs[-1]})"))
    return classes, couleurs + [COULEUR_SANS_DONNEE], lignes


def _styles(couleurs: Sequence[str], *, opacite: float) -> list[dict[str, Any]]:
    return [
        {
            "fillColor": c,
            "fillOpacity": opacite,
            "color": COULEUR_CONTOUR,
            "weight": 0.6,
            "opacity": 0.9,
        }
        for c in couleurs
    ]


def _emprise(gdf: gpd.GeoDataFrame) -> Emprise:
    return tuple(float(x) for x in gdf.total_bounds)  # type: ignore[return-value]


def emprise_par_defaut(gdf: gpd.GeoDataFrame) -> Emprise:
    """Emprise à cadrer : la métropole si des entités y sont, sinon l'ensemble des entités.

    Une couche nationale (métropole et DROM) s'ouvre ainsi sur la métropole, une couche d'un DROM
    sur ce DROM. Emprise en degrés (EPSG:4326), ordre `(lon_min, lat_min, lon_max, lat_max)`.
    """
    points = gdf.geometry.representative_point()
    en_metropole = points.within(shapely.box(*EMPRISES["metropole"]))
    return _emprise(gdf[en_metropole] if en_metropole.any() else gdf)


def vue_emprise(
    emprise: Emprise, *, largeur: int, hauteur: int, pas_zoom: float = 0.25
) -> tuple[tuple[float, float], float]:
    """Centre et niveau de zoom Leaflet (Web Mercator) qui font tenir `emprise` dans la carte.

    Même calcul que `map.fitBounds` de Leaflet, fait côté Python : streamlit-folium applique un
    centre et un zoom sans recharger la carte, alors qu'un nouveau `fitBounds` la recrée.

    Parameters
    ----------
    emprise : Emprise
        `(lon_min, lat_min, lon_max, lat_max)` en degrés (EPSG:4326).
    largeur, hauteur : int
        Taille de la carte en pixels (la largeur réelle, qui suit la page, peut être estimée).
    pas_zoom : float
        Pas des niveaux de zoom (`zoomSnap` de la carte, 0,25 dans `carte_vierge`).

    Returns
    -------
    ((lat, lon), zoom)
        Centre en degrés, zoom arrondi au pas inférieur.

    Example
    -------
    >>> vue_emprise((-180, -85.0511, 180, 85.0511), largeur=256, hauteur=256)
    ((0.0, 0.0), 0.0)
    """
    lon_min, lat_min, lon_max, lat_max = emprise

    def y_mercator(lat: float) -> float:  # 0 au nord, 1 au sud (tuile 0 de 256 px)
        phi = np.radians(lat)
        return (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / np.pi) / 2

    dx = (lon_max - lon_min) / 360
    y_haut, y_bas = y_mercator(lat_max), y_mercator(lat_min)
    echelle = min(largeur / (256 * dx), hauteur / (256 * (y_bas - y_haut)))
    zoom = float(np.floor(np.log2(echelle) / pas_zoom + 1e-9) * pas_zoom)
    y_centre = (y_haut + y_bas) / 2
    lat_centre = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y_centre)))))
    return (round(lat_centre, 6), round((lon_min + lon_max) / 2, 6)), zoom


def emprise_du_code(code: str) -> Emprise | None:
    """Emprise d'un DROM (`"971"`…`"976"`) ou de la métropole (`"metropole"`), `None` sinon."""
    return EMPRISES.get(code)


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


# --- La carte ------------------------------------------------------------------------------------


def carte_vierge(
    *,
    cadrage: Emprise,
    hauteur: int = 600,
    tuiles: str | None = None,
    attribution_tuiles: str | None = None,
) -> folium.Map:
    """Carte Leaflet sans aucune ressource externe, cadrée sur `cadrage`.

    Parameters
    ----------
    cadrage : Emprise
        `(lon_min, lat_min, lon_max, lat_max)` en degrés (EPSG:4326).
    hauteur : int
        Hauteur en pixels.
    tuiles : str, optional
        URL de tuiles `…/{z}/{x}/{y}.png` d'un serveur joignable ; aucune par défaut (fond uni).
    attribution_tuiles : str, optional
        Mention de la source des tuiles (obligatoire si `tuiles`).
    """
    lon_min, lat_min, lon_max, lat_max = cadrage
    m = folium.Map(
        location=[(lat_min + lat_max) / 2, (lon_min + lon_max) / 2],
        zoom_start=5,
        tiles=None,
        height=hauteur,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # Seul Leaflet est nécessaire, servi par l'application : pas de jQuery, Bootstrap, CDN.
    m.default_js = list(JS_LEAFLET)
    m.default_css = list(CSS_LEAFLET)
    if tuiles:
        if not attribution_tuiles:
            raise ValueError("`attribution_tuiles` est obligatoire quand `tuiles` est donné.")
        folium.TileLayer(tiles=tuiles, attr=attribution_tuiles, name="Fond de carte").add_to(m)
    _Habillage(None if tuiles else COULEUR_FOND).add_to(m)
    m.fit_bounds([[lat_min, lon_min], [lat_max, lon_max]])
    return m


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
    champs = (
        list(champs_infobulle)
        if champs_infobulle is not None
        else ([("population", "Population")] if "population" in gdf.columns else [])
    )
    champs = [(c, lib) for c, lib in champs if c != colonne]  # l'indicateur a sa propre ligne
    _check_gdf(gdf, ["nom", colonne, *[c for c, _ in champs]])
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

    infobulles = pd.DataFrame(
        {
            "nom": gdf["nom"].astype(str),
            "code": gdf.index.astype(str).to_numpy(dtype=object),
            **{f"champ_{i}": _texte_infobulle(gdf[c]) for i, (c, _) in enumerate(champs)},
            "indicateur": texte_indicateur,
        },
        index=gdf.index,
    )
    etiquettes = ["Nom", "Code", *[lib for _, lib in champs], libelle]
    donnees = geojson_compact(
        gdf, classes=classes, infobulles=infobulles, decimales_coordonnees=decimales_coordonnees
    )
    m = carte_vierge(
        cadrage=cadrage if cadrage is not None else emprise_par_defaut(gdf),
        hauteur=hauteur,
        tuiles=tuiles,
        attribution_tuiles=attribution_tuiles,
    )
    CoucheGeoJson(
        donnees,
        styles=_styles(couleurs, opacite=opacite if opacite is not None else (0.6 if tuiles else 0.85)),
        etiquettes=etiquettes,
        nom=libelle,
        attribution=attribution,
        emprise=_emprise(gdf),
    ).add_to(m)
    for couche in couches_dessus:
        couche.add_to(m)
    Legende(titre=libelle, lignes=lignes).add_to(m)
    externes = liens_externes(m)
    if externes:
        raise ValueError(
            "La carte chargerait des ressources depuis internet (interdit : réseau fermé) : "
            f"{externes}. N'utiliser que des éléments sans dépendance JS/CSS externe."
        )
    return m


def _texte_infobulle(serie: pd.Series) -> pd.Series:
    """Nombres formatés à la française (entiers sans décimale, sinon une), textes tels quels."""
    if pd.api.types.is_numeric_dtype(serie) and not pd.api.types.is_bool_dtype(serie):
        entiers = bool((serie.dropna() % 1 == 0).all())
        return formater_nombre(serie, decimales=0 if entiers else 1)
    return serie.astype(object).where(serie.notna(), LIBELLE_SANS_DONNEE).astype(str)


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
