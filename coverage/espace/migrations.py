"""Schéma du magasin et ses migrations numérotées (une numérotation pour tous les moteurs).

Pour faire évoluer le schéma, ajouter une migration à la fin (jamais modifier une migration déjà
livrée) : les bases existantes la reçoivent à leur prochaine ouverture.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

@dataclass(frozen=True)
class _Migration:
    numero: int
    description: str
    instructions: tuple[str, ...]


_TABLE_SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applique_le TEXT NOT NULL
) STRICT
"""

_MIGRATIONS: tuple[_Migration, ...] = (
    _Migration(
        1,
        "Schéma initial : versions des données, scénarios, décisions des comités, projets ajoutés",
        (
            """
            CREATE TABLE versions_donnees (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                horodatage TEXT NOT NULL,
                auteur TEXT NOT NULL,
                libelle TEXT NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('demo', 'import', 'modification')),
                demo INTEGER NOT NULL CHECK (demo IN (0, 1)),
                description_source TEXT NOT NULL DEFAULT ''
            ) STRICT
            """,
            """
            CREATE TABLE tables_version (
                id_version INTEGER NOT NULL REFERENCES versions_donnees (id),
                nom_table TEXT NOT NULL CHECK (nom_table IN ('structures', 'perimetres', 'dossiers')),
                nb_lignes INTEGER NOT NULL,
                parquet BLOB NOT NULL,
                PRIMARY KEY (id_version, nom_table)
            ) STRICT
            """,
            """
            CREATE TABLE activations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                id_version INTEGER NOT NULL REFERENCES versions_donnees (id),
                horodatage TEXT NOT NULL,
                auteur TEXT NOT NULL,
                motif TEXT NOT NULL CHECK (motif IN ('enregistrement', 'restauration'))
            ) STRICT
            """,
            """
            CREATE TABLE scenarios (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                nom TEXT NOT NULL CHECK (length(trim(nom)) > 0),
                auteur TEXT NOT NULL,
                horodatage TEXT NOT NULL,
                id_version INTEGER NOT NULL REFERENCES versions_donnees (id),
                parametres TEXT NOT NULL,
                id_origine INTEGER REFERENCES scenarios (id),
                supprime INTEGER NOT NULL DEFAULT 0 CHECK (supprime IN (0, 1))
            ) STRICT
            """,
            "CREATE UNIQUE INDEX scenarios_nom_unique ON scenarios (nom) WHERE supprime = 0",
            """
            CREATE TABLE tables_scenario (
                id_scenario INTEGER NOT NULL REFERENCES scenarios (id),
                nom_table TEXT NOT NULL,
                ordre INTEGER NOT NULL,
                nb_lignes INTEGER NOT NULL,
                parquet BLOB NOT NULL,
                PRIMARY KEY (id_scenario, nom_table)
            ) STRICT
            """,
            """
            CREATE TABLE journal_scenarios (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                id_scenario INTEGER NOT NULL REFERENCES scenarios (id),
                action TEXT NOT NULL CHECK (action IN ('creation', 'duplication', 'renommage', 'suppression')),
                horodatage TEXT NOT NULL,
                auteur TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT
            """,
            """
            CREATE TABLE decisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                comite TEXT NOT NULL,
                id_dossier TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                decision TEXT NOT NULL
                    CHECK (decision IN ('retenu', 'retenu_partiellement', 'ajourne', 'refuse')),
                motif TEXT NOT NULL CHECK (length(trim(motif)) > 0),
                etp_retenus REAL,
                montant_retenu REAL,
                auteur TEXT NOT NULL,
                horodatage TEXT NOT NULL,
                UNIQUE (comite, id_dossier, version)
            ) STRICT
            """,
            """
            CREATE TRIGGER decisions_sans_modification BEFORE UPDATE ON decisions
            BEGIN SELECT RAISE(ABORT, 'historique des décisions en ajout seul : modification interdite'); END
            """,
            """
            CREATE TRIGGER decisions_sans_suppression BEFORE DELETE ON decisions
            BEGIN SELECT RAISE(ABORT, 'historique des décisions en ajout seul : suppression interdite'); END
            """,
            """
            CREATE VIEW decisions_courantes AS
            SELECT d.* FROM decisions AS d
            WHERE d.version = (
                SELECT MAX(e.version) FROM decisions AS e
                WHERE e.comite = d.comite AND e.id_dossier = d.id_dossier
            )
            """,
            """
            CREATE TABLE projets_utilisateur (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                yaml TEXT NOT NULL,
                auteur TEXT NOT NULL,
                horodatage TEXT NOT NULL
            ) STRICT
            """,
        ),
    ),
    _Migration(
        2,
        "Fichiers de besoins importés (DECP, QPV, NPNRU), gardés tels que déposés",
        (
            """
            CREATE TABLE fichiers_besoins (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                type TEXT NOT NULL CHECK (type IN ('decp', 'qpv', 'npnru')),
                nom_fichier TEXT NOT NULL,
                contenu BLOB NOT NULL,
                auteur TEXT NOT NULL,
                horodatage TEXT NOT NULL,
                actif INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1))
            ) STRICT
            """,
        ),
    ),
    _Migration(
        3,
        "Bilans intermédiaires et annuels des structures financées (tables bilans et répartitions en Parquet)",
        (
            """
            CREATE TABLE bilans_importes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                horodatage TEXT NOT NULL,
                auteur TEXT NOT NULL,
                libelle TEXT NOT NULL,
                nb_bilans INTEGER NOT NULL,
                bilans BLOB NOT NULL,
                repartitions BLOB NOT NULL,
                actif INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1))
            ) STRICT
            """,
        ),
    ),
    _Migration(
        4,
        "Enveloppes régionales par campagne, versionnées (région → €, auteur, clé de répartition)",
        (
            """
            CREATE TABLE enveloppes_versions (
                campagne INTEGER NOT NULL,
                version INTEGER NOT NULL,
                auteur TEXT NOT NULL,
                horodatage TEXT NOT NULL,
                cle TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (campagne, version)
            ) STRICT
            """,
            """
            CREATE TABLE enveloppes_regionales (
                campagne INTEGER NOT NULL,
                version INTEGER NOT NULL,
                region TEXT NOT NULL,
                montant REAL NOT NULL CHECK (montant >= 0),
                PRIMARY KEY (campagne, version, region),
                FOREIGN KEY (campagne, version) REFERENCES enveloppes_versions (campagne, version)
            ) STRICT
            """,
        ),
    ),
)
"""Migrations du schéma, dans l'ordre. Pour faire évoluer le schéma, ajouter une migration à la fin
(jamais modifier une migration déjà livrée) : les bases existantes la reçoivent à leur prochaine ouverture."""

