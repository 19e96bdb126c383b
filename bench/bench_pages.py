"""Réactivité des pages (AppTest) : relances à chaud et curseur d'enveloppe de la Simulation.

Script de mesure, pas un test. Base naïve mesurée dans le même processus : le calcul complet que
le curseur déclencherait sans les caches de `ui/` (règles, couverture, zones blanches par commune,
préparation de la simulation, allocation). Cible de l'issue : redessin en moins d'une seconde.

    .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("FACILITATEURS_ESPACE", str(Path(tempfile.mkdtemp()) / "espace.sqlite"))

from streamlit.testing.v1 import AppTest  # noqa: E402

from coverage.financement.allocation import allouer_priorite  # noqa: E402
from coverage.territoires.besoins import besoins_par_commune  # noqa: E402
from coverage.territoires.couverture import couverture_par_commune  # noqa: E402
from coverage.sources.donnees import donnees_demo  # noqa: E402
from coverage.financement.simulation import preparer_simulation  # noqa: E402
from coverage.territoires.zones_blanches import evaluer_zones_blanches  # noqa: E402
from geo.reference import charger_referentiel  # noqa: E402

PAGES = ["pages/accueil.py", "pages/couverture.py", "pages/zones_blanches.py", "pages/grands_projets.py",
         "pages/simulation.py", "pages/comite.py", "pages/donnees.py"]


def mediane(fonction, n: int = 3) -> float:
    durees = []
    for _ in range(n):
        t = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - t)
    return statistics.median(durees)


def main() -> None:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=180)
    at.run()
    print(f"Machine : {os.cpu_count()} cœurs. Relances à chaud (AppTest, médiane de 3) :")
    for page in PAGES:
        at.switch_page(page)
        t = time.perf_counter()
        at.run()
        premier = time.perf_counter() - t
        print(f"  {page:28s} première exécution {premier:5.2f} s ; relance à chaud {mediane(at.run):5.2f} s")

    at.switch_page("pages/simulation.py")
    at.run()
    at.sidebar.radio(key="simulation_enveloppes").set_value("nationale").run()  # le curseur règle une enveloppe unique
    curseur = at.sidebar.select_slider(key="simulation_enveloppe")
    valeurs = iter(range(3_000_000, 4_500_001, 100_000))
    duree_curseur = mediane(lambda: curseur.set_value(next(valeurs)).run(), 5)

    ref = charger_referentiel()
    donnees = donnees_demo(ref)

    def naif() -> None:
        couv = couverture_par_commune(donnees, referentiel=ref)
        zb = evaluer_zones_blanches(couverture_communes=couv, besoins=besoins_par_commune(referentiel=ref), referentiel=ref,
                                    niveau="commune")
        e = preparer_simulation(donnees, referentiel=ref, zones_blanches_communes=zb)
        allouer_priorite(e.dossiers, enveloppe=3_500_000, priorites=e.priorites)

    duree_naive = mediane(naif)
    print(f"Curseur d'enveloppe (Simulation, mode priorités) : {duree_curseur:.2f} s par redessin (cible ≤ 1 s : "
          f"{'OK' if duree_curseur <= 1 else 'HORS CIBLE'})")
    print(f"Base naïve, tout recalculé sans cache : {duree_naive:.2f} s ; rapport {duree_naive / duree_curseur:.1f}×")


if __name__ == "__main__":
    main()
