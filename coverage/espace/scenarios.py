"""Scénarios du simulateur d'allocation : paramètres, tableaux de résultats, journal des actions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from coverage.espace.base import Magasin, _inserer
from coverage.espace.controles import _check_base, _check_texte
from coverage.espace.protocole import ElementIntrouvable, Scenario, conflit_scenario
from coverage.espace.tables import _COLONNES_JOURNAL, _COLONNES_SCENARIOS, _depuis_parquet, _tableau, _vers_json, _vers_parquet
from coverage.espace.versions import _check_version_active


class Scenarios(Magasin):
    """Méthodes du magasin pour les scénarios (voir `DepotEspace`)."""

    def enregistrer_scenario(
        self,
        *,
        nom: str,
        auteur: str,
        parametres: Mapping[str, Any],
        resultats: Mapping[str, pd.DataFrame],
        base_version: int | None,
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
        base_version : int
            Version des données sur laquelle le scénario a été calculé (enregistrée avec lui).
            Elle doit être encore la version active : sinon le calcul porte sur des données
            remplacées entre-temps, rien n'est écrit et `ConflitEdition` est levée (recalculer).

        Returns
        -------
        int
            Identifiant du scénario.

        Raises
        ------
        ValueError
            Nom ou auteur vide, nom déjà pris, paramètres non JSON, tableau impossible à enregistrer.
        ConflitEdition
            La version active des données n'est plus `base_version`.
        """
        base = _check_base(base_version)
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
        with self._ecriture("versions", "scenarios") as cx:  # la version lue reste active jusqu'à la fin
            _check_version_active(cx, base)
            _check_nom_libre(cx, nom)
            identifiant = _inserer(
                cx,
                "INSERT INTO scenarios (nom, auteur, horodatage, id_version, parametres) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (nom, auteur, horodatage, base, texte_parametres),
            )
            cx.executemany(
                "INSERT INTO tables_scenario (id_scenario, nom_table, ordre, nb_lignes, parquet) VALUES (?, ?, ?, ?, ?)",
                [(identifiant, nom_table, ordre, nb_lignes, blob) for nom_table, ordre, nb_lignes, blob in blobs],
            )
            _journaliser_scenario(cx, identifiant, "creation", horodatage, auteur, "")
        return identifiant

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
            version = _derniere_action(cx, id)[0]
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
            version=version,
        )

    def dupliquer_scenario(self, id: int, nouveau_nom: str, *, auteur: str, base_version: int | None) -> int:
        """Copie un scénario (paramètres, tableaux, version des données) sous un nouveau nom.

        Un scénario supprimé peut être dupliqué : c'est ainsi qu'on le récupère. `base_version` est
        la version du scénario affiché (`Scenario.version`) : s'il a été renommé ou supprimé depuis,
        rien n'est écrit et `ConflitEdition` est levée.

        Returns
        -------
        int
            Identifiant de la copie (son `id_origine` vaut `id`).
        """
        base = _check_base(base_version)
        nouveau_nom = _check_texte(nouveau_nom, "Le nom du scénario")
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture("scenarios") as cx:
            ancien_nom = _nom_scenario(cx, id)
            _check_scenario_inchange(cx, id, ancien_nom, base)
            _check_nom_libre(cx, nouveau_nom)
            copie = _inserer(
                cx,
                "INSERT INTO scenarios (nom, auteur, horodatage, id_version, parametres, id_origine) "
                "SELECT ?, ?, ?, id_version, parametres, id FROM scenarios WHERE id = ? RETURNING id",
                (nouveau_nom, auteur, horodatage, int(id)),
            )
            cx.execute(
                "INSERT INTO tables_scenario (id_scenario, nom_table, ordre, nb_lignes, parquet) "
                "SELECT ?, nom_table, ordre, nb_lignes, parquet FROM tables_scenario WHERE id_scenario = ?",
                (copie, int(id)),
            )
            detail = f"copie du scénario {int(id)} « {ancien_nom} »"
            _journaliser_scenario(cx, copie, "duplication", horodatage, auteur, detail)
        return copie

    def renommer_scenario(self, id: int, nouveau_nom: str, *, auteur: str, base_version: int | None) -> None:
        """Renomme un scénario non supprimé ; l'ancien nom reste dans l'historique.

        `base_version` : version du scénario affiché ; `ConflitEdition` s'il a changé depuis.
        """
        base = _check_base(base_version)
        nouveau_nom = _check_texte(nouveau_nom, "Le nom du scénario")
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture("scenarios") as cx:
            ancien_nom = _nom_scenario(cx, id)
            _check_scenario_inchange(cx, id, ancien_nom, base)
            _nom_scenario(cx, id, actif=True)
            if ancien_nom == nouveau_nom:
                return
            _check_nom_libre(cx, nouveau_nom)
            cx.execute("UPDATE scenarios SET nom = ? WHERE id = ?", (nouveau_nom, int(id)))
            _journaliser_scenario(cx, int(id), "renommage", horodatage, auteur, f"« {ancien_nom} » → « {nouveau_nom} »")

    def supprimer_scenario(self, id: int, *, auteur: str, base_version: int | None) -> None:
        """Supprime un scénario de la liste ; il reste consultable (`charger_scenario`, historique).

        `base_version` : version du scénario affiché ; `ConflitEdition` s'il a changé depuis.
        """
        base = _check_base(base_version)
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture("scenarios") as cx:
            nom = _nom_scenario(cx, id)
            _check_scenario_inchange(cx, id, nom, base)
            _nom_scenario(cx, id, actif=True)
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



