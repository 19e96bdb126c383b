"""Mesure des cartes : chargement du référentiel, carte nationale des EPCI, relance de l'Accueil.

Script de mesure, pas un test : `.venv/bin/python bench/bench_carte.py [--repetitions 5]`.

Affiche (issue « Foundation », point 7) :
- le chargement à froid du référentiel (`charger_referentiel()` + `charger_geometries("epci")`,
  cache `lru_cache` vidé avant chaque mesure), et celui d'un processus neuf (imports compris) ;
- la carte nationale des EPCI colorée par statut de couverture (données de démonstration) : temps
  de génération et octets que streamlit-folium enverrait au navigateur (cible ≤ 1,5 Mo), mesurés
  en appelant le vrai `st_folium` dont seul le composant front est remplacé par un espion (comme
  dans tests/test_carte.py) ;
- la même carte faite naïvement, mesurée dans le même processus : géométries non simplifiées
  (`charger_geometries("epci", affichage=False)`), pleine précision, réglages par défaut de
  folium (`folium.Map` avec tuiles OpenStreetMap depuis un CDN, `folium.GeoJson` avec
  `style_function` et `folium.GeoJsonTooltip`), et le rapport des tailles (cible ≥ 4×) ;
- la relance à chaud du script de l'Accueil (`AppTest`, caches chauds ; cible ≤ 1 s) : médiane
  de plusieurs `at.run()`. Si `app.py` ne s'exécute pas (page encore absente de la navigation),
  `pages/accueil.py` est mesurée directement, et le script le dit.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

import folium  # noqa: E402
import streamlit_folium  # noqa: E402

from coverage.territoires.couverture import agreger_couverture, couverture_par_commune, etendre_perimetres  # noqa: E402
from coverage.sources.donnees import donnees_demo  # noqa: E402
from geo.carte import (  # noqa: E402
    COULEUR_CONTOUR,
    COULEUR_SANS_DONNEE,
    COULEURS_STATUT,
    EMPRISES,
    carte_choroplethe,
    categories_couverture,
    couche_contours,
    poids_carte,
    poids_donnees,
)
from geo.reference import charger_geometries, charger_referentiel  # noqa: E402

CIBLE_POIDS = 1_500_000  # octets (1,5 Mo)
CIBLE_RAPPORT = 4.0
CIBLE_RELANCE = 1.0  # secondes


def mediane(fonction: Callable[[], Any], repetitions: int) -> tuple[float, Any]:
    """Médiane des durées (s) de `repetitions` appels, et le dernier résultat."""
    durees, resultat = [], None
    for _ in range(repetitions):
        t0 = time.perf_counter()
        resultat = fonction()
        durees.append(time.perf_counter() - t0)
    return statistics.median(durees), resultat


def mo(octets: float) -> str:
    return f"{octets / 1e6:.2f} Mo".replace(".", ",")


def envoi_st_folium(m: folium.Map, **options: Any) -> dict[str, Any]:
    """Ce que `st_folium` passe au composant front (le vrai `st_folium`, front remplacé par un espion)."""
    envoye: dict[str, Any] = {}
    original = streamlit_folium._component_func
    streamlit_folium._component_func = lambda **kw: envoye.update(kw) or kw["default"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            streamlit_folium.st_folium(m, key="bench", **options)
    finally:
        streamlit_folium._component_func = original
    return envoye


def octets_envoyes(envoye: dict[str, Any]) -> int:
    """Octets des textes envoyés au navigateur : script, en-tête, HTML, couches, liens JS/CSS."""
    total = 0
    for valeur in envoye.values():
        if isinstance(valeur, str):
            total += len(valeur.encode("utf-8"))
        elif isinstance(valeur, list | tuple):
            total += sum(len(str(v).encode("utf-8")) for v in valeur)
    return total


# --- 1. Référentiel ---------------------------------------------------------------------------


def chargement_a_froid() -> None:
    charger_referentiel.cache_clear()
    charger_referentiel()
    charger_geometries("epci")


def chargement_processus_neuf() -> float:
    """Durée (s) d'un processus Python neuf : imports + référentiel + couche EPCI (cache disque de l'OS chaud)."""
    code = (
        "import time; t0 = time.perf_counter(); import sys; sys.path.insert(0, %r)\n"
        "from geo.reference import charger_geometries, charger_referentiel\n"
        "charger_referentiel(); charger_geometries('epci'); print(time.perf_counter() - t0)" % str(RACINE)
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=RACINE)
    return float(sortie.stdout.strip())


# --- 2. Carte nationale des EPCI ----------------------------------------------------------------


def couche_statut(affichage: bool):
    """Couche EPCI jointe au statut de couverture de la démonstration (comme la page Accueil)."""
    ref = charger_referentiel()
    donnees = donnees_demo(ref)
    long = etendre_perimetres(donnees, referentiel=ref)
    communes = couverture_par_commune(donnees, referentiel=ref)
    epci = agreger_couverture(communes, referentiel=ref, niveau="epci", perimetres_communes=long)
    return charger_geometries("epci", affichage=affichage).join(epci[["statut", "etp", "part_population_couverte"]])


def carte_produit(couche, contours_departements=None) -> folium.Map:
    """La carte de l'Accueil : `geo.carte.carte_choroplethe` (GeoJSON compact, Leaflet local, sans tuiles)."""
    dessus = [] if contours_departements is None else [
        couche_contours(contours_departements, nom="Départements", couleur="#161616", epaisseur=1.2)
    ]
    return carte_choroplethe(
        couche, colonne="statut", libelle="Couverture", palette="categorie", categories=categories_couverture(),
        champs_infobulle=[("population", "Population"), ("etp", "ETP de facilitateurs")],
        cadrage=EMPRISES["metropole"], couches_dessus=dessus, hauteur=620,
    )


