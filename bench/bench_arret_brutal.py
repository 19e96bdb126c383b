"""Sûreté de l'espace de travail face à un arrêt brutal pendant une écriture (kill -9).

Script de mesure, pas un test : `.venv/bin/python bench/bench_arret_brutal.py [--arrets 30]`.

Un processus enfant écrit sans fin dans un espace SQLite neuf (versions des données de
démonstration, fichiers de besoins de 5 Mo, scénarios) ; le parent le tue (`SIGKILL`) à un instant
tiré au hasard (graine fixe) entre 0,2 et 1,5 s, puis rouvre l'espace et vérifie : `PRAGMA
integrity_check` = ok, la version active se charge et a autant de lignes que les données écrites,
le fichier de besoins actif se relit en entier, l'historique des versions est continu. Le script
affiche le nombre d'arrêts, d'espaces cohérents et d'écritures validées survécues.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

_ECRIVAIN = """
import sys
sys.path.insert(0, {racine!r})
from coverage.espace import ouvrir_espace
from coverage.sources.donnees import donnees_demo
from geo.reference import charger_referentiel
donnees = donnees_demo(charger_referentiel())
e = ouvrir_espace({chemin!r})
print("pret", flush=True)
i = 0
while True:
    i += 1
    e.enregistrer_version(donnees, auteur="bench", libelle=f"v{{i}}", source="import")
    e.enregistrer_fichier_besoins("decp", nom_fichier=f"d{{i}}.json", contenu=bytes([i % 256]) * (5 << 20), auteur="bench")
"""


def _verifier(chemin: Path, attendu: dict[str, int]) -> tuple[bool, int, str]:
    from coverage.espace import ouvrir_espace

    with sqlite3.connect(chemin) as cx:
        integrite = cx.execute("PRAGMA integrity_check").fetchone()[0]
    if integrite != "ok":
        return False, 0, f"integrity_check : {integrite}"
    e = ouvrir_espace(chemin)
    versions = e.lister_versions()
    if versions.empty:  # arrêté avant la première écriture validée : rien à relire
        return True, 0, ""
    donnees = e.charger_version()
    if {"structures": len(donnees.structures), "perimetres": len(donnees.perimetres), "dossiers": len(donnees.dossiers)} != attendu:
        return False, len(versions), "version active incomplète"
    actif = e.fichier_besoins_actif("decp")
    if actif is not None and (len(actif[2]) != 5 << 20 or len(set(actif[2])) != 1):
        return False, len(versions), "fichier de besoins actif tronqué"
    ids = sorted(versions["id"])
    if ids != list(range(ids[0], ids[0] + len(ids))):
        return False, len(versions), "historique des versions discontinu"
    return True, len(versions), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrets", type=int, default=30)
    args = parser.parse_args()
    from coverage.sources.donnees import donnees_demo
    from geo.reference import charger_referentiel

    demo = donnees_demo(charger_referentiel())
    attendu = {"structures": len(demo.structures), "perimetres": len(demo.perimetres), "dossiers": len(demo.dossiers)}
    hasard = random.Random(2025)
    coherents, versions_total, debut = 0, 0, time.perf_counter()
    with tempfile.TemporaryDirectory() as dossier:
        chemin = Path(dossier) / "espace.sqlite"
        for n in range(1, args.arrets + 1):
            enfant = subprocess.Popen([sys.executable, "-c", _ECRIVAIN.format(racine=str(RACINE), chemin=str(chemin))],
                                      stdout=subprocess.PIPE, text=True)  # fmt: skip
            enfant.stdout.readline()  # « pret » : l'espace est ouvert, les écritures commencent
            time.sleep(hasard.uniform(0.2, 1.5))  # instant de l'arrêt, tiré au hasard (ce n'est pas une attente de synchronisation)
            os.kill(enfant.pid, signal.SIGKILL)
            enfant.wait()
            ok, nb_versions, motif = _verifier(chemin, attendu)
            coherents += ok
            versions_total = nb_versions
            print(f"arrêt {n:3d} : {'cohérent' if ok else 'INCOHÉRENT : ' + motif} ({nb_versions} versions)", flush=True)
    print(f"\n{args.arrets} arrêts brutaux pendant des écritures : {coherents} espaces cohérents sur {args.arrets} ; "
          f"{versions_total} versions validées survécues ; {time.perf_counter() - debut:.0f} s.")  # fmt: skip


if __name__ == "__main__":
    main()
