"""Page Données : import des fichiers sur une portée (France, région, département), avec aperçu et confirmation."""

from __future__ import annotations

import streamlit as st

from coverage.espace import ConflitEdition
from coverage.espace.permissions import Action, PermissionRefusee, Role
from coverage.espace.portee import apercu, fusionner
from coverage.sources.donnees import importer_fichiers
from coverage.sources.portee import lire_portee
from ui import etat
from ui.acces import champ_auteur
from ui.ecritures import afficher_conflit, clic, noter_clic
from ui.texte import liste, texte

_CLE = "donnees_import_en_attente"


def _portees_permises() -> list[str]:
    """Les portées que l'utilisateur peut importer (le magasin refuse les autres de toute façon)."""
    ref = etat.referentiel()
    moi = etat.espace().utilisateur
    if moi.role == Role.NATIONAL:
        return ["france", *(f"region:{c}" for c in ref.regions.sort_values("nom").index),
                *(f"departement:{c}" for c in ref.departements.index)]
    if moi.role == Role.DREETS:
        deps = ref.departements.index[ref.departements["region"] == moi.territoire]
        return [f"region:{moi.territoire}", *(f"departement:{c}" for c in deps)]
    if moi.role == Role.DDETS:
        return [f"departement:{moi.territoire}"]
    return []


def section_import() -> None:
    ref = etat.referentiel()
    portees = _portees_permises()
    if not portees:
        st.info(f"{texte(etat.espace().utilisateur.libelle)} : votre rôle ne permet pas d'importer des données.")
        return
    st.markdown(
        "Déposez vos fichiers **structures** et **périmètres** (et, si vous instruisez l'appel à projets, **dossiers**) "
        "en CSV (`;` ou `,`, UTF-8 ou Windows-1252) ou XLSX, et la **portée** de l'import : seules les structures dont le "
        "département est dans la portée sont remplacées, le reste de la France est gardé tel quel. Tout est vérifié, puis un "
        "aperçu dit ce qui changera : rien n'est écrit avant votre confirmation."
    )
    with st.form("donnees_import"):
        portee = st.selectbox("Portée de l'import", portees, key="donnees_portee",
                              format_func=lambda p: lire_portee(p, referentiel=ref).libelle)
        c1, c2, c3 = st.columns(3)
        f_structures = c1.file_uploader("Structures", type=["csv", "xlsx"], key="donnees_f_structures")
        f_perimetres = c2.file_uploader("Périmètres", type=["csv", "xlsx"], key="donnees_f_perimetres")
        f_dossiers = c3.file_uploader("Dossiers (facultatif)", type=["csv", "xlsx"], key="donnees_f_dossiers")
        auteur = champ_auteur("Votre nom (tracé dans l'historique des versions)", key="donnees_auteur")
        st.form_submit_button("Vérifier et voir l'aperçu", type="primary", on_click=noter_clic, args=("donnees_apercu",))
    if clic("donnees_apercu"):
        st.session_state.pop(_CLE, None)
        if not (f_structures and f_perimetres):
            st.error("Déposez au moins les fichiers structures et périmètres.")
        elif not auteur.strip():
            st.error("Indiquez votre nom : chaque version de l'espace de travail est attribuée.")
        else:
            _verifier(lire_portee(portee, referentiel=ref), f_structures, f_perimetres, f_dossiers, auteur.strip())
    if _CLE in st.session_state:
        _apercu_et_confirmation()


def _verifier(portee, f_structures, f_perimetres, f_dossiers, auteur: str) -> None:  # noqa: ANN001
    resultat = importer_fichiers(
        structures=(f_structures.getvalue(), f_structures.name), perimetres=(f_perimetres.getvalue(), f_perimetres.name),
        dossiers=(f_dossiers.getvalue(), f_dossiers.name) if f_dossiers else None, referentiel=etat.referentiel(), portee=portee)
    if resultat.avertissements:
        with st.expander(f"{len(resultat.avertissements)} avertissement(s)", expanded=not resultat.valide):
            st.markdown(liste(resultat.avertissements[:200]))
    if not resultat.valide:
        st.error(f"**Import refusé : {len(resultat.erreurs)} erreur(s).** L'espace de travail n'a pas été modifié.")
        st.markdown(liste(resultat.erreurs[:200]))
        return
    version = etat.version_active()  # la version montrée dans l'aperçu, sur laquelle l'import sera écrit
    actuelle = etat.magasin().donnees_ou_vide(resultat.donnees, version)
    try:
        apres = fusionner(actuelle, resultat.donnees, departements=portee.departements, avec_dossiers=f_dossiers is not None)
    except ValueError as erreur:
        st.error(str(erreur))
        return
    st.session_state[_CLE] = {"donnees": resultat.donnees, "portee": portee, "auteur": auteur, "avec_dossiers": f_dossiers is not None,
                              "apercu": apercu(actuelle, apres, departements=portee.departements, portee=portee.libelle),
                              "version": version}


def _apercu_et_confirmation() -> None:
    attente = st.session_state[_CLE]
    st.subheader("Aperçu de l'import")
    st.markdown(liste(attente["apercu"].lignes))
    c1, c2 = st.columns(2)
    if c2.button("Annuler", key="donnees_import_annuler"):
        st.session_state.pop(_CLE)
        st.rerun()
    c1.button("Confirmer l'import", type="primary", key="donnees_import_confirmer", on_click=noter_clic, args=("donnees_import",))
    if not clic("donnees_import"):
        return
    st.session_state.pop(_CLE)
    portee = attente["portee"]
    try:  # écrit sur la version de l'aperçu : si quelqu'un a écrit depuis, ConflitEdition et rien n'est changé
        ident = etat.espace().importer_portee(attente["donnees"], portee=portee.texte, departements=portee.departements,
                                              auteur=attente["auteur"], libelle_portee=portee.libelle,
                                              avec_dossiers=attente["avec_dossiers"], base_version=attente["version"])
    except ConflitEdition as conflit:
        st.error("L'aperçu ne correspond plus aux données en vigueur : rechargez, puis cliquez de nouveau sur « Vérifier et voir "
                 "l'aperçu » (vos fichiers sont gardés).")
        afficher_conflit(conflit, cle="donnees_import")
        return
    except (PermissionRefusee, ValueError) as erreur:
        st.error(texte(erreur))
        return
    st.success(f"Import réussi (version n° {ident}, {portee.libelle}).")


def peut_restaurer() -> bool:
    return etat.espace().peut(Action.RESTAURER)
