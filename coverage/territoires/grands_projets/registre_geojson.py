"""Le registre en GeoJSON (RFC 7946, lon/lat) : lecture d'une `FeatureCollection` ou d'une `Feature`, export."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape

from coverage.territoires.grands_projets.geometrie import axe_projet, geometrie_empreinte
from coverage.territoires.grands_projets.modele import ErreurRegistre, GrandProjet, _Lieu
from coverage.territoires.grands_projets.registre_tableau import _brut_depuis_ligne, _ligne_tableau
from coverage.territoires.grands_projets.validation import _TEXTES, _Brut, _texte, _valider_tout
from coverage.sources.limites import charger_json
from coverage.sources.problemes import ErreurLecture
from geo.reference import Referentiel, charger_geometries, charger_referentiel


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
        donnees = charger_json(contenu, nom_fichier)  # UTF-8, imbrication bornée (coverage.sources.limites)
    except ErreurLecture as exc:
        motif = exc.probleme.message
        motif = motif.removeprefix("fichier illisible ") if motif.startswith("fichier illisible (") else f": {motif}"
        raise ErreurRegistre([fichier.probleme(None, None, None, f"fichier GeoJSON illisible {motif}")]) from exc
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
