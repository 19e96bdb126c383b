"""Simulation ETP : règles de l'appel, allocation de l'enveloppe, impact, placements, scénarios."""

import streamlit as st

from coverage.documents.format import format_euros
from ui import etat
from ui import simulation as vue
from ui.commun import avis_donnees
from ui.navigation import exiger_navigation
from ui.texte import texte

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Simulation de l'enveloppe et des ETP")
st.caption(
    "Chaque dossier contrôlé au regard de l'appel à projets 2025 (70 %, 29 473 € par ETP, 80 % pour les collectivités, "
    "0,5 ETP au moins, dossier complet, dates de relève), puis l'enveloppe répartie par priorités ou par optimisation."
)
version = etat.version_active()
donnees = etat.donnees_version(version)
avis_donnees(donnees)
if donnees.dossiers.empty:
    st.info("Aucun dossier dans l'espace de travail : importez le fichier **dossiers** depuis la page Données, "
            "ou saisissez un dossier ci-dessous. Les placements suggérés restent disponibles.")

reglages = vue.reglages()
entrees = vue.entrees_simulation(version, reglages.region)
rubrique = st.segmented_control(
    "Rubrique", list(vue.RUBRIQUES), default="allocation", key="simulation_rubrique", format_func=vue.RUBRIQUES.get,
) or "allocation"

if rubrique == "dossiers":
    vue.section_dossiers(entrees, donnees, version=version)
elif rubrique == "placements":
    vue.section_placements(reglages.region)
elif rubrique == "scenarios":
    vue.section_scenarios(reglages, version=version)
elif rubrique == "enveloppes":
    from ui.enveloppes import section_enveloppes

    section_enveloppes()
else:
    resultat = vue.allouer(reglages, version=version)
    if not resultat.faisable:
        st.error("**Paramètres infaisables** : " + " ".join(map(texte, resultat.messages)))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Enveloppe", format_euros(resultat.enveloppe, centimes=False))
    c2.metric("Attribué", format_euros(resultat.enveloppe_utilisee, centimes=False))
    c3.metric("Reste", format_euros(resultat.enveloppe_restante, centimes=False))
    c4.metric("ETP financés", f"{resultat.lignes['etp_finances'].sum():.2f}".replace(".", ","))
    if rubrique == "allocation":
        vue.section_allocation(resultat, entrees, reglages)
    else:
        vue.section_impact(resultat, entrees, donnees)
