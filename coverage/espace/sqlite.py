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
4. les **grands projets ajoutés par les utilisateurs** (texte YAML), versionnés.

Choix de stockage : chaque table de données (DataFrame) est enregistrée comme un blob Parquet
(pyarrow, compression zstd) par table et par version. C'est plus simple que des tables SQL typées
et le relecture restitue exactement le DataFrame enregistré (types `str`, `float64`, `bool`,
`Int64`, catégories, dates avec fuseau, index compris).

Concurrence : la base est en mode WAL (lectures pendant une écriture), chaque connexion attend
jusqu'à `delai_attente_s` secondes un verrou occupé (`busy_timeout`) et chaque écriture est une
seule transaction `BEGIN IMMEDIATE` : deux processus ou deux sessions du navigateur qui écrivent
en même temps sont mis en file, jamais entremêlés. Une écriture qui échoue en cours de route ne
laisse aucune trace (tout ou rien). Une connexion est ouverte par opération : un même objet
`EspaceSQLite` peut servir à plusieurs fils d'exécution (sessions Streamlit).

Tout le SQL de l'application est dans ce module. Les pages et les autres modules passent par le
protocole `DepotEspace`, pour qu'une base serveur (PostgreSQL…) puisse remplacer SQLite plus tard
sans toucher au reste du code.

Les dates sont enregistrées en UTC au format ISO 8601 (`2025-07-04T08:00:00+00:00`) ; les
DataFrames renvoyés les gardent sous cette forme texte, leur mise en forme pour l'affichage
(`jj/mm/aaaa`, heure locale) est faite ailleurs.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd
import pyarrow as pa
import yaml

from coverage.modele import DOSSIER_DONNEES
from coverage.modele import ETP_MAX, DonneesFacilitateurs

VARIABLE_CHEMIN = "FACILITATEURS_ESPACE"
"""Variable d'environnement qui donne le chemin de la base (prioritaire sur le chemin par défaut)."""

CHEMIN_PAR_DEFAUT = DOSSIER_DONNEES / "espace.sqlite"
"""Chemin par défaut de la base : `data/espace.sqlite` à la racine du dépôt (ignoré par git)."""

DELAI_ATTENTE_S = 30.0
"""Attente maximale d'un verrou d'écriture tenu par un autre processus, en secondes."""

COMITE_NATIONAL = "national"
"""Code du comité technique national (DGEFP, DAE, ANRU, AVE) ; les comités régionaux ont le code de la région."""

TABLES_DONNEES = ("structures", "perimetres", "dossiers")

LIBELLE_DEMO = "Données de démonstration (fictives)"
AUTEUR_INITIALISATION = "initialisation automatique"

_COMPRESSION_PARQUET = "zstd"


class SourceVersion(StrEnum):
    """Origine d'une version des données des facilitateurs."""

    DEMO = "demo"
    IMPORT = "import"
    MODIFICATION = "modification"

    @property
    def libelle(self) -> str:
        return {
            "demo": "Démonstration",
            "import": "Import de fichiers",
            "modification": "Modification dans l'application",
        }[self.value]


class Decision(StrEnum):
    """Décision d'un comité de sélection sur un dossier."""

    RETENU = "retenu"
    RETENU_PARTIELLEMENT = "retenu_partiellement"
    AJOURNE = "ajourne"
    REFUSE = "refuse"

    @property
    def libelle(self) -> str:
        return {
            "retenu": "Retenu",
            "retenu_partiellement": "Retenu partiellement",
            "ajourne": "Ajourné",
            "refuse": "Refusé",
        }[self.value]

    @property
    def avec_montant(self) -> bool:
        """True si la décision accorde des ETP et un montant (retenu, retenu partiellement)."""
        return self in (Decision.RETENU, Decision.RETENU_PARTIELLEMENT)


class ElementIntrouvable(LookupError):
    """Version, scénario ou projet demandé absent de l'espace de travail (message en français)."""


class ConflitEdition(RuntimeError):
    """Un autre utilisateur a enregistré une décision plus récente sur le même dossier.

    Levée par `enregistrer_decision` quand la version lue par l'appelant n'est plus la version
    courante : rien n'est écrit, l'appelant recharge la décision et recommence.

    Attributes
    ----------
    comite, id_dossier : str
        Comité (`national` ou code de région) et dossier concernés.
    version_attendue : int
        Version lue par l'appelant (0 : aucune décision lue).
    version_courante : int
        Version enregistrée dans la base.
    auteur, horodatage : str
        Auteur et date (UTC, ISO 8601) de la version courante.
    """

    def __init__(
        self,
        *,
        comite: str,
        id_dossier: str,
        version_attendue: int,
        version_courante: int,
        auteur: str,
        horodatage: str,
    ) -> None:
        self.comite = comite
        self.id_dossier = id_dossier
        self.version_attendue = version_attendue
        self.version_courante = version_courante
        self.auteur = auteur
        self.horodatage = horodatage
        lu = f"vous aviez lu la version {version_attendue}" if version_attendue else "vous n'aviez lu aucune décision"
        if version_courante:
            fait = (
                f"une décision a été enregistrée par {auteur} le {_date_lisible(horodatage)} "
                f"(version {version_courante}) alors que {lu}"
            )
        else:
            fait = f"aucune décision n'est enregistrée alors que {lu}"
        super().__init__(
            f"Conflit d'édition sur le dossier {id_dossier} ({_nom_comite(comite)}) : {fait}. "
            "Votre décision n'a pas été enregistrée : rechargez le dossier, vérifiez la décision en vigueur "
            "puis enregistrez de nouveau."
        )


