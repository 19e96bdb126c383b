"""Temps et mémoire de chaque fichier hostile du corpus (`tests/corpus/`, gros fichiers fabriqués),
par la ligne de commande et par le chemin d'import de la page Données.

Script de mesure, pas un test :

    .venv/bin/python bench/bench_corpus.py                       # tout le corpus, les deux chemins (plusieurs minutes)
    .venv/bin/python bench/bench_corpus.py --filtre decp/ --chemin import   # un sous-ensemble
    .venv/bin/python bench/bench_corpus.py --rapide              # les petits fichiers seulement (sans les fabriqués)

Chaque fichier passe, dans un processus neuf à chaque fois :

- par la **ligne de commande** (`python -m coverage valider|decp|zones-blanches`, comme
  `tests/test_corpus.py`) ; le registre des grands projets n'a pas de commande et n'y passe pas ;
- par le **chemin d'import de la page Données** : `importer_fichiers` (structures, périmètres,
  dossiers), `verifier_fichier_besoins` (DECP, QPV, NPNRU), `lire_registre_geojson` (registre).

Pour chacun : durée (de l'extérieur pour la ligne de commande, démarrage de Python compris ; de
l'appel seul pour le chemin d'import, le référentiel étant déjà en mémoire comme dans l'application),
pic de mémoire du processus (`VmHWM` lu dans /proc à sa sortie, référentiel compris), et la
première ligne du message rendu. Puis un résumé par chemin : plus lent, plus gourmand, nombre de
fichiers au-delà de 10 s et de 1 Go (cible de l'issue 15 : aucun). Un fichier accepté ou une trace
Python est signalé en clair (`ACCEPTÉ`, `TRACE`).

Bases naïves (sans `--filtre` ni `--rapide`), pour les fichiers qui épuisaient la machine :
décompression complète de la bombe gzip (`gzip.decompress`, ce que faisait l'ancien lecteur DECP) et
suggestions difflib sans borne pour 1 000 noms inconnus (`Limites(suggestions=10**9)`), mesurées de
même dans un processus neuf.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from tests.corpus.generer import GENERES, generer  # noqa: E402
from tests.test_corpus import APPUI, ATTENDUS, CORPUS, _arguments  # noqa: E402

SEUIL_S = 10.0
SEUIL_MO = 1024.0

_FIN = """
import json as _json
for _l in open("/proc/self/status"):
    if _l.startswith("VmHWM:"):
        _pic = int(_l.split()[1]) / 1024
sys.stderr.write("\\nBENCH " + _json.dumps({{"pic": _pic, "duree": _duree, "message": _message}}) + "\\n")
"""

_CLI = """
import io, runpy, sys, contextlib
sys.argv = {argv!r}
_duree, _message = None, ""
try:
    runpy.run_module("coverage", run_name="__main__")
except SystemExit:
    pass
""" + _FIN

_IMPORT = """
import sys, time
sys.path.insert(0, {racine!r})
from pathlib import Path
from geo.reference import charger_referentiel
ref = charger_referentiel()
nom, chemin, appui = {nom!r}, Path({chemin!r}), Path({appui!r})
famille = nom.split("/")[0]
debut = time.perf_counter()
try:
    if famille in ("structures", "perimetres", "dossiers"):
        from coverage.sources.donnees import importer_fichiers
        fichiers = {{"structures": ((appui / "structures.csv").read_bytes(), "structures.csv"),
                    "perimetres": ((appui / "perimetres.csv").read_bytes(), "perimetres.csv")}}
        fichiers[famille] = (chemin.read_bytes(), chemin.name)
        r = importer_fichiers(**fichiers, referentiel=ref)
        _message = str(r.erreurs[0]) if r.erreurs else "ACCEPTÉ"
    elif famille == "registre":
        from coverage.territoires.grands_projets.registre_geojson import lire_registre_geojson
        lire_registre_geojson(chemin.read_bytes(), chemin.name, referentiel=ref)
        _message = "ACCEPTÉ"
    else:
        from coverage.sources.fichiers_besoins import verifier_fichier_besoins
        verifier_fichier_besoins(famille, chemin.read_bytes(), chemin.name, referentiel=ref)
        _message = "ACCEPTÉ"
except Exception as exc:  # ErreurLecture, ErreurRegistre : le message ; toute autre exception : une trace
    attendu = type(exc).__name__ in ("ErreurLecture", "ErreurRegistre")
    _message = str(exc) if attendu else f"TRACE {{type(exc).__name__}} : {{exc}}"
_duree = time.perf_counter() - debut
""" + _FIN

_NAIF_GZIP = """
import gzip, sys, time
debut = time.perf_counter()
gzip.decompress(open({chemin!r}, "rb").read())
_duree, _message = time.perf_counter() - debut, "décompressé en entier"
""" + _FIN

_NAIF_SUGGESTIONS = """
import sys, time
sys.path.insert(0, {racine!r})
from coverage.sources.limites import Limites
import coverage.sources.codes as c
c.LIMITES = Limites(suggestions=10**9, secondes_suggestions=1e9)
c.verifier_codes.__kwdefaults__["limites"] = c.LIMITES
from coverage.cli import main
debut = time.perf_counter()
main(["valider", {s!r}, {p!r}])
_duree, _message = time.perf_counter() - debut, "suggestions sans borne"
""" + _FIN


def _mesurer(code: str) -> dict:
    """Lance `code` dans un processus neuf : durée (celle que rend le processus, sinon de l'extérieur), pic, message."""
    debut = time.perf_counter()
    fini = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE, check=False)
    exterieur = time.perf_counter() - debut
    lignes = fini.stderr.splitlines()
    bench = next((json.loads(ligne[6:]) for ligne in reversed(lignes) if ligne.startswith("BENCH ")), None)
    if bench is None:
        return {"duree": exterieur, "pic": float("nan"), "message": "TRACE (processus interrompu) " + fini.stderr[-300:]}
    if bench["duree"] is None:  # ligne de commande : durée vue de l'extérieur, message = première ligne écrite
        bench["duree"] = exterieur
        ecrit = [ligne for ligne in lignes if ligne.strip() and not ligne.startswith("BENCH ")]
        bench["message"] = ("TRACE " if any("Traceback" in ligne for ligne in ecrit) else "") + (ecrit[0] if ecrit else "(rien)")
    return bench


