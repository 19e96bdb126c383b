"""Espace de travail persistant : versions des données, scénarios, décisions des comités, projets ajoutés.

Une base SQLite embarquée (module `sqlite3` de la bibliothèque standard) garde ce que les
utilisateurs produisent d'une session à l'autre :

1. les **versions des données des facilitateurs** (structures, périmètres, dossiers) : chaque
   import ou modification est une version datée ; une seule est active, on peut revenir à une
   version antérieure ;
2. les **scénarios** du simulateur d'allocation (paramètres, tableaux de résultats, version des
   données sur laquelle ils ont été calculés) ;
3. les **décisions des comités** de sélection (régional ou national), dossier par dossier, avec
   tout leur historique ;
4. les **grands projets ajoutés par les utilisateurs** (texte YAML), versionnés ;
5. les **bilans des structures financées** importés (`coverage.espace.bilans`).

Le stockage des tableaux (Parquet) est décrit dans `coverage.espace.tables`.

Concurrence : la base est en mode WAL (lectures pendant une écriture), chaque connexion attend
jusqu'à `delai_attente_s` secondes un verrou occupé (`busy_timeout`) et chaque écriture est une
seule transaction `BEGIN IMMEDIATE` : deux processus ou deux sessions du navigateur qui écrivent
en même temps sont mis en file, jamais entremêlés. Une écriture qui échoue en cours de route ne
laisse aucune trace (tout ou rien). Une connexion est ouverte par opération : un même objet
`EspaceSQLite` peut servir à plusieurs fils d'exécution (sessions Streamlit).

Les familles de méthodes (versions, scénarios, décisions, fichiers) sont écrites une fois dans
leurs modules ; ce module n'apporte que les connexions, les transactions et l'état du fichier.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from coverage.espace.base import _maintenant_systeme
from coverage.espace.bilans import Bilans
from coverage.espace.decisions import Decisions
from coverage.espace.enveloppes import Enveloppes
from coverage.espace.portee import ImportsPortee
from coverage.espace.fichiers import Fichiers
from coverage.espace.migrations import _migrer
from coverage.espace.protocole import EspaceIndisponible
from coverage.espace.scenarios import Scenarios
from coverage.espace.versions import VersionsDonnees

DELAI_ATTENTE_S = 30.0
"""Attente maximale d'un verrou d'écriture tenu par un autre processus, en secondes."""


class EspaceSQLite(VersionsDonnees, Scenarios, Decisions, Fichiers, Bilans, Enveloppes, ImportsPortee):
    """Espace de travail dans un fichier SQLite (implémente `DepotEspace`).

    Parameters
    ----------
    chemin : str or path-like
        Fichier de la base ; créé avec son schéma s'il n'existe pas, migré s'il est ancien.
    horloge : callable, optional
        Renvoie l'instant courant (datetime avec fuseau) ; défaut : horloge système UTC.
    delai_attente_s : float
        Attente maximale d'un verrou tenu par un autre processus (`busy_timeout`), en secondes.

    Raises
    ------
    RuntimeError
        Si la base a été créée par une version plus récente de l'application.
    """

    def __init__(
        self,
        chemin: str | os.PathLike[str],
        *,
        horloge: Callable[[], datetime] | None = None,
        delai_attente_s: float = DELAI_ATTENTE_S,
    ) -> None:
        self.chemin = Path(chemin)
        self.delai_attente_s = float(delai_attente_s)
        self._horloge = horloge if horloge is not None else _maintenant_systeme
        self.chemin.parent.mkdir(parents=True, exist_ok=True)
        with self._connexion() as cx:
            cx.execute("PRAGMA journal_mode = WAL")
            _migrer(cx, self._maintenant)

    def __repr__(self) -> str:
        return f"EspaceSQLite({str(self.chemin)!r})"

    # -- connexions et transactions -----------------------------------------------------------

    @contextmanager
    def _connexion(self) -> Iterator[sqlite3.Connection]:
        """Une connexion ; base verrouillée, corrompue ou impossible à ouvrir : `EspaceIndisponible` (en français)."""
        cx = None
        try:
            cx = sqlite3.connect(self.chemin, timeout=self.delai_attente_s, isolation_level=None)
            cx.execute(f"PRAGMA busy_timeout = {int(self.delai_attente_s * 1000)}")
            cx.execute("PRAGMA foreign_keys = ON")
            yield cx
        except sqlite3.DatabaseError as exc:
            erreur = _indisponible(self.chemin, exc, self.delai_attente_s)
            if erreur is None:
                raise
            raise erreur from exc
        finally:
            if cx is not None:
                cx.close()

    @contextmanager
    def _ecriture(self, *verrous: str) -> Iterator[sqlite3.Connection]:
        """Une transaction d'écriture : verrou de toute la base pris dès le début, tout ou rien.

        SQLite n'a qu'un verrou d'écriture : les `verrous` nommés (utiles à PostgreSQL) sont ignorés.
        """
        with self._connexion() as cx:
            cx.execute("BEGIN IMMEDIATE")
            try:
                yield cx
                cx.execute("COMMIT")
            except BaseException:
                if cx.in_transaction:
                    cx.execute("ROLLBACK")
                raise

    @contextmanager
    def _lecture(self) -> Iterator[sqlite3.Connection]:
        """Une transaction de lecture : un instantané cohérent de la base (WAL)."""
        with self._connexion() as cx:
            cx.execute("BEGIN")
            try:
                yield cx
            finally:
                if cx.in_transaction:
                    cx.execute("ROLLBACK")

    # -- état de la base ---------------------------------------------------------------------

    def verifier_integrite(self) -> str:
        """Résultat de `PRAGMA integrity_check` : `"ok"` si la base est saine, sinon les problèmes."""
        with self._connexion() as cx:
            return "\n".join(ligne[0] for ligne in cx.execute("PRAGMA integrity_check").fetchall())

    def sauvegarder(self, destination: str | os.PathLike[str]) -> Path:
        """Copie cohérente de la base, même pendant que d'autres sessions écrivent.

        Utilise l'API de sauvegarde en ligne de SQLite : la copie est un fichier SQLite autonome
        (sans fichier `-wal`), que l'on peut rouvrir avec `ouvrir_espace(destination)`.

        Parameters
        ----------
        destination : str or path-like
            Fichier à écrire (remplacé s'il existe). Son dossier parent est créé au besoin.

        Returns
        -------
        pathlib.Path
            Le chemin de la copie.
        """
        cible = Path(destination)
        if cible.resolve() == self.chemin.resolve():
            raise ValueError("La sauvegarde doit être écrite dans un autre fichier que la base elle-même.")
        cible.parent.mkdir(parents=True, exist_ok=True)
        with self._connexion() as cx:
            copie = sqlite3.connect(cible)
            try:
                cx.backup(copie)
            finally:
                copie.close()
        return cible


def _indisponible(chemin: Path, exc: sqlite3.Error, delai_s: float) -> EspaceIndisponible | None:
    """Message en français pour une base verrouillée, illisible ou corrompue ; None pour une autre erreur."""
    texte = str(exc).lower()
    if "locked" in texte or "busy" in texte:
        return EspaceIndisponible(
            f"La base SQLite de l'espace de travail est verrouillée par un autre programme depuis plus de "
            f"{delai_s:g} s (une écriture très longue, ou un outil qui a ouvert la base sans la refermer). "
            "Rien n'a été enregistré : réessayez dans un instant ; si cela dure, fermez les autres "
            "programmes qui utilisent ce fichier."
        )
    if "not a database" in texte or "malformed" in texte or "encrypted" in texte:
        return EspaceIndisponible(
            f"Le fichier de l'espace de travail « {chemin.name} » n'est pas une base SQLite lisible (fichier "
            "corrompu ou d'un autre type). Rien n'a été modifié : restaurez la dernière sauvegarde (voir docs/espace.md) ou "
            "indiquez un autre fichier avec la variable FACILITATEURS_ESPACE."
        )
    if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in texte or "readonly" in texte
                                                     or "disk i/o" in texte):
        return EspaceIndisponible(
            f"Le fichier de l'espace de travail « {chemin.name} » ne peut pas être ouvert en écriture ({exc}) : "
            "vérifiez le dossier, ses droits et la place disponible sur le disque."
        )
    return None
