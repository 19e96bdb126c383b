"""Texte venu d'un utilisateur (noms, fichiers, cellules, motifs, auteurs) affiché comme du texte.

Streamlit interprète le Markdown dans `st.markdown`, `st.info`/`st.error`…, `st.caption`, `st.toast`,
les titres d'expanders et les libellés de widgets : un nom de structure comme
`![p](http://…/p.png) [Cliquez ici](https://…)` y deviendrait une image chargée depuis l'extérieur et
un lien. Toute chaîne d'un utilisateur insérée dans un de ces textes passe par `texte()` ; les cellules
de tableaux (`st.dataframe`) et `st.text` ne sont pas interprétées et n'en ont pas besoin.
"""

from __future__ import annotations

import re

import pandas as pd

# Toute ponctuation ASCII peut être échappée par une barre oblique inverse (CommonMark §2.4) :
# liens, images, emphase, titres, listes, tableaux, HTML, formules ($), directives de couleur (:red[…]).
_PONCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BLANCS = re.compile(r"\s+")
# Les liens nus (`https://…`, `www.…`, `nom@domaine.fr`) sont reconnus après l'analyse, échappement
# compris (extension GFM) : un gluon de mots invisible (U+2060) après « : » et « @ » et dans « www. »
# les casse sans rien changer à ce qu'on lit.
GLUON = "\u2060"
_LIENS_NUS = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)


def texte(valeur: object) -> str:
    """`valeur` prête à être insérée dans du Markdown Streamlit, affichée telle quelle.

    Les retours à la ligne deviennent des espaces (un nom ne crée ni paragraphe ni liste) ; une
    valeur absente (None, NaN) devient une chaîne vide ; un gluon invisible (`GLUON`) suit chaque
    « : » et « @ » pour qu'aucune adresse ne devienne un lien.

    Exemple : `[Cliquez](https://x)` devient `\\[Cliquez\\]\\(https\\:\\/\\/x\\)`.
    """
    if valeur is None or (not isinstance(valeur, str) and pd.isna(valeur)):
        return ""
    chaine = _LIENS_NUS.sub(GLUON, _BLANCS.sub(" ", str(valeur)))
    return _PONCTUATION.sub(r"\\\1", chaine)


def liste(valeurs) -> str:
    """Liste Markdown à puces dont chaque élément est un texte d'utilisateur échappé."""
    return "\n".join(f"- {texte(v)}" for v in valeurs)


def lu(markdown: str) -> str:
    """Ce qu'un lecteur voit d'un Markdown produit par `texte()` : échappements et gluons retirés (tests)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(GLUON, "")
