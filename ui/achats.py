"""Vue « commande publique » d'un territoire : acheteurs, mois, considération sociale contre l'objectif PNAD."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.sources.decp import perimetre_achats, vue_achats
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from ui import etat
from ui.presentation import LOCALE_FR, barres, mois_francais
from ui.presentation import tableau as afficher_tableau


def vue_achats_territoire(niveau: str, code: str) -> None:
    marches = etat.marches_places()
    perimetre = perimetre_achats(etat.referentiel(), niveau=niveau, code=code)
    vues = vue_achats(marches.places, **perimetre)
    totaux = vues["totaux"].iloc[0]
    st.markdown("**Commande publique (DECP)**" + (" — échantillon fictif" if marches.demo else ""))
    if totaux["nb_marches"] == 0:
        st.caption("Aucun marché placé sur ce territoire.")
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Marchés", format_nombre(totaux["nb_marches"]))
    c2.metric("Montant (€ HT)", format_euros(totaux["montant_total"], centimes=False))
    c3.metric("Part des marchés de l'État", format_pourcentage(totaux["part_marches_etat"]))
    part = totaux["part_consideration_sociale"]
    c4.metric("Avec considération sociale", format_pourcentage(part) if pd.notna(part) else "inconnue",
              delta=None if pd.isna(part) else f"{format_nombre((part - 0.30) * 100, decimales=1)} pts vs objectif PNAD 30 %")
    par_mois = vues["par_mois"]
    if len(par_mois):
        st.markdown("Marchés par mois (nombre) et part avec considération sociale")
        barres(pd.Series(par_mois["nb_marches"].to_numpy(), index=mois_francais(par_mois.index)), titre="Marchés",
               horizontal=False, hauteur=220)
        _courbe_part_sociale(par_mois)
    c1, c2 = st.columns(2)
    afficher_tableau(vues["par_type_acheteur"], conteneur=c1)
    afficher_tableau(vues["top_acheteurs"], conteneur=c2)


def _courbe_part_sociale(par_mois: pd.DataFrame) -> None:
    """Part des marchés avec considération sociale par mois, face à l'objectif PNAD de 30 % (mois en français)."""
    import altair as alt

    mois = mois_francais(par_mois.index)
    t = pd.DataFrame({"mois": mois, "Part sociale": par_mois["part_consideration_sociale"].to_numpy(), "Objectif PNAD": 0.30})
    long = t.melt("mois", var_name="série", value_name="part")
    graphique = alt.Chart(long).mark_line(point=True).encode(
        alt.X("mois:N", sort=mois, title=None, axis=alt.Axis(labelAngle=-45, labelLimit=0)),
        alt.Y("part:Q", title="Part", axis=alt.Axis(format=".0%")),
        alt.Color("série:N", scale=alt.Scale(range=["#000091", "#A50026"]), title=None),
        tooltip=["mois:N", "série:N", alt.Tooltip("part:Q", format=".1%")])
    st.altair_chart(graphique.properties(height=200).configure(locale=LOCALE_FR), width="stretch")
