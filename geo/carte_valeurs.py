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
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template

from geo.carte import Classement, _styles, classer_indicateur, geojson_compact, verifier_hors_ligne
from geo.carte_cadrage import EMPRISES, Emprise
from geo.carte_classes import LIBELLE_SANS_DONNEE, Palette, formater_nombre
from geo.carte_leaflet import CoucheGeoJson, Legende, _json_pour_script, carte_vierge

FICHIER_JS = Path(__file__).with_name("js") / "carte_valeurs.js"
URL_JS = "/app/static/cartes/carte_valeurs.js"
SEUIL_CANVAS = 5_000
"""Au-delà de ce nombre de territoires, les polygones sont peints sur un canvas (plus rapide que
SVG pour les 34 875 communes)."""
MAX_MODALITES = 64
"""Une colonne d'infobulle qui a au plus ce nombre de textes distincts est envoyée en dictionnaire."""
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
"""Un indice de 0 à 63 (classe de couleur, texte d'un dictionnaire) s'envoie en un caractère."""
ABSENT = "~"
"""Classe d'un territoire du fichier de géométries que la couche ne dessine pas."""
_NOMBRE_FRANCAIS = r"-?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?"
"""Texte d'un nombre écrit par `formater_nombre` (milliers séparés par une espace insécable)."""
_MAX_ENTIER_JS = 2**53


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

    def __init__(self, options: Mapping[str, Any] | Callable[[], Mapping[str, Any]], *, nom: str | None = None,
                 emprise: Emprise | None = None, legende: Legende | None = None,
                 styles: Sequence[Mapping[str, Any]] | None = None):
        # `options` peut être une fonction : les valeurs ne sont mises en forme que si la couche part
        # vers le navigateur (une couche réalignée sur son fichier remplace celle d'origine).
        self._options, self._options_calculees, self._json = options, None, None
        if styles is None:
            styles = self.options_valeurs.get("styles", [])
        super().__init__({"type": "FeatureCollection", "features": []}, styles=styles,
                         nom=nom, emprise=emprise or EMPRISES["metropole"])
        self._name = "CoucheValeurs"
        self.nom = nom
        self.legende = legende

    @property
    def options_valeurs(self) -> dict[str, Any]:
        if self._options_calculees is None:
            self._options_calculees = dict(self._options() if callable(self._options) else self._options)
        return self._options_calculees

    @property
    def options_json(self) -> str:
        if self._json is None:
            self._json = _json_pour_script(self.options_valeurs)
        return self._json

    @property
    def donnees_json(self) -> str:
        """Ce qui part vers le navigateur (`geo.carte.poids_donnees`)."""
        return self.options_json

    @donnees_json.setter
    def donnees_json(self, _valeur: str) -> None:
        pass  # `CoucheGeoJson.__init__` sérialise ses données (vides ici) : les options en tiennent lieu


def carte_base(*, hauteur: int = 600, tuiles: str | None = None, attribution_tuiles: str | None = None) -> folium.Map:
    """Carte vide et stable qui sait dessiner les `CoucheValeurs` (Leaflet et `carte_valeurs.js` locaux).

    Toujours cadrée sur la métropole : le cadrage d'une vue passe par `afficher_carte(cadrage=…)`,
    qui recentre la carte sans la recréer.
    """
    m = carte_vierge(cadrage=EMPRISES["metropole"], hauteur=hauteur, tuiles=tuiles, attribution_tuiles=attribution_tuiles)
    m.default_js = [*m.default_js, ("carte_valeurs", url_js())]
    verifier_hors_ligne(m)
    return m


def en_caracteres(indices: np.ndarray, *, absents: np.ndarray | None = None) -> str:
    """Indices de 0 à 63 en une chaîne d'un caractère par territoire (`ALPHABET`, `ABSENT` si absent).

    Trois fois moins d'octets qu'une liste JSON d'entiers pour les 34 875 communes.

    Example
    -------
    >>> en_caracteres(np.array([0, 10, 63]))
    '0A_'
    """
    caracteres = np.frombuffer(ALPHABET.encode("ascii"), dtype="S1")[np.asarray(indices, dtype=int)]
    if absents is not None:
        caracteres = np.where(absents, ABSENT.encode("ascii"), caracteres)
    return caracteres.tobytes().decode("ascii")


def _nombres_entiers(textes: pd.Series) -> dict[str, Any] | None:
    """Textes de nombres français (`1\u00a0234,5`, « Sans donnée ») → entiers et décimales, si tous le sont.

    Le navigateur réécrit exactement le même texte (`nombre` dans `geo/js/carte_valeurs.js`) : les
    entiers viennent du texte formaté ici, pas d'un second arrondi.
    """
    presents = textes != LIBELLE_SANS_DONNEE
    valeurs = textes[presents]
    if valeurs.empty:
        return None
    morceaux = valeurs.str.fullmatch(_NOMBRE_FRANCAIS)
    if not morceaux.all():
        return None
    fractions = valeurs.str.partition(",")[2].str.len()
    if fractions.nunique() != 1:
        return None
    entiers = pd.to_numeric(valeurs.str.replace("\u00a0", "", regex=False).str.replace(",", "", regex=False))
    return _en_entiers(presents.to_numpy(), entiers.to_numpy(dtype="float64"), int(fractions.iloc[0]))


