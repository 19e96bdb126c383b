"""Page Bilans : bilans actifs (import de l'espace ou démonstration), réglages des échéances, sections.

Les calculs viennent de `coverage.bilans` ; ici, les caches (clés : version des données, import
de bilans actif, paramètres) et la mise en page. Le texte des utilisateurs (noms, commentaires,
messages d'erreur qui citent des cellules) est affiché comme du texte (`st.text`, cellules de
tableau), jamais comme du Markdown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from coverage.bilans.campagne import SeuilsBilans, bilans_des_dossiers, texte_seuils
from coverage.bilans.consolidation import consolider, indicateurs_structures
from coverage.bilans.donnees import SOURCE_BILANS_DEMO, bilans_demo
from coverage.bilans.echeances import StatutRemise, echeances, remises_par_territoire, statuts_conventions, suivi_remises
from coverage.bilans.validation import importer_bilans, repartitions_vides
from coverage.documents.format import format_date, format_nombre, format_pourcentage
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.modele import BILANS
from ui import etat

COULEURS_STATUTS = {
    StatutRemise.RECU.value: "#18753C",
    StatutRemise.RECU_EN_RETARD.value: "#B7A73F",
    StatutRemise.A_VENIR.value: "#929292",
    StatutRemise.EN_RETARD.value: "#E4794A",
    StatutRemise.MANQUANT.value: "#CE0500",
}
LIBELLES_STATUTS = {s.value: s.libelle for s in StatutRemise}


@dataclass(frozen=True)
class BilansActifs:
    """Les bilans que montre l'application et d'où ils viennent."""

    bilans: pd.DataFrame
    repartitions: pd.DataFrame
    source: str
    demo: bool
    cle: tuple


def _vides() -> pd.DataFrame:
    return pd.DataFrame({nom: pd.Series(dtype="datetime64[ns]" if nom == "date_remise" else object) for nom in BILANS.noms})


@st.cache_data(show_spinner="Lecture des bilans…", max_entries=4)
def _lire_bilans(version: int, id_import: int | None) -> tuple[pd.DataFrame, pd.DataFrame, str, bool]:
    if id_import is not None:
        actif = etat.espace().bilans_actifs()
        if actif is not None:
            return actif[1], actif[2], f"Import n° {actif[0]}", False
    donnees = etat.donnees_version(version)
    if not donnees.demo:
        return _vides(), repartitions_vides(), "", False
    resultat = bilans_demo(donnees.structures, etat.referentiel())
    return resultat.bilans, resultat.repartitions, SOURCE_BILANS_DEMO, True


def bilans_actifs() -> BilansActifs:
    """Import actif de l'espace, sinon les bilans fictifs si les données actives sont la démonstration."""
    imports = etat.espace().lister_imports_bilans()
    actifs = imports[imports["actif"]]
    id_import = int(actifs["id"].iloc[0]) if len(actifs) else None
    cle = (etat.version_active(), id_import)
    bilans, repartitions, source, demo = _lire_bilans(*cle)
    return BilansActifs(bilans, repartitions, source, demo, cle)


def parametres() -> ParametresCampagne:
    """Paramètres de campagne réglés sur la page (échéances des bilans), ceux de 2025 par défaut."""
    return st.session_state.get("bilans_parametres", PARAMETRES_2025)


def seuils() -> SeuilsBilans:
    """Seuils de signalement réglés sur la page Bilans (partagés avec Simulation et Comité)."""
    return st.session_state.get("bilans_seuils", SeuilsBilans())


def _cle_parametres(p: ParametresCampagne) -> tuple:
    return tuple(sorted(dataclasses.asdict(p).items()))


@st.cache_data(show_spinner=False, max_entries=8)
def _suivi(cle: tuple, cle_parametres: tuple, au: dt.date) -> pd.DataFrame:
    bilans = _lire_bilans(*cle)[0]
    structures = etat.donnees_version(cle[0]).structures
    return suivi_remises(structures, bilans, parametres=ParametresCampagne(**dict(cle_parametres)), au=au)


