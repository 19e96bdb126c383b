"""Cartes dans un vrai navigateur : contours par fichiers statiques contre GeoJSON envoyé à chaque exécution.

Script de mesure, pas un test (issue 17) :

    .venv/bin/python bench/bench_cartes_navigateur.py [--sessions 5 20] [--sans-sessions]

Deux serveurs `streamlit run app.py` tournent côte à côte dans le même passage, sur les mêmes données
(une copie neuve de l'espace de démonstration) :
- « fichiers » (le produit) : contours téléchargés une fois par onglet (`static/geo/`), valeurs seules à
  chaque exécution (`geo.carte_valeurs`) ;
- « intégrées » (la manière d'avant, base de comparaison) : `CARTES_GEOMETRIES=integrees`, le GeoJSON
  compact de chaque couche est dans le script de la carte, renvoyé et relu à chaque exécution.

Chromium headless (`/usr/bin/chromium`, Playwright), toute requête hors de 127.0.0.1 bloquée. Octets :
charge utile des trames WebSocket reçues (décompressée) et corps HTTP reçus (Chrome DevTools Protocol),
entre l'action et la fin du dessin. Durées : de l'action au dessin complet (légende à jour et tous les
polygones posés), médiane de plusieurs essais sur un serveur chaud. Mémoire : RSS du processus serveur
(`/proc/<pid>/status`) ; sessions simulées : autant d'onglets ouverts qui visitent Accueil,
Couverture, Zones blanches et Simulation, puis relancent l'Accueil en même temps.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from geo.carte import geojson_compact  # noqa: E402
from geo.geometries_web import ecrire_geometries_web  # noqa: E402
from geo.reference import charger_geometries, charger_referentiel  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Réseau fermé par le navigateur lui-même (tout nom d'hôte autre que 127.0.0.1 est introuvable) plutôt que
# par le routage de Playwright, qui désactive le cache HTTP : un second onglet profite ainsi des fichiers
# déjà reçus, comme chez un utilisateur. Les requêtes vers l'extérieur sont quand même relevées (`EXTERIEURES`).
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
LOCALES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
EXTERIEURES: list[str] = []
"""Requêtes vers l'extérieur tentées par les onglets du passage (attendu : aucune)."""
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
DELAI = 600_000  # ms (serveur froid sur une machine partagée)
CIBLES = {"octets_relance": 100_000, "accueil": 1.5, "indicateur": 0.5, "departement": 1.0,
          "communes_premier": 3.0, "communes_ensuite": 1.0, "memoire_20": 1_000_000_000}

# Carte dessinée : un cadre de carte a une légende qui contient `titre` et au moins `n` polygones posés (SVG :
# chemins interactifs ; canvas : compte tenu par carte_valeurs.js), et c'est un cadre nouveau ou redessiné
# depuis l'action (les cadres présents avant l'action sont marqués par MARQUER).
MARQUER = """() => document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]').forEach(c => {
    const w = c.contentWindow; if (!w) return;
    w.__ancien = true; w.__dessinsAvant = w.__cartesDessins || 0; w.__derniersPolygones = 0; })"""
DESSINEE = """([titre, n]) => [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')].some(c => {
    const w = c.contentWindow; const d = w && w.document;
    if (!d || !d.querySelector('.legende-carte')) return false;
    if (w.__ancien && (w.__cartesDessins || 0) <= w.__dessinsAvant) return false;
    if (![...d.querySelectorAll('.legende-carte')].some(l => l.textContent.includes(titre))) return false;
    return Math.max(d.querySelectorAll('path.leaflet-interactive').length, w.__derniersPolygones || 0) >= n;
})"""


