"""Cartes dont les contours viennent de fichiers statiques : à chaque exécution, les valeurs seules.

Une carte se compose de deux parties, que `ui.carte.afficher_carte` passe à streamlit-folium :

- la **base** (`carte_base`) : une carte Leaflet vide, cadrée sur la métropole, qui déclare
  `leaflet.js` et `carte_valeurs.js` (servis par l'application). Elle est identique d'une
  exécution à l'autre et d'une vue à l'autre : streamlit-folium ne la recrée pas, la vue
  (déplacement, zoom) est conservée ;
- des **couches** (`couche_valeurs`, `couche_contours_url`), envoyées par `feature_group_to_add` :
  les URL des fichiers de géométries (`geo.geometries_web`) et, pour chaque code de territoire,
  l'indice de sa couleur et les textes de son infobulle, plus la légende. Quelques dizaines de Ko
  pour les 1 255 EPCI, au lieu de 1,4 Mo de GeoJSON à chaque exécution.

Le navigateur télécharge chaque fichier de géométries une fois par onglet (`geo/js/carte_valeurs.js`).
Aucune fonction de ce module n'importe streamlit.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template

from geo.carte import Classement, _styles, classer_indicateur, geojson_compact, verifier_hors_ligne
from geo.carte_cadrage import EMPRISES, Emprise
from geo.carte_classes import Palette
from geo.carte_leaflet import CoucheGeoJson, Legende, _json_pour_script, carte_vierge

FICHIER_JS = Path(__file__).with_name("js") / "carte_valeurs.js"
URL_JS = "/app/static/cartes/carte_valeurs.js"
SEUIL_CANVAS = 5_000
"""Au-delà de ce nombre de territoires, les polygones sont peints sur un canvas (plus rapide que
SVG pour les 34 875 communes)."""
MAX_MODALITES = 64
"""Une colonne d'infobulle qui a au plus ce nombre de textes distincts est envoyée en dictionnaire."""


@functools.cache
def url_js() -> str:
    """URL de `carte_valeurs.js`, suivie de l'empreinte du fichier (le navigateur recharge une version modifiée)."""
    return f"{URL_JS}?v={hashlib.sha256(FICHIER_JS.read_bytes()).hexdigest()[:12]}"