VERSION_SCHEMA = _MIGRATIONS[-1].numero
"""Version du schéma que ce code sait lire et écrire."""



def _migrer(cx: sqlite3.Connection, maintenant: Callable[[], str]) -> None:
    """Crée le schéma ou applique les migrations manquantes, chacune dans la même transaction."""
    cx.execute("BEGIN IMMEDIATE")
    try:
        cx.execute(_TABLE_SCHEMA_VERSION)
        _appliquer_manquantes(cx, lambda m: m.instructions, "?", maintenant)
        cx.execute("COMMIT")
    except BaseException:
        if cx.in_transaction:
            cx.execute("ROLLBACK")
        raise


def _appliquer_manquantes(
    cx: Any, instructions: Callable[[_Migration], tuple[str, ...]], marque: str, maintenant: Callable[[], str]
) -> None:
    """Applique, dans la transaction ouverte, les migrations pas encore notées dans `schema_version`.

    `instructions` donne le SQL d'une migration pour le moteur ; `marque` est son signe de paramètre
    (`?` pour SQLite, `%s` pour psycopg). Refuse une base d'un schéma plus récent que ce code.
    """
    actuelle = int(cx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
    if actuelle > VERSION_SCHEMA:
        raise RuntimeError(
            f"La base de l'espace de travail est au schéma {actuelle}, plus récent que celui de cette version "
            f"de l'application ({VERSION_SCHEMA}) : mettez l'application à jour."
        )
    for migration in _MIGRATIONS:
        if migration.numero > actuelle:
            for instruction in instructions(migration):
                cx.execute(instruction)
            cx.execute(
                f"INSERT INTO schema_version (version, description, applique_le) VALUES ({marque}, {marque}, {marque})",
                (migration.numero, migration.description, maintenant()),
            )
