"""Zones blanches au sens de l'appel à projets : trois critères, chacun avec ses chiffres."""

import streamlit as st

from coverage.documents.format import format_nombre, format_pourcentage
from coverage.territoires.zones_blanches import CRITERES, LIBELLES_CRITERES, REFERENCES_CRITERES, resume_zones_blanches
from geo.carte_valeurs import carte_base, couche_contours_url, couche_valeurs
from ui import etat
from ui.achats import vue_achats_territoire
from ui.cartes_avant_apres import CATEGORIES_ZB, critere_principal, phrase_carte, phrase_zones_blanches
from ui.carte import afficher_carte, clic_en_cours, opacite_remplissage, parametres_tuiles, urls_geometries
from ui.commun import avis_donnees, choix_grand_paris, choix_zone, communes_sans_geometrie, selecteur_territoire, source_geographie
from ui.exports import boutons_export
from ui.reglages_zb import avis_sources, formulaire_reglages
from ui.territoire import (
    bouton_restreindre,
    choix_detail,
    choix_maille,
    couche,
    couches_departement,
    geometries_vue,
    griser_hors_choix,
    hors_selection,
    territoire_clique,
    titre_vue,
    vue_pour,
)
from ui.navigation import exiger_navigation
from ui.texte import texte
from ui.presentation import LIGNES_AFFICHEES, tableau as afficher_tableau

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Zones blanches")
# Définition et sources côte à côte, repliées : la carte commence dans le premier écran d'un portable.
col_definition, col_sources = st.columns(2)
with col_definition.expander("Définition de l'appel à projets (partie B)"):
    st.markdown(
        "> Est considéré comme « zone blanche » tout territoire non couvert par l'action d'un facilitateur ou faisant l'objet "
        "d'une couverture par un facilitateur « limitrophe » du fait de l'extension de son périmètre sur lesquels des besoins "
        "sont identifiés, ainsi que tout territoire dont les capacités de réponse des structures existantes sont insuffisantes "
        "au regard des besoins existants, et notamment en termes de couverture des marchés de l'État."
    )
    for c in CRITERES:
        st.markdown(f"- **{LIBELLES_CRITERES[c]}** — {REFERENCES_CRITERES[c]}")
donnees = etat.donnees_actives()
avis_sources(col_sources)
avis_donnees(donnees)

selection = selecteur_territoire("zb")
# Commandes de la carte sur une ligne (comme la page Couverture)
with st.container(horizontal=True, vertical_alignment="bottom", key="zb_commandes"):
    zone = choix_zone("zb_zone") if selection.code is None else "metropole"
    maille = choix_maille("zb_maille") if selection.code is None else "epci"
    choix_critere = st.segmented_control(
        "Critère", ["tous", *CRITERES], default="tous", key="zb_critere",
        format_func=lambda c: "Critère principal" if c == "tous" else LIBELLES_CRITERES[c], label_visibility="collapsed",
    ) or "tous"
vue = vue_pour(selection, zone, maille_nationale=maille, grand_paris=choix_grand_paris(selection, "zb_niveau_idf"))
niveau = vue.niveau
detail = choix_detail("zb_detail") if vue.departement else niveau
formulaire_reglages(niveau)
zb = etat.zones_blanches(niveau)
zb_vue = zb.loc[vue.codes.intersection(zb.index)]
retenus = zb.loc[vue.codes_detail.intersection(zb.index)]  # l'EPCI choisi, sinon toute la vue

# Synthèse par critère
titre_vue(vue, cle="zb")
resume = resume_zones_blanches(retenus)
resume = resume.loc[["total", *CRITERES]]  # le total d'abord : chaque territoire compté une fois
colonnes = st.columns(4)
COURTS = {"non_couvert": "dont non couverts", "couverture_limitrophe": "dont limitrophe seulement",
          "capacite_insuffisante": "dont capacité insuffisante", "total": "Zones blanches"}
for col, (critere, ligne) in zip(colonnes, resume.iterrows()):
    col.metric(COURTS[critere], format_nombre(ligne["nb_territoires"]),
               help=f"{ligne['libelle']} : {format_nombre(ligne['population'])} habitants")

# Carte par critère
gdf = couche(vue, zb_vue)
clic = clic_en_cours("zb_carte", gdf)  # le clic de cette exécution, connu avant de dessiner (surlignage)
if clic:
    st.session_state["zb_clic"] = (niveau, clic)
niveau_clic, code_clic = st.session_state.get("zb_clic", (None, None))
surligne = territoire_clique(vue, detail, code_clic if niveau_clic == niveau and code_clic in zb_vue.index else None)
# Un EPCI choisi : le reste du département reste en contexte, en gris, hors des comptes de la légende
# (les nombres de la légende et les chiffres clés portent sur les mêmes territoires).
hors_choix = hors_selection(gdf.index, retenus.index)
if choix_critere == "tous":
    gdf["zone"] = critere_principal(zb_vue).reindex(gdf.index)
    categories = CATEGORIES_ZB  # un territoire, une classe : les nombres de la légende s'additionnent
