"""Comité de sélection : présentation des dossiers d'une région, décisions tracées, procès-verbal et conventions."""

import streamlit as st

from coverage.financement.comite import decisions_par_dossier, dossiers_du_comite, libelle_comite
from coverage.espace import Decision
from coverage.espace.permissions import Role
from ui import comite as vue
from ui import etat
from ui.commun import avis_donnees
from ui.simulation import entrees_simulation
from ui.navigation import exiger_navigation
from ui.presentation import tableau as afficher_tableau

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

donnees = etat.donnees_actives()
ref = etat.referentiel()
regions = ref.regions.sort_values("nom")
moi = etat.espace().utilisateur
# Le comité technique national n'est montré qu'au rôle national ; chacun commence par le comité de sa région.
options = [*regions.index, "national"] if moi.role == Role.NATIONAL else list(regions.index)
region_de_moi = ref.departements["region"].get(moi.territoire) if moi.role.niveau_territoire == "departement" else moi.territoire
if region_de_moi in options:
    st.session_state.setdefault("comite_choix", region_de_moi)
comite = st.sidebar.selectbox("Comité", options, key="comite_choix",
                              format_func=lambda c: libelle_comite(c, regions=ref.regions))
libelle = libelle_comite(comite, regions=ref.regions)
presentation = st.sidebar.toggle("Mode présentation (projecteur)", key="comite_presentation")
if presentation:
    st.html(vue.STYLE_PRESENTATION)
    c_titre, c_quitter = st.columns([5, 1], vertical_alignment="center")
    c_titre.title(libelle)
    # Rappel avant la création des widgets de l'exécution suivante : la bascule peut alors être modifiée.
    c_quitter.button("Quitter le mode présentation", key="comite_quitter", on_click=vue.quitter_presentation)
    if donnees.demo:
        st.caption(":material/science: **Données fictives de démonstration** (géographie réelle, COG 2026).")
else:
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
enveloppe_comite = vue.enveloppe_du_comite(comite)

# Écran et enveloppe engagée sur une ligne : la fiche du dossier et sa carte commencent dans le premier écran d'un portable.
with st.container(horizontal=True, vertical_alignment="center", key="comite_bandeau"):
    ecran = st.segmented_control("Écran", ["dossiers", "synthese"], default="dossiers", key="comite_ecran", label_visibility="collapsed",
                                 format_func={"dossiers": "Dossier par dossier", "synthese": "Synthèse et exports"}.get) or "dossiers"
    engage = vue.bandeau_enveloppe(dossiers, decisions, enveloppe_comite)
if ecran == "dossiers":
    rang = vue.rang_courant(comite, dossiers)
    c1, c2, c3 = st.columns([1, 3, 1])
    c1.button("◀ Précédent", key="comite_prec", width="stretch", on_click=vue.aller_au_dossier, args=(comite, dossiers, rang - 1))
    c2.markdown(f"<div style='text-align:center'>Dossier {rang + 1} / {len(dossiers)}</div>", unsafe_allow_html=True)
    c3.button("Suivant ▶", key="comite_suiv", width="stretch", on_click=vue.aller_au_dossier, args=(comite, dossiers, rang + 1))
    ligne = dossiers.iloc[rang]
    if ligne["id_dossier"] in vue.en_attente(comite, dossiers):
        st.warning("En attente du comité national : structure nouvelle que le comité technique national n'a pas encore retenue ; "
                   "ce dossier ne peut pas entrer dans les conventions de la région d'ici là.")
    proposition = proposes.loc[ligne["id_dossier"]]
    detail = decisions_par_dossier(dossiers, decisions).set_index("id_dossier").loc[ligne["id_dossier"]]
    courante = detail if detail["decision"] else None
    vue.entete_dossier(ligne, proposition)
    gauche, droite = st.columns([3, 2])
    with gauche:
        vue.regles_dossier(ligne, compact=presentation)
    with droite:  # au projecteur, la décision est à côté des règles, dans le premier écran
        if presentation:
            vue.formulaire_decision(comite, ligne, courante, proposition, engage=engage, enveloppe=enveloppe_comite)
        else:
            vue.zones_et_carte(ligne, donnees=donnees, entrees=entrees, hauteur=320)
    if presentation:
        vue.zones_et_carte(ligne, donnees=donnees, entrees=entrees, hauteur=420)
    else:
        vue.formulaire_decision(comite, ligne, courante, proposition, engage=engage, enveloppe=enveloppe_comite)
    with st.expander("Historique des décisions de ce dossier"):
        afficher_tableau(etat.espace().historique_decisions(comite, ligne["id_dossier"]).drop(columns=["comite"], errors="ignore"))
else:
    if enveloppe_comite is None:
        disponible = st.number_input("Enveloppe disponible pour ce comité (€)", min_value=0.0,
                                     value=float(round(proposes["montant_attribue"].sum(), 2)), step=1000.0, key="comite_enveloppe")
    else:
        disponible = enveloppe_comite
    s = vue.synthese(comite, libelle, dossiers, decisions, donnees=donnees, entrees=entrees, enveloppe=disponible)
    afficher_tableau(vue.tableau_decisions(dossiers, decisions, vue.en_attente(comite, dossiers)))
    vue.exports(comite, libelle, dossiers, decisions, s, donnees=donnees)
    st.caption("Décisions possibles : " + ", ".join(d.libelle for d in Decision) + ". Chaque décision est motivée, datée et attribuée ; "
               "une décision modifiée garde son historique.")
