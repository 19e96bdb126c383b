"""Couverture des facilitateurs de la clause sociale d'insertion — routeur de l'application.

Lancer : `streamlit run app.py` (voir README). La logique vit dans `geo/` et `coverage/` ;
les pages ne font que la mise en page.
"""

import streamlit as st

from coverage.espace import EspaceIndisponible
from ui.acces import exiger_connexion
from ui.carte import preparer_assets_locaux
from ui.ecritures import arreter_espace_indisponible
from ui.etat import figer_le_demarrage
from ui.mise_en_page import STYLE_MISE_EN_PAGE
from ui.presentation import STYLE_TABLEAUX
from ui.selections import conserver_choix

st.set_page_config(
    page_title="Facilitateurs de la clause sociale",
    page_icon="🤝",
    layout="wide",
    initial_sidebar_state="expanded",
)

# Leaflet est servi localement (aucun CDN) : copie depuis le paquet pip, une fois par processus.
preparer_assets_locaux()
figer_le_demarrage()  # une fois par processus : le ramasse-miettes ne reparcourt plus modules et référentiel

# Avec [auth] dans .streamlit/secrets.toml : connexion OpenID Connect et rôle lu dans le fichier des rôles ;
# sans : un utilisateur local, avis « mode local, sans authentification ».
exiger_connexion()

PAGES = {
    "Piloter": [
        st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
        st.Page("pages/couverture.py", title="Couverture", icon=":material/map:"),
        st.Page("pages/zones_blanches.py", title="Zones blanches", icon=":material/crisis_alert:"),
        st.Page("pages/grands_projets.py", title="Grands projets", icon=":material/construction:"),
        st.Page("pages/bilans.py", title="Bilans", icon=":material/fact_check:"),
    ],
    "Décider": [
        st.Page("pages/simulation.py", title="Simulation ETP", icon=":material/calculate:"),
        st.Page("pages/comite.py", title="Comité de sélection", icon=":material/groups:"),
    ],
    "Données": [
        st.Page("pages/donnees.py", title="Données", icon=":material/database:"),
    ],
}

st.html(STYLE_TABLEAUX)  # pas de « Download as CSV » intégré : les pages ont leurs exports
st.html(STYLE_MISE_EN_PAGE)  # marge et titres réduits : la carte commence dans le premier écran d'un portable
conserver_choix()  # comité, réglages de la simulation : gardés quand on change de page
try:
    st.navigation(PAGES).run()
except EspaceIndisponible as panne:  # base verrouillée, corrompue, serveur injoignable : un message, pas de trace
    arreter_espace_indisponible(panne)
