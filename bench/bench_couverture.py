"""Mesure du moteur de couverture : France entière, modification « et si », base géométrique naïve.

Script de mesure, pas un test : `.venv/bin/python bench/bench_couverture.py [--repetitions 15]`.

Données : la démonstration (`coverage.sources.donnees.donnees_demo`, 473 structures, 704 lignes de
périmètre sur les 34 875 communes du COG 2026). Affiche (issue 3, point 9) :
- le recalcul complet de la couverture au niveau EPCI, tel que l'application le fait après une
  modification (`etendre_perimetres` + `couverture_par_commune` + `agreger_couverture`) :
  médiane de plusieurs exécutions, cible ≤ 200 ms ; le premier appel (table d'appartenance
  commune → territoires construite une fois par référentiel) est donné à part ;
- une modification « et si » (`ajouter_territoire` : une structure étendue à un EPCI non couvert
  de son département) suivie du recalcul ;
- une base naïve géométrique calculée dans le même processus : pour chaque structure, l'union des
  polygones de son périmètre (couches complètes `charger_geometries(..., affichage=False)`), une
  jointure spatiale (`geopandas.sjoin`, prédicat `within`) des points représentatifs des communes
  avec ce polygone, les ETP répartis au prorata de la population, puis l'agrégation par EPCI par
  une seconde jointure spatiale (points dans les polygones d'EPCI). Base généreuse : les couches
  et les points représentatifs sont calculés avant la mesure. Cible : moteur ≥ 10× plus rapide.
  Les deux résultats sont comparés (communes couvertes, statut, ETP par EPCI).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.territoires.couverture import (  # noqa: E402
    agreger_couverture,
    ajouter_territoire,
    comparer,
    couverture_par_commune,
    etendre_perimetres,
)
from coverage.sources.donnees import donnees_demo  # noqa: E402
from coverage.modele import DonneesFacilitateurs  # noqa: E402
from geo.appartenance import _APPARTENANCE, _INDEX, developper, index_appartenance  # noqa: E402
from geo.reference import Referentiel, charger_geometries, charger_referentiel  # noqa: E402
from geo.voisinage import statut_extensions  # noqa: E402

CIBLE_RECALCUL = 0.200  # secondes
CIBLE_RAPPORT = 10.0


def mediane(fonction: Callable[[], Any], repetitions: int) -> tuple[float, Any]:
    """Médiane des durées (s) de `repetitions` appels, et le dernier résultat."""
    durees, resultat = [], None
    for _ in range(repetitions):
        t0 = time.perf_counter()
        resultat = fonction()
        durees.append(time.perf_counter() - t0)
    mediane.meilleur = min(durees)  # type: ignore[attr-defined]
    return statistics.median(durees), resultat


def ms(secondes: float) -> str:
    return f"{secondes * 1000:8.1f} ms".replace(".", ",")


# --- Moteur du produit --------------------------------------------------------------------------


def recalcul(donnees: DonneesFacilitateurs, ref: Referentiel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ce que l'application recalcule après une modification : communes, puis agrégat EPCI."""
    long = etendre_perimetres(donnees, referentiel=ref)
    communes = couverture_par_commune(donnees, referentiel=ref, perimetres_communes=long)
    return communes, agreger_couverture(communes, referentiel=ref, niveau="epci", perimetres_communes=long)


# --- Base naïve géométrique ---------------------------------------------------------------------


