"""Données : import des fichiers de l'utilisateur, modèles, versions de l'espace de travail, sources."""

import pandas as pd
import streamlit as st

from coverage.espace import ConflitEdition
from coverage.documents.exports import exporter_xlsx
from coverage.documents.format import format_nombre
from coverage.modele import SCHEMAS
from coverage.sources.modeles_fichiers import modele_csv, modele_xlsx
from ui import etat
from ui.commun import avis_donnees
from ui.donnees_besoins import section_besoins
from ui.import_portee import peut_restaurer, section_import
from ui.acces import champ_auteur
from ui.ecritures import afficher_conflit, version_vue
from ui.navigation import exiger_navigation
from ui.presentation import tableau as afficher_tableau

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Données")
version = etat.version_active()
donnees = etat.donnees_version(version)
avis_donnees(donnees)

onglet = st.segmented_control(
    "Rubrique", ["import", "versions", "besoins", "sources"], default="import", key="donnees_rubrique",
    format_func={"import": "Importer structures et dossiers", "versions": "Versions de l'espace de travail",
                 "besoins": "Besoins : DECP, QPV, NPNRU", "sources": "Sources et millésime"}.get,
) or "import"

if onglet == "import":
    section_import()

    st.subheader("Modèles de fichiers")
    for schema in SCHEMAS.values():
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.markdown(f"**{schema.nom}** : " + ", ".join(f"`{c.nom}`" for c in schema.colonnes))
        c2.download_button(f"{schema.nom}.csv", data=modele_csv(schema), file_name=f"{schema.nom}.csv", mime="text/csv",
                           key=f"donnees_modele_csv_{schema.nom}", on_click="ignore", icon=":material/download:")
        c3.download_button(f"{schema.nom}.xlsx", data=modele_xlsx(schema), file_name=f"{schema.nom}.xlsx",
                           key=f"donnees_modele_xlsx_{schema.nom}", on_click="ignore", icon=":material/table:")
    st.download_button(
        "Exporter les données actives (XLSX)", on_click="ignore", key="donnees_export_actives", file_name="donnees_facilitateurs.xlsx",
        data=lambda: exporter_xlsx({"structures": donnees.structures, "perimetres": donnees.perimetres, "dossiers": donnees.dossiers},
                                   donnees_fictives=donnees.demo),
    )

elif onglet == "versions":
    versions = etat.espace().lister_versions()
    st.markdown("Chaque import et chaque modification enregistrée crée une version datée ; toute version peut être restaurée.")
    afficher_tableau(versions.rename(columns={"source": "source_version"}))  # « Import de fichiers », pas « import »
    if not peut_restaurer():
        st.caption("La restauration d'une version (la France entière) est réservée à la DGEFP.")
        st.stop()
    base = version_vue("donnees_restaurer", version)
    with st.form("donnees_restaurer"):
        c1, c2 = st.columns(2)
        choix = c1.selectbox("Version à restaurer", list(versions["id"]),
                             format_func=lambda i: f"n° {i} — {versions.set_index('id').at[i, 'libelle']}")
        auteur = champ_auteur(key="donnees_restaurer_auteur", conteneur=c2)
        if st.form_submit_button("Restaurer cette version"):
            if not auteur.strip():
                st.error("Indiquez votre nom pour tracer la restauration.")
            else:
                try:
                    etat.espace().restaurer_version(int(choix), auteur=auteur.strip(), base_version=base)
                    st.success(f"Version n° {choix} restaurée : elle est maintenant active.")
                    st.rerun()
                except ConflitEdition as conflit:
                    afficher_conflit(conflit, cle="donnees_restaurer")

elif onglet == "besoins":
    section_besoins()

else:
    prov = etat.provenance()
    st.markdown(f"**Géographie de référence : {prov['millesime']}**, construite le {prov['construit_le']} par `{prov['commande']}`.")
    millesimes = prov.get("millesimes", {})
    st.markdown(
        "**Millésimes**\n"
        f"- Populations : {millesimes.get('populations', 'non précisé')} ;\n"
        f"- {millesimes.get('populations_mayotte', 'Mayotte : non précisé')} ;\n"
        f"- Contours des communes : {millesimes.get('contours', 'non précisé')}."
    )
    sources = pd.DataFrame(prov["sources"]).T.reset_index(names="source")
    afficher_tableau(sources)
    c = prov["comptes"]
    st.markdown(
        f"- {format_nombre(c['communes'])} communes (métropole et DROM), {format_nombre(c['epci'])} EPCI, "
        f"{c.get('ept', 0)} territoires de la Métropole du Grand Paris (Paris et les établissements publics territoriaux), "
        f"{c['departements']} départements, {c['regions']} régions, {format_nombre(c['population_totale'])} habitants ;\n"
        f"- reconstituées depuis leurs communes déléguées : {', '.join(c['communes_reconstituees'])} ;\n"
        f"- sans contour (comptées partout, signalées sur les cartes) : "
        + ", ".join(f"{k} {v}" for k, v in c["communes_sans_geometrie"].items())
        + ";\n- hors EPCI (îles) : " + ", ".join(f"{k} {v}" for k, v in c["communes_hors_epci"].items())
    )
    st.caption("Structures, périmètres, ETP, dossiers et marchés de démonstration sont fictifs ; la géographie est officielle.")
