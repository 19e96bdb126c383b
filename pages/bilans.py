"""Bilans des structures financées : remises par convention, indicateurs consolidés, fiche, import, exports."""

import datetime as dt

import streamlit as st

from coverage.bilans.campagne import texte_seuils
from coverage.bilans.echeances import StatutRemise, conventions
from coverage.documents.format import format_nombre, format_pourcentage
from coverage.documents.graphiques_bilans import graphique_annee_precedente, graphique_distribution, graphique_heures_par_etp
from coverage.documents.synthese_bilans import classeur_consolidation, synthese_bilans_pdf
from coverage.modele import BILANS, BILANS_REPARTITIONS
from coverage.sources.modeles_fichiers import modele_csv, modele_xlsx
from geo.carte_valeurs import carte_base, couche_valeurs
from ui import bilans as vue
from ui import etat
from ui.bilans_fiche import fiche_structure, section_import
from ui.carte import afficher_carte, opacite_remplissage, parametres_tuiles, urls_geometries
from ui.commun import avis_donnees, source_geographie
from ui.navigation import exiger_navigation
from ui.presentation import tableau as afficher_tableau

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Bilans des structures financées")
with st.expander("Ce que demande l'appel à projets (partie D, « Conventionnement »)"):
    st.markdown(
        "> La convention prévoit aussi un dispositif d'évaluation, comprenant des indicateurs d'évaluation qualitatifs et "
        "quantitatifs de l'action financée qui conditionnent le renouvellement de la subvention les années suivantes. Le "
        "porteur de projet s'engage ainsi à fournir à la DREETS des bilans consolidés : un rapport intermédiaire et un "
        "rapport annuel.\n\n"
        "Indicateurs pour l'ensemble des marchés d'une part, et pour les marchés de l'État d'autre part : heures "
        "d'insertion par ETP subventionné, contacts avec les acheteurs, marchés accompagnés (nombre et montant HT), "
        "acheteurs accompagnés, bénéficiaires, structures inclusives mobilisées, typologies. Format et règles : "
        "docs/bilans.md."
    )
donnees = etat.donnees_actives()
avis_donnees(donnees)
actifs = vue.bilans_actifs()
if actifs.demo:
    st.caption("Bilans : " + actifs.source + " (fictifs, générés par python -m coverage.demo.bilans).")
elif actifs.source:
    st.caption("Bilans : " + actifs.source + " de l'espace de travail.")

annees = sorted(conventions(donnees.structures, actifs.bilans)["annee"].unique().tolist(), reverse=True)
c1, c2 = st.columns(2)
annee = c1.selectbox("Année de campagne", annees, key="bilans_annee") if annees else None
au = c2.date_input("Situation au", value=dt.date.today(), format="DD/MM/YYYY", key="bilans_au")
vue.formulaire_echeances()
section = st.segmented_control(
    "Vue", ["remises", "indicateurs", "fiche", "import"], default="remises", key="bilans_section",
    format_func={"remises": "Remise des bilans", "indicateurs": "Indicateurs consolidés", "fiche": "Fiche d'une structure",
                 "import": "Importer des bilans"}.get,
) or "remises"

if annee is None and section != "import":
    st.info("Aucune convention : ni année de financement PNAD dans les structures, ni bilan importé. "
            "Importez des bilans (vue « Importer des bilans »).")
    st.stop()

if section == "remises":
    st.caption(vue.texte_echeances(annee))
    suivi = vue.suivi(actifs, au)
    suivi_annee = suivi[suivi["annee"] == annee]
    comptes = suivi_annee["statut"].value_counts()
    colonnes = st.columns(len(StatutRemise))
    for col, statut in zip(colonnes, StatutRemise):
        col.metric(statut.libelle, format_nombre(int(comptes.get(statut.value, 0))))
    par_dep = vue.remises_departements(suivi_annee)
    gdf = etat.geometries("departement")[["geometry"]].join(par_dep, how="left")
    gdf["nom"] = etat.referentiel().departements["nom"].reindex(gdf.index)
    # Contours des départements par URL (fichier statique, téléchargé une fois), valeurs à chaque exécution :
    # changer d'année ou de date redessine les couleurs sans recharger la carte ni perdre la vue.
    valeurs = couche_valeurs(
        gdf.drop(columns="geometry"), geometries=urls_geometries("departement"), colonne="situation",
        libelle=f"Bilans {annee} au {au:%d/%m/%Y}", palette="categorie", categories=vue.CATEGORIES_CARTE,
        champs_infobulle=[("attendus", "Bilans attendus"), ("recu", "Reçus à temps"), ("recu_en_retard", "Reçus en retard"),
                          ("en_retard", "En retard"), ("manquant", "Manquants")],
        attribution=source_geographie(), opacite=opacite_remplissage(),
    )
    afficher_carte(carte_base(**parametres_tuiles()), cle="bilans_carte", couches_variables=[valeurs], gdf=gdf)
    st.subheader("Par convention")
    afficher_tableau(vue.tableau_conventions(suivi_annee).rename(columns={"statut": "statut_convention"}))

