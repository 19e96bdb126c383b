"""Éléments Leaflet maison, sans aucune ressource externe : couche GeoJSON, légende, carte vierge.

Seuls `leaflet.js` et `leaflet.css`, servis par l'application (`/app/static/leaflet/`), sont
déclarés ; aucun script n'est recompilé en gabarit Jinja et tout texte est échappé.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import branca.element
import folium
import folium.elements
import folium.map
import folium.utilities
from folium.template import Template

from geo.carte_cadrage import Emprise
from geo.carte_classes import COULEUR_CONTOUR, COULEUR_FOND, COULEUR_SURVOL

# --- Assets locaux -------------------------------------------------------------------------------

URL_ASSETS_LEAFLET = "/app/static/leaflet"
"""Où le navigateur trouve Leaflet : `static/leaflet/` de l'application, servi par Streamlit
(`server.enableStaticServing = true`) sous `/app/static/`. Chemin absolu sur le même hôte : aucune
requête ne sort vers internet."""

JS_LEAFLET: list[tuple[str, str]] = [("leaflet", f"{URL_ASSETS_LEAFLET}/leaflet.js")]
CSS_LEAFLET: list[tuple[str, str]] = [("leaflet_css", f"{URL_ASSETS_LEAFLET}/leaflet.css")]

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
        if (!document.getElementById("habillage-cartes")) {
            // La source (en bas à droite) passe à la ligne dans la moitié droite de la carte : sur une
            // carte étroite (Comité, 1 366 px), elle ne recouvre plus la légende en bas à gauche.
            var styleCartes = document.createElement("style");
            styleCartes.id = "habillage-cartes";
            styleCartes.textContent = ".leaflet-control-attribution{font-size:10px;line-height:1.25}"
                + ".leaflet-right .leaflet-control-attribution{max-width:48%;white-space:normal;text-align:right}"
                + ".leaflet-left .leaflet-control-attribution{max-width:calc(100% - 20px);white-space:normal}";
            document.head.appendChild(styleCartes);
        }
        // Carte étroite : la source rejoint la légende dans le coin bas gauche, empilée au-dessus d'elle.
        if ({{ this._parent.get_name() }}.getSize().x < 640 && {{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPosition("bottomleft");
        }
        {% endmacro %}
        """
    )

    def __init__(self, couleur: str | None):
        super().__init__()
        self._name = "Habillage"
        self.couleur = couleur


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


