"""Choix de l'utilisateur gardés d'une page à l'autre et dans l'adresse (paramètres d'URL).

Streamlit oublie la valeur d'un widget dès qu'une exécution ne le dessine pas (changement de page).
Deux mécanismes :
- `conserver_choix()`, appelé par `app.py` avant chaque page : les clés de `CHOIX_CONSERVES`
  (comité, mode et enveloppe de la simulation…) sont recopiées en état de session ordinaire, que
  Streamlit ne nettoie pas ;
- le territoire (région, département, EPCI) est partagé par toutes les pages : gardé sous
  `territoire` et écrit dans l'adresse (`?region=84&departement=01&epci=200042935`), si bien qu'un
  lien copié rouvre la même vue. À la première exécution d'une session, l'adresse fait foi.
"""

from __future__ import annotations

import streamlit as st

from ui import etat

CHOIX_CONSERVES = (
    "comite_choix", "comite_scenario", "comite_ecran",
    "simulation_region", "simulation_enveloppe", "simulation_enveloppes", "simulation_mode", "simulation_partiel",
    "simulation_prioritaires",
    "simulation_rubrique",
)
NIVEAUX = ("region", "departement", "epci")
CLE_TERRITOIRE = "territoire"


def conserver_choix() -> None:
    """Recopie les choix de `CHOIX_CONSERVES` pour qu'ils survivent à un changement de page."""
    for cle in CHOIX_CONSERVES:
        if cle in st.session_state:
            st.session_state[cle] = st.session_state[cle]


def territoire_valide(region: str | None, departement: str | None, epci: str | None) -> dict[str, str | None]:
    """Le territoire demandé, tronqué au premier niveau inconnu ou incohérent avec le précédent."""
    ref = etat.referentiel()
    valide: dict[str, str | None] = dict.fromkeys(NIVEAUX)
    if region not in ref.regions.index:
        return valide
    valide["region"] = region
    if departement not in ref.departements.index or ref.departements.at[departement, "region"] != region:
        return valide
    valide["departement"] = departement
    communes = ref.communes[ref.communes["departement"] == departement]
    if epci in set(communes["epci"].dropna()):
        valide["epci"] = epci
    return valide


def territoire_memorise() -> dict[str, str | None]:
    """Le territoire choisi en dernier (toutes pages), sinon celui de l'adresse à l'ouverture."""
    if CLE_TERRITOIRE not in st.session_state:
        st.session_state[CLE_TERRITOIRE] = territoire_valide(*(st.query_params.get(n) for n in NIVEAUX))
    return st.session_state[CLE_TERRITOIRE]


def initialiser_widget(cle_widget: str, niveau: str) -> None:
    """Donne au widget `cle_widget`, dessiné juste après, le niveau `niveau` du territoire mémorisé.

    À n'appeler que pour un widget effectivement dessiné dans cette exécution : une clé posée pour
    un widget absent ne serait pas nettoyée par Streamlit et masquerait ensuite le territoire mémorisé.
    """
    code = territoire_memorise()[niveau]
    if cle_widget not in st.session_state and code is not None:  # None : l'option par défaut (« France entière »…)
        st.session_state[cle_widget] = code


def memoriser_territoire(region: str | None, departement: str | None, epci: str | None) -> None:
    """Garde le territoire choisi et le reporte dans l'adresse (paramètres absents quand vides)."""
    choix = {"region": region, "departement": departement, "epci": epci}
    st.session_state[CLE_TERRITOIRE] = choix
    for niveau, code in choix.items():
        if code and st.query_params.get(niveau) != code:
            st.query_params[niveau] = code
        elif not code and niveau in st.query_params:
            del st.query_params[niveau]
