"""Enveloppes régionales par campagne, versionnées : chaque enregistrement est une nouvelle version
complète de la table (région → €), avec son auteur, sa date et la clé de répartition annoncée ; elle
dit la version qu'elle remplace (`base_version`) : `ConflitEdition` si une autre a été enregistrée."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from coverage.espace.base import Magasin
from coverage.espace.controles import _check_base, _check_courante, _check_texte
from coverage.espace.protocole import ElementIntrouvable


class Enveloppes(Magasin):
    """Méthodes du magasin pour les enveloppes régionales (voir `DepotEspace`)."""

    def enregistrer_enveloppes(self, campagne: int, enveloppes: Mapping[str, float], *, auteur: str, cle: str = "",
                               base_version: int | None) -> int:
        """Enregistre une nouvelle version de la table des enveloppes régionales de `campagne`.

        Parameters
        ----------
        campagne : année de la campagne (2025).
        enveloppes : code région → montant en € (positif ou nul) ; les régions absentes reçoivent 0 €.
        cle : la clé de répartition annoncée (texte libre, ex. « au prorata des ETP financés en 2024 »).
        base_version : la version de la table que l'appelant a affichée (`version_enveloppes`, 0 ou
            None : aucune) ; si une autre version a été enregistrée entre-temps, rien n'est écrit.

        Returns
        -------
        int
            Numéro de la version enregistrée pour cette campagne (1, 2…).

        Raises
        ------
        ValueError
            Montant négatif ou non numérique, code région vide, auteur vide.
        ConflitEdition
            La version en vigueur n'est plus `base_version`.
        """
        base = _check_base(base_version)
        auteur = _check_texte(auteur, "L'auteur")
        lignes = []
        for region, montant in dict(enveloppes).items():
            code = str(region).strip()
            try:
                valeur = float(montant)
            except (TypeError, ValueError):
                valeur = math.nan
            if not code:
                raise ValueError("Enveloppes régionales : un code région est vide.")
            if not math.isfinite(valeur) or valeur < 0:
                raise ValueError(f"Enveloppe de la région {code} : « {montant} » n'est pas un montant positif ou nul (en €).")
            lignes.append((code, round(valeur, 2)))
        horodatage = self._maintenant()
        with self._ecriture(f"enveloppes:{int(campagne)}") as cx:
            courante = cx.execute("SELECT version, auteur, horodatage FROM enveloppes_versions WHERE campagne = ? "
                                  "ORDER BY version DESC LIMIT 1", (int(campagne),)).fetchone()
            _check_courante(courante, base, quoi=f"les enveloppes régionales {int(campagne)}", objet=f"enveloppes:{int(campagne)}")
            version = base + 1
            cx.execute("INSERT INTO enveloppes_versions (campagne, version, auteur, horodatage, cle) VALUES (?, ?, ?, ?, ?)",
                       (int(campagne), version, auteur, horodatage, str(cle)))
            cx.executemany("INSERT INTO enveloppes_regionales (campagne, version, region, montant) VALUES (?, ?, ?, ?)",
                           [(int(campagne), version, code, valeur) for code, valeur in lignes])
        return version

    def version_enveloppes(self, campagne: int) -> int:
        """Numéro de la version en vigueur de la table de `campagne` (0 s'il n'y en a aucune)."""
        with self._lecture() as cx:
            return int(cx.execute("SELECT COALESCE(MAX(version), 0) FROM enveloppes_versions WHERE campagne = ?",
                                  (int(campagne),)).fetchone()[0])

    def enveloppes_regionales(self, campagne: int, version: int | None = None) -> pd.Series:
        """La table en vigueur (ou la version `version`) : index code région, valeurs en € ; vide si aucune.

        Raises
        ------
        ElementIntrouvable
            Si `version` est donnée et n'existe pas.
        """
        with self._lecture() as cx:
            if version is None:
                version = cx.execute("SELECT MAX(version) FROM enveloppes_versions WHERE campagne = ?", (int(campagne),)).fetchone()[0]
                if version is None:
                    return pd.Series(dtype=float, name="enveloppe").rename_axis("region")
            elif cx.execute("SELECT 1 FROM enveloppes_versions WHERE campagne = ? AND version = ?",
                            (int(campagne), int(version))).fetchone() is None:
                raise ElementIntrouvable(f"La version {version} des enveloppes régionales {campagne} n'existe pas.")
            lignes = cx.execute("SELECT region, montant FROM enveloppes_regionales WHERE campagne = ? AND version = ? ORDER BY region",
                                (int(campagne), int(version))).fetchall()
        return pd.Series({r: float(m) for r, m in lignes}, dtype=float, name="enveloppe").rename_axis("region")

    def historique_enveloppes(self, campagne: int) -> pd.DataFrame:
        """Versions de la table de `campagne`, la plus récente d'abord : `version`, `auteur`, `horodatage`, `cle`, `total` (€)."""
        with self._lecture() as cx:
            lignes = cx.execute(
                "SELECT v.version, v.auteur, v.horodatage, v.cle, COALESCE(SUM(e.montant), 0) FROM enveloppes_versions v "
                "LEFT JOIN enveloppes_regionales e ON e.campagne = v.campagne AND e.version = v.version "
                "WHERE v.campagne = ? GROUP BY v.campagne, v.version ORDER BY v.version DESC", (int(campagne),)).fetchall()
        return pd.DataFrame(lignes, columns=["version", "auteur", "horodatage", "cle", "total"])
