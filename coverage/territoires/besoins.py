"""Besoins des territoires : population, marchés publics, quartiers prioritaires, grands projets.

L'appel à projets demande de couvrir les territoires « au regard des besoins existants, et
notamment en termes de couverture des marchés de l'État » (annexe 2, focus zone blanche) et cite
le NPNRU et les grands projets (Canal Seine-Nord, Bassin minier, lignes TGV). Ce module réunit ces
besoins commune par commune, les combine en un **indice de besoin** pondéré par l'utilisateur, et
les agrège à n'importe quel niveau (EPCI, département, région) par simple somme.

Unité de l'indice : l'**unité de besoin**. Chaque composante est d'abord ramenée à une part du
total national (ou de la zone de normalisation choisie), les parts sont pondérées, puis l'indice
est mis à l'échelle de la population : la France entière (ou la zone) vaut sa population divisée
par 100 000. Une unité de besoin est donc le besoin de 100 000 habitants d'un territoire au
profil moyen : un territoire « dans la moyenne » sur toutes les composantes a un indice égal à
sa population / 100 000. Le ratio de capacité `etp / indice_besoin` (ETP par unité de besoin)
se lit alors comme un nombre d'ETP pour 100 000 habitants « corrigé des besoins ».

L'indice est additif : l'indice d'un EPCI est la somme de ceux de ses communes (les parts sont
calculées une fois, au niveau communal, puis sommées).

Sources absentes : si une table n'est pas fournie (pas de fichier DECP, par exemple), ses colonnes
valent NaN (« non renseigné », distinct de 0 : « aucun marché ») et sa composante est retirée de
l'indice, les poids des autres composantes étant renormalisés. Une commune absente d'une table
fournie vaut 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd

from geo.reference import NiveauGeo, Referentiel

__all__ = [
    "COLONNES_ADDITIVES",
    "COMPOSANTES",
    "HABITANTS_PAR_UNITE",
    "LIBELLES_COMPOSANTES",
    "MARCHES_BESOIN_MIN",
    "MARCHES_ETAT_BESOIN_MIN",
    "POPULATION_BESOIN_MIN",
    "PoidsBesoin",
    "agreger_besoins",
    "besoins_identifies",
    "besoins_par_commune",
    "composantes_presentes",
    "indice_besoin",
]

HABITANTS_PAR_UNITE = 100_000
"""Une unité de besoin = le besoin de 100 000 habitants au profil moyen de la zone de normalisation."""

COMPOSANTES = ("population", "marches_etat", "marches_autres", "qpv_npnru", "grands_projets")
"""Composantes de l'indice de besoin, dans l'ordre de `PoidsBesoin`."""

LIBELLES_COMPOSANTES = {
    "population": "Population",
    "marches_etat": "Marchés de l'État",
    "marches_autres": "Autres marchés publics",
    "qpv_npnru": "Quartiers prioritaires (QPV, NPNRU)",
    "grands_projets": "Grands projets",
}

POPULATION_BESOIN_MIN = 10_000
"""Population à partir de laquelle des besoins sont réputés identifiés (habitants)."""
MARCHES_ETAT_BESOIN_MIN = 1
"""Nombre de marchés de l'État à partir duquel des besoins sont identifiés."""
MARCHES_BESOIN_MIN = 10
"""Nombre de marchés publics (tous acheteurs) à partir duquel des besoins sont identifiés."""

COLONNES_ADDITIVES = [
    "population",
    "nb_marches",
    "montant_total",
    "nb_marches_etat",
    "montant_etat",
    "nb_marches_autres",
    "montant_autres",
    "nb_marches_collectivites",
    "nb_consideration_sociale",
    "nb_consideration_connue",
    "nb_consideration_sociale_etat",
    "nb_consideration_connue_etat",
    "nb_qpv",
    "nb_npnru_national",
    "nb_npnru_regional",
    "nb_npnru",
    "nb_grands_projets",
]
"""Colonnes de `besoins_par_commune` qui s'additionnent d'un niveau à l'autre (les besoin_* et
`indice_besoin` de `indice_besoin` aussi)."""

_COLONNES_MARCHES = ["nb_marches", "montant_total", "nb_marches_etat", "montant_etat"]
_COLONNES_QUARTIERS = ["nb_qpv", "nb_npnru_national", "nb_npnru_regional"]


