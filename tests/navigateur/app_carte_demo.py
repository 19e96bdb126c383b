"""Petite application Streamlit de démonstration des cartes hors ligne (tests navigateur).

Carte nationale des EPCI (couche d'affichage réelle), colorée par population ; un clic affiche le
code de l'EPCI. Lancement : `streamlit run tests/navigateur/app_carte_demo.py` depuis la racine.
"""

import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

import geopandas as gpd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.carte import EMPRISES, LIBELLES_EMPRISES, carte_choroplethe  # noqa: E402
from geo.reference import MILLESIME, charger_geometries  # noqa: E402
from ui.carte import afficher_carte, parametres_tuiles, preparer_assets_locaux  # noqa: E402

preparer_assets_locaux(Path(__file__).resolve().parent)
st.set_page_config(page_title="Démo carte hors ligne", layout="wide")


@st.cache_resource
def _epci() -> gpd.GeoDataFrame:
    return charger_geometries("epci")


epci = _epci()
cadrage = st.segmented_control(
    "Cadrage",
    options=list(EMPRISES),
    format_func=LIBELLES_EMPRISES.get,
    default="metropole",
    key="demo_cadrage",
)
carte = carte_choroplethe(
    epci,
    colonne="population",
    libelle="Population municipale",
    palette="sequentielle",
    bornes=[15_000, 30_000, 60_000, 150_000],
    champs_infobulle=[("population", "Population")],
    attribution=f"IGN Admin Express, INSEE ({MILLESIME})",
    **parametres_tuiles(),
)
# Le cadrage passe par afficher_carte : la carte n'est pas rechargée, seulement recentrée.
code = afficher_carte(
    carte, cle="demo_carte", hauteur=650, cadrage=EMPRISES[cadrage or "metropole"]
)
st.write(f"Territoire cliqué : {code or 'aucun'}")
