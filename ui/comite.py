"""Sections de la page Comité de sélection : fiche dossier, décision, synthèse, exports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from coverage.financement.comite import (
    CRITERES_COMITE,
    decisions_manquantes,
    decisions_par_dossier,
    en_attente_comite_national,
    exporter_conventions_xlsx,
    lignes_financement,
    liste_conventions,
    synthese_comite,
)
from coverage.espace import ConflitEdition, Decision
from coverage.espace.permissions import Action, PermissionRefusee
from coverage.modele import Statut
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.financement.parametres import PARAMETRES_2025
from coverage.documents.proces_verbal import generer_proces_verbal
from coverage.financement.regles import detail_regles
from coverage.financement.simulation import impact_allocation
from geo.carte import couche_contours
from geo.carte_valeurs import carte_base, couche_valeurs
from geo.carte_statique import avant_apres_png, carte_region_png
from ui import etat
from ui.bilans import encart_bilan
from ui.carte import afficher_carte, urls_geometries
from ui.cartes_avant_apres import CATEGORIES_ZB, cartes_avant_apres, critere_principal
from ui.commun import source_geographie
from ui.presentation import badge_regle
from ui.texte import texte
from ui.acces import champ_auteur

# Projecteur : volet latéral masqué, texte agrandi, chiffres clés plus grands encore que le texte.
STYLE_PRESENTATION = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none !important;}
.stMainBlockContainer, .block-container {max-width: 100% !important; padding-top: 1rem !important;}
.stMarkdown p, .stMarkdown li {font-size: 1.3rem !important;}
.st-key-comite_chiffres [data-testid="stMetricValue"] {font-size: 3rem !important; font-weight: 700 !important;}
.st-key-comite_chiffres [data-testid="stMetricLabel"] p {font-size: 1.2rem !important;}
h1 {font-size: 2.2rem !important; padding-top: 0 !important;} h2 {font-size: 1.9rem !important;}
</style>
"""


def quitter_presentation() -> None:
    """Rappel du bouton « Quitter » : exécuté avant les widgets, il peut remettre la bascule à faux."""
    st.session_state["comite_presentation"] = False


def rang_courant(comite: str, dossiers: pd.DataFrame) -> int:
    """Rang du dossier affiché pour ce comité : celui que l'utilisateur regardait, sinon le premier.

    Le dossier est retenu par son identifiant et par comité : changer de comité, de page ou de mode
    ne montre jamais le dossier d'un autre comité au même rang.
    """
    retenus: dict = st.session_state.get("comite_dossier_par_comite", {})
    ids = list(dossiers["id_dossier"])
    ident = retenus.get(comite)
    return ids.index(ident) if ident in ids else 0


def aller_au_dossier(comite: str, dossiers: pd.DataFrame, rang: int) -> None:
    retenus = dict(st.session_state.get("comite_dossier_par_comite", {}))
    retenus[comite] = dossiers["id_dossier"].iloc[rang % len(dossiers)]
    st.session_state["comite_dossier_par_comite"] = retenus


def propositions(comite: str, dossiers: pd.DataFrame, scenario_id: int | None) -> pd.DataFrame:
    """Montant et ETP proposés par le scénario choisi (index id_dossier), sinon l'allocation par priorités en cours."""
    if scenario_id is not None:
        lignes = etat.espace().charger_scenario(scenario_id).resultats["dossiers"]
    else:
        from ui.simulation import Reglages, allouer

        enveloppes = "regionales" if len(etat.enveloppes_regionales()) else "nationale"
        lignes = allouer(Reglages(None, PARAMETRES_2025.enveloppe_nationale, "priorite", True, False, enveloppes)).lignes
    return lignes.set_index("id_dossier")[["montant_attribue", "etp_finances"]].reindex(dossiers["id_dossier"]).fillna(0.0)


def en_attente(comite: str, dossiers: pd.DataFrame) -> list[str]:
    """Dossiers de structures nouvelles d'un comité régional que le comité national n'a pas retenus."""
    if comite == "national":
        return []
    return en_attente_comite_national(dossiers, etat.espace().decisions_courantes("national"))


def enveloppe_du_comite(comite: str) -> float | None:
    """L'enveloppe régionale en vigueur pour un comité régional (None : comité national ou région sans enveloppe)."""
    table = etat.enveloppes_regionales()
    return float(table[comite]) if comite in table.index else None