def suivi(actifs: BilansActifs, au: dt.date) -> pd.DataFrame:
    """Statut de chaque bilan attendu à la date `au` (mis en cache)."""
    return _suivi(actifs.cle, _cle_parametres(parametres()), au)


@st.cache_data(show_spinner="Consolidation des bilans…", max_entries=16)
def consolidation(cle: tuple, niveau: str, annee: int) -> pd.DataFrame:
    """Indicateurs consolidés d'un niveau (mis en cache par import, version et année)."""
    bilans = _lire_bilans(*cle)[0]
    return consolider(bilans, etat.donnees_version(cle[0]).structures, referentiel=etat.referentiel(), niveau=niveau,
                      annee=annee)


@st.cache_data(show_spinner=False, max_entries=16)
def par_structure(cle: tuple, annee: int) -> pd.DataFrame:
    return indicateurs_structures(_lire_bilans(*cle)[0], annee)


def remises_departements(suivi_annee: pd.DataFrame) -> pd.DataFrame:
    """Compte des bilans par statut et catégorie de carte par département."""
    comptes = remises_par_territoire(suivi_annee)
    echus = comptes["attendus"] - comptes[StatutRemise.A_VENIR.value]
    retard = comptes[StatutRemise.RECU_EN_RETARD.value] + comptes[StatutRemise.EN_RETARD.value]
    comptes["situation"] = "a_jour"
    comptes.loc[retard > 0, "situation"] = "retards"
    comptes.loc[comptes[StatutRemise.MANQUANT.value] > 0, "situation"] = "manquants"
    comptes.loc[echus == 0, "situation"] = "a_venir"
    return comptes


CATEGORIES_CARTE = {
    "a_jour": ("#18753C", "Tous les bilans échus reçus à temps"),
    "retards": ("#E4794A", "Des bilans reçus en retard ou en retard"),
    "manquants": ("#CE0500", "Au moins un bilan manquant"),
    "a_venir": ("#929292", "Aucun bilan encore échu"),
}


