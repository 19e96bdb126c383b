"""Géométries d'affichage en fichiers statiques compacts, chargés une fois par le navigateur.

Les contours ne changent pas d'une exécution à l'autre, seules les valeurs changent : chaque niveau
(`region`, `departement`, `epci`, `commune`, et tout autre `<niveau>_affichage.parquet` de
`data/reference/`, par exemple `ept`) est écrit une fois dans un fichier JSON « quantifié » servi
par Streamlit (`static/`, `server.enableStaticServing`) ; la carte le télécharge par son URL et ne
reçoit ensuite, à chaque exécution, que les classes, infobulles et légende (`geo.carte_valeurs`).

Format `geo-quantifie-1` (décodé par `geo/js/carte_valeurs.js`, quelques lignes) :

    {"format": "geo-quantifie-1", "niveau": "epci", "pas": 0.0001,
     "codes": ["200000172", ...], "noms": ["CC Faucigny-Glières", ...],
     "geometries": [[[x0, y0, dx1, dy1, ...], ...], ...]}

- coordonnées en entiers, `lon = x × pas`, `lat = y × pas` (pas de 1e-4 degré ≈ 11 m, l'arrondi
  des cartes actuelles), chaque anneau codé en écarts au point précédent, sans point de fermeture ;
- `geometries[i]` : liste des polygones du territoire `codes[i]`, chaque polygone une liste
  d'anneaux (extérieur puis trous).

Les noms de fichiers portent l'empreinte (SHA-256) de leur contenu : un fichier ne change jamais
sous une même URL, le navigateur peut le garder en cache sans risque. Les communes ont en plus un
fichier par département (`commune-59.<empreinte>.json`), pour qu'une carte départementale ne
télécharge pas les 34 875 communes ; les EPCI aussi (`epci-59.<empreinte>.json` : les EPCI dont une
commune au moins est dans le département, ceux qui débordent sur un voisin compris), pour tracer
leurs contours sur la carte communale d'un département. `manifeste.json` donne l'URL de chaque fichier.

Aucune fonction de ce module n'importe streamlit.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from geo.reference import DOSSIER_REFERENCE

FORMAT = "geo-quantifie-1"
PAS_DEGRES = 1e-4
"""Pas de quantification des coordonnées (degrés) : l'arrondi des couches envoyées aujourd'hui."""
SUFFIXE_SOURCE = "_affichage.parquet"
NIVEAUX_PAR_DEPARTEMENT = ("commune",)
"""Niveaux écrits aussi en un fichier par département (colonne `departement` de la couche)."""
NIVEAUX_PAR_APPARTENANCE = ("epci",)
"""Niveaux écrits aussi en un fichier par département d'après leurs communes (colonnes `departement`
et `<niveau>` de la couche des communes) : un EPCI à cheval sur deux départements est dans les deux."""
DISPOSITION = 2
"""Version de l'ensemble des fichiers écrits (2 : EPCI par département) ; un manifeste d'une autre
disposition est réécrit même si les couches sources n'ont pas changé."""
NOM_MANIFESTE = "manifeste.json"
URL_STATIQUE = "/app/static"

_verrou = threading.Lock()


def encoder(gdf: gpd.GeoDataFrame, *, niveau: str, pas: float = PAS_DEGRES) -> dict:
    """Couche (EPSG:4326, index = code, colonne `nom`) → dictionnaire au format `geo-quantifie-1`.

    Les points qu'un arrondi au pas rend identiques au précédent sont retirés ; un anneau réduit à
    moins de trois points disparaît (un polygone sans extérieur aussi).

    Example
    -------
    >>> carre = gpd.GeoDataFrame({"nom": ["A"]}, geometry=[shapely.box(0, 0, 0.0002, 0.0001)],
    ...                          index=["01001"], crs=4326)
    >>> encoder(carre, niveau="commune")["geometries"]
    [[[[2, 0, 0, 1, -2, 0, 0, -1]]]]
    """
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"La couche {niveau} doit être en EPSG:4326, reçu {gdf.crs}.")
    geometries = np.asarray(gdf.geometry.values)
    parties, num_territoire = shapely.get_parts(geometries, return_index=True)
    anneaux, num_partie = shapely.get_rings(parties, return_index=True)
    xy, num_anneau = shapely.get_coordinates(anneaux, return_index=True)
    entiers = np.round(xy / pas).astype(np.int64)
    # Sans le point de fermeture ni les points répétés par l'arrondi.
    dernier = np.r_[num_anneau[1:] != num_anneau[:-1], True]
    repete = np.r_[False, (num_anneau[1:] == num_anneau[:-1]) & np.all(entiers[1:] == entiers[:-1], axis=1)]
    garde = ~dernier & ~repete
    entiers, num_anneau = entiers[garde], num_anneau[garde]
    debut = np.r_[True, num_anneau[1:] != num_anneau[:-1]]
    ecarts = entiers.copy()
    ecarts[~debut] = entiers[~debut] - entiers[np.flatnonzero(~debut) - 1]
    bornes = np.r_[np.flatnonzero(debut), len(num_anneau)]
    par_anneau = {int(num_anneau[a]): ecarts[a:b].ravel().tolist() for a, b in zip(bornes[:-1], bornes[1:])}

    sortie: list[list[list[list[int]]]] = [[] for _ in range(len(gdf))]
    polygone_courant: dict[int, list[list[int]]] = {}
    for k, (partie, territoire) in enumerate(zip(num_partie, num_territoire[num_partie])):
        anneau = par_anneau.get(k)
        premier = k == 0 or num_partie[k - 1] != partie
        if premier:  # l'anneau extérieur : sans lui (trop petit), le polygone est abandonné
            polygone_courant[partie] = [anneau] if anneau and len(anneau) >= 6 else []
            if polygone_courant[partie]:
                sortie[territoire].append(polygone_courant[partie])
        elif anneau and len(anneau) >= 6 and polygone_courant.get(partie):
            polygone_courant[partie].append(anneau)
    return {
        "format": FORMAT,
        "niveau": niveau,
        "pas": pas,
        "codes": [str(c) for c in gdf.index],
        "noms": gdf["nom"].astype(str).tolist(),
        "geometries": sortie,
    }