def _en_entiers(presents: np.ndarray, entiers: np.ndarray, decimales: int) -> dict[str, Any] | None:
    """`{"n": entiers (None si absent), "e": décimales}`, ou None au-delà des entiers exacts de JavaScript."""
    if len(entiers) and np.abs(entiers).max() >= _MAX_ENTIER_JS:
        return None
    n = np.full(len(presents), None, dtype=object)
    n[presents] = entiers.astype("int64").tolist()
    return {"n": n.tolist(), "e": decimales}


def nombres_en_entiers(valeurs: pd.Series, decimales: int) -> dict[str, Any] | None:
    """Nombres → entiers à `decimales` près, que le navigateur écrit à la française (`nombre` du JS).

    Même arrondi que `coverage.documents.format.format_nombre` : moitié vers le haut sur l'écriture
    décimale (le bruit binaire retiré d'abord : 2,675 → 2,68) ; NaN : « Sans donnée ».

    Example
    -------
    >>> nombres_en_entiers(pd.Series([1234.5, None, -0.04, 2.675]), 1)
    {'n': [12345, None, 0, 27], 'e': 1}
    """
    v = valeurs.to_numpy(dtype="float64")
    presents = np.isfinite(v)
    p = v[presents]
    entiers = np.sign(p) * np.floor(np.round(np.abs(p) * 10.0**decimales, 6) + 0.5)
    return _en_entiers(presents, entiers + 0.0, decimales)  # + 0.0 : pas de « -0 »


def texte_entier(n: int | None, decimales: int) -> str:
    """Ce que le navigateur écrit de l'entier `n` à `decimales` près (`nombre` de `geo/js/carte_valeurs.js`).

    Example
    -------
    >>> texte_entier(-123456, 1)
    '-12\xa0345,6'
    """
    if n is None:
        return LIBELLE_SANS_DONNEE
    entier, reste = divmod(abs(n), 10**decimales)
    texte = f"{entier:,}".replace(",", "\u00a0") + (f",{reste:0{decimales}d}" if decimales else "")
    return ("-" if n < 0 else "") + texte


def colonnes_compactes(infobulles: pd.DataFrame, decimales: Mapping[str, int] | None = None) -> list[Any]:
    """Textes d'infobulle, colonne par colonne, sous la forme la plus courte que le navigateur relit.

    - colonnes de `decimales` (restées des nombres) : `{"n": entiers, "e": décimales}`, ou le
      dictionnaire de leurs textes si, arrondies, elles ont peu de valeurs distinctes ;
    - peu de textes distincts : dictionnaire `{"d": textes, "i": un caractère par territoire}` ;
    - nombres au format français : `{"n": entiers, "e": décimales}` (`None` pour « Sans donnée ») ;
    - sinon la liste des textes.

    Example
    -------
    >>> colonnes_compactes(pd.DataFrame({"a": ["x", "y", "x"], "b": ["1\u00a0234,5", "2,0", "Sans donnée"]}))
    [{'d': ['x', 'y'], 'i': '010'}, {'n': [12345, 20, None], 'e': 1}]
    """
    decimales = decimales or {}
    colonnes: list[Any] = []
    for nom in infobulles.columns:
        if nom in decimales:
            if (nombres := nombres_en_entiers(infobulles[nom], decimales[nom])) is not None:
                # Peu de valeurs une fois arrondies (les ETP) : le dictionnaire de leurs textes.
                indices, distincts = pd.factorize(pd.Series(nombres["n"], dtype="Int64"), sort=False, use_na_sentinel=False)
                if len(distincts) <= MAX_MODALITES and len(distincts) < len(indices):
                    textes = [texte_entier(None if pd.isna(n) else int(n), nombres["e"]) for n in distincts]
                    colonnes.append({"d": textes, "i": en_caracteres(indices)})
                else:
                    colonnes.append(nombres)
                continue
            textes = formater_nombre(infobulles[nom], decimales=decimales[nom])  # au-delà des entiers exacts de JS
        else:
            textes = infobulles[nom].astype(str)
        indices, modalites = pd.factorize(textes, sort=False)
        if len(modalites) <= MAX_MODALITES and len(modalites) < len(textes):
            colonnes.append({"d": list(modalites), "i": en_caracteres(indices)})
        elif (nombres := _nombres_entiers(textes)) is not None:
            colonnes.append(nombres)
        else:
            colonnes.append(textes.tolist())
    return colonnes


def _styles_couche(classement: Classement, *, opacite: float) -> list[dict[str, Any]]:
    """Styles des classes ; limites fines quand les territoires sont très nombreux (canvas)."""
    styles = _styles(classement.couleurs, opacite=opacite)
    if len(classement.classes) <= SEUIL_CANVAS:
        return styles
    return [{**s, "weight": 0.2, "opacity": 0.6} for s in styles]


