"""Socle commun aux moteurs du magasin : horloge, transactions, SQL portable.

Chaque moteur (`EspaceSQLite`, `EspacePostgres`) fournit `_ecriture(*verrous)` (une transaction
d'écriture, tout ou rien, les écritures concurrentes sur les mêmes verrous mises en file) et
`_lecture()` (un instantané cohérent) ; les familles de méthodes (versions, scénarios, décisions,
fichiers) sont écrites une fois au-dessus de ce socle, dans un SQL commun aux deux moteurs :

- paramètres `?` (le moteur PostgreSQL les traduit) ;
- identifiant d'une ligne insérée par `INSERT … RETURNING id` (`_inserer`), jamais `lastrowid` ;
- booléens en entiers 0/1, dates en texte ISO 8601 UTC, tableaux en blobs Parquet ;
- une écriture nomme ses verrous (`"versions"`, `"decision:84:D001"`…) : SQLite n'a qu'un verrou
  pour toute la base (`BEGIN IMMEDIATE`), PostgreSQL prend un verrou consultatif par nom, de sorte
  que deux comités qui décident sur des dossiers différents ne s'attendent pas. Une écriture sans
  verrou nommé prend le verrou commun `"espace"`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

VERROU_COMMUN = "espace"
"""Verrou des écritures qui n'en nomment aucun."""


def _maintenant_systeme() -> datetime:
    return datetime.now(UTC)


def _inserer(cx: Any, sql: str, parametres: tuple[Any, ...]) -> int:
    """Exécute un `INSERT … RETURNING id` et renvoie l'identifiant de la ligne insérée (les deux moteurs)."""
    return int(cx.execute(sql, parametres).fetchall()[0][0])


class Magasin:
    """Ce que les familles de méthodes attendent d'un moteur (transactions, horloge)."""

    _horloge: Callable[[], datetime] = staticmethod(_maintenant_systeme)

    def _ecriture(self, *verrous: str) -> AbstractContextManager[Any]:
        """Une transaction d'écriture : verrous pris dès le début, tout ou rien."""
        raise NotImplementedError

    def _lecture(self) -> AbstractContextManager[Any]:
        """Une transaction de lecture : un instantané cohérent de la base."""
        raise NotImplementedError

    def _maintenant(self) -> str:
        instant = self._horloge()
        if instant.tzinfo is None:
            raise ValueError(
                "L'horloge de l'espace de travail doit donner une date avec fuseau horaire (UTC de préférence)."
            )
        return instant.astimezone(UTC).isoformat(timespec="seconds")

    def version_schema(self) -> int:
        """Version du schéma de la base (dernière migration appliquée)."""
        with self._lecture() as cx:
            return int(cx.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

    def est_vide(self) -> bool:
        """True si la base ne contient encore aucune version des données."""
        with self._lecture() as cx:
            return cx.execute("SELECT 1 FROM versions_donnees LIMIT 1").fetchone() is None