def decoder(donnees: dict) -> gpd.GeoDataFrame:
    """L'inverse d'`encoder` (pour les tests et les mesures) : polygones aux coordonnées quantifiées."""
    pas = donnees["pas"]
    polygones = []
    for territoire in donnees["geometries"]:
        parties = []
        for polygone in territoire:
            anneaux = [np.cumsum(np.asarray(a, dtype=np.int64).reshape(-1, 2), axis=0) * pas for a in polygone]
            parties.append(shapely.Polygon(anneaux[0], anneaux[1:]))
        polygones.append(shapely.MultiPolygon(parties) if parties else None)
    return gpd.GeoDataFrame({"nom": donnees["noms"]}, geometry=polygones, index=donnees["codes"], crs=4326)


def _json(donnees: dict) -> bytes:
    return json.dumps(donnees, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _signature(sources: list[Path]) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in sources}


def _ecrire(dossier: Path, prefixe: str, contenu: bytes, date: float) -> str:
    """Écrit `<prefixe>.<empreinte>.json` (fichier temporaire renommé) ; renvoie son nom."""
    nom = f"{prefixe}.{hashlib.sha256(contenu).hexdigest()[:12]}.json"
    chemin = dossier / nom
    if not chemin.exists():
        temporaire = dossier / f".{nom}.{os.getpid()}.{threading.get_ident()}.tmp"
        temporaire.write_bytes(contenu)
        os.replace(temporaire, chemin)
    # Date de dernière modification = date de construction du référentiel : sans en-tête
    # Cache-Control (Streamlit n'en met pas), le navigateur garde le fichier d'autant plus longtemps
    # en cache qu'il est ancien ; l'empreinte dans le nom garantit qu'il n'est jamais périmé.
    os.utime(chemin, (date, date))
    return nom


