"""Registre des grands projets et calcul de leur empreinte territoriale.

L'appel à projets (partie B, « Sur les grands projets ») : « Des grands projets de rénovation
urbaine, de réhabilitation (Bassin minier), de transports (Canal Seine Nord), Ligne TGV,
s'accompagnent d'un potentiel fort de développement des marchés réservés et des clauses sociales
d'insertion. Ils nécessitent un effort de mise à disposition de facilitateurs le temps du
projet ». Ce module dit, pour chaque grand projet, quelles communes et quels EPCI il touche, et
ce que le réseau des facilitateurs y offre.

Trois étages :

1. Le registre (`data/grands_projets.yaml`, lisible et modifiable à la main) : un `GrandProjet`
   par entrée, avec une seule emprise parmi
   - `territoires` : des communes (codes INSEE) et/ou des EPCI (SIREN) du COG 2026 ;
   - `traces` : une ou plusieurs lignes, chacune donnée par la liste ordonnée des communes
     qu'elle relie (tracée entre leurs points intérieurs) ou par une ligne dessinée (WKT en
     lon/lat), avec la largeur du corridor en km ;
   - `polygone` : un polygone en lon/lat (EPSG:4326), WKT ou géométrie GeoJSON.
   Lecture et écriture : YAML (`charger_registre`, `projets_depuis_yaml`, `projets_vers_yaml`,
   `ecrire_registre_yaml`), tableau CSV/XLSX (`lire_registre_tableau`,
   `exporter_registre_tableau`), GeoJSON (`lire_registre_geojson`, `projet_depuis_geojson`,
   `exporter_registre_geojson`), dessin sur la carte (`projet_depuis_dessin`). Toutes passent
   par la même validation : un fichier qui contient une erreur lève `ErreurRegistre`, qui liste
   tous les problèmes en français (fichier, ligne, projet, champ), et rien n'est chargé ni écrit.
2. L'empreinte (`empreintes`) : les communes touchées par chaque projet. Un tracé est un
   `LineString` entre les points des communes, élargi de `largeur_km / 2` de part et d'autre en
   Lambert-93 (EPSG:2154) ou dans la projection UTM officielle du DROM ; une commune est touchée
   quand le corridor (ou le polygone) en recouvre au moins `PART_SURFACE_MIN` de la surface ;
   les territoires sont développés en communes par la table du COG.
3. Le bilan (`bilan_projets`) : par projet, la population, les structures présentes, les ETP, la
   couverture, les zones blanches touchées, et une alerte motivée en français.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from shapely.geometry import LineString, MultiLineString, mapping, shape
from shapely.geometry.base import BaseGeometry

from coverage.modele import DOSSIER_DONNEES
from coverage.documents.format import format_nombre
from coverage.sources.lecture import ErreurLecture, Probleme, booleen_fr, lire_tableau, nombre_fr
from coverage.modele import Colonne, Schema, StatutCouverture
from geo.reference import MILLESIME, Referentiel, charger_geometries, charger_referentiel

__all__ = [
    "COLONNES_BILAN",
    "COLONNES_EMPREINTE",
    "CRITERES_ZONE_BLANCHE",
    "FICHIER_REGISTRE",
    "LARGEUR_MAX_KM",
    "LIBELLES_FORMES",
    "PART_SURFACE_MIN",
    "REGISTRE",
    "ErreurRegistre",
    "GrandProjet",
    "ProblemeRegistre",
    "Trace",
    "TypeProjet",
    "ajouter_projet",
    "axe_projet",
    "bilan_projets",
    "carte_projets",
    "charger_registre",
    "ecrire_registre_yaml",
    "empreinte",
    "empreintes",
    "exporter_registre_geojson",
    "exporter_registre_tableau",
    "geometrie_empreinte",
    "lire_registre_geojson",
    "lire_registre_tableau",
    "projet_depuis_dessin",
    "projet_depuis_geojson",
    "projets_depuis_yaml",
    "projets_npnru",
    "projets_vers_yaml",
    "tableau_registre",
    "valider_projet",
]

FICHIER_REGISTRE = DOSSIER_DONNEES / "grands_projets.yaml"
LARGEUR_MAX_KM = 100.0
"""Largeur maximale d'un corridor, en km (au-delà, c'est un territoire, pas un tracé)."""
PART_SURFACE_MIN = 1e-4
"""Part minimale de la surface d'une commune couverte par l'emprise pour qu'elle soit touchée
(0,01 %) : écarte les communes voisines qui ne partagent qu'un bord ou un liseré d'arrondi."""

Forme = Literal["territoires", "trace", "polygone"]
FORMES: tuple[Forme, ...] = ("territoires", "trace", "polygone")
LIBELLES_FORMES = {"territoires": "Territoires", "trace": "Tracé", "polygone": "Polygone"}

CRITERES_ZONE_BLANCHE: dict[str, str] = {
    "non_couvert": "non couvert",
    "couverture_limitrophe": "couverture limitrophe seule",
    "capacite_insuffisante": "capacité insuffisante",
}
"""Critères de zone blanche de l'appel (partie B, « Focus sur la définition de zone blanche »),
dans l'ordre de l'appel, avec leur libellé court."""

_EPSG_METROPOLE = 2154  # RGF93 v1 / Lambert-93
_EPSG_DROM = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
"""Projections métriques officielles des DROM : RGAF09 / UTM 20N (Guadeloupe, Martinique),
RGFG95 / UTM 22N (Guyane), RGR92 / UTM 40S (La Réunion), RGM04 / UTM 38S (Mayotte)."""


class TypeProjet(StrEnum):
    """Type de grand projet (les familles citées par l'appel, partie B)."""

    RENOVATION_URBAINE = "renovation_urbaine"
    REHABILITATION = "rehabilitation"
    TRANSPORT_FLUVIAL = "transport_fluvial"
    FERROVIAIRE = "ferroviaire"
    AUTRE = "autre"

    @property
    def libelle(self) -> str:
        return {
            "renovation_urbaine": "Rénovation urbaine",
            "rehabilitation": "Réhabilitation",
            "transport_fluvial": "Transport fluvial",
            "ferroviaire": "Ferroviaire",
            "autre": "Autre",
        }[self.value]


# --------------------------------------------------------------------------------------------
# Modèle
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    """Une ligne d'un projet linéaire et la largeur de son corridor.

    Attributes
    ----------
    largeur_km : largeur totale du corridor, en km (la ligne est élargie de la moitié de part et
        d'autre), 0 < largeur_km <= `LARGEUR_MAX_KM`.
    communes : codes INSEE des communes reliées, dans l'ordre du tracé (au moins deux
        distinctes) ; la ligne passe par leur point intérieur (`lon`, `lat` du référentiel).
    ligne : sinon, la ligne elle-même en WKT `LINESTRING` lon/lat (EPSG:4326), par exemple
        dessinée sur la carte.
    """

    largeur_km: float
    communes: tuple[str, ...] = ()
    ligne: str | None = None


@dataclass(frozen=True)
class GrandProjet:
    """Un grand projet du registre. Valeurs hachables : l'objet peut servir de clé de cache.

    Attributes
    ----------
    id : identifiant unique dans le registre.
    nom, type, periode (texte libre, ex. `2022-2032`), source (d'où viennent les faits),
    description : les informations affichées.
    indicatif : True quand l'emprise est une approximation ; `avertissement` dit laquelle, et
        `mention` est le texte à montrer sur la carte et dans les tableaux.
    communes, epci : emprise `territoires` (codes INSEE et SIREN du COG 2026).
    traces : emprise `trace` (une ou plusieurs branches).
    polygone : emprise `polygone`, WKT en lon/lat (EPSG:4326), coordonnées arrondies à 1e-6°.
    """

    id: str
    nom: str
    type: TypeProjet
    source: str
    periode: str = ""
    indicatif: bool = False
    description: str = ""
    avertissement: str = ""
    communes: tuple[str, ...] = ()
    epci: tuple[str, ...] = ()
    traces: tuple[Trace, ...] = ()
    polygone: str | None = None

    @property
    def forme(self) -> Forme:
        """`territoires`, `trace` ou `polygone`."""
        if self.traces:
            return "trace"
        if self.polygone is not None:
            return "polygone"
        return "territoires"

    @property
    def mention(self) -> str:
        """Texte à afficher avec le projet : vide si l'emprise est exacte."""
        if not self.indicatif:
            return ""
        if self.avertissement:
            return f"Emprise indicative : {self.avertissement}"
        return "Emprise indicative (approximation)."


# --------------------------------------------------------------------------------------------
# Problèmes et erreur
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemeRegistre(Probleme):
    """Un problème d'une entrée du registre, situé par fichier, ligne (ou objet), projet et champ.

    `str(p)` : « grands_projets.yaml, ligne 12, projet « canal », champ `type` : « fluvial »
    n'est pas un type de projet connu (attendu : …). » Pour un tableau CSV/XLSX, `colonne`
    remplace `champ`.
    """

    projet: str | None = None
    position: str | None = None
    terme: str = "champ"

    def __str__(self) -> str:
        lieu = [self.fichier]
        if self.ligne is not None:
            lieu.append(f"ligne {self.ligne}")
        if self.position is not None:
            lieu.append(self.position)
        if self.projet:
            lieu.append(f"projet « {self.projet} »")
        if self.colonne is not None:
            lieu.append(f"{self.terme} `{self.colonne}`")
        return f"{', '.join(lieu)} : {self.message}"


class ErreurRegistre(ErreurLecture):
    """Le registre (ou le projet) contient des erreurs ; `problemes` les liste toutes.

    Sous-classe de `ErreurLecture` (`probleme` = le premier), pour que les pages les affichent de
    la même façon. Rien n'a été chargé ni écrit.
    """

    def __init__(self, problemes: Sequence[Probleme]) -> None:
        self.problemes = tuple(problemes)
        self.probleme = self.problemes[0]
        if len(self.problemes) == 1:
            texte = str(self.probleme)
        else:
            texte = f"{len(self.problemes)} problèmes ; rien n'a été chargé :\n" + "\n".join(
                f"- {p}" for p in self.problemes
            )
        ValueError.__init__(self, texte)


@dataclass(frozen=True)
class _Lieu:
    fichier: str
    ligne: int | None = None
    position: str | None = None
    terme: str = "champ"

    def probleme(self, projet: str | None, champ: str | None, valeur: object, message: str) -> ProblemeRegistre:
        texte = None if valeur is None else str(valeur)
        return ProblemeRegistre(self.fichier, self.ligne, champ, texte, message, projet, self.position, self.terme)


# --------------------------------------------------------------------------------------------
# Validation commune à tous les formats
# --------------------------------------------------------------------------------------------


@dataclass
class _TraceBrute:
    largeur: object
    champ_largeur: str
    codes: list[str] | None = None
    champ_codes: str = ""
    ligne: object = None
    champ_ligne: str = ""


@dataclass
class _Brut:
    """Une entrée telle que lue, avant validation : textes et listes, noms de champs pour les messages."""

    lieu: _Lieu
    textes: dict[str, str]
    champs: dict[str, str | None]
    communes: list[str] | None = None
    epci: list[str] | None = None
    traces: list[_TraceBrute] = field(default_factory=list)
    polygone: object = None
    forme: str | None = None  # forme déclarée (tableau, GeoJSON) ; None : déduite des champs
    formes_vues: set[str] = field(default_factory=set)  # clés d'emprise présentes, même mal formées
    problemes: list[ProblemeRegistre] = field(default_factory=list)


_RE_PERIODE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")
_RE_EPCI = re.compile(r"^\d{9}$")
_LISTE_TYPES = ", ".join(t.value for t in TypeProjet)
_ATTENDU_LARGEUR = f"nombre de kilomètres strictement positif, au plus {format_nombre(LARGEUR_MAX_KM)}"


def _texte(valeur: object) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return str(valeur).strip()


def _liste_codes(valeur: object) -> list[str]:
    """Une liste de codes : liste YAML/JSON ou chaîne séparée par des virgules, points-virgules, espaces."""
    if valeur is None:
        return []
    if isinstance(valeur, (list, tuple)):
        elements = [_texte(v) for v in valeur]
    else:
        elements = re.split(r"[\s,;]+", _texte(valeur))
    return [e for e in elements if e]


def _normaliser_code_commune(code: str) -> str:
    """Un code à 4 chiffres a perdu son zéro initial dans un tableur : `1001` → `01001`."""
    return code.zfill(5) if re.fullmatch(r"\d{4}", code) else code.upper()


def _verifier_communes(
    codes: list[str], *, champ: str, projet: str, lieu: _Lieu, referentiel: Referentiel
) -> tuple[list[str], list[ProblemeRegistre]]:
    codes = [_normaliser_code_commune(c) for c in codes]
    connus = referentiel.communes.index
    inconnus = [c for c in codes if c not in connus]
    problemes = []
    if inconnus:
        anciens = referentiel.anciens_codes.drop_duplicates("ancien_code").set_index("ancien_code")["commune"]
        for code in inconnus:
            if code in anciens.index and anciens[code] in connus:
                nouveau = anciens[code]
                message = (
                    f"« {code} » n'est plus un code commune en vigueur au {MILLESIME} : la commune est "
                    f"aujourd'hui « {nouveau} » ({referentiel.communes.at[nouveau, 'nom']})."
                )
            else:
                message = f"code commune « {code} » inconnu du {MILLESIME} (attendu : code INSEE à 5 caractères, ex. 01001, 2A004)."
            problemes.append(lieu.probleme(projet, champ, code, message))
    return list(dict.fromkeys(codes)), problemes


def _verifier_epci(
    codes: list[str], *, champ: str, projet: str, lieu: _Lieu, referentiel: Referentiel
) -> tuple[list[str], list[ProblemeRegistre]]:
    inconnus = [c for c in codes if c not in referentiel.epci.index]
    problemes = [
        lieu.probleme(
            projet, champ, c, f"SIREN d'EPCI « {c} » inconnu du {MILLESIME} (attendu : SIREN à 9 chiffres d'un EPCI à fiscalité propre)."
        )
        for c in inconnus
    ]
    return list(dict.fromkeys(codes)), problemes


def _largeur(valeur: object, *, champ: str, projet: str, lieu: _Lieu) -> tuple[float | None, list[ProblemeRegistre]]:
    texte = _texte(valeur)
    if texte == "":
        return None, [lieu.probleme(projet, champ, None, f"largeur du corridor manquante (attendu : {_ATTENDU_LARGEUR}).")]
    try:
        largeur = nombre_fr(texte)
    except ValueError:
        largeur = None
    if largeur is None or not np.isfinite(largeur) or largeur <= 0 or largeur > LARGEUR_MAX_KM:
        return None, [
            lieu.probleme(projet, champ, texte, f"« {texte} » n'est pas une largeur de corridor valide (attendu : {_ATTENDU_LARGEUR}).")
        ]
    return float(largeur), []


def _en_nombres(objet: object) -> object:
    """Coordonnées GeoJSON lues comme chaînes (YAML) : converties en nombres."""
    if isinstance(objet, list):
        return [_en_nombres(o) for o in objet]
    if isinstance(objet, str):
        return float(objet)
    return objet


def _geometrie(
    valeur: object,
    *,
    types: tuple[str, ...],
    attendu: str,
    champ: str,
    projet: str,
    lieu: _Lieu,
) -> tuple[BaseGeometry | None, list[ProblemeRegistre]]:
    """Lit une géométrie WKT ou GeoJSON en lon/lat, la contrôle et l'arrondit à 1e-6° (≈ 0,1 m)."""

    def erreur(message: str, montree: object = None) -> tuple[None, list[ProblemeRegistre]]:
        return None, [lieu.probleme(projet, champ, montree, message)]

    if isinstance(valeur, BaseGeometry):
        geom = valeur
    elif isinstance(valeur, Mapping):
        donnees = {k: v for k, v in valeur.items() if not str(k).startswith("__")}
        if donnees.get("type") == "Feature":
            donnees = donnees.get("geometry") or {}
        try:
            geom = shape({"type": donnees.get("type"), "coordinates": _en_nombres(donnees.get("coordinates"))})
        except Exception:  # noqa: BLE001 — shapely lève des erreurs variées sur un GeoJSON mal formé
            return erreur(f"géométrie GeoJSON illisible (attendu : {attendu} en lon/lat).")
    else:
        texte = _texte(valeur)
        if texte == "":
            return erreur(f"géométrie manquante (attendu : {attendu} en WKT, lon/lat).")
        try:
            geom = shapely.from_wkt(texte)
        except shapely.errors.ShapelyError:
            extrait = texte if len(texte) <= 60 else texte[:57] + "…"
            return erreur(f"« {extrait} » n'est pas une géométrie WKT lisible (attendu : {attendu} en lon/lat).", extrait)
    if geom is None or geom.is_empty:
        return erreur(f"géométrie vide (attendu : {attendu}).")
    if geom.geom_type not in types:
        return erreur(f"la géométrie est un {geom.geom_type}, pas un {attendu}.", geom.geom_type)
    xmin, ymin, xmax, ymax = geom.bounds
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        return erreur(
            "coordonnées hors des bornes de la longitude et de la latitude : la géométrie doit être "
            "en degrés (EPSG:4326, longitude puis latitude), pas en mètres."
        )
    arrondie = shapely.from_wkt(shapely.to_wkt(geom, rounding_precision=6, trim=True))
    if arrondie.geom_type == "LineString" and len(set(arrondie.coords)) < 2:
        return erreur("la ligne doit passer par au moins deux points distincts.")
    if not shapely.is_valid(arrondie):
        return erreur(f"{attendu} invalide ({shapely.is_valid_reason(arrondie)}) : redessinez-le sans croisement.")
    return arrondie, []


def _construire(brut: _Brut, referentiel: Referentiel) -> tuple[GrandProjet | None, list[ProblemeRegistre]]:
    """Valide une entrée brute ; renvoie le projet (None s'il y a des problèmes) et les problèmes."""
    lieu, t, c = brut.lieu, brut.textes, brut.champs
    problemes = list(brut.problemes)
    ident = t.get("id", "")
    projet = ident or None
    if not ident:
        problemes.append(lieu.probleme(None, c["id"], None, "identifiant du projet manquant."))
    nom = t.get("nom", "")
    if not nom:
        problemes.append(lieu.probleme(projet, c["nom"], None, "nom du projet manquant."))
    type_texte = t.get("type", "").lower()
    type_projet = None
    if not type_texte:
        problemes.append(lieu.probleme(projet, c["type"], None, f"type du projet manquant (attendu : {_LISTE_TYPES})."))
    elif type_texte not in {v.value for v in TypeProjet}:
        problemes.append(
            lieu.probleme(projet, c["type"], t["type"], f"« {t['type']} » n'est pas un type de projet connu (attendu : {_LISTE_TYPES}).")
        )
    else:
        type_projet = TypeProjet(type_texte)
    source = t.get("source", "")
    if not source:
        problemes.append(
            lieu.probleme(projet, c["source"], None, "source manquante : indiquez d'où viennent les faits (maître d'ouvrage, décret, site officiel).")
        )
    periode = t.get("periode", "")
    m = _RE_PERIODE.match(periode)
    if m and int(m.group(1)) > int(m.group(2)):
        problemes.append(lieu.probleme(projet, c["periode"], periode, f"la période « {periode} » finit avant de commencer."))
    indicatif = False
    if t.get("indicatif", ""):
        try:
            indicatif = bool(booleen_fr(t["indicatif"]))
        except ValueError:
            problemes.append(
                lieu.probleme(projet, c["indicatif"], t["indicatif"], f"« {t['indicatif']} » n'est pas une valeur oui/non (attendu : oui ou non).")
            )

    # Emprise : une et une seule forme.
    presentes = [
        f
        for f, la in (
            ("territoires", brut.communes is not None or brut.epci is not None),
            ("trace", bool(brut.traces) or "trace" in brut.formes_vues),
            ("polygone", brut.polygone is not None),
        )
        if la
    ]
    forme = brut.forme
    if forme is not None and forme not in FORMES:
        problemes.append(
            lieu.probleme(projet, c["forme"], forme, f"« {forme} » n'est pas une forme d'emprise connue (attendu : territoires, trace ou polygone).")
        )
        forme = None
    elif forme is not None and forme not in presentes:
        manquant = {"territoires": "les codes des communes ou EPCI", "trace": "les communes du tracé ou sa ligne", "polygone": "le polygone"}
        problemes.append(lieu.probleme(projet, c[f"vide_{forme}"], None, f"emprise « {forme} » sans {manquant[forme]}."))
        forme = None
    elif forme is None and not presentes:
        problemes.append(
            lieu.probleme(projet, c["forme"], None, "aucune emprise : donnez `territoires`, `trace` (ou `traces`) ou `polygone`.")
        )
    elif forme is None and len(presentes) > 1:
        problemes.append(
            lieu.probleme(projet, c["forme"], None, f"plusieurs emprises ({', '.join(presentes)}) : une seule par projet.")
        )
    else:
        forme = forme or presentes[0]

    communes: list[str] = []
    epci: list[str] = []
    traces: list[Trace] = []
    polygone: str | None = None
    if forme == "territoires":
        if brut.communes:
            communes, p = _verifier_communes(brut.communes, champ=c["communes"], projet=ident, lieu=lieu, referentiel=referentiel)
            problemes += p
        if brut.epci:
            epci, p = _verifier_epci(brut.epci, champ=c["epci"], projet=ident, lieu=lieu, referentiel=referentiel)
            problemes += p
        if not brut.communes and not brut.epci:
            problemes.append(lieu.probleme(projet, c["communes"], None, "territoires vides : donnez au moins une commune ou un EPCI."))
    elif forme == "trace":
        for tb in brut.traces:
            largeur, p = _largeur(tb.largeur, champ=tb.champ_largeur, projet=ident, lieu=lieu)
            problemes += p
            if tb.codes is not None:
                trace, p = _trace_communes(tb, largeur, projet=ident, lieu=lieu, referentiel=referentiel)
            else:
                geom, p = _geometrie(
                    tb.ligne, types=("LineString",), attendu="LINESTRING", champ=tb.champ_ligne, projet=ident, lieu=lieu
                )
                trace = None if geom is None or largeur is None else Trace(largeur, ligne=shapely.to_wkt(geom, rounding_precision=6, trim=True))
            problemes += p
            if trace is not None:
                traces.append(trace)
    elif forme == "polygone":
        geom, p = _geometrie(
            brut.polygone, types=("Polygon", "MultiPolygon"), attendu="POLYGON ou MULTIPOLYGON", champ=c["polygone"], projet=ident, lieu=lieu
        )
        problemes += p
        if geom is not None:
            polygone = shapely.to_wkt(geom, rounding_precision=6, trim=True)

    if problemes:
        return None, problemes
    return (
        GrandProjet(
            id=ident,
            nom=nom,
            type=type_projet,
            source=source,
            periode=periode,
            indicatif=indicatif,
            description=t.get("description", ""),
            avertissement=t.get("avertissement", ""),
            communes=tuple(communes),
            epci=tuple(epci),
            traces=tuple(traces),
            polygone=polygone,
        ),
        [],
    )


def _trace_communes(
    tb: _TraceBrute, largeur: float | None, *, projet: str, lieu: _Lieu, referentiel: Referentiel
) -> tuple[Trace | None, list[ProblemeRegistre]]:
    codes = [_normaliser_code_commune(code) for code in tb.codes or []]
    inconnus = [code for code in codes if code not in referentiel.communes.index]
    _, problemes = _verifier_communes(inconnus, champ=tb.champ_codes, projet=projet, lieu=lieu, referentiel=referentiel)
    if problemes:
        return None, problemes
    # Communes consécutives identiques : un seul point.
    codes = [code for i, code in enumerate(codes) if i == 0 or code != codes[i - 1]]
    if len(set(codes)) < 2:
        return None, [
            lieu.probleme(
                projet or None,
                tb.champ_codes,
                ",".join(codes),
                f"un tracé relie au moins deux communes distinctes ({len(set(codes))} donnée{'s' if len(set(codes)) > 1 else ''}).",
            )
        ]
    table = referentiel.communes.loc[codes]
    sans_point = table.index[table["lon"].isna() | table["lat"].isna()]
    if len(sans_point):
        return None, [
            lieu.probleme(
                projet or None,
                tb.champ_codes,
                code,
                f"la commune « {code} » ({table.at[code, 'nom']}) n'a pas de position dans le référentiel : choisissez une commune voisine.",
            )
            for code in sans_point
        ]
    zones = set(_epsg_departements(table["departement"]))
    if len(zones) > 1:
        return None, [
            lieu.probleme(projet or None, tb.champ_codes, None, "un tracé ne peut pas relier la métropole et un DROM, ni deux DROM.")
        ]
    return (None if largeur is None else Trace(largeur, communes=tuple(codes))), []


def _verifier_ids(projets: list[tuple[GrandProjet | None, _Brut]]) -> list[ProblemeRegistre]:
    """Un problème par identifiant déjà vu plus haut dans le fichier."""
    vus: dict[str, _Lieu] = {}
    problemes = []
    for _, brut in projets:
        ident = brut.textes.get("id", "")
        if not ident:
            continue
        if ident in vus:
            premier = vus[ident]
            ou = f"ligne {premier.ligne}" if premier.ligne is not None else (premier.position or "plus haut")
            problemes.append(
                brut.lieu.probleme(ident, brut.champs["id"], ident, f"identifiant « {ident} » déjà utilisé ({ou}) : chaque projet a un identifiant unique.")
            )
        else:
            vus[ident] = brut.lieu
    return problemes


def _valider_tout(bruts: list[_Brut], referentiel: Referentiel, problemes_fichier: Iterable[ProblemeRegistre] = ()) -> list[GrandProjet]:
    resultats = [(_construire(b, referentiel), b) for b in bruts]
    problemes = list(problemes_fichier)
    for (_, p), _ in resultats:
        problemes += p
    problemes += _verifier_ids([(proj, b) for (proj, _), b in resultats])
    if problemes:
        problemes.sort(key=lambda p: (p.ligne if p.ligne is not None else 0))
        raise ErreurRegistre(problemes)
    return [proj for (proj, _), _ in resultats]


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------

_LIGNE = "__ligne__"
_CHAMPS_YAML = (
    "id", "nom", "type", "periode", "source", "indicatif", "description", "avertissement",
    "territoires", "trace", "traces", "polygone",
)  # fmt: skip
_TEXTES = ("id", "nom", "type", "periode", "source", "indicatif", "description", "avertissement")


class _ChargeurYaml(yaml.BaseLoader):
    """Toutes les valeurs en chaînes (`01001` n'est pas lu comme un nombre octal) et la ligne de chaque objet."""


def _objet_avec_ligne(chargeur: yaml.BaseLoader, noeud: yaml.MappingNode) -> dict:
    objet = chargeur.construct_mapping(noeud, deep=True)
    objet[_LIGNE] = noeud.start_mark.line + 1
    return objet


_ChargeurYaml.add_constructor("tag:yaml.org,2002:map", _objet_avec_ligne)


def _champs_yaml() -> dict[str, str | None]:
    return {
        **{k: k for k in _TEXTES},
        "forme": None,  # l'emprise manquante ou en double porte sur l'entrée entière
        "communes": "territoires.communes",
        "epci": "territoires.epci",
        "polygone": "polygone",
        "vide_territoires": "territoires",
        "vide_trace": "trace",
        "vide_polygone": "polygone",
    }


def _brut_depuis_objet(objet: Mapping, lieu: _Lieu) -> _Brut:
    """Une entrée YAML (ou un projet re-sérialisé) en entrée brute."""
    ident = _texte(objet.get("id")) if isinstance(objet.get("id"), str) else ""
    brut = _Brut(lieu=lieu, textes={}, champs=_champs_yaml())
    for cle in objet:
        if cle != _LIGNE and cle not in _CHAMPS_YAML:
            brut.problemes.append(lieu.probleme(ident or None, str(cle), None, f"champ inconnu (champs attendus : {', '.join(_CHAMPS_YAML)})."))
    for cle in _TEXTES:
        valeur = objet.get(cle)
        if isinstance(valeur, (dict, list)):
            brut.problemes.append(lieu.probleme(ident or None, cle, None, "une valeur simple est attendue, pas une liste ni un objet."))
            valeur = None
        brut.textes[cle] = _texte(valeur)
    if "territoires" in objet:
        terr = objet["territoires"]
        if not isinstance(terr, Mapping):
            brut.problemes.append(lieu.probleme(ident or None, "territoires", None, "objet attendu avec `communes` et/ou `epci` (listes de codes)."))
            brut.communes = []
        else:
            for cle in terr:
                if cle not in ("communes", "epci", _LIGNE):
                    brut.problemes.append(lieu.probleme(ident or None, f"territoires.{cle}", None, "champ inconnu (attendu : communes, epci)."))
            brut.communes = _liste_codes(terr.get("communes")) if "communes" in terr else None
            brut.epci = _liste_codes(terr.get("epci")) if "epci" in terr else None
            if brut.communes is None and brut.epci is None:
                brut.communes = []
    traces: list[tuple[object, str]] = []
    if "trace" in objet or "traces" in objet:
        brut.formes_vues.add("trace")
    if "trace" in objet:
        traces.append((objet["trace"], "trace"))
    if "traces" in objet:
        if isinstance(objet["traces"], list):
            traces += [(t, f"traces[{i}]") for i, t in enumerate(objet["traces"], start=1)]
        else:
            brut.problemes.append(lieu.probleme(ident or None, "traces", None, "liste de tracés attendue (chacun avec `communes` ou `ligne`, et `largeur_km`)."))
    for t, nom in traces:
        if not isinstance(t, Mapping):
            brut.problemes.append(lieu.probleme(ident or None, nom, None, "objet attendu avec `communes` (ou `ligne`) et `largeur_km`."))
            continue
        for cle in t:
            if cle not in ("communes", "ligne", "largeur_km", _LIGNE):
                brut.problemes.append(lieu.probleme(ident or None, f"{nom}.{cle}", None, "champ inconnu (attendu : communes ou ligne, largeur_km)."))
        if ("communes" in t) == ("ligne" in t):
            brut.problemes.append(lieu.probleme(ident or None, nom, None, "donnez soit `communes` (liste ordonnée de codes INSEE), soit `ligne` (WKT), pas les deux."))
            continue
        brut.traces.append(
            _TraceBrute(
                largeur=t.get("largeur_km"),
                champ_largeur=f"{nom}.largeur_km",
                codes=_liste_codes(t["communes"]) if "communes" in t else None,
                champ_codes=f"{nom}.communes",
                ligne=t.get("ligne"),
                champ_ligne=f"{nom}.ligne",
            )
        )
    if "polygone" in objet:
        brut.polygone = objet["polygone"] if objet["polygone"] not in (None, "") else ""
    return brut


def projets_depuis_yaml(
    texte: str, *, nom_fichier: str = "grands_projets.yaml", referentiel: Referentiel | None = None
) -> list[GrandProjet]:
    """Lit un registre YAML (texte) et le valide.

    Le texte est soit une liste de projets, soit un objet avec une clé `projets` (et,
    facultativement, `version`, `millesime`, `description`). Toutes les valeurs sont lues comme
    du texte : `01001` garde son zéro, `indicatif: true` ou `oui`, `largeur_km: 7,5` ou `7.5`.

    Raises
    ------
    ErreurRegistre
        Avec un problème par erreur trouvée (ligne du fichier, projet, champ).
    """
    referentiel = referentiel or charger_referentiel()
    fichier = _Lieu(nom_fichier)
    try:
        donnees = yaml.load(texte, Loader=_ChargeurYaml)  # noqa: S506 — chargeur dérivé de BaseLoader : que des chaînes
    except yaml.YAMLError as exc:
        marque = getattr(exc, "problem_mark", None)
        lieu = _Lieu(nom_fichier, ligne=marque.line + 1 if marque else None)
        message = (
            "YAML illisible : vérifiez l'indentation (les champs d'un projet alignés sous `id`, deux espaces "
            "par niveau), les guillemets et les crochets fermés sur cette ligne ou la précédente."
        )
        raise ErreurRegistre([lieu.probleme(None, None, None, message)]) from exc
    if donnees in (None, ""):
        return []
    if isinstance(donnees, Mapping):
        inconnues = [k for k in donnees if k not in ("projets", "version", "millesime", "description", _LIGNE)]
        if inconnues:
            raise ErreurRegistre(
                [fichier.probleme(None, k, None, "clé inconnue au premier niveau (attendu : projets, version, millesime, description).") for k in inconnues]
            )
        donnees = donnees.get("projets") or []
    if not isinstance(donnees, list):
        raise ErreurRegistre([fichier.probleme(None, "projets", None, "une liste de projets est attendue.")])
    bruts, problemes = [], []
    for i, objet in enumerate(donnees, start=1):
        if not isinstance(objet, Mapping):
            problemes.append(_Lieu(nom_fichier, position=f"projet n° {i}").probleme(None, None, None, "un objet est attendu (id, nom, type…), pas une valeur simple."))
            continue
        bruts.append(_brut_depuis_objet(objet, _Lieu(nom_fichier, ligne=objet.get(_LIGNE))))
    return _valider_tout(bruts, referentiel, problemes)


def charger_registre(chemin: str | Path | None = None, *, referentiel: Referentiel | None = None) -> list[GrandProjet]:
    """Charge et valide le registre YAML (par défaut `data/grands_projets.yaml`).

    Examples
    --------
    >>> projets = charger_registre()
    >>> projets[0].forme
    'trace'
    """
    chemin = Path(chemin) if chemin else FICHIER_REGISTRE
    return projets_depuis_yaml(chemin.read_text(encoding="utf-8"), nom_fichier=chemin.name, referentiel=referentiel)


class _ListeEnLigne(list):
    """Liste écrite sur une ligne (`[a, b]`) dans le YAML."""


class _Ecrivain(yaml.SafeDumper):
    pass


_Ecrivain.add_representer(_ListeEnLigne, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _nombre_yaml(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _objet_depuis_projet(p: GrandProjet) -> dict:
    objet: dict[str, object] = {"id": p.id, "nom": p.nom, "type": p.type.value}
    if p.periode:
        objet["periode"] = p.periode
    objet["source"] = p.source
    objet["indicatif"] = p.indicatif
    for cle in ("avertissement", "description"):
        if getattr(p, cle):
            objet[cle] = getattr(p, cle)
    if p.forme == "territoires":
        terr = {}
        if p.communes:
            terr["communes"] = _ListeEnLigne(p.communes)
        if p.epci:
            terr["epci"] = _ListeEnLigne(p.epci)
        objet["territoires"] = terr
    elif p.forme == "polygone":
        objet["polygone"] = p.polygone
    else:
        traces = [
            {"communes": _ListeEnLigne(t.communes), "largeur_km": _nombre_yaml(t.largeur_km)}
            if t.communes
            else {"ligne": t.ligne, "largeur_km": _nombre_yaml(t.largeur_km)}
            for t in p.traces
        ]
        if len(traces) == 1:
            objet["trace"] = traces[0]
        else:
            objet["traces"] = traces
    return objet


def projets_vers_yaml(projets: Sequence[GrandProjet]) -> str:
    """Écrit des projets au format du registre YAML (relu à l'identique par `projets_depuis_yaml`)."""
    entete = (
        "# Registre des grands projets (format : docs/grands_projets.md).\n"
        f"# Codes INSEE des communes et SIREN des EPCI du {MILLESIME} ; géométries en lon/lat (EPSG:4326).\n"
    )
    corps = yaml.dump(
        {"version": 1, "millesime": MILLESIME, "projets": [_objet_depuis_projet(p) for p in projets]},
        Dumper=_Ecrivain,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=110,
    )
    return entete + corps


def valider_projet(projet: GrandProjet, *, referentiel: Referentiel | None = None, nom_fichier: str = "projet saisi") -> None:
    """Contrôle un projet construit en mémoire avec les mêmes règles que le registre.

    Raises
    ------
    ErreurRegistre
    """
    referentiel = referentiel or charger_referentiel()
    objet = yaml.load(yaml.dump(_objet_depuis_projet(projet), Dumper=_Ecrivain, allow_unicode=True), Loader=_ChargeurYaml)  # noqa: S506
    objet.pop(_LIGNE, None)
    _valider_tout([_brut_depuis_objet(objet, _Lieu(nom_fichier))], referentiel)


def ajouter_projet(
    registre: Sequence[GrandProjet],
    projet: GrandProjet,
    *,
    referentiel: Referentiel | None = None,
    remplacer: bool = False,
) -> list[GrandProjet]:
    """Nouvelle liste avec le projet ajouté à la fin (ou remplaçant celui de même id si `remplacer`).

    Raises
    ------
    ErreurRegistre
        Projet invalide, ou identifiant déjà utilisé sans `remplacer=True`.
    """
    valider_projet(projet, referentiel=referentiel)
    existants = [p.id for p in registre]
    if projet.id in existants:
        if not remplacer:
            raise ErreurRegistre(
                [_Lieu("registre").probleme(projet.id, "id", projet.id, f"identifiant « {projet.id} » déjà utilisé : choisissez-en un autre.")]
            )
        return [projet if p.id == projet.id else p for p in registre]
    return [*registre, projet]


def ecrire_registre_yaml(projets: Sequence[GrandProjet], chemin: str | Path, *, referentiel: Referentiel | None = None) -> None:
    """Valide les projets puis écrit le registre YAML (écriture atomique : tout ou rien).

    Raises
    ------
    ErreurRegistre
        Un projet invalide ou un identifiant en double : le fichier n'est pas touché.
    """
    texte = projets_vers_yaml(projets)
    projets_depuis_yaml(texte, nom_fichier=Path(chemin).name, referentiel=referentiel)  # même validation qu'à la lecture
    chemin = Path(chemin)
    descripteur, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.", suffix=".tmp")
    try:
        with os.fdopen(descripteur, "w", encoding="utf-8") as f:
            f.write(texte)
        os.replace(temporaire, chemin)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# Tableau CSV / XLSX
# --------------------------------------------------------------------------------------------

REGISTRE = Schema(
    "grands_projets",
    (
        Colonne("id", "texte", True, "Identifiant unique du projet"),
        Colonne("nom", "texte", True, "Nom du projet"),
        Colonne("type", "texte", True, "Type de projet", tuple(t.value for t in TypeProjet)),
        Colonne("periode", "texte", False, "Période du projet, ex. `2022-2032`"),
        Colonne("source", "texte", True, "Source des faits (maître d'ouvrage, décret, site officiel)"),
        Colonne("indicatif", "booleen", False, "`oui` si l'emprise est une approximation"),
        Colonne("forme", "texte", True, "Forme de l'emprise", FORMES),
        Colonne(
            "codes",
            "code",
            False,
            "Territoires : codes INSEE de communes et SIREN d'EPCI séparés par des virgules ; tracé : communes "
            "dans l'ordre, branches séparées par `|`",
        ),
        Colonne(
            "largeur_km",
            "nombre",
            False,
            "Tracé : largeur du corridor en km (une valeur, ou une par branche séparées par `|`)",
            minimum=0,
            maximum=LARGEUR_MAX_KM,
        ),
        Colonne("geometrie_wkt", "texte", False, "Polygone (POLYGON, MULTIPOLYGON) ou ligne dessinée (LINESTRING, MULTILINESTRING) en WKT lon/lat"),
        Colonne("description", "texte", False, "Description du projet"),
        Colonne("avertissement", "texte", False, "Ce que l'emprise a d'approché (affiché avec le projet)"),
    ),
    (
        {
            "id": "canal-seine-nord-europe",
            "nom": "Canal Seine-Nord Europe",
            "type": "transport_fluvial",
            "periode": "2022-2032",
            "source": "Société du Canal Seine-Nord Europe",
            "indicatif": "oui",
            "forme": "trace",
            "codes": "60159,60471,80585,80620,62559,59023",
            "largeur_km": "10",
            "geometrie_wkt": "",
            "description": "",
            "avertissement": "Tracé approché par les villes des ports",
        },
    ),
)
"""Colonnes du tableau d'échange du registre (CSV `;` ou `,`, ou XLSX, feuille `grands_projets`)."""


def _brut_depuis_ligne(ligne: Mapping[str, str], lieu: _Lieu) -> _Brut:
    champs = {
        **{k: k for k in _TEXTES},
        "forme": "forme",
        "communes": "codes",
        "epci": "codes",
        "polygone": "geometrie_wkt",
        "vide_territoires": "codes",
        "vide_trace": "codes",
        "vide_polygone": "geometrie_wkt",
    }
    brut = _Brut(lieu=lieu, textes={k: _texte(ligne.get(k, "")) for k in _TEXTES}, champs=champs)
    forme = _texte(ligne.get("forme", "")).lower()
    if forme == "":
        brut.problemes.append(lieu.probleme(brut.textes["id"] or None, "forme", None, "forme d'emprise manquante (attendu : territoires, trace ou polygone)."))
        return brut
    brut.forme = forme
    codes = _texte(ligne.get("codes", ""))
    wkt = _texte(ligne.get("geometrie_wkt", ""))
    if forme == "territoires" and codes:
        elements = _liste_codes(codes)
        brut.epci = [e for e in elements if _RE_EPCI.match(e)]
        brut.communes = [e for e in elements if not _RE_EPCI.match(e)]
    elif forme == "polygone" and wkt:
        brut.polygone = wkt
    elif forme == "trace":
        branches: list[tuple[list[str] | None, object]] = [(_liste_codes(b), None) for b in codes.split("|") if b.strip()]
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.ShapelyError:
                geom = None
            if isinstance(geom, MultiLineString):
                branches += [(None, g) for g in geom.geoms]
            else:
                branches.append((None, wkt))
        largeurs = [x.strip() for x in _texte(ligne.get("largeur_km", "")).split("|")]
        if len(largeurs) not in (1, len(branches)):
            brut.problemes.append(
                lieu.probleme(
                    brut.textes["id"] or None,
                    "largeur_km",
                    ligne.get("largeur_km"),
                    f"{len(largeurs)} largeurs pour {len(branches)} branches (attendu : une largeur, ou une par branche séparées par `|`).",
                )
            )
            return brut
        for i, (codes_branche, geom) in enumerate(branches):
            brut.traces.append(
                _TraceBrute(
                    largeur=largeurs[i if len(largeurs) > 1 else 0],
                    champ_largeur="largeur_km",
                    codes=codes_branche,
                    champ_codes="codes",
                    ligne=geom,
                    champ_ligne="geometrie_wkt",
                )
            )
    return brut


def lire_registre_tableau(contenu: bytes, nom_fichier: str, *, referentiel: Referentiel | None = None) -> list[GrandProjet]:
    """Lit un registre en tableau CSV ou XLSX (colonnes de `REGISTRE`), une ligne par projet.

    `forme` : `territoires` (`codes` : communes et EPCI mêlés, un SIREN a 9 chiffres), `trace`
    (`codes` : communes dans l'ordre, branches séparées par `|` ; ou `geometrie_wkt` :
    LINESTRING/MULTILINESTRING ; `largeur_km`), `polygone` (`geometrie_wkt`). Un code commune à
    4 chiffres a perdu son zéro initial : `1001` est lu `01001`.

    Raises
    ------
    ErreurLecture
        Fichier illisible ou colonne obligatoire absente.
    ErreurRegistre
        Un problème par erreur, avec la ligne du tableur (en-tête = ligne 1) et la colonne.
    """
    referentiel = referentiel or charger_referentiel()
    tableau = lire_tableau(contenu, nom_fichier=nom_fichier, schema=REGISTRE)
    bruts = [
        _brut_depuis_ligne(ligne, _Lieu(tableau.libelle, ligne=int(numero), terme="colonne"))
        for numero, ligne in zip(tableau.donnees.index, tableau.donnees.to_dict("records"), strict=True)
    ]
    problemes = [
        ProblemeRegistre(p.fichier, p.ligne, p.colonne, p.valeur, p.message, terme="colonne") for p in tableau.erreurs
    ]
    return _valider_tout(bruts, referentiel, problemes)


def _echapper(texte: str) -> str:
    """Une cellule commençant par = + - @ serait lue comme une formule par le tableur."""
    return "'" + texte if texte[:1] in ("=", "+", "-", "@") else texte


def _ligne_tableau(p: GrandProjet) -> dict[str, str]:
    codes, wkt, largeurs = "", "", ""
    if p.forme == "territoires":
        codes = ",".join([*p.communes, *p.epci])
    elif p.forme == "polygone":
        wkt = p.polygone or ""
    else:
        par_communes = [t for t in p.traces if t.communes]
        par_ligne = [t for t in p.traces if not t.communes]
        codes = "|".join(",".join(t.communes) for t in par_communes)
        lignes = [shapely.from_wkt(t.ligne) for t in par_ligne]
        if len(lignes) == 1:
            wkt = shapely.to_wkt(lignes[0], rounding_precision=6, trim=True)
        elif lignes:
            wkt = shapely.to_wkt(MultiLineString(lignes), rounding_precision=6, trim=True)
        valeurs = [format_nombre(t.largeur_km, 3, compact=True).replace("\u00a0", "") for t in [*par_communes, *par_ligne]]
        largeurs = valeurs[0] if len(set(valeurs)) == 1 else "|".join(valeurs)
    return {
        "id": p.id,
        "nom": p.nom,
        "type": p.type.value,
        "periode": p.periode,
        "source": p.source,
        "indicatif": "oui" if p.indicatif else "non",
        "forme": p.forme,
        "codes": codes,
        "largeur_km": largeurs,
        "geometrie_wkt": wkt,
        "description": p.description,
        "avertissement": p.avertissement,
    }


def exporter_registre_tableau(projets: Sequence[GrandProjet], *, format: Literal["csv", "xlsx"] = "csv") -> bytes:
    """Le registre en tableau (colonnes de `REGISTRE`), relu à l'identique par `lire_registre_tableau`.

    CSV : séparateur `;`, UTF-8 avec BOM (ouvert tel quel par Excel). XLSX : feuille
    `grands_projets`, toutes les cellules en texte (les codes gardent leurs zéros).
    """
    lignes = [{k: _echapper(v) for k, v in _ligne_tableau(p).items()} for p in projets]
    table = pd.DataFrame(lignes, columns=REGISTRE.noms, dtype="str")
    if format == "csv":
        return table.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")
    if format == "xlsx":
        import openpyxl  # import local : seul l'export XLSX en a besoin

        classeur = openpyxl.Workbook()
        feuille = classeur.active
        feuille.title = REGISTRE.nom
        feuille.append(REGISTRE.noms)
        for ligne in table.itertuples(index=False):
            feuille.append(list(ligne))
        for cellule in feuille[1]:
            cellule.font = openpyxl.styles.Font(bold=True)
        sortie = io.BytesIO()
        classeur.save(sortie)
        return sortie.getvalue()
    raise ValueError(f"format « {format} » inconnu (attendu : csv ou xlsx).")


# --------------------------------------------------------------------------------------------
# GeoJSON et dessin
# --------------------------------------------------------------------------------------------


def _brut_depuis_feature(feature: Mapping, lieu: _Lieu) -> _Brut:
    proprietes = feature.get("properties") or {}
    geometrie = feature.get("geometry")
    forme = _texte(proprietes.get("forme")).lower() or None
    ligne: dict[str, object] = {k: proprietes.get(k) for k in _TEXTES}
    codes = proprietes.get("codes")
    if isinstance(codes, list):
        codes = ",".join(_texte(c) for c in codes)
    largeur = proprietes.get("largeur_km")
    if isinstance(largeur, list):
        largeur = "|".join(_texte(x) for x in largeur)
    ligne.update({"codes": _texte(codes), "largeur_km": _texte(largeur), "geometrie_wkt": _texte(proprietes.get("geometrie_wkt"))})
    type_geom = (geometrie or {}).get("type") if isinstance(geometrie, Mapping) else None
    if forme is None:
        forme = {"LineString": "trace", "MultiLineString": "trace", "Polygon": "polygone", "MultiPolygon": "polygone"}.get(type_geom or "")
    ligne["forme"] = forme or ""
    illisible = False
    if forme in ("trace", "polygone") and not ligne["codes"] and not ligne["geometrie_wkt"] and type_geom:
        try:
            ligne["geometrie_wkt"] = shape(geometrie).wkt
        except Exception:  # noqa: BLE001 — shapely lève des erreurs variées sur un GeoJSON mal formé
            illisible = True
    brut = _brut_depuis_ligne({k: _texte(v) for k, v in ligne.items()}, lieu)
    if illisible:
        brut.problemes.append(lieu.probleme(_texte(ligne.get("id")) or None, "geometry", type_geom, "géométrie GeoJSON illisible (coordonnées mal formées)."))
    brut.champs.update({"communes": "codes", "epci": "codes", "polygone": "geometry", "vide_polygone": "geometry", "vide_trace": "geometry"})
    for t in brut.traces:
        t.champ_ligne = "geometry"
    if forme is None and not ligne["codes"]:
        brut.problemes = [
            lieu.probleme(
                _texte(ligne.get("id")) or None,
                "geometry",
                type_geom,
                f"géométrie « {type_geom or 'absente'} » non prise en charge (attendu : LineString, MultiLineString, Polygon ou MultiPolygon).",
            )
        ]
    return brut


def projet_depuis_geojson(feature: Mapping, *, referentiel: Referentiel | None = None, nom_fichier: str = "GeoJSON") -> GrandProjet:
    """Un projet depuis un objet GeoJSON `Feature` (propriétés : celles de `REGISTRE`).

    Avec `forme` = `territoires` ou `trace` et `codes` renseignés, les codes font foi (la géométrie
    exportée n'est qu'une illustration) ; sinon la géométrie : LineString/MultiLineString → tracé
    (avec `largeur_km`), Polygon/MultiPolygon → polygone. Coordonnées en lon/lat (RFC 7946).

    Raises
    ------
    ErreurRegistre
    """
    referentiel = referentiel or charger_referentiel()
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise ErreurRegistre([_Lieu(nom_fichier).probleme(None, None, None, "un objet GeoJSON de type « Feature » est attendu.")])
    return _valider_tout([_brut_depuis_feature(feature, _Lieu(nom_fichier))], referentiel)[0]


def lire_registre_geojson(contenu: bytes, nom_fichier: str, *, referentiel: Referentiel | None = None) -> list[GrandProjet]:
    """Lit un registre GeoJSON (`FeatureCollection` ou `Feature`), par exemple exporté par `exporter_registre_geojson`.

    Raises
    ------
    ErreurRegistre
        Fichier illisible, ou un problème par objet invalide (« objet n° 3 »).
    """
    referentiel = referentiel or charger_referentiel()
    fichier = _Lieu(nom_fichier)
    try:
        donnees = json.loads(contenu.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ErreurRegistre([fichier.probleme(None, None, None, "fichier GeoJSON illisible (JSON invalide ou pas en UTF-8).")]) from exc
    if isinstance(donnees, Mapping) and donnees.get("type") == "Feature":
        donnees = {"type": "FeatureCollection", "features": [donnees]}
    if not isinstance(donnees, Mapping) or donnees.get("type") != "FeatureCollection" or not isinstance(donnees.get("features"), list):
        raise ErreurRegistre([fichier.probleme(None, None, None, "un GeoJSON de type « FeatureCollection » est attendu.")])
    bruts, problemes = [], []
    for i, feature in enumerate(donnees["features"], start=1):
        lieu = _Lieu(nom_fichier, position=f"objet n° {i}")
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            problemes.append(lieu.probleme(None, None, None, "un objet de type « Feature » est attendu."))
            continue
        bruts.append(_brut_depuis_feature(feature, lieu))
    return _valider_tout(bruts, referentiel, problemes)


def projet_depuis_dessin(
    geometrie: Mapping,
    *,
    id: str,  # noqa: A002 — nom du champ du registre
    nom: str,
    type: TypeProjet | str,  # noqa: A002
    largeur_km: float | None = None,
    source: str = "Tracé sur la carte",
    periode: str = "",
    description: str = "",
    indicatif: bool = True,
    avertissement: str = "emprise dessinée à la main sur la carte.",
    referentiel: Referentiel | None = None,
) -> GrandProjet:
    """Un projet depuis un dessin du plugin Draw de Leaflet (géométrie ou Feature GeoJSON, lon/lat).

    Une ligne (`LineString`) devient un tracé de corridor `largeur_km` ; un polygone ou un
    rectangle (`Polygon`) devient une emprise polygonale. Le projet est indicatif par défaut.

    Raises
    ------
    ErreurRegistre
        Forme non prise en charge (cercle, marqueur), polygone qui se recoupe, largeur absente
        ou hors bornes, identifiant vide…
    """
    referentiel = referentiel or charger_referentiel()
    geom = geometrie.get("geometry") if geometrie.get("type") == "Feature" else geometrie
    lieu = _Lieu("dessin")
    type_geom = (geom or {}).get("type")
    textes = {
        "id": _texte(id), "nom": _texte(nom), "type": _texte(type), "periode": _texte(periode), "source": _texte(source),
        "indicatif": "oui" if indicatif else "non", "description": _texte(description), "avertissement": _texte(avertissement),
    }  # fmt: skip
    brut = _Brut(lieu=lieu, textes=textes, champs={**_champs_yaml(), "polygone": "géométrie", "forme": "géométrie"})
    if type_geom in ("LineString", "MultiLineString"):
        try:
            parties = shape({"type": type_geom, "coordinates": geom.get("coordinates")})
        except Exception as exc:  # noqa: BLE001 — coordonnées mal formées
            raise ErreurRegistre([lieu.probleme(textes["id"] or None, "géométrie", None, "ligne dessinée illisible : recommencez le tracé.")]) from exc
        lignes = list(parties.geoms) if isinstance(parties, MultiLineString) else [parties]
        brut.traces = [_TraceBrute(largeur="" if largeur_km is None else str(largeur_km), champ_largeur="largeur_km", ligne=g, champ_ligne="géométrie") for g in lignes]
    elif type_geom in ("Polygon", "MultiPolygon"):
        brut.polygone = dict(geom)
    else:
        raise ErreurRegistre(
            [
                lieu.probleme(
                    textes["id"] or None,
                    "géométrie",
                    type_geom,
                    f"forme dessinée « {type_geom or 'absente'} » non prise en charge : tracez une ligne (corridor) ou un polygone.",
                )
            ]
        )
    return _valider_tout([brut], referentiel)[0]


def projets_npnru(quartiers: pd.DataFrame, *, source: str, referentiel: Referentiel | None = None, periode: str = "2014-2030") -> list[GrandProjet]:
    """Des projets de renouvellement urbain (NPNRU) depuis une table de quartiers.

    Parameters
    ----------
    quartiers : une ligne par quartier : `code_quartier` (code QPV), `nom`, `communes` (codes
        INSEE séparés par des virgules), et facultativement `interet` (`national` ou `regional`).
    source : d'où vient la liste (ex. « ANRU, liste des quartiers NPNRU, data.gouv.fr »).

    Returns
    -------
    Un projet `npnru-<code_quartier>` par quartier, de type `renovation_urbaine`, emprise
    `territoires` = ses communes, marqué indicatif : le quartier n'occupe qu'une partie de la
    commune, dont la population entière est comptée.
    """
    referentiel = referentiel or charger_referentiel()
    interet = quartiers["interet"] if "interet" in quartiers else pd.Series("", index=quartiers.index)
    libelle_interet = interet.map({"national": " (intérêt national)", "regional": " (intérêt régional)"}).fillna("")
    objets = [
        {
            "id": f"npnru-{code}",
            "nom": f"NPNRU — {nom}{suffixe}",
            "type": TypeProjet.RENOVATION_URBAINE.value,
            "periode": periode,
            "source": source,
            "indicatif": "oui",
            "avertissement": "emprise approchée par la ou les communes entières du quartier (le quartier n'en couvre qu'une partie).",
            "territoires": {"communes": _liste_codes(communes)},
        }
        for code, nom, communes, suffixe in zip(
            quartiers["code_quartier"].astype(str), quartiers["nom"].astype(str), quartiers["communes"].astype(str), libelle_interet, strict=True
        )
    ]
    bruts = [_brut_depuis_objet(o, _Lieu("quartiers NPNRU", position=f"quartier n° {i}")) for i, o in enumerate(objets, start=1)]
    return _valider_tout(bruts, referentiel)


# --------------------------------------------------------------------------------------------
# Géométrie des emprises
# --------------------------------------------------------------------------------------------


def _epsg_departements(departements: pd.Series) -> np.ndarray:
    """EPSG de la projection métrique de chaque département (Lambert-93 ou UTM du DROM)."""
    return departements.map(_EPSG_DROM).fillna(_EPSG_METROPOLE).astype("int64").to_numpy()


def _epsg_point(lon: float, lat: float) -> int:
    """EPSG de la projection métrique pour un point en lon/lat (boîtes larges autour de chaque DROM)."""
    if lon < -40:  # Antilles et Guyane
        return _EPSG_DROM["973"] if lat < 9 else _EPSG_DROM["971"]
    if lat < -5:  # océan Indien
        return _EPSG_DROM["974"] if lon > 50 else _EPSG_DROM["976"]
    return _EPSG_METROPOLE


def _axes(projet: GrandProjet, referentiel: Referentiel) -> list[tuple[LineString, float]]:
    """Les lignes d'un projet (lon/lat) et la largeur de leur corridor (km)."""
    axes = []
    points = referentiel.communes[["lon", "lat"]]
    for t in projet.traces:
        if t.communes:
            ligne = LineString(points.loc[list(t.communes)].to_numpy())
        else:
            ligne = shapely.from_wkt(t.ligne)
        axes.append((ligne, t.largeur_km))
    return axes


def _corridors(axes: list[tuple[LineString, float]]) -> BaseGeometry:
    """Union des corridors : chaque ligne élargie de `largeur_km / 2` (m) dans sa projection métrique."""
    morceaux = []
    for ligne, largeur in axes:
        lon, lat = ligne.centroid.coords[0]
        epsg = _epsg_point(lon, lat)
        tampon = gpd.GeoSeries([ligne], crs=4326).to_crs(epsg).buffer(largeur * 500.0, quad_segs=16)
        morceaux.append(tampon.to_crs(4326).iloc[0])
    return shapely.union_all(morceaux)


def _communes_territoires(projet: GrandProjet, referentiel: Referentiel) -> pd.Index:
    membres = referentiel.communes.index[referentiel.communes["epci"].isin(projet.epci)]
    return pd.Index(list(dict.fromkeys([*projet.communes, *membres])), dtype="str")


def axe_projet(projet: GrandProjet, *, referentiel: Referentiel) -> BaseGeometry | None:
    """L'axe d'un projet linéaire en lon/lat (LineString, MultiLineString pour plusieurs branches), sinon None."""
    axes = [ligne for ligne, _ in _axes(projet, referentiel)]
    if not axes:
        return None
    return axes[0] if len(axes) == 1 else MultiLineString(axes)


def geometrie_empreinte(
    projet: GrandProjet, *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame | None = None
) -> BaseGeometry:
    """La surface de l'emprise en lon/lat (EPSG:4326).

    Tracé : union des corridors ; polygone : le polygone ; territoires : union des communes (il
    faut alors `communes_geo`, polygones communaux indexés par code, en EPSG:4326).
    """
    if projet.forme == "trace":
        return _corridors(_axes(projet, referentiel))
    if projet.forme == "polygone":
        return shapely.from_wkt(projet.polygone)
    if communes_geo is None:
        raise ValueError("`communes_geo` est nécessaire pour dessiner une emprise par territoires.")
    codes = _communes_territoires(projet, referentiel)
    geoms = communes_geo.geometry.reindex(codes).dropna()
    if communes_geo.crs is not None and not communes_geo.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs(4326)
    return shapely.union_all(geoms.to_numpy())


# --------------------------------------------------------------------------------------------
# Empreintes
# --------------------------------------------------------------------------------------------

COLONNES_EMPREINTE = ["id_projet", "commune", "nom", "epci", "departement", "region", "population", "part_surface"]


def _verifier_communes_geo(communes_geo: gpd.GeoDataFrame) -> None:
    if communes_geo.crs is None:
        raise ValueError("`communes_geo` n'a pas de système de coordonnées (attendu : EPSG:4326, index = code commune).")


def empreintes(
    projets: Sequence[GrandProjet],
    *,
    referentiel: Referentiel,
    communes_geo: gpd.GeoDataFrame,
    part_min: float = PART_SURFACE_MIN,
) -> pd.DataFrame:
    """Les communes touchées par chaque projet.

    Parameters
    ----------
    projets : les projets (registre validé).
    referentiel : tables du COG (points des communes pour les tracés, appartenances, population).
    communes_geo : polygones des communes, index = code INSEE, de préférence en EPSG:4326
        (`charger_geometries("commune", affichage=False)`) ; son index spatial est construit au
        premier appel et gardé sur l'objet : passez toujours le même objet.
    part_min : part minimale (0 à 1) de la surface d'une commune dans l'emprise pour qu'elle
        soit touchée.

    Returns
    -------
    DataFrame, une ligne par (projet, commune) : `id_projet`, `commune`, `nom`, `epci` (SIREN,
    vide hors EPCI), `departement`, `region`, `population` (population municipale), `part_surface`
    (part de la surface de la commune dans l'emprise, 0 à 1 ; 1 pour une emprise par
    territoires). Triée par ordre des projets puis code commune.

    Notes
    -----
    Les surfaces sont calculées dans la projection métrique de la commune (Lambert-93, ou UTM
    officiel du DROM). Une commune sans géométrie (4 communes nouvelles du Cantal) n'est touchée
    que par une emprise par territoires.
    """
    _verifier_communes_geo(communes_geo)
    ordre = {p.id: i for i, p in enumerate(projets)}
    morceaux = []

    # Territoires : développement par la table du COG.
    par_territoires = [p for p in projets if p.forme == "territoires"]
    if par_territoires:
        paires = pd.concat(
            [pd.DataFrame({"id_projet": p.id, "commune": _communes_territoires(p, referentiel)}) for p in par_territoires],
            ignore_index=True,
        )
        morceaux.append(paires.assign(part_surface=1.0))

    # Tracés et polygones : intersection avec les polygones communaux (index spatial, une requête).
    geometriques = [p for p in projets if p.forme != "territoires"]
    if geometriques:
        emprises = gpd.GeoSeries([geometrie_empreinte(p, referentiel=referentiel) for p in geometriques], crs=4326)
        if not communes_geo.crs.equals(emprises.crs):
            emprises = emprises.to_crs(communes_geo.crs)
        i_projet, i_commune = communes_geo.sindex.query(emprises.to_numpy(), predicate="intersects")
        codes = communes_geo.index.to_numpy()[i_commune]
        paires = pd.DataFrame({"id_projet": np.array([p.id for p in geometriques], dtype=object)[i_projet], "commune": codes})
        paires["part_surface"] = _parts_surface(
            communes_geo.geometry.to_numpy()[i_commune],
            emprises.to_numpy()[i_projet],
            crs=communes_geo.crs,
            epsg=_epsg_departements(referentiel.communes["departement"].reindex(codes)),
        )
        morceaux.append(paires[paires["part_surface"] >= part_min])

    if not morceaux:
        return _empreinte_vide()
    tout = pd.concat(morceaux, ignore_index=True).drop_duplicates(["id_projet", "commune"])
    infos = referentiel.communes[["nom", "epci", "departement", "region", "population"]]
    sortie = tout.join(infos, on="commune", how="inner")
    sortie["epci"] = sortie["epci"].fillna("").astype("str")
    sortie = sortie.assign(_ordre=sortie["id_projet"].map(ordre)).sort_values(["_ordre", "commune"])
    sortie = sortie.astype({"id_projet": "str", "commune": "str", "population": "int64", "part_surface": "float64"})
    return sortie[COLONNES_EMPREINTE].reset_index(drop=True)


def _empreinte_vide() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in COLONNES_EMPREINTE[:-2]}).assign(
        population=pd.Series(dtype="int64"), part_surface=pd.Series(dtype="float64")
    )


def _parts_surface(communes: np.ndarray, emprises: np.ndarray, *, crs: object, epsg: np.ndarray) -> np.ndarray:
    """Part de la surface de chaque commune dans l'emprise associée, en projection métrique locale."""
    parts = np.zeros(len(communes), dtype=float)
    for code_epsg in np.unique(epsg):
        masque = epsg == code_epsg
        c = gpd.GeoSeries(communes[masque], crs=crs).to_crs(int(code_epsg))
        e = gpd.GeoSeries(emprises[masque], crs=crs).to_crs(int(code_epsg))
        surface = c.area.to_numpy()
        commun = shapely.area(shapely.intersection(c.to_numpy(), e.to_numpy()))
        parts[masque] = np.where(surface > 0, commun / np.where(surface > 0, surface, 1.0), 0.0)
    return np.clip(parts, 0.0, 1.0)


def empreinte(
    projet: GrandProjet, *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame, part_min: float = PART_SURFACE_MIN
) -> pd.DataFrame:
    """Les communes touchées par un projet (voir `empreintes`), sans la colonne `id_projet`.

    Examples
    --------
    >>> canal = next(p for p in charger_registre() if p.id == "canal-seine-nord-europe")
    >>> e = empreinte(canal, referentiel=charger_referentiel(), communes_geo=charger_geometries("commune", affichage=False))
    >>> sorted(e["departement"].unique())
    ['59', '60', '62', '80']
    """
    return empreintes([projet], referentiel=referentiel, communes_geo=communes_geo, part_min=part_min).drop(columns="id_projet")


# --------------------------------------------------------------------------------------------
# Bilan
# --------------------------------------------------------------------------------------------

COLONNES_BILAN = [
    "nb_communes", "nb_epci", "population", "departements", "structures", "nb_structures", "etp",
    "part_population_couverte", "nb_communes_non_couvertes", "population_non_couverte",
    "nb_communes_extension_seule", "nb_zones_blanches",
    *[f"zb_{c}" for c in CRITERES_ZONE_BLANCHE], "communes_zone_blanche", "alerte", "alerte_motif",
]  # fmt: skip


def _pluriel(n: pd.Series, singulier: str, pluriel: str) -> pd.Series:
    return n.astype("int64").astype("str") + " " + pd.Series(np.where(n > 1, pluriel, singulier), index=n.index)


def _joindre(morceaux: pd.DataFrame) -> pd.Series:
    """Joint les morceaux non vides d'une ligne : « a », « a et b », « a, b et c »."""
    listes = morceaux.apply(lambda r: [x for x in r if x], axis=1)  # une ligne par projet
    return listes.map(lambda xs: (", ".join(xs[:-1]) + " et " + xs[-1]) if len(xs) > 1 else (xs[0] if xs else ""))


def bilan_projets(
    empreintes: pd.DataFrame,
    *,
    couverture_communes: pd.DataFrame,
    zones_blanches: pd.DataFrame | None = None,
    projets: Sequence[GrandProjet] | None = None,
) -> pd.DataFrame:
    """Ce que le réseau des facilitateurs offre sur l'emprise de chaque projet, et les alertes.

    Parameters
    ----------
    empreintes : sortie de `empreintes`.
    couverture_communes : couverture par commune (`coverage.territoires.couverture.couverture_par_commune`),
        index = code commune ; colonnes utilisées `etp`, `structures` (identifiants séparés par
        des virgules), `statut` (`non_couvert`, `extension_seule`, `couvert`). Une commune absente
        de la table compte comme non couverte, sans ETP.
    zones_blanches : zones blanches par commune, index = code commune ; colonne `criteres`
        (`non_couvert`, `couverture_limitrophe`, `capacite_insuffisante`, séparés par des
        virgules). None : aucune table de zones blanches.
    projets : si donné, une ligne par projet (même sans commune touchée), précédée de `nom`,
        `type`, `indicatif`, `mention`.

    Returns
    -------
    DataFrame indexé par `id_projet` : `nb_communes`, `nb_epci`, `population` (habitants),
    `departements` (« 59, 62 »), `structures` (identifiants des structures présentes, triés),
    `nb_structures`, `etp` (somme des ETP de facilitateurs affectés aux communes touchées),
    `part_population_couverte` (population des communes couvertes, y compris par extension,
    sur la population touchée, 0 à 1), `nb_communes_non_couvertes`, `population_non_couverte`,
    `nb_communes_extension_seule`, `nb_zones_blanches`, `zb_<critère>` (communes par critère),
    `communes_zone_blanche` (codes), `alerte` (bool) et `alerte_motif` (phrase en français).

    Notes
    -----
    Un projet est en alerte s'il touche une commune en zone blanche (quel qu'en soit le critère,
    dont la capacité insuffisante), une commune sans facilitateur, ou une commune couverte
    seulement par une extension limitrophe : le grand projet est lui-même un besoin identifié
    au sens de la définition de zone blanche de l'appel.
    """
    e = empreintes.drop_duplicates(["id_projet", "commune"]).reset_index(drop=True)
    cov = couverture_communes.reindex(e["commune"].to_numpy())
    e = e.assign(
        etp=cov["etp"].fillna(0.0).to_numpy(dtype=float),
        structures=cov["structures"].fillna("").astype("str").to_numpy(),
        statut=cov["statut"].fillna(StatutCouverture.NON_COUVERT.value).astype("str").to_numpy(),
    )
    non_couvert = e["statut"] == StatutCouverture.NON_COUVERT.value
    e["pop_couverte"] = e["population"].where(~non_couvert, 0)
    e["pop_non_couverte"] = e["population"].where(non_couvert, 0)
    e["non_couvert"] = non_couvert
    e["extension_seule"] = e["statut"] == StatutCouverture.EXTENSION_SEULE.value
    if zones_blanches is not None and len(zones_blanches):
        criteres = zones_blanches["criteres"].reindex(e["commune"].to_numpy()).fillna("").astype("str").to_numpy()
    else:
        criteres = np.full(len(e), "", dtype=object)
    e["criteres"] = criteres
    e["zone_blanche"] = e["criteres"].str.strip() != ""

    g = e.groupby("id_projet", sort=False)
    bilan = pd.DataFrame(
        {
            "nb_communes": g["commune"].nunique(),
            "nb_epci": e[e["epci"] != ""].groupby("id_projet")["epci"].nunique(),
            "population": g["population"].sum(),
            "etp": g["etp"].sum(),
            "pop_couverte": g["pop_couverte"].sum(),
            "nb_communes_non_couvertes": g["non_couvert"].sum(),
            "population_non_couverte": g["pop_non_couverte"].sum(),
            "nb_communes_extension_seule": g["extension_seule"].sum(),
            "nb_zones_blanches": g["zone_blanche"].sum(),
        }
    )
    bilan["departements"] = (
        e[["id_projet", "departement"]].drop_duplicates().sort_values("departement").groupby("id_projet")["departement"].agg(", ".join)
    )
    structures = e[["id_projet"]].assign(structures=e["structures"].str.split(",")).explode("structures").dropna()
    structures["structures"] = structures["structures"].astype("str").str.strip()
    structures = structures[structures["structures"] != ""].drop_duplicates().sort_values("structures")
    bilan["structures"] = structures.groupby("id_projet")["structures"].agg(",".join)
    bilan["nb_structures"] = structures.groupby("id_projet")["structures"].nunique()
    zb = e.loc[e["zone_blanche"], ["id_projet", "commune", "criteres"]]
    bilan["communes_zone_blanche"] = zb.groupby("id_projet")["commune"].agg(",".join)
    par_critere = zb[["id_projet", "commune"]].assign(critere=zb["criteres"].str.split(",")).explode("critere").dropna()
    par_critere["critere"] = par_critere["critere"].astype("str").str.strip()
    par_critere = par_critere.drop_duplicates()
    for c in CRITERES_ZONE_BLANCHE:
        bilan[f"zb_{c}"] = par_critere[par_critere["critere"] == c].groupby("id_projet")["commune"].nunique()

    if projets is not None:
        bilan = bilan.reindex([p.id for p in projets])
    bilan.index.name = "id_projet"
    entiers = ["nb_communes", "nb_epci", "population", "nb_communes_non_couvertes", "population_non_couverte",
               "nb_communes_extension_seule", "nb_zones_blanches", "nb_structures", *[f"zb_{c}" for c in CRITERES_ZONE_BLANCHE]]  # fmt: skip
    bilan[entiers] = bilan[entiers].fillna(0).astype("int64")
    bilan[["etp", "pop_couverte"]] = bilan[["etp", "pop_couverte"]].fillna(0.0).astype(float)
    for c in ("departements", "structures", "communes_zone_blanche"):
        bilan[c] = bilan[c].fillna("").astype("str")
    population = bilan["population"].astype(float)
    bilan["part_population_couverte"] = (bilan["pop_couverte"] / population.where(population > 0)).fillna(0.0)

    # Alerte et motif.
    bilan["alerte"] = (bilan["nb_zones_blanches"] > 0) | (bilan["nb_communes_non_couvertes"] > 0) | (bilan["nb_communes_extension_seule"] > 0)
    details = pd.DataFrame(
        {
            c: np.where(bilan[f"zb_{c}"] > 0, libelle + " : " + bilan[f"zb_{c}"].astype("str"), "")
            for c, libelle in CRITERES_ZONE_BLANCHE.items()
        },
        index=bilan.index,
    )
    detail = details.apply(lambda r: " ; ".join(x for x in r if x), axis=1) if len(bilan) else pd.Series(dtype="str")
    morceaux = pd.DataFrame(
        {
            "zb": np.where(
                bilan["nb_zones_blanches"] > 0,
                _pluriel(bilan["nb_zones_blanches"], "commune", "communes") + " en zone blanche (" + detail.astype("str") + ")",
                "",
            ),
            "nc": np.where(
                bilan["nb_communes_non_couvertes"] > 0,
                _pluriel(bilan["nb_communes_non_couvertes"], "commune", "communes")
                + " sans facilitateur ("
                + bilan["population_non_couverte"].map(format_nombre)
                + " habitants)",
                "",
            ),
            "ext": np.where(
                bilan["nb_communes_extension_seule"] > 0,
                _pluriel(bilan["nb_communes_extension_seule"], "commune couverte", "communes couvertes")
                + " seulement par une extension limitrophe",
                "",
            ),
        },
        index=bilan.index,
    )
    phrase = _joindre(morceaux) if len(bilan) else pd.Series(dtype="str")
    bilan["alerte_motif"] = np.where(bilan["alerte"], "Le projet touche " + phrase.astype("str") + ".", "")
    bilan["alerte_motif"] = bilan["alerte_motif"].astype("str")
    sortie = bilan[COLONNES_BILAN]
    if projets is not None:
        infos = tableau_registre(projets).set_index("id")[["nom", "type", "indicatif", "mention"]]
        sortie = infos.join(sortie)
        sortie.index.name = "id_projet"
    return sortie


# --------------------------------------------------------------------------------------------
# Tableaux et couches pour les pages
# --------------------------------------------------------------------------------------------


def tableau_registre(projets: Sequence[GrandProjet]) -> pd.DataFrame:
    """Le registre en tableau pour l'affichage : une ligne par projet.

    Colonnes : `id`, `nom`, `type` (code), `type_libelle`, `periode`, `source`, `indicatif`,
    `mention` (texte d'approximation à afficher, vide si l'emprise est exacte), `forme`,
    `forme_libelle`, `nb_codes` (communes et EPCI listés), `largeur_km` (tracés, sinon NaN),
    `description`.
    """
    return pd.DataFrame(
        {
            "id": [p.id for p in projets],
            "nom": [p.nom for p in projets],
            "type": [p.type.value for p in projets],
            "type_libelle": [p.type.libelle for p in projets],
            "periode": [p.periode for p in projets],
            "source": [p.source for p in projets],
            "indicatif": pd.Series([p.indicatif for p in projets], dtype="bool"),
            "mention": [p.mention for p in projets],
            "forme": [p.forme for p in projets],
            "forme_libelle": [LIBELLES_FORMES[p.forme] for p in projets],
            "nb_codes": pd.Series([len(p.communes) + len(p.epci) for p in projets], dtype="int64"),
            "largeur_km": pd.Series([max((t.largeur_km for t in p.traces), default=np.nan) for p in projets], dtype="float64"),
            "description": [p.description for p in projets],
        }
    ).astype({c: "str" for c in ("id", "nom", "type", "type_libelle", "periode", "source", "mention", "forme", "forme_libelle", "description")})


def carte_projets(projets: Sequence[GrandProjet], *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Une couche par projet pour la carte : la surface de l'emprise (EPSG:4326) et ses libellés.

    Colonnes : celles de `tableau_registre`, `geometry` (corridor, polygone ou union des
    communes). La `mention` dit sur la carte quand l'emprise est approchée. L'axe des tracés :
    `axe_projet`.
    """
    table = tableau_registre(projets)
    geometries = [geometrie_empreinte(p, referentiel=referentiel, communes_geo=communes_geo) for p in projets]
    return gpd.GeoDataFrame(table, geometry=geometries, crs=4326)


def exporter_registre_geojson(
    projets: Sequence[GrandProjet], *, referentiel: Referentiel, communes_geo: gpd.GeoDataFrame | None = None
) -> bytes:
    """Le registre en GeoJSON (RFC 7946, lon/lat), relu par `lire_registre_geojson`.

    Une `Feature` par projet ; géométrie : l'axe pour un tracé (`LineString`, `MultiLineString`
    pour plusieurs branches), le polygone, ou l'union des communes (`MultiPolygon`) pour des
    territoires (depuis `communes_geo`, par défaut la couche communale d'affichage). Propriétés :
    les colonnes de `REGISTRE` (`indicatif` booléen, `largeur_km` nombre ou liste par branche),
    plus `type_libelle` et `mention`.
    """
    if communes_geo is None and any(p.forme == "territoires" for p in projets):
        communes_geo = charger_geometries("commune", affichage=True)
    features = []
    for p in projets:
        ligne = _ligne_tableau(p)
        if p.forme == "trace":
            geom = axe_projet(p, referentiel=referentiel)
            largeurs = [t.largeur_km for t in p.traces]
            largeur: object = largeurs[0] if len(set(largeurs)) == 1 else largeurs
        else:
            geom = geometrie_empreinte(p, referentiel=referentiel, communes_geo=communes_geo)
            if p.forme == "territoires" and geom.geom_type == "Polygon":
                geom = shapely.MultiPolygon([geom])
            largeur = None
        geom = shapely.set_precision(geom, 1e-6) if p.forme == "territoires" else geom
        proprietes = {k: v for k, v in ligne.items() if k not in ("geometrie_wkt", "largeur_km", "indicatif")}
        if p.forme == "trace" and ligne["codes"] and ligne["geometrie_wkt"]:
            proprietes["geometrie_wkt"] = ligne["geometrie_wkt"]  # branches dessinées d'un tracé mixte
        proprietes.update({"indicatif": p.indicatif, "largeur_km": largeur, "type_libelle": p.type.libelle, "mention": p.mention})
        features.append({"type": "Feature", "id": p.id, "properties": proprietes, "geometry": mapping(geom)})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def epci_du_projet(
    empreintes: pd.DataFrame,
    *,
    id_projet: str,
    zones_blanches_epci: pd.DataFrame,
    structures: pd.DataFrame,
) -> pd.DataFrame:
    """Les EPCI traversés par un projet, avec les facilitateurs qui les couvrent et leurs critères de zone blanche.

    Parameters
    ----------
    empreintes : sortie de `empreintes`.
    zones_blanches_epci : `evaluer_zones_blanches(niveau="epci")` (index SIREN) : `nom`, `etp`,
        `structures`, `criteres`, `est_zone_blanche`.
    structures : table `structures` (pour les noms).

    Returns
    -------
    DataFrame indexé par SIREN : `nom`, `nb_communes_touchees`, `population_touchee`, `etp`
    (ETP de facilitateurs de tout l'EPCI), `facilitateurs` (noms), `criteres`, `est_zone_blanche`.
    """
    e = empreintes[(empreintes["id_projet"] == id_projet) & empreintes["epci"].notna()]
    par_epci = e.groupby("epci").agg(nb_communes_touchees=("commune", "nunique"), population_touchee=("population", "sum"))
    zb = zones_blanches_epci.reindex(par_epci.index)
    noms = structures.set_index("id_structure")["nom"]
    ids = zb["structures"].fillna("").astype(str).str.split(",").explode()
    ids = ids[ids != ""]
    facilitateurs = ids.map(noms).fillna(ids).groupby(level=0).agg(", ".join)
    sortie = par_epci.join(zb[["nom", "etp", "criteres", "est_zone_blanche"]])
    sortie["facilitateurs"] = facilitateurs.reindex(sortie.index).fillna("aucun")
    sortie["est_zone_blanche"] = sortie["est_zone_blanche"].fillna(False).astype(bool)
    sortie.index.name = "epci"
    return sortie[["nom", "nb_communes_touchees", "population_touchee", "etp", "facilitateurs", "criteres", "est_zone_blanche"]]