@dataclass(frozen=True)
class PoidsBesoin:
    """Poids des composantes de l'indice de besoin (sans unité ; ramenés à une somme de 1).

    Valeurs par défaut et raisons (reprises dans `docs/zones_blanches.md`) :

    population : 0,4
        Le socle : plus d'habitants, plus d'acheteurs, d'entreprises et de publics en insertion.
        C'est aussi la seule composante toujours connue.
    marches_etat : 0,3
        La priorité de l'appel : « accompagner prioritairement les acheteurs […] de l'État »
        (contexte), « Priorisation à la prise en charge des marchés de l'État » (B 2-1). C'est le
        plus fort poids après la population.
    marches_autres : 0,1
        Les autres marchés publics (collectivités, hôpitaux…), que les facilitateurs
        accompagnent « si possible » (B 2-1).
    qpv_npnru : 0,1
        Le renouvellement urbain (ANRU) est une mission citée par l'appel, avec « une attention
        particulière […] aux marchés liés au NPNRU ».
    grands_projets : 0,1
        « Des grands projets […] s'accompagnent d'un potentiel fort de développement des marchés
        réservés et des clauses sociales d'insertion » (annexe 2).

    Une composante dont les données manquent est retirée et les autres poids sont renormalisés.
    """

    population: float = 0.4
    marches_etat: float = 0.3
    marches_autres: float = 0.1
    qpv_npnru: float = 0.1
    grands_projets: float = 0.1

    def __post_init__(self) -> None:
        _check_poids(self)

    def en_dict(self) -> dict[str, float]:
        """Les poids par composante, dans l'ordre de `COMPOSANTES`."""
        return {c: float(getattr(self, c)) for c in COMPOSANTES}


def _check_poids(poids: PoidsBesoin) -> None:
    for f in fields(poids):
        valeur = getattr(poids, f.name)
        if not isinstance(valeur, int | float) or not math.isfinite(valeur) or valeur < 0:
            raise ValueError(f"Poids `{f.name}` : « {valeur} » n'est pas valide (attendu : nombre positif ou nul).")
    if sum(getattr(poids, f.name) for f in fields(poids)) <= 0:
        raise ValueError("Poids de l'indice de besoin : au moins un poids doit être strictement positif.")


# --------------------------------------------------------------------------------------------
# Besoins par commune
# --------------------------------------------------------------------------------------------


def _check_colonnes(table: pd.DataFrame, colonnes: list[str], nom: str) -> None:
    manquantes = [c for c in colonnes if c not in table.columns]
    if manquantes:
        liste = ", ".join(f"`{c}`" for c in manquantes)
        raise ValueError(
            f"Table `{nom}` : colonne(s) {liste} absente(s) (attendu : index = code commune, colonnes {', '.join(colonnes)})."
        )


def _colonne(table: pd.DataFrame, nom: str) -> np.ndarray:
    """Colonne numérique de `table` (NaN si elle est absente)."""
    if nom in table.columns:
        return pd.to_numeric(table[nom], errors="coerce").to_numpy(dtype=float)
    return np.full(len(table), np.nan)


