"""Coût, à chaque exécution de page, du choix d'une structure parmi 10⁶ (page Couverture).

Script de mesure, pas un test : `.venv/bin/python bench/bench_liste_structures.py [--nombre 1000000]`.

Deux petites pages exécutées par AppTest, avec la même Series de noms (mise en cache) : la base
naïve, `st.multiselect` avec une option par structure (ce que faisait la page Couverture), et
`ui.recherche.choisir_structures` (champ de recherche, au plus 100 options proposées), champ vide
puis avec un texte cherché (filtre des 10⁶ noms à chaque exécution). Chaque page
est exécutée une fois pour chauffer, puis `--essais` fois ; on affiche la médiane et le rapport.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from streamlit.testing.v1 import AppTest  # noqa: E402

_PAGE = """
import sys
sys.path.insert(0, {racine!r})
import pandas as pd
import streamlit as st
from ui.recherche import choisir_structures

@st.cache_resource
def noms():
    return pd.Series([f"Structure {{i}}" for i in range({nombre})], index=[f"S{{i:07d}}" for i in range({nombre})])

n = noms()
if {naif}:
    st.multiselect("Structures", list(n.index), key="s", format_func=lambda i: f"{{n[i]}} ({{i}})", max_selections=8)
else:
    choisir_structures(n, cle="s", libelle="Structures", max_selections=8, placeholder="Choisir")
"""


def _mediane(naif: bool, nombre: int, essais: int, texte: str = "") -> float:
    at = AppTest.from_string(_PAGE.format(racine=str(RACINE), nombre=nombre, naif=naif), default_timeout=600)
    at.run()
    if texte:
        at.text_input(key="s_recherche").set_value(texte).run()
    durees = []
    for _ in range(essais):
        debut = time.perf_counter()
        at.run()
        durees.append(time.perf_counter() - debut)
    assert not at.exception, at.exception
    return statistics.median(durees)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=1_000_000)
    parser.add_argument("--essais", type=int, default=3)
    args = parser.parse_args()
    recherche = _mediane(False, args.nombre, args.essais)
    cherchee = _mediane(False, args.nombre, args.essais, texte="structure 12345")
    naif = _mediane(True, args.nombre, args.essais)
    nombre = f"{args.nombre:,}".replace(",", "\u202f")
    print(f"{nombre} structures : une exécution de page avec la recherche {recherche:.3f} s (champ vide), "
          f"{cherchee:.2f} s (texte cherché) ; multiselect d'une option par structure {naif:.2f} s ; rapport "
          f"{naif / cherchee:.0f} à {naif / recherche:.0f}")


if __name__ == "__main__":
    main()
