"""Le bilan par projet : population, structures, ETP, couverture, zones blanches touchées, alerte motivée."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coverage.documents.format import format_nombre
from coverage.modele import STATUTS_NON_COUVERTS, StatutCouverture
from coverage.territoires.grands_projets.modele import CRITERES_ZONE_BLANCHE, GrandProjet
from coverage.territoires.grands_projets.tableaux import tableau_registre


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


def _par_commune(
    empreintes: pd.DataFrame, couverture_communes: pd.DataFrame, zones_blanches: pd.DataFrame | None
) -> pd.DataFrame:
    """Une ligne par (projet, commune) : ETP, structures, statut de couverture et critères de zone blanche."""
    e = empreintes.drop_duplicates(["id_projet", "commune"]).reset_index(drop=True)
    cov = couverture_communes.reindex(e["commune"].to_numpy())
    e = e.assign(
        etp=cov["etp"].fillna(0.0).to_numpy(dtype=float),
        structures=cov["structures"].fillna("").astype("str").to_numpy(),
        statut=cov["statut"].fillna(StatutCouverture.NON_COUVERT.value).astype("str").to_numpy(),
    )
    non_couvert = e["statut"].isin(STATUTS_NON_COUVERTS)  # une extension non limitrophe ne couvre pas
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
    return e


def _agreger(e: pd.DataFrame, projets: Sequence[GrandProjet] | None) -> pd.DataFrame:
    """Les sommes par projet (une ligne par projet, même sans commune quand `projets` est donné), typées."""
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
    return bilan


def _motif_alerte(bilan: pd.DataFrame) -> pd.Series:
    """La phrase d'alerte de chaque projet (vide sans alerte) : zones blanches, communes sans facilitateur, extensions seules."""
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
    motif = np.where(bilan["alerte"], "Le projet touche " + phrase.astype("str") + ".", "")
    return pd.Series(motif, index=bilan.index, dtype="str")


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
    e = _par_commune(empreintes, couverture_communes, zones_blanches)
    bilan = _agreger(e, projets)
    bilan["alerte"] = (bilan["nb_zones_blanches"] > 0) | (bilan["nb_communes_non_couvertes"] > 0) | (bilan["nb_communes_extension_seule"] > 0)
    bilan["alerte_motif"] = _motif_alerte(bilan)
    sortie = bilan[COLONNES_BILAN]
    if projets is not None:
        infos = tableau_registre(projets).set_index("id")[["nom", "type", "indicatif", "mention"]]
        sortie = infos.join(sortie)
        sortie.index.name = "id_projet"
    return sortie


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
