"""Débit d'écritures concurrentes dans l'espace de travail : SQLite contre PostgreSQL.

Script de mesure, pas un test :
`.venv/bin/python bench/bench_espace.py [--processus 8] [--ecritures 100] [--postgres postgresql://…]`.

Chaque processus (un interpréteur neuf, comme une instance de l'application) ouvre l'espace puis,
tous ensemble (barrière), enchaîne `--ecritures` écritures mêlées, une sur quatre de chaque sorte :

- une décision de comité sur un dossier à lui (relue puis écrite : jamais de conflit) ;
- une décision sur un dossier commun à tous (relue puis écrite ; sur `ConflitEdition`, on relit
  et on recommence : c'est ce que fait un utilisateur qui recharge) ;
- un scénario (petit tableau de résultats) calculé sur la version active ;
- une nouvelle version des données (trois petits tableaux), sur la version active (conflit :
  relire, recommencer).

Mesures : écritures réussies par seconde (de la levée de la barrière à la fin du dernier
processus), conflits rencontrés, et le rapport à une base naïve équitable : les mêmes écritures
faites par **un seul** processus, l'une après l'autre, sur le même moteur. PostgreSQL tourne sur
un serveur jetable démarré ici (binaires Debian, réglages de production : fsync à chaque COMMIT,
comme SQLite en mode WAL) sauf si `--postgres` donne deux bases existantes (vides). Après la mesure
parallèle, le script vérifie que chaque écriture réussie est dans la base, sans trou ni doublon.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))


def _donnees(etp: float):
    import pandas as pd

    from coverage.modele import DonneesFacilitateurs

    structures = pd.DataFrame({"id_structure": ["S1", "S2"], "nom": ["A", "B"], "departement": ["01", "2A"],
                               "etp_facilitateur": [etp, 0.5]})
    perimetres = pd.DataFrame({"id_structure": ["S1", "S2"], "niveau": ["epci", "commune"],
                               "code": ["200042935", "2A004"], "role": ["principal", "principal"]})
    dossiers = pd.DataFrame({"id_dossier": ["D001"], "id_structure": ["S1"], "etp_demandes": [1.0]})
    return DonneesFacilitateurs(structures, perimetres, dossiers, demo=False, source="bench")


def _decider(espace, dossier: str, auteur: str) -> int:
    """Relit la décision en vigueur et décide ; recommence après un conflit. Renvoie le nombre de conflits."""
    from coverage.espace import ConflitEdition

    conflits = 0
    while True:
        lue = espace.historique_decisions("84", dossier)
        version = int(lue["version"].max()) if len(lue) else None
        try:
            espace.enregistrer_decision(comite="84", id_dossier=dossier, decision="ajourne", motif=f"mesure {auteur}",
                                        auteur=auteur, version_attendue=version)
            return conflits
        except ConflitEdition:
            conflits += 1


def _sur_version_active(ecrire) -> int:
    from coverage.espace import ConflitEdition

    conflits = 0
    while True:
        try:
            ecrire()
            return conflits
        except ConflitEdition:
            conflits += 1


def _ecrire(espace, numero: int, nb: int) -> int:
    """Les `nb` écritures mêlées du processus `numero` ; renvoie le nombre de conflits rencontrés."""
    import pandas as pd

    auteur = f"processus {numero}"
    resultats = {"dossiers": pd.DataFrame({"id_dossier": ["D001"], "montant_attribue": [28_000.0]})}
    conflits = 0
    for i in range(nb):
        sorte = i % 4
        if sorte == 0:
            conflits += _decider(espace, f"P{numero}-D{i % 10}", auteur)
        elif sorte == 1:
            conflits += _decider(espace, "COMMUN", auteur)
        elif sorte == 2:
            conflits += _sur_version_active(lambda: espace.enregistrer_scenario(
                nom=f"{auteur} n°{i}", auteur=auteur, parametres={"i": i}, resultats=resultats,
                base_version=espace.version_active()))
        else:
            conflits += _sur_version_active(lambda: espace.enregistrer_version(
                _donnees(float(i)), auteur=auteur, libelle=f"{auteur} n°{i}", source="modification",
                base_version=espace.version_active()))
    return conflits


def _processus(cible: str, numero: int, nb: int, barriere, sortie) -> None:
    from coverage.espace import ouvrir_espace

    espace = ouvrir_espace(cible)
    barriere.wait(timeout=300)
    debut = time.perf_counter()
    conflits = _ecrire(espace, numero, nb)
    sortie.put((debut, time.perf_counter(), conflits))
    getattr(espace, "fermer", lambda: None)()


def mesurer_concurrent(cible: str, processus: int, nb: int) -> tuple[float, int]:
    """(secondes, conflits) pour `processus` processus × `nb` écritures en même temps."""
    contexte = multiprocessing.get_context("spawn")
    barriere, sortie = contexte.Barrier(processus), contexte.Queue()
    fils = [contexte.Process(target=_processus, args=(cible, n, nb, barriere, sortie)) for n in range(processus)]
    for f in fils:
        f.start()
    mesures = [sortie.get(timeout=3600) for _ in fils]
    for f in fils:
        f.join(timeout=60)
    if any(f.exitcode != 0 for f in fils):
        raise RuntimeError("un processus de mesure a échoué")
    return max(m[1] for m in mesures) - min(m[0] for m in mesures), sum(m[2] for m in mesures)


def verifier_rien_de_perdu(cible: str, processus: int, nb: int) -> str:
    """Chaque écriture réussie est dans la base : décisions communes sans trou ni doublon, versions et scénarios comptés."""
    from coverage.espace import ouvrir_espace

    espace = ouvrir_espace(cible)
    par_sorte = [len(range(s, nb, 4)) * processus for s in range(4)]
    communes = espace.historique_decisions("84", "COMMUN")["version"].tolist()
    attendu = {
        "décisions sur le dossier commun": (communes, list(range(1, par_sorte[1] + 1))),
        "scénarios": (len(espace.lister_scenarios()), par_sorte[2]),
        "versions des données": (len(espace.lister_versions()), par_sorte[3] + 1),  # + l'amorçage
        "dossiers à décision propre": (len(espace.decisions_courantes("84")) - (1 if communes else 0),
                                       len({i % 10 for i in range(0, nb, 4)}) * processus),
    }
    getattr(espace, "fermer", lambda: None)()
    ecarts = [quoi for quoi, (obtenu, voulu) in attendu.items() if obtenu != voulu]
    if ecarts:
        raise RuntimeError(f"écritures perdues ou en double : {', '.join(ecarts)}")
    return "aucune écriture perdue ni en double"


def mesurer_sequentiel(cible: str, processus: int, nb: int) -> float:
    """Base naïve : les mêmes écritures par un seul processus, l'une après l'autre."""
    from coverage.espace import ouvrir_espace

    espace = ouvrir_espace(cible)
    debut = time.perf_counter()
    for numero in range(processus):
        _ecrire(espace, numero, nb)
    duree = time.perf_counter() - debut
    getattr(espace, "fermer", lambda: None)()
    return duree


def _amorcer(cible: str) -> None:
    from coverage.espace import ouvrir_espace

    espace = ouvrir_espace(cible, initialiser_avec=lambda: _donnees(1.0))
    getattr(espace, "fermer", lambda: None)()


def _ligne(moteur: str, processus: int, nb: int, concurrent: tuple[float, int], sequentiel: float, verifie: str) -> str:
    total = processus * nb
    duree, conflits = concurrent
    return (f"{moteur:<11} {processus} × {nb} écritures : {total / duree:7.1f} écritures/s en parallèle "
            f"({duree:5.1f} s, {conflits} conflits relus, {verifie}) ; un seul processus : {total / sequentiel:7.1f} "
            f"écritures/s ({sequentiel:5.1f} s) ; rapport parallèle / séquentiel : {sequentiel / duree:4.2f}")


def _mesurer(moteur: str, cibles: list[str], n: int, nb: int) -> None:
    concurrent = mesurer_concurrent(cibles[0], n, nb)
    verifie = verifier_rien_de_perdu(cibles[0], n, nb)
    print(_ligne(moteur, n, nb, concurrent, mesurer_sequentiel(cibles[1], n, nb), verifie))


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--processus", type=int, default=8)
    parseur.add_argument("--ecritures", type=int, default=100)
    parseur.add_argument("--postgres", metavar="URL1,URL2",
                         help="deux bases PostgreSQL vides (parallèle, séquentiel) ; défaut : serveur jetable")
    args = parseur.parse_args()
    n, nb = args.processus, args.ecritures
    print(f"{n} processus × {nb} écritures mêlées (décisions propres et communes, scénarios, versions)")
    with tempfile.TemporaryDirectory(prefix="bench-espace-") as dossier:
        cibles = [str(Path(dossier) / "parallele.sqlite"), str(Path(dossier) / "sequentiel.sqlite")]
        for c in cibles:
            _amorcer(c)
        _mesurer("SQLite", cibles, n, nb)

    serveur = None
    try:
        if args.postgres:
            cibles = args.postgres.split(",")
            if len(cibles) != 2:
                raise SystemExit("--postgres : deux bases vides séparées par une virgule (parallèle, séquentiel).")
        else:
            from tests.serveur_postgres import ServeurPostgres, dossier_binaires

            binaires = dossier_binaires()
            if binaires is None:
                print("PostgreSQL : binaires absents (paquet Debian postgresql) : mesure sautée.")
                return
            serveur = ServeurPostgres(binaires)
            serveur.demarrer(durable=True)
            cibles = [serveur.creer_base("parallele"), serveur.creer_base("sequentiel")]
        for c in dict.fromkeys(cibles):
            _amorcer(c)
        _mesurer("PostgreSQL", cibles, n, nb)
    finally:
        if serveur is not None:
            serveur.arreter()


if __name__ == "__main__":
    main()
