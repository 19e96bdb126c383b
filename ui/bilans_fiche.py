"""Page Bilans : fiche d'une structure (bilans dans le temps, financement, périmètre) et import de bilans."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from coverage.bilans.consolidation import INDICATEURS_SOMMES
from coverage.bilans.echeances import conventions
from coverage.documents.format import format_nombre
from coverage.espace import ConflitEdition
from coverage.espace.permissions import PermissionRefusee
from coverage.modele import Niveau, Periode, Statut
from ui import bilans as vue
from ui import etat
from ui.presentation import tableau as afficher_tableau
from ui.ecritures import afficher_conflit, clic, noter_clic, version_vue
from ui.texte import texte


def _perimetre(donnees, id_structure: str) -> pd.DataFrame:
    ref = etat.referentiel()
    lignes = donnees.perimetres[donnees.perimetres["id_structure"] == id_structure].copy()
    lignes["nom"] = [ref.table(n)["nom"].get(c, "(inconnu)") for n, c in zip(lignes["niveau"], lignes["code"], strict=True)]
    lignes["niveau"] = lignes["niveau"].map(lambda n: Niveau(n).libelle)
    lignes["role"] = lignes["role"].map({"principal": "Principal", "extension": "Extension limitrophe"})
    return lignes[["niveau", "code", "nom", "role", "part_etp"]]


def fiche_structure(donnees, actifs: vue.BilansActifs, au: dt.date) -> None:
    """Bilans de la structure dans le temps, à côté de son financement et de son périmètre."""
    conv = conventions(donnees.structures, actifs.bilans)
    ids = sorted(conv["id_structure"].unique())
    if not ids:
        st.info("Aucune structure conventionnée.")
        return
    noms = donnees.structures.drop_duplicates("id_structure").set_index("id_structure")
    choix = st.selectbox("Structure", ids, key="bilans_fiche_structure",
                         format_func=lambda i: f"{noms.at[i, 'nom']} ({i})" if i in noms.index else i)
    s = noms.loc[choix] if choix in noms.index else None
    if s is not None:
        st.text(f"{s['nom']} — {Statut(s['statut']).libelle}, département {s['departement']}")
    bilans = actifs.bilans[actifs.bilans["id_structure"] == choix].sort_values(["annee", "periode"], ascending=[True, False])
    suivi = vue.suivi(actifs, au)
    remises = suivi[suivi["id_structure"] == choix][["annee", "periode", "echeance", "date_remise", "jours_retard", "statut"]]
    remises = remises.assign(statut=remises["statut"].map(vue.LIBELLES_STATUTS),
                             periode=remises["periode"].map(lambda p: Periode(p).libelle))
    gauche, droite = st.columns([3, 2])
    with gauche:
        st.markdown("**Bilans dans le temps**")
        if bilans.empty:
            st.info("Aucun bilan reçu pour cette structure.")
        else:
            annuels = bilans[bilans["periode"] == Periode.ANNUEL.value].set_index("annee")
            if len(annuels):
                series = pd.DataFrame({
                    "Heures / ETP (tous marchés)": annuels["heures_insertion_total"] / annuels["etp_subventionnes"],
                    "Heures / ETP (État)": annuels["heures_insertion_etat"] / annuels["etp_subventionnes"],
                })
                series.index = series.index.astype(str)
                st.bar_chart(series, stack=False, x_label="Année (bilan annuel)", y_label="Heures par ETP subventionné")
            afficher_tableau(bilans[["annee", "periode", "date_remise", *INDICATEURS_SOMMES, "commentaire"]])
        st.markdown("**Remise des bilans attendus**")
        afficher_tableau(remises.assign(statut=remises["statut"].map(lambda s: vue.LIBELLES_STATUTS.get(s, s)))
                         if "statut" in remises.columns else remises)
    with droite:
        st.markdown("**Financement**")
        if s is not None:
            st.text(f"ETP de facilitateurs portés : {format_nombre(s['etp_facilitateur'], 2, compact=True)}\n"
                    f"Années financées par le PNAD : {s['financement_pnad'] or 'aucune'}")
        dossiers = donnees.dossiers[donnees.dossiers["id_structure"] == choix] if len(donnees.dossiers) else pd.DataFrame()
        if len(dossiers):
            afficher_tableau(dossiers[["id_dossier", "etp_demandes", "cout_annuel_total", "montant_aap_demande"]], width="content")
        st.markdown("**Périmètre**")
        afficher_tableau(_perimetre(donnees, choix).rename(columns={"nom": "territoire"}), width="content")


def section_import(actifs: vue.BilansActifs) -> None:
    """Dépôt des fichiers, validation complète, enregistrement dans l'espace (tout ou rien)."""
    st.markdown("Fichier `bilans` (obligatoire) et `bilans_repartitions` (facultatif), CSV ou XLSX. Tout le fichier est "
                "validé avant d'écrire quoi que ce soit ; chaque problème cite le fichier, la ligne et la colonne.")
    base = version_vue("bilans_import", actifs.cle[1] or 0)  # l'import actif que l'utilisateur a sous les yeux
    with st.form("bilans_import"):
        fichier = st.file_uploader("Fichier des bilans", type=["csv", "txt", "tsv", "xlsx", "xlsm"], key="bilans_fichier")
        reps = st.file_uploader("Fichier des répartitions (facultatif)", type=["csv", "txt", "tsv", "xlsx", "xlsm"],
                                key="bilans_fichier_repartitions")
        auteur = st.text_input("Votre nom", key="bilans_auteur")
        st.form_submit_button("Valider et importer", on_click=noter_clic, args=("bilans_import",))
    if clic("bilans_import"):
        if fichier is None or not auteur.strip():
            st.error("Déposez le fichier des bilans et indiquez votre nom.")
        else:
            resultat = vue.importer((fichier.getvalue(), fichier.name), None if reps is None else (reps.getvalue(), reps.name))
            if resultat.valide:
                _enregistrer(resultat, auteur=auteur.strip(), nom_fichier=fichier.name, base=base)
            else:
                st.error(f"{format_nombre(len(resultat.erreurs))} erreur(s) : rien n'a été importé.")
                st.text("\n".join(str(p) for p in resultat.erreurs[:200]))
            if resultat.avertissements:
                st.warning(f"{format_nombre(len(resultat.avertissements))} avertissement(s)")
                st.text("\n".join(str(p) for p in resultat.avertissements[:200]))
    if not actifs.demo and actifs.source:
        st.button("Retirer l'import actif", key="bilans_retirer", on_click=noter_clic, args=("bilans_retirer",))
        if clic("bilans_retirer"):
            try:
                etat.espace().retirer_bilans(auteur=st.session_state.get("bilans_auteur") or "inconnu", base_version=base)
            except ConflitEdition as conflit:
                afficher_conflit(conflit, cle="bilans_retirer")
            except PermissionRefusee as refus:
                st.error(texte(refus))
            else:
                st.rerun()
    historique = etat.espace().lister_imports_bilans()
    if len(historique):
        afficher_tableau(historique, width="content")


def _enregistrer(resultat, *, auteur: str, nom_fichier: str, base: int) -> None:  # noqa: ANN001
    """Enregistre des bilans validés sur l'import actif `base` que l'utilisateur avait sous les yeux."""
    try:
        ident = etat.espace().enregistrer_bilans(resultat.bilans, resultat.repartitions, auteur=auteur,
                                                  libelle=f"Import {nom_fichier}", base_version=base)
    except ConflitEdition as conflit:
        afficher_conflit(conflit, cle="bilans_import")
    except PermissionRefusee as refus:
        st.error(texte(refus))
    else:
        st.success(f"Import réussi (n° {ident}) : {format_nombre(len(resultat.bilans))} bilans, "
                   f"{format_nombre(len(resultat.repartitions))} lignes de répartition.")
