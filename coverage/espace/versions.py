"""Versions des données des facilitateurs (structures, périmètres, dossiers) et journal des activations.

Chaque import ou modification est une version datée ; une seule est active, on peut revenir à une
version antérieure sans rien effacer.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from coverage.espace.base import Magasin, _inserer
from coverage.espace.controles import _check_base, _check_courante, _check_source, _check_texte
from coverage.espace.protocole import TABLES_DONNEES, ElementIntrouvable, SourceVersion
from coverage.espace.tables import _COLONNES_ACTIVATIONS, _COLONNES_VERSIONS, _depuis_parquet, _tableau, _vers_parquet
from coverage.modele import DonneesFacilitateurs


class VersionsDonnees(Magasin):
    """Méthodes du magasin pour les versions des données (voir `DepotEspace`)."""

    def enregistrer_version(
        self,
        donnees: DonneesFacilitateurs,
        *,
        auteur: str,
        libelle: str,
        source: SourceVersion | str,
        base_version: int | None,
    ) -> int:
        """Enregistre une nouvelle version des données des facilitateurs et la rend active.

        Les trois tables (structures, périmètres, dossiers — éventuellement vide) sont écrites en
        Parquet dans une seule transaction : si une étape échoue, rien n'est écrit et la version
        active reste la précédente.

        Concurrence optimiste : `base_version` est la version active que l'appelant a affichée
        (celle dont ses données sont tirées, ou qu'un import remplace). Si une autre version est
        devenue active entre-temps (import, modification ou restauration par quelqu'un d'autre),
        rien n'est écrit et `ConflitEdition` est levée : l'appelant recharge puis recommence.

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
        base_version : int or None
            Version active lue par l'appelant (None ou 0 : espace vide).

        Returns
        -------
        int
            Identifiant de la nouvelle version (croissant).

        Raises
        ------
        ValueError
            Auteur ou libellé vide, source inconnue, table impossible à enregistrer (message en français).
        ConflitEdition
            La version active n'est plus `base_version`.
        """
        identifiant = self._enregistrer_version(
            donnees, auteur=auteur, libelle=libelle, source=source, base_version=base_version
        )
        assert identifiant is not None
        return identifiant

    def _enregistrer_version(
        self,
        donnees: DonneesFacilitateurs,
        *,
        auteur: str,
        libelle: str,
        source: SourceVersion | str,
        base_version: int | None,
        seulement_si_vide: bool = False,
    ) -> int | None:
        base = _check_base(base_version)
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
        with self._ecriture("versions") as cx:
            if seulement_si_vide and cx.execute("SELECT 1 FROM versions_donnees LIMIT 1").fetchone() is not None:
                return None
            _check_version_active(cx, base)
            identifiant = _inserer(
                cx,
                "INSERT INTO versions_donnees (horodatage, auteur, libelle, source, demo, description_source) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (horodatage, auteur, libelle, source.value, int(bool(donnees.demo)), str(donnees.source or "")),
            )
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

    def restaurer_version(self, id: int, *, auteur: str, base_version: int | None) -> None:
        """Rend active une version antérieure des données ; l'historique garde qui et quand.

        Aucune version n'est effacée : la restauration ajoute une ligne au journal des
        activations (`historique_activations`).

        Parameters
        ----------
        id : int
            Version à rendre active.
        auteur : str
            Nom de la personne qui restaure (non vide).
        base_version : int or None
            Version active affichée quand la personne a choisi de restaurer.

        Raises
        ------
        ElementIntrouvable
            Version inconnue (rien n'est écrit).
        ConflitEdition
            La version active n'est plus `base_version` (rien n'est écrit).
        """
        base = _check_base(base_version)
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture("versions") as cx:
            _check_version_active(cx, base)
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


def _inserer_table_version(
    cx: Any, id_version: int, nom_table: str, blob: bytes, nb_lignes: int
) -> None:
    """Insère une table d'une version des données (une étape de la transaction d'enregistrement)."""
    cx.execute(
        "INSERT INTO tables_version (id_version, nom_table, nb_lignes, parquet) VALUES (?, ?, ?, ?)",
        (id_version, nom_table, nb_lignes, blob),
    )


def _check_version_active(cx: Any, base: int) -> None:
    """Refuse l'écriture si la version active n'est plus celle que l'appelant a lue (`ConflitEdition`)."""
    ligne = cx.execute("SELECT id_version, auteur, horodatage FROM activations ORDER BY id DESC LIMIT 1").fetchone()
    _check_courante(ligne, base, quoi="les données des facilitateurs", objet="donnees")


def _version_active(cx: Any) -> int:
    ligne = cx.execute("SELECT id_version FROM activations ORDER BY id DESC LIMIT 1").fetchone()
    if ligne is None:
        raise ElementIntrouvable(
            "L'espace de travail ne contient encore aucune version des données : importez des fichiers "
            "ou chargez les données de démonstration."
        )
    return int(ligne[0])