# --- Serveurs --------------------------------------------------------------------------------------


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lancer(mode: str, espace: Path) -> tuple[subprocess.Popen, str]:
    port = port_libre()
    env = {**os.environ, "FACILITATEURS_ESPACE": str(espace)}
    env.pop("CARTES_GEOMETRIES", None)
    if mode == "integrees":
        env["CARTES_GEOMETRIES"] = "integrees"
    journal = open(Path(tempfile.gettempdir()) / f"bench-cartes-{mode}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"streamlit ({mode}) ne démarre pas")


def rss(proc: subprocess.Popen) -> int:
    for ligne in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if ligne.startswith("VmRSS:"):
            return int(ligne.split()[1]) * 1024
    return 0


def serveur(mode: str, dossier: Path, modele: Path) -> tuple[subprocess.Popen, str]:
    """Un serveur neuf sur une copie neuve de l'espace de démonstration (le même pour les deux manières)."""
    espace = dossier / f"{mode}.sqlite"
    for reste in dossier.glob(f"{mode}.sqlite*"):
        reste.unlink()
    if modele.exists():
        shutil.copy(modele, espace)
    return lancer(mode, espace)


# --- Navigateur ------------------------------------------------------------------------------------


class Compteur:
    """Octets reçus par un onglet (WebSocket et HTTP), relevés par le protocole DevTools."""

    def __init__(self) -> None:
        self.octets = 0
        self.geo: list[str] = []

    async def brancher(self, contexte, page) -> None:
        cdp = await contexte.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._trame)
        cdp.on("Network.loadingFinished", lambda p: setattr(self, "octets", self.octets + int(p["encodedDataLength"])))
        cdp.on("Network.requestWillBeSent", lambda p: self.geo.append(p["request"]["url"])
               if "/app/static/geo/" in p["request"]["url"] else None)

    def _trame(self, p: dict) -> None:
        r = p["response"]
        self.octets += len(base64.b64decode(r["payloadData"])) if r["opcode"] == 2 else len(r["payloadData"].encode())


async def onglet(navigateur):
    contexte = await navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    contexte.set_default_timeout(DELAI)
    contexte.set_default_navigation_timeout(DELAI)

    contexte.on("request", lambda r: None if r.url.startswith(LOCALES) else EXTERIEURES.append(r.url))
    page = await contexte.new_page()
    compteur = Compteur()
    await compteur.brancher(contexte, page)
    return contexte, page, compteur


async def attendre_carte(page, titre: str, n: int) -> None:
    await page.wait_for_function(DESSINEE, arg=[titre, n], timeout=DELAI, polling=20)


async def mesurer(page, compteur: Compteur, action, titre: str, n: int) -> tuple[float, int]:
    """(durée en s, octets reçus) entre l'action et le dessin complet de la carte."""
    await page.evaluate(MARQUER)
    avant = compteur.octets
    t0 = time.perf_counter()
    await action()
    await attendre_carte(page, titre, n)
    return time.perf_counter() - t0, compteur.octets - avant


async def aller(page, lien: str, titre: str) -> None:
    """Change de page par le menu et attend son titre et sa carte."""
    await page.evaluate(MARQUER)
    await page.get_by_role("link", name=lien).click()
    await page.get_by_role("heading", name=titre).first.wait_for(timeout=DELAI)


def med(valeurs: list[float]) -> float:
    return statistics.median(valeurs)


async def chauffer(navigateur, url: str, mode: str) -> None:
    """Serveur chaud : un premier tour des pages (caches de données calculés une fois)."""
    contexte, page, _ = await onglet(navigateur)
    for chemin in ("", "couverture", "zones_blanches", "simulation", ""):
        print(f"  ({mode} : chauffe de /{chemin})", flush=True)
        await page.goto(f"{url}/{chemin}")
        await page.wait_for_selector(IFRAME if chemin != "simulation" else "h1", timeout=DELAI)
    await attendre_carte(page, "Couverture", 1000)
    await contexte.close()


