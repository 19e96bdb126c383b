"""Grands projets : NPNRU, Canal Seine-Nord Europe, Bassin minier, lignes nouvelles, face à la couverture."""

import streamlit as st

from coverage.documents.format import format_nombre, format_pourcentage
from coverage.territoires.grands_projets import TypeProjet, bilan_projets, epci_du_projet
from geo.carte import EMPRISES, categories_couverture, couche_contours
from geo.carte_valeurs import carte_base, couche_valeurs
from ui import etat
from ui.carte import afficher_carte, parametres_tuiles, urls_geometries
from ui.commun import avis_donnees, source_geographie
from ui.projets import COULEURS_TYPES, exports_registre, section_ajout
from ui.navigation import exiger_navigation
from ui.texte import texte
from ui.presentation import tableau as afficher_tableau

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Grands projets")
st.caption(
    "« Des grands projets de rénovation urbaine, de réhabilitation (Bassin minier), de transports (Canal Seine Nord), "
    "Ligne TGV, s'accompagnent d'un potentiel fort de développement des marchés réservés et des clauses sociales "
    "d'insertion » (appel, partie B) : où sont-ils, et les facilitateurs y sont-ils ?"
)
donnees = etat.donnees_actives()
avis_donnees(donnees)
ref = etat.referentiel()
cle = etat.cle_besoins()
projets = etat.grands_projets()
empreintes = etat.empreintes_projets(cle)
couv = etat.couverture_active()
zb_communes = etat.zones_blanches("commune")
bilan = bilan_projets(empreintes, couverture_communes=couv.communes, zones_blanches=zb_communes, projets=projets)

c1, c2 = st.columns(2)
types = c1.multiselect("Types", [t.value for t in TypeProjet], default=[t.value for t in TypeProjet],
                       format_func=lambda t: TypeProjet(t).libelle, key="gp_types", placeholder="Choisir un ou plusieurs types")
regions = ref.regions.sort_values("nom")
region = c2.selectbox("Région", [None, *regions.index], key="gp_region",
                      format_func=lambda r: "Toutes les régions" if r is None else regions.at[r, "nom"])
regions_projet = empreintes.groupby("id_projet")["region"].agg(set)
retenus = [p for p in projets if p.type.value in types and (region is None or region in regions_projet.get(p.id, set()))]
st.caption(f"{len(retenus)} projet(s) sur {len(projets)}. Les emprises marquées « indicatif » sont approchées : voir la mention de chaque projet.")

# Carte : couverture des EPCI, emprises des projets par-dessus
formes = etat.formes_projets(cle).loc[[p.id for p in retenus]]
epci = etat.agregat_actif("epci")
dessus = [couche_contours(formes[formes["type"] == t], nom=TypeProjet(t).libelle, couleur=COULEURS_TYPES[t], epaisseur=3.0)
          for t in types if (formes["type"] == t).any()]
zoom = st.session_state.get("gp_zoom")  # projet choisi par « Voir sur la carte » (rappel exécuté avant la page)
cible = formes.loc[[zoom]] if zoom in formes.index else formes
cadrage = tuple(float(x) for x in cible.total_bounds) if len(cible) else EMPRISES["metropole"]
valeurs = couche_valeurs(epci, geometries=urls_geometries("epci"), colonne="statut", libelle="Couverture", palette="categorie",
                         categories=categories_couverture(), champs_infobulle=[("population", "Population"), ("etp", "ETP")],
                         attribution=source_geographie(), opacite=0.45)
afficher_carte(carte_base(**parametres_tuiles()), cle="gp_carte", couches_variables=[valeurs, *dessus], cadrage=cadrage)
st.caption("Emprises : " + " · ".join(f"<span style='color:{COULEURS_TYPES[t]}'>■</span> {TypeProjet(t).libelle}" for t in types),
           unsafe_allow_html=True)

# Une carte par projet
st.subheader("Projets")
for p in retenus:
    b = bilan.loc[p.id]
    with st.container(border=True, key=f"gp_fiche_{p.id}"):
        st.markdown(f"**{texte(p.nom)}** — {p.type.libelle}{', ' + texte(p.periode) if p.periode else ''}"
                    + (f" · _{texte(p.mention)}_" if p.indicatif else ""))
        st.write(f"{format_nombre(b['nb_communes'])} communes, {format_nombre(b['nb_epci'])} EPCI (départements {texte(b['departements'])}), "
                 f"{format_nombre(b['population'])} habitants · {format_nombre(b['etp'], decimales=1)} ETP de facilitateurs présents "
                 f"({format_nombre(b['nb_structures'])} structures) · {format_pourcentage(b['part_population_couverte'])} de la population couverte")
        st.button("Voir sur la carte", key=f"gp_zoom_{p.id}", icon=":material/zoom_in:",
                  on_click=st.session_state.update, kwargs={"gp_zoom": p.id})
        if b["alerte"]:
            st.warning(texte(b["alerte_motif"]), icon=":material/warning:")
        if st.toggle("EPCI traversés et facilitateurs", key=f"gp_detail_{p.id}"):
            afficher_tableau(epci_du_projet(empreintes, id_projet=p.id, zones_blanches_epci=etat.zones_blanches("epci"),
                                            structures=donnees.structures), index=True)
        st.caption(f"Source : {texte(p.source)}")

st.subheader("Tableau des projets")
tableau = bilan.loc[[p.id for p in retenus]]
afficher_tableau(tableau.drop(columns=["communes_zone_blanche"], errors="ignore"), index=True)
exports_registre(projets, tableau, formes)
section_ajout(projets)