def _premiere_ligne(message: str) -> str:
    ligne = message.strip().splitlines()[0] if message.strip() else "(rien)"
    return ligne if len(ligne) <= 110 else ligne[:107] + "…"


def _resumer(chemin: str, mesures: list[tuple[str, dict]]) -> None:
    if not mesures:
        return
    lent = max(mesures, key=lambda m: m[1]["duree"])
    gourmand = max(mesures, key=lambda m: m[1]["pic"] if m[1]["pic"] == m[1]["pic"] else float("inf"))
    au_dela_s = [n for n, m in mesures if m["duree"] > SEUIL_S]
    au_dela_mo = [n for n, m in mesures if not m["pic"] <= SEUIL_MO]
    refus_manques = [n for n, m in mesures if m["message"].startswith(("ACCEPTÉ", "TRACE"))]
    print(f"\n{chemin} : {len(mesures)} fichiers ; le plus lent : {lent[0]} ({lent[1]['duree']:.2f} s) ; le plus gourmand : "
          f"{gourmand[0]} ({gourmand[1]['pic']:.0f} Mo) ; au-delà de {SEUIL_S:.0f} s : {len(au_dela_s)} {au_dela_s or ''} ; "
          f"au-delà de 1 Go : {len(au_dela_mo)} {au_dela_mo or ''} ; acceptés ou trace : {len(refus_manques)} {refus_manques or ''}")


def _bases_naives(generes: dict[str, Path], mesures_cli: dict[str, dict]) -> None:
    if "decp/bombe.json.gz" in mesures_cli:
        naif = _mesurer(_NAIF_GZIP.format(chemin=str(generes["decp/bombe.json.gz"])))
        borne = mesures_cli["decp/bombe.json.gz"]
        print(f"Bombe gzip : naïf (décompression complète) {naif['duree']:.2f} s, {naif['pic']:.0f} Mo ; borné "
              f"{borne['duree']:.2f} s, {borne['pic']:.0f} Mo ; rapport mémoire {naif['pic'] / borne['pic']:.1f}")
    if "perimetres/mille_noms_inconnus.csv" in mesures_cli:
        s, p = str(APPUI / "structures.csv"), str(generes["perimetres/mille_noms_inconnus.csv"])
        naif = _mesurer(_NAIF_SUGGESTIONS.format(racine=str(RACINE), s=s, p=p))
        borne = mesures_cli["perimetres/mille_noms_inconnus.csv"]
        print(f"1 000 noms inconnus : suggestions sans borne {naif['duree']:.2f} s ; bornées {borne['duree']:.2f} s ; "
              f"rapport {naif['duree'] / borne['duree']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filtre", default="", help="ne mesurer que les fichiers dont le nom contient ce texte")
    parser.add_argument("--chemin", choices=["cli", "import", "les-deux"], default="les-deux")
    parser.add_argument("--rapide", action="store_true", help="sans les gros fichiers fabriqués (quelques secondes par fichier)")
    args = parser.parse_args()
    chemins = ["cli", "import"] if args.chemin == "les-deux" else [args.chemin]
    with tempfile.TemporaryDirectory() as dossier:
        noms = [n for n in sorted(ATTENDUS) if args.filtre in n and not (args.rapide and n in GENERES)]
        generes = generer(Path(dossier) / "corpus") if any(n in GENERES for n in noms) else {}
        mesures: dict[str, list[tuple[str, dict]]] = {c: [] for c in chemins}
        print(f"{'fichier':48s} {'chemin':7s} {'durée':>8s} {'pic':>8s}  message (première ligne)")
        for nom in noms:
            chemin = generes.get(nom, CORPUS / nom)
            for c in chemins:
                if c == "cli":
                    arguments = _arguments(nom, chemin, Path(dossier) / "sortie.csv")
                    if arguments is None:
                        continue
                    m = _mesurer(_CLI.format(argv=["coverage", *arguments]))
                else:
                    m = _mesurer(_IMPORT.format(racine=str(RACINE), nom=nom, chemin=str(chemin), appui=str(APPUI)))
                mesures[c].append((nom, m))
                print(f"{nom:48s} {c:7s} {m['duree']:6.2f} s {m['pic']:6.0f} Mo  {_premiere_ligne(m['message'])}", flush=True)
        for c in chemins:
            _resumer({"cli": "Ligne de commande", "import": "Chemin d'import (page Données)"}[c], mesures[c])
        if not args.filtre and not args.rapide and "cli" in chemins:
            _bases_naives(generes, dict(mesures["cli"]))


if __name__ == "__main__":
    main()