def _date_construction(reference: Path) -> float:
    try:
        jour = json.loads((reference / "provenance.json").read_text(encoding="utf-8"))["construit_le"]
        return datetime.strptime(jour, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except (OSError, KeyError, ValueError):
        return datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


def ecrire_geometries_web(dossier_static: Path, *, reference: Path | None = None) -> dict:
    """Écrit (si besoin) les fichiers de géométries de chaque niveau dans `dossier_static/geo/`.

    Idempotent et sûr entre sessions : si `manifeste.json` a été écrit pour les mêmes couches
    sources (taille, date), rien n'est refait ; sinon chaque fichier est écrit par un temporaire
    renommé, puis le manifeste, et les fichiers d'empreintes périmées sont retirés.

    Parameters
    ----------
    dossier_static : Path
        Le dossier `static/` servi par Streamlit (sous `/app/static/`).
    reference : Path, optional
        Dossier des couches `<niveau>_affichage.parquet` (par défaut `data/reference/`).

    Returns
    -------
    dict
        Le manifeste : `{"niveaux": {niveau: url}, "par_departement": {niveau: {dep: url}},
        "octets": {nom de fichier: taille}, "sources": …}`.
    """
    reference = Path(reference) if reference else DOSSIER_REFERENCE
    dossier = Path(dossier_static) / "geo"
    sources = sorted(reference.glob(f"*{SUFFIXE_SOURCE}"))
    signature = _signature(sources)
    with _verrou:
        manifeste = lire_manifeste(dossier_static)
        if manifeste and manifeste.get("sources") == signature and manifeste.get("disposition") == DISPOSITION and all(
            (dossier / nom).exists() for nom in manifeste["octets"]
        ):
            return manifeste
        dossier.mkdir(parents=True, exist_ok=True)
        date = _date_construction(reference)
        niveaux: dict[str, str] = {}
        par_departement: dict[str, dict[str, str]] = {}
        octets: dict[str, int] = {}
        appartenance = _appartenance(reference)
        for source in sources:
            niveau = source.name[: -len(SUFFIXE_SOURCE)]
            gdf = gpd.read_parquet(source).set_index("code")
            # Le fichier du niveau, puis un fichier par département : ses propres territoires (communes)
            # ou ceux dont une commune au moins y est (EPCI).
            parties: list[tuple[str, gpd.GeoDataFrame]] = [(niveau, gdf)]
            if niveau in NIVEAUX_PAR_DEPARTEMENT:
                parties += [(f"{niveau}-{dep}", partie) for dep, partie in gdf.groupby("departement", sort=True)]
            if niveau in NIVEAUX_PAR_APPARTENANCE and niveau in appartenance.columns:
                parties += [(f"{niveau}-{dep}", gdf.loc[gdf.index.intersection(codes.unique())].sort_index())
                            for dep, codes in appartenance.groupby("departement", sort=True)[niveau]]
            for prefixe, partie in parties:
                contenu = _json(encoder(partie, niveau=niveau))
                nom = _ecrire(dossier, prefixe, contenu, date)
                url, octets[nom] = f"{URL_STATIQUE}/geo/{nom}", len(contenu)
                if prefixe == niveau:
                    niveaux[niveau] = url
                else:
                    par_departement.setdefault(niveau, {})[prefixe.split("-", 1)[1]] = url
        manifeste = {"format": FORMAT, "disposition": DISPOSITION, "niveaux": niveaux, "par_departement": par_departement,
                     "octets": octets, "sources": signature}
        temporaire = dossier / f".{NOM_MANIFESTE}.{os.getpid()}.tmp"
        temporaire.write_text(json.dumps(manifeste, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporaire, dossier / NOM_MANIFESTE)
        for perime in dossier.glob("*.json"):
            if perime.name != NOM_MANIFESTE and perime.name not in octets:
                perime.unlink(missing_ok=True)
        return manifeste


def _appartenance(reference: Path) -> pd.DataFrame:
    """Département et territoires (`epci`…) de chaque commune, d'après la couche des communes (vide sans elle)."""
    source = reference / f"commune{SUFFIXE_SOURCE}"
    if not source.exists():
        return pd.DataFrame(columns=["departement"])
    colonnes = set(pq.read_schema(source).names)
    table = pd.read_parquet(source, columns=["departement", *(n for n in NIVEAUX_PAR_APPARTENANCE if n in colonnes)])
    return table.dropna()


@functools.lru_cache(maxsize=256)
def codes_du_fichier(dossier_static: Path, url: str) -> tuple[str, ...]:
    """Codes d'un fichier de géométries (`/app/static/geo/<nom>.json`), dans l'ordre du fichier.

    Une URL porte l'empreinte du contenu : le résultat ne se périme pas, il est gardé en mémoire.
    """
    nom = url.split("?", 1)[0].rsplit("/", 1)[-1]
    contenu = (Path(dossier_static) / "geo" / nom).read_bytes()
    # `encoder` écrit les codes avant les noms et les géométries : la seule liste des codes est lue
    # (20 ms au lieu de 0,25 s pour le fichier national des communes, 6 Mo).
    debut, fin = contenu.find(b'"codes":['), contenu.find(b'],"noms":[')
    if 0 <= debut < fin:
        try:
            return tuple(json.loads(contenu[debut + len(b'"codes":'):fin + 1]))
        except ValueError:
            pass
    return tuple(json.loads(contenu)["codes"])


def lire_manifeste(dossier_static: Path) -> dict | None:
    """Le manifeste écrit par `ecrire_geometries_web`, ou None s'il n'existe pas (ou est illisible)."""
    try:
        return json.loads((Path(dossier_static) / "geo" / NOM_MANIFESTE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écrit les géométries d'affichage en fichiers statiques (static/geo/).")
    parser.add_argument("--static", type=Path, default=DOSSIER_REFERENCE.parent.parent / "static")
    parser.add_argument("--reference", type=Path, default=DOSSIER_REFERENCE)
    args = parser.parse_args(argv)
    manifeste = ecrire_geometries_web(args.static, reference=args.reference)
    for niveau, url in manifeste["niveaux"].items():
        nom = url.rsplit("/", 1)[1]
        print(f"{niveau:12s} {manifeste['octets'][nom]:>11,d} octets  {url}".replace(",", " "))
    for niveau, fichiers in manifeste["par_departement"].items():
        total = sum(manifeste["octets"][u.rsplit("/", 1)[1]] for u in fichiers.values())
        print(f"{niveau:12s} {len(fichiers)} fichiers départementaux, {total:,d} octets".replace(",", " "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
