"""Mesure du simulateur d'allocation : règles, ordre de priorité, optimisation (MILP).

Script de mesure, pas un test : `.venv/bin/python bench/bench_simulation.py [--graine 2025]`.

Données synthétiques déterministes (graine fixe) : 35 000 communes réparties en 1 250 EPCI
de 28 communes, dont environ 30 % des EPCI sont à couvrir (poids = population des communes
concernées) ; 1 000 dossiers, chacun sur 1 à 3 EPCI voisins (les périmètres se recouvrent),
18 régions, 20 % de collectivités, quelques dossiers incomplets, hors délai ou sous 0,5 ETP.
Enveloppe : 4 500 000 € (environ 10 % de la demande).

Affiche :
- règles (`evaluer_dossiers`, vectorisé) + allocation par ordre de priorité : cible ≤ 200 ms ;
- base naïve : les mêmes règles dossier par dossier (`detail_regles` + `montant_max_aap` dans
  une boucle Python), et le rapport des temps ;
- optimisation (MILP HiGHS) : cible ≤ 10 s, et sa couverture comparée à l'ordre de priorité sur
  les mêmes données (doit être ≥).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.financement.allocation import OptionsSolveur, allouer_optimisation, allouer_priorite, objectif_couverture  # noqa: E402
from coverage.financement.parametres import PARAMETRES_2025  # noqa: E402
from coverage.financement.regles import detail_regles, evaluer_dossiers, montant_max_aap  # noqa: E402

N_COMMUNES = 35_000
COMMUNES_PAR_EPCI = 28
N_DOSSIERS = 1_000
REGIONS = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "01", "02", "03", "04", "06")


def donnees_synthetiques(graine: int, *, perimetres: str = "epci") -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Dossiers typés comme après import, communes par dossier et poids des communes.

    `perimetres` : « epci » (chaque dossier couvre 1 à 3 EPCI voisins entiers) ou « communes »
    (une suite de 20 à 120 communes qui ne suit pas les limites d'EPCI : beaucoup plus de
    groupes de communes distincts, modèle plus dur).
    """
    rng = np.random.default_rng(graine)
    n_epci = N_COMMUNES // COMMUNES_PAR_EPCI
    communes = np.array([f"{i:05d}" for i in range(N_COMMUNES)])
    epci_de_commune = np.arange(N_COMMUNES) // COMMUNES_PAR_EPCI
    population = np.round(rng.lognormal(mean=6.5, sigma=1.3, size=N_COMMUNES))
    epci_a_couvrir = rng.random(n_epci) < 0.30
    a_couvrir = epci_a_couvrir[epci_de_commune] & (rng.random(N_COMMUNES) < 0.8)
    poids = pd.Series(np.where(a_couvrir, population, 0.0), index=communes)

    etp = rng.choice([0.4, 0.5, 1.0, 1.5, 2.0, 3.0], size=N_DOSSIERS, p=[0.02, 0.18, 0.4, 0.2, 0.15, 0.05])
    cout = np.round(etp * rng.normal(42_000, 6_000, N_DOSSIERS), 2)
    collectivite = rng.random(N_DOSSIERS) < 0.2
    autres = np.where(collectivite, np.round(cout * rng.uniform(0, 0.15, N_DOSSIERS), 2), 0.0)
    demande = np.round(np.minimum(cout * rng.uniform(0.6, 0.75, N_DOSSIERS), cout - autres), 2)
    cofi = np.round(cout - demande - autres, 2)
    debut = np.datetime64("2025-06-01")
    depot = debut + rng.integers(0, 80, N_DOSSIERS).astype("timedelta64[D]")
    pnad = rng.choice(["2022,2023,2024", "2023,2024", "2024", ""], size=N_DOSSIERS, p=[0.35, 0.2, 0.15, 0.3])
    dossiers = pd.DataFrame(
        {
            "id_dossier": [f"D{i:04d}" for i in range(N_DOSSIERS)],
            "id_structure": [f"S{i:04d}" for i in range(N_DOSSIERS)],
            "statut": np.where(collectivite, "collectivite", "association"),
            "region": rng.choice(REGIONS, size=N_DOSSIERS),
            "departement": "01",
            "etp_demandes": etp,
            "cout_annuel_total": cout,
            "montant_aap_demande": demande,
            "autres_financements_etat": autres,
            "cofinancements": cofi,
            "derogation_plafond": rng.random(N_DOSSIERS) < 0.03,
            "dossier_complet": rng.random(N_DOSSIERS) < 0.97,
            "date_depot": pd.to_datetime(depot),
            "derogation_cerfa": rng.random(N_DOSSIERS) < 0.5,
            "note_diagnostic": rng.integers(0, 6, N_DOSSIERS).astype(float),
            "note_marches_etat": rng.integers(0, 6, N_DOSSIERS).astype(float),
            "note_capacite": rng.integers(0, 6, N_DOSSIERS).astype(float),
            "note_conflits_interets": rng.integers(0, 6, N_DOSSIERS).astype(float),
            "financement_pnad": pnad,
        }
    )
    if perimetres == "epci":
        centre = rng.integers(0, n_epci, N_DOSSIERS)
        largeur = rng.integers(1, 4, N_DOSSIERS)
        dossier_idx = np.repeat(np.arange(N_DOSSIERS), largeur)
        epci_idx = (np.repeat(centre, largeur) + (np.arange(largeur.sum()) - np.repeat(np.cumsum(largeur) - largeur, largeur))) % n_epci
        paires = pd.DataFrame({"dossier": dossier_idx, "epci": epci_idx})
        membres = pd.DataFrame({"epci": epci_de_commune, "commune": communes})
        cpd = paires.merge(membres, on="epci")
    else:
        debut = rng.integers(0, N_COMMUNES, N_DOSSIERS)
        longueur = rng.integers(20, 121, N_DOSSIERS)
        dossier_idx = np.repeat(np.arange(N_DOSSIERS), longueur)
        decalage = np.arange(longueur.sum()) - np.repeat(np.cumsum(longueur) - longueur, longueur)
        cpd = pd.DataFrame({"dossier": dossier_idx, "commune": communes[(np.repeat(debut, longueur) + decalage) % N_COMMUNES]})
    communes_par_dossier = pd.DataFrame({"id_dossier": dossiers["id_dossier"].to_numpy()[cpd["dossier"]], "commune": cpd["commune"]})
    dossiers["couvre_zone_blanche"] = (
        communes_par_dossier.assign(w=poids.reindex(communes_par_dossier["commune"]).to_numpy() > 0)
        .groupby("id_dossier")["w"]
        .any()
        .reindex(dossiers["id_dossier"])
        .fillna(False)
        .to_numpy()
    )
    return dossiers, communes_par_dossier, poids


