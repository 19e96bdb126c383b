"""Couche de présentation partagée par les pages : états des règles, tableaux pour les personnes.

Tout tableau affiché passe par `tableau()` : libellés français (`coverage.documents.libelles`), codes
traduits, dates à l'heure de Paris, aucune cellule « None », nombres au format du navigateur
(`47 754,00 €`, `97,3 %` en français) et cellules de texte qui ressembleraient à une formule
préfixées d'une apostrophe : le téléchargement intégré au tableau ne peut pas exporter un
`=HYPERLINK(…)` actif (et il est de toute façon masqué, voir `STYLE_TABLEAUX`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.documents.exports import echapper_formules
from coverage.documents.libelles import genre_colonne, libelle_colonne, pour_personnes
from ui import etat

# Respectée / non respectée : une couleur ET un mot (jamais un seul pictogramme).
_BADGES = {
    True: ":green-badge[:material/check_circle: Respectée]",
    False: ":red-badge[:material/cancel: Non respectée]",
    None: ":gray-badge[:material/info: Pour information]",
}

# Le bouton « Download as CSV » des tableaux exporterait les libellés affichés, en anglais dans son
# infobulle : les pages proposent leurs propres exports (CSV pour les machines, XLSX pour les personnes).
STYLE_TABLEAUX = """
<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as CSV"]) {display: none !important;}
</style>
"""

_CONFIG_GENRE = {
    "euros": lambda lib: st.column_config.NumberColumn(lib, format="euro"),
    "pourcentage": lambda lib: st.column_config.NumberColumn(lib, format="percent"),
    "nombre": lambda lib: st.column_config.NumberColumn(lib, format="localized"),
}


def badge_regle(respectee: bool | None) -> str:
    """Pastille Markdown de l'état d'une règle de l'appel."""
    return _BADGES[respectee]


def tableau(table: pd.DataFrame, *, index: bool = False, config: dict | None = None, conteneur=st, **options) -> None:
    """Affiche `table` (colonnes machine) pour des personnes.

    `index` : l'index (code, identifiant) devient la première colonne ; `config` : réglages
    `st.column_config` propres à une colonne, indexés par son nom machine (ex. une barre de
    progression) ; `options` : passées à `st.dataframe` (hauteur…).
    """
    t = table.reset_index().rename(columns={"index": "code"}) if index else table
    config = config or {}
    colonnes = {}
    for nom in t.columns:
        lib = libelle_colonne(str(nom))
        if nom in config:
            colonnes[lib] = config[nom]
        elif genre_colonne(str(nom)) in _CONFIG_GENRE and pd.api.types.is_numeric_dtype(t[nom]):
            colonnes[lib] = _CONFIG_GENRE[genre_colonne(str(nom))](lib)
    affichee = echapper_formules(pour_personnes(t, referentiel=etat.referentiel()))
    options.setdefault("width", "stretch")
    conteneur.dataframe(affichee, hide_index=True, column_config=colonnes, **options)


# Graphiques : nombres et mois à la française (locale Vega), étiquettes jamais tronquées.
MOIS_COURTS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
LOCALE_FR = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u202f%"},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
                   "décembre"],
        "shortMonths": list(MOIS_COURTS),
    },
}


def barres(valeurs: pd.Series, *, titre: str, format_axe: str = ",.0f", horizontal: bool = True, hauteur: int | None = None) -> None:
    """Barres triées par valeur décroissante (catégories = index de `valeurs`), axe au format français."""
    import altair as alt

    t = valeurs.rename("valeur").rename_axis("categorie").reset_index()
    ordre = list(t.sort_values("valeur", ascending=False)["categorie"]) if horizontal else list(t["categorie"])
    axe_cat = alt.Axis(title=None, labelLimit=0, labelAngle=0 if horizontal else -45)
    cat = (alt.Y if horizontal else alt.X)("categorie:N", sort=ordre, axis=axe_cat)
    val = (alt.X if horizontal else alt.Y)("valeur:Q", title=titre, axis=alt.Axis(format=format_axe))
    graphique = alt.Chart(t).mark_bar(color="#000091").encode(cat, val, tooltip=[alt.Tooltip("categorie:N", title=" "),
                                                                                  alt.Tooltip("valeur:Q", title=titre, format=format_axe)])
    hauteur = hauteur or (max(200, 22 * len(t)) if horizontal else 260)
    st.altair_chart(graphique.properties(height=hauteur).configure(locale=LOCALE_FR), width="stretch")


def mois_francais(index: pd.DatetimeIndex) -> list[str]:
    """« janv. 2025 » pour chaque premier jour de mois."""
    return [f"{MOIS_COURTS[d.month - 1]} {d.year}" for d in index]
