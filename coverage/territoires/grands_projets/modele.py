"""Le modèle des grands projets : `GrandProjet`, ses tracés, ses types, et les erreurs du registre.

Constantes partagées par les formats, l'emprise et le bilan (largeur maximale d'un corridor, part de
surface minimale, critères de zone blanche). N'importe que `coverage.modele`, `coverage.sources.lecture`
et `coverage.documents.format`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from coverage.modele import DOSSIER_DONNEES
from coverage.sources.lecture import ErreurLecture, Probleme

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


