"""Bilans des structures financées importés (tables `bilans` et `bilans_repartitions` validées).

Chaque import est gardé en entier (deux blobs Parquet) et devient l'import actif ; les précédents
restent dans l'historique. Retirer l'import actif fait revenir aux bilans de démonstration. Chaque
écriture dit l'import actif qu'elle remplace (`base_version`, 0 : aucun) : `ConflitEdition` sinon.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from coverage.espace.base import Magasin, _inserer
from coverage.espace.controles import _check_base, _check_courante, _check_texte
from coverage.espace.tables import _depuis_parquet, _tableau, _vers_parquet

_COLONNES_IMPORTS_BILANS = {"id": "int64", "horodatage": "str", "auteur": "str", "libelle": "str", "nb_bilans": "int64",
                            "actif": "bool"}


class Bilans(Magasin):
    """Méthodes du magasin pour les bilans importés (voir `DepotEspace`)."""

    def enregistrer_bilans(self, bilans: pd.DataFrame, repartitions: pd.DataFrame, *, auteur: str, libelle: str,
                           base_version: int | None) -> int:
        """Garde des bilans validés (`coverage.bilans.validation`) ; ils deviennent les bilans actifs.

        `base_version` : identifiant de l'import actif que l'appelant a affiché (`version_bilans`,
        0 ou None : bilans de démonstration). Si un autre import est devenu actif (ou a été retiré)
        entre-temps, rien n'est écrit et `ConflitEdition` est levée.

        Returns
        -------
        int : identifiant de l'import.

        Raises
        ------
        ValueError : auteur ou libellé vide, table impossible à enregistrer.
        ConflitEdition : l'import actif n'est plus `base_version`.
        """
        base = _check_base(base_version)
        auteur = _check_texte(auteur, "L'auteur")
        libelle = _check_texte(libelle, "Le libellé")
        blobs = (_vers_parquet(bilans, nom="bilans"), _vers_parquet(repartitions, nom="bilans_repartitions"))
        horodatage = self._maintenant()
        with self._ecriture("bilans") as cx:
            _check_bilans_actifs(cx, base)
            cx.execute("UPDATE bilans_importes SET actif = 0")
            identifiant = _inserer(
                cx,
                "INSERT INTO bilans_importes (horodatage, auteur, libelle, nb_bilans, bilans, repartitions) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (horodatage, auteur, libelle, len(bilans), *blobs),
            )
        return identifiant

    def bilans_actifs(self) -> tuple[int, pd.DataFrame, pd.DataFrame] | None:
        """`(id, bilans, repartitions)` de l'import actif, None s'il n'y en a pas (bilans de démonstration)."""
        with self._lecture() as cx:
            ligne = cx.execute(
                "SELECT id, bilans, repartitions FROM bilans_importes WHERE actif = 1 ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if ligne is None:
            return None
        return int(ligne[0]), _depuis_parquet(bytes(ligne[1])), _depuis_parquet(bytes(ligne[2]))

    def version_bilans(self) -> int:
        """Identifiant de l'import de bilans actif (0 : aucun, bilans de démonstration), sans lire son contenu."""
        with self._lecture() as cx:
            ligne = cx.execute("SELECT id FROM bilans_importes WHERE actif = 1 ORDER BY id DESC LIMIT 1").fetchone()
        return 0 if ligne is None else int(ligne[0])

    def retirer_bilans(self, *, auteur: str, base_version: int | None) -> None:
        """Plus aucun import actif : retour aux bilans de démonstration (l'historique est gardé).

        `base_version` : import actif affiché ; `ConflitEdition` s'il a changé depuis (rien n'est écrit).
        """
        base = _check_base(base_version)
        _check_texte(auteur, "L'auteur")
        with self._ecriture("bilans") as cx:
            _check_bilans_actifs(cx, base)
            cx.execute("UPDATE bilans_importes SET actif = 0")

    def lister_imports_bilans(self) -> pd.DataFrame:
        """Historique des imports de bilans, du plus récent au plus ancien (sans leur contenu)."""
        with self._lecture() as cx:
            return _tableau(cx, "SELECT id, horodatage, auteur, libelle, nb_bilans, actif FROM bilans_importes ORDER BY id DESC",
                            (), _COLONNES_IMPORTS_BILANS)


def _check_bilans_actifs(cx: Any, base: int) -> None:
    ligne = cx.execute(
        "SELECT id, auteur, horodatage FROM bilans_importes WHERE actif = 1 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    _check_courante(ligne, base, quoi="les bilans importés", objet="bilans")
