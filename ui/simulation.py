"""Sections de la page Simulation ETP (interface seulement : les calculs sont dans coverage/)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from coverage.financement.allocation_regionale import AllocationRegionale, allouer_par_region
from coverage.financement.allocation import comparer, objectif_couverture, suggerer_placements
from coverage.documents.exports import exporter_xlsx
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.financement.parametres import PARAMETRES_2025
from coverage.financement.regles import detail_regles
from coverage.financement.simulation import EntreesSimulation, allouer_enveloppe, entrees_de_simulation, impact_allocation
from coverage.territoires.zones_blanches import LIBELLES_CRITERES
from coverage.documents.libelles import pour_personnes
from ui import etat
from ui.bilans import CONFIG_COLONNES_BILANS, colonnes_bilans_dossiers, encart_bilan
from ui.presentation import badge_regle, barres
from coverage.territoires.couverture import ecarts
from ui.presentation import barres_appariees
from ui.presentation import tableau as afficher_tableau
from ui.texte import liste

RUBRIQUES = {"allocation": "Allocation", "impact": "Impact", "dossiers": "Dossiers et règles",
             "placements": "Placements suggérés", "scenarios": "Scénarios", "enveloppes": "Enveloppes régionales"}
MODES = {"priorite": "Par priorités de l'appel", "optimisation": "Optimisation (couverture des zones blanches)"}
ENVELOPPES = {"regionales": "Enveloppes régionales : chaque région dans la sienne",
              "pot": "Pot national : le total des enveloppes régionales, sans frontière",
              "nationale": "Une seule enveloppe (curseur)"}


@dataclass(frozen=True)
class Reglages:
    region: str | None
    enveloppe: float
    mode: str
    financement_partiel: bool
    financer_prioritaires: bool
    enveloppes: str = "nationale"

    def en_dict(self) -> dict:
        return dataclasses.asdict(self)


def reglages() -> Reglages:
    """Réglages de la simulation, dans le volet latéral (sans formulaire : le curseur redessine aussitôt)."""
    from ui.scenarios import appliquer_restauration

    appliquer_restauration()
    ref = etat.referentiel()
    s = st.sidebar
    s.markdown("**Simulation**")
    regions = ref.regions.sort_values("nom")
    region = s.selectbox("Périmètre", [None, *regions.index], key="simulation_region",
                         format_func=lambda c: "France entière (enveloppe nationale)" if c is None else f"{regions.at[c, 'nom']} (DREETS)")
    table = etat.enveloppes_regionales()
    choix = s.radio("Enveloppes", list(ENVELOPPES) if len(table) else ["nationale"], format_func=ENVELOPPES.get,
                    key="simulation_enveloppes", help="Enveloppes régionales notifiées par la DGEFP (rubrique « Enveloppes régionales »).")
    # Curseur à valeurs formatées en français (« 4 500 000 € ») : un st.slider n'affiche que « 4500000 € ».
    courante = int(st.session_state.setdefault("simulation_enveloppe", int(PARAMETRES_2025.enveloppe_nationale)))
    paliers = sorted({*range(0, 10_000_001, 50_000), courante})  # une enveloppe restaurée hors palier reste possible
    enveloppe = s.select_slider("Enveloppe", paliers, key="simulation_enveloppe", format_func=lambda v: format_euros(v, centimes=False),
                                help="4,5 M€ en 2025 pour toute la France (appel, partie A).", disabled=choix != "nationale")
    mode = s.radio("Mode d'allocation", list(MODES), format_func=MODES.get, key="simulation_mode")
    partiel = s.toggle("Financement partiel (au moins 0,5 ETP)", value=True, key="simulation_partiel")
    p = PARAMETRES_2025
    regle = "toutes ces années exigées" if p.priorite_pnad == "toutes" else "l'une de ces années suffit"
    ignorer = s.toggle("Ignorer la priorité PNAD (couverture seule)", value=False, key="simulation_ignorer_priorite",
                       disabled=mode != "optimisation",
                       help="Désactivé par défaut : l'optimisation finance d'abord les structures prioritaires, comme l'appel le "
                            "demande. Activé : elle ne regarde que la couverture et les postes maintenus.")
    s.caption(f"Priorité de l'appel : structures financées par le PNAD en {p.annees_pnad_texte} ({regle} ; paramètre "
              "de campagne).")
    return Reglages(region, float(enveloppe), mode, partiel, not ignorer, choix)


@st.cache_data(show_spinner="Contrôle des dossiers…", max_entries=16)
def _entrees(version: int, cle: tuple, region: str | None, seuils, poids) -> EntreesSimulation:
    # La chaîne de `python -m coverage simuler` (mêmes fonctions, mêmes entrées), les caches en plus.
    return entrees_de_simulation(etat.donnees_version(version), referentiel=etat.referentiel(), besoins=etat.besoins_version(cle),
                                 region=region, seuils=seuils, poids=poids,
                                 zones_blanches_communes=etat.zones_blanches_version(version, cle, "commune", seuils, poids))


def entrees_simulation(version: int, region: str | None) -> EntreesSimulation:
    seuils, poids = etat.reglages_zones_blanches("commune")
    return _entrees(version, etat.cle_besoins(), region, seuils, poids)


@st.cache_data(show_spinner="Allocation région par région…", max_entries=16)
def _allouer_regions(version: int, cle: tuple, reglages: Reglages, seuils, poids, enveloppes: tuple) -> AllocationRegionale:
    e = _entrees(version, cle, reglages.region, seuils, poids)
    table = dict(enveloppes)
    if reglages.region:
        table = {k: v for k, v in table.items() if k == reglages.region}
    options = {"financement_partiel": reglages.financement_partiel, "priorites": e.priorites, "poids_communes": e.poids_communes}
    if reglages.mode == "optimisation":
        options["financer_prioritaires"] = reglages.financer_prioritaires
    return allouer_par_region(e.dossiers, enveloppes=table, mode=reglages.mode, pot_national=reglages.enveloppes == "pot",
                              communes_par_dossier=e.communes_par_dossier, noms_regions=etat.referentiel().regions["nom"].to_dict(),
                              **options)


def allocation_regionale(reglages: Reglages) -> AllocationRegionale | None:
    """L'allocation région par région (None si les réglages demandent une seule enveloppe)."""
    if reglages.enveloppes == "nationale":
        return None
    return _allouer_regions(etat.version_active(), etat.cle_besoins(), reglages, *etat.reglages_zones_blanches("commune"),
                            tuple(etat.enveloppes_regionales().items()))


