"""Relance de la page Zones blanches avec un gros DECP (520 Mo par défaut) dans l'espace de travail.

Script de mesure, pas un test :

    .venv/bin/python bench/bench_zones_blanches_decp.py              # 520 Mo (plusieurs minutes, plusieurs Go de disque)
    .venv/bin/python bench/bench_zones_blanches_decp.py --mo 5       # rapide : un DECP de 5 Mo

Étapes, dans un seul processus :

1. un DECP JSON 2024 **fictif** de `--mo` Mo (générateur de `coverage.demo.besoins`, graine fixe,
   vraies communes du COG 2026) est écrit dans un dossier temporaire ;
2. il est importé par le vrai chemin de la page Données : `verifier_fichier_besoins` (lecture et
   validation complètes) puis `enregistrer_fichier_besoins` dans un espace SQLite neuf ;
3. la page Zones blanches est exécutée par AppTest depuis `app.py` : première exécution **à froid**
   (le DECP est relu depuis l'espace, placé, les besoins et zones blanches calculés), puis
   `--relances` relances **à chaud** (ce que coûte chaque clic de l'utilisateur) ;
4. **base naïve**, mêmes relances dans le même processus : ce qu'écrirait un ingénieur compétent sans
   l'idée du projet (clé de cache tirée des seuls identifiants des fichiers actifs, sans lire leur
   contenu) : la clé des caches de besoins est calculée à partir du **contenu** du fichier actif,
   relu dans l'espace et haché à chaque relance, comme le ferait `st.cache_data` avec le contenu en
   argument. Les caches de calcul restent les mêmes : seule la clé change.

Mémoire : pic du processus (`VmHWM`, remis à zéro avant chaque phase par /proc/self/clear_refs quand
le noyau le permet) et RSS après chaque phase. Figures à reporter dans README (section Performances).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))


def _n(x: float, decimales: int = 0) -> str:
    """`1234.5` → `1 234,5` (à la française)."""
    return f"{x:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def _memoire() -> tuple[float, float]:
    """(RSS actuel, pic depuis la dernière remise à zéro), en Mo."""
    valeurs = {}
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith(("VmRSS:", "VmHWM:")):
            valeurs[ligne.split(":")[0]] = int(ligne.split()[1]) / 1024
    return valeurs.get("VmRSS", float("nan")), valeurs.get("VmHWM", float("nan"))


def _remettre_pic() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _decp(chemin: Path, mo: float) -> int:
    """Écrit un DECP fictif d'environ `mo` Mo ; rend le nombre de marchés."""
    from coverage.demo.besoins import contrats_synthetiques, decp_json_2024
    from geo.reference import charger_referentiel

    ref = charger_referentiel()
    echantillon = len(decp_json_2024(contrats_synthetiques(2000, referentiel=ref))) / 2000
    nombre = max(10, int(mo * 1024 * 1024 / echantillon))
    chemin.write_bytes(decp_json_2024(contrats_synthetiques(nombre, referentiel=ref)))
    return nombre


def _cle_naive():
    """Clé des sources de besoins tirée du contenu des fichiers actifs, relu et haché à chaque relance."""
    from ui import etat

    e = etat.magasin()
    fichiers = []
    for type_ in ("decp", "qpv", "npnru"):
        actif = e.fichier_besoins_actif(type_)
        fichiers.append((type_, hashlib.md5(actif[2]).hexdigest() if actif else ""))
    projets = e.historique_projets_utilisateur()
    return tuple(fichiers) + (("projets", int(projets["id"].max()) if len(projets) else 0),)


def _relances(at, n: int) -> list[float]:
    durees = []
    for _ in range(n):
        t = time.perf_counter()
        at.run()
        durees.append(time.perf_counter() - t)
        assert not at.exception, [x.value for x in at.exception]
    return durees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mo", type=float, default=520.0, help="taille du DECP fictif, en Mo (défaut : 520)")
    parser.add_argument("--relances", type=int, default=5, help="relances à chaud mesurées par manière (défaut : 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        os.environ["FACILITATEURS_ESPACE"] = str(Path(dossier) / "espace.sqlite")
        from streamlit.testing.v1 import AppTest

        from coverage.espace import ouvrir_espace
        from coverage.sources.donnees import donnees_demo
        from coverage.sources.fichiers_besoins import verifier_fichier_besoins
        from geo.reference import charger_referentiel
        from ui import etat

        for nom in list(logging.root.manager.loggerDict):  # « No runtime found » : attendu hors serveur
            if nom.startswith("streamlit"):
                logging.getLogger(nom).setLevel(logging.ERROR)
        chemin = Path(dossier) / "decp.json"
        t = time.perf_counter()
        nombre = _decp(chemin, args.mo)
        taille = chemin.stat().st_size / 1024**2
        print(f"DECP fictif : {_n(nombre)} marchés, {_n(taille)} Mo, écrit en {_n(time.perf_counter() - t, 1)} s")

        ref = charger_referentiel()
        espace = ouvrir_espace(os.environ["FACILITATEURS_ESPACE"], initialiser_avec=lambda: donnees_demo(ref))
        _remettre_pic()
        t = time.perf_counter()
        contenu = chemin.read_bytes()
        verifier_fichier_besoins("decp", contenu, chemin.name, referentiel=ref)
        espace.enregistrer_fichier_besoins("decp", nom_fichier=chemin.name, contenu=contenu, auteur="bench", base_version=0)
        del contenu
        rss, pic = _memoire()
        print(f"Import par le chemin de la page Données (validation + enregistrement) : {_n(time.perf_counter() - t, 1)} s, "
              f"pic {_n(pic)} Mo")

        at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=3600)
        at.run()
        at.switch_page("pages/zones_blanches.py")
        _remettre_pic()
        froid = _relances(at, 1)[0]
        rss_froid, pic_froid = _memoire()
        _remettre_pic()
        chaud = _relances(at, args.relances)
        rss_chaud, pic_chaud = _memoire()

        cle_projet = etat.cle_besoins
        etat.cle_besoins = _cle_naive  # même page, mêmes caches ; seule la clé des besoins change
        try:
            _relances(at, 1)  # la nouvelle clé remplit les caches une fois (hors mesure)
            _remettre_pic()
            naif = _relances(at, args.relances)
            rss_naif, pic_naif = _memoire()
        finally:
            etat.cle_besoins = cle_projet

        m_chaud, m_naif = statistics.median(chaud), statistics.median(naif)
        print(f"Zones blanches, première exécution (à froid : DECP relu, placé, besoins et zones blanches) : {_n(froid, 2)} s, "
              f"pic {_n(pic_froid)} Mo")
        print(f"Zones blanches, relance à chaud (médiane de {args.relances}) : {_n(m_chaud, 2)} s (min {_n(min(chaud), 2)} s), "
              f"pic pendant les relances {_n(pic_chaud)} Mo, RSS après {_n(rss_chaud)} Mo")
        print(f"Base naïve (clé tirée du contenu relu et haché) : {_n(m_naif, 2)} s (min {_n(min(naif), 2)} s), "
              f"pic pendant les relances {_n(pic_naif)} Mo, RSS après {_n(rss_naif)} Mo")
        print(f"Rapport relance naïve / relance du projet : {_n(m_naif / m_chaud, 1)}× ; mémoire de pointe pendant les "
              f"relances, base naïve moins projet : {_n(pic_naif - pic_chaud)} Mo")
        if hasattr(espace, "fermer"):
            espace.fermer()


if __name__ == "__main__":
    main()
