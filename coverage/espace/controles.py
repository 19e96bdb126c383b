"""Contrôles des arguments des écritures, communs à tous les moteurs (messages en français).

Une seule définition de chaque règle (code de comité, décision, montants, texte obligatoire) : les
implémentations du magasin et le domaine (`coverage.financement.comite`) s'en servent.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

import yaml

from coverage.espace.protocole import COMITE_NATIONAL, Decision, SourceVersion, conflit_version
from coverage.modele import ETP_MAX


def _check_texte(valeur: object, quoi: str) -> str:
    """Texte obligatoire, espaces de début et de fin retirés ; `quoi` commence la phrase d'erreur."""
    if not isinstance(valeur, str) or not valeur.strip():
        raise ValueError(f"{quoi} est obligatoire (texte non vide ; reçu : {valeur!r}).")
    return valeur.strip()


def _check_base(valeur: object, nom: str = "base_version") -> int:
    """Version lue par l'appelant : entier ≥ 0, None ou 0 pour « aucune version lue »."""
    if valeur is None:
        return 0
    if isinstance(valeur, bool) or not isinstance(valeur, numbers.Integral) or int(valeur) < 0:
        raise ValueError(f"{nom} : {valeur!r} (attendu : la version lue, entier positif ou nul, ou None).")
    return int(valeur)


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


def _check_courante(ligne: Any, base: int, *, quoi: str, objet: str) -> None:
    """`ligne` = (id, auteur, horodatage) de la version courante, ou None ; `ConflitEdition` si ce n'est pas `base`."""
    courante = 0 if ligne is None else int(ligne[0])
    if courante != base:
        raise conflit_version(
            quoi=quoi, objet=objet, version_attendue=base, version_courante=courante,
            auteur="" if ligne is None else ligne[1], horodatage="" if ligne is None else ligne[2],
        )
