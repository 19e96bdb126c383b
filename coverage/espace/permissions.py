"""Qui peut écrire quoi : rôles, territoires, et le contrôle fait à chaque écriture du magasin.

Rôles (appel à projets 2025, partie C « Comitologie » et « Pilotage ») :

| rôle | territoire | peut |
|---|---|---|
| `national` (DGEFP) | France | tout : comité technique national, tous les comités régionaux, enveloppes régionales, imports France entière, restauration d'une version |
| `dreets` | une région | les décisions du comité de sa région, les imports de sa région ou d'un de ses départements, les scénarios, les bilans des structures |
| `ddets` | un département | lire toutes les cartes, « et si », scénarios ; imports de son département seulement ; aucune décision |
| `coordinateur` | une région | lire, « et si », scénarios |
| `lecture` | — | lire |

`verifier(utilisateur, action, territoire)` lève `PermissionRefusee` (message en français) si le
rôle et le territoire de l'utilisateur ne permettent pas l'action ; `EspaceControle` enveloppe
n'importe quel magasin (SQLite, PostgreSQL : mêmes méthodes) et appelle `verifier` avant chaque
écriture, en inscrivant comme auteur l'identité de l'utilisateur connecté. Une page qui cache un
bouton ne fait que devancer ce refus : un appel forgé rencontre le même contrôle.

Le fichier des rôles (`lire_roles`) est tenu par l'administrateur : une ligne par adresse
électronique ou par domaine (`@dreets.gouv.fr`), avec le rôle et le territoire.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from coverage.espace import COMITE_NATIONAL

__all__ = [
    "Action", "EspaceControle", "PermissionRefusee", "Role", "RolesUtilisateurs", "UTILISATEUR_LOCAL", "Utilisateur",
    "lire_roles", "peut", "verifier",
]

VARIABLE_ROLES = "FACILITATEURS_ROLES"
"""Variable d'environnement : chemin du fichier des rôles (défaut : `.streamlit/roles.csv`)."""


class Role(StrEnum):
    NATIONAL = "national"
    DREETS = "dreets"
    DDETS = "ddets"
    COORDINATEUR = "coordinateur"
    LECTURE = "lecture"

    @property
    def libelle(self) -> str:
        return {"national": "DGEFP (national)", "dreets": "DREETS", "ddets": "DDETS", "coordinateur": "Coordinateur régional",
                "lecture": "Lecture seule"}[self.value]

    @property
    def niveau_territoire(self) -> str | None:
        """Niveau du territoire attaché au rôle : `region`, `departement` ou None (France)."""
        return {"dreets": "region", "coordinateur": "region", "ddets": "departement"}.get(self.value)


class Action(StrEnum):
    DECIDER = "decider"
    IMPORTER = "importer"
    ENVELOPPES = "enveloppes"
    RESTAURER = "restaurer"
    SCENARIO = "scenario"
    BESOINS = "besoins"
    BILANS = "bilans"

    @property
    def libelle(self) -> str:
        return {"decider": "enregistrer une décision de comité", "importer": "importer des données",
                "enveloppes": "modifier les enveloppes régionales", "restaurer": "restaurer une version des données",
                "scenario": "enregistrer ou modifier un scénario",
                "besoins": "importer des fichiers de besoins ou des grands projets",
                "bilans": "importer ou retirer des bilans de structures"}[self.value]


class PermissionRefusee(PermissionError):
    """L'utilisateur n'a pas le droit de faire cette écriture (message en français)."""


@dataclass(frozen=True)
class Utilisateur:
    """L'identité qui écrit : adresse (`identite`), rôle et territoire (code région ou département)."""

    identite: str
    role: Role
    territoire: str | None = None
    nom: str = ""
    local: bool = False

    @property
    def libelle(self) -> str:
        if self.local:
            return "Utilisateur local (mode local, sans authentification)"
        lieu = f" {self.territoire}" if self.territoire else ""
        return f"{self.nom or self.identite} — {self.role.libelle}{lieu}"