@dataclass(frozen=True)
class Scenario:
    """Un scénario du simulateur d'allocation, tel qu'enregistré.

    Attributes
    ----------
    id : int
        Identifiant du scénario.
    nom, auteur : str
        Nom (unique parmi les scénarios non supprimés) et auteur de l'enregistrement.
    horodatage : str
        Date d'enregistrement, UTC ISO 8601.
    id_version : int
        Version des données des facilitateurs sur laquelle le scénario a été calculé.
    parametres : dict
        Paramètres du simulateur (relus depuis JSON).
    resultats : dict[str, pandas.DataFrame]
        Tableaux de résultats, dans l'ordre d'enregistrement (ex. `dossiers`, `synthese_regions`).
    id_origine : int or None
        Scénario dont celui-ci est une copie (`dupliquer_scenario`), sinon None.
    supprime : bool
        True si le scénario a été supprimé (il reste consultable dans l'historique).
    """

    id: int
    nom: str
    auteur: str
    horodatage: str
    id_version: int
    parametres: dict[str, Any]
    resultats: dict[str, pd.DataFrame]
    id_origine: int | None = None
    supprime: bool = False


@runtime_checkable
class DepotEspace(Protocol):
    """Ce que l'application attend d'un espace de travail, quel que soit le moteur de base.

    `EspaceSQLite` l'implémente ; une implémentation pour une base serveur n'a qu'à fournir les
    mêmes méthodes, avec les mêmes garanties : chaque écriture est atomique, les décisions sont
    en ajout seul et `enregistrer_decision` lève `ConflitEdition` si la version lue a changé.
    """

    def enregistrer_version(
        self, donnees: DonneesFacilitateurs, *, auteur: str, libelle: str, source: SourceVersion | str
    ) -> int: ...

    def version_active(self) -> int: ...

    def charger_version(self, id: int | None = None) -> DonneesFacilitateurs: ...

    def lister_versions(self) -> pd.DataFrame: ...

    def restaurer_version(self, id: int, *, auteur: str) -> None: ...

    def historique_activations(self) -> pd.DataFrame: ...

    def enregistrer_scenario(
        self,
        *,
        nom: str,
        auteur: str,
        parametres: Mapping[str, Any],
        resultats: Mapping[str, pd.DataFrame],
        id_version: int | None = None,
    ) -> int: ...

    def lister_scenarios(self, *, inclure_supprimes: bool = False) -> pd.DataFrame: ...

    def charger_scenario(self, id: int) -> Scenario: ...

    def dupliquer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> int: ...

    def renommer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> None: ...

    def supprimer_scenario(self, id: int, *, auteur: str) -> None: ...

    def historique_scenarios(self, id: int | None = None) -> pd.DataFrame: ...

    def enregistrer_decision(
        self,
        *,
        comite: str,
        id_dossier: str,
        decision: Decision | str,
        motif: str,
        auteur: str,
        version_attendue: int | None,
        etp_retenus: float | None = None,
        montant_retenu: float | None = None,
    ) -> int: ...

    def decisions_courantes(self, comite: str) -> pd.DataFrame: ...

    def historique_decisions(self, comite: str, id_dossier: str | None = None) -> pd.DataFrame: ...

    def enregistrer_projets_utilisateur(self, yaml_text: str, *, auteur: str) -> int: ...

    def projets_utilisateur(self, id: int | None = None) -> str: ...

    def historique_projets_utilisateur(self) -> pd.DataFrame: ...


# --------------------------------------------------------------------------------------------
# Schéma et migrations
# --------------------------------------------------------------------------------------------


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
)
"""Migrations du schéma, dans l'ordre. Pour faire évoluer le schéma, ajouter une migration à la fin
(jamais modifier une migration déjà livrée) : les bases existantes la reçoivent à leur prochaine ouverture."""

VERSION_SCHEMA = _MIGRATIONS[-1].numero
"""Version du schéma que ce code sait lire et écrire."""

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


# --------------------------------------------------------------------------------------------
# Ouverture
# --------------------------------------------------------------------------------------------


def resoudre_chemin(chemin: str | os.PathLike[str] | None = None) -> Path:
    """Chemin de la base : le paramètre, sinon la variable `FACILITATEURS_ESPACE`, sinon le défaut.

    Parameters
    ----------
    chemin : str or path-like, optional
        Chemin explicite du fichier SQLite.

    Returns
    -------
    pathlib.Path
        `chemin` s'il est donné ; sinon la valeur de la variable d'environnement
        `FACILITATEURS_ESPACE` si elle est définie et non vide (relative au répertoire courant) ;
        sinon `data/espace.sqlite` à la racine du dépôt.

    Examples
    --------
    >>> resoudre_chemin("/tmp/essai.sqlite")
    PosixPath('/tmp/essai.sqlite')
    """
    if chemin is not None:
        return Path(chemin)
    depuis_environnement = os.environ.get(VARIABLE_CHEMIN, "").strip()
    if depuis_environnement:
        return Path(depuis_environnement)
    return CHEMIN_PAR_DEFAUT


def ouvrir_espace(
    chemin: str | os.PathLike[str] | None = None,
    *,
    initialiser_avec: Callable[[], DonneesFacilitateurs] | None = None,
    horloge: Callable[[], datetime] | None = None,
    delai_attente_s: float = DELAI_ATTENTE_S,
) -> EspaceSQLite:
    """Ouvre l'espace de travail (le crée au besoin) et l'amorce s'il ne contient aucune version.

    Parameters
    ----------
    chemin : str or path-like, optional
        Fichier SQLite ; par défaut `resoudre_chemin()` (variable `FACILITATEURS_ESPACE`, sinon
        `data/espace.sqlite` à la racine du dépôt). Le dossier parent est créé au besoin.
    initialiser_avec : callable, optional
        Fonction sans argument qui renvoie les données de démonstration. Appelée seulement si la
        base ne contient encore aucune version ; ses données deviennent la version 1 active
        (source `demo` si `donnees.demo`, sinon `import`). Si deux processus amorcent la même
        base en même temps, un seul enregistre.
    horloge : callable, optional
        Renvoie l'instant courant (datetime avec fuseau) ; par défaut l'horloge système en UTC.
        Les tests la fixent pour obtenir des horodatages connus.
    delai_attente_s : float
        Attente maximale d'un verrou tenu par un autre processus, en secondes.

    Returns
    -------
    EspaceSQLite

    Examples
    --------
    >>> espace = ouvrir_espace(tmp / "espace.sqlite", initialiser_avec=generer_demo)  # doctest: +SKIP
    >>> espace.version_active()  # doctest: +SKIP
    1
    """
    espace = EspaceSQLite(resoudre_chemin(chemin), horloge=horloge, delai_attente_s=delai_attente_s)
    if initialiser_avec is not None and espace.est_vide():
        donnees = initialiser_avec()
        espace._enregistrer_version(
            donnees,
            auteur=AUTEUR_INITIALISATION,
            libelle=LIBELLE_DEMO if donnees.demo else (donnees.source or "Données initiales"),
            source=SourceVersion.DEMO if donnees.demo else SourceVersion.IMPORT,
            seulement_si_vide=True,
        )
    return espace


