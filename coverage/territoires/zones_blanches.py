"""Zones blanches : les trois critères de l'appel, territoire par territoire, avec leur motif.

Définition de l'appel (partie B 1, « Focus sur la définition de zone blanche ») : « Est
considéré comme « zone blanche » tout territoire non couvert par l'action d'un facilitateur ou
faisant l'objet d'une couverture par un facilitateur « limitrophe » du fait de l'extension de son
périmètre sur lesquels des besoins sont identifiés, ainsi que tout territoire dont les capacités
de réponse des structures existantes sont insuffisantes au regard des besoins existants, et
notamment en termes de couverture des marchés de l'État. »

Trois critères, évalués par commune ou par EPCI (voir `evaluer_zones_blanches`) :

- `non_couvert` : la part de la population sans facilitateur atteint `part_non_couverte_min`
  (au moins la moitié par défaut ; au seuil exact, le critère est rempli) ;
- `couverture_limitrophe` : la part de la population couverte qui ne l'est que par des
  extensions de périmètre atteint `part_extension_min` (au moins la moitié par défaut), et des
  besoins sont identifiés (`coverage.territoires.besoins.besoins_identifies`) ;
- `capacite_insuffisante` : le territoire est couvert (il n'est pas `non_couvert`) mais son ratio
  de capacité (ETP par unité de besoin) est strictement inférieur à `ratio_capacite_min` (un
  ratio égal au seuil est suffisant). Par défaut, le seuil est la moitié du ratio médian des
  territoires couverts du même niveau (`seuils_par_defaut`). Les marchés de l'État passent en
  premier : c'est la composante la plus lourde de l'indice après la population, et le motif les
  cite d'abord.

« Limitrophe » est géométrique : une extension ne compte au critère 2 que si elle touche le
périmètre principal de sa structure (`geo.voisinage`). Une commune couverte seulement par une
extension non limitrophe (une structure de l'Ain étendue à Ajaccio) n'est pas « couverte par un
facilitateur limitrophe » ; elle n'est pas non plus dans le périmètre principal d'une structure.
Le texte ne connaît que ces deux façons d'être couvert : elle compte donc comme non couverte
(critère 1), et le motif le dit (« Dont … dans la seule extension non limitrophe de … »).

`non_couvert` et `capacite_insuffisante` s'excluent : un territoire non couvert n'est pas « couvert
avec une capacité insuffisante ». `couverture_limitrophe` peut s'ajouter à l'un ou l'autre (un
EPCI aux deux tiers sans facilitateur dont le dernier tiers n'est couvert que par le voisin est
à la fois `non_couvert` et `couverture_limitrophe`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from coverage.territoires.besoins import (
    HABITANTS_PAR_UNITE,
    MARCHES_BESOIN_MIN,
    MARCHES_ETAT_BESOIN_MIN,
    POPULATION_BESOIN_MIN,
    PoidsBesoin,
    agreger_besoins,
    besoins_identifies,
    besoins_par_commune,
    composantes_presentes,
    indice_besoin,
)
from coverage.documents.format import format_nombre
from coverage.modele import StatutCouverture
from coverage.territoires.motifs_zones_blanches import _motifs
from geo.reference import NiveauGeo, Referentiel

__all__ = [
    "CRITERES",
    "FRACTION_MEDIANE",
    "LIBELLES_CRITERES",
    "REFERENCES_CRITERES",
    "SeuilsZonesBlanches",
    "evaluer_zones_blanches",
    "executer_zones_blanches",
    "format_montant_court",
    "resume_zones_blanches",
    "seuils_par_defaut",
]

CRITERES = ("non_couvert", "couverture_limitrophe", "capacite_insuffisante")

LIBELLES_CRITERES = {
    "non_couvert": "Non couvert",
    "couverture_limitrophe": "Couvert seulement par un facilitateur limitrophe (extension)",
    "capacite_insuffisante": "Capacité insuffisante au regard des besoins",
}

_SOURCE = "Appel à projets 2025, partie B 1, « Focus sur la définition de zone blanche »"
REFERENCES_CRITERES = {
    "non_couvert": (
        f"« Est considéré comme « zone blanche » tout territoire non couvert par l'action d'un facilitateur » ({_SOURCE})."
    ),
    "couverture_limitrophe": (
        "« […] ou faisant l'objet d'une couverture par un facilitateur « limitrophe » du fait de l'extension de son "
        f"périmètre sur lesquels des besoins sont identifiés » ({_SOURCE})."
    ),
    "capacite_insuffisante": (
        "« […] ainsi que tout territoire dont les capacités de réponse des structures existantes sont insuffisantes au "
        "regard des besoins existants, et notamment en termes de couverture des marchés de l'État. » "
        f"({_SOURCE})."
    ),
}

FRACTION_MEDIANE = 0.5
"""Seuil de capacité par défaut = FRACTION_MEDIANE × ratio médian des territoires couverts."""

NiveauZones = Literal["commune", "epci", "ept", "departement", "region"]


@dataclass(frozen=True)
class SeuilsZonesBlanches:
    """Seuils des trois critères (modifiables par l'utilisateur).

    Attributes
    ----------
    part_non_couverte_min : float
        `non_couvert` si la part de la population sans facilitateur est ≥ ce seuil (0 à 1 ;
        défaut 0,5 : au moins la moitié des habitants).
    part_extension_min : float
        `couverture_limitrophe` si la part de la population couverte qui ne l'est que par des
        extensions de périmètre est ≥ ce seuil (0 à 1 ; défaut 0,5), et besoins identifiés.
    ratio_capacite_min : float ou None
        `capacite_insuffisante` si ETP / indice de besoin < ce seuil (ETP par unité de besoin ;
        strictement). None : calculé par `seuils_par_defaut` (moitié du ratio médian).
    population_besoin_min, marches_etat_besoin_min, marches_besoin_min : float
        Seuils des besoins identifiés (≥) : habitants (défaut 10 000), marchés de l'État
        (défaut 1), marchés publics tous acheteurs (défaut 10). Voir
        `coverage.territoires.besoins.besoins_identifies`.
    justification : str
        Phrase qui explique d'où viennent les seuils (renseignée par `seuils_par_defaut`).
    """

    part_non_couverte_min: float = 0.5
    part_extension_min: float = 0.5
    ratio_capacite_min: float | None = None
    population_besoin_min: float = POPULATION_BESOIN_MIN
    marches_etat_besoin_min: float = MARCHES_ETAT_BESOIN_MIN
    marches_besoin_min: float = MARCHES_BESOIN_MIN
    justification: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _check_seuils(self)


def _check_seuils(s: SeuilsZonesBlanches) -> None:
    for nom in ("part_non_couverte_min", "part_extension_min"):
        v = getattr(s, nom)
        if not isinstance(v, int | float) or not (0 < v <= 1):
            raise ValueError(f"Seuil `{nom}` : « {v} » n'est pas valide (attendu : part comprise entre 0 exclu et 1).")
    for f in fields(s):
        if f.name in ("part_non_couverte_min", "part_extension_min", "justification"):
            continue
        v = getattr(s, f.name)
        if v is None and f.name == "ratio_capacite_min":
            continue
        if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValueError(f"Seuil `{f.name}` : « {v} » n'est pas valide (attendu : nombre positif ou nul).")


# --------------------------------------------------------------------------------------------
# Tableau des territoires (couverture + besoins)
# --------------------------------------------------------------------------------------------


def _cle(index: pd.Index, referentiel: Referentiel, niveau: NiveauGeo) -> pd.Series:
    if niveau == "commune":
        return pd.Series(index.astype(str), index=index)
    return referentiel.communes[niveau].reindex(index)


def _union_ids(ids: pd.Series, cle: pd.Series) -> pd.Series:
    """Union triée des identifiants (chaînes séparées par des virgules) par clé."""
    ids = ids.fillna("").astype(str)
    plein = ids.ne("").to_numpy()
    long = pd.DataFrame({"cle": cle.to_numpy()[plein], "id": ids[plein].str.split(",").to_numpy()})
    long = long.explode("id").dropna()
    long = long[long["id"].ne("")].drop_duplicates().sort_values(["cle", "id"])
    if long.empty:
        return pd.Series(dtype=str)
    return long.groupby("cle")["id"].agg(",".join)


def _couverture_territoires(couverture_communes: pd.DataFrame, referentiel: Referentiel, niveau: NiveauGeo) -> pd.DataFrame:
    c = couverture_communes
    cle = _cle(c.index, referentiel, niveau)
    pop = c["population"].astype(float)
    statut = c["statut"].astype(str)
    # Une commune couverte seulement par une extension non limitrophe compte comme non couverte (critère 1).
    loin = statut == StatutCouverture.EXTENSION_NON_LIMITROPHE.value
    nc = (statut == StatutCouverture.NON_COUVERT.value) | loin
    ext = statut == StatutCouverture.EXTENSION_SEULE.value
    couv = statut == StatutCouverture.COUVERT.value
    travail = pd.DataFrame(
        {
            "cle": cle.to_numpy(),
            "population": pop.to_numpy(),
            "etp": c["etp"].astype(float).to_numpy(),
            "etp_principal": c["etp_principal"].astype(float).to_numpy(),
            "etp_extension": c["etp_extension"].astype(float).to_numpy(),
            # Sans colonne (couverture écrite à la main), aucune extension non limitrophe.
            "etp_non_limitrophe": (c["etp_non_limitrophe"].astype(float).to_numpy() if "etp_non_limitrophe" in c.columns
                                   else np.zeros(len(c))),
            "pop_non_couvert": pop.where(nc, 0.0).to_numpy(),
            "pop_non_limitrophe": pop.where(loin, 0.0).to_numpy(),
            "n_non_limitrophe": loin.astype(int).to_numpy(),
            "pop_extension_seule": pop.where(ext, 0.0).to_numpy(),
            "pop_couvert": pop.where(couv, 0.0).to_numpy(),
            "n_communes": 1,
            "n_non_couvert": nc.astype(int).to_numpy(),
            "n_extension_seule": ext.astype(int).to_numpy(),
            "n_couvert": couv.astype(int).to_numpy(),
        }
    ).dropna(subset=["cle"])
    agg = travail.groupby("cle").sum()
    if niveau == "commune":  # la commune a déjà sa liste de structures
        agg["structures"] = c["structures"].astype(str).reindex(agg.index).fillna("")
        agg["structures_extension"] = agg["structures"].where(ext.reindex(agg.index).fillna(False).to_numpy(), "")
        agg["structures_non_limitrophes"] = agg["structures"].where(loin.reindex(agg.index).fillna(False).to_numpy(), "")
    else:
        garde = cle.notna().to_numpy()
        agg["structures"] = _union_ids(c["structures"][garde], cle[garde]).reindex(agg.index).fillna("")
        a_ext = garde & ext.to_numpy()
        agg["structures_extension"] = _union_ids(c["structures"][a_ext], cle[a_ext]).reindex(agg.index).fillna("")
        a_loin = garde & loin.to_numpy()
        agg["structures_non_limitrophes"] = _union_ids(c["structures"][a_loin], cle[a_loin]).reindex(agg.index).fillna("")

    pop_tot = agg["population"]
    # Part de population ; un territoire sans habitant est jugé sur le nombre de ses communes.
    agg["part_non_couverte"] = np.where(
        pop_tot > 0, agg["pop_non_couvert"] / pop_tot.where(pop_tot > 0), agg["n_non_couvert"] / agg["n_communes"]
    )
    agg["part_non_limitrophe"] = np.where(
        pop_tot > 0, agg["pop_non_limitrophe"] / pop_tot.where(pop_tot > 0), agg["n_non_limitrophe"] / agg["n_communes"]
    )
    pop_cou = agg["pop_extension_seule"] + agg["pop_couvert"]
    n_cou = agg["n_extension_seule"] + agg["n_couvert"]
    agg["part_extension"] = np.where(
        pop_cou > 0,
        agg["pop_extension_seule"] / pop_cou.where(pop_cou > 0),
        (agg["n_extension_seule"] / n_cou.where(n_cou > 0)).fillna(0.0),
    )
    agg["population_couverte"] = pop_cou
    agg["a_couverture"] = n_cou > 0
    return agg


def _territoires(
    *,
    couverture_communes: pd.DataFrame,
    besoins: pd.DataFrame,
    referentiel: Referentiel,
    niveau: NiveauGeo,
    poids: PoidsBesoin,
    niveau_normalisation: Literal["national", "region", "departement"],
) -> pd.DataFrame:
    table = referentiel.table(niveau)
    infos = pd.DataFrame(index=pd.Index(table.index.astype(str), name="code"))
    infos["nom"] = table["nom"].astype(str).to_numpy()
    infos["departement"] = table["departement"].astype(str).to_numpy() if "departement" in table.columns else (
        infos.index.to_numpy() if niveau == "departement" else ""
    )
    infos["region"] = table["region"].astype(str).to_numpy() if "region" in table.columns else (
        infos.index.to_numpy() if niveau == "region" else ""
    )
    indice = indice_besoin(besoins, poids=poids, niveau_normalisation=niveau_normalisation)
    b = agreger_besoins(besoins.drop(columns=["departement", "region"]).join(indice), referentiel=referentiel, niveau=niveau)
    b = b.drop(columns=["population"])
    t = infos.join(_couverture_territoires(couverture_communes, referentiel, niveau)).join(b)
    t = t[t["n_communes"].notna()]  # territoires sans commune dans la couverture
    t["population"] = t["population"].astype(np.int64)
    indice_total = t["indice_besoin"].astype(float)
    # La capacité ne compte pas les ETP des extensions non limitrophes : le territoire qu'elles touchent est
    # « non couvert » au sens de l'appel (critère 1), elles ne peuvent pas en même temps y répondre aux besoins.
    t["ratio_capacite"] = (t["etp"] - t["etp_non_limitrophe"]).clip(lower=0) / indice_total.where(indice_total > 0)
    return t


def _eligibles_capacite(t: pd.DataFrame, seuils: SeuilsZonesBlanches) -> pd.Series:
    """Territoires auxquels le critère de capacité s'applique : couverts et avec des besoins."""
    non_couvert = t["part_non_couverte"] >= seuils.part_non_couverte_min
    return ~non_couvert & t["a_couverture"].astype(bool) & t["indice_besoin"].gt(0)


def _seuil_ratio(t: pd.DataFrame, seuils: SeuilsZonesBlanches, niveau: NiveauGeo) -> SeuilsZonesBlanches:
    eligibles = t.loc[_eligibles_capacite(t, seuils), "ratio_capacite"].dropna()
    nom_niveau = {
        "commune": "communes couvertes",
        "epci": "EPCI couverts",
        "ept": "territoires de la Métropole du Grand Paris couverts",
        "departement": "départements couverts",
        "region": "régions couvertes",
    }[niveau]
    if eligibles.empty:
        texte = (
            "Seuil de capacité : aucun territoire couvert à ce niveau ; le critère « capacité insuffisante » "
            "n'est pas évalué (seuil 0)."
        )
        return replace(seuils, ratio_capacite_min=0.0, justification=texte)
    mediane = float(eligibles.median())
    seuil = round(FRACTION_MEDIANE * mediane, 2)
    texte = (
        f"Seuil de capacité : {format_nombre(seuil, 2, compact=True)} ETP par unité de besoin, soit la moitié du ratio "
        f"médian ({format_nombre(mediane, 2, compact=True)}) des {format_nombre(len(eligibles))} {nom_niveau} "
        f"ayant des besoins ; une unité de besoin est le besoin de {format_nombre(HABITANTS_PAR_UNITE)} habitants au "
        "profil moyen."
    )
    return replace(seuils, ratio_capacite_min=seuil, justification=texte)


def seuils_par_defaut(
    couverture_communes: pd.DataFrame,
    besoins: pd.DataFrame,
    *,
    referentiel: Referentiel,
    niveau: NiveauZones,
    poids: PoidsBesoin | None = None,
    seuils: SeuilsZonesBlanches | None = None,
    niveau_normalisation: Literal["national", "region", "departement"] = "national",
) -> SeuilsZonesBlanches:
    """Seuils par défaut, le seuil de capacité tiré de la distribution nationale.

    `ratio_capacite_min` = `FRACTION_MEDIANE` (0,5) × médiane du ratio ETP / indice de besoin
    des territoires du niveau qui sont couverts (non `non_couvert`, au moins une commune
    couverte) et ont un indice de besoin > 0, arrondi au centième. Un territoire qui a moins de
    la moitié de la capacité du territoire couvert médian, rapportée à ses besoins, est en
    capacité insuffisante. Sans territoire couvert, le seuil vaut 0 (critère inopérant).

    Parameters
    ----------
    couverture_communes : sortie de `coverage.territoires.couverture.couverture_par_commune`.
    besoins : sortie de `coverage.territoires.besoins.besoins_par_commune`.
    niveau : niveau des territoires évalués (`commune` ou `epci`, aussi `departement`, `region`).
    poids : poids de l'indice de besoin (défaut `PoidsBesoin()`).
    seuils : seuils de départ (défaut `SeuilsZonesBlanches()`) ; seul le seuil de capacité est
        recalculé.

    Returns
    -------
    SeuilsZonesBlanches dont `ratio_capacite_min` est renseigné et `justification` l'explique.
    """
    t = _territoires(
        couverture_communes=couverture_communes, besoins=besoins, referentiel=referentiel, niveau=niveau,
        poids=poids or PoidsBesoin(), niveau_normalisation=niveau_normalisation,
    )
    return _seuil_ratio(t, seuils or SeuilsZonesBlanches(), niveau)


# --------------------------------------------------------------------------------------------
# Évaluation
# --------------------------------------------------------------------------------------------


def evaluer_zones_blanches(
    *,
    couverture_communes: pd.DataFrame,
    besoins: pd.DataFrame,
    referentiel: Referentiel,
    niveau: NiveauZones,
    seuils: SeuilsZonesBlanches | None = None,
    poids: PoidsBesoin | None = None,
    niveau_normalisation: Literal["national", "region", "departement"] = "national",
    libelles_projets: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Évalue les trois critères de zone blanche sur chaque territoire d'un niveau.

    Règles (seuils de `seuils`, défauts entre parenthèses) :

    - `non_couvert` : part de la population sans facilitateur ≥ `part_non_couverte_min` (0,5) ; une
      commune couverte seulement par une extension non limitrophe compte comme sans facilitateur ;
    - `couverture_limitrophe` : au moins une commune couverte, part de la population couverte
      qui ne l'est que par extension ≥ `part_extension_min` (0,5), et besoins identifiés ;
    - `capacite_insuffisante` : pas `non_couvert`, au moins une commune couverte, indice de
      besoin > 0 et ETP / indice de besoin < `ratio_capacite_min` (moitié du ratio médian) ; les
      ETP des extensions non limitrophes n'y comptent pas (leurs communes sont « non couvertes »).

    Parameters
    ----------
    couverture_communes : sortie de `coverage.territoires.couverture.couverture_par_commune`.
    besoins : sortie de `coverage.territoires.besoins.besoins_par_commune` (par commune ; l'agrégation
        au niveau demandé est faite ici).
    referentiel : géographie de référence.
    niveau : `commune` ou `epci` (aussi `departement`, `region`).
    seuils : seuils des critères ; `ratio_capacite_min=None` (défaut) le calcule par
        `seuils_par_defaut`.
    poids : poids de l'indice de besoin (défaut `PoidsBesoin()`).
    niveau_normalisation : zone de normalisation de l'indice (voir `indice_besoin`).
    libelles_projets : nom de chaque grand projet par identifiant, pour les motifs (sinon les
        identifiants sont cités).

    Returns
    -------
    DataFrame indexé par `code` du niveau : `nom`, `departement`, `region`, `population`
    (habitants), `etp`, `etp_principal`, `etp_extension` (ETP de facilitateurs),
    `population_couverte`, `part_non_couverte`, `part_extension` (0 à 1), `structures`,
    `structures_extension`, `structures_non_limitrophes` (identifiants), `part_non_limitrophe`
    (part couverte seulement par une extension non limitrophe, comprise dans `part_non_couverte`), `indice_besoin` (unités de besoin), `ratio_capacite`
    (ETP par unité de besoin, sans les ETP `etp_non_limitrophe` ; NaN si indice nul), `nb_marches`, `montant_total`,
    `nb_marches_etat`, `montant_etat` (€ HT), `part_consideration_sociale`,
    `part_consideration_sociale_etat` (0 à 1, NaN si inconnues), `nb_qpv`,
    `nb_npnru`, `grands_projets` (identifiants), `besoins_identifies` (bool), un booléen par
    critère, `criteres` (codes séparés par des virgules), `est_zone_blanche` (bool), `motif`
    (phrase française avec les chiffres, vide hors zone blanche). `attrs["seuils"]` garde les
    seuils appliqués (`SeuilsZonesBlanches`, seuil de capacité calculé et sa justification
    compris), pour les afficher sans refaire le calcul.

    Examples
    --------
    >>> zb = evaluer_zones_blanches(couverture_communes=c, besoins=b, referentiel=r, niveau="epci")  # doctest: +SKIP
    >>> zb.loc[zb["est_zone_blanche"], ["nom", "criteres", "motif"]]  # doctest: +SKIP
    """
    if niveau not in ("commune", "epci", "ept", "departement", "region"):
        raise ValueError(f"niveau : « {niveau} » inconnu (attendu : commune, epci, ept, departement ou region).")
    poids = poids or PoidsBesoin()
    seuils = seuils or SeuilsZonesBlanches()
    t = _territoires(
        couverture_communes=couverture_communes, besoins=besoins, referentiel=referentiel, niveau=niveau,
        poids=poids, niveau_normalisation=niveau_normalisation,
    )
    if seuils.ratio_capacite_min is None:
        seuils = _seuil_ratio(t, seuils, niveau)
    identifies = besoins_identifies(
        t,
        population_min=seuils.population_besoin_min,
        marches_etat_min=seuils.marches_etat_besoin_min,
        marches_min=seuils.marches_besoin_min,
    )
    t["besoins_identifies"] = identifies["besoins_identifies"]
    non_couvert = t["part_non_couverte"] >= seuils.part_non_couverte_min
    limitrophe = t["a_couverture"].astype(bool) & (t["part_extension"] >= seuils.part_extension_min) & t["besoins_identifies"]
    capacite = _eligibles_capacite(t, seuils) & (t["ratio_capacite"] < seuils.ratio_capacite_min).fillna(False)
    criteres = pd.DataFrame({"non_couvert": non_couvert, "couverture_limitrophe": limitrophe, "capacite_insuffisante": capacite})
    criteres = criteres.astype(bool)
    t[list(CRITERES)] = criteres
    t["criteres"] = _joindre_codes(criteres)
    t["est_zone_blanche"] = criteres.any(axis=1)
    t["grands_projets"] = t["ids_grands_projets"].astype(str)
    t["motif"] = _motifs(t, criteres, identifies, seuils, composantes_presentes(besoins), libelles_projets)
    colonnes = [
        "nom", "departement", "region", "population", "etp", "etp_principal", "etp_extension", "etp_non_limitrophe",
        "population_couverte",
        "part_non_couverte", "part_extension", "structures", "structures_extension", "structures_non_limitrophes",
        "part_non_limitrophe", "indice_besoin", "ratio_capacite",
        "nb_marches", "montant_total", "nb_marches_etat", "montant_etat", "part_consideration_sociale",
        "part_consideration_sociale_etat", "nb_qpv", "nb_npnru", "grands_projets", "besoins_identifies", *CRITERES,
        "criteres", "est_zone_blanche", "motif",
    ]
    sortie = t[colonnes].copy()
    sortie.attrs["seuils"] = seuils  # seuils appliqués, seuil de capacité calculé compris
    return sortie


def _joindre_codes(criteres: pd.DataFrame) -> pd.Series:
    texte = pd.Series("", index=criteres.index, dtype=object)
    for code in CRITERES:  # trois colonnes, pas les lignes
        texte = texte + np.where(criteres[code], "," + code, "")
    return texte.str.lstrip(",").astype(str)




# --------------------------------------------------------------------------------------------
# Résumé
# --------------------------------------------------------------------------------------------


def resume_zones_blanches(resultat: pd.DataFrame) -> pd.DataFrame:
    """Nombre de zones blanches et population concernée, critère par critère.

    Parameters
    ----------
    resultat : sortie de `evaluer_zones_blanches`.

    Returns
    -------
    DataFrame indexé par `critere` (`non_couvert`, `couverture_limitrophe`,
    `capacite_insuffisante`, puis `total`) : `libelle`, `nb_territoires`, `population`
    (habitants), `etp`. Un territoire compte dans chacun de ses critères ; la ligne `total`
    compte chaque zone blanche une seule fois.
    """
    masques = {code: resultat[code].astype(bool) for code in CRITERES}
    masques["total"] = resultat["est_zone_blanche"].astype(bool)
    libelles = {**LIBELLES_CRITERES, "total": "Zones blanches (tous critères, chacune comptée une fois)"}
    resume = pd.DataFrame(
        {
            "libelle": [libelles[k] for k in masques],
            "nb_territoires": [int(m.sum()) for m in masques.values()],
            "population": [int(resultat.loc[m, "population"].sum()) for m in masques.values()],
            "etp": [float(resultat.loc[m, "etp"].sum()) for m in masques.values()],
        },
        index=pd.Index(list(masques), name="critere"),
    )
    return resume


# --------------------------------------------------------------------------------------------
# Ligne de commande
# --------------------------------------------------------------------------------------------

COLONNES_EXPORT = [
    "nom", "criteres", "motif", "population", "etp", "indice_besoin", "ratio_capacite", "departement", "region",
    "etp_principal", "etp_extension", "part_non_couverte", "part_extension", "structures", "nb_marches_etat",
    "montant_etat", "part_consideration_sociale_etat", "nb_marches", "montant_total", "part_consideration_sociale",
    "nb_qpv", "nb_npnru", "grands_projets",
    "est_zone_blanche",
]
"""Colonnes du CSV de `executer_zones_blanches`, après `code`."""


def executer_zones_blanches(
    *,
    structures: Path,
    perimetres: Path,
    decp: Path | None = None,
    qpv: Path | None = None,
    npnru: Path | None = None,
    niveau: str,
    sortie: Path,
    referentiel: Referentiel | None = None,
) -> int:
    """`python -m coverage zones-blanches` : écrit les zones blanches dans un CSV.

    Lit et valide `structures` et `perimetres` (CSV ou XLSX), calcule la couverture, les
    besoins et les trois critères au `niveau` demandé (`commune`, `epci`, ou `ept` : les 12
    territoires de la Métropole du Grand Paris), et écrit `sortie`
    (CSV `;`, UTF-8 avec BOM, virgule décimale, formules échappées) : une ligne par territoire
    du niveau, zones blanches d'abord, colonnes `code;nom;criteres;motif;population;etp;
    indice_besoin;ratio_capacite;…`.

    Returns
    -------
    int
        0 si le fichier est écrit ; 1 si un fichier d'entrée est invalide (chaque problème est
        écrit sur la sortie d'erreur, en français, avec fichier, ligne et colonne) ; 2 pour un
        argument invalide.
    """
    from coverage.territoires.couverture import couverture_par_commune
    from coverage.sources.donnees import importer_fichiers
    from coverage.documents.exports import exporter_csv

    if niveau not in ("commune", "epci", "ept"):
        print(f"Niveau « {niveau} » inconnu (attendu : commune, epci ou ept).", file=sys.stderr)
        return 2
    for chemin in (structures, perimetres, decp, qpv, npnru):
        if chemin is not None and not Path(chemin).is_file():
            print(f"{chemin} : fichier introuvable.", file=sys.stderr)
            return 2
    if referentiel is None:
        from geo.reference import charger_referentiel

        referentiel = charger_referentiel()
    resultat = importer_fichiers(
        structures=(Path(structures).read_bytes(), Path(structures).name),
        perimetres=(Path(perimetres).read_bytes(), Path(perimetres).name),
        referentiel=referentiel,
    )
    for probleme in resultat.avertissements:
        print(f"Avertissement : {probleme}", file=sys.stderr)
    if not resultat.valide:
        for probleme in resultat.erreurs:
            print(str(probleme), file=sys.stderr)
        return 1
    try:
        marches, quartiers = _lire_sources_besoins(decp=decp, qpv=qpv, npnru=npnru, referentiel=referentiel)
    except ValueError as erreur:
        print(str(erreur), file=sys.stderr)
        return 1
    couverture = couverture_par_commune(resultat.donnees, referentiel=referentiel)
    besoins = besoins_par_commune(referentiel=referentiel, marches=marches, quartiers=quartiers)
    zones = evaluer_zones_blanches(couverture_communes=couverture, besoins=besoins, referentiel=referentiel, niveau=niveau)
    zones = zones.sort_values(["est_zone_blanche", "population"], ascending=[False, False], kind="stable")
    zones = zones.round({"etp": 3, "etp_principal": 3, "etp_extension": 3, "indice_besoin": 4, "ratio_capacite": 3})
    zones = zones.round({"part_non_couverte": 4, "part_extension": 4, "part_consideration_sociale": 4})
    zones = zones.round({"part_consideration_sociale_etat": 4, "montant_etat": 2, "montant_total": 2})
    try:
        Path(sortie).write_bytes(exporter_csv(zones[COLONNES_EXPORT]))
    except OSError as erreur:
        print(f"{sortie} : impossible d'écrire le fichier ({erreur.strerror}).", file=sys.stderr)
        return 1
    nb = int(zones["est_zone_blanche"].sum())
    print(f"{nb} zone(s) blanche(s) sur {len(zones)} territoires ({niveau}) : {sortie}")
    return 0


def _lire_sources_besoins(
    *, decp: Path | None, qpv: Path | None, npnru: Path | None, referentiel: Referentiel
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Indicateurs de marchés et de quartiers par commune depuis les fichiers (None si absents).

    Raises
    ------
    ValueError
        Fichier illisible (`coverage.sources.lecture.ErreurLecture`, message en français), ou `npnru`
        sans `qpv`.
    """
    marches = None
    if decp is not None:
        from coverage.sources.decp import indicateurs_marches, lire_decp_fichier, placer_contrats

        lus = lire_decp_fichier(decp)
        for message in lus.avertissements:
            print(f"Avertissement : {message}", file=sys.stderr)
        places = placer_contrats(lus.contrats, referentiel=referentiel)
        marches = indicateurs_marches(places, referentiel=referentiel, niveau="commune")
    quartiers = None
    if npnru is not None and qpv is None:
        raise ValueError("--npnru demande aussi --qpv : les quartiers NPNRU sont rattachés aux contours des QPV.")
    if qpv is not None:
        from coverage.territoires.analyse import charger_quartiers

        fichier_qpv = (0, qpv.name, qpv.read_bytes()) if qpv is not None else None
        fichier_npnru = (0, npnru.name, npnru.read_bytes()) if npnru is not None else None
        quartiers = charger_quartiers(fichier_qpv, fichier_npnru, referentiel=referentiel).par_commune
    return marches, quartiers
