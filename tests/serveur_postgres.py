"""Un serveur PostgreSQL jetable pour les tests : un cluster dans un dossier temporaire, sur un socket local.

Les binaires viennent du paquet Debian `postgresql` (`/usr/lib/postgresql/<version>/bin`, installé
par `tester.sh` sur une machine neuve) ou du dossier donné par `FACILITATEURS_PG_BIN`. PostgreSQL
refuse de tourner en root : sous root, le cluster appartient à l'utilisateur `postgres` (créé par le
paquet) et chaque commande passe par `runuser`. Le serveur n'écoute que sur un socket Unix dans le
dossier temporaire (aucun port réseau), sans fsync (données jetables), et il est arrêté et effacé à
la fin (`arreter`, appelé dans un `finally`).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


def dossier_binaires() -> Path | None:
    """Le dossier des binaires PostgreSQL (`initdb`, `pg_ctl`) le plus récent, None s'il n'y en a pas."""
    choisi = os.environ.get("FACILITATEURS_PG_BIN", "").strip()
    candidats = [Path(choisi)] if choisi else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    return next((c for c in candidats if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


class ServeurPostgres:
    """Un cluster PostgreSQL temporaire. `demarrer()`, puis `creer_base()` par test, `arreter()` à la fin."""

    def __init__(self, binaires: Path) -> None:
        self.binaires = binaires
        self.dossier = Path(tempfile.mkdtemp(prefix="facilitateurs-pg-"))
        self.donnees = self.dossier / "cluster"
        self._en_root = os.geteuid() == 0

    def _commande(self, *arguments: str) -> None:
        commande = [str(self.binaires / arguments[0]), *arguments[1:]]
        if self._en_root:
            commande = ["runuser", "-u", "postgres", "--", *commande]
        resultat = subprocess.run(commande, capture_output=True, text=True, timeout=120)
        if resultat.returncode != 0:
            journal = self.dossier / "journal.log"
            suite = journal.read_text(errors="replace")[-2000:] if journal.exists() else ""
            raise RuntimeError(f"{' '.join(commande)} a échoué ({resultat.returncode}) :\n{resultat.stderr}\n{suite}")

    def demarrer(self, *, durable: bool = False) -> None:
        """Initialise et démarre le cluster. `durable=False` (tests) : sans fsync ; `durable=True`
        (mesures de `bench/bench_espace.py`) : réglages de production (fsync à chaque COMMIT), comme SQLite."""
        if self._en_root:
            try:
                compte = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("Utilisateur « postgres » absent : installez le paquet Debian postgresql.") from None
            os.chown(self.dossier, compte.pw_uid, compte.pw_gid)
        self._commande("initdb", "-D", str(self.donnees), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                       "--locale=C", *(() if durable else ("--no-sync",)))
        options = f"-k {self.dossier} -c listen_addresses='' -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._commande("pg_ctl", "-D", str(self.donnees), "-l", str(self.dossier / "journal.log"), "-w", "-t", "60",
                       "-o", options, "start")

    def url(self, base: str = "postgres") -> str:
        return f"postgresql://postgres@/{base}?host={self.dossier}"

    def creer_base(self, prefixe: str = "espace") -> str:
        """Une base vide au nom unique ; renvoie son adresse."""
        nom = re.sub(r"[^a-z0-9_]", "_", f"{prefixe}_{uuid.uuid4().hex[:12]}".lower())
        with psycopg.connect(self.url(), autocommit=True) as cx:
            cx.execute(f'CREATE DATABASE "{nom}"')
        return self.url(nom)

    def supprimer_base(self, url: str) -> None:
        nom = url.split("?")[0].rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as cx:
            cx.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')

    def arreter(self) -> None:
        try:
            if (self.donnees / "postmaster.pid").exists():
                self._commande("pg_ctl", "-D", str(self.donnees), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dossier, ignore_errors=True)