def carte_naive(couche) -> folium.Map:
    """Base naïve : folium par défaut, tuiles CDN, `folium.GeoJson` pleine précision."""
    couleurs = {s.value: c for s, c in COULEURS_STATUT.items()}
    m = folium.Map(location=[46.6, 2.4], zoom_start=6)
    donnees = couche.reset_index()[["code", "nom", "population", "etp", "statut", "geometry"]]
    folium.GeoJson(
        donnees,
        name="Couverture",
        style_function=lambda f: {
            "fillColor": couleurs.get(f["properties"]["statut"], COULEUR_SANS_DONNEE),
            "color": COULEUR_CONTOUR, "weight": 0.5, "fillOpacity": 0.85,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["nom", "code", "population", "etp", "statut"],
            aliases=["Nom", "Code", "Population", "ETP de facilitateurs", "Couverture"],
        ),
    ).add_to(m)
    return m


# --- 3. Relance à chaud de l'Accueil ------------------------------------------------------------


def relance_accueil(repetitions: int, *, dossier: Path) -> tuple[float, float, str]:
    """(première exécution, médiane des relances) en secondes, et le script mesuré.

    L'espace de travail SQLite de l'application est créé dans `dossier` (`FACILITATEURS_ESPACE`).
    """
    from streamlit.testing.v1 import AppTest

    os.environ["FACILITATEURS_ESPACE"] = str(dossier / "espace.sqlite")
    note = "app.py (page Accueil par défaut)"
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=300)
    journal = logging.getLogger("streamlit.error_util")
    niveau = journal.level
    journal.setLevel(logging.CRITICAL)  # l'échec éventuel est résumé plus bas
    try:
        t0 = time.perf_counter()
        at.run()
        premiere = time.perf_counter() - t0
        echec = [e.message for e in at.exception]
    except Exception as exc:  # noqa: BLE001 (on rapporte l'échec et on mesure la page seule)
        echec = [f"{type(exc).__name__} : {exc}"]
    finally:
        journal.setLevel(niveau)
    if echec:
        note = f"pages/accueil.py directement — app.py échoue : {echec[0].splitlines()[0][:160]}"
        at = AppTest.from_file(str(RACINE / "pages" / "accueil.py"), default_timeout=300)
        t0 = time.perf_counter()
        at.run()
        premiere = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"pages/accueil.py échoue aussi : {at.exception[0].message}")
    duree, _ = mediane(at.run, repetitions)
    if at.exception:
        raise RuntimeError(f"La relance échoue : {at.exception[0].message}")
    return premiere, duree, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    n = args.repetitions
    print(f"Machine : {os.cpu_count()} cœurs, Python {sys.version.split()[0]}, folium {folium.__version__}, "
          f"streamlit-folium {version('streamlit-folium')}, streamlit {version('streamlit')}.")

    # 1. Référentiel
    t_froid, _ = mediane(chargement_a_froid, n)
    t_neuf = statistics.median(chargement_processus_neuf() for _ in range(3))
    print()
    print("1. Chargement du référentiel (charger_referentiel + charger_geometries('epci'))")
    print(f"   à froid, lru_cache vidé (médiane de {n})        : {t_froid * 1000:8.0f} ms")
    print(f"   processus neuf, imports compris (médiane de 3)  : {t_neuf * 1000:8.0f} ms")

    # 2. Carte nationale des EPCI
    couche = couche_statut(affichage=True)
    couche_complete = couche_statut(affichage=False)
    departements = charger_geometries("departement")
    retour = {"returned_objects": ["last_active_drawing"], "height": 620, "use_container_width": True}

    def produit(avec_departements: bool) -> dict[str, Any]:
        return envoi_st_folium(carte_produit(couche, departements if avec_departements else None), **retour)

    t_epci, envoi_epci = mediane(lambda: produit(False), n)
    t_accueil, envoi_accueil = mediane(lambda: produit(True), n)
    m_produit = carte_produit(couche)
    t_naif, envoi_naif = mediane(lambda: envoi_st_folium(carte_naive(couche_complete), **retour), max(2, n // 2))
    m_naif = carte_naive(couche_complete)
    html_produit, html_naif = poids_carte(m_produit), poids_carte(m_naif)
    o_epci, o_accueil, o_naif = octets_envoyes(envoi_epci), octets_envoyes(envoi_accueil), octets_envoyes(envoi_naif)
    gz_epci = len(gzip.compress(envoi_epci["script"].encode("utf-8")))
    gz_naif = len(gzip.compress(envoi_naif["script"].encode("utf-8")))
    externes_naif = [u for u in envoi_naif["js_links"] + envoi_naif["css_links"] if u.startswith(("http", "//"))]
    print()
    print(f"2. Carte nationale des EPCI ({len(couche)} EPCI, statut de couverture de la démonstration)")
    print(f"   produit, EPCI seuls : génération + envoi (médiane de {n}) : {t_epci * 1000:6.0f} ms ; "
          f"envoyé par st_folium : {mo(o_epci)} (cible ≤ {mo(CIBLE_POIDS)}) dont GeoJSON {mo(poids_donnees(m_produit))} ; "
          f"page HTML (m.save) : {mo(html_produit)} ; gzip du script : {mo(gz_epci)}")
    print(f"   produit, comme l'Accueil (+ contours des {len(departements)} départements) : {t_accueil * 1000:6.0f} ms ; "
          f"envoyé : {mo(o_accueil)}")
    print(f"   base naïve (complet, pleine précision, folium par défaut) : {t_naif * 1000:6.0f} ms ; "
          f"envoyé par st_folium : {mo(o_naif)} ; page HTML : {mo(html_naif)} ; gzip du script : {mo(gz_naif)} ; "
          f"{len(externes_naif)} ressources JS/CSS sur des CDN")
    print(f"   rapport naïf / produit : envoyé {o_naif / o_epci:4.1f}× (Accueil : {o_naif / o_accueil:4.1f}×), "
          f"page HTML {html_naif / html_produit:4.1f}×, temps {t_naif / t_epci:4.1f}× (cible ≥ {CIBLE_RAPPORT:g}×)".replace(".", ","))
    verdict = "OK" if o_accueil <= CIBLE_POIDS and o_naif / o_accueil >= CIBLE_RAPPORT else "HORS CIBLE"
    print(f"   verdict (carte de l'Accueil) : {verdict}")

    # 3. Relance à chaud
    with tempfile.TemporaryDirectory(prefix="bench_carte_", ignore_cleanup_errors=True) as dossier:
        premiere, relance, note = relance_accueil(n, dossier=Path(dossier))
    print()
    print(f"3. Relance à chaud de l'Accueil (AppTest) — script mesuré : {note}")
    print(f"   première exécution (caches froids) : {premiere:6.2f} s".replace(".", ","))
    print(f"   relance à chaud (médiane de {n})     : {relance:6.2f} s (cible ≤ {CIBLE_RELANCE:g} s) : ".replace(".", ",")
          + ("OK" if relance <= CIBLE_RELANCE else "HORS CIBLE"))


if __name__ == "__main__":
    main()