def naif(
    donnees: DonneesFacilitateurs,
    *,
    couches: dict[str, gpd.GeoDataFrame],
    points: gpd.GeoDataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Couverture par superposition géométrique, structure par structure.

    `couches` : polygones complets par niveau (EPSG:4326, index code) ; `points` : un point
    représentatif par commune (index code, colonne `population`). Rend (communes, epci) :
    ETP et statut par commune, ETP et population couverte par EPCI.
    """
    etp_structures = donnees.structures.set_index("id_structure")["etp_facilitateur"]
    morceaux = []
    for id_structure, lignes in donnees.perimetres.groupby("id_structure"):
        etp = float(etp_structures[id_structure])
        if etp <= 0:
            continue
        explicite = lignes["part_etp"].notna().all()
        # Un polygone par ligne (parts explicites) ou par rôle (prorata de la population).
        groupes = lignes.assign(cle=np.arange(len(lignes))) if explicite else lignes.assign(cle=lignes["role"])
        polygones = []
        for cle, groupe in groupes.groupby("cle"):
            geometries = [couches[n].geometry[c] for n, c in zip(groupe["niveau"], groupe["code"]) if c in couches[n].index]
            polygones.append({"cle": cle, "role": groupe["role"].iloc[0], "part": groupe["part_etp"].iloc[0],
                              "geometry": shapely.union_all(geometries)})
        perimetre = gpd.GeoDataFrame(polygones, geometry="geometry", crs=4326)
        touchees = gpd.sjoin(points, perimetre, predicate="within", how="inner")
        touchees = touchees.rename_axis("commune").reset_index()
        if explicite:
            poids = touchees["population"] / touchees.groupby("cle")["population"].transform("sum")
            touchees["etp"] = etp * touchees["part"].astype(float) * poids
        else:
            touchees = touchees.sort_values("role", key=lambda r: r != "principal").drop_duplicates("commune")
            touchees["etp"] = etp * touchees["population"] / touchees["population"].sum()
        morceaux.append(touchees[["commune", "role", "etp"]].assign(id_structure=id_structure))
    long = pd.concat(morceaux, ignore_index=True)
    par_commune = long.assign(principal=long["role"] == "principal").groupby("commune").agg(
        etp=("etp", "sum"), principal=("principal", "any")
    )
    communes = points[["population"]].join(par_commune)
    communes["etp"] = communes["etp"].fillna(0.0)
    communes["statut"] = np.where(
        communes["principal"].isna(), "non_couvert", np.where(communes["principal"].fillna(False).astype(bool), "couvert", "extension_seule")
    )
    # Agrégation : chaque point de commune dans son polygone d'EPCI.
    dans_epci = gpd.sjoin(points[["geometry"]], couches["epci"][["geometry"]].rename_axis("epci").reset_index(), predicate="within")
    communes["epci"] = dans_epci["epci"].reindex(communes.index)
    couverte = communes["population"].where(communes["statut"] != "non_couvert", 0)
    epci = communes.assign(population_couverte=couverte).groupby("epci")[["population", "population_couverte", "etp"]].sum()
    return communes, epci


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--repetitions-naif", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine : {os.cpu_count()} cœurs ; pandas {pd.__version__}, geopandas {gpd.__version__}, shapely {shapely.__version__}.")

    ref = charger_referentiel()
    donnees = donnees_demo(ref)
    print(f"Données : {len(donnees.structures)} structures, {len(donnees.perimetres)} lignes de périmètre, "
          f"{len(ref.communes)} communes, {len(ref.epci)} EPCI.")

    # 1. Recalcul complet
    _APPARTENANCE.clear()  # premier appel : appartenance, index CSR et voisinage construits
    _INDEX.clear()
    ref.derives.clear()
    t_premier, _ = mediane(lambda: recalcul(donnees, ref), 1)
    t_recalcul, (communes, epci) = mediane(lambda: recalcul(donnees, ref), args.repetitions)
    meilleur_recalcul = mediane.meilleur
    t_minimal, _ = mediane(
        lambda: agreger_couverture(couverture_par_commune(donnees, referentiel=ref), referentiel=ref, niveau="epci"),
        args.repetitions,
    )
    meilleur_minimal = mediane.meilleur
    long = etendre_perimetres(donnees, referentiel=ref)
    t_etendre, _ = mediane(lambda: etendre_perimetres(donnees, referentiel=ref), args.repetitions)
    t_communes, _ = mediane(lambda: couverture_par_commune(donnees, referentiel=ref, perimetres_communes=long), args.repetitions)
    t_agreger, _ = mediane(
        lambda: agreger_couverture(communes, referentiel=ref, niveau="epci", perimetres_communes=long), args.repetitions
    )
    p = donnees.perimetres.reset_index(drop=True)
    ligne, pos = developper(p, index_appartenance(ref))
    sid = pd.factorize(p["id_structure"].astype(str))[0]
    principal = (p["role"] == "principal").to_numpy()
    t_limitrophe, _ = mediane(
        lambda: statut_extensions(ligne, pos, structure=sid, principal=principal, referentiel=ref), args.repetitions
    )
    print()
    print("1. Recalcul complet de la couverture, France entière, niveau EPCI")
    print(f"   premier appel (table d'appartenance construite)        : {ms(t_premier)}")
    print(f"   recalcul de l'application, médiane de {args.repetitions:2d}            : {ms(t_recalcul)}   "
          f"(meilleur {ms(meilleur_recalcul).strip()} ; cible ≤ 200 ms : {'OK' if t_recalcul <= CIBLE_RECALCUL else 'HORS CIBLE'})")
    print(f"   couverture_par_commune + agreger_couverture seuls       : {ms(t_minimal)}   "
          f"(meilleur {ms(meilleur_minimal).strip()} ; cible ≤ 200 ms : {'OK' if t_minimal <= CIBLE_RECALCUL else 'HORS CIBLE'})")
    print(f"   détail (médianes) : etendre_perimetres {ms(t_etendre).strip()}, couverture_par_commune {ms(t_communes).strip()} "
          f", agreger_couverture {ms(t_agreger).strip()} ; dont contrôle des extensions limitrophes (statut_extensions, "
          f"dans etendre_perimetres) {ms(t_limitrophe).strip()}")

    # 2. « Et si » : la première structure étendue à un EPCI non couvert de son département.
    s = donnees.structures.iloc[0]
    candidats = ref.epci[(ref.epci["departement"] == s["departement"]) & (epci["statut"].reindex(ref.epci.index) == "non_couvert")]
    cible = candidats.index[0]

    def et_si() -> pd.DataFrame:
        modifiees = ajouter_territoire(donnees, id_structure=s["id_structure"], niveau="epci", code=cible, role="extension")
        return recalcul(modifiees, ref)[1]

    t_et_si, apres = mediane(et_si, args.repetitions)
    changes = comparer(epci, apres)
    print()
    print(f"2. « Et si » : {s['id_structure']} ({s['nom']}) étendue à l'EPCI {cible} ({ref.epci.at[cible, 'nom']})")
    print(f"   ajouter_territoire + recalcul, médiane de {args.repetitions:2d}          : {ms(t_et_si)} ; "
          f"{len(changes)} EPCI changent (ETP, statut ou part couverte)")

    # 3. Base naïve géométrique
    t0 = time.perf_counter()
    couches = {n: charger_geometries(n, affichage=False) for n in ("commune", "epci", "departement", "region")}
    points = gpd.GeoDataFrame(
        {"population": ref.communes["population"].reindex(couches["commune"].index)},
        geometry=couches["commune"].geometry.representative_point(), crs=4326,
    )
    t_preparation = time.perf_counter() - t0
    t_naif, (communes_naif, epci_naif) = mediane(lambda: naif(donnees, couches=couches, points=points), args.repetitions_naif)
    print()
    print("3. Base naïve : union des polygones de chaque structure + jointure spatiale des communes")
    print(f"   préparation hors mesure (couches complètes, points représentatifs) : {t_preparation:5.1f} s".replace(".", ","))
    print(f"   calcul naïf, médiane de {args.repetitions_naif}                             : {ms(t_naif)}")
    rapport = t_naif / t_recalcul  # contre le recalcul complet de l'application (le plus lent des deux)
    print(f"   rapport naïf / moteur : {rapport:6.1f}×   (cible ≥ {CIBLE_RAPPORT:g}× : "
          f"{'OK' if rapport >= CIBLE_RAPPORT else 'HORS CIBLE'})".replace(".", ","))

    # Comparaison des résultats
    avec_geometrie = ref.communes.index[ref.communes["a_geometrie"]]
    couvertes = set(communes.index[communes["statut"] != "non_couvert"])
    couvertes_naif = set(communes_naif.index[communes_naif["statut"] != "non_couvert"])
    sans_geometrie = couvertes - set(avec_geometrie)
    statut_diff = (communes["statut"].reindex(avec_geometrie) != communes_naif["statut"].reindex(avec_geometrie)).sum()
    ecart_etp = (epci["etp"] - epci_naif["etp"].reindex(epci.index).fillna(0.0)).abs()
    ecart_communes = (communes["etp"].reindex(avec_geometrie) - communes_naif["etp"].reindex(avec_geometrie)).abs()
    print(f"   communes couvertes : moteur {len(couvertes)}, naïf {len(couvertes_naif)} ; "
          f"différence symétrique {len(couvertes ^ couvertes_naif)} commune(s), dont {len(sans_geometrie)} sans géométrie "
          f"(couvertes par le moteur, invisibles pour une jointure spatiale) ; statuts différents parmi les communes "
          f"avec géométrie : {int(statut_diff)}")
    print(f"   ETP par commune (avec géométrie) : {int((ecart_communes > 1e-9).sum())} commune(s) avec un écart > 1e-9 ETP, "
          f"écart maximal {ecart_communes.max():.2e} ETP (le naïf répartit aussi sur ces communes la part des communes "
          f"sans géométrie de leur périmètre)".replace(".", ","))
    print(f"   ETP par EPCI : écart maximal {ecart_etp.max():.2e} ETP, {int((ecart_etp > 1e-9).sum())} EPCI avec un écart "
          f"> 1e-9 ETP ; total moteur {epci['etp'].sum():.4f}, naïf {epci_naif['etp'].sum():.4f} ETP".replace(".", ","))


if __name__ == "__main__":
    main()