def bandeau_enveloppe(dossiers: pd.DataFrame, decisions: pd.DataFrame, enveloppe: float | None) -> float:
    """Montant engagé par les décisions face à l'enveloppe régionale, en rouge au-delà ; renvoie l'engagé (€)."""
    engage = float(synthese_comite(dossiers, decisions, enveloppe_disponible=enveloppe or 0.0)["enveloppe_utilisee"])
    if enveloppe is None:
        st.caption(f"Engagé par les décisions : {format_euros(engage)} (pas d'enveloppe régionale pour ce comité).")
    elif engage > enveloppe + 0.005:
        st.error(f"Engagé : {format_euros(engage)} pour une enveloppe régionale de {format_euros(enveloppe)} : "
                 f"dépassement de {format_euros(engage - enveloppe)}.")
    else:
        st.markdown(f"Engagé : **{format_euros(engage)}** sur une enveloppe régionale de **{format_euros(enveloppe)}** "
                    f"(reste {format_euros(enveloppe - engage)}).")
    return engage


def entete_dossier(ligne: pd.Series, proposition: pd.Series) -> None:
    """Structure, statut et les quatre chiffres clés (ETP, coût, maximum, montant proposé)."""
    st.markdown(f"## {texte(ligne['id_dossier'])} — {texte(ligne['nom_structure'])}")
    st.caption(f"{Statut(ligne['statut']).libelle} · département {texte(ligne['departement'])} · "
               f"SIRET {texte(ligne.get('siret')) or 'non renseigné'} · "
               + ("structure nouvelle (comité technique national)" if ligne.get("structure_nouvelle") else
                  f"financée par le PNAD : {texte(ligne.get('financement_pnad')) or 'non'}"))
    with st.container(key="comite_chiffres"):
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("ETP demandés", format_nombre(ligne["etp_demandes"], decimales=2))
        c2.metric("Coût annuel", format_euros(ligne["cout_annuel_total"], centimes=False))
        c3.metric("Maximum finançable", format_euros(ligne["montant_max_aap"]))
        c4.metric("Proposé (scénario)", format_euros(proposition["montant_attribue"]),
                  help=f"{format_nombre(proposition['etp_finances'], decimales=2)} ETP")


def regles_dossier(ligne: pd.Series, *, compact: bool) -> None:
    """Règles de l'appel (respectée / non respectée en couleur et en mots) et notes du comité.

    `compact` (mode présentation) : l'explication chiffrée n'est donnée que pour les règles non
    respectées ou informatives, pour que la fiche et la décision tiennent sur un écran.
    """
    for r in detail_regles(ligne.to_dict(), PARAMETRES_2025):
        explication = "" if compact and r.respectee else f" — {r.explication}"
        st.markdown(f"{badge_regle(r.respectee)} **{r.libelle}**{explication}")
    st.markdown("**Notes du comité (0 à 5)** : " + " · ".join(
        f"{lib} {format_nombre(ligne[col], decimales=1)}" for col, lib in CRITERES_COMITE.items() if pd.notna(ligne.get(col))))
    encart_bilan(ligne["id_structure"])


def zones_et_carte(ligne: pd.Series, *, donnees, entrees, hauteur: int) -> None:
    """Carte du périmètre sur les zones blanches, puis ce qu'il couvre (la carte d'abord : premier écran)."""
    e = entrees.dossiers.set_index("id_dossier").loc[ligne["id_dossier"]]
    carte_perimetre(ligne, donnees, hauteur=hauteur)
    st.markdown(f"Zones blanches couvertes : **{format_nombre(e['population_zone_blanche'])} habitants** · "
                f"grand projet : **{'oui' if e['couvre_grand_projet'] else 'non'}**")


def carte_perimetre(ligne: pd.Series, donnees, *, hauteur: int) -> None:
    contours = etat.contours_structures(donnees, (ligne["id_structure"],))
    if contours.empty:
        st.caption("Périmètre sans contour.")
        return
    zb = etat.zones_blanches("epci")
    deps = set(etat.referentiel().communes.loc[etat.referentiel().communes["departement"] == ligne["departement"], "epci"].dropna())
    codes = etat.geometries("epci").index
    codes = codes[codes.isin(deps | set(zb.index[zb["departement"] == ligne["departement"]]))]
    table = zb[["nom", "population", "etp"]].reindex(codes).assign(zone=critere_principal(zb).reindex(codes))
    valeurs = couche_valeurs(table, geometries=urls_geometries("epci"), colonne="zone", libelle="Zones blanches",
                             palette="categorie", categories=CATEGORIES_ZB, attribution=source_geographie())
    dessus = couche_contours(contours.set_index("id_structure"), nom="Périmètre", couleur="#000091", epaisseur=3)
    afficher_carte(carte_base(hauteur=hauteur), cle=f"comite_carte_{ligne['id_dossier']}", couches_variables=[valeurs, dessus],
                   cadrage=tuple(float(x) for x in contours.total_bounds))


