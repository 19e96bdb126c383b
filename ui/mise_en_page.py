"""Mise en page commune : un premier écran utile sur un portable (1366 × 768, volet latéral ouvert).

Streamlit réserve 6 rem au-dessus du titre et dessine des titres de 2,75 rem : sur un écran de
768 pixels de haut, la carte d'Accueil, de Couverture ou du Comité commençait sous le premier écran.
Le style ci-dessous réduit cette marge et la taille des titres ; chaque page met le reste (avis,
chiffres clés sur une ligne, commandes) au-dessus de sa carte et les explications dessous.
Vérifié par `tests/navigateur/test_premier_ecran.py`.
"""

from __future__ import annotations

STYLE_MISE_EN_PAGE = """
<style>
.stMainBlockContainer, .block-container {padding-top: 3.5rem !important;}
h1 {font-size: 2.25rem !important; padding-top: 0.25rem !important;}
h2 {font-size: 1.6rem !important;}
</style>
"""