def naif(dossiers: pd.DataFrame) -> list[float]:
    """Base naïve : règles dossier par dossier, boucle Python sur les lignes."""
    montants = []
    for _, ligne in dossiers.iterrows():
        detail_regles(ligne, PARAMETRES_2025)
        montants.append(
            montant_max_aap(
                etp_demandes=ligne["etp_demandes"],
                cout_annuel_total=ligne["cout_annuel_total"],
                montant_aap_demande=ligne["montant_aap_demande"],
                statut=ligne["statut"],
                autres_financements_etat=ligne["autres_financements_etat"],
                derogation_plafond=ligne["derogation_plafond"],
                dossier_complet=ligne["dossier_complet"],
                date_depot=ligne["date_depot"],
                derogation_cerfa=ligne["derogation_cerfa"],
            )
        )
    return montants


def meilleur_temps(fonction, repetitions: int) -> tuple[float, object]:
    meilleur, resultat = float("inf"), None
    for _ in range(repetitions):
        t0 = time.perf_counter()
        resultat = fonction()
        meilleur = min(meilleur, time.perf_counter() - t0)
    return meilleur, resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--limite", type=float, default=10.0, help="limite de temps du solveur (s)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    dossiers, cpd, poids = donnees_synthetiques(args.graine)
    print(f"Données : {len(dossiers)} dossiers, {len(poids)} communes ({int((poids > 0).sum())} à couvrir), "
          f"{len(cpd)} couples dossier-commune (périmètres par EPCI), générées en {time.perf_counter() - t0:.2f} s "
          f"(graine {args.graine}).")

    t_regles, evalues = meilleur_temps(lambda: evaluer_dossiers(dossiers), 5)
    t_prio, prio = meilleur_temps(lambda: allouer_priorite(evalues, enveloppe=4_500_000.0), 5)
    t_chaine, _ = meilleur_temps(lambda: allouer_priorite(evaluer_dossiers(dossiers), enveloppe=4_500_000.0), 5)
    t_naif, montants_naifs = meilleur_temps(lambda: naif(dossiers), 3)
    ecart = np.abs(np.array(montants_naifs) - evalues["montant_max_aap"].to_numpy()).max()
    print()
    print("Règles et ordre de priorité (meilleur de 5)")
    print(f"  evaluer_dossiers (vectorisé)       : {t_regles * 1000:8.1f} ms")
    print(f"  allouer_priorite                   : {t_prio * 1000:8.1f} ms")
    print(f"  règles + priorité (chaîne)         : {t_chaine * 1000:8.1f} ms   (cible ≤ 200 ms)")
    print(f"  base naïve (boucle, meilleur de 3)  : {t_naif * 1000:8.1f} ms   rapport naïf / vectorisé : {t_naif / t_regles:5.1f}×")
    print(f"  écart max. des montants naïf/vectorisé : {ecart:.2f} €")
    print(f"  éligibles : {int(evalues['eligible'].sum())} ; attribué {prio.enveloppe_utilisee:,.2f} € "
          f"à {int((prio.lignes['montant_attribue'] > 0).sum())} dossiers".replace(",", " "))

    for perimetres in ("epci", "communes"):
        if perimetres == "communes":
            dossiers, cpd, poids = donnees_synthetiques(args.graine, perimetres="communes")
            evalues = evaluer_dossiers(dossiers)
        print()
        print(f"Optimisation (MILP HiGHS, limite {args.limite:g} s) — périmètres par {perimetres} "
              f"({len(cpd)} couples dossier-commune)")
        for partiel in (False, True):
            res = allouer_optimisation(
                evalues, enveloppe=4_500_000.0, communes_par_dossier=cpd, poids_communes=poids,
                financement_partiel=partiel, options=OptionsSolveur(time_limit=args.limite),
            )
            glouton = allouer_priorite(evalues, enveloppe=4_500_000.0, financement_partiel=partiel)
            obj_glouton = objectif_couverture(glouton.lignes, cpd, poids)
            verdict = "OK (≥)" if res.objectif >= obj_glouton - 1e-9 else "ÉCHEC (<)"
            print(f"  financement partiel = {partiel!s:5} : {res.temps_s:6.2f} s   (cible ≤ 10 s) ; "
                  f"statut : {res.statut_solveur}")
            print(f"    couverture optimisation : {res.objectif:12,.0f} hab.".replace(",", " "))
            print(f"    couverture priorité     : {obj_glouton:12,.0f} hab.   rapport : "
                  f"{res.objectif / obj_glouton:5.2f}×  {verdict}".replace(",", " "))
            print(f"    dossiers financés : {int((res.lignes['montant_attribue'] > 0).sum())} ; attribué "
                  f"{res.enveloppe_utilisee:,.2f} €".replace(",", " "))
            print(f"    {res.messages[-1]}")

if __name__ == "__main__":
    main()