async def scenario(navigateur, url: str, essais: int) -> dict:
    """Accueil, changement d'indicateur, carte départementale, carte nationale des communes."""
    n_epci = len(charger_referentiel().epci)
    n_59 = int(charger_referentiel().communes.query("departement == '59' and a_geometrie").shape[0])
    r: dict = {"accueil": [], "octets_accueil": [], "indicateur": [], "octets_indicateur": [], "retour": [],
               "octets_retour": [], "departement": [], "octets_departement": [], "titre_onglet": [], "accueil_cache": [],
               "octets_accueil_cache": []}
    for _ in range(essais):
        contexte, page, compteur = await onglet(navigateur)
        d, o = await mesurer(page, compteur, lambda: page.goto(url), "Couverture", n_epci)
        r["accueil"].append(d)
        r["octets_accueil"].append(o)
        # Un second onglet du même navigateur (son cache HTTP a déjà les fichiers du premier) ; dans cet
        # onglet, le seul titre de la page (ce que met Streamlit à afficher la page, carte non comprise :
        # le plancher de toute page Streamlit).
        page2 = await contexte.new_page()
        compteur2 = Compteur()
        await compteur2.brancher(contexte, page2)
        t0 = time.perf_counter()
        await page2.goto(url)
        await page2.locator("h1").first.wait_for(timeout=DELAI)
        r["titre_onglet"].append(time.perf_counter() - t0)
        await attendre_carte(page2, "Couverture", n_epci)
        r["accueil_cache"].append(time.perf_counter() - t0)
        r["octets_accueil_cache"].append(compteur2.octets)
        await page2.close()
        for indicateur, titre in (("Population", "Population municipale"), ("Statut de couverture", "Couverture")):
            d, o = await mesurer(page, compteur, lambda: page.get_by_text(indicateur, exact=True).first.click(), titre, n_epci)
            r["indicateur"].append(d)
            r["octets_indicateur"].append(o)
        await aller(page, "Couverture", "Couverture des territoires")
        await attendre_carte(page, "Couverture", n_epci)
        d, o = await mesurer(page, compteur, lambda: page.get_by_role("link", name="Accueil").click(), "Couverture", n_epci)
        r["retour"].append(d)
        r["octets_retour"].append(o)
        await aller(page, "Couverture", "Couverture des territoires")
        await attendre_carte(page, "Couverture", n_epci)

        async def departement():
            await page.get_by_label("Rechercher une commune (nom ou code)").fill("59350")
            await page.keyboard.press("Enter")

        d, o = await mesurer(page, compteur, departement, "Couverture", n_59)
        r["departement"].append(d)
        r["octets_departement"].append(o)
        await contexte.close()
    # Carte nationale des communes (Zones blanches, maille « Communes ») : premier affichage puis deux relances
    # (un critère, puis le critère principal), dans un onglet neuf à chaque essai.
    for cle in ("communes_premier", "octets_communes_premier", "communes_ensuite", "octets_communes_ensuite"):
        r[cle] = []
    for _ in range(essais):
        contexte, page, compteur = await onglet(navigateur)
        await page.goto(f"{url}/zones_blanches")
        await attendre_carte(page, "Zones blanches", 1000)
        d, o = await mesurer(page, compteur, lambda: page.get_by_role("radio", name="Communes", exact=True).click(),
                             "Zones blanches", 34_800)
        r["communes_premier"].append(d)
        r["octets_communes_premier"].append(o)
        for critere, titre in (("Non couvert", "Critère non rempli"), ("Critère principal", "Zones blanches")):
            d, o = await mesurer(page, compteur, lambda: page.get_by_role("radio", name=critere, exact=True).click(), titre, 34_800)
            r["communes_ensuite"].append(d)
            r["octets_communes_ensuite"].append(o)
        r["telechargements_geo"] = len(compteur.geo)
        await contexte.close()
    return r


async def sessions(navigateur, url: str, proc: subprocess.Popen, nombre: int) -> dict:
    """`nombre` onglets ouverts ensemble : visite des pages, puis relance simultanée de l'Accueil."""
    onglets = [await onglet(navigateur) for _ in range(nombre)]
    n_epci = len(charger_referentiel().epci)

    async def visiter(page):
        for chemin in ("couverture", "zones_blanches", "simulation", ""):
            await page.goto(f"{url}/{chemin}")
            await page.wait_for_selector(IFRAME if chemin != "simulation" else "h1", timeout=DELAI)
        await attendre_carte(page, "Couverture", n_epci)

    await asyncio.gather(*(visiter(p) for _, p, _ in onglets))
    memoire = rss(proc)

    async def relancer(page, compteur):
        d, _ = await mesurer(page, compteur, lambda: page.get_by_text("Population", exact=True).first.click(),
                             "Population municipale", n_epci)
        return d

    durees = await asyncio.gather(*(relancer(p, c) for _, p, c in onglets))
    for contexte, _, _ in onglets:
        await contexte.close()
    return {"memoire": memoire, "relance_mediane": med(list(durees)), "relance_max": max(durees)}


