"""Données > Besoins : import des DECP, des contours QPV et de la liste NPNRU (tout ou rien)."""

from __future__ import annotations

import streamlit as st

from coverage.espace import ConflitEdition
from coverage.sources.decp import contrats_non_places
from coverage.sources.fichiers_besoins import verifier_fichier_besoins
from coverage.documents.exports import exporter_csv
from coverage.documents.format import format_nombre
from coverage.sources.lecture import ErreurLecture
from ui import etat
from ui.ecritures import afficher_conflit, version_vue
from ui.texte import liste, texte
from ui.presentation import tableau as afficher_tableau
from ui.acces import champ_auteur

TYPES = {
    "decp": ("Marchés publics (DECP consolidées, JSON 2022/2024 ou CSV à plat)", ["json", "gz", "csv"]),
    "qpv": ("Contours des QPV 2024 (GeoJSON, GeoPackage ou shapefile zippé)", ["geojson", "json", "gpkg", "zip"]),
    "npnru": ("Liste des quartiers NPNRU (CSV ou XLSX : code_qpv, nom, interet, commune)", ["csv", "xlsx"]),
}


def section_besoins() -> None:
    st.markdown(
        "Les besoins des zones blanches combinent la population, la commande publique (DECP), les quartiers prioritaires "
        "et les grands projets. Tant que vous n'importez rien, des **échantillons fictifs** sont utilisés et signalés."
    )
    e = etat.espace()
    actifs = e.fichiers_besoins_actifs()  # noms seulement : le contenu (jusqu'à des centaines de Mo) n'est pas relu
    for type_, (libelle, extensions) in TYPES.items():
        actif = actifs.get(type_)
        base = version_vue(f"donnees_besoins_{type_}", actif[0] if actif else 0)
        with st.container(border=True):
            st.markdown(f"**{libelle}** — actif : {texte(actif[1]) if actif else 'échantillon de démonstration'}")
            with st.form(f"donnees_besoins_{type_}"):
                fichier = st.file_uploader("Fichier", type=extensions, key=f"donnees_fichier_{type_}")
                auteur = champ_auteur(key=f"donnees_auteur_{type_}")
                c1, c2 = st.columns(2)
                importer = c1.form_submit_button("Vérifier et importer", type="primary")
                revenir = c2.form_submit_button("Revenir à l'échantillon", disabled=actif is None)
            if importer:
                if not fichier or not auteur.strip():
                    st.error("Déposez un fichier et indiquez votre nom.")
                    continue
                try:
                    resume = verifier_fichier_besoins(type_, fichier.getvalue(), fichier.name, referentiel=etat.referentiel())
                except ErreurLecture as erreur:
                    st.error("**Import refusé, rien n'a changé.**\n\n" + liste(erreur.problemes))
                    continue
                try:
                    e.enregistrer_fichier_besoins(type_, nom_fichier=fichier.name, contenu=fichier.getvalue(),
                                                  auteur=auteur.strip(), base_version=base)
                    st.success(f"{texte(fichier.name)} importé : {texte(resume)}")
                except ConflitEdition as conflit:
                    afficher_conflit(conflit, cle=f"donnees_besoins_{type_}")
            if revenir:
                try:
                    e.retirer_fichier_besoins(type_, auteur=auteur.strip() or "inconnu", base_version=base)
                    st.rerun()
                except ConflitEdition as conflit:
                    afficher_conflit(conflit, cle=f"donnees_besoins_{type_}")

    marches = etat.marches_places()
    non_places = contrats_non_places(marches.places)
    st.subheader(f"Marchés non placés : {format_nombre(len(non_places))}")
    st.caption("Jamais ignorés en silence : ils comptent dans les totaux nationaux mais ne peuvent pas être rattachés à un territoire.")
    afficher_tableau(non_places.head(500))
    decp_fictif = e.fichier_besoins_actif("decp") is None  # l'échantillon de démonstration est fictif
    st.download_button("Exporter les marchés non placés (CSV)", data=lambda: exporter_csv(non_places, donnees_fictives=decp_fictif), file_name="marches_non_places.csv",
                       on_click="ignore", key="donnees_non_places")
