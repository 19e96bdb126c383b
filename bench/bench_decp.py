"""Mesure de l'import et du placement des marchés publics (DECP).

Script de mesure, pas un test : `.venv/bin/python bench/bench_decp.py [--nombre 500000]`.

Données : `--nombre` marchés synthétiques FICTIFS (générateur de `coverage.demo.besoins`, graine
fixe) au format JSON officiel 2024 (environ 1 Ko par marché) et au format CSV à plat, sur les
vraies communes du COG 2026.

Chaque chaîne complète est mesurée : lecture du fichier → `lire_decp` → `placer_contrats` →
`indicateurs_marches` (niveau commune). Le temps est mesuré dans le processus principal ; le pic
de mémoire (RSS maximal du processus, `VmHWM`) dans un processus neuf par configuration pour
que les mesures ne se polluent pas. Configurations :
- JSON, lecture Arrow (le cas normal : fichier consolidé aux types conformes au schéma) ;
- JSON, lecture Python par fenêtres (le repli pour un fichier aux types hétérogènes) ;
- CSV à plat.

Base naïve, exécutée dans le même processus : `json.loads` du fichier puis, marché par marché,
placement par dictionnaires Python (code commune, ancien code, code postal, département) et
cumul des indicateurs dans des dictionnaires ; sur un sous-ensemble (`--sous-ensemble`), le temps
étant extrapolé linéairement au nombre total.

Cibles (issue « zones blanches », point 8) : ≤ 30 s et ≤ 2 Go pour 500 000 marchés.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.sources.decp import lecture_json  # noqa: E402
from coverage.sources.decp import indicateurs_marches, lire_decp, placer_contrats  # noqa: E402
from coverage.demo.besoins import contrats_synthetiques, decp_csv, decp_json_2024  # noqa: E402
from geo.reference import charger_referentiel  # noqa: E402

CIBLE_SECONDES = 30.0
CIBLE_OCTETS = 2 * 1024**3


def _pic_rss() -> int:
    """RSS maximal du processus depuis son démarrage, en octets.

    Linux : `VmHWM` de /proc/self/status (remis à zéro par exec, contrairement à `ru_maxrss` qui
    garde le pic du parent au moment du fork) ; ailleurs, `ru_maxrss`.
    """
    try:
        for ligne in Path("/proc/self/status").read_text().splitlines():
            if ligne.startswith("VmHWM:"):
                return int(ligne.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def chaine_complete(chemin: Path, *, lecteur: str) -> dict:
    """Lecture + placement + indicateurs communaux ; rend les temps (s) et comptes."""
    referentiel = charger_referentiel()
    if lecteur == "python":
        lecture_json._lire_json_arrow = lambda contenu: None  # force le repli Python
    avant = _pic_rss()
    t0 = time.perf_counter()
    contenu = chemin.read_bytes()
    lus = lire_decp(contenu, nom_fichier=chemin.name)
    del contenu
    t1 = time.perf_counter()
    places = placer_contrats(lus.contrats, referentiel=referentiel)
    t2 = time.perf_counter()
    indicateurs = indicateurs_marches(places, referentiel=referentiel, niveau="commune")
    t3 = time.perf_counter()
    return {
        "lecture": t1 - t0,
        "placement": t2 - t1,
        "indicateurs": t3 - t2,
        "total": t3 - t0,
        "marches": lus.nb_contrats,
        "places_commune": int(places["commune"].notna().sum()),
        "non_places": int((places["niveau_placement"] == "non_place").sum()),
        "montant_communes": float(indicateurs["montant_total"].sum()),
        "rss_avant": avant,
        "rss_pic": _pic_rss(),
    }


def base_naive(chemin: Path) -> dict:
    """`json.loads` puis une boucle Python par marché, avec des dictionnaires (pas de pandas)."""
    referentiel = charger_referentiel()
    communes = referentiel.communes
    actuelles = {c: c for c in communes.index}
    actuelles.update(zip(referentiel.anciens_codes["ancien_code"], referentiel.anciens_codes["commune"]))
    population = dict(zip(communes.index, communes["population"]))
    postal: dict[str, str] = {}
    for cp, commune in zip(referentiel.codes_postaux["code_postal"], referentiel.codes_postaux["commune"]):
        if commune in population and (cp not in postal or population[commune] > population[postal[cp]]):
            postal[cp] = commune
    departements = set(referentiel.departements.index)
    t0 = time.perf_counter()
    donnees = json.loads(chemin.read_bytes())
    nb: dict[str, int] = {}
    montant: dict[str, float] = {}
    etat: dict[str, int] = {}
    sociale: dict[str, int] = {}
    connue: dict[str, int] = {}
    non_places = 0
    for m in donnees["marches"]["marche"]:
        lieu = m.get("lieuExecution") or {}
        code, type_code = str(lieu.get("code") or ""), (lieu.get("typeCode") or "").lower()
        if len(code) == 4 and code.isdigit():
            code = "0" + code
        if "commune" in type_code:
            cle = actuelles.get(code)
        elif "postal" in type_code:
            cle = postal.get(code)
        elif "partement" in type_code:
            cle = code if code in departements else None
        else:
            cle = None
        if cle is None:
            non_places += 1
            continue
        brut = m.get("montant")
        try:
            valeur = float(brut) if not isinstance(brut, str) else float(brut.replace(" ", "").replace(",", "."))
        except (TypeError, ValueError):
            valeur = 0.0
        nb[cle] = nb.get(cle, 0) + 1
        montant[cle] = montant.get(cle, 0.0) + valeur
        if str((m.get("acheteur") or {}).get("id", "")).startswith("1"):
            etat[cle] = etat.get(cle, 0) + 1
        valeurs = (m.get("considerationsSociales") or {}).get("considerationSociale")
        if valeurs:
            connue[cle] = connue.get(cle, 0) + 1
            if any(v != "Pas de considération sociale" for v in valeurs):
                sociale[cle] = sociale.get(cle, 0) + 1
    return {"total": time.perf_counter() - t0, "marches": len(donnees["marches"]["marche"]), "non_places": non_places}


def _mesurer_dans_un_processus_neuf(chemin: Path, lecteur: str) -> dict:
    sortie = subprocess.run(
        [sys.executable, __file__, "--mesurer", lecteur, str(chemin)], check=True, capture_output=True, text=True
    )
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def _generer(dossier: Path, nombre: int, sous_ensemble: int, graine: int) -> dict:
    referentiel = charger_referentiel()
    contrats = contrats_synthetiques(nombre, referentiel=referentiel, graine=graine)
    (dossier / "decp.json").write_bytes(decp_json_2024(contrats))
    (dossier / "decp.csv").write_bytes(decp_csv(contrats))
    (dossier / "decp_sous_ensemble.json").write_bytes(decp_json_2024(contrats.head(sous_ensemble)))
    return {nom: (dossier / nom).stat().st_size for nom in ("decp.json", "decp.csv")}


def _fr(valeur: float, decimales: int = 1) -> str:
    return f"{valeur:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=500_000)
    parser.add_argument("--sous-ensemble", type=int, default=50_000)
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--mesurer", nargs=2, metavar=("LECTEUR", "FICHIER"), help=argparse.SUPPRESS)
    parser.add_argument("--generer", nargs=2, metavar=("DOSSIER", "NOMBRE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mesurer:
        print(json.dumps(chaine_complete(Path(args.mesurer[1]), lecteur=args.mesurer[0])))
        return 0
    if args.generer:
        tailles = _generer(Path(args.generer[0]), int(args.generer[1]), args.sous_ensemble, args.graine)
        print(json.dumps(tailles))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench_decp_") as tmp:
        dossier = Path(tmp)
        t = time.perf_counter()
        generation = subprocess.run(
            [sys.executable, __file__, "--generer", str(dossier), str(args.nombre), "--sous-ensemble",
             str(args.sous_ensemble), "--graine", str(args.graine)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        tailles = json.loads(generation.stdout.strip().splitlines()[-1])
        print(
            f"Banc DECP : {_fr(args.nombre, 0)} marchés synthétiques fictifs (JSON 2024 : "
            f"{_fr(tailles['decp.json'] / 1e6)} Mo ; CSV : {_fr(tailles['decp.csv'] / 1e6)} Mo ; générés en "
            f"{_fr(time.perf_counter() - t)} s) ; machine : {os.cpu_count()} cœur(s)."
        )

        # Chaîne vectorisée et base naïve dans ce processus (temps) ; pics mémoire en processus neufs.
        vectorise = chaine_complete(dossier / "decp.json", lecteur="arrow")
        naive = base_naive(dossier / "decp_sous_ensemble.json")
        extrapole = naive["total"] * args.nombre / naive["marches"]

        lignes = []
        for titre, fichier, lecteur in (
            ("JSON 2024, lecture Arrow", "decp.json", "arrow"),
            ("JSON 2024, lecture Python (repli)", "decp.json", "python"),
            ("CSV à plat", "decp.csv", "arrow"),
        ):
            mesure = _mesurer_dans_un_processus_neuf(dossier / fichier, lecteur)
            if lecteur == "arrow" and fichier == "decp.json":
                mesure_temps = vectorise  # le temps du processus principal, comparé à la base naïve
            else:
                mesure_temps = mesure
            ok = mesure_temps["total"] <= CIBLE_SECONDES and mesure["rss_pic"] <= CIBLE_OCTETS
            lignes.append(
                f"- {titre} : {_fr(mesure_temps['total'])} s (lecture {_fr(mesure_temps['lecture'])} s, placement "
                f"{_fr(mesure_temps['placement'])} s, indicateurs {_fr(mesure_temps['indicateurs'])} s) ; pic mémoire "
                f"{_fr(mesure['rss_pic'] / 1024**3, 2)} Gio (dont {_fr(mesure['rss_avant'] / 1024**3, 2)} Gio avant "
                f"lecture) ; {_fr(mesure['places_commune'], 0)} placés sur une commune, "
                f"{_fr(mesure['non_places'], 0)} non placés — {'cible tenue' if ok else 'CIBLE MANQUÉE'}"
            )
        print(f"Cibles : ≤ {_fr(CIBLE_SECONDES, 0)} s et ≤ 2 Gio pour l'import, le placement et les indicateurs.")
        print("\n".join(lignes))
        print(
            f"- Base naïve (json.loads + boucle Python par marché, dictionnaires) : {_fr(naive['total'])} s pour "
            f"{_fr(naive['marches'], 0)} marchés, soit {_fr(extrapole)} s extrapolées à {_fr(args.nombre, 0)} ; "
            f"rapport naïf / vectorisé (JSON, Arrow) : × {_fr(extrapole / vectorise['total'])}."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
