"""Espace de travail sur un serveur PostgreSQL (psycopg 3), partagé par plusieurs instances de l'application.

Choisi quand `FACILITATEURS_ESPACE` (ou le chemin passé à `ouvrir_espace`) est une adresse
`postgresql://…`. Mêmes méthodes, mêmes DataFrames, mêmes exceptions que `EspaceSQLite` : les
familles de méthodes (versions, scénarios, décisions, fichiers) sont les mêmes classes ; ce module
n'apporte que les connexions, les transactions et les verrous.

Transactions et concurrence :

- chaque écriture est une transaction (`READ COMMITTED`) qui commence par prendre, pour chaque
  verrou nommé par la méthode (`"versions"`, `"scenarios"`, `"decision:84:D001"`, `"besoins:decp"`,
  `"projets"`), un verrou consultatif de transaction (`pg_advisory_xact_lock`), dans l'ordre
  alphabétique (jamais d'interblocage). Deux instances qui écrivent la même chose sont mises en file ;
  celle qui passe en second relit la version courante après le premier `COMMIT` (lecture après le
  verrou) et lève `ConflitEdition` si sa version de base a changé : jamais de mise à jour perdue.
  Deux comités qui décident sur des dossiers différents ne s'attendent pas ;
- tout ou rien : une erreur en cours de route annule la transaction (`ROLLBACK`) ;
- chaque lecture est une transaction `REPEATABLE READ READ ONLY` : un instantané cohérent ;
- une attente de verrou au-delà de `delai_attente_s` (`SET LOCAL lock_timeout`), un serveur injoignable ou un
  mot de passe refusé lèvent `EspaceIndisponible` avec un message en français (sans le mot de passe).

Connexions : une réserve (`psycopg_pool.ConnectionPool`, 1 à `taille_reserve` connexions par
processus) partagée par les sessions Streamlit du processus ; chaque opération emprunte une connexion
le temps d'une transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
import psycopg_pool
from psycopg import errors as erreurs_pg
from psycopg.conninfo import conninfo_to_dict

from coverage.espace.base import VERROU_COMMUN, _maintenant_systeme
from coverage.espace.bilans import Bilans
from coverage.espace.decisions import Decisions
from coverage.espace.enveloppes import Enveloppes
from coverage.espace.portee import ImportsPortee
from coverage.espace.fichiers import Fichiers
from coverage.espace.migrations_postgres import _migrer_postgres
from coverage.espace.protocole import EspaceIndisponible
from coverage.espace.scenarios import Scenarios
from coverage.espace.versions import VersionsDonnees

DELAI_ATTENTE_S = 30.0
"""Attente maximale d'un verrou ou d'une connexion, en secondes."""

TAILLE_RESERVE = 8
"""Connexions au plus par processus de l'application (voir docs/espace.md, « Connexions »)."""

def decrire_adresse(url: str) -> str:
    """`utilisateur@hôte:port/base`, sans le mot de passe (pour les messages et `repr`)."""
    try:
        p = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "adresse PostgreSQL illisible"
    hote = p.get("host") or "localhost"
    port = f":{p['port']}" if p.get("port") else ""
    utilisateur = f"{p['user']}@" if p.get("user") else ""
    return f"{utilisateur}{hote}{port}/{p.get('dbname') or p.get('user') or ''}"


class _ConnexionPG:
    """Une connexion psycopg qui accepte le SQL commun (paramètres `?`) des familles de méthodes."""

    def __init__(self, cx: psycopg.Connection) -> None:
        self._cx = cx

    def execute(self, sql: str, parametres: tuple[Any, ...] | list[Any] = ()) -> psycopg.Cursor:
        if not parametres:
            return self._cx.execute(sql)
        return self._cx.execute(_sql_postgres(sql), tuple(parametres))

    def executemany(self, sql: str, lignes: list[tuple[Any, ...]]) -> None:
        if lignes:
            with self._cx.cursor() as curseur:
                curseur.executemany(_sql_postgres(sql), lignes)


