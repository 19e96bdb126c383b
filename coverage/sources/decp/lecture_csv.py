"""Lecture des DECP au format CSV « à plat » (colonnes `acheteur.id`, `lieuExecution.code`…)."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from coverage.sources.decp.lecture_json import CHAMPS_JSON
from coverage.sources.decp.modele import erreur_fichier, trouver_colonnes
from coverage.sources.limites import ligne_colonne, premier_octet_non_utf8
from coverage.sources.lecture import ErreurLecture, Probleme

_ALIAS_CSV: dict[str, tuple[str, ...]] = {
    "id": ("id", "idmarche", "identifiantmarche", "identifiant"),
    "acheteur_siret": ("acheteurid", "idacheteur", "acheteursiret", "siretacheteur", "acheteur"),
    "acheteur_nom": ("acheteurnom", "nomacheteur", "acheteurdenomination"),
    "nature": ("nature",),
    "objet": ("objet",),
    "code_cpv": ("codecpv", "cpv"),
    "procedure": ("procedure",),
    "montant": ("montant", "montantht"),
    "date_notification": ("datenotification",),
    "lieu_code": ("lieuexecutioncode", "lieuxexecutioncode", "codelieuexecution", "lieuexecution"),
    "lieu_type": ("lieuexecutiontypecode", "lieuxexecutiontypecode", "typecodelieuexecution", "lieuexecutiontype"),
    "considerations_sociales": ("considerationssociales", "considerationsociale", "considerationssociale"),
    "_donnees_actuelles": ("donneesactuelles",),
}
_OBLIGATOIRES_CSV = {"acheteur_siret": "acheteur.id", "lieu_code": "lieuExecution.code"}


_EN_TETE_MAX = 64 << 10  # caractères de la ligne d'en-tête (une vingtaine de noms de colonnes en font 500)


def lire_csv(contenu: bytes, nom_fichier: str) -> tuple[pd.DataFrame, list[str]]:
    avertissements = []
    mauvais = premier_octet_non_utf8(contenu)
    encodage = "utf-8" if mauvais is None else "cp1252"
    if mauvais is not None:
        ligne, colonne = ligne_colonne(contenu, mauvais)
        avertissements.append(
            f"{nom_fichier} : le fichier n'est pas en UTF-8 (premier caractère invalide ligne {ligne}, colonne "
            f"{colonne}) : lu en Windows-1252 ; vérifiez les accents."
        )
    fin = contenu.find(b"\n", 0, _EN_TETE_MAX + 1)
    if fin < 0 and len(contenu) > _EN_TETE_MAX:
        raise erreur_fichier(
            nom_fichier,
            f"la ligne d'en-tête dépasse {_EN_TETE_MAX // 1024} Kio : ce n'est pas un fichier DECP à plat "
            "(colonnes `acheteur.id`, `lieuExecution.code`…).",
            ligne=1,
        )
    premiere = contenu[: fin if fin >= 0 else len(contenu)].decode(encodage, "replace")
    comptes = {sep: len(next(csv.reader([premiere], delimiter=sep), [])) for sep in (";", ",", "\t")}
    separateur = max(comptes, key=lambda s: comptes[s])
    entetes = next(csv.reader([premiere.strip("\r")], delimiter=separateur), [])
    colonnes = trouver_colonnes(entetes, _ALIAS_CSV)
    manquantes = [nom for champ, nom in _OBLIGATOIRES_CSV.items() if champ not in colonnes]
    if manquantes:
        raise ErreurLecture(
            Probleme(
                nom_fichier, 1, manquantes[0], None,
                f"colonne obligatoire `{manquantes[0]}` absente (ou `{manquantes[0].replace('.', '_')}`) : "
                f"ce n'est pas un fichier DECP à plat (colonnes lues : {', '.join(entetes[:12])}"
                f"{'…' if len(entetes) > 12 else ''}).",
            )
        )  # fmt: skip
    for champ, libelle in (("montant", "montant"), ("considerations_sociales", "considerationsSociales")):
        if champ not in colonnes:
            avertissements.append(f"{nom_fichier} : colonne `{libelle}` absente ; l'indicateur correspondant reste vide.")
    try:
        table = pd.read_csv(
            io.BytesIO(contenu),
            sep=separateur,
            encoding=encodage,
            dtype=str,
            usecols=list(colonnes.values()),
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        ligne = re.search(r"(?:line|row) (\d+)", str(exc))
        raise erreur_fichier(
            nom_fichier,
            "fichier CSV illisible : nombre de valeurs différent de celui des colonnes, guillemet jamais fermé ou "
            "encodage inconnu" + (f" (ligne {ligne.group(1)})." if ligne else "."),
        ) from exc
    brut = pd.DataFrame({champ: table[nom] for champ, nom in colonnes.items()})
    for champ in CHAMPS_JSON:
        if champ not in brut.columns:
            brut[champ] = pd.Series(None, index=brut.index, dtype=object)
    brut.insert(0, "ligne", np.arange(2, len(brut) + 2, dtype="int64"))
    if "_donnees_actuelles" in brut.columns:
        actuelles = brut.pop("_donnees_actuelles").str.strip().str.lower().isin(["1", "true", "oui", "vrai"])
        brut["_actuelles"] = actuelles.to_numpy()
    return brut, avertissements