UTILISATEUR_LOCAL = Utilisateur("utilisateur local", Role.NATIONAL, None, local=True)
"""Sans configuration `[auth]` : un seul utilisateur, tous les droits, il saisit son nom."""


def _refus(utilisateur: Utilisateur, action: Action, territoire: str | None, raison: str) -> PermissionRefusee:
    qui = f"{utilisateur.identite} ({utilisateur.role.libelle}{' ' + utilisateur.territoire if utilisateur.territoire else ''})"
    sur = f" pour {territoire}" if territoire else ""
    return PermissionRefusee(f"Écriture refusée : {qui} ne peut pas {action.libelle}{sur} : {raison}.")


def _portee(territoire: str | None) -> tuple[str, str | None]:
    """`france` → ("france", None) ; `region:32` → ("region", "32") ; `departement:80` → ("departement", "80")."""
    if territoire in (None, "", "france"):
        return "france", None
    niveau, _, code = str(territoire).partition(":")
    if niveau not in ("region", "departement") or not code:
        raise ValueError(f"Territoire « {territoire} » illisible (attendu : france, region:CODE ou departement:CODE).")
    return niveau, code


def verifier(
    utilisateur: Utilisateur,
    action: Action | str,
    territoire: str | None = None,
    *,
    region_du_departement: Mapping[str, str] | None = None,
) -> None:
    """Lève `PermissionRefusee` si `utilisateur` ne peut pas faire `action` sur `territoire`.

    Parameters
    ----------
    territoire : pour `decider`, le code du comité (`84`, `national`) ; pour `importer`, la portée
        (`france`, `region:32`, `departement:80`) ; sans objet pour les autres actions.
    region_du_departement : code département → code région (référentiel), pour savoir si un
        département est dans la région d'une DREETS.
    """
    action = Action(action)
    role = utilisateur.role
    if role == Role.NATIONAL:
        return
    if role == Role.LECTURE:
        raise _refus(utilisateur, action, territoire, "le rôle « lecture » ne permet aucune écriture")
    if action == Action.SCENARIO:
        return
    if action == Action.DECIDER:
        if role != Role.DREETS:
            raise _refus(utilisateur, action, territoire, f"seuls la DGEFP et les DREETS décident (rôle : {role.libelle})")
        if territoire == COMITE_NATIONAL:
            raise _refus(utilisateur, action, "le comité technique national", "il est réservé à la DGEFP (rôle national)")
        if territoire != utilisateur.territoire:
            raise _refus(utilisateur, action, f"la région {territoire}", f"votre région est la {utilisateur.territoire}")
        return
    if action == Action.IMPORTER:
        niveau, code = _portee(territoire)
        if niveau == "france":
            raise _refus(utilisateur, action, "la France entière", "un import national est réservé à la DGEFP")
        if role == Role.DREETS:
            region = code if niveau == "region" else (region_du_departement or {}).get(code)
            if region == utilisateur.territoire:
                return
            raise _refus(utilisateur, action, territoire, f"votre région est la {utilisateur.territoire}")
        if role == Role.DDETS:
            if niveau == "departement" and code == utilisateur.territoire:
                return
            raise _refus(utilisateur, action, territoire, f"votre département est le {utilisateur.territoire}")
        raise _refus(utilisateur, action, territoire, f"le rôle {role.libelle} n'importe pas de données")
    if action in (Action.BESOINS, Action.BILANS):  # les bilans sont remis à la DREETS (appel, partie D)
        if role == Role.DREETS:
            return
        raise _refus(utilisateur, action, territoire, "réservé à la DGEFP et aux DREETS")
    raise _refus(utilisateur, action, territoire, "réservé à la DGEFP (rôle national)")


