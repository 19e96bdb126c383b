"""Un projet dessiné sur la carte (plugin Draw de Leaflet) : une ligne devient un tracé, un polygone une emprise."""

from __future__ import annotations

from collections.abc import Mapping

from shapely.geometry import MultiLineString, shape

from coverage.territoires.grands_projets.modele import ErreurRegistre, GrandProjet, TypeProjet, _Lieu
from coverage.territoires.grands_projets.registre_yaml import _champs_yaml
from coverage.territoires.grands_projets.validation import _Brut, _texte, _TraceBrute, _valider_tout
from geo.reference import Referentiel, charger_referentiel


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
