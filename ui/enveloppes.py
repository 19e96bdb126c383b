"""Simulation ETP, rubrique « Enveloppes régionales » : la table de la campagne, la répartition
suggérée selon une clé énoncée, le contrôle du total, l'enregistrement (rôle national)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.documents.format import format_euros
from coverage.espace import ConflitEdition
from coverage.espace.permissions import Action, PermissionRefusee
from coverage.financement.enveloppes import (CLES_REPARTITION, controler_total, montants_saisis, repartition_suggeree,
                                              table_enveloppes)
from coverage.financement.parametres import PARAMETRES_2025
from ui import etat
from ui.acces import champ_auteur
from ui.presentation import tableau as afficher_tableau
from ui.ecritures import afficher_conflit, clic, noter_clic, version_vue
from ui.texte import texte


def _suggestion(cle: str) -> pd.Series:
    ref = etat.referentiel()
    annee = PARAMETRES_2025.annee
    if cle == "etp_finances":
        table = repartition_suggeree(enveloppe_nationale=PARAMETRES_2025.enveloppe_nationale, cle="etp_finances", referentiel=ref,
                                     structures=etat.donnees_actives().structures, annee_precedente=annee - 1)
    else:
        zb = etat.zones_blanches("epci")
        table = repartition_suggeree(enveloppe_nationale=PARAMETRES_2025.enveloppe_nationale, cle="indice_besoin", referentiel=ref,
                                     indice_par_region=zb.groupby("region")["indice_besoin"].sum())
    return table["enveloppe"]


def section_enveloppes() -> None:
    annee = PARAMETRES_2025.annee
    ref = etat.referentiel()
    peut = etat.espace().peut(Action.ENVELOPPES)
    vue = version_vue("enveloppes", etat.magasin().version_enveloppes(annee))  # la table que l'utilisateur a sous les yeux
    st.markdown(f"Part de l'enveloppe nationale ({format_euros(PARAMETRES_2025.enveloppe_nationale, centimes=False)}) notifiée à "
                f"chaque DREETS pour la campagne {annee}. " + ("" if peut else "Seule la DGEFP (rôle national) la modifie."))
    base_choix = st.radio("Partir de", ["vigueur", *CLES_REPARTITION], key="enveloppes_base", horizontal=True,
                          format_func=lambda c: "La table en vigueur" if c == "vigueur" else "Répartition " + CLES_REPARTITION[c],
                          disabled=not peut)
    proposition = None if base_choix == "vigueur" else (base_choix, _suggestion(base_choix).to_dict())
    base = proposition[1] if proposition else etat.enveloppes_regionales().to_dict()
    if proposition:
        st.caption(f"Proposition {CLES_REPARTITION[proposition[0]]} : modifiez les montants puis enregistrez.")
    # Montants en texte à la française (« 600 000 € ») : une cellule numérique éditable suivrait la
    # langue du navigateur ; relus par la même règle que les fichiers d'enveloppes.
    table = table_enveloppes(base, referentiel=ref).reset_index()
    table["enveloppe"] = table["enveloppe"].map(format_euros)
    edite = st.data_editor(
        table, hide_index=True, width="stretch", key=f"enveloppes_editeur_{base_choix}",
        disabled=["region", "nom"] if peut else True,
        column_config={"region": "Code", "nom": "Région",
                       "enveloppe": st.column_config.TextColumn("Enveloppe", help="Montant en euros : 600 000 ou 600 000,50")})
    montants, erreurs = montants_saisis(edite.set_index("region")["enveloppe"], noms=edite.set_index("region")["nom"])
    for erreur in erreurs:
        st.error(texte(erreur))
    controle = controler_total(montants, enveloppe_nationale=PARAMETRES_2025.enveloppe_nationale)
    (st.success if controle.conforme else st.warning)(controle.message)
    if peut and not erreurs:
        auteur = champ_auteur(key="enveloppes_auteur")
        st.button("Enregistrer cette table (nouvelle version)", type="primary", key="enveloppes_enregistrer", disabled=not auteur.strip(),
                  on_click=noter_clic, args=("enveloppes",))
        if clic("enveloppes"):
            libelle = f"{CLES_REPARTITION[proposition[0]]}, modifiée à la main" if proposition else "saisie à la main"
            try:
                version = etat.espace().enregistrer_enveloppes(annee, montants.to_dict(), auteur=auteur.strip(), cle=libelle,
                                                               base_version=vue)
            except ConflitEdition as conflit:
                afficher_conflit(conflit, cle="enveloppes")
            except (PermissionRefusee, ValueError) as erreur:
                st.error(texte(erreur))
            else:
                st.success(f"Enveloppes régionales {annee} : version {version} enregistrée.")
    with st.expander("Versions de la table"):
        afficher_tableau(etat.magasin().historique_enveloppes(annee).rename(columns={"total": "montant_total"}))
