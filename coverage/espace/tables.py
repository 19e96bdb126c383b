"""Sérialisation des tableaux du magasin : DataFrame ↔ Parquet, paramètres ↔ JSON, lignes ↔ DataFrame typé.

Choix de stockage : chaque table de données (DataFrame) est enregistrée comme un blob Parquet
(pyarrow, compression zstd) par table et par version. C'est plus simple que des tables SQL typées
et la relecture restitue exactement le DataFrame enregistré (types `str`, `float64`, `bool`,
`Int64`, catégories, dates avec fuseau, index compris). Commun à tous les moteurs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

_COMPRESSION_PARQUET = "zstd"

_COLONNES_VERSIONS = {
    "id": "int64",
    "horodatage": "str",
    "auteur": "str",
    "libelle": "str",
    "source": "str",
    "demo": "bool",
    "active": "bool",
    "nb_structures": "int64",
    "nb_perimetres": "int64",
    "nb_dossiers": "int64",
}
_COLONNES_ACTIVATIONS = {"id": "int64", "id_version": "int64", "horodatage": "str", "auteur": "str", "motif": "str"}
_COLONNES_SCENARIOS = {
    "id": "int64",
    "nom": "str",
    "auteur": "str",
    "horodatage": "str",
    "id_version": "int64",
    "id_origine": "Int64",
    "supprime": "bool",
}
_COLONNES_JOURNAL = {
    "id": "int64",
    "id_scenario": "int64",
    "action": "str",
    "horodatage": "str",
    "auteur": "str",
    "detail": "str",
}
_COLONNES_DECISIONS = {
    "comite": "str",
    "id_dossier": "str",
    "version": "int64",
    "decision": "str",
    "motif": "str",
    "etp_retenus": "float64",
    "montant_retenu": "float64",
    "auteur": "str",
    "horodatage": "str",
}
_COLONNES_PROJETS = {"id": "int64", "auteur": "str", "horodatage": "str", "nb_caracteres": "int64"}


def _tableau(
    cx: Any, sql: str, parametres: tuple[Any, ...], colonnes: Mapping[str, str]
) -> pd.DataFrame:
    """Résultat d'une requête en DataFrame aux types fixés (mêmes types même sans ligne)."""
    lignes = cx.execute(sql, parametres).fetchall()
    return pd.DataFrame.from_records(lignes, columns=list(colonnes)).astype(dict(colonnes))


def _vers_parquet(table: pd.DataFrame, *, nom: str) -> bytes:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"La table « {nom} » doit être un DataFrame pandas (reçu : {type(table).__name__}).")
    tampon = io.BytesIO()
    try:
        table.to_parquet(tampon, engine="pyarrow", compression=_COMPRESSION_PARQUET)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise ValueError(
            f"La table « {nom} » ne peut pas être enregistrée : une colonne mélange des types incompatibles "
            f"ou un nom de colonne n'est pas un texte unique (détail technique : {exc})."
        ) from exc
    return tampon.getvalue()


def _depuis_parquet(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


def _vers_json(parametres: Mapping[str, Any]) -> str:
    if not isinstance(parametres, Mapping):
        raise TypeError(
            f"Les paramètres du scénario doivent être un dictionnaire (reçu : {type(parametres).__name__})."
        )
    try:
        return json.dumps(dict(parametres), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "Les paramètres du scénario ne sont pas enregistrables en JSON : utilisez des nombres, textes, "
            f"booléens, listes et dictionnaires, et les dates en texte ISO (détail technique : {exc})."
        ) from exc
