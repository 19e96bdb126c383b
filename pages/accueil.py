"""Accueil : la carte nationale des départements et des EPCI, les chiffres clés, le millésime."""

import streamlit as st

from coverage.territoires.couverture import chiffres_cles
from coverage.modele import STATUTS_NON_COUVERTS
from coverage.documents.format import format_date, format_nombre, format_pourcentage
from geo.carte import EMPRISES, categories_couverture
from geo.carte_valeurs import carte_base, couche_contours_url, couche_valeurs
from ui import etat
from ui.carte import afficher_carte, opacite_remplissage, parametres_tuiles, urls_geometries
from ui.commun import avis_donnees, choix_zone, emprise_selection, metrique, selecteur_territoire, source_geographie
from ui.navigation import exiger_navigation

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

PRESENTATION = (
    "Couverture du territoire par les facilitateurs, zones blanches au sens de l'appel à projets 2025, "
    "grands projets et simulation de l'enveloppe de 4,5 M€ : pour les **DDETS** (cartes de couverture), "
    "les **coordinateurs régionaux** (où placer des ETP) et les **DREETS** (comité de sélection)."
)

# Premier écran d'un portable (1366 × 768) : titre, avis, chiffres clés sur une ligne, puis la carte ;
# la présentation, le référentiel et le millésime sont sous la carte.
st.title("Facilitateurs de la clause sociale d'insertion", help=PRESENTATION)

ref = etat.referentiel()
donnees = etat.donnees_actives()
avis_donnees(donnees)

selection = selecteur_territoire("accueil")
regions = etat.agregat_actif("region")
cles = chiffres_cles(regions)
epci = etat.agregat_actif("epci")
d1, d2, d3, d4 = st.columns(4)
metrique(d1, "Structures porteuses", int((donnees.structures["etp_facilitateur"] > 0).sum()))
metrique(d2, "ETP de facilitateurs", cles["etp"], decimales=1)
d3.metric("Population couverte", format_pourcentage(cles["part_population_couverte"]))
metrique(d4, "EPCI non couverts", int(epci["statut"].isin(STATUTS_NON_COUVERTS).sum()),
         aide="Aucun facilitateur sur le territoire (ou seulement une extension non limitrophe)")

with st.container(horizontal=True, vertical_alignment="center", key="accueil_commandes"):
    indicateur = st.segmented_control(
        "Indicateur de la carte nationale des EPCI et des départements", ["statut", "population"], default="statut",
        key="accueil_indicateur", label_visibility="collapsed",
        format_func={"statut": "Statut de couverture", "population": "Population"}.get,
    ) or "statut"
    zone = choix_zone("accueil_zone")

# Les contours viennent d'un fichier statique téléchargé une fois ; à chaque exécution, les valeurs seules.
cadrage = emprise_selection(selection) if selection.code else EMPRISES[zone]
options = dict(geometries=urls_geometries("epci"), champs_infobulle=[("population", "Population"), ("etp", "ETP de facilitateurs")],
               attribution=source_geographie(), opacite=opacite_remplissage())
if indicateur == "statut":
    valeurs = couche_valeurs(epci, colonne="statut", libelle="Couverture", palette="categorie",
                             categories=categories_couverture(), **options)
else:
    valeurs = couche_valeurs(epci, colonne="population", libelle="Population municipale", palette="sequentielle",
                             bornes=[15_000, 30_000, 60_000, 150_000], **options)
departements = couche_contours_url(urls_geometries("departement"), nom="Départements", couleur="#161616", epaisseur=1.2)
code = afficher_carte(carte_base(hauteur=620, **parametres_tuiles()), cle="accueil_carte",
                      couches_variables=[valeurs, departements], cadrage=cadrage)

if code and code in epci.index:
    e = epci.loc[code]
    with st.container(border=True):
        st.markdown(f"**{e['nom']}** ({code}) — {ref.epci.at[code, 'type']}, département {ref.epci.at[code, 'departement']}")
        st.write(
            f"{format_nombre(e['population'])} habitants · {format_nombre(e['etp'], decimales=2)} ETP de facilitateurs · "
            f"{format_pourcentage(e['part_population_couverte'])} de la population couverte · "
            f"{int(e['nb_structures'])} structure(s)"
        )
        st.page_link("pages/couverture.py", label="Voir le détail dans Couverture", icon=":material/map:")
else:
    st.caption("Carte nationale des EPCI et des départements. Cliquez sur un EPCI pour afficher sa couverture ; "
               "choisissez un territoire dans le volet de gauche pour zoomer.")

st.markdown(PRESENTATION)
st.subheader("Référentiel géographique")
prov = etat.provenance()
c1, c2, c3, c4, c5 = st.columns(5)
metrique(c1, "Communes", len(ref.communes), aide="Métropole et DROM (971, 972, 973, 974, 976)")
metrique(c2, "EPCI à fiscalité propre", len(ref.epci), aide="Composition au 1er janvier 2026 (DGCL)")
metrique(c3, "Départements", len(ref.departements))
metrique(c4, "Régions", len(ref.regions))
metrique(c5, "Habitants", ref.communes["population"].sum(), aide="Population municipale INSEE (populations légales)")
st.caption(f"Géographie officielle **{prov['millesime']}**, construite le {format_date(prov['construit_le'])} — {source_geographie()}.")