# --- Tailles des fichiers ------------------------------------------------------------------------------


def tailles_fichiers() -> list[tuple[str, int, int, int, int, int, int]]:
    """(niveau, GeoJSON compact, gzip, fichier quantifié, gzip, TopoJSON, gzip) pour chaque niveau."""
    with tempfile.TemporaryDirectory() as d:
        manifeste = ecrire_geometries_web(Path(d))
        lignes = []
        for niveau, url in manifeste["niveaux"].items():
            brut = json.dumps(geojson_compact(charger_geometries(niveau)), separators=(",", ":")).encode()
            fichier = (Path(d) / "geo" / url.rsplit("/", 1)[1]).read_bytes()
            topo = json.dumps(topojson(json.loads(fichier)), separators=(",", ":")).encode()
            lignes.append((niveau, len(brut), len(gzip.compress(brut, 6)), len(fichier), len(gzip.compress(fichier, 6)),
                           len(topo), len(gzip.compress(topo, 6))))
    return lignes


def topojson(donnees: dict) -> dict:
    """TopoJSON quantifié (arcs partagés entre voisins, écarts entiers) des anneaux d'un fichier `geo-quantifie-1`.

    Construit ici pour comparer les tailles : un point est une jonction quand ses voisins diffèrent d'un
    anneau à l'autre ; chaque anneau est coupé aux jonctions et chaque arc n'est écrit qu'une fois.
    """
    anneaux = []
    for territoire in donnees["geometries"]:
        for polygone in territoire:
            for a in polygone:
                pts, x, y = [], 0, 0
                for i in range(0, len(a), 2):
                    x, y = x + a[i], y + a[i + 1]
                    pts.append((x, y))
                anneaux.append(pts)
    voisins: dict[tuple[int, int], set] = {}
    for pts in anneaux:
        n = len(pts)
        for i, p in enumerate(pts):
            voisins.setdefault(p, set()).add(frozenset((pts[i - 1], pts[(i + 1) % n])))
    jonction = {p for p, v in voisins.items() if len(v) > 1}
    arcs: list[list[tuple[int, int]]] = []
    index: dict[tuple, int] = {}

    def arc(points: list[tuple[int, int]]) -> int:
        cle = tuple(points)
        if cle in index:
            return index[cle]
        if cle[::-1] in index:
            return ~index[cle[::-1]]
        index[cle] = len(arcs)
        arcs.append(points)
        return index[cle]

    geometries = []
    k = 0
    for territoire in donnees["geometries"]:
        polys = []
        for polygone in territoire:
            refs = []
            for _ in polygone:
                pts = anneaux[k]
                k += 1
                coupes = [i for i, p in enumerate(pts) if p in jonction]
                if not coupes:
                    depart = min(range(len(pts)), key=pts.__getitem__)
                    tour = pts[depart:] + pts[:depart]
                    refs.append([arc(tour + [tour[0]])])
                    continue
                tour = pts[coupes[0]:] + pts[:coupes[0]] + [pts[coupes[0]]]
                bornes = [i - coupes[0] for i in coupes] + [len(pts)]
                refs.append([arc(tour[a:b + 1]) for a, b in zip(bornes[:-1], bornes[1:])])
            polys.append(refs)
        geometries.append({"type": "MultiPolygon", "arcs": polys})
    ecarts = []
    for points in arcs:
        x0, y0 = 0, 0
        e = []
        for x, y in points:
            e.append([x - x0, y - y0])
            x0, y0 = x, y
        ecarts.append(e)
    return {"type": "Topology", "transform": {"scale": [donnees["pas"], donnees["pas"]], "translate": [0, 0]},
            "objects": {donnees["niveau"]: {"type": "GeometryCollection", "geometries": geometries}}, "arcs": ecarts}


