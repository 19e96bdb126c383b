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
  les mêmes données (doit être ≥) ;
- optimisation contre un glouton naïf écrit ici (plus grande couverture par euro, la base de
  comparaison équitable) à 100, 1 000 et 10 000 dossiers : doit être ≥, en ≤ 10 s ;
- ce que recalcule le curseur d'enveloppe en mode priorité avec 10 000 dossiers (cible ≤ 1 s),
  contre l'ancien calcul (priorité + optimisation du volet « Comparer » fermé).
"""

from __future__ import annotations

import argparse
import heapq
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


def donnees_synthetiques(
    graine: int, *, perimetres: str = "epci", n_dossiers: int = N_DOSSIERS
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
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

    etp = rng.choice([0.4, 0.5, 1.0, 1.5, 2.0, 3.0], size=n_dossiers, p=[0.02, 0.18, 0.4, 0.2, 0.15, 0.05])
    cout = np.round(etp * rng.normal(42_000, 6_000, n_dossiers), 2)
    collectivite = rng.random(n_dossiers) < 0.2
    autres = np.where(collectivite, np.round(cout * rng.uniform(0, 0.15, n_dossiers), 2), 0.0)
    demande = np.round(np.minimum(cout * rng.uniform(0.6, 0.75, n_dossiers), cout - autres), 2)
    cofi = np.round(cout - demande - autres, 2)
    debut = np.datetime64("2025-06-01")
    depot = debut + rng.integers(0, 80, n_dossiers).astype("timedelta64[D]")
    pnad = rng.choice(["2022,2023,2024", "2023,2024", "2024", ""], size=n_dossiers, p=[0.35, 0.2, 0.15, 0.3])
    dossiers = pd.DataFrame(
        {
            "id_dossier": [f"D{i:04d}" for i in range(n_dossiers)],
            "id_structure": [f"S{i:04d}" for i in range(n_dossiers)],
            "statut": np.where(collectivite, "collectivite", "association"),
            "region": rng.choice(REGIONS, size=n_dossiers),
            "departement": "01",
            "etp_demandes": etp,
            "cout_annuel_total": cout,
            "montant_aap_demande": demande,
            "autres_financements_etat": autres,
            "cofinancements": cofi,
            "derogation_plafond": rng.random(n_dossiers) < 0.03,
            "dossier_complet": rng.random(n_dossiers) < 0.97,
            "date_depot": pd.to_datetime(depot),
            "derogation_cerfa": rng.random(n_dossiers) < 0.5,
            "note_diagnostic": rng.integers(0, 6, n_dossiers).astype(float),
            "note_marches_etat": rng.integers(0, 6, n_dossiers).astype(float),
            "note_capacite": rng.integers(0, 6, n_dossiers).astype(float),
            "note_conflits_interets": rng.integers(0, 6, n_dossiers).astype(float),
            "financement_pnad": pnad,
        }
    )
    if perimetres == "epci":
        centre = rng.integers(0, n_epci, n_dossiers)
        largeur = rng.integers(1, 4, n_dossiers)
        dossier_idx = np.repeat(np.arange(n_dossiers), largeur)
        epci_idx = (np.repeat(centre, largeur) + (np.arange(largeur.sum()) - np.repeat(np.cumsum(largeur) - largeur, largeur))) % n_epci
        paires = pd.DataFrame({"dossier": dossier_idx, "epci": epci_idx})
        membres = pd.DataFrame({"epci": epci_de_commune, "commune": communes})
        cpd = paires.merge(membres, on="epci")
    else:
        debut = rng.integers(0, N_COMMUNES, n_dossiers)
        longueur = rng.integers(20, 121, n_dossiers)
        dossier_idx = np.repeat(np.arange(n_dossiers), longueur)
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


def glouton_naif(evalues: pd.DataFrame, cpd: pd.DataFrame, poids: pd.Series, enveloppe: float) -> tuple[float, float]:
    """Base de comparaison de l'optimisation : la plus grande couverture par euro, en Python pur
    (ensembles de communes, tas avec réévaluation paresseuse), indépendant du code du produit.

    Renvoie (couverture atteinte en habitants, secondes)."""
    t0 = time.perf_counter()
    candidats = evalues[evalues["eligible"] & (evalues["montant_max_aap"] > 0)].set_index("id_dossier")["montant_max_aap"]
    communes = cpd[cpd["id_dossier"].isin(candidats.index)].groupby("id_dossier")["commune"].agg(set).to_dict()
    w = poids.to_dict()
    couvert: set[str] = set()
    gain = lambda i: sum(w.get(c, 0.0) for c in communes.get(i, set()) - couvert)  # noqa: E731
    tas = [(-gain(i) / m, i) for i, m in candidats.items()]
    heapq.heapify(tas)
    reste, total = enveloppe, 0.0
    while tas:
        _, i = heapq.heappop(tas)
        if candidats[i] > reste or (g := gain(i)) <= 0:
            continue
        if tas and -g / candidats[i] > tas[0][0] + 1e-15:
            heapq.heappush(tas, (-g / candidats[i], i))
            continue
        total += g
        couvert |= communes.get(i, set())
        reste -= candidats[i]
    return total, time.perf_counter() - t0


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

    optimisation_par_perimetres(args)
    optimisation_contre_glouton(args)
    curseur_10000(args)


def optimisation_contre_glouton(args: argparse.Namespace) -> None:
    """Optimisation (HiGHS, partie du glouton interne) contre le glouton naïf, 100 à 10 000 dossiers."""
    print()
    print(f"Optimisation (HiGHS, limite {args.limite:g} s, priorité PNAD ignorée : même objectif que le glouton) "
          "contre le glouton naïf (plus grande couverture par euro)")
    print("  dossiers | enveloppe    | optimisation (hab.) | temps   | glouton naïf (hab.) | temps   | rapport")
    for n in (100, 1_000, 10_000):
        dossiers, cpd, poids = donnees_synthetiques(args.graine, n_dossiers=n)
        evalues = evaluer_dossiers(dossiers)
        enveloppe = 4_500.0 * n  # environ 10 % de la demande, comme 4,5 M€ pour 1 000 dossiers
        res = allouer_optimisation(evalues, enveloppe=enveloppe, communes_par_dossier=cpd, poids_communes=poids,
                                   financer_prioritaires=False, options=OptionsSolveur(time_limit=args.limite))
        valeur_glouton, t_glouton = glouton_naif(evalues, cpd, poids, enveloppe)
        verdict = "≥ glouton" if res.objectif >= valeur_glouton - 1e-6 else "< GLOUTON"
        print(f"  {n:8,d} | {enveloppe:12,.0f} | {res.objectif:19,.0f} | {res.temps_s:5.2f} s | {valeur_glouton:19,.0f} | "
              f"{t_glouton:5.2f} s | {res.objectif / max(valeur_glouton, 1):5.3f}× {verdict}".replace(",", " "))
        print(f"           statut : {res.statut_solveur} ; enveloppe utilisée {res.enveloppe_utilisee:,.2f} € ≤ "
              f"{enveloppe:,.2f} €".replace(",", " "))


def curseur_10000(args: argparse.Namespace) -> None:
    """Ce que le curseur d'enveloppe recalcule en mode priorité, 10 000 dossiers : l'allocation seule
    (avant : l'allocation et, cachée dans le volet « Comparer », l'optimisation)."""
    dossiers, cpd, poids = donnees_synthetiques(args.graine, n_dossiers=10_000)
    evalues = evaluer_dossiers(dossiers)
    priorite = lambda e: allouer_priorite(evalues, enveloppe=e, communes_par_dossier=cpd, poids_communes=poids)  # noqa: E731
    enveloppes = iter(np.linspace(30e6, 50e6, 12))
    t_curseur, _ = meilleur_temps(lambda: priorite(next(enveloppes)), 5)
    t0 = time.perf_counter()
    e = next(enveloppes)
    priorite(e)
    allouer_optimisation(evalues, enveloppe=e, communes_par_dossier=cpd, poids_communes=poids,
                         options=OptionsSolveur(time_limit=args.limite))
    t_avant = time.perf_counter() - t0
    print()
    print("Curseur d'enveloppe, mode priorité, 10 000 dossiers (une nouvelle enveloppe à chaque mesure)")
    print(f"  allocation par ordre de priorité seule : {t_curseur:6.2f} s   (cible ≤ 1 s)")
    print(f"  avant (priorité + optimisation du volet « Comparer » fermé) : {t_avant:6.2f} s ; rapport "
          f"{t_avant / t_curseur:5.1f}×")


def optimisation_par_perimetres(args: argparse.Namespace) -> None:
    """Optimisation par défaut (priorité PNAD respectée) contre l'ordre de priorité, 1 000 dossiers."""
    for perimetres in ("epci", "communes"):
        dossiers, cpd, poids = donnees_synthetiques(args.graine, perimetres=perimetres)
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
