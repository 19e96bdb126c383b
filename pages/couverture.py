"""Couverture : qui couvre quel territoire, avec combien d'ETP ; exports ; simulation « et si »."""

import streamlit as st

from coverage.territoires.couverture import appliquer_modifications, chiffres_cles
from coverage.documents.format import format_pourcentage
from coverage.modele import STATUTS_NON_COUVERTS
from geo.carte import categories_couverture, couche_contours
from geo.carte_valeurs import carte_base, couche_contours_url, couche_valeurs
from ui import etat
from ui.carte import afficher_carte, clic_en_cours, opacite_remplissage, parametres_tuiles, urls_geometries
from ui.commun import (
    avis_donnees,
    choix_grand_paris,
    choix_zone,
    communes_sans_geometrie,
    metrique,
    selecteur_territoire,
    source_geographie,
)
from ui.et_si import section_et_si
from ui.exports import boutons_export
from ui.territoire import (
    LIBELLES_NIVEAUX,
    choix_detail,
    choix_maille,
    couche,
    couches_departement,
    geometries_vue,
    griser_hors_choix,
    hors_selection,
    panneau_couverture,
    territoire_clique,
    titre_vue,
    vue_pour,
)
from ui.navigation import exiger_navigation
from ui.presentation import LIGNES_AFFICHEES, tableau as afficher_tableau
from ui.recherche import choisir_structures

exiger_navigation()  # lien direct sur un serveur neuf : repasser par app.py

st.title("Couverture des territoires",
         help="Qui couvre quel territoire, avec combien d'ETP de facilitateurs ; EPCI par EPCI et commune par commune. "
              "Choisissez un territoire dans le volet de gauche ; la carte, les chiffres et le tableau le suivent.")
version = etat.version_active()
donnees = etat.donnees_version(version)
avis_donnees(donnees)
ref = etat.referentiel()

selection = selecteur_territoire("couverture")
modifications = st.session_state.setdefault("couverture_modifs", [])
simulees = appliquer_modifications(donnees, modifications) if modifications else None
couv_simulee = etat.calculer_couverture(simulees) if simulees is not None else None  # une fois par exécution

# Commandes de la carte sur une ligne (le premier écran d'un portable montre la carte)
with st.container(horizontal=True, vertical_alignment="bottom", key="couverture_commandes"):
    indicateur = st.segmented_control(
        "Indicateur", ["statut", "etp_pour_100k_hab", "part_population_couverte"], default="statut", key="couverture_indicateur",
        format_func={"statut": "Statut", "etp_pour_100k_hab": "ETP pour 100 000 hab.", "part_population_couverte": "Part couverte"}.get,
    ) or "statut"
    maille = choix_maille("couverture_maille") if selection.code is None else "epci"
    detail = choix_detail("couverture_detail") if selection.departement else None
    grand_paris = choix_grand_paris(selection, "couverture_niveau_idf")
    if simulees is not None:
        etat_affiche = st.segmented_control("Données", ["avant", "apres"], default="apres", key="couverture_avant_apres",
                                            format_func={"avant": "Avant modifications", "apres": "Après modifications (simulation)"}.get)
    else:
        etat_affiche = "avant"
    zone = choix_zone("couverture_zone") if selection.code is None else "metropole"
vue = vue_pour(selection, zone, maille_nationale=maille, grand_paris=grand_paris)
detail = detail or vue.niveau
couv = couv_simulee if etat_affiche == "apres" else etat.couverture_active()


def agregat_de(niveau):
    return couv.agregat(niveau) if etat_affiche == "apres" else etat.agregat_actif(niveau)


agregat = agregat_de(vue.niveau)
agregat = agregat.loc[vue.codes.intersection(agregat.index)]
retenus = agregat.loc[vue.codes_detail.intersection(agregat.index)]  # l'EPCI choisi, sinon toute la vue

# Chiffres clés de la sélection (au niveau EPCI, les 4 communes insulaires hors EPCI comptent via leur région)
source_cles = retenus
if vue.niveau == "epci":
    regions_cles = agregat_de("region")
    source_cles = regions_cles.loc[[selection.region]] if selection.region else regions_cles
cles = {**chiffres_cles(source_cles), "non_couverts": int(retenus["statut"].isin(STATUTS_NON_COUVERTS).sum()),
        "territoires": len(retenus)}
titre_vue(vue, cle="couverture")
k1, k2, k3, k4, k5 = st.columns(5)
metrique(k1, "Habitants", cles["population"])
k2.metric("Population couverte", format_pourcentage(cles["part_population_couverte"]))
metrique(k3, "ETP de facilitateurs", cles["etp"], decimales=1)
metrique(k4, "ETP pour 100 000 hab.", cles["etp_pour_100k_hab"], decimales=2)
metrique(k5, "Territoires non couverts", cles["non_couverts"],
         aide=f"sur {cles['territoires']} {LIBELLES_NIVEAUX.get(vue.niveau, vue.niveau)} ; au sens de l'appel : aucun "
              "facilitateur, ou seulement l'extension non limitrophe d'une structure (les deux classes de la légende)")