class EspaceSQLite:
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
        cx = sqlite3.connect(self.chemin, timeout=self.delai_attente_s, isolation_level=None)
        try:
            cx.execute(f"PRAGMA busy_timeout = {int(self.delai_attente_s * 1000)}")
            cx.execute("PRAGMA foreign_keys = ON")
            yield cx
        finally:
            cx.close()

    @contextmanager
    def _ecriture(self) -> Iterator[sqlite3.Connection]:
        """Une transaction d'écriture : verrou pris dès le début, tout ou rien."""
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

    def _maintenant(self) -> str:
        instant = self._horloge()
        if instant.tzinfo is None:
            raise ValueError(
                "L'horloge de l'espace de travail doit donner une date avec fuseau horaire (UTC de préférence)."
            )
        return instant.astimezone(UTC).isoformat(timespec="seconds")

    # -- état de la base ---------------------------------------------------------------------

    def version_schema(self) -> int:
        """Version du schéma de la base (dernière migration appliquée)."""
        with self._lecture() as cx:
            return int(cx.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

    def est_vide(self) -> bool:
        """True si la base ne contient encore aucune version des données."""
        with self._lecture() as cx:
            return cx.execute("SELECT 1 FROM versions_donnees LIMIT 1").fetchone() is None

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

    # -- versions des données ----------------------------------------------------------------

    def enregistrer_version(
        self, donnees: DonneesFacilitateurs, *, auteur: str, libelle: str, source: SourceVersion | str
    ) -> int:
        """Enregistre une nouvelle version des données des facilitateurs et la rend active.

        Les trois tables (structures, périmètres, dossiers — éventuellement vide) sont écrites en
        Parquet dans une seule transaction : si une étape échoue, rien n'est écrit et la version
        active reste la précédente.

        Parameters
        ----------
        donnees : coverage.modele.DonneesFacilitateurs
            Données validées (typées selon `coverage.modele`).
        auteur : str
            Nom de la personne qui enregistre (non vide).
        libelle : str
            Description lisible, ex. « Import structures.xlsx + perimetres.csv » (non vide).
        source : SourceVersion or str
            `demo`, `import` ou `modification`.

        Returns
        -------
        int
            Identifiant de la nouvelle version (croissant).

        Raises
        ------
        ValueError
            Auteur ou libellé vide, source inconnue, table impossible à enregistrer (message en français).
        """
        identifiant = self._enregistrer_version(donnees, auteur=auteur, libelle=libelle, source=source)
        assert identifiant is not None
        return identifiant

    def _enregistrer_version(
        self,
        donnees: DonneesFacilitateurs,
        *,
        auteur: str,
        libelle: str,
        source: SourceVersion | str,
        seulement_si_vide: bool = False,
    ) -> int | None:
        auteur = _check_texte(auteur, "L'auteur")
        libelle = _check_texte(libelle, "Le libellé de la version")
        source = _check_source(source)
        if not isinstance(donnees, DonneesFacilitateurs):
            raise TypeError(
                f"Les données à enregistrer doivent être un DonneesFacilitateurs (reçu : {type(donnees).__name__})."
            )
        # Sérialisation hors verrou : la transaction ne tient le verrou que le temps des insertions.
        blobs = {
            nom: (_vers_parquet(getattr(donnees, nom), nom=nom), len(getattr(donnees, nom))) for nom in TABLES_DONNEES
        }
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            if seulement_si_vide and cx.execute("SELECT 1 FROM versions_donnees LIMIT 1").fetchone() is not None:
                return None
            identifiant = cx.execute(
                "INSERT INTO versions_donnees (horodatage, auteur, libelle, source, demo, description_source) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (horodatage, auteur, libelle, source.value, int(bool(donnees.demo)), str(donnees.source or "")),
            ).lastrowid
            assert identifiant is not None
            for nom, (blob, nb_lignes) in blobs.items():
                _inserer_table_version(cx, identifiant, nom, blob, nb_lignes)
            cx.execute(
                "INSERT INTO activations (id_version, horodatage, auteur, motif) VALUES (?, ?, ?, 'enregistrement')",
                (identifiant, horodatage, auteur),
            )
        return int(identifiant)

    def version_active(self) -> int:
        """Identifiant de la version active des données.

        Raises
        ------
        ElementIntrouvable
            Si l'espace ne contient encore aucune version.
        """
        with self._lecture() as cx:
            return _version_active(cx)

    def charger_version(self, id: int | None = None) -> DonneesFacilitateurs:
        """Relit une version des données (la version active par défaut), à l'identique.

        Parameters
        ----------
        id : int, optional
            Identifiant de la version ; None pour la version active.

        Returns
        -------
        coverage.modele.DonneesFacilitateurs
            Les tables telles qu'enregistrées (mêmes colonnes, types et index), le drapeau `demo`
            et la description `source` d'origine.

        Raises
        ------
        ElementIntrouvable
            Version inconnue, ou aucune version enregistrée.
        """
        with self._lecture() as cx:
            identifiant = _version_active(cx) if id is None else int(id)
            ligne = cx.execute(
                "SELECT demo, description_source FROM versions_donnees WHERE id = ?", (identifiant,)
            ).fetchone()
            if ligne is None:
                raise ElementIntrouvable(f"La version {identifiant} des données n'existe pas dans l'espace de travail.")
            blobs = dict(
                cx.execute("SELECT nom_table, parquet FROM tables_version WHERE id_version = ?", (identifiant,)).fetchall()
            )
        tables = {nom: _depuis_parquet(blobs[nom]) for nom in TABLES_DONNEES}
        return DonneesFacilitateurs(**tables, demo=bool(ligne[0]), source=ligne[1])

    def lister_versions(self) -> pd.DataFrame:
        """Les versions des données, la plus récente en premier.

        Returns
        -------
        pandas.DataFrame
            Colonnes `id`, `horodatage` (UTC ISO), `auteur`, `libelle`, `source`, `demo`,
            `active` (une seule ligne True), `nb_structures`, `nb_perimetres`, `nb_dossiers`.
        """
        with self._lecture() as cx:
            return _tableau(
                cx,
                """
                SELECT v.id, v.horodatage, v.auteur, v.libelle, v.source, v.demo,
                       v.id = (SELECT id_version FROM activations ORDER BY id DESC LIMIT 1) AS active,
                       SUM(CASE WHEN t.nom_table = 'structures' THEN t.nb_lignes ELSE 0 END),
                       SUM(CASE WHEN t.nom_table = 'perimetres' THEN t.nb_lignes ELSE 0 END),
                       SUM(CASE WHEN t.nom_table = 'dossiers' THEN t.nb_lignes ELSE 0 END)
                FROM versions_donnees AS v JOIN tables_version AS t ON t.id_version = v.id
                GROUP BY v.id ORDER BY v.id DESC
                """,
                (),
                _COLONNES_VERSIONS,
            )

    def restaurer_version(self, id: int, *, auteur: str) -> None:
        """Rend active une version antérieure des données ; l'historique garde qui et quand.

        Aucune version n'est effacée : la restauration ajoute une ligne au journal des
        activations (`historique_activations`).

        Parameters
        ----------
        id : int
            Version à rendre active.
        auteur : str
            Nom de la personne qui restaure (non vide).

        Raises
        ------
        ElementIntrouvable
            Version inconnue (rien n'est écrit).
        """
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            if cx.execute("SELECT 1 FROM versions_donnees WHERE id = ?", (int(id),)).fetchone() is None:
                raise ElementIntrouvable(f"La version {id} des données n'existe pas : impossible de la restaurer.")
            cx.execute(
                "INSERT INTO activations (id_version, horodatage, auteur, motif) VALUES (?, ?, ?, 'restauration')",
                (int(id), horodatage, auteur),
            )

    def historique_activations(self) -> pd.DataFrame:
        """Journal des changements de version active, dans l'ordre chronologique.

        Returns
        -------
        pandas.DataFrame
            Colonnes `id`, `id_version`, `horodatage` (UTC ISO), `auteur`, `motif`
            (`enregistrement` ou `restauration`).
        """
        with self._lecture() as cx:
            return _tableau(
                cx,
                "SELECT id, id_version, horodatage, auteur, motif FROM activations ORDER BY id",
                (),
                _COLONNES_ACTIVATIONS,
            )

    # -- scénarios ---------------------------------------------------------------------------

    def enregistrer_scenario(
        self,
        *,
        nom: str,
        auteur: str,
        parametres: Mapping[str, Any],
        resultats: Mapping[str, pd.DataFrame],
        id_version: int | None = None,
    ) -> int:
        """Enregistre un scénario du simulateur d'allocation.

        Parameters
        ----------
        nom : str
            Nom du scénario, unique parmi les scénarios non supprimés.
        auteur : str
            Nom de la personne qui enregistre.
        parametres : mapping
            Paramètres du simulateur, enregistrés en JSON (nombres, textes, booléens, None, listes,
            dictionnaires ; une date doit être passée en texte ISO).
        resultats : mapping of str to pandas.DataFrame
            Tableaux de résultats, ex. `{"dossiers": …, "synthese_regions": …}` ; relus à l'identique
            et dans le même ordre.
        id_version : int, optional
            Version des données sur laquelle le scénario a été calculé ; défaut : la version active.

        Returns
        -------
        int
            Identifiant du scénario.

        Raises
        ------
        ValueError
            Nom ou auteur vide, nom déjà pris, paramètres non JSON, tableau impossible à enregistrer.
        ElementIntrouvable
            Version des données inconnue.
        """
        nom = _check_texte(nom, "Le nom du scénario")
        auteur = _check_texte(auteur, "L'auteur")
        texte_parametres = _vers_json(parametres)
        if not isinstance(resultats, Mapping):
            raise TypeError("Les résultats du scénario doivent être un dictionnaire {nom du tableau: DataFrame}.")
        blobs = []
        for ordre, (nom_table, table) in enumerate(resultats.items()):
            nom_table = _check_texte(nom_table, "Le nom d'un tableau de résultats")
            blob = _vers_parquet(table, nom=nom_table)
            blobs.append((nom_table, ordre, len(table), blob))
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            version = _version_active(cx) if id_version is None else int(id_version)
            if cx.execute("SELECT 1 FROM versions_donnees WHERE id = ?", (version,)).fetchone() is None:
                raise ElementIntrouvable(
                    f"La version {version} des données n'existe pas : le scénario ne peut pas s'y rattacher."
                )
            _check_nom_libre(cx, nom)
            identifiant = cx.execute(
                "INSERT INTO scenarios (nom, auteur, horodatage, id_version, parametres) VALUES (?, ?, ?, ?, ?)",
                (nom, auteur, horodatage, version, texte_parametres),
            ).lastrowid
            cx.executemany(
                "INSERT INTO tables_scenario (id_scenario, nom_table, ordre, nb_lignes, parquet) VALUES (?, ?, ?, ?, ?)",
                [(identifiant, nom_table, ordre, nb_lignes, blob) for nom_table, ordre, nb_lignes, blob in blobs],
            )
            _journaliser_scenario(cx, identifiant, "creation", horodatage, auteur, "")
        return int(identifiant)  # type: ignore[arg-type]

    def lister_scenarios(self, *, inclure_supprimes: bool = False) -> pd.DataFrame:
        """Les scénarios, du plus récent au plus ancien.

        Parameters
        ----------
        inclure_supprimes : bool
            True pour lister aussi les scénarios supprimés.

        Returns
        -------
        pandas.DataFrame
            Colonnes `id`, `nom`, `auteur`, `horodatage` (UTC ISO), `id_version` (données de calcul),
            `id_origine` (scénario copié, ou <NA>), `supprime`.
        """
        filtre = "" if inclure_supprimes else "WHERE supprime = 0"
        with self._lecture() as cx:
            return _tableau(
                cx,
                "SELECT id, nom, auteur, horodatage, id_version, id_origine, supprime "
                f"FROM scenarios {filtre} ORDER BY id DESC",
                (),
                _COLONNES_SCENARIOS,
            )

    def charger_scenario(self, id: int) -> Scenario:
        """Relit un scénario (même supprimé), ses paramètres et ses tableaux à l'identique.

        Raises
        ------
        ElementIntrouvable
            Scénario inconnu.
        """
        with self._lecture() as cx:
            ligne = cx.execute(
                "SELECT id, nom, auteur, horodatage, id_version, parametres, id_origine, supprime "
                "FROM scenarios WHERE id = ?",
                (int(id),),
            ).fetchone()
            if ligne is None:
                raise ElementIntrouvable(f"Le scénario {id} n'existe pas dans l'espace de travail.")
            tables = cx.execute(
                "SELECT nom_table, parquet FROM tables_scenario WHERE id_scenario = ? ORDER BY ordre", (int(id),)
            ).fetchall()
        return Scenario(
            id=int(ligne[0]),
            nom=ligne[1],
            auteur=ligne[2],
            horodatage=ligne[3],
            id_version=int(ligne[4]),
            parametres=json.loads(ligne[5]),
            resultats={nom_table: _depuis_parquet(blob) for nom_table, blob in tables},
            id_origine=None if ligne[6] is None else int(ligne[6]),
            supprime=bool(ligne[7]),
        )

    def dupliquer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> int:
        """Copie un scénario (paramètres, tableaux, version des données) sous un nouveau nom.

        Un scénario supprimé peut être dupliqué : c'est ainsi qu'on le récupère.

        Returns
        -------
        int
            Identifiant de la copie (son `id_origine` vaut `id`).
        """
        nouveau_nom = _check_texte(nouveau_nom, "Le nom du scénario")
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            ancien_nom = _nom_scenario(cx, id)
            _check_nom_libre(cx, nouveau_nom)
            copie = cx.execute(
                "INSERT INTO scenarios (nom, auteur, horodatage, id_version, parametres, id_origine) "
                "SELECT ?, ?, ?, id_version, parametres, id FROM scenarios WHERE id = ?",
                (nouveau_nom, auteur, horodatage, int(id)),
            ).lastrowid
            cx.execute(
                "INSERT INTO tables_scenario (id_scenario, nom_table, ordre, nb_lignes, parquet) "
                "SELECT ?, nom_table, ordre, nb_lignes, parquet FROM tables_scenario WHERE id_scenario = ?",
                (copie, int(id)),
            )
            detail = f"copie du scénario {int(id)} « {ancien_nom} »"
            _journaliser_scenario(cx, copie, "duplication", horodatage, auteur, detail)
        return int(copie)  # type: ignore[arg-type]

    def renommer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> None:
        """Renomme un scénario non supprimé ; l'ancien nom reste dans l'historique."""
        nouveau_nom = _check_texte(nouveau_nom, "Le nom du scénario")
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            ancien_nom = _nom_scenario(cx, id, actif=True)
            if ancien_nom == nouveau_nom:
                return
            _check_nom_libre(cx, nouveau_nom)
            cx.execute("UPDATE scenarios SET nom = ? WHERE id = ?", (nouveau_nom, int(id)))
            _journaliser_scenario(cx, int(id), "renommage", horodatage, auteur, f"« {ancien_nom} » → « {nouveau_nom} »")

    def supprimer_scenario(self, id: int, *, auteur: str) -> None:
        """Supprime un scénario de la liste ; il reste consultable (`charger_scenario`, historique)."""
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            nom = _nom_scenario(cx, id, actif=True)
            cx.execute("UPDATE scenarios SET supprime = 1 WHERE id = ?", (int(id),))
            _journaliser_scenario(cx, int(id), "suppression", horodatage, auteur, f"« {nom} »")

    def historique_scenarios(self, id: int | None = None) -> pd.DataFrame:
        """Journal des scénarios (créations, duplications, renommages, suppressions), chronologique.

        Parameters
        ----------
        id : int, optional
            Restreint le journal à un scénario.

        Returns
        -------
        pandas.DataFrame
            Colonnes `id`, `id_scenario`, `action`, `horodatage` (UTC ISO), `auteur`, `detail`.
        """
        filtre, parametres = ("WHERE id_scenario = ?", (int(id),)) if id is not None else ("", ())
        with self._lecture() as cx:
            return _tableau(
                cx,
                f"SELECT id, id_scenario, action, horodatage, auteur, detail FROM journal_scenarios {filtre} ORDER BY id",
                parametres,
                _COLONNES_JOURNAL,
            )

    # -- décisions des comités ---------------------------------------------------------------

    def enregistrer_decision(
        self,
        *,
        comite: str,
        id_dossier: str,
        decision: Decision | str,
        motif: str,
        auteur: str,
        version_attendue: int | None,
        etp_retenus: float | None = None,
        montant_retenu: float | None = None,
    ) -> int:
        """Enregistre la décision d'un comité sur un dossier, sans jamais écraser l'historique.

        Concurrence optimiste : l'appelant passe la `version` de la décision qu'il a lue
        (`decisions_courantes`), ou None / 0 s'il n'en a lu aucune. Si un autre utilisateur a
        enregistré entre-temps une décision sur le même dossier et le même comité, rien n'est
        écrit et `ConflitEdition` est levée : l'appelant recharge puis recommence.

        Parameters
        ----------
        comite : str
            `national` (comité technique national) ou code de la région (`84`, `93`…).
        id_dossier : str
            Identifiant du dossier.
        decision : Decision or str
            `retenu`, `retenu_partiellement`, `ajourne` ou `refuse`.
        motif : str
            Motif de la décision, obligatoire (non vide).
        auteur : str
            Nom de la personne qui enregistre.
        version_attendue : int or None
            Version lue par l'appelant (None ou 0 : aucune décision lue).
        etp_retenus : float, optional
            ETP retenus (0 < etp ≤ 50), obligatoire pour `retenu` et `retenu_partiellement`
            (pour `retenu`, l'appelant passe les ETP demandés) ; vide ou 0 sinon.
        montant_retenu : float, optional
            Montant AAP retenu en € (≥ 0), obligatoire pour `retenu` et `retenu_partiellement` ;
            vide ou 0 sinon.

        Returns
        -------
        int
            Version de la décision enregistrée (1 pour la première décision sur le dossier).

        Raises
        ------
        ValueError
            Comité, dossier, décision, motif, auteur ou montants invalides (message en français).
        ConflitEdition
            Une décision plus récente que `version_attendue` existe déjà.
        """
        comite = _check_comite(comite)
        id_dossier = _check_texte(id_dossier, "L'identifiant du dossier")
        decision = _check_decision(decision)
        motif = _check_motif(motif, id_dossier=id_dossier, decision=decision)
        auteur = _check_texte(auteur, "L'auteur")
        etp, montant = _check_montants(decision, etp_retenus=etp_retenus, montant_retenu=montant_retenu)
        if version_attendue is not None and (isinstance(version_attendue, bool) or int(version_attendue) < 0):
            raise ValueError(f"version_attendue : {version_attendue!r} (attendu : entier positif ou nul, ou None).")
        attendue = int(version_attendue or 0)
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            courante = cx.execute(
                "SELECT version, auteur, horodatage FROM decisions_courantes WHERE comite = ? AND id_dossier = ?",
                (comite, id_dossier),
            ).fetchone()
            numero = 0 if courante is None else int(courante[0])
            if numero != attendue:
                raise ConflitEdition(
                    comite=comite,
                    id_dossier=id_dossier,
                    version_attendue=attendue,
                    version_courante=numero,
                    auteur="" if courante is None else courante[1],
                    horodatage="" if courante is None else courante[2],
                )
            cx.execute(
                "INSERT INTO decisions (comite, id_dossier, version, decision, motif, etp_retenus, montant_retenu, "
                "auteur, horodatage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (comite, id_dossier, numero + 1, decision.value, motif, etp, montant, auteur, horodatage),
            )
        return numero + 1

    def decisions_courantes(self, comite: str) -> pd.DataFrame:
        """Décision en vigueur de chaque dossier pour un comité, par identifiant de dossier.

        Returns
        -------
        pandas.DataFrame
            Colonnes `comite`, `id_dossier`, `version`, `decision`, `motif`, `etp_retenus`,
            `montant_retenu` (€, NaN si ajourné ou refusé), `auteur`, `horodatage` (UTC ISO).
        """
        comite = _check_comite(comite)
        with self._lecture() as cx:
            return _tableau(
                cx,
                f"SELECT {', '.join(_COLONNES_DECISIONS)} FROM decisions_courantes WHERE comite = ? ORDER BY id_dossier",
                (comite,),
                _COLONNES_DECISIONS,
            )

    def historique_decisions(self, comite: str, id_dossier: str | None = None) -> pd.DataFrame:
        """Toutes les décisions d'un comité (ou d'un de ses dossiers), par dossier puis par version.

        Returns
        -------
        pandas.DataFrame
            Mêmes colonnes que `decisions_courantes`.
        """
        comite = _check_comite(comite)
        filtre, parametres = ("", (comite,)) if id_dossier is None else ("AND id_dossier = ?", (comite, str(id_dossier)))
        with self._lecture() as cx:
            return _tableau(
                cx,
                f"SELECT {', '.join(_COLONNES_DECISIONS)} FROM decisions WHERE comite = ? {filtre} "
                "ORDER BY id_dossier, version",
                parametres,
                _COLONNES_DECISIONS,
            )

    # -- grands projets ajoutés par les utilisateurs ------------------------------------------

    def enregistrer_projets_utilisateur(self, yaml_text: str, *, auteur: str) -> int:
        """Enregistre une nouvelle version du texte YAML des grands projets ajoutés par les utilisateurs.

        Le texte doit être du YAML lisible (le contenu des projets est vérifié par le module des
        grands projets) ; un texte vide efface les ajouts, l'historique gardant les versions.

        Returns
        -------
        int
            Identifiant de la version enregistrée.

        Raises
        ------
        ValueError
            Texte YAML illisible (avec la ligne) ou auteur vide.
        """
        if not isinstance(yaml_text, str):
            raise TypeError(f"Le texte des projets doit être une chaîne YAML (reçu : {type(yaml_text).__name__}).")
        auteur = _check_texte(auteur, "L'auteur")
        _check_yaml(yaml_text)
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            identifiant = cx.execute(
                "INSERT INTO projets_utilisateur (yaml, auteur, horodatage) VALUES (?, ?, ?)", (yaml_text, auteur, horodatage)
            ).lastrowid
        return int(identifiant)  # type: ignore[arg-type]

    # --- Fichiers de besoins -------------------------------------------------------------------

    def enregistrer_fichier_besoins(self, type: str, *, nom_fichier: str, contenu: bytes, auteur: str) -> int:
        """Garde un fichier de besoins (`decp`, `qpv`, `npnru`) déjà validé ; il devient le fichier actif de son type.

        Le fichier est stocké tel que déposé : il est relu (et revalidé) à chaque chargement.
        """
        if type not in ("decp", "qpv", "npnru"):
            raise ValueError(f"Type de fichier de besoins inconnu : « {type} » (attendu : decp, qpv, npnru).")
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture() as cx:
            cx.execute("UPDATE fichiers_besoins SET actif = 0 WHERE type = ?", (type,))
            identifiant = cx.execute(
                "INSERT INTO fichiers_besoins (type, nom_fichier, contenu, auteur, horodatage) VALUES (?, ?, ?, ?, ?)",
                (type, nom_fichier, bytes(contenu), auteur, horodatage),
            ).lastrowid
        return int(identifiant)  # type: ignore[arg-type]

    def retirer_fichier_besoins(self, type: str, *, auteur: str) -> None:
        """Revient à l'échantillon de démonstration pour ce type (le fichier reste dans l'historique)."""
        _check_texte(auteur, "L'auteur")
        with self._ecriture() as cx:
            cx.execute("UPDATE fichiers_besoins SET actif = 0 WHERE type = ?", (type,))

    def fichier_besoins_actif(self, type: str) -> tuple[int, str, bytes] | None:
        """`(id, nom_fichier, contenu)` du fichier actif de ce type, None s'il n'y en a pas."""
        with self._lecture() as cx:
            ligne = cx.execute(
                "SELECT id, nom_fichier, contenu FROM fichiers_besoins WHERE type = ? AND actif = 1 ORDER BY id DESC LIMIT 1",
                (type,),
            ).fetchone()
        return None if ligne is None else (int(ligne[0]), str(ligne[1]), bytes(ligne[2]))

    def lister_fichiers_besoins(self) -> pd.DataFrame:
        """Historique des fichiers de besoins importés (sans leur contenu)."""
        with self._lecture() as cx:
            lignes = cx.execute(
                "SELECT id, type, nom_fichier, length(contenu), auteur, horodatage, actif FROM fichiers_besoins ORDER BY id DESC"
            ).fetchall()
        return pd.DataFrame(lignes, columns=["id", "type", "nom_fichier", "octets", "auteur", "horodatage", "actif"]).astype(
            {"actif": bool}
        )

    def projets_utilisateur(self, id: int | None = None) -> str:
        """Texte YAML des projets ajoutés : la dernière version (ou la version `id`) ; `""` si aucune.

        Raises
        ------
        ElementIntrouvable
            Si `id` est donné et n'existe pas.
        """
        with self._lecture() as cx:
            if id is None:
                ligne = cx.execute("SELECT yaml FROM projets_utilisateur ORDER BY id DESC LIMIT 1").fetchone()
                return "" if ligne is None else ligne[0]
            ligne = cx.execute("SELECT yaml FROM projets_utilisateur WHERE id = ?", (int(id),)).fetchone()
        if ligne is None:
            raise ElementIntrouvable(f"La version {id} des projets ajoutés n'existe pas.")
        return ligne[0]

    def historique_projets_utilisateur(self) -> pd.DataFrame:
        """Versions du texte des projets ajoutés, chronologiques : `id`, `auteur`, `horodatage`, `nb_caracteres`."""
        with self._lecture() as cx:
            return _tableau(
                cx,
                "SELECT id, auteur, horodatage, length(yaml) FROM projets_utilisateur ORDER BY id",
                (),
                _COLONNES_PROJETS,
            )


# --------------------------------------------------------------------------------------------
# Fonctions privées
# --------------------------------------------------------------------------------------------


def _maintenant_systeme() -> datetime:
    return datetime.now(UTC)


def _migrer(cx: sqlite3.Connection, maintenant: Callable[[], str]) -> None:
    """Crée le schéma ou applique les migrations manquantes, chacune dans la même transaction."""
    cx.execute("BEGIN IMMEDIATE")
    try:
        cx.execute(_TABLE_SCHEMA_VERSION)
        actuelle = int(cx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
        if actuelle > VERSION_SCHEMA:
            raise RuntimeError(
                f"La base de l'espace de travail est au schéma {actuelle}, plus récent que celui de cette version "
                f"de l'application ({VERSION_SCHEMA}) : mettez l'application à jour."
            )
        for migration in _MIGRATIONS:
            if migration.numero > actuelle:
                for instruction in migration.instructions:
                    cx.execute(instruction)
                cx.execute(
                    "INSERT INTO schema_version (version, description, applique_le) VALUES (?, ?, ?)",
                    (migration.numero, migration.description, maintenant()),
                )
        cx.execute("COMMIT")
    except BaseException:
        if cx.in_transaction:
            cx.execute("ROLLBACK")
        raise


def _inserer_table_version(
    cx: sqlite3.Connection, id_version: int, nom_table: str, blob: bytes, nb_lignes: int
) -> None:
    """Insère une table d'une version des données (une étape de la transaction d'enregistrement)."""
    cx.execute(
        "INSERT INTO tables_version (id_version, nom_table, nb_lignes, parquet) VALUES (?, ?, ?, ?)",
        (id_version, nom_table, nb_lignes, blob),
    )


def _version_active(cx: sqlite3.Connection) -> int:
    ligne = cx.execute("SELECT id_version FROM activations ORDER BY id DESC LIMIT 1").fetchone()
    if ligne is None:
        raise ElementIntrouvable(
            "L'espace de travail ne contient encore aucune version des données : importez des fichiers "
            "ou chargez les données de démonstration."
        )
    return int(ligne[0])


def _nom_scenario(cx: sqlite3.Connection, id: int, *, actif: bool = False) -> str:
    ligne = cx.execute("SELECT nom, supprime FROM scenarios WHERE id = ?", (int(id),)).fetchone()
    if ligne is None:
        raise ElementIntrouvable(f"Le scénario {id} n'existe pas dans l'espace de travail.")
    if actif and ligne[1]:
        raise ValueError(f"Le scénario {id} « {ligne[0]} » a été supprimé : dupliquez-le pour le reprendre.")
    return ligne[0]


def _check_nom_libre(cx: sqlite3.Connection, nom: str) -> None:
    if cx.execute("SELECT 1 FROM scenarios WHERE nom = ? AND supprime = 0", (nom,)).fetchone() is not None:
        raise ValueError(f"Un scénario nommé « {nom} » existe déjà : choisissez un autre nom.")


def _journaliser_scenario(
    cx: sqlite3.Connection, id_scenario: int | None, action: str, horodatage: str, auteur: str, detail: str
) -> None:
    cx.execute(
        "INSERT INTO journal_scenarios (id_scenario, action, horodatage, auteur, detail) VALUES (?, ?, ?, ?, ?)",
        (id_scenario, action, horodatage, auteur, detail),
    )


def _tableau(
    cx: sqlite3.Connection, sql: str, parametres: tuple[Any, ...], colonnes: Mapping[str, str]
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


def _check_texte(valeur: object, quoi: str) -> str:
    """Texte obligatoire, espaces de début et de fin retirés ; `quoi` commence la phrase d'erreur."""
    if not isinstance(valeur, str) or not valeur.strip():
        raise ValueError(f"{quoi} est obligatoire (texte non vide ; reçu : {valeur!r}).")
    return valeur.strip()


def _check_source(source: SourceVersion | str) -> SourceVersion:
    try:
        return SourceVersion(source)
    except ValueError:
        attendues = ", ".join(s.value for s in SourceVersion)
        raise ValueError(f"Source de version inconnue : {source!r} (attendu : {attendues}).") from None


def _check_comite(comite: str) -> str:
    if not isinstance(comite, str) or not (comite == COMITE_NATIONAL or re.fullmatch(r"\d{2}", comite)):
        raise ValueError(
            f"Comité inconnu : {comite!r} (attendu : « {COMITE_NATIONAL} » ou un code de région "
            "à deux chiffres, ex. « 84 »)."
        )
    return comite


def _check_decision(decision: Decision | str) -> Decision:
    try:
        return Decision(decision)
    except ValueError:
        attendues = ", ".join(d.value for d in Decision)
        raise ValueError(f"Décision inconnue : {decision!r} (attendu : {attendues}).") from None


def _check_motif(motif: object, *, id_dossier: str, decision: Decision) -> str:
    if not isinstance(motif, str) or not motif.strip():
        raise ValueError(
            f"Le motif est obligatoire pour enregistrer la décision « {decision.libelle} » sur le dossier "
            f"{id_dossier} : expliquez-la en une phrase."
        )
    return motif.strip()


def _check_montants(
    decision: Decision, *, etp_retenus: float | None, montant_retenu: float | None
) -> tuple[float | None, float | None]:
    """ETP et montant retenus : obligatoires et valides si la décision accorde un financement, vides sinon."""
    valeurs = {"etp_retenus": etp_retenus, "montant_retenu": montant_retenu}
    if not decision.avec_montant:
        for nom, valeur in valeurs.items():
            if valeur is not None and not (_est_nombre(valeur) and (math.isnan(valeur) or valeur == 0)):
                raise ValueError(
                    f"{nom} : {valeur!r} — une décision « {decision.libelle} » n'accorde ni ETP ni montant (laisser vide)."
                )
        return None, None
    erreurs = []
    for nom, valeur in valeurs.items():
        if not _est_nombre(valeur) or not math.isfinite(valeur):  # type: ignore[arg-type]
            erreurs.append(f"{nom} est obligatoire pour une décision « {decision.libelle} » (reçu : {valeur!r})")
    if not erreurs:
        assert etp_retenus is not None and montant_retenu is not None
        if not 0 < etp_retenus <= ETP_MAX:
            erreurs.append(
                f"etp_retenus : {etp_retenus!r} n'est pas un nombre d'ETP valide (attendu : nombre > 0 et ≤ {ETP_MAX:g})"
            )
        if montant_retenu < 0:
            erreurs.append(
                f"montant_retenu : {montant_retenu!r} n'est pas un montant valide (attendu : montant en € positif ou nul)"
            )
    if erreurs:
        raise ValueError("Décision invalide : " + " ; ".join(erreurs) + ".")
    return float(etp_retenus), float(montant_retenu)  # type: ignore[arg-type]


def _est_nombre(valeur: object) -> bool:
    return isinstance(valeur, numbers.Real) and not isinstance(valeur, bool)


def _check_yaml(texte: str) -> None:
    try:
        yaml.safe_load(texte)
    except yaml.YAMLError as exc:
        marque = getattr(exc, "problem_mark", None)
        ou = f"ligne {marque.line + 1}, colonne {marque.column + 1}" if marque is not None else "position inconnue"
        probleme = getattr(exc, "problem", None) or str(exc)
        raise ValueError(
            f"Projets ajoutés : le texte YAML est illisible à la {ou} (détail technique : {probleme}). "
            "Rien n'a été enregistré."
        ) from exc


def _nom_comite(comite: str) -> str:
    return "comité technique national" if comite == COMITE_NATIONAL else f"comité de la région {comite}"


def _date_lisible(horodatage: str) -> str:
    """`2025-07-04T08:05:00+00:00` → `04/07/2025 à 08:05 UTC` (pour les messages d'erreur seulement)."""
    try:
        return datetime.fromisoformat(horodatage).astimezone(UTC).strftime("%d/%m/%Y à %H:%M UTC")
    except ValueError:
        return horodatage
