"""Simulation de l'enveloppe : assemble dossiers, couverture et zones blanches, puis mesure l'impact.

Entrées de l'allocation (`preparer_simulation`) :
- les dossiers évalués par les règles de l'appel, avec les années PNAD de leur structure ;
- les communes de chaque dossier : le périmètre de sa structure (fichier `perimetres`) ;
- le poids de chaque commune : sa population si c'est une zone blanche (l'un des trois critères
  de l'appel, au niveau communal), 0 sinon — l'optimisation maximise ainsi la population des
  zones blanches et des territoires sous-dotés nouvellement couverts.

Une seule chaîne pour les pages et la ligne de commande : `entrees_de_simulation` (zones blanches
communales sur les besoins actifs, grands projets compris, puis `preparer_simulation`) et
`allouer_enveloppe` (le mode choisi, mêmes options) ; `python -m coverage simuler` et la page
Simulation les appellent avec les mêmes entrées.

Impact (`impact_allocation`) : hypothèse explicite, les ETP financés s'ajoutent aux ETP de
facilitateur déclarés par la structure (une structure nouvelle passe de 0 à ses ETP financés).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from coverage.territoires.couverture import agreger_couverture, communes_des_perimetres, couverture_par_commune, etendre_perimetres
from coverage.modele import STATUTS_NON_COUVERTS, DonneesFacilitateurs
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.regles import evaluer_dossiers
from coverage.financement.allocation import OptionsSolveur, ResultatAllocation, allouer_optimisation, allouer_priorite
from coverage.territoires.besoins import PoidsBesoin
from coverage.territoires.zones_blanches import CRITERES, SeuilsZonesBlanches, evaluer_zones_blanches
from geo.reference import Referentiel


@dataclass(frozen=True)
class EntreesSimulation:
    """Ce que les deux modes d'allocation consomment."""

    dossiers: pd.DataFrame
    communes_par_dossier: pd.DataFrame
    poids_communes: pd.Series
    priorites: pd.DataFrame


def communes_des_dossiers(donnees: DonneesFacilitateurs, *, referentiel: Referentiel) -> pd.DataFrame:
    """Table longue `id_dossier`, `commune` : les communes du périmètre de la structure de chaque dossier."""
    long = communes_des_perimetres(donnees.perimetres, referentiel=referentiel)
    lien = donnees.dossiers[["id_dossier", "id_structure"]].merge(long, on="id_structure")
    return lien[["id_dossier", "commune"]].drop_duplicates().reset_index(drop=True)


def evaluer(donnees: DonneesFacilitateurs, *, parametres: ParametresCampagne = PARAMETRES_2025) -> pd.DataFrame:
    """Dossiers évalués par les règles de l'appel, avec `financement_pnad`, le nom de la structure et
    `etp_maintenus` : les ETP du dossier qui gardent des postes déjà financés par le PNAD (au plus
    les ETP de facilitateur de la structure, 0 pour une structure jamais financée)."""
    s = donnees.structures.set_index("id_structure")
    id_structure = donnees.dossiers["id_structure"]
    pnad = id_structure.map(s["financement_pnad"]).fillna("").astype(str)
    etp_structure = id_structure.map(s["etp_facilitateur"]).astype(float).fillna(0.0)
    d = donnees.dossiers.assign(
        financement_pnad=pnad,
        nom_structure=id_structure.map(s["nom"]).fillna(""),
        etp_maintenus=np.where(pnad.str.contains(r"\d{4}"), np.minimum(donnees.dossiers["etp_demandes"].astype(float),
                                                                         etp_structure), 0.0),
    )
    return evaluer_dossiers(d, parametres=parametres)