# Carte : dessinée dans ce conteneur, avant les réglages qui la complètent (placés dessous)
emplacement_carte = st.container()
donnees_affichees = simulees if etat_affiche == "apres" else donnees
noms_structures = donnees_affichees.structures.set_index("id_structure")["nom"]
choisies = choisir_structures(noms_structures, cle="couverture_structures", libelle="Dessiner le périmètre de structures",
                              max_selections=8, placeholder="Choisir une ou plusieurs structures")
gdf = couche(vue, agregat)
clic = clic_en_cours("couverture_carte", gdf)  # le clic de cette exécution, connu avant de dessiner (surlignage)
if clic:
    st.session_state["couverture_clic"] = (vue.niveau, clic)
niveau_clic, code_clic = st.session_state.get("couverture_clic", (None, None))
surligne = territoire_clique(vue, detail, code_clic if niveau_clic == vue.niveau and code_clic in agregat.index else None)
dessus = [couche_contours_url(urls_geometries("departement"), nom="Départements", couleur="#161616", epaisseur=1.0),
          *couches_departement(vue, surligne=surligne)]
if choisies:
    contours = etat.contours_structures(donnees_affichees, tuple(choisies))
    for role, style in (("principal", None), ("extension", "6 4")):
        partie = contours[contours["role"] == role]
        if len(partie):
            dessus.append(couche_contours(partie.set_index("id_structure"), nom=f"Périmètres ({role})", couleur="#000091",
                                          epaisseur=3.0, tirets=style))
# Contours par URL (fichier statique, téléchargé une fois), valeurs à chaque exécution.
options = dict(geometries=geometries_vue(vue),
               champs_infobulle=[("population", "Population"), ("etp", "ETP"), ("nb_structures", "Structures")],
               attribution=source_geographie(), opacite=opacite_remplissage())
table = gdf.drop(columns="geometry")
if indicateur == "statut":
    # Un EPCI choisi : le reste du département en gris, hors des comptes de la légende (mêmes territoires
    # que les chiffres clés).
    statut, categories = griser_hors_choix(table["statut"], hors_selection(table.index, retenus.index), categories_couverture())
    valeurs = couche_valeurs(table.assign(statut=statut), colonne="statut", libelle="Couverture", palette="categorie",
                             categories=categories, **options)
elif indicateur == "etp_pour_100k_hab":
    valeurs = couche_valeurs(table, colonne=indicateur, libelle="ETP pour 100 000 habitants", palette="sequentielle",
                             bornes=[0.01, 0.5, 1.0, 2.0], decimales=2, **options)
else:
    valeurs = couche_valeurs(table.assign(part=table["part_population_couverte"] * 100), colonne="part",
                             libelle="Part de la population couverte", palette="sequentielle", bornes=[1, 25, 50, 75, 99],
                             unite="%", **options)
with emplacement_carte:
    afficher_carte(carte_base(**parametres_tuiles()), cle="couverture_carte", couches_variables=[valeurs, *dessus],
                   gdf=gdf, cadrage=vue.cadrage)
if vue.niveau == "commune":
    communes_sans_geometrie(vue.codes)

# Panneau du territoire cliqué (une commune, ou son EPCI quand le détail est par EPCI)
if surligne:
    niveau_panneau, code_panneau = surligne
    panneau_couverture(niveau_panneau, code_panneau, agregat_de(niveau_panneau).loc[code_panneau], vue=vue, couv=couv,
                       structures=donnees_affichees.structures, cle="couverture")
else:
    st.caption("Cliquez sur un territoire de la carte pour voir les structures qui le couvrent.")

# Tableau et exports
st.subheader("Tableau des territoires")
if detail == "epci" and vue.departement:
    lignes = agregat_de("epci")
    lignes = lignes.loc[lignes.index.intersection([vue.epci] if vue.epci else list(vue.epci_departement))]
    geometries_tableau = etat.geometries("epci")[["geometry"]]
else:
    lignes, geometries_tableau = retenus, gdf[["geometry"]]
tableau = lignes[["nom", "population", "etp", "etp_pour_100k_hab", "part_population_couverte", "statut", "nb_structures"]]
with st.container(key="couverture_tableau"):
    afficher_tableau(tableau.sort_values("etp_pour_100k_hab"), index=True, lignes_max=LIGNES_AFFICHEES,
                     ordre="par ETP pour 100 000 habitants croissant")  # « 97,3 % » quelle que soit la langue du navigateur
boutons_export(tableau, geometries_tableau, nom=f"couverture_{detail}_{vue.epci or selection.code or 'france'}", cle="couverture")

section_et_si(donnees, modifications, version=version, apres=couv_simulee)
