"""Voisinage des territoires (« limitrophe ») : table des communes voisines et extensions de périmètre.

L'appel à projets parle d'un facilitateur « limitrophe » dont le périmètre est étendu à un
territoire voisin. « Voisin » est ici géométrique : deux communes sont voisines si leurs contours
complets (`commune_complet.parquet`) partagent une frontière d'au moins `FRONTIERE_MIN_M` mètres,
mesurée en projection métrique (Lambert-93 en métropole, UTM locale dans chaque DROM) avec une
tolérance de `TOLERANCE_M` mètres pour que les interstices et recouvrements résiduels de la source
ne coupent pas une frontière. Deux communes qui ne se touchent qu'en un point ne sont pas voisines ;
une île sans voisin terrestre (Ouessant, Île-de-Sein…) n'a aucun voisin.

La table est calculée une fois par `python -m geo.build` (`calculer_paires_voisines`) et committée
(`data/reference/voisins_communes.parquet`) ; l'application la lit par `charger_referentiel()` et
n'a aucun calcul géométrique à faire. Les voisinages des autres niveaux (EPCI, EPT, départements,
régions) s'en déduisent par agrégation : deux territoires sont voisins si une commune de l'un est
voisine d'une commune de l'autre (`voisins_territoires`).

Une ligne `extension` d'un périmètre est limitrophe si l'un de ses territoires touche (commune
voisine) ou recoupe le périmètre principal de la même structure, quels que soient les niveaux des
deux lignes (la comparaison passe par les communes) : `statut_extensions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.appartenance import developper, index_appartenance
from geo.reference import NiveauGeo, Referentiel

TOLERANCE_M = 10.0
"""Distance (m) sous laquelle deux contours sont considérés comme jointifs (interstices de la source)."""

FRONTIERE_MIN_M = 50.0
"""Longueur minimale (m) de frontière commune : en dessous (contact en un point, coin), pas voisines."""

STATUTS_EXTENSION = ("principal", "limitrophe", "interieure", "non_limitrophe")
"""Statut d'une ligne de périmètre : `principal` (rôle principal), `limitrophe` (extension qui touche ou
recoupe le périmètre principal), `interieure` (extension entièrement comprise dans le périmètre
principal : elle n'ajoute rien), `non_limitrophe` (extension sans contact avec le périmètre principal)."""

PRINCIPAL, LIMITROPHE, INTERIEURE, NON_LIMITROPHE = range(4)


# --------------------------------------------------------------------------------------------
# Construction (python -m geo.build) : géométrie, une seule fois
# --------------------------------------------------------------------------------------------


def calculer_paires_voisines(
    communes, *, crs_par_zone: dict[str, int], tolerance_m: float = TOLERANCE_M, frontiere_min_m: float = FRONTIERE_MIN_M
) -> pd.DataFrame:
    """Paires de communes voisines (frontière commune ≥ `frontiere_min_m`), zone par zone.

    Parameters
    ----------
    communes : GeoDataFrame EPSG:4326 avec `code`, `zone` (`metro`, `971`…`976`) et la géométrie
        complète (couverture nettoyée par `geo.build.nettoyer_couverture`).
    crs_par_zone : projection métrique (EPSG) de chaque zone ; deux zones ne sont jamais voisines.
    tolerance_m : distance sous laquelle deux contours sont jointifs (m).
    frontiere_min_m : longueur de frontière en dessous de laquelle deux communes ne sont pas
        voisines (m), mesurée comme la longueur du contour de l'une à moins de `tolerance_m` de l'autre.

    Returns
    -------
    DataFrame `commune_a`, `commune_b` (codes INSEE, `commune_a < commune_b`), `frontiere_m`
    (longueur, m), triée.
    """
    import shapely

    morceaux = []
    for zone, crs in crs_par_zone.items():
        partie = communes[(communes["zone"] == zone).to_numpy() & communes.geometry.notna().to_numpy()]
        if partie.empty:
            continue
        geoms = partie.geometry.to_crs(crs).to_numpy()
        codes = partie["code"].to_numpy(dtype=object)
        i, j = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tolerance_m)
        garde = i < j
        i, j = i[garde], j[garde]
        longueur = shapely.length(shapely.intersection(shapely.boundary(geoms[i]), shapely.buffer(geoms[j], tolerance_m)))
        a, b = codes[i], codes[j]
        morceaux.append(pd.DataFrame({"commune_a": np.minimum(a, b), "commune_b": np.maximum(a, b), "frontiere_m": longueur}))
    paires = pd.concat(morceaux, ignore_index=True)
    paires = paires[paires["frontiere_m"] >= frontiere_min_m]
    return paires.sort_values(["commune_a", "commune_b"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Lecture : voisinage par niveau, index CSR des communes voisines
# --------------------------------------------------------------------------------------------


def voisins_territoires(referentiel: Referentiel, niveau: NiveauGeo) -> pd.DataFrame:
    """Paires de territoires voisins d'un niveau (`code_a < code_b`), déduites des communes voisines.

    Deux territoires sont voisins si une commune de l'un est voisine d'une commune de l'autre ;
    un territoire n'est pas son propre voisin. Vide si le référentiel n'a pas de table de voisinage.

    Examples
    --------
    >>> v = voisins_territoires(charger_referentiel(), "departement")  # doctest: +SKIP
    >>> ((v["code_a"] == "01") & (v["code_b"] == "69")).any()  # doctest: +SKIP
    True
    """
    cache = referentiel.derives
    cle = ("voisins", niveau)
    if cle in cache:
        return cache[cle]
    paires = referentiel.voisins
    if paires is None:
        sortie = pd.DataFrame({"code_a": pd.Series(dtype=str), "code_b": pd.Series(dtype=str)})
    elif niveau == "commune":
        sortie = paires[["commune_a", "commune_b"]].set_axis(["code_a", "code_b"], axis=1).reset_index(drop=True)
    else:
        cle_commune = referentiel.communes[niveau]
        a = cle_commune.reindex(paires["commune_a"]).to_numpy(dtype=object)
        b = cle_commune.reindex(paires["commune_b"]).to_numpy(dtype=object)
        garde = pd.notna(a) & pd.notna(b) & (a != b)
        a, b = a[garde].astype(str).astype(object), b[garde].astype(str).astype(object)
        sortie = pd.DataFrame({"code_a": np.minimum(a, b), "code_b": np.maximum(a, b)}).drop_duplicates()
        sortie = sortie.sort_values(["code_a", "code_b"]).reset_index(drop=True)
    cache[cle] = sortie
    return sortie


def sont_voisins(referentiel: Referentiel, niveau: NiveauGeo, a: str, b: str) -> bool:
    """True si les territoires `a` et `b` du niveau partagent une frontière."""
    v = voisins_territoires(referentiel, niveau)
    x, y = min(a, b), max(a, b)
    return bool(((v["code_a"] == x) & (v["code_b"] == y)).any())


@dataclass(frozen=True)
class _Voisinage:
    """Communes voisines en format CSR : les voisines de la commune en position `p` de
    `referentiel.communes` sont `voisines[debut[p] : debut[p] + longueur[p]]` (positions)."""

    debut: np.ndarray
    longueur: np.ndarray
    voisines: np.ndarray
    a_contour: np.ndarray


def _voisinage(referentiel: Referentiel) -> _Voisinage | None:
    if referentiel.voisins is None:
        return None
    cache = referentiel.derives
    if "csr_voisins" not in cache:
        index = referentiel.communes.index
        a = index.get_indexer(referentiel.voisins["commune_a"])
        b = index.get_indexer(referentiel.voisins["commune_b"])
        garde = (a >= 0) & (b >= 0)
        source = np.concatenate([a[garde], b[garde]])
        cible = np.concatenate([b[garde], a[garde]])
        ordre = np.argsort(source, kind="stable")
        longueur = np.bincount(source, minlength=len(index))
        debut = np.concatenate([[0], np.cumsum(longueur)[:-1]])
        communes = referentiel.communes
        a_contour = communes["a_geometrie"].to_numpy(dtype=bool) if "a_geometrie" in communes else np.ones(len(index), dtype=bool)
        cache["csr_voisins"] = _Voisinage(debut=debut, longueur=longueur, voisines=cible[ordre], a_contour=a_contour)
    return cache["csr_voisins"]


# --------------------------------------------------------------------------------------------
# Extensions de périmètre : limitrophes ou non
# --------------------------------------------------------------------------------------------


def dans_trie(cles: np.ndarray, triees: np.ndarray) -> np.ndarray:
    """`np.isin(cles, triees)` par recherche dichotomique dans un tableau trié (sans le hachage de `np.unique`)."""
    if len(triees) == 0:
        return np.zeros(len(cles), dtype=bool)
    i = np.minimum(np.searchsorted(triees, cles), len(triees) - 1)
    return triees[i] == cles


def statut_extensions(
    ligne: np.ndarray,
    pos: np.ndarray,
    *,
    structure: np.ndarray,
    principal: np.ndarray,
    referentiel: Referentiel,
) -> np.ndarray:
    """Statut de chaque ligne de périmètre (entiers : `PRINCIPAL`, `LIMITROPHE`, `INTERIEURE`, `NON_LIMITROPHE`).

    Parameters
    ----------
    ligne, pos : développement des lignes en communes (`geo.appartenance.developper`) : pour
        chaque couple, le numéro de ligne et la position de la commune dans `referentiel.communes`.
    structure : numéro entier de la structure de chaque ligne (une valeur par ligne).
    principal : True pour les lignes au rôle principal (une valeur par ligne).
    referentiel : sa table `voisins` ; absente (référentiel construit à la main), toute
        extension est dite limitrophe (le voisinage est inconnu, rien n'est signalé).

    Returns
    -------
    ndarray d'entiers, une valeur par ligne. Une extension est `INTERIEURE` si toutes ses
    communes sont déjà au périmètre principal de la structure ; `LIMITROPHE` si l'une d'elles y est
    ou est voisine d'une commune qui y est ; sinon `NON_LIMITROPHE` (y compris une structure sans
    aucune ligne principale). Une ligne sans commune connue (code inconnu), ou dont une commune
    hors du périmètre principal n'a pas de contour (voisins inconnus : 4 communes du Cantal en
    2026), est dite `LIMITROPHE` : on ne signale que ce que la géométrie établit.
    Calcul en tableaux d'entiers (clés structure × commune, recherche dichotomique), sans boucle sur les lignes.
    """
    n_lignes = len(principal)
    statut = np.where(principal, PRINCIPAL, LIMITROPHE).astype(np.int8)
    csr = _voisinage(referentiel)
    ext = ~principal[ligne]
    if csr is None or not ext.any():
        return statut
    n = np.int64(len(referentiel.communes))
    cles_principales = np.sort(structure[ligne[~ext]].astype(np.int64) * n + pos[~ext])
    l_ext, p_ext = ligne[ext], pos[ext]
    s_ext = structure[l_ext].astype(np.int64)
    dedans = dans_trie(s_ext * n + p_ext, cles_principales)
    nb = np.bincount(l_ext, minlength=n_lignes)
    nb_dedans = np.bincount(l_ext, weights=dedans, minlength=n_lignes)
    # Voisines des communes de l'extension hors du périmètre principal.
    dehors = ~dedans
    k = csr.longueur[p_ext[dehors]]
    decalage = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    voisines = csr.voisines[np.repeat(csr.debut[p_ext[dehors]], k) + decalage]
    touche = dans_trie(np.repeat(s_ext[dehors], k) * n + voisines, cles_principales)
    nb_touche = np.bincount(np.repeat(l_ext[dehors], k), weights=touche, minlength=n_lignes)
    # Commune sans contour (voisins inconnus) : l'extension n'est pas jugée non limitrophe.
    inconnue = ~csr.a_contour[p_ext[dehors]]
    nb_touche = nb_touche + np.bincount(l_ext[dehors], weights=inconnue, minlength=n_lignes)
    est_ext = ~principal & (nb > 0)
    statut[est_ext & (nb_dedans == nb)] = INTERIEURE
    statut[est_ext & (nb_dedans < nb) & (nb_dedans == 0) & (nb_touche == 0)] = NON_LIMITROPHE
    return statut


def classer_extensions(perimetres: pd.DataFrame, *, referentiel: Referentiel) -> pd.Series:
    """Statut (`STATUTS_EXTENSION`) de chaque ligne d'un périmètre, même index que `perimetres`.

    `perimetres` : colonnes `id_structure`, `niveau`, `code`, `role` (format `perimetres`).

    Examples
    --------
    Une structure de l'Ain (01) étendue à Ajaccio (2A004) : l'extension n'est pas limitrophe.

    >>> p = pd.DataFrame({"id_structure": ["S1", "S1"], "niveau": ["departement", "commune"],
    ...                   "code": ["01", "2A004"], "role": ["principal", "extension"]})
    >>> classer_extensions(p, referentiel=charger_referentiel()).tolist()  # doctest: +SKIP
    ['principal', 'non_limitrophe']
    """
    p = perimetres.reset_index(drop=True)
    ligne, pos = developper(p, index_appartenance(referentiel))
    structure, _ = pd.factorize(p["id_structure"].astype(str))
    principal = (p["role"].astype(str) == "principal").to_numpy()
    statut = statut_extensions(ligne, pos, structure=structure, principal=principal, referentiel=referentiel)
    return pd.Series(np.asarray(STATUTS_EXTENSION, dtype=object)[statut], index=perimetres.index, dtype=object)
