"""Lecture des DECP au format CSV « à plat » (colonnes `acheteur.id`, `lieuExecution.code`…)."""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd

from coverage.sources.decp.lecture_json import CHAMPS_JSON
from coverage.sources.decp.modele import erreur_fichier, trouver_colonnes
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


def _decoder_debut(contenu: bytes) -> str:
    """Encodage d'un CSV : UTF-8 si le début se décode ainsi, sinon Windows-1252."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(contenu[: 1 << 20], final=len(contenu) <= 1 << 20)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def lire_csv(contenu: bytes, nom_fichier: str) -> tuple[pd.DataFrame, list[str]]:
    encodage = _decoder_debut(contenu)
    premiere = contenu[: contenu.find(b"\n") if b"\n" in contenu else len(contenu)].decode(encodage, "replace")
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
    avertissements = []
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
        raise erreur_fichier(nom_fichier, f"fichier CSV illisible ({exc}).") from exc
    brut = pd.DataFrame({champ: table[nom] for champ, nom in colonnes.items()})
    for champ in CHAMPS_JSON:
        if champ not in brut.columns:
            brut[champ] = pd.Series(None, index=brut.index, dtype=object)
    brut.insert(0, "ligne", np.arange(2, len(brut) + 2, dtype="int64"))
    if "_donnees_actuelles" in brut.columns:
        actuelles = brut.pop("_donnees_actuelles").str.strip().str.lower().isin(["1", "true", "oui", "vrai"])
        brut["_actuelles"] = actuelles.to_numpy()
    return brut, avertissements