def formulaire_decision(comite: str, ligne: pd.Series, courante: pd.Series | None, proposition: pd.Series, *,
                        engage: float = 0.0, enveloppe: float | None = None) -> None:
    """Décision obligatoirement motivée ; versionnée, jamais écrasée (conflit signalé)."""
    if courante is not None and courante["decision"]:
        st.info(f"Décision en vigueur : **{courante['decision_libelle']}** ({texte(courante['date_decision'])}, "
                f"{texte(courante['auteur'])}) — {texte(courante['motif'])}")
    version = int(courante["version"]) if courante is not None and pd.notna(courante["version"]) else 0
    if not etat.espace().peut(Action.DECIDER, comite):
        st.info(f"Lecture seule : {texte(etat.espace().utilisateur.libelle)} ne peut pas enregistrer de décision pour ce comité.")
        return
    with st.form(f"comite_decision_{ligne['id_dossier']}"):
        decision = st.radio("Décision", [d.value for d in Decision], horizontal=True, format_func=lambda d: Decision(d).libelle)
        motif = st.text_area("Motif (obligatoire)", height=80)
        c1, c2, c3 = st.columns(3)
        etp = c1.number_input("ETP retenus", 0.0, 50.0, float(proposition["etp_finances"] or ligne["etp_demandes"]), 0.1)
        montant = c2.number_input("Montant retenu (€)", 0.0, 5_000_000.0, float(proposition["montant_attribue"] or ligne["montant_max_aap"]), 100.0)
        auteur = champ_auteur(key=f"comite_auteur_{ligne['id_dossier']}", conteneur=c3,
                              value=st.session_state.get("comite_auteur_defaut", ""))
        confirme = enveloppe is not None and st.checkbox("Je confirme cette décision même si elle dépasse l'enveloppe régionale")
        if not st.form_submit_button("Enregistrer la décision", type="primary"):
            return
    avant = float(courante["montant_retenu"]) if courante is not None and pd.notna(courante.get("montant_retenu")) else 0.0
    apres = engage - avant + (montant if Decision(decision).avec_montant else 0.0)
    if enveloppe is not None and apres > enveloppe + 0.005 and not confirme:
        st.error(f"Cette décision porterait l'engagé à {format_euros(apres)}, au-delà de l'enveloppe régionale de "
                 f"{format_euros(enveloppe)} (dépassement de {format_euros(apres - enveloppe)}). Cochez la confirmation pour l'enregistrer : "
                 "le procès-verbal mentionnera le dépassement.")
        return
    st.session_state["comite_auteur_defaut"] = auteur
    avec_montant = Decision(decision).avec_montant
    try:
        etat.espace().enregistrer_decision(
            comite=comite, id_dossier=ligne["id_dossier"], decision=decision, motif=motif, auteur=auteur, version_attendue=version,
            etp_retenus=etp if avec_montant else None, montant_retenu=montant if avec_montant else None)
    except ConflitEdition as conflit:
        st.error(f"{texte(conflit)} La page a été rechargée avec la décision la plus récente : relisez-la avant de décider.")
        return
    except (ValueError, PermissionRefusee) as erreur:
        st.error(texte(erreur))
        return
    st.toast(f"Décision enregistrée pour {texte(ligne['id_dossier'])}.", icon=":material/check:")
    st.rerun()


def synthese(comite: str, libelle: str, dossiers: pd.DataFrame, decisions: pd.DataFrame, *, donnees, entrees, enveloppe: float) -> dict:
    seuils, _ = etat.reglages_zones_blanches("epci")
    lignes = lignes_financement(decisions)
    impact = impact_allocation(donnees, lignes, referentiel=etat.referentiel(), besoins=etat.besoins(), seuils=seuils,
                               dossiers_evalues=entrees.dossiers)
    resolues = int(impact.zones_blanches["resolues"].sum())
    s = synthese_comite(dossiers, decisions, enveloppe_disponible=enveloppe, zones_blanches_resolues=resolues)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Enveloppe utilisée", format_euros(s["enveloppe_utilisee"], centimes=False),
              help=f"sur {format_euros(enveloppe, centimes=False)} disponibles")
    c2.metric("Part de l'enveloppe", format_pourcentage(s["part_enveloppe_utilisee"]))
    c3.metric("ETP financés", format_nombre(s["etp_finances"], decimales=2))
    c4.metric("Zones blanches (EPCI) résolues", format_nombre(resolues))
    if s["depassement_enveloppe"]:
        st.error("Les décisions dépassent l'enveloppe disponible.")
    if s["decisions_manquantes"]:
        st.warning(f"{len(s['decisions_manquantes'])} dossier(s) sans décision : " + ", ".join(map(texte, s["decisions_manquantes"])))
    st.write(" · ".join(f"{Decision(k).libelle} : {v}" for k, v in s["par_decision"].items()))
    region = None if comite == "national" else comite
    cartes_avant_apres(impact.epci_avant, impact.epci_apres, cle="comite", region=region)
    st.session_state["comite_impact"] = (impact.epci_avant, impact.epci_apres, lignes)
    return s


