"""Grands projets : exports du registre, ajout d'un projet (territoires ou tracé point par point), import."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from coverage.documents.exports import exporter_csv, exporter_xlsx
from coverage.espace import ConflitEdition
from coverage.territoires.grands_projets import (
    ErreurRegistre,
    GrandProjet,
    TypeProjet,
    exporter_registre_geojson,
    exporter_registre_tableau,
    lire_registre_geojson,
    lire_registre_tableau,
    projet_depuis_dessin,
    projets_depuis_yaml,
    projets_vers_yaml,
)
from coverage.sources.lecture import ErreurLecture
from geo.carte import couche_contours
from geo.carte_valeurs import carte_base, couche_contours_url
from coverage.documents.libelles import pour_personnes
from ui import etat
from ui.carte import point_clique, urls_geometries
from ui.ecritures import afficher_conflit
from ui.texte import liste, texte

COULEURS_TYPES = {"renovation_urbaine": "#A558A0", "rehabilitation": "#7F5539", "transport_fluvial": "#0063CB",
                  "ferroviaire": "#161616", "autre": "#695240"}


def exports_registre(projets: list[GrandProjet], tableau: pd.DataFrame, formes: gpd.GeoDataFrame) -> None:
    c1, c2, c3, c4 = st.columns(4)
    fictif = etat.donnees_actives().demo  # le bilan croise le registre (réel) et les structures (fictives en démonstration)
    c1.download_button("Bilan (CSV)", data=lambda: exporter_csv(tableau.reset_index(), donnees_fictives=fictif), file_name="grands_projets_bilan.csv",
                       on_click="ignore", key="gp_export_bilan_csv")
    c2.download_button("Bilan (XLSX)", data=lambda: exporter_xlsx({"bilan": pour_personnes(tableau.reset_index(), referentiel=etat.referentiel(), structures=etat.noms_structures())},
                                                           donnees_fictives=fictif), file_name="grands_projets_bilan.xlsx",
                       on_click="ignore", key="gp_export_bilan_xlsx")
    c3.download_button("Registre (XLSX)", data=lambda: exporter_registre_tableau(projets, format="xlsx"), file_name="grands_projets.xlsx",
                       on_click="ignore", key="gp_export_registre")
    c4.download_button("Registre (GeoJSON)", file_name="grands_projets.geojson", on_click="ignore", key="gp_export_geojson",
                       data=lambda: exporter_registre_geojson(projets, referentiel=etat.referentiel(), communes_geo=etat.communes_completes()))


def _enregistrer(nouveaux: list[GrandProjet], auteur: str) -> bool:
    """Ajoute les projets à ceux des utilisateurs (même identifiant : remplacé), en une version.

    Lit la version du texte avant le texte : si quelqu'un enregistre entre la lecture et l'écriture,
    le magasin refuse (`ConflitEdition`) au lieu d'effacer ses projets : message, False.
    """
    e = etat.espace()
    base = e.version_projets_utilisateur()
    texte = e.projets_utilisateur()
    existants = {p.id: p for p in projets_depuis_yaml(texte, referentiel=etat.referentiel(), nom_fichier="projets ajoutés")} \
        if texte.strip() else {}
    for p in nouveaux:
        existants[p.id] = p
    try:
        e.enregistrer_projets_utilisateur(projets_vers_yaml(list(existants.values())), auteur=auteur, base_version=base)
    except ConflitEdition as conflit:
        afficher_conflit(conflit, cle="gp_projets")
        return False
    return True


def _champs_communs(prefixe: str) -> dict:
    c1, c2, c3, c4 = st.columns(4)
    return {
        "id": c1.text_input("Identifiant", key=f"{prefixe}_id", placeholder="ex. ligne-nouvelle-x"),
        "nom": c2.text_input("Nom", key=f"{prefixe}_nom"),
        "type": c3.selectbox("Type", [t.value for t in TypeProjet], key=f"{prefixe}_type", format_func=lambda t: TypeProjet(t).libelle),
        "periode": c4.text_input("Période", key=f"{prefixe}_periode", placeholder="2026-2032"),
    }


def section_ajout(projets: list[GrandProjet]) -> None:
    st.subheader("Ajouter un projet")
    mode = st.segmented_control("Emprise", ["territoires", "trace", "import"], default="territoires", key="gp_mode_ajout",
                                format_func={"territoires": "Par territoires", "trace": "Tracé sur la carte",
                                             "import": "Importer un registre"}.get) or "territoires"
    auteur = st.text_input("Votre nom (tracé dans l'historique)", key="gp_auteur")
    ref = etat.referentiel()
    if mode == "territoires":
        with st.form("gp_form_territoires"):
            champs = _champs_communs("gp_t")
            epci = st.multiselect("EPCI", list(ref.epci.sort_values("nom").index), format_func=lambda c: ref.epci.at[c, "nom"],
                                  placeholder="Choisir un ou plusieurs EPCI")
            communes = st.text_input("Communes (codes INSEE séparés par des virgules)", placeholder="59350, 59512")
            source = st.text_input("Source", value="Saisie dans l'application")
            if st.form_submit_button("Enregistrer le projet", type="primary"):
                codes = tuple(c.strip() for c in communes.split(",") if c.strip())
                _valider_et_enregistrer(lambda: GrandProjet(id=champs["id"].strip(), nom=champs["nom"].strip(), type=TypeProjet(champs["type"]),
                                                            source=source, periode=champs["periode"], indicatif=True,
                                                            avertissement="emprise saisie dans l'application.",
                                                            communes=codes, epci=tuple(epci)), auteur)
    elif mode == "trace":
        _section_trace(auteur)
    else:
        fichier = st.file_uploader("Registre CSV, XLSX ou GeoJSON", type=["csv", "xlsx", "geojson", "json"], key="gp_import")
        if fichier and st.button("Vérifier et importer", key="gp_import_ok"):
            lecteur = lire_registre_geojson if fichier.name.lower().endswith(("json", "geojson")) else lire_registre_tableau
            try:
                nouveaux = lecteur(fichier.getvalue(), fichier.name, referentiel=ref)
            except (ErreurRegistre, ErreurLecture) as erreur:
                st.error("**Import refusé, rien n'a été enregistré.**\n\n" + _problemes(erreur))
                return
            if not auteur.strip():
                st.error("Indiquez votre nom.")
                return
            if _enregistrer(nouveaux, auteur.strip()):
                st.success(f"{len(nouveaux)} projet(s) importé(s).")
                st.rerun()


def _problemes(erreur: Exception) -> str:
    problemes = getattr(erreur, "problemes", None)
    return liste(problemes) if problemes else texte(erreur)


def _valider_et_enregistrer(fabrique, auteur: str) -> None:
    if not auteur.strip():
        st.error("Indiquez votre nom : chaque ajout est tracé.")
        return
    try:
        from coverage.territoires.grands_projets import valider_projet

        projet = fabrique()
        valider_projet(projet, referentiel=etat.referentiel())
    except (ErreurRegistre, ErreurLecture, ValueError) as erreur:
        st.error("**Projet refusé, rien n'a été enregistré.**\n\n" + _problemes(erreur))
        return
    if _enregistrer([projet], auteur.strip()):
        st.success(f"Projet « {texte(projet.nom)} » enregistré.")
        st.rerun()


def _section_trace(auteur: str) -> None:
    st.caption("Cliquez sur la carte les points successifs du tracé (ligne) ou du contour (polygone), puis enregistrez.")
    points: list = st.session_state.setdefault("gp_points", [])
    forme = st.radio("Forme", ["ligne", "polygone"], horizontal=True, key="gp_forme")
    # Base stable, départements par URL, tracé à part : chaque clic ajoute un point sans recréer la carte.
    couches = [couche_contours_url(urls_geometries("departement"), nom="Départements", couleur="#666666", epaisseur=0.8)]
    if len(points) >= 2:
        geom = shapely.LineString(points) if forme == "ligne" or len(points) < 3 else shapely.Polygon(points)
        couches.append(couche_contours(gpd.GeoDataFrame({"code": ["trace"]}, geometry=[geom], crs=4326).set_index("code"),
                                       nom="Tracé", couleur="#000091", epaisseur=3))
    clic = point_clique(carte_base(hauteur=450), cle="gp_carte_trace", couches_variables=couches)
    if clic and (not points or tuple(points[-1]) != clic) and st.session_state.get("gp_dernier_clic") != clic:
        st.session_state["gp_dernier_clic"] = clic
        points.append(clic)
        st.rerun()
    st.write(f"{len(points)} point(s) : " + " → ".join(f"({lon:.3f} ; {lat:.3f})" for lon, lat in points))
    c1, c2 = st.columns(2)
    if c1.button("Effacer le tracé", key="gp_effacer"):
        points.clear()
        st.rerun()
    with st.form("gp_form_trace"):
        champs = _champs_communs("gp_d")
        largeur = st.number_input("Largeur du corridor (km, lignes)", 0.5, 100.0, 10.0, 0.5)
        if st.form_submit_button("Enregistrer le projet tracé", type="primary"):
            if len(points) < (2 if forme == "ligne" else 3):
                st.error("Cliquez au moins 2 points pour une ligne, 3 pour un polygone.")
                return
            geometrie = ({"type": "LineString", "coordinates": points} if forme == "ligne"
                         else {"type": "Polygon", "coordinates": [points + [points[0]]]})
            _valider_et_enregistrer(lambda: projet_depuis_dessin(geometrie, id=champs["id"].strip(), nom=champs["nom"].strip(),
                                                                 type=champs["type"], periode=champs["periode"],
                                                                 largeur_km=largeur if forme == "ligne" else None,
                                                                 referentiel=etat.referentiel()), auteur)
            points.clear()
