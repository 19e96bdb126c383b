"""Calculs partagés par les règles de l'appel : plafonds, arrondis au centime, formats, années PNAD.

Chaque plafond a une seule définition, qui accepte indifféremment des scalaires ou des tableaux
numpy : `coverage.financement.regles` (un dossier) et `coverage.financement.evaluation` (toute la
table, vectorisée) s'en servent tous deux, et un test vérifie qu'ils concordent.

Montants en euros (€) pour 12 mois, ETP en équivalents temps plein.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from coverage.documents.format import ESPACE, format_nombre
from coverage.financement.parametres import ParametresCampagne

# --------------------------------------------------------------------------------------------
# Formats français : ceux de `coverage.documents.format` (espaces insécables), plus l'ETP et le taux
# --------------------------------------------------------------------------------------------


def format_etp(etp: float) -> str:
    """Nombre d'ETP : « 0,5 ETP » (deux décimales au plus, zéros finaux retirés)."""
    return f"{format_nombre(etp, 2, compact=True, manquant='non renseigné')}{ESPACE}ETP"


def format_taux(taux: float) -> str:
    """Taux (0,7) en pourcentage : « 70 % », « 27,5 % » (une décimale au plus)."""
    return f"{format_nombre(taux * 100, 1, compact=True)}{ESPACE}%"


def format_taux_face_a(taux: float, seuil: float) -> str:
    """Taux mis en regard d'un seuil, avec les décimales qui comptent : 29,9975 % n'est pas « 30 % ».

    Une décimale au plus, davantage (jusqu'à six) tant que l'arrondi se confondrait avec le seuil
    alors que le taux en diffère : `format_taux_face_a(0.299975, 0.30)` → « 29,998 % ».
    """
    for decimales in range(1, 7):
        texte = format_nombre(taux * 100, decimales, compact=True)
        if taux == seuil or texte != format_nombre(seuil * 100, decimales, compact=True):
            return f"{texte}{ESPACE}%"
    return f"{format_nombre(taux * 100, 6, compact=True)}{ESPACE}%"


# --------------------------------------------------------------------------------------------
# Calculs partagés (scalaires ou tableaux numpy) : une seule définition de chaque plafond
# --------------------------------------------------------------------------------------------

TOLERANCE_EUROS = 0.005  # un demi-centime : comparaisons de montants arrondis au centime
TOLERANCE_BUDGET = 1.0  # € : écart admis entre le coût et la somme des ressources du budget
TOLERANCE_ETP = 1e-9


def centimes_bas(montant: Any) -> Any:
    """Arrondi au centime inférieur (jamais au-dessus d'un plafond), corrigé des erreurs d'arrondi
    binaire (0,7 × 22 000 = 15 399,999… → 15 400,00)."""
    return np.floor(np.asarray(montant, dtype=float) * 100 + 1e-6) / 100


def plafond_70(cout: Any, parametres: ParametresCampagne) -> Any:
    """70 % du coût annuel total, au centime inférieur [€]."""
    return centimes_bas(parametres.taux_max_aap * np.maximum(np.asarray(cout, dtype=float), 0.0))


def plafond_etp(etp: Any, derogation: Any, parametres: ParametresCampagne) -> Any:
    """29 473 € × ETP, au centime inférieur [€] ; +inf si la dérogation est accordée."""
    plafond = centimes_bas(parametres.plafond_etp * np.maximum(np.asarray(etp, dtype=float), 0.0))
    return np.where(np.asarray(derogation, dtype=bool), np.inf, plafond)


def plafond_80(collectivite: Any, cout: Any, autres_etat: Any, parametres: ParametresCampagne) -> Any:
    """Collectivité : 80 % du coût − autres financements de l'État [€] ; +inf sinon."""
    plafond = centimes_bas(
        parametres.taux_max_etat_collectivite * np.maximum(np.asarray(cout, dtype=float), 0.0)
        - np.asarray(autres_etat, dtype=float)
    )
    return np.where(np.asarray(collectivite, dtype=bool), plafond, np.inf)


# Ordre de présentation quand plusieurs plafonds sont égaux (ex. 42 104,29 € par ETP).
PLAFONDS = ("70 %", "plafond par ETP", "80 % État", "montant demandé")


def min_plafonds(demande: Any, p70: Any, petp: Any, p80: Any) -> tuple[Any, Any]:
    """Le plus petit des plafonds et l'indice (dans `PLAFONDS`) de celui qui limite."""
    pile = np.stack(
        np.broadcast_arrays(
            np.asarray(p70, dtype=float),
            np.asarray(petp, dtype=float),
            np.asarray(p80, dtype=float),
            centimes_bas(np.maximum(np.asarray(demande, dtype=float), 0.0)),
        )
    )
    indice = np.argmin(pile, axis=0)  # premier minimum : l'ordre de PLAFONDS départage les égalités
    return np.take_along_axis(pile, indice[None, ...], axis=0)[0], indice


def annees_pnad(valeur: Any) -> set[int]:
    """« 2022,2023,2024 » → {2022, 2023, 2024} ; ensemble vide si rien n'est renseigné."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or valeur is pd.NA:
        return set()
    if isinstance(valeur, (set, frozenset, list, tuple)):
        return {int(a) for a in valeur}
    return {int(a) for a in str(valeur).replace(";", ",").replace(" ", ",").split(",") if a.strip().isdigit()}


def annees_texte(annees: tuple[int, ...] | list[int]) -> str:
    annees = sorted(annees)
    if len(annees) <= 1:
        return "".join(str(a) for a in annees)
    return ", ".join(str(a) for a in annees[:-1]) + f" et {annees[-1]}"
