"""`python -m coverage bilans` : consolide des fichiers de bilans par territoire et écrit un CSV.

Même chemin que la page Bilans : structures et périmètres validés (`importer_fichiers`), bilans
validés contre ces structures (`importer_bilans`), puis `consolider`. Codes de sortie : 0 si le CSV
est écrit, 1 si un fichier est invalide (chaque problème sur la sortie d'erreur avec fichier, ligne
et colonne) ou si la sortie ne peut pas être écrite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from coverage.bilans.consolidation import NiveauConsolidation, consolider
from coverage.bilans.validation import importer_bilans
from coverage.documents.exports import exporter_csv
from coverage.documents.format import format_nombre
from coverage.sources.donnees import importer_fichiers
from coverage.sources.lecture import Probleme
from geo.reference import Referentiel

__all__ = ["executer_bilans"]


def _erreur(message: str) -> None:
    print(message, file=sys.stderr)


def _lire(chemin: Path | None) -> tuple[bytes, str] | None:
    return None if chemin is None else (Path(chemin).read_bytes(), Path(chemin).name)


def _refuser(erreurs: tuple[Probleme, ...], avertissements: tuple[Probleme, ...]) -> bool:
    """Écrit les problèmes sur la sortie d'erreur ; True s'il y a des erreurs."""
    for probleme in avertissements:
        _erreur(f"Avertissement : {probleme}")
    for probleme in erreurs:
        _erreur(str(probleme))
    if erreurs:
        n = len(erreurs)
        _erreur(f"{format_nombre(n)} erreur{'s' if n > 1 else ''} : rien n'a été consolidé (corrigez le fichier et relancez).")
    return bool(erreurs)


def executer_bilans(
    *,
    bilans: Path,
    repartitions: Path | None = None,
    structures: Path,
    perimetres: Path,
    niveau: NiveauConsolidation,
    sortie: Path,
    annee: int | None = None,
    referentiel: Referentiel | None = None,
) -> int:
    """Consolide les bilans au `niveau` pour `annee` (défaut : la plus récente du fichier) et écrit `sortie`.

    Le CSV (`;`, UTF-8 avec BOM, virgule décimale) a une ligne par territoire : `code`, `nom`,
    `annee`, comptes de structures, chaque indicateur (`heures_insertion_total`,
    `heures_insertion_etat`, … `territoires_concernes`), puis `heures_par_etp_total`,
    `heures_par_etp_etat`, `part_heures_etat`, `evolution_heures`, `part_heures_porteur`.

    Returns
    -------
    int : 0 si le fichier est écrit, 1 sinon.
    """
    if referentiel is None:
        from geo.reference import charger_referentiel

        referentiel = charger_referentiel()
    try:
        base = importer_fichiers(structures=_lire(structures), perimetres=_lire(perimetres), referentiel=referentiel)
        if _refuser(base.erreurs, base.avertissements):
            return 1
        resultat = importer_bilans(bilans=_lire(bilans), repartitions=_lire(repartitions),
                                   structures=base.donnees.structures, referentiel=referentiel)
    except OSError as exc:
        _erreur(f"{exc.filename} : fichier introuvable ou illisible ({exc.strerror}).")
        return 1
    if _refuser(resultat.erreurs, resultat.avertissements):
        return 1
    annees = sorted(resultat.bilans["annee"].unique())
    annee = annee if annee is not None else int(annees[-1])
    if annee not in annees:
        _erreur(f"aucun bilan de l'année {annee} dans {Path(bilans).name} (années présentes : "
                f"{', '.join(map(str, annees))}).")
        return 1
    table = consolider(resultat.bilans, base.donnees.structures, referentiel=referentiel, niveau=niveau, annee=annee)
    try:
        Path(sortie).parent.mkdir(parents=True, exist_ok=True)
        Path(sortie).write_bytes(exporter_csv(table))
    except OSError as exc:
        _erreur(f"{sortie} : impossible d'écrire le fichier ({exc.strerror}).")
        return 1
    print(_resume(table, annee=annee, niveau=niveau, sortie=Path(sortie)))
    return 0


def _resume(table: pd.DataFrame, *, annee: int, niveau: str, sortie: Path) -> str:
    etp = float(table["etp_subventionnes"].sum())
    heures = float(table["heures_insertion_total"].sum())
    etat = float(table["heures_insertion_etat"].sum())
    par_etp = format_nombre(heures / etp) if etp else "—"
    par_etp_etat = format_nombre(etat / etp) if etp else "—"
    libelle = {"departement": "département", "region": "région", "france": "France"}[niveau]
    return (
        f"Bilans {annee} consolidés par {libelle} : {format_nombre(len(table))} territoire(s), "
        f"{format_nombre(int(table['structures'].sum()))} structure(s), {format_nombre(heures)} heures d'insertion "
        f"({par_etp} par ETP subventionné ; marchés de l'État : {par_etp_etat} par ETP).\n"
        f"Fichier écrit : {sortie}"
    )