# --- Affichage -------------------------------------------------------------------------------------


def ko(o: float) -> str:
    return f"{o / 1000:,.0f} Ko".replace(",", " ")


def ligne(libelle: str, nouveau, ancien, cible: float | None, unite: str) -> None:
    """Une ligne du tableau : médiane (et minimum des essais s'il y en a plusieurs), rapport des médianes."""
    if isinstance(nouveau, list):
        if unite == "s" and len(nouveau) > 1:
            libelle = f"{libelle} (min. {min(nouveau):.2f} / {min(ancien):.2f})"
        nouveau, ancien = med(nouveau), med(ancien)
    fmt = (lambda v: f"{v:.2f} s") if unite == "s" else ko
    ok = "" if cible is None else ("  OK" if nouveau <= cible else "  HORS CIBLE")
    rapport = f"{ancien / nouveau:6.1f}×" if nouveau else "   —"
    print(f"  {libelle:52s} {fmt(nouveau):>11s}  {fmt(ancien):>11s}  {rapport}{ok}")


async def principal(args) -> None:
    from playwright.async_api import async_playwright

    if args.sans_tailles:
        return await navigation(args)
    print("Fichiers de géométries (octets ; gzip niveau 6) :")
    print(f"  {'niveau':12s} {'GeoJSON compact':>16s} {'gzip':>10s} {'quantifié':>11s} {'gzip':>10s} {'TopoJSON':>11s} {'gzip':>10s}")
    for niveau, a, az, b, bz, t, tz in tailles_fichiers():
        print(f"  {niveau:12s} {a:16,d} {az:10,d} {b:11,d} {bz:10,d} {t:11,d} {tz:10,d}   "
              f"(GeoJSON/quantifié gzip {az / bz:.1f}× ; TopoJSON/quantifié gzip {tz / bz:.2f}×)".replace(",", " "))
    if not args.tailles_seulement:
        await navigation(args)


