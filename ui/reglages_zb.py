"""Réglages des zones blanches (seuils et poids de l'indice de besoin) et provenance des besoins."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from coverage.territoires.besoins import LIBELLES_COMPOSANTES, PoidsBesoin
from coverage.documents.format import format_nombre
from ui import etat
from ui.texte import texte
from ui.presentation import tableau as afficher_tableau


def avis_sources(conteneur=st) -> None:
    """Dit d'où viennent les besoins affichés, et lesquels sont fictifs ou illustratifs (dans un volet replié
    dont le titre le dit déjà : la page garde sa carte dans le premier écran)."""
    marches, quartiers = etat.marches_places(), etat.quartiers()
    lignes = [
        f"**Marchés publics** : {'échantillon DECP fictif de démonstration' if marches.demo else texte(marches.nom)} — "
        f"{format_nombre(len(marches.places))} marchés, dont {format_nombre(marches.nb_non_places)} non placés (listés page Données).",
        f"**Quartiers prioritaires** : {'échantillon illustratif (fictif)' if quartiers.demo else texte(quartiers.nom)}.",
        "**Grands projets** : registre `data/grands_projets.yaml` (tracés indicatifs) et projets ajoutés.",
        "**Population** : population municipale INSEE, COG 2026.",
    ]
    fictifs = marches.demo or quartiers.demo
    titre = ("Sources des besoins : échantillons fictifs de démonstration" if fictifs else "Sources des besoins")
    with conteneur.expander(titre, icon=":material/science:" if fictifs else ":material/info:"):
        (st.warning if fictifs else st.info)("  \n".join(lignes), icon=":material/info:")
        st.markdown("**Indicateurs de besoin : source, année, unité**")
        afficher_tableau(tableau_indicateurs())


def tableau_indicateurs() -> pd.DataFrame:
    """Les indicateurs documentés (marchés DECP, quartiers) et la population, pour l'affichage."""
    from coverage.sources.decp import INDICATEURS_MARCHES
    from coverage.sources.qpv import INDICATEURS_QUARTIERS

    lignes = [{"indicateur": "Population municipale", "unite": "habitants", "source": "INSEE, populations légales (COG 2026)",
               "annee": "millésime du paquet @etalab/decoupage-administratif 6.0.0", "calcul": "somme des communes"}]
    lignes += [{"indicateur": i.libelle, "unite": i.unite, "source": i.source, "annee": i.annee, "calcul": i.description}
               for i in (*INDICATEURS_MARCHES, *INDICATEURS_QUARTIERS)]
    return pd.DataFrame(lignes)


def formulaire_reglages(niveau: str) -> None:
    """Seuils et poids modifiables ; les valeurs par défaut viennent de la distribution nationale."""
    seuils, poids = etat.reglages_zones_blanches(niveau)
    with st.sidebar.expander("Seuils et poids", expanded=False), st.form(f"zb_form_{niveau}", border=False):
        st.caption(seuils.justification or "Seuils par défaut.")
        part = st.slider("Non couvert : part de la population sans facilitateur ≥", 0.05, 1.0, float(seuils.part_non_couverte_min), 0.05)
        ext = st.slider("Limitrophe : part couverte seulement par extension ≥", 0.05, 1.0, float(seuils.part_extension_min), 0.05)
        ratio = st.number_input("Capacité insuffisante : ETP par unité de besoin <", 0.0, 50.0, float(seuils.ratio_capacite_min or 0), 0.01)
        pop = st.number_input("Besoins identifiés : population ≥", 0, 1_000_000, int(seuils.population_besoin_min), 1000)
        st.markdown("**Poids de l'indice de besoin**")
        valeurs = {k: st.slider(LIBELLES_COMPOSANTES[k], 0.0, 1.0, float(getattr(poids, k)), 0.05) for k in LIBELLES_COMPOSANTES}
        c1, c2 = st.columns(2)
        if c1.form_submit_button("Appliquer", type="primary"):
            try:
                st.session_state["zb_poids"] = PoidsBesoin(**valeurs)
                st.session_state[f"zb_seuils_{niveau}"] = dataclasses.replace(
                    seuils, part_non_couverte_min=part, part_extension_min=ext, ratio_capacite_min=ratio,
                    population_besoin_min=pop, justification="Seuils choisis par l'utilisateur.")
            except ValueError as erreur:
                st.error(texte(erreur))
            st.rerun()
        if c2.form_submit_button("Valeurs par défaut"):
            for cle in ("zb_poids", "zb_seuils_commune", "zb_seuils_epci"):
                st.session_state.pop(cle, None)
            st.rerun()
