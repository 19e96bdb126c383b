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
