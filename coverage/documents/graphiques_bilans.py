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


def _barres_groupees(donnees: pd.DataFrame, barres: tuple[tuple[str, str, str], tuple[str, str, str]], *, axe: str,
                     titre: str) -> Figure:
    """Deux barres horizontales par territoire (`nom`), dans l'ordre de `donnees` : (colonne, légende, couleur)."""
    fig = Figure(figsize=(7.5, max(2.5, 0.8 + 0.32 * len(donnees))), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(donnees))
    for decalage, (colonne, legende, couleur) in zip((0.2, -0.2), barres, strict=True):
        ax.barh(y + decalage, donnees[colonne].fillna(0), height=0.4, color=couleur, label=legende)
    ax.set_yticks(y, donnees["nom"].tolist(), fontsize=8)
    ax.xaxis.set_major_formatter(_MILLIERS)
    ax.set_xlabel(axe)
    ax.set_title(titre, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    return fig


def graphique_heures_par_etp(table: pd.DataFrame, *, titre: str) -> Figure:
    """Barres horizontales triées : `heures_par_etp_total` et `heures_par_etp_etat` par territoire (`nom`)."""
    donnees = table.dropna(subset=["heures_par_etp_total"]).sort_values("heures_par_etp_total")
    return _barres_groupees(donnees, (("heures_par_etp_total", "Tous marchés", BLEU),
                                      ("heures_par_etp_etat", "Marchés de l'État", BLEU_CLAIR)),
                            axe="Heures d'insertion par ETP subventionné", titre=titre)


def graphique_annee_precedente(table: pd.DataFrame, *, titre: str) -> Figure:
    """Barres groupées : heures de l'année (`heures_insertion_total`) et de l'année précédente déclarée."""
    donnees = table.dropna(subset=["heures_insertion_total"]).sort_values("heures_insertion_total")
    annee = int(donnees["annee"].iloc[0]) if len(donnees) else 0
    return _barres_groupees(donnees, (("heures_insertion_total", f"{annee}", BLEU),
                                      ("heures_annee_precedente", f"{annee - 1} (déclaré)", GRIS)),
                            axe="Heures d'insertion, tous marchés", titre=titre)


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
