"""Mise en forme française : nombres, euros, pourcentages, dates (espace insécable U+00A0)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from coverage.documents.format import ESPACE, format_date, format_euros, format_nombre, format_pourcentage

NB = "\u00a0"  # espace insécable attendue partout


def test_espace_choisie_est_l_insecable() -> None:
    assert ESPACE == NB


@pytest.mark.parametrize(
    ("valeur", "decimales", "attendu"),
    [
        (1234.5, 1, f"1{NB}234,5"),
        (1234567, 0, f"1{NB}234{NB}567"),
        (999, 0, "999"),
        (0.5, 2, "0,50"),
        (2.675, 2, "2,68"),  # moitié vers le haut sur l'écriture décimale
        (0.125, 2, "0,13"),
        (-1234.5, 1, f"-1{NB}234,5"),
        (-0.04, 1, "0,0"),  # pas de « -0,0 »
        (np.float64(29473.0), 0, f"29{NB}473"),
        (np.int64(42), 0, "42"),
    ],
    ids=["milliers", "millions", "sans-millier", "zeros", "arrondi-2675", "arrondi-0125", "negatif",
         "moins-zero", "numpy-float", "numpy-int"],
)
def test_format_nombre(valeur, decimales: int, attendu: str) -> None:
    assert format_nombre(valeur, decimales=decimales) == attendu


def test_format_nombre_compact_et_manquant() -> None:
    assert format_nombre(1.5, 2, compact=True) == "1,5"
    assert format_nombre(2.0, 3, compact=True) == "2"
    assert format_nombre(float("nan")) == "—"
    assert format_nombre(None, manquant="") == ""


@pytest.mark.parametrize(
    ("montant", "attendu"),
    [
        (29473, f"29{NB}473{NB}€"),  # plafond par ETP de l'appel
        (29473.0, f"29{NB}473{NB}€"),
        (14736.5, f"14{NB}736,50{NB}€"),  # cas C : 0,5 ETP au plafond
        (4500000, f"4{NB}500{NB}000{NB}€"),  # enveloppe nationale 2025
        (42104.285, f"42{NB}104,29{NB}€"),
        (0, f"0{NB}€"),
    ],
    ids=["plafond", "plafond-float", "centimes", "enveloppe", "arrondi-centime", "zero"],
)
def test_format_euros(montant, attendu: str) -> None:
    assert format_euros(montant) == attendu


def test_format_euros_centimes_imposes() -> None:
    assert format_euros(29473, centimes=True) == f"29{NB}473,00{NB}€"
    assert format_euros(14736.5, centimes=False) == f"14{NB}737{NB}€"


@pytest.mark.parametrize(
    ("part", "decimales", "attendu"),
    [(0.589, 1, f"58,9{NB}%"), (0.7, 0, f"70{NB}%"), (0.3, 1, f"30,0{NB}%"), (1, 0, f"100{NB}%")],
    ids=["part-etat-cas-B", "70-pour-cent", "cofinancement", "cent"],
)
def test_format_pourcentage(part, decimales: int, attendu: str) -> None:
    assert format_pourcentage(part, decimales=decimales) == attendu


@pytest.mark.parametrize(
    "date",
    [dt.date(2025, 7, 1), dt.datetime(2025, 7, 1, 15, 30), pd.Timestamp("2025-07-01"), np.datetime64("2025-07-01"), "2025-07-01"],
    ids=["date", "datetime", "timestamp", "numpy", "iso"],
)
def test_format_date(date) -> None:
    assert format_date(date) == "01/07/2025"


def test_format_date_manquante() -> None:
    assert format_date(pd.NaT) == "—" and format_date(None, manquant="") == ""