@st.cache_data(show_spinner="Allocation de l'enveloppe…", max_entries=32)
def _allouer(version: int, cle: tuple, reglages: Reglages, seuils, poids):
    e = _entrees(version, cle, reglages.region, seuils, poids)
    return allouer_enveloppe(e, mode=reglages.mode, enveloppe=reglages.enveloppe, financement_partiel=reglages.financement_partiel,
                             financer_prioritaires=reglages.financer_prioritaires)


def allouer(reglages: Reglages, *, version: int | None = None):
    """Allocation d'une version (la version active par défaut) avec ces réglages (mise en cache : le curseur redessine vite)."""
    regionale = allocation_regionale(reglages)
    if regionale is not None:
        return regionale.consolidee
    version = etat.version_active() if version is None else version
    return _allouer(version, etat.cle_besoins(), reglages, *etat.reglages_zones_blanches("commune"))


def _tableau_lignes(lignes: pd.DataFrame, dossiers: pd.DataFrame) -> pd.DataFrame:
    noms = dossiers.set_index("id_dossier")[["nom_structure", "statut", "departement"]]
    t = lignes.join(noms, on="id_dossier")
    return t[["rang", "id_dossier", "nom_structure", "statut", "departement", "eligible", "montant_max_aap", "montant_attribue",
              "etp_finances", "statut_financement", "explication"]].sort_values(["rang", "id_dossier"], na_position="last")


CONFIG_LIGNES = {"explication": st.column_config.TextColumn("Explication", width="large")}


