"""Normalisation commune aux deux formats DECP : textes, montants, dates, type d'acheteur,
considérations sociales, doublons."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from coverage.documents.format import format_nombre
from coverage.modele import MONTANT_MAX_MARCHE
from coverage.sources.decp.modele import liste_messages
from coverage.sources.lecture import Probleme, convertir_dates, convertir_nombres

_SOCIALES_OUI = r"clause sociale|critere social|reserve"
_SOCIALES_NON = r"pas de consideration"


def _sans_accents(valeurs: pd.Series) -> pd.Series:
    """Minuscules sans accents, calculé sur les valeurs distinctes (rapide sur 500 000 lignes)."""
    uniques = pd.unique(valeurs.dropna())
    table = {
        v: unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode("ascii").lower().strip()
        for v in uniques
    }
    return valeurs.map(table).astype("str")


def _textes(valeurs: pd.Series) -> pd.Series:
    """Chaînes nettoyées (`str`), <NA> pour une valeur absente ou vide.

    Un nombre du JSON (identifiant ou code écrit sans guillemets) devient sa chaîne : `1053` → `"1053"`,
    `1053.0` → `"1053"`.
    """
    if valeurs.dtype == "str":
        texte = valeurs.str.strip()
        return texte.where(texte != "")
    s = valeurs.astype("object")
    if pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        nombres = s.map(type).isin([int, float]) & s.notna()
        s = s.where(~nombres, s[nombres].map(lambda v: str(int(v)) if float(v).is_integer() else repr(v)))
    texte = s.astype("str").str.strip()
    return texte.where(s.notna() & (texte != ""))


def classer_considerations(valeurs: pd.Series) -> pd.Series:
    """True si une considération sociale est déclarée, False si « Pas de considération sociale », <NA> sinon.

    Reconnaît, sans casse ni accents : « Clause sociale », « Critère social », « Marché réservé »,
    « Concession réservée » (True) ; « Pas de considération sociale » (False). Une valeur vide ou
    absente (ancien schéma 2019) est inconnue (<NA>) : elle ne compte pas dans la part.
    """
    normalise = _sans_accents(valeurs)
    oui = normalise.str.contains(_SOCIALES_OUI, regex=True, na=False)
    non = normalise.str.contains(_SOCIALES_NON, regex=True, na=False) & ~oui
    resultat = pd.Series(pd.NA, index=valeurs.index, dtype="boolean")
    resultat[oui.to_numpy()] = True
    resultat[non.to_numpy()] = False
    return resultat


def type_acheteur(sirens: pd.Series, *, sirens_etat: Iterable[str] = ()) -> pd.Series:
    """Type d'acheteur d'après le SIREN : `etat` (commence par 1, ou dans `sirens_etat`), `collectivite` (2), `autre`.

    Parameters
    ----------
    sirens : SIREN à 9 chiffres (str ; <NA> si inconnu, classé `autre`).
    sirens_etat : SIREN à classer `etat` en plus de la règle du premier chiffre (liste fournie par
        l'utilisateur) ; les espaces sont ignorés.

    Examples
    --------
    >>> type_acheteur(pd.Series(["130005481", "217500016", "775671356", None])).tolist()
    ['etat', 'collectivite', 'autre', 'autre']
    """
    premier = sirens.astype("str").str.slice(0, 1)
    types = np.select([premier == "1", premier == "2"], ["etat", "collectivite"], "autre")
    liste = {re.sub(r"\D", "", str(s)) for s in sirens_etat}
    if liste:
        types = np.where(sirens.isin(liste).to_numpy(), "etat", types)
    return pd.Series(types, index=sirens.index, dtype="str")


_RE_DATE_ISO = r"\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
"""Date ISO du schéma DECP : heure valide et fuseau facultatifs (`2025-07-01T25:99` est illisible)."""


def _brut_montant(valeur: object) -> str:
    """Le montant tel qu'écrit dans le fichier : un nombre JSON infini se relit `1e309`."""
    if isinstance(valeur, float) and not np.isfinite(valeur):
        return "1e309" if valeur > 0 else "-1e309"
    return str(valeur)


def _cellule(format_: str, nom_fichier: str, ligne: int, ident: object, champ: str) -> str:
    if format_ == "csv":
        return str(Probleme(nom_fichier, int(ligne), champ, None, "")).removesuffix(" : ")
    ident_txt = f" (id « {ident} »)" if isinstance(ident, str) and ident else ""
    return f"{nom_fichier}, marché n° {ligne}{ident_txt}, champ `{champ}`"


def normaliser(
    brut: pd.DataFrame, *, nom_fichier: str, format_: str, sirens_etat: Iterable[str]
) -> tuple[pd.DataFrame, list[str]]:
    messages: list[str] = []
    textes = {c: _textes(brut[c]) for c in ("id", "acheteur_siret", "acheteur_nom", "nature", "objet", "code_cpv",
                                            "procedure", "lieu_code", "lieu_type", "considerations_sociales")}  # fmt: skip
    siret = textes["acheteur_siret"].str.replace(r"\D", "", regex=True)
    siret = siret.where(siret != "")
    siren = siret.str.slice(0, 9).where(siret.str.len() >= 9)

    # Montants : nombres du JSON tels quels, chaînes lues à la française (`12 345,67`).
    brut_montant = brut["montant"]
    illisibles = pd.Index([])
    if pd.api.types.is_numeric_dtype(brut_montant.dtype):
        montant = brut_montant.astype("float64")
    else:
        brut_montant = brut_montant.astype("object")
        montant = pd.to_numeric(brut_montant, errors="coerce").astype("float64")
        a_lire = montant.isna() & brut_montant.notna()
        if a_lire.any():
            conversion = convertir_nombres(brut_montant[a_lire].astype("str"))
            montant[a_lire.to_numpy()] = conversion.valeurs.to_numpy()
            illisibles = conversion.invalides[conversion.invalides].index
    # Infini, ou au-delà du maximum d'un marché : illisible (jamais une somme infinie).
    demesures = montant.index[~np.isfinite(montant.to_numpy()) & montant.notna().to_numpy()
                              | (montant.abs() > MONTANT_MAX_MARCHE).to_numpy()]  # fmt: skip
    montant[demesures] = np.nan
    if len(illisibles) or len(demesures):
        messages += liste_messages(
            [
                f"{_cellule(format_, nom_fichier, brut.at[k, 'ligne'], textes['id'].at[k], 'montant')} : "
                f"« {_brut_montant(brut_montant.at[k])} » "
                + ("n'est pas un montant lisible (attendu : nombre en € HT, ex. 12 345,67)" if k in illisibles else
                   f"dépasse le montant maximal d'un marché ({format_nombre(MONTANT_MAX_MARCHE)} € HT)")
                + " ; montant laissé vide."
                for k in illisibles.union(demesures)
            ],
            f"{nom_fichier} : … et {{n}} autres montants illisibles laissés vides.",
        )
    sans_montant = int(np.isnan(montant.to_numpy()).sum())
    if sans_montant:
        messages.append(f"{nom_fichier} : {sans_montant} marché(s) sans montant lisible ; ils comptent dans le "
                        "nombre de marchés, pas dans les montants.")  # fmt: skip

    # Dates : `aaaa-mm-jj` (heure valide et fuseau éventuels ignorés) ou `jj/mm/aaaa`.
    dates_txt = _textes(brut["date_notification"])
    dates_txt = dates_txt.where(~dates_txt.str.fullmatch(_RE_DATE_ISO, na=False), dates_txt.str.slice(0, 10))
    conversion_dates = convertir_dates(dates_txt.fillna(""))
    dates = conversion_dates.valeurs
    if conversion_dates.invalides.any():
        messages += liste_messages(
            [
                f"{_cellule(format_, nom_fichier, brut.at[k, 'ligne'], textes['id'].at[k], 'dateNotification')} : "
                f"« {dates_txt.at[k]} » n'est pas une date lisible (attendu : aaaa-mm-jj ou jj/mm/aaaa)."
                for k in conversion_dates.invalides[conversion_dates.invalides].index
            ],
            f"{nom_fichier} : … et {{n}} autres dates illisibles laissées vides.",
        )

    sociales = textes["considerations_sociales"]
    contrats = pd.DataFrame(
        {
            "ligne": brut["ligne"].to_numpy("int64"),
            "id": textes["id"],
            "acheteur_siret": siret,
            "acheteur_siren": siren,
            "acheteur_nom": textes["acheteur_nom"],
            "type_acheteur": type_acheteur(siren, sirens_etat=sirens_etat),
            "nature": textes["nature"],
            "objet": textes["objet"],
            "code_cpv": textes["code_cpv"],
            "procedure": textes["procedure"],
            "montant": montant,
            "date_notification": dates.to_numpy("datetime64[ns]"),
            "lieu_type": textes["lieu_type"],
            "lieu_code": textes["lieu_code"],
            "considerations_sociales": sociales,
            "a_consideration_sociale": classer_considerations(sociales),
        },
        index=brut.index,
    )
    if "_actuelles" in brut.columns:
        contrats["_actuelles"] = brut["_actuelles"].to_numpy(bool)
    sans_acheteur = int(siren.isna().sum())
    if sans_acheteur:
        messages.append(
            f"{nom_fichier} : {sans_acheteur} marché(s) sans SIRET d'acheteur lisible (14 chiffres attendus) ; "
            "classés « autres acheteurs »."
        )
    sans_id = int(contrats["id"].isna().sum())
    if sans_id:
        messages.append(f"{nom_fichier} : {sans_id} marché(s) sans identifiant ; gardés, sans contrôle de doublon.")
    return contrats, messages


def retirer_doublons(contrats: pd.DataFrame, *, nom_fichier: str) -> tuple[pd.DataFrame, int, list[str]]:
    """Garde le premier marché de chaque couple (`id`, acheteur) ; les lignes `donneesActuelles` d'abord."""
    if "_actuelles" in contrats.columns:
        contrats = contrats.sort_values("_actuelles", ascending=False, kind="stable")
    cle = contrats[["id", "acheteur_siret"]]
    doublon = cle.duplicated(keep="first") & contrats["id"].notna()
    if "_actuelles" in contrats.columns:
        contrats = contrats.sort_index()
        doublon = doublon.sort_index()
    retires = contrats[doublon.to_numpy()]
    messages: list[str] = []
    if len(retires):
        exemples = ", ".join(
            f"« {i} » (acheteur {a if isinstance(a, str) else 'inconnu'})"
            for i, a in zip(retires["id"].head(10), retires["acheteur_siret"].head(10))
        )
        suite = f" et {len(retires) - 10} autres" if len(retires) > 10 else ""
        messages.append(
            f"{nom_fichier} : {len(retires)} marché(s) en double (même identifiant, même acheteur) gardé(s) une "
            f"seule fois : {exemples}{suite}."
        )
    gardes = contrats[~doublon.to_numpy()].drop(columns=[c for c in ("_actuelles",) if c in contrats.columns])
    return gardes, len(retires), messages