def tableau_conventions(suivi_annee: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par convention, statuts en libellés français, la plus en défaut d'abord."""
    conv = statuts_conventions(suivi_annee)
    gravite = {"manquant": 0, "en_retard": 1, "recu_en_retard": 2, "a_venir": 3, "recu": 4}
    conv = conv.assign(_ordre=conv["statut"].map(gravite)).sort_values(["_ordre", "departement", "nom"]).drop(columns="_ordre")
    for col in ("statut_intermediaire", "statut_annuel", "statut"):
        conv[col] = conv[col].map(LIBELLES_STATUTS)
    return conv


def formulaire_echeances() -> None:
    """Réglage des échéances des bilans (paramètres de campagne) et des seuils de signalement.

    Appliqué dès qu'une valeur change ; une combinaison refusée par `ParametresCampagne` (échéance
    intermédiaire après l'annuelle) est signalée et les réglages précédents restent en vigueur.
    """
    p, s = parametres(), seuils()
    with st.expander("Échéances des conventions et seuils de signalement"):
        c1, c2, c3 = st.columns(3)
        debut = c1.date_input(f"Date d'effet des conventions {p.annee}", value=p.debut_conventions, format="DD/MM/YYYY",
                              key="bilans_debut")
        inter = c2.date_input("Bilan intermédiaire dû le (vide : mi-période)", value=p.echeance_bilan_intermediaire,
                              format="DD/MM/YYYY", key="bilans_ech_inter")
        annuel = c3.date_input("Bilan annuel dû le (vide : fin de période)", value=p.echeance_bilan_annuel,
                               format="DD/MM/YYYY", key="bilans_ech_annuel")
        c4, c5, c6 = st.columns(3)
        delai = c4.number_input("Jours « en retard » avant « manquant »", min_value=0, max_value=365,
                                value=p.delai_relance_bilans_jours, key="bilans_delai")
        heures = c5.number_input("Seuil : heures par ETP", min_value=0, max_value=200_000, step=500,
                                 value=int(s.heures_par_etp_min), key="bilans_seuil_heures")
        part = c6.number_input("Seuil : part des heures sur les marchés de l'État (%)", min_value=0, max_value=100,
                               value=int(round(s.part_etat_min * 100)), key="bilans_seuil_etat")
        try:
            st.session_state["bilans_parametres"] = dataclasses.replace(
                p, debut_conventions=debut, echeance_bilan_intermediaire=inter or None,
                echeance_bilan_annuel=annuel or None, delai_relance_bilans_jours=int(delai))
            st.session_state["bilans_seuils"] = SeuilsBilans(heures_par_etp_min=float(heures), part_etat_min=part / 100)
        except ValueError as exc:
            st.error(str(exc))


def texte_echeances(annee: int) -> str:
    e = echeances(parametres(), annee)
    return (f"Conventions {annee} : bilan intermédiaire dû le {format_date(e['intermediaire'])}, bilan annuel le "
            f"{format_date(e['annuel'])} ; « en retard » jusqu'à {parametres().delai_relance_bilans_jours} jours après "
            "l'échéance, « manquant » au-delà.")


def importer(contenu_bilans: tuple[bytes, str], contenu_repartitions: tuple[bytes, str] | None):
    """Valide les fichiers déposés contre les structures actives (tout ou rien)."""
    return importer_bilans(bilans=contenu_bilans, repartitions=contenu_repartitions,
                           structures=etat.donnees_actives().structures, referentiel=etat.referentiel())


def bilans_pour_dossiers(structures_dossiers: pd.Series) -> pd.DataFrame | None:
    """Dernier bilan annuel et signalement de la structure de chaque dossier (None sans aucun bilan)."""
    actifs = bilans_actifs()
    if actifs.bilans.empty:
        return None
    return bilans_des_dossiers(structures_dossiers, actifs.bilans, suivi(actifs, dt.date.today()), seuils=seuils())


def colonnes_bilans_dossiers(dossiers: pd.DataFrame) -> pd.DataFrame:
    """Les dossiers avec le dernier bilan annuel de leur structure (colonnes ajoutées à droite)."""
    table = bilans_pour_dossiers(dossiers["id_structure"])
    if table is None:
        return dossiers
    ajout = table[["annee_bilan", "heures_par_etp_total", "heures_par_etp_etat", "signalement"]].rename(columns={
        "annee_bilan": "bilan_annee", "heures_par_etp_total": "bilan_heures_par_etp",
        "heures_par_etp_etat": "bilan_heures_par_etp_etat", "signalement": "bilan_signalement"})
    return dossiers.join(ajout)


CONFIG_COLONNES_BILANS = {
    # Nombres écrits à la française par `ui.presentation.tableau` (pas de format de colonne : il suivrait le navigateur).
    "bilan_annee": st.column_config.Column("Dernier bilan annuel", help="0 : aucun bilan annuel reçu"),
    "bilan_heures_par_etp": None,
    "bilan_heures_par_etp_etat": None,
    "bilan_signalement": st.column_config.TextColumn("Signalement du bilan", width="medium"),
}


def encart_bilan(id_structure: str) -> None:
    """Dernier bilan annuel de la structure d'un dossier, signalé s'il manque ou est faible (seuils rappelés)."""
    table = bilans_pour_dossiers(pd.Series([id_structure]))
    if table is None:
        return
    b = table.iloc[0]
    if b["annee_bilan"]:
        st.markdown(
            f"**Dernier bilan annuel ({b['annee_bilan']})** : {format_nombre(b['heures_par_etp_total'])} h d'insertion par ETP "
            f"subventionné, dont {format_nombre(b['heures_par_etp_etat'])} sur les marchés de l'État ; "
            f"{format_nombre(b['marches_accompagnes_total'])} marchés accompagnés "
            f"({format_nombre(b['marches_accompagnes_etat'])} de l'État) ; évolution des heures sur un an : "
            f"{format_pourcentage(b['evolution_heures'])}.")
    else:
        st.caption("Aucun bilan annuel reçu pour cette structure.")
    if b["signalement"]:
        st.warning(f"Bilan signalé : {b['signalement']}.", icon=":material/flag:")
    st.caption(texte_seuils(seuils(), delai_jours=parametres().delai_relance_bilans_jours) + " Seuils réglables dans la page Bilans.")