@lru_cache(maxsize=512)
def _sql_postgres(sql: str) -> str:
    """Paramètres `?` → `%s` (et `%` littéral → `%%`). Le SQL commun n'a jamais de `?` dans un texte."""
    return sql.replace("%", "%%").replace("?", "%s")


class EspacePostgres(VersionsDonnees, Scenarios, Decisions, Fichiers, Bilans, Enveloppes, ImportsPortee):
    """Espace de travail dans une base PostgreSQL (implémente `DepotEspace`).

    Parameters
    ----------
    url : str
        Adresse `postgresql://utilisateur:motdepasse@hôte:5432/base` (ou avec `?host=/chemin/socket`).
        La base doit exister ; le schéma est créé ou migré à l'ouverture (droits nécessaires : voir
        docs/espace.md).
    horloge : callable, optional
        Renvoie l'instant courant (datetime avec fuseau) ; défaut : horloge système UTC.
    delai_attente_s : float
        Attente maximale d'une connexion ou d'un verrou tenu par une autre instance, en secondes.
    taille_reserve : int
        Nombre maximal de connexions ouvertes par ce processus.

    Raises
    ------
    EspaceIndisponible
        Serveur injoignable, base absente, authentification refusée (message en français).
    RuntimeError
        Base créée par une version plus récente de l'application.
    """

    def __init__(
        self,
        url: str,
        *,
        horloge: Callable[[], datetime] | None = None,
        delai_attente_s: float = DELAI_ATTENTE_S,
        taille_reserve: int = TAILLE_RESERVE,
    ) -> None:
        self.url = url.strip()
        self.delai_attente_s = float(delai_attente_s)
        self._horloge = horloge if horloge is not None else _maintenant_systeme
        self._description = decrire_adresse(self.url)
        self._reserve = psycopg_pool.ConnectionPool(
            self.url,
            min_size=1,
            max_size=max(1, int(taille_reserve)),
            kwargs={"autocommit": True},
            timeout=self.delai_attente_s,
            open=False,
            name="facilitateurs",
        )
        try:
            self._reserve.open(wait=True, timeout=self.delai_attente_s)
        except psycopg_pool.PoolTimeout as exc:
            self._reserve.close()
            raise self._injoignable(exc) from exc
        try:
            with self._connexion() as cx:
                _migrer_postgres(cx, self._maintenant)
        except BaseException:
            self._reserve.close()
            raise

    def __repr__(self) -> str:
        return f"EspacePostgres({self._description!r})"

    def fermer(self) -> None:
        """Ferme les connexions de ce processus (l'objet n'est plus utilisable ensuite)."""
        self._reserve.close()

    # -- connexions et transactions -----------------------------------------------------------

    def _injoignable(self, exc: BaseException) -> EspaceIndisponible:
        return EspaceIndisponible(
            f"Le serveur PostgreSQL de l'espace de travail ({self._description}) ne répond pas ou refuse la "
            f"connexion depuis {self.delai_attente_s:g} s ({_diagnostic(self.url, exc)}). Vérifiez "
            "que le serveur tourne, que la base existe, et l'utilisateur et le mot de passe de l'adresse "
            "FACILITATEURS_ESPACE (voir docs/espace.md). Rien n'a été enregistré."
        )

    @contextmanager
    def _connexion(self) -> Iterator[psycopg.Connection]:
        """Une connexion empruntée à la réserve ; pannes traduites en `EspaceIndisponible` (en français)."""
        try:
            with self._reserve.connection() as cx:
                yield cx
        except psycopg_pool.PoolTimeout as exc:
            raise self._injoignable(exc) from exc
        except erreurs_pg.LockNotAvailable as exc:
            raise EspaceIndisponible(
                f"La base PostgreSQL de l'espace de travail ({self._description}) est occupée : une écriture attend "
                f"depuis plus de {self.delai_attente_s:g} s un verrou tenu par une autre instance. Rien n'a été "
                "enregistré : réessayez dans un instant."
            ) from exc
        except psycopg.OperationalError as exc:
            raise self._injoignable(exc) from exc

    @contextmanager
    def _ecriture(self, *verrous: str) -> Iterator[_ConnexionPG]:
        """Une transaction d'écriture : verrous consultatifs pris dès le début (ordre fixe), tout ou rien."""
        with self._connexion() as cx:
            cx.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            try:
                # Réglé dans la transaction (et non à la connexion) : compatible avec PgBouncer en mode transaction.
                cx.execute(f"SET LOCAL lock_timeout = {int(self.delai_attente_s * 1000)}")
                for nom in sorted(set(verrous or (VERROU_COMMUN,))):
                    cx.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"facilitateurs:{nom}",))
                yield _ConnexionPG(cx)
                cx.execute("COMMIT")
            except BaseException:
                _annuler(cx)
                raise

    @contextmanager
    def _lecture(self) -> Iterator[_ConnexionPG]:
        """Une transaction de lecture : un instantané cohérent de la base."""
        with self._connexion() as cx:
            cx.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield _ConnexionPG(cx)
            finally:
                _annuler(cx)

    # -- état de la base ---------------------------------------------------------------------

    def verifier_integrite(self) -> str:
        """`"ok"` si les contraintes du magasin tiennent (chaque version a ses trois tables, l'historique
        des décisions est sans trou, la version active existe), sinon la liste des problèmes."""
        with self._lecture() as cx:
            return _verifier_coherence(cx)


