"""Garde-fou : toujours passer par la navigation d'`app.py`.

Sur un serveur qui vient de démarrer, un lien direct vers une page (`…/couverture`) arrive avant
qu'`app.py` n'ait jamais appelé `st.navigation` : Streamlit croit alors à une application
multipage à l'ancienne (dossier `pages/`) et exécute la page seule, sans le menu ni la
configuration. La page détecte ce cas et relance l'exécution par `app.py`, qui retrouve la page
demandée d'après l'adresse.

Une session dont `app.py` a déjà déclaré la navigation (`marquer_navigation`) ne relance pas : une
relance en début de page ferait perdre le clic qui a provoqué l'exécution (c'est ce qui arrive
sous AppTest, où l'indicateur de Streamlit est remis à chaque exécution).
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_CLE = "_navigation_par_app"


def marquer_navigation() -> None:
    """À appeler dans `app.py` avant `st.navigation(...).run()`."""
    st.session_state[_CLE] = True


def exiger_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(_CLE):
            st.rerun()