def _considerations(marches: pd.DataFrame, *, suffixe: str, nb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(marchés avec considération sociale, marchés dont on la connaît) de chaque ligne.

    Les comptes `nb_consideration_sociale{suffixe}` et `nb_consideration_connue{suffixe}` de
    `coverage.sources.decp.indicateurs_marches` sont pris tels quels ; à défaut, la part
    `part_consideration_sociale{suffixe}` est appliquée à tous les marchés de la ligne.
    """
    sociale, connue = f"nb_consideration_sociale{suffixe}", f"nb_consideration_connue{suffixe}"
    if sociale in marches.columns and connue in marches.columns:
        return np.nan_to_num(_colonne(marches, sociale)), np.nan_to_num(_colonne(marches, connue))
    part = _colonne(marches, f"part_consideration_sociale{suffixe}")
    nb = np.nan_to_num(nb)
    return np.where(np.isnan(part), 0.0, part * nb), np.where(np.isnan(part), 0.0, nb)


def _marches(marches: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    """Indicateurs de marchés publics par commune, NaN partout si la table est absente."""
    colonnes = [
        "nb_marches", "montant_total", "nb_marches_etat", "montant_etat", "nb_marches_autres", "montant_autres",
        "nb_marches_collectivites", "nb_consideration_sociale", "nb_consideration_connue",
        "nb_consideration_sociale_etat", "nb_consideration_connue_etat",
    ]
    if marches is None:
        return pd.DataFrame(np.nan, index=index, columns=colonnes)
    _check_colonnes(marches, _COLONNES_MARCHES, "marches")
    lus = [*_COLONNES_MARCHES, "nb_marches_collectivites"]
    m = pd.DataFrame({c: _colonne(marches, c) for c in lus}, index=marches.index.astype(str))
    m["nb_consideration_sociale"], m["nb_consideration_connue"] = _considerations(
        marches, suffixe="", nb=m["nb_marches"].to_numpy()
    )
    m["nb_consideration_sociale_etat"], m["nb_consideration_connue_etat"] = _considerations(
        marches, suffixe="_etat", nb=m["nb_marches_etat"].to_numpy()
    )
    m = m.groupby(level=0).sum(min_count=1)  # une commune citée deux fois : ses lignes s'ajoutent
    m = m.reindex(index)
    connues = [c for c in m.columns if c != "nb_marches_collectivites" or "nb_marches_collectivites" in marches.columns]
    m[connues] = m[connues].fillna(0.0)
    m["nb_marches_autres"] = (m["nb_marches"] - m["nb_marches_etat"]).clip(lower=0.0)
    m["montant_autres"] = (m["montant_total"] - m["montant_etat"]).clip(lower=0.0)
    return m[colonnes]


def _quartiers(quartiers: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    colonnes = [*_COLONNES_QUARTIERS, "nb_npnru"]
    if quartiers is None:
        return pd.DataFrame(np.nan, index=index, columns=colonnes)
    _check_colonnes(quartiers, _COLONNES_QUARTIERS, "quartiers")
    q = pd.DataFrame(
        {c: pd.to_numeric(quartiers[c], errors="coerce") for c in _COLONNES_QUARTIERS}, index=quartiers.index.astype(str)
    )
    q = q.groupby(level=0).sum().reindex(index).fillna(0.0)
    q["nb_npnru"] = q["nb_npnru_national"] + q["nb_npnru_regional"]
    return q[colonnes]


def _projets_long(grands_projets: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """(commune, id_projet), une ligne par couple distinct."""
    if isinstance(grands_projets, pd.DataFrame):
        _check_colonnes(grands_projets, ["commune", "id_projet"], "grands_projets")
        long = grands_projets[["commune", "id_projet"]].astype(str)
    else:
        s = grands_projets.dropna()
        listes = s.map(lambda v: [str(x) for x in v] if isinstance(v, list | tuple | set | frozenset) else str(v).split(","))
        long = pd.DataFrame({"commune": s.index.astype(str), "id_projet": listes.to_numpy()}).explode("id_projet")
        long["id_projet"] = long["id_projet"].astype(str).str.strip()
    long = long[long["id_projet"].ne("") & long["id_projet"].ne("nan")]
    return long.drop_duplicates().reset_index(drop=True)


def _joindre_ids(long: pd.DataFrame, cle: str, valeur: str) -> pd.Series:
    """Identifiants distincts de chaque clé, triés et séparés par des virgules."""
    if long.empty:
        return pd.Series(dtype=str)
    trie = long[[cle, valeur]].drop_duplicates().sort_values([cle, valeur])
    return trie.groupby(cle)[valeur].agg(",".join)


def _projets(grands_projets: pd.Series | pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    if grands_projets is None:
        return pd.DataFrame({"nb_grands_projets": np.nan, "grand_projet": False, "ids_grands_projets": ""}, index=index)
    long = _projets_long(grands_projets)
    long = long[long["commune"].isin(index)]
    nb = long.groupby("commune").size().reindex(index).fillna(0).astype(float)
    ids = _joindre_ids(long, "commune", "id_projet").reindex(index).fillna("")
    return pd.DataFrame({"nb_grands_projets": nb, "grand_projet": nb.gt(0), "ids_grands_projets": ids.astype(str)}, index=index)


def besoins_par_commune(
    *,
    referentiel: Referentiel,
    marches: pd.DataFrame | None = None,
    quartiers: pd.DataFrame | None = None,
    grands_projets: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Les besoins de chaque commune du référentiel, source par source.

    Parameters
    ----------
    referentiel : géographie de référence (communes, population municipale).
    marches : indicateurs de marchés publics par commune d'exécution (DECP), index = code
        commune ; colonnes `nb_marches`, `montant_total` (€ HT), `nb_marches_etat`,
        `montant_etat` (€ HT), et si possible `nb_marches_collectivites`, les comptes
        `nb_consideration_sociale`, `nb_consideration_connue` (et `_etat`) ou, à défaut, les
        parts `part_consideration_sociale`, `part_consideration_sociale_etat` (0 à 1, NaN si
        inconnue ; appliquées alors à tous les marchés de la commune) : c'est la sortie de
        `coverage.sources.decp.indicateurs_marches(..., niveau="commune")`. None : marchés non
        renseignés.
    quartiers : quartiers prioritaires par commune, index = code commune ; colonnes `nb_qpv`,
        `nb_npnru_national`, `nb_npnru_regional`. None : non renseignés.
    grands_projets : communes touchées par un grand projet, soit une Series index = code
        commune et valeurs = identifiants de projets (liste, ou chaîne séparée par des
        virgules), soit une table longue `commune`, `id_projet`. None : non renseignés.

    Returns
    -------
    DataFrame indexé par code commune (toutes les communes du référentiel), colonnes :
    `departement`, `region`, `population` (habitants), `nb_marches`, `montant_total` (€ HT),
    `nb_marches_etat`, `montant_etat` (€ HT), `nb_marches_autres`, `montant_autres` (€ HT, hors
    État), `nb_marches_collectivites`, `part_consideration_sociale` et
    `part_consideration_sociale_etat` (0 à 1, parmi les marchés dont la considération sociale est
    connue ; NaN si aucun), `nb_consideration_sociale`, `nb_consideration_connue` et leurs
    équivalents `_etat` (comptes qui permettent de réagréger les parts),
    `nb_qpv`, `nb_npnru_national`, `nb_npnru_regional`, `nb_npnru`, `nb_grands_projets`,
    `grand_projet` (bool), `ids_grands_projets` (identifiants séparés par des virgules).
    Les colonnes d'une source absente valent NaN ; une commune absente d'une source fournie
    vaut 0. Les codes inconnus du référentiel sont ignorés.

    Examples
    --------
    >>> b = besoins_par_commune(referentiel=charger_referentiel())  # doctest: +SKIP
    >>> b.loc["75056", "population"]  # doctest: +SKIP
    """
    communes = referentiel.communes
    index = pd.Index(communes.index.astype(str), name="commune")
    base = pd.DataFrame(
        {
            "departement": communes["departement"].astype(str).to_numpy(),
            "region": communes["region"].astype(str).to_numpy(),
            "population": communes["population"].astype(float).to_numpy(),
        },
        index=index,
    )
    m = _marches(marches, index)
    sortie = pd.concat([base, m, _quartiers(quartiers, index), _projets(grands_projets, index)], axis=1)
    sortie["part_consideration_sociale"], sortie["part_consideration_sociale_etat"] = _parts_cs(sortie)
    sortie.index.name = "commune"
    return sortie[
        [
            "departement", "region", "population", "nb_marches", "montant_total", "nb_marches_etat", "montant_etat",
            "nb_marches_autres", "montant_autres", "nb_marches_collectivites", "part_consideration_sociale",
            "part_consideration_sociale_etat", "nb_consideration_sociale", "nb_consideration_connue",
            "nb_consideration_sociale_etat", "nb_consideration_connue_etat", "nb_qpv", "nb_npnru_national",
            "nb_npnru_regional", "nb_npnru", "nb_grands_projets", "grand_projet", "ids_grands_projets",
        ]
    ]


def _parts_cs(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Parts des marchés (tous, puis de l'État) avec une considération sociale, parmi ceux dont on
    la connaît (NaN si aucun)."""
    parts = []
    for suffixe in ("", "_etat"):
        connue = table[f"nb_consideration_connue{suffixe}"]
        parts.append((table[f"nb_consideration_sociale{suffixe}"] / connue.where(connue > 0)).astype(float))
    return parts[0], parts[1]


# --------------------------------------------------------------------------------------------
# Indice de besoin
# --------------------------------------------------------------------------------------------


def _part(valeurs: pd.Series, zone: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Part de chaque commune dans le total de sa zone, et présence de la donnée dans la zone."""
    v = valeurs.astype(float)
    total = v.fillna(0.0).groupby(zone).transform("sum")
    present = total.gt(0)
    return (v.fillna(0.0) / total.where(present)).fillna(0.0), present


def _part_marches(nb: pd.Series, montant: pd.Series, zone: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Moitié part du nombre de marchés, moitié part du montant (ou l'une seule si l'autre manque)."""
    part_nb, a_nb = _part(nb, zone)
    part_montant, a_montant = _part(montant, zone)
    poids_nb = a_nb.astype(float) / (a_nb.astype(float) + a_montant.astype(float)).where(a_nb | a_montant)
    poids_nb = poids_nb.fillna(0.0)
    return part_nb * poids_nb + part_montant * (1.0 - poids_nb).where(a_montant, 0.0), a_nb | a_montant


def indice_besoin(
    besoins: pd.DataFrame,
    *,
    poids: PoidsBesoin | None = None,
    niveau_normalisation: Literal["national", "region", "departement"] = "national",
) -> pd.DataFrame:
    """Indice de besoin de chaque commune, en unités de besoin, et sa décomposition.

    Chaque composante `k` est la part de la commune dans le total de sa zone de normalisation
    (`part_k`, sans unité) ; l'indice est

        indice = P_zone / 100 000 × Σ_k poids_k × part_k / Σ_k poids_k     [unités de besoin]

    où les sommes portent sur les composantes présentes dans la zone (total > 0) et `P_zone` est
    la population de la zone. Une zone vaut donc toujours sa population / 100 000 unités.

    Composantes : `population` (habitants) ; `marches_etat` et `marches_autres` (moitié part du
    nombre de marchés, moitié part du montant HT : l'un mesure le travail d'ingénierie de la
    clause, l'autre le volume d'heures possible) ; `qpv_npnru` (nombre de QPV + nombre de
    quartiers NPNRU : un quartier en renouvellement urbain compte double) ; `grands_projets`
    (nombre de grands projets qui touchent la commune).

    Parameters
    ----------
    besoins : sortie de `besoins_par_commune`.
    poids : poids des composantes (défaut : `PoidsBesoin()`).
    niveau_normalisation : `national` (défaut) : parts du total de toutes les communes ;
        `region` ou `departement` : parts du total de la région (du département) de la commune.
        Utile quand les marchés ne sont connus que pour une région : l'indice compare alors
        les territoires de la région entre eux.

    Returns
    -------
    DataFrame de même index : `besoin_population`, `besoin_marches_etat`,
    `besoin_marches_autres`, `besoin_qpv_npnru`, `besoin_grands_projets` (contribution de
    chaque composante, en unités) et `indice_besoin` (leur somme, en unités de besoin).

    Examples
    --------
    >>> indice_besoin(besoins_par_commune(referentiel=r), poids=PoidsBesoin())  # doctest: +SKIP
    """
    poids = poids or PoidsBesoin()
    if niveau_normalisation == "national":
        zone = pd.Series("FR", index=besoins.index)
    elif niveau_normalisation in ("region", "departement"):
        zone = besoins[niveau_normalisation].astype(str)
    else:
        raise ValueError(
            f"niveau_normalisation : « {niveau_normalisation} » inconnu (attendu : national, region ou departement)."
        )
    parts: dict[str, tuple[pd.Series, pd.Series]] = {
        "population": _part(besoins["population"], zone),
        "marches_etat": _part_marches(besoins["nb_marches_etat"], besoins["montant_etat"], zone),
        "marches_autres": _part_marches(besoins["nb_marches_autres"], besoins["montant_autres"], zone),
        "qpv_npnru": _part(besoins["nb_qpv"] + besoins["nb_npnru"], zone),
        "grands_projets": _part(besoins["nb_grands_projets"], zone),
    }
    w = poids.en_dict()
    poids_presents = sum(parts[k][1].astype(float) * w[k] for k in COMPOSANTES)
    unites_zone = besoins["population"].astype(float).groupby(zone).transform("sum") / HABITANTS_PAR_UNITE
    echelle = (unites_zone / poids_presents.where(poids_presents > 0)).fillna(0.0)
    sortie = pd.DataFrame(
        {f"besoin_{k}": parts[k][0] * w[k] * echelle * parts[k][1].astype(float) for k in COMPOSANTES}, index=besoins.index
    )
    sortie["indice_besoin"] = sortie.sum(axis=1)
    return sortie


def composantes_presentes(besoins: pd.DataFrame) -> dict[str, bool]:
    """Pour chaque composante, True si sa source est renseignée (au moins une valeur non NaN)."""
    return {
        "population": True,
        "marches_etat": bool(besoins["nb_marches_etat"].notna().any()),
        "marches_autres": bool(besoins["nb_marches_autres"].notna().any()),
        "qpv_npnru": bool(besoins["nb_qpv"].notna().any()),
        "grands_projets": bool(besoins["nb_grands_projets"].notna().any()),
    }


# --------------------------------------------------------------------------------------------
# Agrégation et besoins identifiés
# --------------------------------------------------------------------------------------------


def agreger_besoins(besoins: pd.DataFrame, *, referentiel: Referentiel, niveau: NiveauGeo) -> pd.DataFrame:
    """Somme des besoins communaux par territoire (`commune`, `epci`, `departement`, `region`).

    Parameters
    ----------
    besoins : sortie de `besoins_par_commune`, éventuellement jointe aux colonnes de
        `indice_besoin` (elles sont sommées aussi : l'indice est additif).

    Returns
    -------
    DataFrame indexé par code du niveau (tous les territoires du référentiel) : les colonnes
    additives sommées (NaN si la source n'est pas renseignée), `part_consideration_sociale`
    recalculée (part des marchés dont la considération sociale est connue), `grand_projet`,
    `ids_grands_projets` (union triée). Les communes sans territoire de ce niveau (les 4
    communes insulaires hors EPCI) sont laissées de côté.
    """
    table = referentiel.table(niveau)
    additives = [c for c in besoins.columns if c in COLONNES_ADDITIVES or c.startswith("besoin_") or c == "indice_besoin"]
    if niveau == "commune":
        cle = pd.Series(besoins.index.astype(str), index=besoins.index)
    else:
        cle = referentiel.communes[niveau].reindex(besoins.index)
    travail = besoins[additives].assign(_cle=cle.to_numpy()).dropna(subset=["_cle"])
    somme = travail.groupby("_cle").sum(min_count=1)
    sortie = pd.DataFrame(index=pd.Index(table.index.astype(str), name="code")).join(somme)
    # Un territoire sans commune dans `besoins` : 0 là où la source est renseignée.
    renseignees = [c for c in additives if besoins[c].notna().any()]
    sortie[renseignees] = sortie[renseignees].fillna(0.0)
    if "nb_consideration_connue_etat" in sortie.columns:
        sortie["part_consideration_sociale"], sortie["part_consideration_sociale_etat"] = _parts_cs(sortie)
    if "ids_grands_projets" in besoins.columns:
        ids = besoins["ids_grands_projets"].fillna("").astype(str)
        plein = ids.ne("").to_numpy()
        long = pd.DataFrame({"cle": cle.to_numpy()[plein], "id_projet": ids[plein].str.split(",").to_numpy()})
        long = long.explode("id_projet").dropna()
        long = long[long["id_projet"].ne("")]
        sortie["ids_grands_projets"] = _joindre_ids(long, "cle", "id_projet").reindex(sortie.index).fillna("").astype(str)
        sortie["grand_projet"] = sortie["ids_grands_projets"].ne("")
    return sortie


def besoins_identifies(
    besoins: pd.DataFrame,
    *,
    population_min: float = POPULATION_BESOIN_MIN,
    marches_etat_min: float = MARCHES_ETAT_BESOIN_MIN,
    marches_min: float = MARCHES_BESOIN_MIN,
) -> pd.DataFrame:
    """Les besoins identifiés d'un territoire, règle par règle (pour le critère « limitrophe »).

    Des besoins sont identifiés sur un territoire dès qu'une de ces conditions est remplie
    (seuils inclus) :

    - `population` : au moins `population_min` habitants (défaut 10 000) ;
    - `marches_etat` : au moins `marches_etat_min` marchés de l'État (défaut 1) ;
    - `marches` : au moins `marches_min` marchés publics, tous acheteurs (défaut 10) ;
    - `qpv_npnru` : au moins un QPV ou un quartier NPNRU ;
    - `grands_projets` : au moins un grand projet.

    Une source non renseignée (NaN) ne remplit pas sa condition.

    Parameters
    ----------
    besoins : besoins d'un niveau (`besoins_par_commune` ou `agreger_besoins`).

    Returns
    -------
    DataFrame de même index, booléens : `population`, `marches_etat`, `marches`, `qpv_npnru`,
    `grands_projets`, et `besoins_identifies` (au moins une condition).
    """
    conditions = pd.DataFrame(
        {
            "population": besoins["population"].astype(float).ge(population_min),
            "marches_etat": besoins["nb_marches_etat"].astype(float).ge(marches_etat_min),
            "marches": besoins["nb_marches"].astype(float).ge(marches_min),
            "qpv_npnru": (besoins["nb_qpv"].astype(float) + besoins["nb_npnru"].astype(float)).ge(1),
            "grands_projets": besoins["nb_grands_projets"].astype(float).ge(1),
        },
        index=besoins.index,
    )
    conditions["besoins_identifies"] = conditions.any(axis=1)
    return conditions