_CAUSES = (
    ("does not exist", "la base ou l'utilisateur n'existe pas"),
    ("authentication failed", "utilisateur ou mot de passe refusé"),
    ("no password supplied", "mot de passe manquant"),
    ("no pg_hba.conf entry", "connexion non autorisée par le serveur (pg_hba.conf)"),
    ("too many connections", "trop de connexions ouvertes sur le serveur"),
    ("could not translate host name", "nom d'hôte inconnu"),
    ("connection refused", "serveur injoignable"),
    ("no such file or directory", "serveur injoignable"),
    ("timeout", "serveur injoignable dans le délai"),
)


def _diagnostic(url: str, exc: BaseException) -> str:
    """La cause d'un échec de connexion, en français : un essai direct dit ce que la réserve a tu."""
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return "la connexion aboutit de nouveau : réessayez"
    except psycopg.Error as essai:
        texte = str(essai).lower()
    except Exception:  # adresse illisible…
        texte = str(exc).lower()
    return next((cause for motif, cause in _CAUSES if motif in texte), "cause inconnue, voir le journal du serveur")


def _annuler(cx: psycopg.Connection) -> None:
    """ROLLBACK de la transaction en cours ; sur une connexion déjà rompue, il n'y a rien à annuler."""
    try:
        if not cx.closed:
            cx.execute("ROLLBACK")
    except psycopg.Error:
        pass


def _verifier_coherence(cx: Any) -> str:
    problemes = []
    incompletes = cx.execute(
        "SELECT v.id FROM versions_donnees AS v LEFT JOIN tables_version AS t ON t.id_version = v.id "
        "GROUP BY v.id HAVING COUNT(t.nom_table) <> 3 ORDER BY v.id"
    ).fetchall()
    if incompletes:
        problemes.append("versions sans leurs trois tables : " + ", ".join(str(i) for (i,) in incompletes))
    trous = cx.execute(
        "SELECT comite, id_dossier FROM decisions GROUP BY comite, id_dossier "
        "HAVING MAX(version) <> COUNT(*) OR MIN(version) <> 1 ORDER BY comite, id_dossier"
    ).fetchall()
    if trous:
        problemes.append("historique de décisions avec un trou : " + ", ".join(f"{c}/{d}" for c, d in trous))
    return "ok" if not problemes else "\n".join(problemes)