def section_allocation(resultat, entrees: EntreesSimulation, reglages: Reglages) -> None:
    st.caption(f"{resultat.statut_solveur} — calcul en {format_nombre(resultat.temps_s * 1000)} ms.")
    st.markdown(liste(resultat.messages))
    regionale = allocation_regionale(reglages)
    if regionale is not None:
        section_par_region(regionale)
    tableau = _tableau_lignes(resultat.lignes, entrees.dossiers)
    afficher_tableau(tableau, config=CONFIG_LIGNES, height=420)
    par_region = resultat.lignes.groupby("region")["montant_attribue"].sum()
    par_region.index = par_region.index.map(etat.referentiel().regions["nom"])
    st.markdown("**Enveloppe attribuée par région (€)**")
    barres(par_region, titre="Enveloppe attribuée (€)")
    autre = reglages.mode == "priorite" and "optimisation" or "priorite"
    # Un interrupteur et non un volet replié : le contenu d'un volet s'exécute même fermé, et l'autre mode
    # (l'optimisation) ne doit tourner que si on le demande (le curseur d'enveloppe reste rapide).
    if st.toggle(f"Comparer avec le mode « {MODES[autre]} »", key="simulation_comparer"):
        autre_resultat = allouer(dataclasses.replace(reglages, mode=autre))
        for r in (resultat, autre_resultat):
            obj = objectif_couverture(r.lignes, entrees.communes_par_dossier, entrees.poids_communes)
            st.markdown(f"- **{MODES[r.mode]}** : {format_nombre(obj)} habitants de zones blanches couverts, "
                        f"{format_euros(r.enveloppe_utilisee, centimes=False)} attribués, {format_nombre(r.lignes['etp_finances'].sum(), decimales=2)} ETP.")
        diff = comparer(resultat, autre_resultat)
        afficher_tableau(diff)
    st.download_button("Exporter l'allocation (XLSX)", on_click="ignore", key="simulation_export", file_name="allocation.xlsx",
                       data=lambda: exporter_allocation(resultat, entrees, reglages, donnees_fictives=etat.donnees_actives().demo))


def section_par_region(regionale: AllocationRegionale) -> None:
    """Enveloppe, montant attribué et reste de chaque région ; en rouge une région au-delà de son enveloppe."""
    t = regionale.par_region.join(etat.referentiel().regions["nom"])
    t = t[(t["nb_dossiers"] > 0) | (t["enveloppe"] > 0)]
    depasse = t["depassement"]
    if depasse.any():
        st.error("Au-delà de leur enveloppe (pot national choisi) : " + ", ".join(t.loc[depasse, "nom"]) + ".")
    else:
        st.success("Aucune région au-delà de son enveloppe.")
    vue = t[["enveloppe", "utilisee", "restante", "nb_dossiers", "nb_finances", "etp_finances"]].rename_axis("region").reset_index()
    afficher_tableau(vue, en_rouge=depasse)


def exporter_allocation(resultat, entrees: EntreesSimulation, reglages: Reglages, *, donnees_fictives: bool = False) -> bytes:
    """XLSX : dossiers avec règles et montants, synthèse par région, paramètres (et l'avertissement pendant la démonstration)."""
    dossiers = entrees.dossiers.merge(resultat.lignes[["id_dossier", "montant_attribue", "etp_finances", "statut_financement",
                                                       "rang", "explication"]], on="id_dossier")
    region = resultat.lignes.groupby("region").agg(nb_dossiers=("id_dossier", "size"), montant_attribue=("montant_attribue", "sum"),
                                                   etp_finances=("etp_finances", "sum")).reset_index()
    parametres = pd.DataFrame({"parametre": list(reglages.en_dict()) + ["statut_solveur", "enveloppe_utilisee"],
                               "valeur": [str(v) for v in reglages.en_dict().values()] + [resultat.statut_solveur, resultat.enveloppe_utilisee]})
    # Pour les personnes : libellés, nom à côté des codes de région et de structure, issues en toutes lettres.
    lisibles = {nom: pour_personnes(t, referentiel=etat.referentiel(), structures=etat.noms_structures())
                for nom, t in {"dossiers": dossiers, "synthese_region": region}.items()}
    return exporter_xlsx({**lisibles, "parametres": parametres}, donnees_fictives=donnees_fictives)


def section_impact(resultat, entrees: EntreesSimulation, donnees) -> None:
    seuils, poids = etat.reglages_zones_blanches("epci")
    impact = impact_allocation(donnees, resultat.lignes, referentiel=etat.referentiel(), besoins=etat.besoins(), seuils=seuils,
                               dossiers_evalues=entrees.dossiers)
    st.caption("Hypothèse : les ETP financés s'ajoutent aux ETP de facilitateur déclarés par la structure "
               "(une structure nouvelle passe de 0 ETP à ses ETP financés).")
    c1, c2, c3 = st.columns(3)
    c1.metric("Population nouvellement couverte", f"{format_nombre(impact.population_nouvellement_couverte)} hab.")
    c2.metric("Part de l'État dans le coût des postes financés", format_pourcentage(impact.part_etat))
    c3.metric("ETP financés", format_nombre(impact.etp_finances, decimales=2))
    libelles = {**LIBELLES_CRITERES, "total": "Zones blanches (chaque EPCI compté une fois)"}
    zb = impact.zones_blanches.assign(critere=impact.zones_blanches["critere"].map(libelles))
    st.markdown("**Zones blanches (EPCI) résolues et nouvelles, par critère**")
    afficher_tableau(zb)
    total = impact.zones_blanches.set_index("critere").loc["total"]
    st.caption(f"Résolues : en zone blanche avant et plus après ; nouvelles : l'inverse. Sur chaque ligne, avant − après = "
               f"résolues − nouvelles (au total : {format_nombre(total['avant'])} − {format_nombre(total['apres'])} = "
               f"{format_nombre(total['resolues'])} − {format_nombre(total['nouvelles'])}). Un EPCI peut relever de plusieurs "
               "critères : la dernière ligne compte chacun une fois.")
    section_etp_par_region(impact.par_region)
    with st.expander("ETP par département, avant et après"):
        afficher_tableau(impact.par_departement, index=True)
    from ui.cartes_avant_apres import cartes_avant_apres

    cartes_avant_apres(impact.epci_avant, impact.epci_apres, cle="simulation")


