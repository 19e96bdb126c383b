"""Graphiques des bilans (matplotlib, sans pyplot) : les mêmes figures dans la page Bilans et la synthèse PDF.

- `graphique_heures_par_etp` : heures d'insertion par ETP subventionné par territoire, triées, tous
  marchés et marchés de l'État côte à côte ;
- `graphique_annee_precedente` : heures de l'année contre heures de l'année précédente, par territoire ;
- `graphique_distribution` : distribution des structures selon leurs heures par ETP.

Nombres à la française sur les axes (`1 234`). Chaque fonction rend une `Figure` ; `en_png` la
convertit en octets pour le PDF.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from coverage.documents.format import format_nombre

__all__ = ["en_png", "graphique_annee_precedente", "graphique_distribution", "graphique_heures_par_etp"]

BLEU = "#000091"
BLEU_CLAIR = "#8585F6"
GRIS = "#929292"
_MILLIERS = FuncFormatter(lambda x, _pos: format_nombre(x).replace("\u202f", " ").replace("\xa0", " "))


def _barres_horizontales(hauteur_par_ligne: float, n: int) -> tuple[Figure, object]:
    fig = Figure(figsize=(7.5, max(2.5, 0.8 + hauteur_par_ligne * n)), layout="constrained")
    return fig, fig.add_subplot()


def graphique_heures_par_etp(table: pd.DataFrame, *, titre: str) -> Figure:
    """Barres horizontales triées : `heures_par_etp_total` et `heures_par_etp_etat` par territoire (`nom`)."""
    donnees = table.dropna(subset=["heures_par_etp_total"]).sort_values("heures_par_etp_total")
    fig, ax = _barres_horizontales(0.32, len(donnees))
    y = np.arange(len(donnees))
    ax.barh(y + 0.2, donnees["heures_par_etp_total"], height=0.4, color=BLEU, label="Tous marchés")
    ax.barh(y - 0.2, donnees["heures_par_etp_etat"].fillna(0), height=0.4, color=BLEU_CLAIR, label="Marchés de l'État")
    ax.set_yticks(y, donnees["nom"].tolist(), fontsize=8)
    ax.xaxis.set_major_formatter(_MILLIERS)
    ax.set_xlabel("Heures d'insertion par ETP subventionné")
    ax.set_title(titre, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    return fig


def graphique_annee_precedente(table: pd.DataFrame, *, titre: str) -> Figure:
    """Barres groupées : heures de l'année (`heures_insertion_total`) et de l'année précédente déclarée."""
    donnees = table.dropna(subset=["heures_insertion_total"]).sort_values("heures_insertion_total")
    fig, ax = _barres_horizontales(0.32, len(donnees))
    y = np.arange(len(donnees))
    annee = int(donnees["annee"].iloc[0]) if len(donnees) else 0
    ax.barh(y + 0.2, donnees["heures_insertion_total"], height=0.4, color=BLEU, label=f"{annee}")
    ax.barh(y - 0.2, donnees["heures_annee_precedente"].fillna(0), height=0.4, color=GRIS, label=f"{annee - 1} (déclaré)")
    ax.set_yticks(y, donnees["nom"].tolist(), fontsize=8)
    ax.xaxis.set_major_formatter(_MILLIERS)
    ax.set_xlabel("Heures d'insertion, tous marchés")
    ax.set_title(titre, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    return fig


def graphique_distribution(structures: pd.DataFrame, *, titre: str, seuil: float | None = None) -> Figure:
    """Histogramme des structures selon `heures_par_etp_total` (un bilan retenu par structure)."""
    valeurs = structures["heures_par_etp_total"].dropna()
    fig = Figure(figsize=(7.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    if len(valeurs):
        bornes = np.arange(0, max(valeurs.max(), 1) + 5000, 5000)
        ax.hist(valeurs, bins=bornes, color=BLEU, edgecolor="white")
    if seuil is not None:
        ax.axvline(seuil, color="#CE0500", linestyle="--", label=f"Seuil de signalement ({format_nombre(seuil)} h)")
        ax.legend(fontsize=8)
    ax.xaxis.set_major_formatter(_MILLIERS)
    ax.set_xlabel("Heures d'insertion par ETP subventionné (tranches de 5 000 h)")
    ax.set_ylabel("Structures")
    ax.set_title(titre, fontsize=10)
    return fig


def en_png(fig: Figure, *, dpi: int = 150) -> bytes:
    """La figure en PNG."""
    tampon = io.BytesIO()
    fig.savefig(tampon, format="png", dpi=dpi)
    return tampon.getvalue()
