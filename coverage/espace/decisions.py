"""Décisions des comités de sélection, en ajout seul, avec concurrence optimiste (`ConflitEdition`)."""

from __future__ import annotations

import pandas as pd

from coverage.espace.base import Magasin
from coverage.espace.controles import _check_base, _check_comite, _check_decision, _check_montants, _check_motif, _check_texte
from coverage.espace.protocole import Decision, conflit_decision
from coverage.espace.tables import _COLONNES_DECISIONS, _tableau


class Decisions(Magasin):
    """Méthodes du magasin pour les décisions des comités (voir `DepotEspace`)."""

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
        attendue = _check_base(version_attendue, "version_attendue")
        horodatage = self._maintenant()
        with self._ecriture(f"decision:{comite}:{id_dossier}") as cx:
            courante = cx.execute(
                "SELECT version, auteur, horodatage FROM decisions_courantes WHERE comite = ? AND id_dossier = ?",
                (comite, id_dossier),
            ).fetchone()
            numero = 0 if courante is None else int(courante[0])
            if numero != attendue:
                raise conflit_decision(
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
