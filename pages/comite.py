"""Comité de sélection : présentation des dossiers d'une région, décisions tracées, procès-verbal et conventions."""

import streamlit as st

from coverage.financement.comite import decisions_par_dossier, dossiers_du_comite, libelle_comite
from coverage.espace import Decision
from ui import comite as vue
from ui import etat
from ui.commun import avis_donnees
from ui.simulation import entrees_simulation
from ui.navigation import exiger_navigation

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

donnees = etat.donnees_actives()
ref = etat.referentiel()
regions = ref.regions.sort_values("nom")
options = [*regions.index, "national"]
comite = st.sidebar.selectbox("Comité", options, key="comite_choix",
                              format_func=lambda c: libelle_comite(c, regions=ref.regions))
libelle = libelle_comite(comite, regions=ref.regions)
presentation = st.sidebar.toggle("Mode présentation (projecteur)", key="comite_presentation")
if presentation:
    st.html(vue.STYLE_PRESENTATION)
    if st.button("Quitter le mode présentation", key="comite_quitter"):
        st.session_state["comite_presentation"] = False
        st.rerun()

st.title(libelle)
avis_donnees(donnees)
entrees = entrees_simulation(etat.version_active(), None)
dossiers = dossiers_du_comite(entrees.dossiers, comite=comite, structures=donnees.structures)
if dossiers.empty:
    st.info("Aucun dossier pour ce comité." + (" Le comité national ne voit que les structures nouvelles." if comite == "national" else ""))
    st.stop()

scenarios = etat.espace().lister_scenarios()
noms = dict(zip(scenarios["id"], scenarios["nom"])) if len(scenarios) else {}
scenario = st.sidebar.selectbox("Montants proposés par", [None, *noms], key="comite_scenario",
                                format_func=lambda i: "Allocation par priorités (4,5 M€)" if i is None else f"Scénario {noms[i]}")
proposes = vue.propositions(comite, dossiers, scenario)
decisions = etat.espace().decisions_courantes(comite)

ecran = st.segmented_control("Écran", ["dossiers", "synthese"], default="dossiers", key="comite_ecran",
                             format_func={"dossiers": "Dossier par dossier", "synthese": "Synthèse et exports"}.get) or "dossiers"
if ecran == "dossiers":
    rang = st.session_state.setdefault("comite_rang", 0) % len(dossiers)
    c1, c2, c3 = st.columns([1, 3, 1])
    if c1.button("◀ Précédent", key="comite_prec", width="stretch"):
        st.session_state["comite_rang"] = (rang - 1) % len(dossiers)
        st.rerun()
    c2.markdown(f"<div style='text-align:center'>Dossier {rang + 1} / {len(dossiers)}</div>", unsafe_allow_html=True)
    if c3.button("Suivant ▶", key="comite_suiv", width="stretch"):
        st.session_state["comite_rang"] = (rang + 1) % len(dossiers)
        st.rerun()
    ligne = dossiers.iloc[rang]
    vue.fiche_dossier(ligne, proposes.loc[ligne["id_dossier"]], donnees=donnees, entrees=entrees, presentation=presentation)
    detail = decisions_par_dossier(dossiers, decisions).set_index("id_dossier").loc[ligne["id_dossier"]]
    vue.formulaire_decision(comite, ligne, detail if detail["decision"] else None, proposes.loc[ligne["id_dossier"]])
    with st.expander("Historique des décisions de ce dossier"):
        st.dataframe(etat.espace().historique_decisions(comite, ligne["id_dossier"]), hide_index=True, width="stretch")
else:
    disponible = st.number_input("Enveloppe disponible pour ce comité (€)", min_value=0.0,
                                 value=float(round(proposes["montant_attribue"].sum(), 2)), step=1000.0, key="comite_enveloppe")
    s = vue.synthese(comite, libelle, dossiers, decisions, donnees=donnees, entrees=entrees, enveloppe=disponible)
    st.dataframe(vue.tableau_decisions(dossiers, decisions), hide_index=True, width="stretch")
    vue.exports(comite, libelle, dossiers, decisions, s, donnees=donnees)
    st.caption("Décisions possibles : " + ", ".join(d.libelle for d in Decision) + ". Chaque décision est motivée, datée et attribuée ; "
               "une décision modifiée garde son historique.")