def _nom_scenario(cx: Any, id: int, *, actif: bool = False) -> str:
    ligne = cx.execute("SELECT nom, supprime FROM scenarios WHERE id = ?", (int(id),)).fetchone()
    if ligne is None:
        raise ElementIntrouvable(f"Le scénario {id} n'existe pas dans l'espace de travail.")
    if actif and ligne[1]:
        raise ValueError(f"Le scénario {id} « {ligne[0]} » a été supprimé : dupliquez-le pour le reprendre.")
    return ligne[0]


def _derniere_action(cx: Any, id: int) -> tuple[int, str, str, str]:
    """(numéro, action, auteur, horodatage) de la dernière ligne du journal du scénario : sa version."""
    ligne = cx.execute(
        "SELECT id, action, auteur, horodatage FROM journal_scenarios WHERE id_scenario = ? ORDER BY id DESC LIMIT 1",
        (int(id),),
    ).fetchone()
    return (0, "", "", "") if ligne is None else (int(ligne[0]), str(ligne[1]), str(ligne[2]), str(ligne[3]))


def _check_scenario_inchange(cx: Any, id: int, nom: str, base: int) -> None:
    """`ConflitEdition` si le scénario a été renommé, supprimé… depuis la version `base` lue par l'appelant."""
    version, action, auteur, horodatage = _derniere_action(cx, id)
    if version != base:
        raise conflit_scenario(id=int(id), nom=nom, version_attendue=base, version_courante=version, action=action,
                               auteur=auteur, horodatage=horodatage)


def _check_nom_libre(cx: Any, nom: str) -> None:
    if cx.execute("SELECT 1 FROM scenarios WHERE nom = ? AND supprime = 0", (nom,)).fetchone() is not None:
        raise ValueError(f"Un scénario nommé « {nom} » existe déjà : choisissez un autre nom.")


def _journaliser_scenario(
    cx: Any, id_scenario: int | None, action: str, horodatage: str, auteur: str, detail: str
) -> None:
    cx.execute(
        "INSERT INTO journal_scenarios (id_scenario, action, horodatage, auteur, detail) VALUES (?, ?, ?, ?, ?)",
        (id_scenario, action, horodatage, auteur, detail),
    )
