"""Simulation « et si » de la page Couverture : ETP d'une structure, ajout ou retrait de territoires."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.espace import ConflitEdition
from coverage.territoires.couverture import appliquer_modifications, chiffres_cles, comparer, decrire_modification, ecarts
from coverage.documents.format import format_nombre, format_pourcentage
from coverage.modele import DonneesFacilitateurs, Niveau, Role
from ui import etat
from ui.ecritures import afficher_conflit, clic, noter_clic, version_vue
from ui.recherche import options_structures
from ui.texte import liste, texte
from ui.presentation import barres_appariees
from ui.presentation import tableau as afficher_tableau
from ui.acces import champ_auteur

ACTIONS = {"etp": "Changer les ETP", "ajout": "Ajouter un territoire au périmètre", "retrait": "Retirer un territoire du périmètre"}


def _formulaire(donnees: DonneesFacilitateurs, modifications: list[dict]) -> None:
    structures = appliquer_modifications(donnees, modifications).structures.set_index("id_structure")
    options = options_structures(structures["nom"], cle="couverture_etsi_structure", libelle="Structure")
    with st.form("couverture_form_et_si", border=True):
        c1, c2 = st.columns(2)
        c1.selectbox("Structure", options, format_func=lambda i: f"{structures.at[i, 'nom']} ({i})",
                     key="couverture_etsi_structure")
        c2.radio("Modification", list(ACTIONS), format_func=ACTIONS.get, horizontal=False, key="couverture_etsi_action")
        c3, c4, c5, c6 = st.columns(4)
        c3.number_input("Nouveaux ETP", min_value=0.0, max_value=50.0, step=0.5, value=1.0, key="couverture_etsi_etp")
        c4.selectbox("Niveau", [n.value for n in Niveau], index=1, format_func=lambda n: Niveau(n).libelle, key="couverture_etsi_niveau")
        c5.text_input("Code du territoire", placeholder="ex. 200042935, 01001, 38", key="couverture_etsi_code")
        c6.selectbox("Rôle", [r.value for r in Role], index=1, format_func=lambda r: Role(r).libelle, key="couverture_etsi_role")
        # Rappel exécuté avant la page : carte et chiffres du haut de page comptent déjà cette modification.
        st.form_submit_button("Ajouter à la simulation", type="primary", on_click=_ajouter, args=(modifications,))
    erreur = st.session_state.pop("couverture_etsi_erreur", None)
    if erreur:
        st.error(erreur)


def _ajouter(modifications: list[dict]) -> None:
    e = st.session_state
    ident, action = e["couverture_etsi_structure"], e["couverture_etsi_action"]
    if action == "etp":
        modifications.append({"type": "etp", "id_structure": ident, "etp": float(e["couverture_etsi_etp"])})
        return
    niveau, code = e["couverture_etsi_niveau"], e["couverture_etsi_code"].strip()
    if code not in etat.referentiel().table(niveau).index:
        e["couverture_etsi_erreur"] = (f"Code {niveau} « {texte(code)} » inconnu au COG 2026 : saisissez un code officiel "
                                       "(commune INSEE, SIREN d'EPCI, département ou région).")
        return
    modifications.append({"type": action, "id_structure": ident, "niveau": niveau, "code": code, "role": e["couverture_etsi_role"]})


def section_et_si(donnees: DonneesFacilitateurs, modifications: list[dict], *, version: int,
                  apres: etat.Couverture | None) -> None:
    """Formulaire, liste des modifications, avant/après, enregistrement ou abandon.

    `version` : la version des données affichée (`donnees`) ; l'enregistrement s'appuie sur celle que
    l'utilisateur avait sous les yeux en cliquant, et est refusé si quelqu'un a écrit entre-temps.
    `apres` : la couverture des données modifiées, calculée une fois par la page (None sans modification) ;
    un ajout par le formulaire passe par un rappel, exécuté avant la page : elle compte toutes les modifications.
    """
    st.subheader("Simulation « et si »")
    st.caption("Changez les ETP d'une structure ou étendez son périmètre : avant/après immédiat, puis enregistrez ou abandonnez.")
    _formulaire(donnees, modifications)
    if not modifications:
        return
    ref = etat.referentiel()
    st.markdown(liste(decrire_modification(m, structures=donnees.structures, referentiel=ref) for m in modifications))
    avant_epci, apres_epci = etat.agregat_actif("epci"), apres.agregat("epci")
    a, b = chiffres_cles(etat.agregat_actif("region")), chiffres_cles(apres.agregat("region"))
    c1, c2, c3 = st.columns(3)
    c1.metric("ETP de facilitateurs", format_nombre(b["etp"], decimales=1), delta=format_nombre(b["etp"] - a["etp"], decimales=1))
    c2.metric("Population couverte", format_pourcentage(b["part_population_couverte"]),
              delta=f"{format_nombre(b['population_couverte'] - a['population_couverte'])} hab.")
    na, nb = (avant_epci["statut"] == "non_couvert").sum(), (apres_epci["statut"] == "non_couvert").sum()
    c3.metric("EPCI non couverts", int(nb), delta=int(nb - na), delta_color="inverse")
    diff = comparer(avant_epci, apres_epci)
    st.markdown("**EPCI qui changent**")
    afficher_tableau(diff, index=True)
    avant_region, apres_region = etat.agregat_actif("region"), apres.agregat("region")
    st.markdown("**ETP par région : ce qui change**")
    afficher_tableau(ecarts(avant_region["etp"], apres_region["etp"], noms=avant_region["nom"])
                     .rename(columns={"avant": "etp_avant", "apres": "etp_apres", "difference": "etp_ajoutes"}), index=True)
    barres_appariees(pd.DataFrame({"nom": avant_region["nom"], "avant": avant_region["etp"], "apres": apres_region["etp"].reindex(avant_region.index)}),
                     titre="ETP de facilitateurs")
    c1, c2, c3 = st.columns([2, 1, 1])
    auteur = champ_auteur("Votre nom (tracé dans l'historique)", key="couverture_auteur", conteneur=c1)
    base = version_vue("couverture_et_si", version)
    c2.button("Enregistrer dans l'espace de travail", type="primary", disabled=not auteur.strip(),
              on_click=noter_clic, args=("couverture_et_si",))
    if clic("couverture_et_si"):
        resultat = appliquer_modifications(donnees, modifications)
        libelle = " ; ".join(decrire_modification(m, structures=donnees.structures, referentiel=ref) for m in modifications)
        try:
            etat.espace().enregistrer_version(resultat, auteur=auteur.strip(), libelle=libelle[:500], source="modification",
                                              base_version=base)
        except ConflitEdition as conflit:
            afficher_conflit(conflit, cle="couverture_et_si")
            return
        modifications.clear()
        st.toast("Modifications enregistrées : nouvelle version active de l'espace de travail.", icon=":material/check:")
        st.rerun()
    if c3.button("Abandonner les modifications"):
        modifications.clear()
        st.rerun()
