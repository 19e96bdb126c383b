"""Garde-fou : toujours passer par la navigation d'`app.py`.

Sur un serveur qui vient de démarrer, un lien direct vers une page (`…/couverture`) arrive avant
qu'`app.py` n'ait jamais appelé `st.navigation` : Streamlit croit alors à une application
multipage à l'ancienne (dossier `pages/`) et exécute la page seule, sans le menu ni la
configuration. La page détecte ce cas et relance l'exécution par `app.py`, qui retrouve la page
demandée d'après l'adresse.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def exiger_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