def options_valeurs(classement: Classement, *, geometries: Sequence[str], opacite: float, libelle: str,
                    attribution: str | None = None, legende: bool = True,
                    ordre: Sequence[str] | None = None) -> dict[str, Any]:
    """Options de `L.coucheValeurs` pour un indicateur classé (sans le nom ni le code, lus dans les fichiers).

    Parameters
    ----------
    ordre : list of str, optional
        Codes du fichier de géométries (unique), dans son ordre : les valeurs sont alors envoyées
        dans cet ordre, sans les codes (`ABSENT` pour un territoire du fichier hors de la couche).
    """
    infobulles = classement.infobulles.drop(columns=["nom", "code"])
    # Index d'objets : `isin`/`get_indexer` sur des chaînes Arrow passent par une boucle Python.
    codes = pd.Index(classement.infobulles.index.astype(str).to_numpy(dtype=object))
    classes = np.asarray(classement.classes, dtype=int)
    valeurs: dict[str, Any] = {"codes": codes.tolist()}
    absents = None
    if ordre is not None:
        fichier = pd.Index(np.asarray(ordre, dtype=object))
        rangs = fichier.get_indexer(codes)
        if len(codes) and (rangs >= 0).all() and fichier.is_unique:  # sinon : envoi avec les codes
            absents = np.ones(len(fichier), dtype=bool)
            absents[rangs] = False
            alignees = np.zeros(len(fichier), dtype=int)
            alignees[rangs] = classes
            classes = alignees
            alignees_colonnes = {}
            for nom in infobulles.columns:  # absent du fichier : « Sans donnée » (NaN pour un nombre)
                nombre = nom in classement.decimales
                colonne = np.full(len(fichier), np.nan if nombre else LIBELLE_SANS_DONNEE, dtype="float64" if nombre else object)
                colonne[rangs] = infobulles[nom].to_numpy(dtype="float64" if nombre else object)
                alignees_colonnes[nom] = colonne
            infobulles = pd.DataFrame(alignees_colonnes, columns=infobulles.columns)
            valeurs = {}
    n = len(codes)
    valeurs["s"] = (en_caracteres(classes, absents=absents) if classes.max(initial=0) < len(ALPHABET)
                    else classes.tolist())
    valeurs["colonnes"] = colonnes_compactes(infobulles, classement.decimales)
    return {
        "geometries": list(geometries),
        "valeurs": valeurs,
        "styles": _styles_couche(classement, opacite=opacite),
        "etiquettes": classement.etiquettes[2:],
        "legende": {"html": Legende(titre=libelle, lignes=classement.lignes).html, "position": "bottomleft"}
        if legende else None,
        "canvas": n > SEUIL_CANVAS,
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
        nombres_bruts=True,
    )
    parametres = {"geometries": geometries, "opacite": opacite, "libelle": libelle, "attribution": attribution,
                  "legende": legende}
    return _couche_classee(classement, parametres, ordre=None)


def _couche_classee(classement: Classement, parametres: dict[str, Any], *, ordre: Sequence[str] | None) -> CoucheValeurs:
    libelle = parametres["libelle"]
    couche = CoucheValeurs(lambda: options_valeurs(classement, **parametres, ordre=ordre), nom=libelle,
                           legende=Legende(titre=libelle, lignes=classement.lignes) if parametres["legende"] else None,
                           styles=_styles_couche(classement, opacite=parametres["opacite"]))
    couche.classement, couche.parametres = classement, parametres
    return couche


def alignee_sur_fichier(couche: CoucheValeurs, ordre: Sequence[str]) -> CoucheValeurs:
    """La même couche, valeurs rangées dans l'ordre des codes du fichier de géométries, sans les codes.

    Pour les 34 875 communes, les codes pèsent 0,3 Mo par exécution : le navigateur les a déjà, dans
    le fichier. Une couche sans classement (contours) ou sur plusieurs fichiers est rendue telle quelle.
    """
    classement = getattr(couche, "classement", None)
    if classement is None or len(couche.parametres["geometries"]) != 1:
        return couche
    return _couche_classee(classement, couche.parametres, ordre=ordre)


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
    classement: Classement = couche.classement
    codes = classement.infobulles.index.astype(str)
    present = codes.isin(geometries.index)
    champs = classement.textes().drop(columns=["nom", "code"]).set_axis(codes)
    textes = {"nom": geometries["nom"].reindex(codes).astype(str), "code": pd.Series(codes, index=codes),
              **{f"c{j}": champs.iloc[:, j].astype(str) for j in range(champs.shape[1])}}
    infobulles = pd.DataFrame(textes, index=codes)[present]
    donnees = geojson_compact(geometries.loc[codes[present]], classes=np.asarray(classement.classes, dtype=int)[present],
                              infobulles=infobulles)
    resultat: list[folium.map.Layer | Legende] = [
        CoucheGeoJson(donnees, styles=o["styles"], etiquettes=["Nom", "Code", *o["etiquettes"]], nom=couche.nom,
                      attribution=o.get("attribution"),
                      emprise=tuple(float(x) for x in geometries.loc[codes[present]].total_bounds))
    ]
    if couche.legende is not None:
        resultat.append(couche.legende)
    return resultat
