"""Textes et fichiers déposés par les utilisateurs : grands projets ajoutés (YAML) et fichiers de besoins."""

from __future__ import annotations

from typing import Any

import pandas as pd

from coverage.espace.base import Magasin, _inserer
from coverage.espace.controles import _check_base, _check_courante, _check_texte, _check_yaml
from coverage.espace.protocole import ElementIntrouvable
from coverage.espace.tables import _COLONNES_PROJETS, _tableau


FICHIERS_BESOINS_CONSERVES = 3
"""Fichiers de besoins gardés par type (le fichier actif et les deux précédents) : à chaque import, les
plus anciens sont effacés du magasin (un DECP national pèse des centaines de Mo)."""


class Fichiers(Magasin):
    """Méthodes du magasin pour les projets ajoutés et les fichiers de besoins (voir `DepotEspace`)."""

    def enregistrer_projets_utilisateur(self, yaml_text: str, *, auteur: str, base_version: int | None) -> int:
        """Enregistre une nouvelle version du texte YAML des grands projets ajoutés par les utilisateurs.

        Le texte doit être du YAML lisible (le contenu des projets est vérifié par le module des
        grands projets) ; un texte vide efface les ajouts, l'historique gardant les versions.
        `base_version` est la version du texte lue par l'appelant (`version_projets_utilisateur`,
        0 ou None si aucune) : si une autre version a été enregistrée entre-temps, rien n'est écrit
        et `ConflitEdition` est levée.

        Returns
        -------
        int
            Identifiant de la version enregistrée.

        Raises
        ------
        ValueError
            Texte YAML illisible (avec la ligne) ou auteur vide.
        ConflitEdition
            Le texte a changé depuis la lecture.
        """
        base = _check_base(base_version)
        if not isinstance(yaml_text, str):
            raise TypeError(f"Le texte des projets doit être une chaîne YAML (reçu : {type(yaml_text).__name__}).")
        auteur = _check_texte(auteur, "L'auteur")
        _check_yaml(yaml_text)
        horodatage = self._maintenant()
        with self._ecriture("projets") as cx:
            courante = cx.execute("SELECT id, auteur, horodatage FROM projets_utilisateur ORDER BY id DESC LIMIT 1").fetchone()
            _check_courante(courante, base, quoi="les grands projets ajoutés", objet="projets")
            return _inserer(
                cx,
                "INSERT INTO projets_utilisateur (yaml, auteur, horodatage) VALUES (?, ?, ?) RETURNING id",
                (yaml_text, auteur, horodatage),
            )

    def version_projets_utilisateur(self) -> int:
        """Identifiant de la dernière version du texte des projets ajoutés (0 s'il n'y en a aucune)."""
        with self._lecture() as cx:
            return int(cx.execute("SELECT COALESCE(MAX(id), 0) FROM projets_utilisateur").fetchone()[0])

    # --- Fichiers de besoins -------------------------------------------------------------------

    def enregistrer_fichier_besoins(
        self, type: str, *, nom_fichier: str, contenu: bytes, auteur: str, base_version: int | None
    ) -> int:
        """Garde un fichier de besoins (`decp`, `qpv`, `npnru`) déjà validé ; il devient le fichier actif de son type.

        Le fichier est stocké tel que déposé : il est relu (et revalidé) à chaque chargement. Règle de
        conservation : seuls les `FICHIERS_BESOINS_CONSERVES` derniers fichiers de ce type restent
        (l'actif compris) ; les plus anciens sont effacés, contenu et ligne d'historique.
        `base_version` est l'identifiant du fichier actif de ce type que l'appelant a affiché (0 ou
        None : aucun) ; si un autre fichier est devenu actif entre-temps, rien n'est écrit et
        `ConflitEdition` est levée.
        """
        _check_type_besoins(type)
        base = _check_base(base_version)
        auteur = _check_texte(auteur, "L'auteur")
        horodatage = self._maintenant()
        with self._ecriture(f"besoins:{type}") as cx:
            _check_besoins_actif(cx, type, base)
            cx.execute("UPDATE fichiers_besoins SET actif = 0 WHERE type = ?", (type,))
            identifiant = _inserer(
                cx,
                "INSERT INTO fichiers_besoins (type, nom_fichier, contenu, auteur, horodatage) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                (type, nom_fichier, bytes(contenu), auteur, horodatage),
            )
            cx.execute(
                "DELETE FROM fichiers_besoins WHERE type = ? AND actif = 0 AND id NOT IN "
                "(SELECT id FROM fichiers_besoins WHERE type = ? ORDER BY id DESC LIMIT ?)",
                (type, type, FICHIERS_BESOINS_CONSERVES),
            )
        return identifiant

    def retirer_fichier_besoins(self, type: str, *, auteur: str, base_version: int | None) -> None:
        """Revient à l'échantillon de démonstration pour ce type (le fichier reste dans l'historique).

        `base_version` : identifiant du fichier actif affiché ; `ConflitEdition` s'il a changé.
        """
        _check_type_besoins(type)
        base = _check_base(base_version)
        _check_texte(auteur, "L'auteur")
        with self._ecriture(f"besoins:{type}") as cx:
            _check_besoins_actif(cx, type, base)
            cx.execute("UPDATE fichiers_besoins SET actif = 0 WHERE type = ?", (type,))

    def fichiers_besoins_actifs(self) -> dict[str, tuple[int, str]]:
        """`{type: (id, nom_fichier)}` des fichiers actifs, sans leur contenu : une clé de cache qui ne
        relit pas un DECP de 500 Mo à chaque exécution de page (le contenu d'un id ne change jamais)."""
        with self._lecture() as cx:
            lignes = cx.execute(
                "SELECT type, id, nom_fichier FROM fichiers_besoins WHERE actif = 1 ORDER BY id"
            ).fetchall()
        return {str(t): (int(i), str(n)) for t, i, n in lignes}

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


def _check_type_besoins(type: str) -> None:
    if type not in ("decp", "qpv", "npnru"):
        raise ValueError(f"Type de fichier de besoins inconnu : « {type} » (attendu : decp, qpv, npnru).")


def _check_besoins_actif(cx: Any, type: str, base: int) -> None:
    courant = cx.execute(
        "SELECT id, auteur, horodatage FROM fichiers_besoins WHERE type = ? AND actif = 1 ORDER BY id DESC LIMIT 1", (type,)
    ).fetchone()
    _check_courante(courant, base, quoi=f"le fichier de besoins {type.upper()}", objet=f"besoins:{type}")