def peut(utilisateur: Utilisateur, action: Action | str, territoire: str | None = None, **options: Any) -> bool:
    """True si `verifier` ne refuse pas (pour cacher un bouton : le magasin refuse quand même)."""
    try:
        verifier(utilisateur, action, territoire, **options)
    except PermissionRefusee:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Le magasin contrôlé
# --------------------------------------------------------------------------------------------

_ECRITURES: dict[str, tuple[Action, Any]] = {
    # méthode → (action, territoire tiré des arguments)
    "enregistrer_decision": (Action.DECIDER, lambda a: a.get("comite")),
    "enregistrer_version": (Action.IMPORTER, lambda a: "france"),
    "importer_portee": (Action.IMPORTER, lambda a: a.get("portee")),
    "restaurer_version": (Action.RESTAURER, lambda a: None),
    "enregistrer_enveloppes": (Action.ENVELOPPES, lambda a: None),
    "enregistrer_scenario": (Action.SCENARIO, lambda a: None),
    "dupliquer_scenario": (Action.SCENARIO, lambda a: None),
    "renommer_scenario": (Action.SCENARIO, lambda a: None),
    "supprimer_scenario": (Action.SCENARIO, lambda a: None),
    "enregistrer_projets_utilisateur": (Action.BESOINS, lambda a: None),
    "enregistrer_fichier_besoins": (Action.BESOINS, lambda a: None),
    "retirer_fichier_besoins": (Action.BESOINS, lambda a: None),
    "enregistrer_bilans": (Action.BILANS, lambda a: None),
    "retirer_bilans": (Action.BILANS, lambda a: None),
}


class EspaceControle:
    """Un magasin (`DepotEspace`) dont chaque écriture est contrôlée pour `utilisateur`.

    Les lectures passent telles quelles ; chaque écriture connue (`_ECRITURES`) appelle `verifier`
    puis le magasin, avec `auteur` = l'identité de l'utilisateur connecté (le nom saisi n'est
    gardé qu'en mode local). Toute autre méthode d'écriture du magasin (nom commençant par
    `enregistrer`, `restaurer`, `importer`, `supprimer`, `retirer`, `renommer`, `dupliquer`) est
    refusée tant qu'elle n'a pas de règle : une nouvelle écriture ne passe jamais sans contrôle.
    Appels par mots-clés seulement pour les arguments contrôlés (`comite=`, `portee=`).
    """

    _PREFIXES_ECRITURE = ("enregistrer", "restaurer", "importer", "supprimer", "retirer", "renommer", "dupliquer", "sauvegarder")

    def __init__(self, depot: Any, utilisateur: Utilisateur, *, region_du_departement: Mapping[str, str] | None = None) -> None:
        self._depot = depot
        self.utilisateur = utilisateur
        self._regions = dict(region_du_departement or {})

    def peut(self, action: Action | str, territoire: str | None = None) -> bool:
        return peut(self.utilisateur, action, territoire, region_du_departement=self._regions)

    def __getattr__(self, nom: str) -> Any:
        cible = getattr(self._depot, nom)
        if nom in _ECRITURES:
            action, territoire_de = _ECRITURES[nom]

            def ecrire(*args: Any, **kwargs: Any) -> Any:
                if nom == "enregistrer_decision" and args:
                    raise TypeError("enregistrer_decision : arguments par mot-clé seulement (comite=…).")
                verifier(self.utilisateur, action, territoire_de(kwargs), region_du_departement=self._regions)
                if not self.utilisateur.local and "auteur" in kwargs:
                    kwargs["auteur"] = self.utilisateur.identite
                return cible(*args, **kwargs)

            return ecrire
        if callable(cible) and nom.startswith(self._PREFIXES_ECRITURE) and self.utilisateur.role != Role.NATIONAL:
            raise PermissionRefusee(f"Écriture refusée : « {nom} » n'a pas de règle de permission ; réservé à la DGEFP.")
        return cible

    def __repr__(self) -> str:
        return f"EspaceControle({self._depot!r}, {self.utilisateur.identite})"


