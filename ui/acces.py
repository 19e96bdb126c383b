"""Connexion (OpenID Connect via `st.login`) et identité de la session.

Avec une section `[auth]` dans `.streamlit/secrets.toml`, chaque session se connecte (ProConnect
ou tout fournisseur OpenID Connect) ; son rôle et son territoire viennent du fichier des rôles
(`coverage.espace.permissions.lire_roles`, variable `FACILITATEURS_ROLES`). Sans `[auth]`,
l'application tourne comme avant pour un seul utilisateur local, avec un avis « mode local, sans
authentification ». Le contrôle des écritures est fait par le magasin (`etat.espace()`), pas ici.
"""

from __future__ import annotations

import streamlit as st

from coverage.espace.permissions import UTILISATEUR_LOCAL, RolesUtilisateurs, Utilisateur, chemin_roles, lire_roles
from ui.texte import texte

AVIS_LOCAL = "Mode local, sans authentification : un seul utilisateur, qui a tous les droits."


def auth_configuree() -> bool:
    """True si `.streamlit/secrets.toml` a une section `[auth]`."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 (fichier de secrets absent ou illisible : mode local)
        return False


@st.cache_resource(ttl=60, show_spinner=False)
def _roles() -> RolesUtilisateurs:
    from ui.etat import referentiel

    chemin = chemin_roles()
    ref = referentiel()
    return lire_roles(chemin.read_text(encoding="utf-8"), nom_fichier=chemin.name,
                      codes_valides={"region": set(ref.regions.index), "departement": set(ref.departements.index)})


def utilisateur() -> Utilisateur:
    """L'utilisateur de la session (local sans `[auth]`) ; suppose `exiger_connexion()` passé."""
    if not auth_configuree():
        return UTILISATEUR_LOCAL
    trouve = _roles().utilisateur(st.user.get("email"), nom=str(st.user.get("name") or ""))
    if trouve is None:
        raise PermissionError("Utilisateur sans rôle.")
    return trouve


def exiger_connexion() -> Utilisateur:
    """Arrête la page tant que la session n'est pas connectée et connue du fichier des rôles."""
    if not auth_configuree():
        st.sidebar.caption(f":material/person: {AVIS_LOCAL}")
        return UTILISATEUR_LOCAL
    if not st.user.get("is_logged_in"):
        st.title("Facilitateurs de la clause sociale d'insertion")
        st.write("Connectez-vous avec votre compte professionnel pour accéder au tableau de bord.")
        if st.button("Se connecter", type="primary", key="acces_connexion"):
            st.login()
        st.stop()
    try:
        roles = _roles()
    except (OSError, ValueError) as erreur:
        st.error(f"Fichier des rôles ({chemin_roles()}) illisible : {erreur} Prévenez l'administrateur.")
        st.stop()
    u = roles.utilisateur(st.user.get("email"), nom=str(st.user.get("name") or ""))
    if u is None:
        st.error(f"Aucun rôle n'est attribué à {texte(str(st.user.get('email') or 'cette adresse'))} : "
                 "demandez à l'administrateur de l'ajouter au fichier des rôles.")
        if st.button("Se déconnecter", key="acces_deconnexion_inconnu"):
            st.logout()
        st.stop()
    st.sidebar.caption(f":material/verified_user: Connecté : {texte(u.libelle)}")
    if st.sidebar.button("Se déconnecter", key="acces_deconnexion"):
        st.logout()
    return u


def champ_auteur(libelle: str = "Votre nom", *, key: str | None = None, conteneur=st, value: str = "") -> str:  # noqa: ANN001
    """Nom saisi en mode local ; identité connectée sinon (aucun nom libre quand on est connecté)."""
    u = utilisateur()
    if u.local:
        return conteneur.text_input(libelle, key=key, value=value)
    conteneur.caption(f"Auteur : {texte(u.identite)}")
    return u.identite
