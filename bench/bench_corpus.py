"""Temps et mémoire de chaque fichier hostile du corpus (`tests/corpus/`, gros fichiers fabriqués).

Script de mesure, pas un test : `.venv/bin/python bench/bench_corpus.py [--filtre bombe]`.

Chaque fichier passe par la ligne de commande (`python -m coverage valider|decp|zones-blanches`)
dans un processus neuf : le temps est mesuré de l'extérieur, le pic de mémoire est le `VmHWM` du
processus (lu dans /proc à sa sortie). Cible de l'issue 15 : moins de 10 s et moins de 1 Go par
fichier.

Bases naïves, pour les fichiers qui épuisaient la machine : décompression complète de la bombe
gzip (`gzip.decompress`, ce que faisait l'ancien lecteur DECP) et suggestions difflib sans borne
pour 1 000 noms inconnus (`Limites(suggestions=10**9)`), mesurées de même dans un processus neuf.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from tests.corpus.generer import generer  # noqa: E402
from tests.test_corpus import ATTENDUS, CORPUS, GENERES, _arguments  # noqa: E402

_ENVELOPPE = """
import runpy, sys
sys.argv = {argv!r}
try:
    runpy.run_module("coverage", run_name="__main__")
except SystemExit as fin:
    code = fin.code
for ligne in open("/proc/self/status"):
    if ligne.startswith("VmHWM:"):
        sys.stderr.write("\\nPIC " + ligne.split()[1] + "\\n")
"""

_NAIF_GZIP = """
import gzip, sys
gzip.decompress(open({chemin!r}, "rb").read())
for ligne in open("/proc/self/status"):
    if ligne.startswith("VmHWM:"):
        sys.stderr.write("PIC " + ligne.split()[1] + "\\n")
"""

_NAIF_SUGGESTIONS = """
import sys
sys.path.insert(0, {racine!r})
from coverage.sources import codes
from coverage.sources.limites import Limites
import coverage.sources.codes as c
c.LIMITES = Limites(suggestions=10**9, secondes_suggestions=1e9)
c.verifier_codes.__kwdefaults__["limites"] = c.LIMITES
from coverage.cli import main
main(["valider", {s!r}, {p!r}])
for ligne in open("/proc/self/status"):
    if ligne.startswith("VmHWM:"):
        sys.stderr.write("PIC " + ligne.split()[1] + "\\n")
"""


def _mesurer(code: str) -> tuple[float, float]:
    debut = time.perf_counter()
    fini = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE, check=False)
    duree = time.perf_counter() - debut
    pic = [int(l.split()[1]) for l in fini.stderr.splitlines() if l.startswith("PIC ")]
    return duree, (pic[-1] / 1024 if pic else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filtre", default="", help="ne mesurer que les fichiers dont le nom contient ce texte")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        generes = generer(Path(dossier) / "corpus")
        lignes = []
        for nom in sorted(ATTENDUS):
            if args.filtre not in nom:
                continue
            chemin = generes.get(nom, CORPUS / nom)
            arguments = _arguments(nom, chemin, Path(dossier) / "sortie.csv")
            if arguments is None:
                continue
            duree, pic = _mesurer(_ENVELOPPE.format(argv=["coverage", *arguments]))
            lignes.append((nom, duree, pic))
            print(f"{nom:55s} {duree:6.2f} s  {pic:7.0f} Mo", flush=True)
        if lignes:
            pire_t = max(lignes, key=lambda x: x[1])
            pire_m = max(lignes, key=lambda x: x[2])
            print(f"\n{len(lignes)} fichiers ; le plus lent : {pire_t[0]} ({pire_t[1]:.2f} s) ; "
                  f"le plus gourmand : {pire_m[0]} ({pire_m[2]:.0f} Mo)")  # fmt: skip
        if not args.filtre:
            bombe = generes["decp/bombe.json.gz"]
            t_naif, m_naif = _mesurer(_NAIF_GZIP.format(chemin=str(bombe)))
            t, m = next((d, p) for n, d, p in lignes if n == "decp/bombe.json.gz")
            print(f"Bombe gzip : naïf (décompression complète) {t_naif:.2f} s, {m_naif:.0f} Mo ; borné {t:.2f} s, "
                  f"{m:.0f} Mo ; rapport mémoire {m_naif / m:.1f}")  # fmt: skip
            s, p = str(CORPUS / "appui" / "structures.csv"), str(generes["perimetres/mille_noms_inconnus.csv"])
            t_naif, m_naif = _mesurer(_NAIF_SUGGESTIONS.format(racine=str(RACINE), s=s, p=p))
            t, m = next((d, q) for n, d, q in lignes if n == "perimetres/mille_noms_inconnus.csv")
            print(f"1 000 noms inconnus : suggestions sans borne {t_naif:.2f} s ; bornées {t:.2f} s ; "
                  f"rapport {t_naif / t:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
