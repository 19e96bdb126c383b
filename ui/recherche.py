"""Choisir dans une longue liste (structures) sans envoyer une option par élément au navigateur.

Au-delà de `SEUIL_RECHERCHE` éléments, un champ de recherche précède la liste de choix : seuls les
`MAX_PROPOSES` premiers éléments dont le nom ou l'identifiant contient le texte cherché sont
proposés (plus ceux déjà choisis). Avec 10⁶ structures, la page n'envoie plus 10⁶ options à chaque
exécution.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

SEUIL_RECHERCHE = 500
MAX_PROPOSES = 100


def proposes(noms: pd.Series, texte: str, *, deja: list[str], limite: int = MAX_PROPOSES) -> list[str]:
    """Identifiants (index de `noms`) à proposer : ceux déjà choisis, puis les premiers qui contiennent `texte`
    (nom ou identifiant, sans casse), au plus `limite` en plus de ceux déjà choisis."""
    texte = texte.strip().lower()
    if not texte:
        trouves = noms.index[:limite]
    else:
        ids = pd.Series(noms.index.astype("str"), index=noms.index)
        masque = noms.astype("str").str.lower().str.contains(texte, regex=False) | ids.str.lower().str.contains(texte, regex=False)
        trouves = noms.index[masque.to_numpy()][:limite]
    gardes = [i for i in deja if i in noms.index]
    return gardes + [i for i in trouves if i not in set(gardes)]


def options_structures(noms: pd.Series, *, cle: str, libelle: str) -> list[str]:
    """Identifiants à proposer dans la liste de choix `cle` : tous si la liste est courte ; sinon un champ de
    recherche (hors formulaire, pour se mettre à jour à la frappe) et les premiers trouvés."""
    if len(noms) <= SEUIL_RECHERCHE:
        return list(noms.index)
    texte = st.text_input(f"{libelle} : chercher par nom ou identifiant ({len(noms):,} structures)".replace(",", "\u202f"),
                          key=f"{cle}_recherche")  # fmt: skip
    deja = st.session_state.get(cle, [])
    return proposes(noms, texte, deja=list(deja) if isinstance(deja, list) else [deja] if deja else [])


def choisir_structures(noms: pd.Series, *, cle: str, libelle: str, max_selections: int, placeholder: str) -> list[str]:
    """`st.multiselect` sur `noms` (index = identifiant), précédé d'une recherche si la liste est longue."""
    options = options_structures(noms, cle=cle, libelle=libelle)
    return st.multiselect(libelle, options, key=cle, format_func=lambda i: f"{noms[i]} ({i})",
                          max_selections=max_selections, placeholder=placeholder)  # fmt: skip