def section_etp_par_region(par_region: pd.DataFrame) -> None:
    """ETP par région : ce qui change (avant, après, différence), barres appariées, puis le tableau complet."""
    st.markdown("**ETP par région : ce qui change**")
    afficher_tableau(ecarts(par_region["etp_avant"], par_region["etp_apres"], noms=par_region["nom"])
                     .rename(columns={"avant": "etp_avant", "apres": "etp_apres", "difference": "etp_ajoutes"}), index=True)
    barres_appariees(par_region[["nom", "etp_avant", "etp_apres"]].rename(columns={"etp_avant": "avant", "etp_apres": "apres"}),
                     titre="ETP de facilitateurs")
    with st.expander("ETP par région, avant et après (toutes les régions)"):
        afficher_tableau(par_region, index=True)


def section_dossiers(entrees: EntreesSimulation, donnees, *, version: int) -> None:
    d = entrees.dossiers
    if d.empty:
        return
    colonnes = ["id_dossier", "nom_structure", "statut", "region", "etp_demandes", "cout_annuel_total", "montant_aap_demande",
                "eligible", "montant_max_aap", "plafond_limitant", "motifs", "alertes"]
    avec_bilans = colonnes_bilans_dossiers(d)
    afficher_tableau(avec_bilans[colonnes + [c for c in CONFIG_COLONNES_BILANS if c in avec_bilans.columns]],
                     config=CONFIG_COLONNES_BILANS, height=360)
    choix = st.selectbox("Détail des règles pour le dossier", list(d["id_dossier"]), key="simulation_dossier",
                         format_func=lambda i: f"{i} — {d.set_index('id_dossier').at[i, 'nom_structure']}")
    ligne = d.set_index("id_dossier").loc[choix]
    encart_bilan(ligne["id_structure"])
    for r in detail_regles(ligne.to_dict() | {"id_dossier": choix}, PARAMETRES_2025):
        st.markdown(f"{badge_regle(r.respectee)} **{r.libelle}** — {r.explication}  \n<small>{r.reference}</small>", unsafe_allow_html=True)
    from ui.saisie_dossier import formulaire_dossier

    formulaire_dossier(donnees, version=version)


def section_placements(region: str | None) -> None:
    st.markdown("Où placer des ETP supplémentaires avant même de recevoir des dossiers : les EPCI où ils couvriraient le plus de "
                "population de zones blanches.")
    c1, c2 = st.columns(2)
    etp = c1.number_input("ETP à placer", min_value=0.5, max_value=200.0, value=2.0, step=0.5, key="simulation_etp_plus")
    zb = etat.zones_blanches("epci")
    if region:
        zb = zb[zb["region"] == region]
    besoins = pd.DataFrame({"code": zb.index, "nom": zb["nom"], "population": zb["population"],
                            "population_non_couverte": zb["population"] * zb["part_non_couverte"], "etp_actuels": zb["etp"],
                            "besoin_non_couvert": zb["population"].where(zb["est_zone_blanche"], 0)})
    suggestions = suggerer_placements(besoins, etp_supplementaires=etp)
    c2.metric("Population nouvellement couverte", f"{format_nombre(suggestions['population_nouvellement_couverte'].sum())} hab.")
    afficher_tableau(suggestions)


def section_scenarios(reglages: Reglages, *, version: int) -> None:
    from ui.scenarios import section

    section(reglages, version=version, allouer=allouer, entrees=lambda r, v: entrees_simulation(v, r.region))

