"""Les bilans au service de la campagne suivante : dernier bilan annuel d'une structure et signalements.

Appel, D 1 : les indicateurs d'évaluation « conditionnent le renouvellement de la subvention les
années suivantes ». Sur les écrans Simulation et Comité, chaque dossier montre le dernier bilan
annuel de sa structure ; il est signalé quand ce bilan manque ou est faible selon des seuils
réglables (`SeuilsBilans`), rappelés à l'écran. Les seuils par défaut sont des repères du produit,
pas des règles de l'appel : à fixer par la DREETS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coverage.bilans.consolidation import indicateurs_structures
from coverage.bilans.echeances import StatutRemise
from coverage.documents.format import format_nombre, format_pourcentage
from coverage.modele import Periode

__all__ = ["SeuilsBilans", "bilans_des_dossiers", "texte_seuils"]


@dataclass(frozen=True)
class SeuilsBilans:
    """Seuils sous lesquels le dernier bilan annuel d'une structure est signalé comme faible.

    heures_par_etp_min : heures d'insertion (tous marchés) par ETP subventionné, en heures.
    part_etat_min : part des heures dégagées sur les marchés de l'État (0,15 = 15 %) ; l'appel
        priorise les marchés de l'État (partie A et B 2-1).
    """

    heures_par_etp_min: float = 10_000.0
    part_etat_min: float = 0.15

    def __post_init__(self) -> None:
        if self.heures_par_etp_min < 0:
            raise ValueError(f"heures_par_etp_min : {self.heures_par_etp_min} (attendu : nombre d'heures positif ou nul).")
        if not 0 <= self.part_etat_min <= 1:
            raise ValueError(f"part_etat_min : {self.part_etat_min} (attendu : part entre 0 et 1, ex. 0.15 pour 15 %).")


def texte_seuils(seuils: SeuilsBilans, *, delai_jours: int) -> str:
    """La règle de signalement en une phrase, pour l'écran."""
    return (
        f"Bilan signalé s'il manque (bilan annuel non reçu plus de {delai_jours} jours après l'échéance de la dernière "
        f"convention), ou s'il est faible : moins de {format_nombre(seuils.heures_par_etp_min)} heures d'insertion "
        f"par ETP subventionné, ou moins de {format_pourcentage(seuils.part_etat_min, 0)} des heures sur les marchés "
        "de l'État."
    )


def bilans_des_dossiers(
    structures_dossiers: pd.Series,
    bilans: pd.DataFrame,
    suivi: pd.DataFrame,
    *,
    seuils: SeuilsBilans,
) -> pd.DataFrame:
    """Dernier bilan annuel et signalement de la structure de chaque dossier.

    Parameters
    ----------
    structures_dossiers : `id_structure` de chaque dossier (index conservé).
    bilans : table `bilans` validée.
    suivi : `coverage.bilans.echeances.suivi_remises` (statut de chaque bilan attendu).
    seuils : seuils de signalement.

    Returns
    -------
    DataFrame indexé comme `structures_dossiers` : `annee_bilan` (année du dernier bilan annuel reçu,
    0 si aucun), `heures_par_etp_total`, `heures_par_etp_etat`, `part_heures_etat`,
    `marches_accompagnes_total`, `marches_accompagnes_etat`, `evolution_heures`,
    `bilan_manquant` (bool), `bilan_faible` (bool), `signalement` (phrase, vide si rien à signaler).
    """
    derniers = _derniers_annuels(bilans)
    manquants = _manquants(suivi)
    table = pd.DataFrame({"id_structure": structures_dossiers.astype(str)}, index=structures_dossiers.index)
    colonnes = ["annee_bilan", "heures_par_etp_total", "heures_par_etp_etat", "part_heures_etat",
                "marches_accompagnes_total", "marches_accompagnes_etat", "evolution_heures"]
    table = table.join(derniers[colonnes], on="id_structure")
    table["annee_bilan"] = table["annee_bilan"].fillna(0).astype(int)
    table["bilan_manquant"] = table["id_structure"].map(manquants).notna()
    faible_heures = table["heures_par_etp_total"] < seuils.heures_par_etp_min
    faible_etat = table["part_heures_etat"] < seuils.part_etat_min
    table["bilan_faible"] = faible_heures | faible_etat
    table["signalement"] = [
        _phrase(m, annee_m, fh, fe, ligne, seuils)
        for m, annee_m, fh, fe, ligne in zip(table["bilan_manquant"], table["id_structure"].map(manquants), faible_heures,
                                             faible_etat, table.itertuples(), strict=True)
    ]
    return table.drop(columns="id_structure")


def _derniers_annuels(bilans: pd.DataFrame) -> pd.DataFrame:
    annuels = bilans[bilans["periode"] == Periode.ANNUEL.value]
    if annuels.empty:
        return pd.DataFrame(columns=["annee_bilan", "heures_par_etp_total", "heures_par_etp_etat", "part_heures_etat",
                                     "marches_accompagnes_total", "marches_accompagnes_etat", "evolution_heures"],
                            index=pd.Index([], name="id_structure"))
    parts = [indicateurs_structures(annuels, int(a)).assign(annee_bilan=int(a)) for a in sorted(annuels["annee"].unique())]
    return pd.concat(parts).reset_index().drop_duplicates("id_structure", keep="last").set_index("id_structure")


def _manquants(suivi: pd.DataFrame) -> pd.Series:
    """Année de la dernière convention de chaque structure dont le bilan annuel est manquant."""
    annuel = suivi[suivi["periode"] == Periode.ANNUEL.value]
    dernier = annuel.sort_values("annee").drop_duplicates("id_structure", keep="last")
    manquant = dernier[dernier["statut"] == StatutRemise.MANQUANT.value]
    return manquant.set_index("id_structure")["annee"]


def _phrase(manquant: bool, annee_manquante: float, faible_heures: bool, faible_etat: bool, ligne, seuils: SeuilsBilans) -> str:
    motifs = []
    if manquant:
        motifs.append(f"bilan annuel {int(annee_manquante)} manquant")
    if faible_heures:
        motifs.append(f"{format_nombre(ligne.heures_par_etp_total)} h par ETP au bilan {ligne.annee_bilan} "
                      f"(seuil {format_nombre(seuils.heures_par_etp_min)})")
    if faible_etat:
        motifs.append(f"{format_pourcentage(ligne.part_heures_etat, 0)} des heures sur les marchés de l'État au bilan "
                      f"{ligne.annee_bilan} (seuil {format_pourcentage(seuils.part_etat_min, 0)})")
    texte = " ; ".join(motifs)
    return texte[:1].upper() + texte[1:]