def preparer_simulation(
    donnees: DonneesFacilitateurs,
    *,
    referentiel: Referentiel,
    zones_blanches_communes: pd.DataFrame,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> EntreesSimulation:
    """Dossiers évalués, communes par dossier, poids des communes et priorités territoriales.

    Parameters
    ----------
    zones_blanches_communes : sortie de `evaluer_zones_blanches(niveau="commune")` (index code
        commune ; `est_zone_blanche`, `population`, `grands_projets`).
    """
    evalues = evaluer(donnees, parametres=parametres)
    lien = communes_des_dossiers(donnees, referentiel=referentiel)
    zb = zones_blanches_communes
    poids = zb["population"].where(zb["est_zone_blanche"], 0).astype(float)
    poids = poids[poids > 0]
    grand_projet = zb["grands_projets"].fillna("").astype(str).str.len() > 0
    lien_poids = lien.assign(
        population_zb=lien["commune"].map(poids).fillna(0.0),
        grand_projet=lien["commune"].map(grand_projet).fillna(False).astype(bool),
    )
    par_dossier = lien_poids.groupby("id_dossier").agg(
        population_zone_blanche=("population_zb", "sum"), couvre_grand_projet=("grand_projet", "any")
    )
    priorites = evalues[["id_dossier"]].join(par_dossier, on="id_dossier").fillna(
        {"population_zone_blanche": 0.0, "couvre_grand_projet": False}
    )
    priorites["couvre_zone_blanche"] = priorites["population_zone_blanche"] > 0
    priorites["couvre_grand_projet"] = priorites["couvre_grand_projet"].astype(bool)
    evalues = evalues.merge(priorites, on="id_dossier", how="left")
    return EntreesSimulation(evalues, lien, poids, priorites)


def entrees_de_simulation(
    donnees: DonneesFacilitateurs,
    *,
    referentiel: Referentiel,
    besoins: pd.DataFrame,
    region: str | None = None,
    couverture_communes: pd.DataFrame | None = None,
    seuils: SeuilsZonesBlanches | None = None,
    poids: PoidsBesoin | None = None,
    zones_blanches_communes: pd.DataFrame | None = None,
    parametres: ParametresCampagne = PARAMETRES_2025,
) -> EntreesSimulation:
    """La chaîne complète des entrées de l'allocation, la même pour les pages et la ligne de commande.

    Zones blanches communales de toutes les données (couverture, `besoins` : population, marchés,
    quartiers et grands projets, voir `coverage.territoires.analyse.besoins_des_sources`), puis
    dossiers de la `region` seule s'il y en a une, puis `preparer_simulation`.

    Parameters
    ----------
    couverture_communes : `couverture_par_commune(donnees)` si déjà calculée (cache des pages).
    seuils, poids : réglages des zones blanches ; None : valeurs par défaut (seuil de capacité tiré
        de la distribution nationale).
    zones_blanches_communes : `evaluer_zones_blanches(niveau="commune")` de ces mêmes entrées, si
        les pages l'ont déjà en cache (sinon calculé ici, de la même façon).
    """
    zones = zones_blanches_communes
    if zones is None:
        if couverture_communes is None:
            couverture_communes = couverture_par_commune(donnees, referentiel=referentiel)
        zones = evaluer_zones_blanches(
            couverture_communes=couverture_communes, besoins=besoins, referentiel=referentiel, niveau="commune",
            seuils=seuils, poids=poids,
        )
    if region:
        dossiers = donnees.dossiers[donnees.dossiers["region"] == region].reset_index(drop=True)
        donnees = replace(donnees, dossiers=dossiers)
    return preparer_simulation(donnees, referentiel=referentiel, zones_blanches_communes=zones, parametres=parametres)


def allouer_enveloppe(
    entrees: EntreesSimulation,
    *,
    mode: Literal["priorite", "optimisation"],
    enveloppe: float | None = None,
    financement_partiel: bool = True,
    financer_prioritaires: bool = True,
    parametres: ParametresCampagne = PARAMETRES_2025,
    options: OptionsSolveur | None = None,
) -> ResultatAllocation:
    """L'allocation de la page Simulation et de `python -m coverage simuler` : même appel, mêmes options.

    `financer_prioritaires` ne concerne que l'optimisation (l'ordre de priorité met toujours les
    structures PNAD en tête). `enveloppe` en € (None : enveloppe nationale de la campagne).
    """
    if mode not in ("priorite", "optimisation"):
        raise ValueError(f"mode : « {mode} » inconnu (attendu : priorite ou optimisation).")
    communs = dict(
        enveloppe=enveloppe, parametres=parametres, priorites=entrees.priorites, financement_partiel=financement_partiel,
        communes_par_dossier=entrees.communes_par_dossier, poids_communes=entrees.poids_communes,
    )
    if mode == "optimisation":
        return allouer_optimisation(entrees.dossiers, financer_prioritaires=financer_prioritaires,
                                    options=options or OptionsSolveur(), **communs)
    return allouer_priorite(entrees.dossiers, **communs)


def donnees_apres_allocation(donnees: DonneesFacilitateurs, lignes: pd.DataFrame) -> DonneesFacilitateurs:
    """Les données après financement : `etp_finances` de chaque dossier ajoutés à sa structure."""
    finances = lignes[["id_dossier", "etp_finances"]].merge(donnees.dossiers[["id_dossier", "id_structure"]], on="id_dossier")
    ajout = finances.groupby("id_structure")["etp_finances"].sum()
    s = donnees.structures.copy()
    s["etp_facilitateur"] = s["etp_facilitateur"] + s["id_structure"].map(ajout).fillna(0.0).to_numpy()
    return replace(donnees, structures=s)


@dataclass(frozen=True)
class Impact:
    """Avant/après d'une allocation."""

    par_region: pd.DataFrame
    par_departement: pd.DataFrame
    zones_blanches: pd.DataFrame
    population_nouvellement_couverte: float
    enveloppe_utilisee: float
    part_etat: float
    etp_finances: float
    epci_avant: pd.DataFrame
    epci_apres: pd.DataFrame


def _avant_apres(avant: pd.DataFrame, apres: pd.DataFrame) -> pd.DataFrame:
    t = avant[["nom", "population", "etp", "part_population_couverte"]].join(
        apres[["etp", "part_population_couverte"]].add_suffix("_apres")
    )
    t = t.rename(columns={"etp": "etp_avant", "part_population_couverte": "part_couverte_avant",
                          "part_population_couverte_apres": "part_couverte_apres"})
    t["etp_ajoutes"] = t["etp_apres"] - t["etp_avant"]
    t["etp_pour_100k_avant"] = t["etp_avant"] / t["population"].where(t["population"] > 0) * 100_000
    t["etp_pour_100k_apres"] = t["etp_apres"] / t["population"].where(t["population"] > 0) * 100_000
    return t


def impact_allocation(
    donnees: DonneesFacilitateurs,
    lignes: pd.DataFrame,
    *,
    referentiel: Referentiel,
    besoins: pd.DataFrame,
    seuils: SeuilsZonesBlanches,
    dossiers_evalues: pd.DataFrame,
) -> Impact:
    """Avant/après : ETP par région et département, zones blanches résolues et nouvelles par critère et au total (EPCI),
    population nouvellement couverte, enveloppe utilisée, part de l'État.

    `seuils` doit porter un `ratio_capacite_min` fixé (celui de la situation avant) : la même
    règle s'applique avant et après.
    """
    apres_donnees = donnees_apres_allocation(donnees, lignes)
    long_avant = etendre_perimetres(donnees, referentiel=referentiel)
    long_apres = etendre_perimetres(apres_donnees, referentiel=referentiel)
    c_avant = couverture_par_commune(donnees, referentiel=referentiel, perimetres_communes=long_avant)
    c_apres = couverture_par_commune(apres_donnees, referentiel=referentiel, perimetres_communes=long_apres)
    par = {}
    for niveau in ("region", "departement"):
        a = agreger_couverture(c_avant, referentiel=referentiel, niveau=niveau, perimetres_communes=long_avant)
        b = agreger_couverture(c_apres, referentiel=referentiel, niveau=niveau, perimetres_communes=long_apres)
        par[niveau] = _avant_apres(a, b)
    finances = lignes[["id_dossier", "montant_attribue", "etp_finances"]].merge(dossiers_evalues[["id_dossier", "region", "cout_annuel_total", "autres_financements_etat"]],
                            on="id_dossier", how="left")
    finances = finances[finances["montant_attribue"] > 0]
    region = finances.groupby("region").agg(montant_attribue=("montant_attribue", "sum"), nb_dossiers=("id_dossier", "size"))
    par["region"] = par["region"].join(region).fillna({"montant_attribue": 0.0, "nb_dossiers": 0})

    zb_avant = evaluer_zones_blanches(couverture_communes=c_avant, besoins=besoins, referentiel=referentiel, niveau="epci", seuils=seuils)
    zb_apres = evaluer_zones_blanches(couverture_communes=c_apres, besoins=besoins, referentiel=referentiel, niveau="epci", seuils=seuils)
    lignes_zb = []
    # Par critère, puis « total » (chaque EPCI en zone blanche compté une fois) : résolues = en zone blanche avant et
    # plus après, nouvelles = l'inverse ; d'où, ligne par ligne, avant − après = résolues − nouvelles.
    for critere in (*CRITERES, "total"):
        colonne = "est_zone_blanche" if critere == "total" else critere
        avant = zb_avant[colonne].astype(bool)
        apres = zb_apres[colonne].astype(bool).reindex(avant.index, fill_value=False)
        resolus, nouveaux = avant & ~apres, apres & ~avant
        lignes_zb.append({"critere": critere, "avant": int(avant.sum()), "apres": int(apres.sum()), "resolues": int(resolus.sum()),
                          "nouvelles": int(nouveaux.sum()), "population_resolue": float(zb_avant.loc[resolus, "population"].sum())})
    nouvellement = c_avant["statut"].isin(STATUTS_NON_COUVERTS) & ~c_apres["statut"].isin(STATUTS_NON_COUVERTS)
    cout = float(finances["cout_annuel_total"].sum())
    etat = float(finances["montant_attribue"].sum() + finances["autres_financements_etat"].fillna(0).sum())
    return Impact(
        par_region=par["region"],
        par_departement=par["departement"],
        zones_blanches=pd.DataFrame(lignes_zb),
        population_nouvellement_couverte=float(c_avant.loc[nouvellement, "population"].sum()),
        enveloppe_utilisee=float(finances["montant_attribue"].sum()),
        part_etat=etat / cout if cout else 0.0,
        etp_finances=float(np.round(finances["etp_finances"].sum(), 6)),
        epci_avant=zb_avant,
        epci_apres=zb_apres,
    )
