"""Mise en forme française des nombres, montants, pourcentages et dates (un seul endroit).

Choix typographique, appliqué partout : l'espace entre les milliers et l'espace avant `€` et `%`
sont des espaces insécables U+00A0 (`ESPACE`), pour qu'un montant ne soit jamais coupé en fin de
ligne dans un tableau ou une métrique Streamlit. La virgule est décimale. Les arrondis se font
« au plus proche, moitié vers le haut » sur l'écriture décimale du nombre (2,675 → 2,68), comme
on compte à la main, et non selon la représentation binaire du flottant.

Les fonctions acceptent None, NaN et NaT et rendent alors `manquant` (un tiret cadratin par
défaut).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

__all__ = ["ESPACE", "format_date", "format_euros", "format_nombre", "format_pourcentage"]

ESPACE = "\u00a0"
"""Espace insécable (U+00A0) : séparateur des milliers et espace avant `€` et `%`."""
MANQUANT = "—"


def _est_manquant(valeur: object) -> bool:
    if valeur is None or valeur is pd.NaT:
        return True
    try:
        return bool(pd.isna(valeur))
    except (TypeError, ValueError):
        return False


def format_nombre(
    valeur: float | int | None,
    decimales: int = 0,
    *,
    compact: bool = False,
    manquant: str = MANQUANT,
) -> str:
    """Écrit un nombre à la française : `1 234,5`.

    Parameters
    ----------
    valeur : le nombre (sans unité).
    decimales : nombre de chiffres après la virgule (arrondi moitié vers le haut).
    compact : si True, les zéros finaux de la partie décimale sont retirés (`1,50` → `1,5`,
        `2,00` → `2`).
    manquant : texte rendu pour None/NaN.

    Examples
    --------
    >>> format_nombre(1234.5, decimales=1)
    '1\\xa0234,5'
    """
    if _est_manquant(valeur):
        return manquant
    if isinstance(valeur, float | np.floating) and math.isinf(valeur):
        return ("-" if valeur < 0 else "") + "∞"
    arrondi = Decimal(repr(float(valeur)) if not isinstance(valeur, int | np.integer) else int(valeur)).quantize(
        Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP
    )
    if arrondi == 0:
        arrondi = abs(arrondi)  # pas de « -0,0 »
    entier, _, fraction = f"{abs(arrondi):f}".partition(".")
    if compact:
        fraction = fraction.rstrip("0")
    texte = f"{int(entier):,}".replace(",", ESPACE)
    if fraction:
        texte += "," + fraction
    return ("-" if arrondi < 0 else "") + texte


def format_euros(
    montant: float | int | None, *, centimes: bool | None = None, manquant: str = MANQUANT
) -> str:
    """Écrit un montant en euros : `29 473 €`, `14 736,50 €`.

    Parameters
    ----------
    montant : montant en euros.
    centimes : True : toujours deux décimales ; False : arrondi à l'euro ; None (défaut) : deux
        décimales seulement si le montant arrondi au centime n'est pas un nombre entier d'euros.

    Examples
    --------
    >>> format_euros(29473)
    '29\\xa0473\\xa0€'
    """
    if _est_manquant(montant):
        return manquant
    if centimes is None:
        au_centime = Decimal(repr(float(montant))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        centimes = au_centime != au_centime.to_integral_value()
    return f"{format_nombre(montant, 2 if centimes else 0)}{ESPACE}€"


def format_pourcentage(
    part: float | None, decimales: int = 1, *, manquant: str = MANQUANT
) -> str:
    """Écrit une part (0,589) en pourcentage : `58,9 %`.

    Parameters
    ----------
    part : la part, 1 = 100 %.
    decimales : chiffres après la virgule du pourcentage.

    Examples
    --------
    >>> format_pourcentage(0.589)
    '58,9\\xa0%'
    """
    if _est_manquant(part):
        return manquant
    pourcent = Decimal(repr(float(part))) * 100
    return f"{format_nombre(float(pourcent), decimales)}{ESPACE}%"


def format_date(date: dt.date | dt.datetime | pd.Timestamp | np.datetime64 | str | None, *, manquant: str = MANQUANT) -> str:
    """Écrit une date `jj/mm/aaaa` (l'heure éventuelle est ignorée).

    Accepte `date`, `datetime`, `pd.Timestamp`, `np.datetime64` et une chaîne ISO `aaaa-mm-jj`.

    Examples
    --------
    >>> format_date(dt.date(2025, 7, 1))
    '01/07/2025'
    """
    if _est_manquant(date):
        return manquant
    if isinstance(date, dt.date):  # datetime et pd.Timestamp en héritent
        return date.strftime("%d/%m/%Y")
    return pd.Timestamp(date).strftime("%d/%m/%Y")