# --------------------------------------------------------------------------------------------
# Le fichier des rôles
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RolesUtilisateurs:
    """Le fichier des rôles lu : adresses exactes et domaines (`@domaine`) → (rôle, territoire)."""

    adresses: Mapping[str, tuple[Role, str | None]]
    domaines: Mapping[str, tuple[Role, str | None]]

    def utilisateur(self, email: str | None, *, nom: str = "") -> Utilisateur | None:
        """L'utilisateur de cette adresse (adresse exacte d'abord, puis domaine) ; None si inconnue."""
        if not email:
            return None
        email = email.strip().lower()
        trouve = self.adresses.get(email) or self.domaines.get("@" + email.rpartition("@")[2])
        if trouve is None:
            return None
        return Utilisateur(email, trouve[0], trouve[1], nom=nom)


def chemin_roles() -> Path:
    return Path(os.environ.get(VARIABLE_ROLES) or Path(".streamlit") / "roles.csv")


def lire_roles(texte: str, *, nom_fichier: str = "roles.csv", codes_valides: Mapping[str, set[str]] | None = None) -> RolesUtilisateurs:
    """Lit le fichier des rôles : CSV `identite;role;territoire` (`;` ou `,`, en-tête obligatoire).

    - `identite` : une adresse (`alice@dreets.gouv.fr`) ou un domaine (`@ddets-80.gouv.fr`) ;
    - `role` : `national`, `dreets`, `ddets`, `coordinateur`, `lecture` ;
    - `territoire` : code région (dreets, coordinateur), code département (ddets), vide sinon.

    `codes_valides` (`{"region": {...}, "departement": {...}}`) vérifie les codes s'il est donné.

    Raises
    ------
    ValueError
        La première ligne fautive, en français, avec son numéro et sa colonne.
    """
    premiere = texte.lstrip("\ufeff").splitlines()[0] if texte.strip() else ""
    lecteur = csv.DictReader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";" if ";" in premiere else ",")
    if not lecteur.fieldnames or [c.strip().lower() for c in lecteur.fieldnames][:3] != ["identite", "role", "territoire"]:
        raise ValueError(f"{nom_fichier}, ligne 1 : en-tête attendu « identite;role;territoire ».")
    adresses: dict[str, tuple[Role, str | None]] = {}
    domaines: dict[str, tuple[Role, str | None]] = {}
    for numero, brut in enumerate(lecteur, start=2):
        ligne = {(k or "").strip().lower(): (v or "").strip() for k, v in brut.items()}
        identite, role_texte, territoire = ligne["identite"].lower(), ligne["role"].lower(), ligne["territoire"] or None
        if not identite:
            continue
        if "@" not in identite:
            raise ValueError(f"{nom_fichier}, ligne {numero}, colonne `identite` : « {identite} » n'est ni une adresse ni un domaine (@domaine).")
        try:
            role = Role(role_texte)
        except ValueError:
            raise ValueError(f"{nom_fichier}, ligne {numero}, colonne `role` : « {role_texte} » inconnu "
                             f"(attendu : {', '.join(r.value for r in Role)}).") from None
        niveau = role.niveau_territoire
        if niveau and not territoire:
            raise ValueError(f"{nom_fichier}, ligne {numero}, colonne `territoire` : le rôle {role.value} demande un code {niveau}.")
        if niveau and codes_valides and territoire not in codes_valides.get(niveau, set()):
            raise ValueError(f"{nom_fichier}, ligne {numero}, colonne `territoire` : « {territoire} » n'est pas un code {niveau} du COG.")
        cible = domaines if identite.startswith("@") else adresses
        if identite in cible:
            raise ValueError(f"{nom_fichier}, ligne {numero}, colonne `identite` : « {identite} » est déjà citée plus haut.")
        cible[identite] = (role, territoire if niveau else None)
    return RolesUtilisateurs(adresses, domaines)