async def navigation(args) -> None:
    from playwright.async_api import async_playwright

    dossier = Path(tempfile.mkdtemp())
    modele = dossier / "modele.sqlite"
    resultats: dict[str, dict] = {}
    async with async_playwright() as p:
        navigateur = await p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS, headless=True)
        for mode in ("fichiers", "integrees"):
            if args.sessions_seulement:
                resultats[mode] = {}
                continue
            proc, url = serveur(mode, dossier, modele)
            try:
                await chauffer(navigateur, url, mode)
                if not modele.exists():
                    shutil.copy(dossier / f"{mode}.sqlite", modele)
                resultats[mode] = await scenario(navigateur, url, args.essais)
                resultats[mode]["memoire_tour"] = rss(proc)
                print(f"  ({mode} : {json.dumps(resultats[mode])})", flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        # Sessions simultanées, chaque fois sur un serveur neuf (mémoire mesurée depuis le démarrage).
        for n in [] if args.sans_sessions else args.sessions:
            # La manière d'avant avec 20 onglets dépasse la demi-heure sur 2 cœurs : mesurée aux seuls `--sessions-base`.
            for mode in ("fichiers", "integrees") if n in args.sessions_base else ("fichiers",):
                proc, url = serveur(mode, dossier, modele)
                try:
                    resultats[mode][f"sessions_{n}"] = await sessions(navigateur, url, proc, n)
                    print(f"  ({mode}, {n} sessions : {json.dumps(resultats[mode][f'sessions_{n}'])})", flush=True)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        await navigateur.close()

    n, a = resultats["fichiers"], resultats["integrees"]
    if args.sessions_seulement:
        return afficher_sessions(args, n, a)
    print(f"\nMachine : {os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} ; médianes de {args.essais} essais "
          "(entre parenthèses : le meilleur essai, fichiers / intégrées), serveur chaud.")
    print(f"  {'':52s} {'fichiers':>11s}  {'intégrées':>11s}  rapport")
    ligne("Accueil : premier onglet d'un navigateur neuf", n["accueil"], a["accueil"], None, "s")
    ligne("  octets reçus (premier affichage de l'onglet)", n["octets_accueil"], a["octets_accueil"], None, "o")
    ligne("Accueil, second onglet (cache HTTP du navigateur)", n["accueil_cache"], a["accueil_cache"], CIBLES["accueil"], "s")
    ligne("  dont page Streamlit seule (titre affiché)", n["titre_onglet"], a["titre_onglet"], None, "s")
    ligne("  octets reçus", n["octets_accueil_cache"], a["octets_accueil_cache"], None, "o")
    ligne("Accueil : retour depuis une autre page", n["retour"], a["retour"], CIBLES["accueil"], "s")
    ligne("  octets reçus par relance de l'Accueil", n["octets_retour"], a["octets_retour"],
          CIBLES["octets_relance"], "o")
    ligne("Changement d'indicateur redessiné", n["indicateur"], a["indicateur"], CIBLES["indicateur"], "s")
    ligne("  octets reçus par changement d'indicateur", n["octets_indicateur"], a["octets_indicateur"],
          CIBLES["octets_relance"], "o")
    ligne("Carte communale d'un département (Nord)", n["departement"], a["departement"], CIBLES["departement"], "s")
    ligne("  octets reçus", n["octets_departement"], a["octets_departement"], None, "o")
    ligne("Carte nationale des communes : premier affichage", n["communes_premier"], a["communes_premier"],
          CIBLES["communes_premier"], "s")
    ligne("  octets reçus", n["octets_communes_premier"], a["octets_communes_premier"], None, "o")
    ligne("Carte nationale des communes : relance", n["communes_ensuite"], a["communes_ensuite"],
          CIBLES["communes_ensuite"], "s")
    ligne("  octets reçus", n["octets_communes_ensuite"], a["octets_communes_ensuite"], None, "o")
    print(f"  Fichiers de géométries téléchargés par l'onglet des communes : {n['telechargements_geo']}")
    print(f"  Requêtes vers l'extérieur tentées (réseau fermé) : {len(EXTERIEURES)}")
    print(f"\nMémoire du serveur après le scénario : fichiers {n['memoire_tour'] / 1e9:.2f} Go ; "
          f"intégrées {a['memoire_tour'] / 1e9:.2f} Go")
    afficher_sessions(args, n, a)


def afficher_sessions(args, n: dict, a: dict) -> None:
    for k in args.sessions if not args.sans_sessions else []:
        sn, sa = n[f"sessions_{k}"], a.get(f"sessions_{k}")
        cible = " (cible ≤ 1 Go : " + ("OK" if sn["memoire"] <= CIBLES["memoire_20"] else "HORS CIBLE") + ")" if k == 20 else ""
        base = (f" contre {sa['memoire'] / 1e9:.2f} Go" if sa else " (manière d'avant : non mesurée)")
        print(f"  {k:2d} sessions : mémoire {sn['memoire'] / 1e9:.2f} Go{base}{cible} ; "
              f"relance simultanée de l'Accueil médiane {sn['relance_mediane']:.2f} s (max {sn['relance_max']:.2f} s)"
              + (f" contre {sa['relance_mediane']:.2f} s (max {sa['relance_max']:.2f} s)" if sa else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--sessions", type=int, nargs="*", default=[5, 20])
    parser.add_argument("--sans-sessions", action="store_true")
    parser.add_argument("--sessions-seulement", action="store_true", help="seulement les sessions simultanées")
    parser.add_argument("--sessions-base", type=int, nargs="*", default=[5],
                        help="nombres de sessions mesurés aussi avec la manière d'avant (base de comparaison)")
    parser.add_argument("--tailles-seulement", action="store_true", help="seulement les tailles des fichiers")
    parser.add_argument("--sans-tailles", action="store_true", help="sans les tailles des fichiers (TopoJSON compris)")
    asyncio.run(principal(parser.parse_args()))


if __name__ == "__main__":
    main()
