"""Ouverture de l'espace de travail : où est la base, quel moteur, création et amorçage avec la démonstration.

`FACILITATEURS_ESPACE` (ou le paramètre de `ouvrir_espace`) est soit un chemin de fichier SQLite
(défaut : `data/espace.sqlite`), soit une adresse `postgresql://…` (serveur partagé par plusieurs
instances de l'application). Le module PostgreSQL (et psycopg) n'est importé que dans ce cas.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from coverage.espace.protocole import AUTEUR_INITIALISATION, LIBELLE_DEMO, DepotEspace, SourceVersion
from coverage.espace.sqlite import DELAI_ATTENTE_S, EspaceSQLite
from coverage.modele import DOSSIER_DONNEES, DonneesFacilitateurs

VARIABLE_CHEMIN = "FACILITATEURS_ESPACE"
"""Variable d'environnement qui donne le chemin de la base ou l'adresse du serveur (prioritaire sur le défaut)."""

PREFIXES_POSTGRES = ("postgresql://", "postgres://")


def est_adresse_postgres(cible: object) -> bool:
    """True si `cible` est une adresse de serveur PostgreSQL (`postgresql://…` ou `postgres://…`).

    Examples
    --------
    >>> est_adresse_postgres("postgresql://facilitateurs@db.interne/espace"), est_adresse_postgres("data/espace.sqlite")
    (True, False)
    """
    return isinstance(cible, str) and cible.strip().lower().startswith(PREFIXES_POSTGRES)


def resoudre_cible(cible: str | os.PathLike[str] | None = None) -> str | Path:
    """L'espace à ouvrir : adresse `postgresql://…` (texte) ou chemin SQLite (`resoudre_chemin`).

    Même ordre de priorité que `resoudre_chemin` : le paramètre, sinon `FACILITATEURS_ESPACE`, sinon
    `data/espace.sqlite`.
    """
    if cible is None:
        cible = os.environ.get(VARIABLE_CHEMIN, "").strip() or None
    if est_adresse_postgres(cible):
        return str(cible).strip()
    return resoudre_chemin(cible)

CHEMIN_PAR_DEFAUT = DOSSIER_DONNEES / "espace.sqlite"
"""Chemin par défaut de la base : `data/espace.sqlite` à la racine du dépôt (ignoré par git)."""


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
) -> DepotEspace:
    """Ouvre l'espace de travail (le crée au besoin) et l'amorce s'il ne contient aucune version.

    Parameters
    ----------
    chemin : str or path-like, optional
        Fichier SQLite (le dossier parent est créé au besoin) ou adresse `postgresql://…` (la base
        doit exister) ; par défaut `resoudre_cible()` : variable `FACILITATEURS_ESPACE`, sinon
        `data/espace.sqlite` à la racine du dépôt.
    initialiser_avec : callable, optional
        Fonction sans argument qui renvoie les données de démonstration. Appelée seulement si la
        base ne contient encore aucune version ; ses données deviennent la version 1 active
        (source `demo` si `donnees.demo`, sinon `import`). Si deux processus amorcent la même
        base en même temps, un seul enregistre.
    horloge : callable, optional
        Renvoie l'instant courant (datetime avec fuseau) ; par défaut l'horloge système en UTC.
        Les tests la fixent pour obtenir des horodatages connus.
    delai_attente_s : float
        Attente maximale d'un verrou tenu par un autre processus (ou d'une connexion), en secondes.

    Returns
    -------
    EspaceSQLite or EspacePostgres
        Les deux implémentent `DepotEspace`.

    Raises
    ------
    EspaceIndisponible
        Base verrouillée, corrompue, serveur injoignable (message en français).

    Examples
    --------
    >>> espace = ouvrir_espace(tmp / "espace.sqlite", initialiser_avec=generer_demo)  # doctest: +SKIP
    >>> espace.version_active()  # doctest: +SKIP
    1
    """
    cible = resoudre_cible(chemin)
    espace: DepotEspace
    if isinstance(cible, str):
        from coverage.espace.postgres import EspacePostgres

        espace = EspacePostgres(cible, horloge=horloge, delai_attente_s=delai_attente_s)
    else:
        espace = EspaceSQLite(cible, horloge=horloge, delai_attente_s=delai_attente_s)
    if initialiser_avec is not None and espace.est_vide():
        donnees = initialiser_avec()
        espace._enregistrer_version(  # type: ignore[attr-defined]
            donnees,
            auteur=AUTEUR_INITIALISATION,
            libelle=LIBELLE_DEMO if donnees.demo else (donnees.source or "Données initiales"),
            source=SourceVersion.DEMO if donnees.demo else SourceVersion.IMPORT,
            base_version=0,
            seulement_si_vide=True,
        )
    return espace
