"""Indicateurs de commande publique par territoire, et vue « achats » d'un territoire."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coverage.sources.decp.modele import LIBELLES_TYPE_ACHETEUR, OBJECTIF_PNAD, TYPES_ACHETEUR
from geo.reference import NiveauGeo, Referentiel

def _agreger(marches: pd.DataFrame, code: pd.Series) -> pd.DataFrame:
    """Sommes par territoire ; `code` aligné sur `marches`."""
    etat = (marches["type_acheteur"] == "etat").to_numpy()
    coll = (marches["type_acheteur"] == "collectivite").to_numpy()
    montant = marches["montant"].to_numpy("float64")
    connue = marches["a_consideration_sociale"].notna().to_numpy()
    sociale = marches["a_consideration_sociale"].fillna(False).to_numpy(bool)
    montant0 = np.nan_to_num(montant)
    table = pd.DataFrame(
        {
            "code": code.to_numpy(),
            "nb_marches": 1,
            "montant_total": montant0,
            "nb_sans_montant": np.isnan(montant).astype("int64"),
            "nb_marches_etat": etat.astype("int64"),
            "montant_etat": np.where(etat, montant0, 0.0),
            "nb_marches_collectivites": coll.astype("int64"),
            "montant_collectivites": np.where(coll, montant0, 0.0),
            "nb_marches_autres": (~etat & ~coll).astype("int64"),
            "nb_consideration_connue": connue.astype("int64"),
            "nb_consideration_sociale": sociale.astype("int64"),
            "nb_consideration_connue_etat": (connue & etat).astype("int64"),
            "nb_consideration_sociale_etat": (sociale & etat).astype("int64"),
            "nb_sans_commune": marches["commune"].isna().to_numpy().astype("int64"),
        }
    )
    return table.groupby("code", sort=True).sum()


def indicateurs_marches(places: pd.DataFrame, *, referentiel: Referentiel, niveau: NiveauGeo) -> pd.DataFrame:
    """Indicateurs de commande publique par territoire du niveau demandé.

    Un marché placé sur une commune compte pour sa commune, son EPCI, son département et sa
    région ; un marché placé au seul département compte pour le département et la région ; un
    marché placé à la seule région, pour la région. Les non placés ne comptent nulle part (voir
    `resume_placement` et `contrats_non_places`).

    Parameters
    ----------
    places : sortie de `placer_contrats`.
    referentiel : géographie de référence ; donne l'EPCI de chaque commune et la liste des
        territoires (tous figurent dans le résultat, à 0 s'ils n'ont aucun marché).
    niveau : `commune`, `epci`, `departement` ou `region`.

    Returns
    -------
    pandas.DataFrame
        Index `code` (tous les territoires du niveau). Colonnes : `nb_marches`, `montant_total`
        (€ HT), `nb_sans_montant`, `nb_marches_etat`, `montant_etat` (€ HT),
        `nb_marches_collectivites`, `montant_collectivites` (€ HT), `nb_marches_autres`,
        `nb_consideration_connue`, `nb_consideration_sociale`, `part_consideration_sociale`
        (0 à 1, NaN si aucune considération connue), `part_consideration_sociale_etat`,
        `ecart_objectif_pnad` (part − 0,30) et, aux niveaux département et région,
        `nb_sans_commune`.

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> ref = charger_referentiel()
    >>> c = pd.DataFrame({"lieu_type": ["Code commune"], "lieu_code": ["01053"], "type_acheteur": ["etat"],
    ...                   "montant": [1000.0], "a_consideration_sociale": pd.array([True], dtype="boolean")})
    >>> ind = indicateurs_marches(placer_contrats(c, referentiel=ref), referentiel=ref, niveau="departement")
    >>> ind.loc["01", ["nb_marches", "montant_etat", "part_consideration_sociale"]].tolist()
    [1.0, 1000.0, 1.0]
    """
    if niveau not in ("commune", "epci", "ept", "departement", "region"):
        raise ValueError(f"niveau « {niveau} » inconnu (attendu : commune, epci, ept, departement ou region).")
    if niveau in ("commune", "epci", "ept"):
        marches = places[places["commune"].notna()]
        code = marches["commune"]
        if niveau in ("epci", "ept"):
            code = code.map(referentiel.communes[niveau])
            marches, code = marches[code.notna()], code[code.notna()]
    else:
        marches = places[places[niveau].notna()]
        code = marches[niveau]
    territoires = referentiel.table(niveau).index
    table = _agreger(marches, code).reindex(territoires, fill_value=0)
    table.index.name = "code"
    entiers = [c for c in table.columns if c.startswith("nb_")]
    table[entiers] = table[entiers].astype("int64")
    connues = table["nb_consideration_connue"].where(table["nb_consideration_connue"] > 0)
    table["part_consideration_sociale"] = table["nb_consideration_sociale"] / connues
    connues_etat = table["nb_consideration_connue_etat"].where(table["nb_consideration_connue_etat"] > 0)
    table["part_consideration_sociale_etat"] = table["nb_consideration_sociale_etat"] / connues_etat
    table["ecart_objectif_pnad"] = table["part_consideration_sociale"] - OBJECTIF_PNAD
    table = table.drop(columns=["nb_consideration_connue_etat", "nb_consideration_sociale_etat"])
    if niveau in ("commune", "epci", "ept"):
        table = table.drop(columns="nb_sans_commune")
    return table


# ============================================================================================
# Vue « achats » d'un territoire
# ============================================================================================


def perimetre_achats(referentiel: Referentiel, *, niveau: NiveauGeo, code: str) -> dict[str, list[str]]:
    """Ce qu'il faut passer à `vue_achats` pour un territoire : ses communes, et ses départements et région
    s'il en contient d'entiers (pour y inclure les marchés placés au seul département ou à la seule région).

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> p = perimetre_achats(charger_referentiel(), niveau="departement", code="2A")
    >>> p["departements"], p["regions"], len(p["codes_communes"]) > 100
    (['2A'], [], True)
    """
    communes = referentiel.communes
    if niveau == "commune":
        return {"codes_communes": [code], "departements": [], "regions": []}
    if niveau in ("epci", "ept"):
        return {"codes_communes": communes.index[communes[niveau] == code].tolist(), "departements": [], "regions": []}
    if niveau == "departement":
        return {"codes_communes": communes.index[communes["departement"] == code].tolist(), "departements": [code],
                "regions": []}  # fmt: skip
    if niveau == "region":
        deps = referentiel.departements.index[referentiel.departements["region"] == code].tolist()
        return {"codes_communes": communes.index[communes["region"] == code].tolist(), "departements": deps,
                "regions": [code]}  # fmt: skip
    raise ValueError(f"niveau « {niveau} » inconnu (attendu : commune, epci, ept, departement ou region).")


def _resumer(groupe: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    table = groupe.agg(
        nb_marches=("montant", "size"),
        montant_total=("montant", "sum"),
        nb_marches_etat=("_etat", "sum"),
        nb_consideration_connue=("_connue", "sum"),
        nb_consideration_sociale=("_sociale", "sum"),
    )
    table["part_consideration_sociale"] = table["nb_consideration_sociale"] / table["nb_consideration_connue"].where(
        table["nb_consideration_connue"] > 0
    )
    return table


def vue_achats(
    places: pd.DataFrame,
    *,
    codes_communes: Sequence[str],
    departements: Sequence[str] = (),
    regions: Sequence[str] = (),
    nb_acheteurs: int = 10,
) -> dict[str, pd.DataFrame]:
    """Les tableaux de la page « commande publique » pour un territoire.

    Parameters
    ----------
    places : sortie de `placer_contrats`.
    codes_communes : communes du territoire (codes INSEE) ; leurs marchés sont retenus.
    departements : départements entiers du territoire : leurs marchés placés au seul département
        sont retenus aussi (voir `perimetre_achats`).
    regions : régions entières du territoire : idem pour les marchés placés à la seule région.
    nb_acheteurs : nombre d'acheteurs dans `top_acheteurs`.

    Returns
    -------
    dict[str, pandas.DataFrame]
        - `totaux` : une ligne : `nb_marches`, `montant_total` (€ HT), `nb_marches_etat`,
          `montant_etat`, `part_marches_etat`, `nb_consideration_connue`,
          `part_consideration_sociale`, `objectif_pnad` (0,30), `ecart_objectif_pnad`,
          `nb_consideration_inconnue`, `nb_sans_montant`, `nb_sans_date`, `nb_sans_commune` ;
        - `par_type_acheteur` : index `type_acheteur` (`etat`, `collectivite`, `autre`), colonnes
          `libelle`, `nb_marches`, `montant_total`, `part_montant`, `nb_consideration_connue`,
          `nb_consideration_sociale`, `part_consideration_sociale` ;
        - `par_mois` : index `mois` (premier jour du mois, datetime), colonnes `nb_marches`,
          `montant_total`, `nb_marches_etat`, `part_consideration_sociale` (mois sans marché
          inclus entre le premier et le dernier ; marchés sans date exclus) ;
        - `top_acheteurs` : les `nb_acheteurs` premiers acheteurs par montant : `acheteur_siren`,
          `acheteur_nom`, `type_acheteur`, `libelle_type`, `nb_marches`, `montant_total`,
          `part_consideration_sociale`.
    """
    dans = places["commune"].isin(list(codes_communes))
    dans |= places["commune"].isna() & places["departement"].isin(list(departements))
    dans |= places["departement"].isna() & places["region"].isin(list(regions))
    choix = places[dans.to_numpy()]
    marches = choix.assign(
        _etat=(choix["type_acheteur"] == "etat").astype("int64"),
        _connue=choix["a_consideration_sociale"].notna().astype("int64"),
        _sociale=choix["a_consideration_sociale"].fillna(False).astype("int64"),
    )

    par_type = _resumer(marches.groupby("type_acheteur", observed=True)).reindex(list(TYPES_ACHETEUR))
    par_type[["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]] = (
        par_type[["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]]
        .fillna(0)
        .astype("int64")
    )
    par_type["montant_total"] = par_type["montant_total"].fillna(0.0)
    total_montant = float(marches["montant"].sum())
    par_type["part_montant"] = par_type["montant_total"] / total_montant if total_montant else np.nan
    par_type.insert(0, "libelle", [LIBELLES_TYPE_ACHETEUR[t] for t in par_type.index])
    par_type = par_type.drop(columns="nb_marches_etat")
    par_type.index.name = "type_acheteur"

    dates = marches["date_notification"]
    avec_date = marches[dates.notna()]
    mois = avec_date["date_notification"].dt.to_period("M").dt.to_timestamp()
    par_mois = _resumer(avec_date.groupby(mois.rename("mois")))
    if len(par_mois):
        tous_mois = pd.date_range(par_mois.index.min(), par_mois.index.max(), freq="MS", name="mois")
        par_mois = par_mois.reindex(tous_mois)
        entiers = ["nb_marches", "nb_marches_etat", "nb_consideration_connue", "nb_consideration_sociale"]
        par_mois[entiers] = par_mois[entiers].fillna(0).astype("int64")
        par_mois["montant_total"] = par_mois["montant_total"].fillna(0.0)
    par_mois = par_mois.drop(columns=["nb_consideration_connue", "nb_consideration_sociale"])

    cle = marches["acheteur_siren"].fillna("inconnu")
    acheteurs = _resumer(marches.groupby(cle.rename("acheteur_siren")))
    infos = marches.assign(acheteur_siren=cle).groupby("acheteur_siren").agg(
        acheteur_nom=("acheteur_nom", "first"), type_acheteur=("type_acheteur", "first")
    )
    acheteurs = acheteurs.join(infos).reset_index()
    acheteurs = acheteurs.sort_values(["montant_total", "nb_marches", "acheteur_siren"], ascending=[False, False, True])
    top = acheteurs.head(nb_acheteurs).reset_index(drop=True)
    top["libelle_type"] = top["type_acheteur"].map(LIBELLES_TYPE_ACHETEUR)
    top = top[["acheteur_siren", "acheteur_nom", "type_acheteur", "libelle_type", "nb_marches", "montant_total",
               "part_consideration_sociale"]]  # fmt: skip

    nb = len(marches)
    connues = int(marches["_connue"].sum())
    part = marches["_sociale"].sum() / connues if connues else np.nan
    montant_etat = float(marches.loc[marches["_etat"] == 1, "montant"].sum())
    totaux = pd.DataFrame(
        {
            "nb_marches": [nb],
            "montant_total": [total_montant],
            "nb_marches_etat": [int(marches["_etat"].sum())],
            "montant_etat": [montant_etat],
            "part_marches_etat": [marches["_etat"].sum() / nb if nb else np.nan],
            "nb_consideration_connue": [connues],
            "part_consideration_sociale": [part],
            "objectif_pnad": [OBJECTIF_PNAD],
            "ecart_objectif_pnad": [part - OBJECTIF_PNAD],
            "nb_consideration_inconnue": [nb - connues],
            "nb_sans_montant": [int(marches["montant"].isna().sum())],
            "nb_sans_date": [int(dates.isna().sum())],
            "nb_sans_commune": [int(marches["commune"].isna().sum())],
        }
    )
    return {"totaux": totaux, "par_type_acheteur": par_type, "par_mois": par_mois, "top_acheteurs": top}

