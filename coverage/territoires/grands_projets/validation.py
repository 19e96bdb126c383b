"""Validation commune à tous les formats du registre : une entrée brute (`_Brut`) devient un `GrandProjet`.

Chaque format (YAML, tableau, GeoJSON, dessin, NPNRU) lit son fichier en entrées brutes, puis appelle
`_valider_tout` : tous les problèmes sont listés en français (fichier, ligne, projet, champ), et rien
n'est chargé s'il y en a un.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from coverage.documents.format import format_nombre
from coverage.sources.lecture import booleen_fr, nombre_fr
from coverage.territoires.grands_projets.geometrie import _epsg_departements
from coverage.territoires.grands_projets.modele import (
    FORMES,
    LARGEUR_MAX_KM,
    ErreurRegistre,
    GrandProjet,
    ProblemeRegistre,
    Trace,
    TypeProjet,
    _Lieu,
)
from geo.reference import MILLESIME, Referentiel


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
_TEXTES = ("id", "nom", "type", "periode", "source", "indicatif", "description", "avertissement")
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


@dataclass
class _Emprise:
    """L'emprise validée d'une entrée : une seule des trois formes est remplie."""

    communes: list[str] = field(default_factory=list)
    epci: list[str] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    polygone: str | None = None


def _verifier_textes(brut: _Brut) -> tuple[dict[str, object], list[ProblemeRegistre]]:
    """Identifiant, nom, type, source, période et `indicatif` : les valeurs lues et leurs problèmes."""
    lieu, t, c = brut.lieu, brut.textes, brut.champs
    problemes: list[ProblemeRegistre] = []
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
    valeurs = {
        "id": ident, "nom": nom, "type": type_projet, "source": source, "periode": periode, "indicatif": indicatif,
        "description": t.get("description", ""), "avertissement": t.get("avertissement", ""),
    }  # fmt: skip
    return valeurs, problemes


def _choisir_forme(brut: _Brut, projet: str | None) -> tuple[str | None, list[ProblemeRegistre]]:
    """La forme de l'emprise : déclarée (tableau, GeoJSON) ou déduite des champs ; une et une seule."""
    lieu, c = brut.lieu, brut.champs
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
        message = f"« {forme} » n'est pas une forme d'emprise connue (attendu : territoires, trace ou polygone)."
        return None, [lieu.probleme(projet, c["forme"], forme, message)]
    if forme is not None and forme not in presentes:
        manquant = {"territoires": "les codes des communes ou EPCI", "trace": "les communes du tracé ou sa ligne", "polygone": "le polygone"}
        return None, [lieu.probleme(projet, c[f"vide_{forme}"], None, f"emprise « {forme} » sans {manquant[forme]}.")]
    if forme is None and not presentes:
        message = "aucune emprise : donnez `territoires`, `trace` (ou `traces`) ou `polygone`."
        return None, [lieu.probleme(projet, c["forme"], None, message)]
    if forme is None and len(presentes) > 1:
        return None, [lieu.probleme(projet, c["forme"], None, f"plusieurs emprises ({', '.join(presentes)}) : une seule par projet.")]
    return forme or presentes[0], []


def _verifier_territoires(brut: _Brut, ident: str, referentiel: Referentiel) -> tuple[_Emprise, list[ProblemeRegistre]]:
    lieu, c = brut.lieu, brut.champs
    emprise, problemes = _Emprise(), []
    if brut.communes:
        emprise.communes, p = _verifier_communes(brut.communes, champ=c["communes"], projet=ident, lieu=lieu, referentiel=referentiel)
        problemes += p
    if brut.epci:
        emprise.epci, p = _verifier_epci(brut.epci, champ=c["epci"], projet=ident, lieu=lieu, referentiel=referentiel)
        problemes += p
    if not brut.communes and not brut.epci:
        problemes.append(lieu.probleme(ident or None, c["communes"], None, "territoires vides : donnez au moins une commune ou un EPCI."))
    return emprise, problemes


def _verifier_traces(brut: _Brut, ident: str, referentiel: Referentiel) -> tuple[_Emprise, list[ProblemeRegistre]]:
    lieu = brut.lieu
    emprise, problemes = _Emprise(), []
    for tb in brut.traces:
        largeur, p = _largeur(tb.largeur, champ=tb.champ_largeur, projet=ident, lieu=lieu)
        problemes += p
        if tb.codes is not None:
            trace, p = _trace_communes(tb, largeur, projet=ident, lieu=lieu, referentiel=referentiel)
        else:
            geom, p = _geometrie(tb.ligne, types=("LineString",), attendu="LINESTRING", champ=tb.champ_ligne, projet=ident, lieu=lieu)
            trace = None if geom is None or largeur is None else Trace(largeur, ligne=shapely.to_wkt(geom, rounding_precision=6, trim=True))
        problemes += p
        if trace is not None:
            emprise.traces.append(trace)
    return emprise, problemes


def _verifier_polygone(brut: _Brut, ident: str) -> tuple[_Emprise, list[ProblemeRegistre]]:
    geom, problemes = _geometrie(
        brut.polygone, types=("Polygon", "MultiPolygon"), attendu="POLYGON ou MULTIPOLYGON", champ=brut.champs["polygone"], projet=ident,
        lieu=brut.lieu,
    )  # fmt: skip
    polygone = None if geom is None else shapely.to_wkt(geom, rounding_precision=6, trim=True)
    return _Emprise(polygone=polygone), problemes


def _construire(brut: _Brut, referentiel: Referentiel) -> tuple[GrandProjet | None, list[ProblemeRegistre]]:
    """Valide une entrée brute ; renvoie le projet (None s'il y a des problèmes) et les problèmes."""
    valeurs, p_textes = _verifier_textes(brut)
    ident = str(valeurs["id"])
    forme, p_forme = _choisir_forme(brut, ident or None)
    emprise, p_emprise = _Emprise(), []
    if forme == "territoires":
        emprise, p_emprise = _verifier_territoires(brut, ident, referentiel)
    elif forme == "trace":
        emprise, p_emprise = _verifier_traces(brut, ident, referentiel)
    elif forme == "polygone":
        emprise, p_emprise = _verifier_polygone(brut, ident)
    problemes = [*brut.problemes, *p_textes, *p_forme, *p_emprise]
    if problemes:
        return None, problemes
    projet = GrandProjet(
        **valeurs,
        communes=tuple(emprise.communes),
        epci=tuple(emprise.epci),
        traces=tuple(emprise.traces),
        polygone=emprise.polygone,
    )
    return projet, []


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


