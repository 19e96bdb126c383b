"""Écrire dans l'espace de travail depuis une page : version vue par l'utilisateur, conflit d'édition.

Chaque écriture du magasin dit sur quelle version elle s'appuie. Une page retient, à chaque
exécution où elle affiche un formulaire ou un bouton d'enregistrement, la version qu'elle montre
(`version_vue`) : au clic, l'exécution suivante enregistre avec la version que l'utilisateur avait
sous les yeux, pas celle relue au moment du clic. Si quelqu'un a écrit entre-temps, le magasin lève
`ConflitEdition` : `afficher_conflit` montre le message (en français, qui et quand) et un bouton
« Recharger ».
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from coverage.espace import ConflitEdition, EspaceIndisponible
from ui.texte import texte


def version_vue(cle: str, version: int) -> int:
    """La version affichée à l'exécution précédente (celle que l'utilisateur a vue en cliquant), puis retient `version`.

    À appeler à chaque exécution où le formulaire ou le bouton est affiché, avant de lire le clic.
    À la première exécution, c'est `version`.
    """
    cle = f"_version_vue_{cle}"
    vue = int(st.session_state.get(cle, version))
    st.session_state[cle] = int(version)
    return vue


def afficher_conflit(conflit: ConflitEdition, *, cle: str) -> None:
    """Le message du conflit et un bouton « Recharger les données à jour ».

    La page de cette exécution montre déjà les données à jour (relues au début de l'exécution) : le
    bouton relance simplement la page, et le prochain enregistrement s'appuiera sur cette version.
    """
    st.error(texte(str(conflit)), icon=":material/sync_problem:")  # noms d'auteurs : texte d'utilisateur
    if st.button("Recharger les données à jour", key=f"recharger_{cle}", icon=":material/refresh:"):
        st.rerun()


def arreter_espace_indisponible(panne: EspaceIndisponible) -> NoReturn:
    """Base verrouillée, corrompue ou serveur injoignable : le message en français, « Réessayer », et la page s'arrête."""
    st.error(f"L'espace de travail est indisponible. {texte(str(panne))}", icon=":material/database:")
    if st.button("Réessayer", icon=":material/refresh:", key="espace_reessayer"):
        st.rerun()
    st.stop()


def noter_clic(cle: str) -> None:
    """Rappel `on_click` d'un bouton d'enregistrement : le clic est noté avant l'exécution de la page."""
    st.session_state[f"_clic_{cle}"] = True


def clic(cle: str) -> bool:
    """True une seule fois après un clic noté par `noter_clic(cle)`.

    Un rappel survit à une relance de la page en cours d'exécution (celle de `exiger_navigation`
    par exemple), là où la valeur renvoyée par `st.button` serait perdue.
    """
    return bool(st.session_state.pop(f"_clic_{cle}", False))