else:
    gdf["zone"] = gdf[choix_critere].map({True: "oui", False: "non"})
    categories = {"oui": (CATEGORIES_ZB[choix_critere][0], LIBELLES_CRITERES[choix_critere]), "non": ("#E5E5E5", "Critère non rempli")}
gdf["zone"], categories = griser_hors_choix(gdf["zone"], hors_choix, categories)
# Contours par URL (fichier statique, téléchargé une fois), valeurs à chaque exécution.
valeurs = couche_valeurs(
    gdf.drop(columns="geometry"), geometries=geometries_vue(vue),
    colonne="zone", libelle="Zones blanches", palette="categorie", categories=categories,
    champs_infobulle=[("population", "Population"), ("etp", "ETP"), ("indice_besoin", "Indice de besoin")],
    attribution=source_geographie(), opacite=opacite_remplissage(),
)
departements = couche_contours_url(urls_geometries("departement"), nom="Départements", couleur="#161616", epaisseur=1.0)
afficher_carte(carte_base(**parametres_tuiles()), cle="zb_carte",
               couches_variables=[valeurs, departements, *couches_departement(vue, surligne=surligne)], gdf=gdf, cadrage=vue.cadrage)
if choix_critere == "tous":
    st.caption(phrase_carte(gdf.loc[~hors_choix, "zone"]))
st.caption(phrase_zones_blanches(retenus))
st.caption(f"{vue.titre} — seuils : {zb.attrs.get('seuils').justification if zb.attrs.get('seuils') else ''}")
if vue.niveau == "commune":
    communes_sans_geometrie(vue.codes)

# Panneau du territoire cliqué (une commune, ou son EPCI quand le détail est par EPCI) : besoins à côté de la couverture
zb_detail = etat.zones_blanches("epci") if detail == "epci" and vue.departement else zb
if surligne and surligne[1] in zb_detail.index:
    niveau_panneau, code_panneau = surligne
    t = zb_detail.loc[code_panneau]
    with st.container(border=True, key="zb_panneau"):
        st.markdown(f"#### {texte(t['nom'])} ({code_panneau})")
        if t["est_zone_blanche"]:
            st.error(texte(t["motif"]), icon=":material/crisis_alert:")
        else:
            st.success("Pas une zone blanche avec les seuils en cours.", icon=":material/check_circle:")
        c1, c2 = st.columns(2)
        c1.markdown("**Couverture**")
        hors_capacite = (f", dont {format_nombre(t['etp_non_limitrophe'], decimales=2)} d'extension non limitrophe, hors capacité"
                         if t["etp_non_limitrophe"] > 0 else "")
        c1.write(f"{format_nombre(t['etp'], decimales=2)} ETP (dont {format_nombre(t['etp_extension'], decimales=2)} par extension"
                 f"{hors_capacite}) · "
                 f"{format_pourcentage(1 - t['part_non_couverte'])} de la population couverte · structures : {texte(t['structures']) or 'aucune'}")
        c2.markdown("**Besoins**")
        c2.write(f"{format_nombre(t['population'])} habitants · indice de besoin {format_nombre(t['indice_besoin'], decimales=2)} · "
                 f"{format_nombre(t['nb_marches_etat'])} marchés de l'État · {format_nombre(t['nb_qpv'])} QPV · "
                 f"grands projets : {texte(t['grands_projets']) or 'aucun'}")
        vue_achats_territoire(niveau_panneau, code_panneau)
        bouton_restreindre(vue, niveau_panneau, code_panneau, cle="zb")

# Tableau classé et exports
st.subheader("Zones blanches classées")
if detail == "epci" and vue.departement:
    lignes = zb_detail.loc[zb_detail.index.intersection([vue.epci] if vue.epci else list(vue.epci_departement))]
    st.caption("EPCI du département, avec les seuils des EPCI.")
else:
    lignes = retenus
liste = lignes[lignes["est_zone_blanche"]].sort_values(["indice_besoin"], ascending=False)
tableau = liste[["nom", "departement", "criteres", "motif", "population", "etp", "indice_besoin", "ratio_capacite",
                 "nb_marches_etat", "montant_etat", "part_consideration_sociale"]].copy()
tableau.attrs = {}  # les seuils (objet Python) ne passent pas dans le tableau affiché
afficher_tableau(tableau, index=True, height=420, lignes_max=LIGNES_AFFICHEES, ordre="par indice de besoin décroissant", config={"motif": st.column_config.TextColumn("Motif", width="large")})
boutons_export(tableau, etat.geometries(detail)[["geometry"]], nom=f"zones_blanches_{detail}_{vue.epci or selection.code or 'france'}", cle="zb")