def exports(comite: str, libelle: str, dossiers: pd.DataFrame, decisions: pd.DataFrame, s: dict, *, donnees) -> None:
    st.subheader("Exports")
    e = etat.espace()
    region = None if comite == "national" else comite
    avant, apres, lignes = st.session_state["comite_impact"]
    surligner = etat.contours_structures(donnees, tuple(dossiers.loc[dossiers["id_dossier"].isin(lignes["id_dossier"]), "id_structure"]))
    carte = lambda: avant_apres_png(region, avant=avant.assign(statut=critere_principal(avant)),  # noqa: E731
                                    apres=apres.assign(statut=critere_principal(apres)), titre=f"Zones blanches — {libelle}",
                                    categories=CATEGORIES_ZB, titre_legende="Zones blanches", surligner=surligner,
                                    donnees_fictives=donnees.demo)
    c1, c2, c3, c4 = st.columns(4)
    date_comite = c1.date_input("Date du comité", value=dt.date.today(), format="DD/MM/YYYY", key="comite_date")
    debut = c2.date_input("Début des conventions", value=dt.date(2025, 9, 1), format="DD/MM/YYYY", key="comite_debut")
    manquantes = decisions_manquantes(dossiers, decisions)
    attente = en_attente(comite, dossiers)
    carte_pv = lambda: carte_region_png(region, indicateurs=apres.assign(statut=critere_principal(apres)),  # noqa: E731
                                        titre=f"Zones blanches après le comité — {libelle}", categories=CATEGORIES_ZB,
                                        titre_legende="Zones blanches", surligner=surligner, donnees_fictives=donnees.demo)
    pv = lambda provisoire: generer_proces_verbal(  # noqa: E731
        comite_libelle=libelle, date_comite=date_comite, dossiers=dossiers, decisions=e.decisions_courantes(comite),
        historique=e.historique_decisions(comite), synthese=s, carte_png=carte_pv(), donnees_fictives=donnees.demo,
        provisoire=provisoire, en_attente_national=attente)
    if manquantes:
        c3.download_button("Procès-verbal provisoire (PDF)", file_name=f"proces_verbal_provisoire_{comite}.pdf", mime="application/pdf",
                           on_click="ignore", key="comite_pdf_provisoire", data=lambda: pv(True),
                           help="Les dossiers sans décision y sont listés ; le procès-verbal définitif attend toutes les décisions.")
        st.warning("Procès-verbal définitif indisponible : décision manquante pour " + ", ".join(map(texte, manquantes)) + ".")
    else:
        c3.download_button("Procès-verbal (PDF)", file_name=f"proces_verbal_{comite}.pdf", mime="application/pdf", on_click="ignore",
                           key="comite_pdf", data=lambda: pv(False))
    if attente:
        st.warning("En attente du comité national (hors conventions tant qu'il ne les a pas retenus) : " + ", ".join(map(texte, attente)) + ".")
    c4.download_button("Conventions (XLSX)", file_name=f"conventions_{comite}.xlsx", on_click="ignore", key="comite_xlsx",
                       data=lambda: exporter_conventions_xlsx(
                           liste_conventions(dossiers, e.decisions_courantes(comite), donnees.structures, date_debut=debut, exclus=attente),
                           comite_libelle=libelle, donnees_fictives=donnees.demo))
    st.download_button("Cartes avant/après (PNG, diapositives)", file_name=f"cartes_{comite}.png", mime="image/png",
                       on_click="ignore", key="comite_png", data=carte)


def tableau_decisions(dossiers: pd.DataFrame, decisions: pd.DataFrame, attente: list[str] = ()) -> pd.DataFrame:
    t = decisions_par_dossier(dossiers, decisions)
    t["decision_libelle"] = t["decision_libelle"].where(~t["id_dossier"].isin(list(attente)),
                                                        t["decision_libelle"] + " — en attente du comité national")
    return t[["id_dossier", "nom_structure", "etp_demandes", "montant_max_aap", "decision_libelle", "etp_retenus", "montant_retenu",
              "motif", "auteur", "date_decision"]]

