"""Copier un espace de travail SQLite vers une base PostgreSQL, puis vérifier les comptes.

`python -m coverage espace migrer --vers postgresql://…` : chaque table du schéma (versions des
données et leurs tableaux, activations, scénarios et leurs tableaux, journal, décisions, projets
ajoutés, fichiers de besoins, et les tables ajoutées par les migrations suivantes) est copiée telle
quelle, identifiants compris, dans **une seule transaction** : si quoi que ce soit échoue, la base
PostgreSQL reste vide. Puis chaque table est recomptée des deux côtés ; la commande ne réussit que
si tous les comptes sont égaux.

La base PostgreSQL doit exister et ne contenir aucun espace (schéma créé ou migré ici, tables
vides) : on ne fusionne jamais deux espaces.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coverage.documents.format import format_nombre
from coverage.espace.protocole import EspaceIndisponible

TAILLE_LOT = 200
"""Lignes insérées par lot (les tableaux Parquet et les fichiers de besoins peuvent être gros)."""


@dataclass(frozen=True)
class CompteTable:
    """Nombre de lignes d'une table dans l'espace SQLite et dans la base PostgreSQL après copie."""

    table: str
    sqlite: int
    postgres: int

    @property
    def identiques(self) -> bool:
        return self.sqlite == self.postgres


def _tables_dans_l_ordre(source: sqlite3.Connection) -> list[str]:
    """Les tables de l'espace, chaque table après celles qu'elle référence (clés étrangères)."""
    noms = [n for (n,) in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'schema_version' ORDER BY name")]
    dependances = {n: {ligne[2] for ligne in source.execute(f'PRAGMA foreign_key_list("{n}")')} - {n} for n in noms}
    ordre: list[str] = []
    while len(ordre) < len(noms):
        pretes = [n for n in noms if n not in ordre and dependances[n] <= set(ordre)]
        if not pretes:
            raise RuntimeError("Clés étrangères circulaires entre tables de l'espace : copie impossible.")
        ordre.extend(pretes)
    return ordre


def _lots(curseur: sqlite3.Cursor) -> Iterator[list[tuple]]:
    while lot := curseur.fetchmany(TAILLE_LOT):
        yield lot


def copier_vers_postgres(chemin_sqlite: str | Path, url: str) -> list[CompteTable]:
    """Copie l'espace SQLite `chemin_sqlite` dans la base PostgreSQL `url` (vide), et recompte.

    Returns
    -------
    list of CompteTable
        Une ligne par table, dans l'ordre de copie.

    Raises
    ------
    ValueError
        Fichier SQLite absent, ou base PostgreSQL qui contient déjà un espace (rien n'est écrit).
    EspaceIndisponible
        Base SQLite illisible, serveur PostgreSQL injoignable (message en français).
    """
    import psycopg

    from coverage.espace.postgres import EspacePostgres, decrire_adresse
    from coverage.espace.sqlite import EspaceSQLite

    chemin = Path(chemin_sqlite)
    if not chemin.is_file():
        raise ValueError(f"Espace SQLite introuvable : « {chemin} » (indiquez le fichier avec --depuis).")
    EspaceSQLite(chemin)  # schéma à jour (migrations), base lisible : sinon message en français
    EspacePostgres(url).fermer()  # schéma créé ou migré sur la base PostgreSQL
    source = sqlite3.connect(chemin)
    try:
        tables = _tables_dans_l_ordre(source)
        with psycopg.connect(url, autocommit=True) as cible:
            with cible.transaction():
                deja = [t for t in tables if cible.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is not None]
                if deja:
                    raise ValueError(
                        f"La base PostgreSQL {decrire_adresse(url)} contient déjà un espace de travail (tables non vides : "
                        f"{', '.join(deja)}) : la copie se fait dans une base neuve, rien n'a été écrit."
                    )
                for table in tables:
                    curseur = source.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
                    colonnes = ", ".join(f'"{c[0]}"' for c in curseur.description)
                    marques = ", ".join(["%s"] * len(curseur.description))
                    with cible.cursor() as insertion:
                        for lot in _lots(curseur):
                            insertion.executemany(f'INSERT INTO "{table}" ({colonnes}) VALUES ({marques})', lot)
                for (table,) in cible.execute(  # les prochains numéros suivent les numéros copiés
                        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
                        "AND column_name = 'id' AND is_identity = 'YES'").fetchall():
                    cible.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                  f'COALESCE(MAX(id), 0) + 1, false) FROM "{table}"')
            return [CompteTable(t, _compter(source, t), int(cible.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]))
                    for t in tables]
    except psycopg.OperationalError as exc:
        raise EspaceIndisponible(
            f"Copie interrompue : le serveur PostgreSQL {decrire_adresse(url)} ne répond plus ({exc}). "
            "La transaction est annulée : la base PostgreSQL ne contient rien de l'espace."
        ) from exc
    finally:
        source.close()


def _compter(source: sqlite3.Connection, table: str) -> int:
    return int(source.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


LIBELLES_TABLES = {
    "versions_donnees": "versions des données",
    "tables_version": "tableaux des versions",
    "activations": "journal des versions actives",
    "scenarios": "scénarios",
    "tables_scenario": "tableaux des scénarios",
    "journal_scenarios": "journal des scénarios",
    "decisions": "décisions des comités (historique)",
    "projets_utilisateur": "versions des grands projets ajoutés",
    "fichiers_besoins": "fichiers de besoins",
}


def executer_migration(depuis: str | Path, vers: str, *, sortie: TextIO, erreurs: TextIO) -> int:
    """La commande `espace migrer` : copie, comptes écrits en français ; code de sortie 0 ou 1."""
    from coverage.espace.postgres import decrire_adresse

    print(f"Copie de l'espace SQLite « {depuis} » vers PostgreSQL {decrire_adresse(vers)}…", file=sortie)
    try:
        comptes = copier_vers_postgres(depuis, vers)
    except (ValueError, EspaceIndisponible, RuntimeError) as exc:
        print(f"Erreur : {exc}", file=erreurs)
        return 1
    largeur = max(len(LIBELLES_TABLES.get(c.table, c.table)) for c in comptes)
    for c in comptes:
        etat = "identique" if c.identiques else "DIFFÉRENT"
        libelle = LIBELLES_TABLES.get(c.table, c.table)
        print(f"  {libelle:<{largeur}}  {format_nombre(c.sqlite):>9} → {format_nombre(c.postgres):>9}  {etat}", file=sortie)
    differents = [c.table for c in comptes if not c.identiques]
    if differents:
        print(f"Erreur : comptes différents pour {', '.join(differents)} : vérifiez la base PostgreSQL "
              "avant de l'utiliser.", file=erreurs)
        return 1
    total = sum(c.sqlite for c in comptes)
    print(f"Copie vérifiée : {len(comptes)} tables, {format_nombre(total)} lignes, mêmes comptes des deux côtés.\n"
          f"Pour utiliser cette base : FACILITATEURS_ESPACE={_sans_mot_de_passe(vers)} ./lancer.sh", file=sortie)
    return 0


def _sans_mot_de_passe(url: str) -> str:
    """L'adresse à recopier, le mot de passe remplacé par `***`."""
    from urllib.parse import urlsplit, urlunsplit

    morceaux = urlsplit(url)
    if morceaux.password is None:
        return url
    hote = morceaux.hostname or ""
    port = f":{morceaux.port}" if morceaux.port else ""
    return urlunsplit(morceaux._replace(netloc=f"{morceaux.username}:***@{hote}{port}"))


def ajouter_commande_migrer(commandes) -> None:  # noqa: ANN001 (sous-parseurs d'argparse)
    """La commande `python -m coverage espace migrer --vers postgresql://… [--depuis FICHIER.sqlite]`."""
    p = commandes.add_parser("espace", help="espace de travail : copie vers PostgreSQL",
                             description="Opérations sur l'espace de travail (voir docs/espace.md).")
    operations = p.add_subparsers(title="opérations", dest="operation", required=True, metavar="OPERATION")
    m = operations.add_parser(
        "migrer", help="copie un espace SQLite dans une base PostgreSQL neuve et vérifie les comptes",
        description=("Copie chaque version, scénario, décision, projet ajouté et fichier de besoins de l'espace SQLite "
                     "dans une base PostgreSQL vide (une seule transaction), puis recompte chaque table des deux côtés."),
        epilog="Exemple : python -m coverage espace migrer --vers postgresql://facilitateurs@db.interne/espace",
    )
    m.add_argument("--vers", required=True, metavar="postgresql://…", help="adresse de la base PostgreSQL (elle doit exister)")
    m.add_argument("--depuis", type=Path, default=None, metavar="FICHIER.sqlite",
                   help="espace SQLite à copier (défaut : FACILITATEURS_ESPACE s'il désigne un fichier, sinon data/espace.sqlite)")


def executer_commande_migrer(args) -> int:  # noqa: ANN001 (argparse.Namespace)
    """Exécute `espace migrer` : 0 si la copie est vérifiée, 1 sinon, 2 pour une adresse qui n'est pas PostgreSQL."""
    import sys

    from coverage.espace.ouverture import CHEMIN_PAR_DEFAUT, est_adresse_postgres, resoudre_cible

    if not est_adresse_postgres(args.vers):
        print(f"Erreur : --vers doit être une adresse postgresql://… (reçu : « {args.vers} »).", file=sys.stderr)
        return 2
    depuis = args.depuis
    if depuis is None:  # FACILITATEURS_ESPACE s'il désigne un fichier SQLite, sinon le fichier par défaut
        cible = resoudre_cible()
        depuis = CHEMIN_PAR_DEFAUT if isinstance(cible, str) else cible
    return executer_migration(depuis, args.vers, sortie=sys.stdout, erreurs=sys.stderr)