class CoucheValeurs(CoucheGeoJson):
    """Couche Leaflet `L.CoucheValeurs` : géométries par URL, une classe et une infobulle par code.

    Parameters
    ----------
    options : dict
        Options de `L.coucheValeurs` (voir `geo/js/carte_valeurs.js`) : `geometries` (URL),
        `valeurs` (`{"codes", "s", "colonnes"}`) ou `codes` (territoires à dessiner, tous si None),
        `styles`, `etiquettes`, `legende` (`{"html", "position"}`), `survol`, `interactive`,
        `canvas`, `contours`, `attribution`.
    nom : str
        Nom de la couche.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.coucheValeurs({{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(self, options: Mapping[str, Any], *, nom: str | None = None, emprise: Emprise | None = None,
                 legende: Legende | None = None):
        super().__init__({"type": "FeatureCollection", "features": []}, styles=options.get("styles", []),
                         nom=nom, emprise=emprise or EMPRISES["metropole"])
        self._name = "CoucheValeurs"
        self.nom = nom
        self.legende = legende
        self.options_valeurs = dict(options)
        self.options_json = _json_pour_script(self.options_valeurs)
        self.donnees_json = self.options_json  # ce qui part vers le navigateur (poids_donnees)


def carte_base(*, hauteur: int = 600, tuiles: str | None = None, attribution_tuiles: str | None = None) -> folium.Map:
    """Carte vide et stable qui sait dessiner les `CoucheValeurs` (Leaflet et `carte_valeurs.js` locaux).

    Toujours cadrée sur la métropole : le cadrage d'une vue passe par `afficher_carte(cadrage=…)`,
    qui recentre la carte sans la recréer.
    """
    m = carte_vierge(cadrage=EMPRISES["metropole"], hauteur=hauteur, tuiles=tuiles, attribution_tuiles=attribution_tuiles)
    m.default_js = [*m.default_js, ("carte_valeurs", url_js())]
    verifier_hors_ligne(m)
    return m


def colonnes_compactes(infobulles: pd.DataFrame) -> list[Any]:
    """Textes d'infobulle, colonne par colonne ; une colonne aux textes peu variés part en dictionnaire.

    Example
    -------
    >>> colonnes_compactes(pd.DataFrame({"a": ["x", "y", "x"], "b": ["1", "2", "3"]}))[0]
    {'d': ['x', 'y'], 'i': [0, 1, 0]}
    """
    colonnes: list[Any] = []
    for nom in infobulles.columns:
        textes = infobulles[nom].astype(str)
        indices, modalites = pd.factorize(textes, sort=False)
        if len(modalites) <= MAX_MODALITES and len(modalites) < len(textes):
            colonnes.append({"d": list(modalites), "i": indices.tolist()})
        else:
            colonnes.append(textes.tolist())
    return colonnes


def options_valeurs(classement: Classement, *, geometries: Sequence[str], opacite: float, libelle: str,
                    attribution: str | None = None, legende: bool = True) -> dict[str, Any]:
    """Options de `L.coucheValeurs` pour un indicateur classé (sans le nom ni le code, lus dans les fichiers)."""
    infobulles = classement.infobulles.drop(columns=["nom", "code"])
    codes = classement.infobulles.index.astype(str).tolist()
    styles = _styles(classement.couleurs, opacite=opacite)  # limites fines quand les territoires sont très nombreux
    return {
        "geometries": list(geometries),
        "valeurs": {"codes": codes, "s": np.asarray(classement.classes, dtype=int).tolist(),
                    "colonnes": colonnes_compactes(infobulles)},
        "styles": styles if len(codes) <= SEUIL_CANVAS else [{**s, "weight": 0.2, "opacity": 0.6} for s in styles],
        "etiquettes": classement.etiquettes[2:],
        "legende": {"html": Legende(titre=libelle, lignes=classement.lignes).html, "position": "bottomleft"}
        if legende else None,
        "canvas": len(codes) > SEUIL_CANVAS,
        "attribution": attribution,
    }


def couche_valeurs(
    table: pd.DataFrame,
    *,
    geometries: Sequence[str],
    colonne: str,
    libelle: str,
    palette: Palette,
    categories: Mapping[Hashable, tuple[str, str]] | None = None,
    champs_infobulle: Sequence[tuple[str, str]] | None = None,
    bornes: Sequence[float] | None = None,
    decimales: int = 0,
    unite: str = "",
    opacite: float = 0.85,
    attribution: str | None = None,
    legende: bool = True,
) -> CoucheValeurs:
    """Couche choroplèthe d'un indicateur, dont les contours viennent des fichiers `geometries`.

    Mêmes classes, couleurs, légende et infobulles que `geo.carte.carte_choroplethe`.

    Parameters
    ----------
    table : DataFrame
        Index = code officiel (chaîne) ; colonnes `nom`, `colonne` et celles de `champs_infobulle`.
        Seuls les territoires de la table sont dessinés (une carte départementale ne dessine que
        ses communes, même si le fichier en contient davantage).
    geometries : list of str
        URL des fichiers de géométries (`geo.geometries_web`), par exemple celle des EPCI.
    colonne, libelle, palette, categories, champs_infobulle, bornes, decimales, unite
        Comme `carte_choroplethe`.
    opacite : float
        Opacité du remplissage (0,85 sans tuiles, 0,6 avec).
    attribution : str, optional
        Source des contours, affichée en bas de carte.
    legende : bool
        Ajoute la légende (coin bas gauche) ; elle disparaît avec la couche.
    """
    classement = classer_indicateur(
        table, colonne=colonne, libelle=libelle, palette=palette, categories=categories,
        champs_infobulle=champs_infobulle, bornes=bornes, decimales=decimales, unite=unite, exiger_geometrie=False,
    )
    options = options_valeurs(classement, geometries=geometries, opacite=opacite, libelle=libelle,
                              attribution=attribution, legende=legende)
    return CoucheValeurs(options, nom=libelle, legende=Legende(titre=libelle, lignes=classement.lignes) if legende else None)


def couche_contours_url(
    geometries: Sequence[str],
    *,
    nom: str,
    codes: Sequence[str] | None = None,
    couleur: str = "#161616",
    epaisseur: float = 1.0,
    tirets: str | None = None,
) -> CoucheValeurs:
    """Contours non interactifs lus dans des fichiers de géométries (départements, EPCI, mise en évidence).

    Parameters
    ----------
    geometries : list of str
        URL des fichiers de géométries.
    nom : str
        Nom de la couche.
    codes : list of str, optional
        Territoires à tracer (tous ceux des fichiers si None), par exemple le territoire choisi.
    couleur, epaisseur, tirets
        Style du trait (voir `geo.carte.couche_contours`).
    """
    style: dict[str, Any] = {"fill": False, "color": couleur, "weight": epaisseur, "opacity": 1}
    if tirets:
        style["dashArray"] = tirets
    options = {"geometries": list(geometries), "codes": None if codes is None else [str(c) for c in codes],
               "styles": [style], "interactive": False, "survol": False, "contours": True}
    return CoucheValeurs(options, nom=nom)


def niveau_du_fichier(url: str) -> str:
    """Niveau d'un fichier de géométries d'après son nom (`…/commune-59.<empreinte>.json` → `commune`)."""
    return url.rsplit("/", 1)[-1].split(".", 1)[0].split("-", 1)[0]


def couche_integree(couche: CoucheValeurs, geometries: gpd.GeoDataFrame) -> list[folium.map.Layer | Legende]:
    """La même couche, géométries comprises, comme les cartes l'envoyaient avant (mesures comparées).

    Sert de base de comparaison au banc d'essai (`bench/bench_cartes_navigateur.py`, variable
    `CARTES_GEOMETRIES=integrees`) : GeoJSON compact dans le script de la carte, renvoyé à chaque
    exécution.
    """
    o = couche.options_valeurs
    valeurs = o.get("valeurs")
    if valeurs is None:
        codes = o.get("codes")
        partie = geometries if codes is None else geometries.loc[geometries.index.intersection(codes)]
        return [CoucheGeoJson(geojson_compact(partie), styles=o["styles"], nom=couche.nom, interactive=False,
                              survol=False, emprise=tuple(float(x) for x in partie.total_bounds))]
    codes = pd.Index(valeurs["codes"])
    present = codes.isin(geometries.index)
    textes = {"nom": geometries["nom"].reindex(codes).astype(str), "code": pd.Series(codes, index=codes)}
    for j, c in enumerate(valeurs["colonnes"]):
        textes[f"c{j}"] = pd.Series(c if isinstance(c, list) else [c["d"][i] for i in c["i"]], index=codes)
    infobulles = pd.DataFrame(textes, index=codes)[present]
    donnees = geojson_compact(geometries.loc[codes[present]], classes=np.asarray(valeurs["s"])[present],
                              infobulles=infobulles)
    resultat: list[folium.map.Layer | Legende] = [
        CoucheGeoJson(donnees, styles=o["styles"], etiquettes=["Nom", "Code", *o["etiquettes"]], nom=couche.nom,
                      attribution=o.get("attribution"),
                      emprise=tuple(float(x) for x in geometries.loc[codes[present]].total_bounds))
    ]
    if couche.legende is not None:
        resultat.append(couche.legende)
    return resultat
