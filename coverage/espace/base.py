"""Socle commun aux moteurs du magasin : horloge et transactions.

Chaque moteur (`EspaceSQLite`…) fournit `_ecriture()` (une transaction d'écriture, tout ou rien,
écritures concurrentes mises en file) et `_lecture()` (un instantané cohérent) ; les familles de
méthodes (versions, scénarios, décisions, fichiers) sont écrites une fois au-dessus de ce socle.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any


def _maintenant_systeme() -> datetime:
    return datetime.now(UTC)


class Magasin:
    """Ce que les familles de méthodes attendent d'un moteur (transactions, horloge)."""

    _horloge: Callable[[], datetime] = staticmethod(_maintenant_systeme)

    def _ecriture(self) -> AbstractContextManager[Any]:
        """Une transaction d'écriture : verrou pris dès le début, tout ou rien."""
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
