"""Assemblage des sources de besoins actives : fichiers importés, sinon échantillons de démonstration.

Utilisé par les pages (avec cache) et par la ligne de commande : les fichiers importés sont
gardés bruts dans l'espace de travail et relus ici par les mêmes lecteurs que l'import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from coverage.sources.decp import charger_decp_demo, indicateurs_marches, lire_decp, placer_contrats
from coverage.territoires.besoins import besoins_par_commune
from coverage.territoires.grands_projets import GrandProjet, charger_registre, empreintes, projets_depuis_yaml
from geo.reference import Referentiel, charger_geometries


@dataclass(frozen=True)
class SourceMarches:
    """Marchés DECP placés : une ligne par marché (`placer_contrats`), et leur provenance."""

    places: pd.DataFrame
    nom: str
    demo: bool
    doublons: int
    avertissements: tuple[str, ...]

    @property
    def nb_non_places(self) -> int:
        return int((self.places["niveau_placement"] == "non_place").sum())


@dataclass(frozen=True)
class SourceQuartiers:
    """Quartiers prioritaires (QPV) et NPNRU : par commune, et les tables lues."""

    par_commune: pd.DataFrame
    qpv: gpd.GeoDataFrame
    npnru: pd.DataFrame
    nom: str
    demo: bool


NPNRU_VIDE = pd.DataFrame({c: pd.Series(dtype=str) for c in ("code_qpv", "nom", "interet", "commune", "source")})


def charger_marches(fichier: tuple[int, str, bytes] | None, *, referentiel: Referentiel) -> SourceMarches:
    """Le fichier DECP actif `(id, nom, contenu)` de l'espace, sinon l'échantillon fictif."""
    lus = charger_decp_demo() if fichier is None else lire_decp(fichier[2], nom_fichier=fichier[1])
    places = placer_contrats(lus.contrats, referentiel=referentiel)
    return SourceMarches(places, lus.nom_fichier, lus.demo, lus.doublons, lus.avertissements)


def charger_quartiers(
    qpv: tuple[int, str, bytes] | None, npnru: tuple[int, str, bytes] | None, *, referentiel: Referentiel
) -> SourceQuartiers:
    """QPV et liste NPNRU actifs, sinon l'échantillon illustratif ; placés sur les communes."""
    from coverage.sources import qpv as module_qpv

    if qpv is None:
        quartiers = module_qpv.charger_qpv_demo(referentiel=referentiel)
        nom, demo = "Échantillon illustratif de quartiers (fictif)", True
    else:
        quartiers = module_qpv.lire_qpv(qpv[2], qpv[1], referentiel=referentiel)
        nom, demo = qpv[1], False
    if npnru is None:
        liste = module_qpv.charger_npnru_demo() if demo else NPNRU_VIDE.copy()
    else:
        liste = module_qpv.lire_npnru(npnru[2], npnru[1])
        nom += f" + {npnru[1]}"
    par_commune = module_qpv.quartiers_par_commune(quartiers, liste)
    return SourceQuartiers(par_commune, quartiers, liste, nom, demo)


def registre_complet(*, referentiel: Referentiel, yaml_utilisateur: str = "") -> list[GrandProjet]:
    """Les projets du registre du dépôt, puis ceux ajoutés par les utilisateurs (même identifiant : l'ajout l'emporte)."""
    projets = {p.id: p for p in charger_registre(referentiel=referentiel)}
    if yaml_utilisateur.strip():
        for p in projets_depuis_yaml(yaml_utilisateur, referentiel=referentiel, nom_fichier="projets ajoutés"):
            projets[p.id] = p
    return list(projets.values())


def besoins_des_sources(
    *, referentiel: Referentiel, marches: SourceMarches, quartiers: SourceQuartiers, empreintes_projets: pd.DataFrame
) -> pd.DataFrame:
    """Besoins par commune à partir des sources actives : marchés placés, quartiers, emprises des projets.

    Un seul assemblage pour les pages et la ligne de commande (`python -m coverage simuler`) :
    mêmes sources, mêmes besoins, donc mêmes zones blanches et même classement des dossiers.

    Parameters
    ----------
    marches : `charger_marches(...)` ; quartiers : `charger_quartiers(...)` ;
    empreintes_projets : `coverage.territoires.grands_projets.empreintes(...)` (`commune`, `id_projet`).
    """
    return besoins_par_commune(
        referentiel=referentiel,
        marches=indicateurs_marches(marches.places, referentiel=referentiel, niveau="commune"),
        quartiers=quartiers.par_commune,
        grands_projets=empreintes_projets[["commune", "id_projet"]],
    )


def besoins_depuis_fichiers(
    *, referentiel: Referentiel, decp: Path | None = None, qpv: Path | None = None, npnru: Path | None = None
) -> tuple[pd.DataFrame, str]:
    """Besoins par commune comme les pages les calculent, pour la ligne de commande.

    Fichiers fournis, sinon les mêmes échantillons de démonstration que l'application sans import ;
    grands projets du registre du dépôt (`data/grands_projets.yaml`). Renvoie aussi une phrase qui
    dit les sources retenues.

    Raises
    ------
    coverage.sources.lecture.ErreurLecture
        Fichier illisible (message en français).
    """
    def lire(chemin: Path | None) -> tuple[int, str, bytes] | None:
        return None if chemin is None else (0, Path(chemin).name, Path(chemin).read_bytes())

    marches = charger_marches(lire(decp), referentiel=referentiel)
    quartiers = charger_quartiers(lire(qpv), lire(npnru), referentiel=referentiel)
    projets = registre_complet(referentiel=referentiel)
    emprises = empreintes(projets, referentiel=referentiel, communes_geo=charger_geometries("commune", affichage=False))
    besoins = besoins_des_sources(referentiel=referentiel, marches=marches, quartiers=quartiers, empreintes_projets=emprises)
    phrase = (
        "Besoins : marchés " + ("de l'échantillon fictif de l'application" if marches.demo else f"« {marches.nom} »")
        + ", quartiers " + ("de l'échantillon fictif de l'application" if quartiers.demo else f"« {quartiers.nom} »")
        + f", {len(projets)} grands projets du registre."
    )
    return besoins, phrase