elif section == "indicateurs":
    niveau = st.segmented_control("Niveau", ["france", "region", "departement"], default="region", key="bilans_niveau",
                                  format_func={"france": "France", "region": "Régions", "departement": "Départements"}.get) or "region"
    table = vue.consolidation(actifs.cle, niveau, annee)
    france = vue.consolidation(actifs.cle, "france", annee)
    if france.empty:
        st.info(f"Aucun bilan pour {annee}.")
        st.stop()
    f = france.iloc[0]
    m = st.columns(4)
    m[0].metric("Heures par ETP (tous marchés)", format_nombre(f["heures_par_etp_total"]))
    m[1].metric("Heures par ETP (marchés de l'État)", format_nombre(f["heures_par_etp_etat"]))
    m[2].metric("Évolution sur un an", format_pourcentage(f["evolution_heures"]))
    m[3].metric("Structures (dont intermédiaire seul)", f"{format_nombre(f['structures'])} ({format_nombre(f['intermediaires_seuls'])})")
    afficher_tableau(table.drop(columns=["annee"], errors="ignore").rename(columns={"nom": "territoire"}))
    regions = vue.consolidation(actifs.cle, "region", annee)
    graphique = st.segmented_control("Graphique", ["heures", "annees", "distribution"], default="heures", key="bilans_graphique",
                                     format_func={"heures": "Heures par ETP par région", "annees": f"{annee} contre {annee - 1}",
                                                  "distribution": "Distribution des structures"}.get) or "heures"
    if graphique == "heures":
        st.pyplot(graphique_heures_par_etp(regions, titre=f"Heures d'insertion par ETP subventionné, par région ({annee})"))
    elif graphique == "annees":
        st.pyplot(graphique_annee_precedente(regions, titre=f"Heures {annee} et {annee - 1}, par région"))
    else:
        st.pyplot(graphique_distribution(vue.par_structure(actifs.cle, annee), titre="Structures selon leurs heures par ETP",
                                         seuil=vue.seuils().heures_par_etp_min))
    st.subheader("Exports")
    ref = etat.referentiel()
    portee = st.selectbox("Synthèse PDF", [None, *ref.regions.sort_values("nom").index], key="bilans_portee",
                          format_func=lambda r: "France entière" if r is None else ref.regions.at[r, "nom"])
    suivi = vue.suivi(actifs, au)
    e1, e2 = st.columns(2)
    e1.download_button(
        "Classeur consolidé (XLSX)", on_click="ignore", key="bilans_xlsx", file_name=f"bilans_{annee}_consolides.xlsx",
        data=lambda: classeur_consolidation(actifs.bilans, donnees.structures, suivi, referentiel=ref, annee=annee),
        icon=":material/table:")
    e2.download_button(
        "Synthèse PDF", on_click="ignore", key="bilans_pdf", mime="application/pdf",
        file_name=f"synthese_bilans_{annee}_{portee or 'france'}.pdf", icon=":material/picture_as_pdf:",
        data=lambda: synthese_bilans_pdf(actifs.bilans, donnees.structures, suivi, referentiel=ref, annee=annee, region=portee,
                                         donnees_fictives=actifs.demo, seuil_heures_par_etp=vue.seuils().heures_par_etp_min))

elif section == "fiche":
    fiche_structure(donnees, actifs, au)

else:
    section_import(actifs)
    st.subheader("Modèles de fichiers")
    for schema in (BILANS, BILANS_REPARTITIONS):
        c1, c2 = st.columns(2)
        c1.download_button(f"{schema.nom}.csv", data=modele_csv(schema), file_name=f"{schema.nom}.csv", mime="text/csv",
                           key=f"bilans_modele_csv_{schema.nom}", on_click="ignore", icon=":material/download:")
        c2.download_button(f"{schema.nom}.xlsx", data=modele_xlsx(schema), file_name=f"{schema.nom}.xlsx",
                           key=f"bilans_modele_xlsx_{schema.nom}", on_click="ignore", icon=":material/table:")
st.caption(texte_seuils(vue.seuils(), delai_jours=vue.parametres().delai_relance_bilans_jours))
