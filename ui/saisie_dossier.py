"""Saisie et modification d'un dossier de candidature dans l'application (nouvelle version de l'espace)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from coverage.espace import ConflitEdition
from coverage.modele import DonneesFacilitateurs, Statut
from ui import etat
from ui.ecritures import afficher_conflit, clic, noter_clic, version_vue
from ui.texte import texte
from ui.acces import champ_auteur


def formulaire_dossier(donnees: DonneesFacilitateurs, *, version: int) -> None:
    """Formulaire : un dossier existant est modifié, un identifiant nouveau est ajouté.

    `version` : la version des données affichée (`donnees`). La nouvelle version s'appuie sur celle que
    l'utilisateur avait sous les yeux ; si quelqu'un a importé ou modifié entre-temps, rien n'est écrit.
    """
    st.markdown("#### Saisir ou modifier un dossier")
    base = version_vue("simulation_saisie", version)
    ref = etat.referentiel()
    dossiers = donnees.dossiers.set_index("id_dossier") if len(donnees.dossiers) else pd.DataFrame()
    existants = ["(nouveau dossier)", *dossiers.index]
    choix = st.selectbox("Dossier", existants, key="simulation_saisie_choix")
    base = dossiers.loc[choix] if choix in dossiers.index else None

    def val(nom, defaut):
        return defaut if base is None or pd.isna(base[nom]) else base[nom]

    structures = donnees.structures.set_index("id_structure")
    with st.form("simulation_form_dossier"):
        c1, c2, c3 = st.columns(3)
        ident = c1.text_input("Identifiant du dossier", value="" if base is None else choix)
        id_structure = c2.selectbox("Structure", list(structures.index), format_func=lambda i: f"{structures.at[i, 'nom']} ({i})",
                                    index=list(structures.index).index(val("id_structure", structures.index[0])))
        statuts = [s.value for s in Statut]
        statut = c3.selectbox("Statut", statuts, index=statuts.index(val("statut", "association")), format_func=lambda s: Statut(s).libelle)
        c4, c5, c6, c7 = st.columns(4)
        etp = c4.number_input("ETP demandés", 0.0, 50.0, float(val("etp_demandes", 1.0)), 0.1)
        cout = c5.number_input("Coût annuel total (€)", 0.0, 5_000_000.0, float(val("cout_annuel_total", 40_000.0)), 100.0)
        demande = c6.number_input("Montant AAP demandé (€)", 0.0, 5_000_000.0, float(val("montant_aap_demande", 28_000.0)), 100.0)
        autres = c7.number_input("Autres financements État (€)", 0.0, 5_000_000.0, float(val("autres_financements_etat", 0.0)), 100.0)
        c8, c9, c10, c11 = st.columns(4)
        cofin = c8.number_input("Cofinancements (€)", 0.0, 5_000_000.0, float(val("cofinancements", 12_000.0)), 100.0)
        depot = c9.date_input("Date de dépôt", value=pd.Timestamp(val("date_depot", pd.Timestamp(date(2025, 7, 1)))).date(), format="DD/MM/YYYY")
        complet = c10.checkbox("Dossier complet (annexe 2)", value=bool(val("dossier_complet", True)))
        derogation = c11.checkbox("Dérogation au plafond accordée", value=bool(val("derogation_plafond", False)))
        c12, c13 = st.columns(2)
        cerfa_actuel = val("date_cerfa_signe", None) if "date_cerfa_signe" in dossiers.columns else None
        cerfa = c12.date_input("CERFA signé transmis le (s'il a suivi le dossier)", format="DD/MM/YYYY",
                               value=None if cerfa_actuel is None else pd.Timestamp(cerfa_actuel).date(),
                               help="Vide : CERFA signé transmis avec le dossier. Après la clôture, recevable jusqu'au "
                                    "31/08/2025 sur autorisation expresse de la DREETS.")
        derogation_cerfa = c13.checkbox("Autorisation de la DREETS pour le CERFA signé après la clôture",
                                        value=bool(val("derogation_cerfa", False)) if "derogation_cerfa" in dossiers.columns else False)
        notes = st.columns(4)
        libelles = {"note_diagnostic": "Diagnostic territorial", "note_marches_etat": "Marchés de l'État",
                    "note_capacite": "Capacité opérationnelle", "note_conflits_interets": "Conflits d'intérêts"}
        valeurs = {k: notes[i].slider(v, 0.0, 5.0, float(val(k, 3.0)), 0.5) for i, (k, v) in enumerate(libelles.items())}
        auteur = champ_auteur()
        st.form_submit_button("Enregistrer le dossier", on_click=noter_clic, args=("simulation_saisie",))
        if not clic("simulation_saisie"):
            return
    if not ident.strip() or not auteur.strip():
        st.error("L'identifiant du dossier et votre nom sont obligatoires.")
        return
    dep = structures.at[id_structure, "departement"]
    ligne = {"id_dossier": ident.strip(), "id_structure": id_structure, "statut": statut, "region": ref.departements.at[dep, "region"],
             "departement": dep, "etp_demandes": etp, "cout_annuel_total": cout, "montant_aap_demande": demande,
             "autres_financements_etat": autres, "cofinancements": cofin, "derogation_plafond": derogation, "dossier_complet": complet,
             "date_depot": pd.Timestamp(depot), "date_cerfa_signe": pd.Timestamp(cerfa) if cerfa else pd.NaT,
             "derogation_cerfa": derogation_cerfa, **valeurs}
    table = donnees.dossiers[donnees.dossiers["id_dossier"] != ident.strip()]
    nouvelle = pd.concat([table, pd.DataFrame([ligne])], ignore_index=True)
    for colonne in table.columns:
        if colonne in nouvelle and table[colonne].dtype != object:
            nouvelle[colonne] = nouvelle[colonne].astype(table[colonne].dtype, errors="ignore")
    try:
        etat.espace().enregistrer_version(dataclasses.replace(donnees, dossiers=nouvelle), auteur=auteur.strip(),
                                          libelle=f"Dossier {ident.strip()} saisi dans l'application", source="modification",
                                          base_version=base)
    except ConflitEdition as conflit:
        afficher_conflit(conflit, cle="simulation_saisie")
        return
    st.success(f"Dossier {texte(ident.strip())} enregistré (nouvelle version de l'espace de travail).")
    st.rerun()
