"""Ce que l'application attend d'un espace de travail, quel que soit le moteur de base.

Le protocole `DepotEspace`, les objets qu'il échange (`Scenario`, `Decision`, `SourceVersion`), ses
exceptions (`ElementIntrouvable`, `ConflitEdition`) et les constantes partagées par les moteurs.

Les dates sont enregistrées en UTC au format ISO 8601 (`2025-07-04T08:00:00+00:00`) ; les
DataFrames renvoyés les gardent sous cette forme texte, leur mise en forme pour l'affichage
(`jj/mm/aaaa`, heure locale) est faite ailleurs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from coverage.modele import DonneesFacilitateurs

COMITE_NATIONAL = "national"
"""Code du comité technique national (DGEFP, DAE, ANRU, AVE) ; les comités régionaux ont le code de la région."""

TABLES_DONNEES = ("structures", "perimetres", "dossiers")

LIBELLE_DEMO = "Données de démonstration (fictives)"
AUTEUR_INITIALISATION = "initialisation automatique"


class SourceVersion(StrEnum):
    """Origine d'une version des données des facilitateurs."""

    DEMO = "demo"
    IMPORT = "import"
    MODIFICATION = "modification"

    @property
    def libelle(self) -> str:
        return {
            "demo": "Démonstration",
            "import": "Import de fichiers",
            "modification": "Modification dans l'application",
        }[self.value]


class Decision(StrEnum):
    """Décision d'un comité de sélection sur un dossier."""

    RETENU = "retenu"
    RETENU_PARTIELLEMENT = "retenu_partiellement"
    AJOURNE = "ajourne"
    REFUSE = "refuse"

    @property
    def libelle(self) -> str:
        return {
            "retenu": "Retenu",
            "retenu_partiellement": "Retenu partiellement",
            "ajourne": "Ajourné",
            "refuse": "Refusé",
        }[self.value]

    @property
    def avec_montant(self) -> bool:
        """True si la décision accorde des ETP et un montant (retenu, retenu partiellement)."""
        return self in (Decision.RETENU, Decision.RETENU_PARTIELLEMENT)


class ElementIntrouvable(LookupError):
    """Version, scénario ou projet demandé absent de l'espace de travail (message en français)."""


class EspaceIndisponible(RuntimeError):
    """L'espace de travail ne répond pas : base verrouillée par un autre programme, fichier corrompu,
    serveur PostgreSQL injoignable… Le message, en français, dit quoi faire ; rien n'a été écrit."""


RECHARGER = "Rien n'a été enregistré : rechargez pour repartir des données à jour, vérifiez-les puis recommencez."
"""Fin commune des messages de conflit d'édition (les pages proposent un bouton « Recharger »)."""


class ConflitEdition(RuntimeError):
    """Une écriture fondée sur une version qui n'est plus la version courante : rien n'est écrit.

    Chaque écriture du magasin dit sur quelle version elle s'appuie (`base_version`, ou
    `version_attendue` pour une décision) ; si quelqu'un a écrit entre-temps, elle est refusée avec
    un message en français qui dit qui, quand, et propose de recharger. Jamais de fusion silencieuse.

    Attributes
    ----------
    objet : str
        Ce qui a changé : `donnees`, `decision`, `projets`, `besoins:<type>`, `enveloppes:<campagne>`,
        `bilans` ou `scenario:<id>`.
    version_attendue : int
        Version lue par l'appelant (0 : aucune).
    version_courante : int
        Version enregistrée dans la base (0 : aucune).
    auteur, horodatage : str
        Auteur et date (UTC, ISO 8601) de la version courante ("" s'il n'y en a pas).
    comite, id_dossier : str
        Pour une décision : comité (`national` ou code de région) et dossier ; "" sinon.
    """

    def __init__(
        self,
        message: str,
        *,
        objet: str,
        version_attendue: int,
        version_courante: int,
        auteur: str = "",
        horodatage: str = "",
        comite: str = "",
        id_dossier: str = "",
    ) -> None:
        self.objet = objet
        self.version_attendue = version_attendue
        self.version_courante = version_courante
        self.auteur = auteur
        self.horodatage = horodatage
        self.comite = comite
        self.id_dossier = id_dossier
        super().__init__(message)


def conflit_decision(
    *, comite: str, id_dossier: str, version_attendue: int, version_courante: int, auteur: str, horodatage: str
) -> ConflitEdition:
    """Conflit sur la décision d'un comité : une décision a été enregistrée depuis la lecture."""
    lu = f"vous aviez lu la version {version_attendue}" if version_attendue else "vous n'aviez lu aucune décision"
    if version_courante:
        fait = (
            f"une décision a été enregistrée par {auteur} le {_date_lisible(horodatage)} "
            f"(version {version_courante}) alors que {lu}"
        )
    else:
        fait = f"aucune décision n'est enregistrée alors que {lu}"
    return ConflitEdition(
        f"Conflit d'édition sur le dossier {id_dossier} ({_nom_comite(comite)}) : {fait}. "
        "Votre décision n'a pas été enregistrée : rechargez le dossier, vérifiez la décision en vigueur "
        "puis enregistrez de nouveau.",
        objet="decision", comite=comite, id_dossier=id_dossier, version_attendue=version_attendue,
        version_courante=version_courante, auteur=auteur, horodatage=horodatage,
    )


def conflit_version(
    *, quoi: str, objet: str, version_attendue: int, version_courante: int, auteur: str, horodatage: str
) -> ConflitEdition:
    """Conflit sur un objet versionné entier (données des facilitateurs, projets ajoutés, fichier de besoins).

    `quoi` nomme l'objet dans la phrase, ex. « les données des facilitateurs ».
    """
    lu = f"vous travailliez sur la version {version_attendue}" if version_attendue else "vous n'en aviez lu aucune"
    if version_courante:
        fait = (f"la version en vigueur est la version {version_courante}, mise en vigueur par {auteur} "
                f"le {_date_lisible(horodatage)}, alors que {lu}")
    else:
        fait = f"aucune version n'est en vigueur alors que {lu}"
    return ConflitEdition(
        f"Conflit d'édition sur {quoi} : {fait}. {RECHARGER}",
        objet=objet, version_attendue=version_attendue, version_courante=version_courante,
        auteur=auteur, horodatage=horodatage,
    )


_ACTIONS_SCENARIO = {"creation": "créé", "duplication": "créé par copie", "renommage": "renommé", "suppression": "supprimé"}


def conflit_scenario(
    *, id: int, nom: str, version_attendue: int, version_courante: int, action: str, auteur: str, horodatage: str
) -> ConflitEdition:
    """Conflit sur un scénario : il a été renommé ou supprimé depuis que l'appelant l'a affiché.

    La version d'un scénario est le numéro de la dernière ligne de son journal (`Scenario.version`).
    """
    fait = _ACTIONS_SCENARIO.get(action, "modifié")
    return ConflitEdition(
        f"Conflit d'édition sur le scénario n° {id} « {nom} » : il a été {fait} par {auteur} le "
        f"{_date_lisible(horodatage)} depuis que vous l'avez affiché. {RECHARGER}",
        objet=f"scenario:{id}", version_attendue=version_attendue, version_courante=version_courante,
        auteur=auteur, horodatage=horodatage,
    )


@dataclass(frozen=True)
class Scenario:
    """Un scénario du simulateur d'allocation, tel qu'enregistré.

    Attributes
    ----------
    id : int
        Identifiant du scénario.
    nom, auteur : str
        Nom (unique parmi les scénarios non supprimés) et auteur de l'enregistrement.
    horodatage : str
        Date d'enregistrement, UTC ISO 8601.
    id_version : int
        Version des données des facilitateurs sur laquelle le scénario a été calculé.
    parametres : dict
        Paramètres du simulateur (relus depuis JSON).
    resultats : dict[str, pandas.DataFrame]
        Tableaux de résultats, dans l'ordre d'enregistrement (ex. `dossiers`, `synthese_regions`).
    id_origine : int or None
        Scénario dont celui-ci est une copie (`dupliquer_scenario`), sinon None.
    supprime : bool
        True si le scénario a été supprimé (il reste consultable dans l'historique).
    version : int
        Version du scénario lu (numéro de la dernière ligne de son journal) : à passer en
        `base_version` pour le renommer, le supprimer ou le dupliquer.
    """

    id: int
    nom: str
    auteur: str
    horodatage: str
    id_version: int
    parametres: dict[str, Any]
    resultats: dict[str, pd.DataFrame]
    id_origine: int | None = None
    supprime: bool = False
    version: int = 0


@runtime_checkable
class DepotEspace(Protocol):
    """Ce que l'application attend d'un espace de travail, quel que soit le moteur de base.

    `EspaceSQLite` et `EspacePostgres` l'implémentent, avec les mêmes garanties : chaque écriture
    est atomique (tout ou rien), les décisions sont en ajout seul, et chaque écriture dit sur quelle
    version elle s'appuie (`base_version`, `version_attendue`) : si la version a changé entre-temps,
    `ConflitEdition` est levée et rien n'est écrit. Une base injoignable, verrouillée ou corrompue
    lève `EspaceIndisponible` (message en français).
    """

    def version_schema(self) -> int: ...

    def est_vide(self) -> bool: ...

    def enregistrer_version(
        self,
        donnees: DonneesFacilitateurs,
        *,
        auteur: str,
        libelle: str,
        source: SourceVersion | str,
        base_version: int | None,
    ) -> int: ...

    def version_active(self) -> int: ...

    def charger_version(self, id: int | None = None) -> DonneesFacilitateurs: ...

    def lister_versions(self) -> pd.DataFrame: ...

    def restaurer_version(self, id: int, *, auteur: str, base_version: int | None) -> None: ...

    def historique_activations(self) -> pd.DataFrame: ...

    def enregistrer_scenario(
        self,
        *,
        nom: str,
        auteur: str,
        parametres: Mapping[str, Any],
        resultats: Mapping[str, pd.DataFrame],
        base_version: int | None,
    ) -> int: ...

    def lister_scenarios(self, *, inclure_supprimes: bool = False) -> pd.DataFrame: ...

    def charger_scenario(self, id: int) -> Scenario: ...

    def dupliquer_scenario(self, id: int, nouveau_nom: str, *, auteur: str, base_version: int | None) -> int: ...

    def renommer_scenario(self, id: int, nouveau_nom: str, *, auteur: str, base_version: int | None) -> None: ...

    def supprimer_scenario(self, id: int, *, auteur: str, base_version: int | None) -> None: ...

    def historique_scenarios(self, id: int | None = None) -> pd.DataFrame: ...

    def enregistrer_decision(
        self,
        *,
        comite: str,
        id_dossier: str,
        decision: Decision | str,
        motif: str,
        auteur: str,
        version_attendue: int | None,
        etp_retenus: float | None = None,
        montant_retenu: float | None = None,
    ) -> int: ...

    def decisions_courantes(self, comite: str) -> pd.DataFrame: ...

    def historique_decisions(self, comite: str, id_dossier: str | None = None) -> pd.DataFrame: ...

    def enregistrer_projets_utilisateur(self, yaml_text: str, *, auteur: str, base_version: int | None) -> int: ...

    def version_projets_utilisateur(self) -> int: ...

    def projets_utilisateur(self, id: int | None = None) -> str: ...

    def historique_projets_utilisateur(self) -> pd.DataFrame: ...

    def enregistrer_bilans(self, bilans: pd.DataFrame, repartitions: pd.DataFrame, *, auteur: str, libelle: str,
                           base_version: int | None) -> int: ...

    def bilans_actifs(self) -> tuple[int, pd.DataFrame, pd.DataFrame] | None: ...

    def version_bilans(self) -> int: ...

    def retirer_bilans(self, *, auteur: str, base_version: int | None) -> None: ...

    def lister_imports_bilans(self) -> pd.DataFrame: ...

    def enregistrer_enveloppes(self, campagne: int, enveloppes: Mapping[str, float], *, auteur: str, cle: str = "",
                               base_version: int | None) -> int: ...

    def version_enveloppes(self, campagne: int) -> int: ...

    def enveloppes_regionales(self, campagne: int, version: int | None = None) -> pd.Series: ...

    def historique_enveloppes(self, campagne: int) -> pd.DataFrame: ...

    def importer_portee(self, donnees: DonneesFacilitateurs, *, portee: str, departements: Collection[str], auteur: str,
                        libelle_portee: str, avec_dossiers: bool, base_version: int | None) -> int: ...

    def enregistrer_fichier_besoins(
        self, type: str, *, nom_fichier: str, contenu: bytes, auteur: str, base_version: int | None
    ) -> int: ...

    def retirer_fichier_besoins(self, type: str, *, auteur: str, base_version: int | None) -> None: ...

    def fichier_besoins_actif(self, type: str) -> tuple[int, str, bytes] | None: ...

    def lister_fichiers_besoins(self) -> pd.DataFrame: ...



def _nom_comite(comite: str) -> str:
    return "comité technique national" if comite == COMITE_NATIONAL else f"comité de la région {comite}"


def _date_lisible(horodatage: str) -> str:
    """`2025-07-04T08:05:00+00:00` → `04/07/2025 à 08:05 UTC` (pour les messages d'erreur seulement)."""
    try:
        return datetime.fromisoformat(horodatage).astimezone(UTC).strftime("%d/%m/%Y à %H:%M UTC")
    except ValueError:
        return horodatage
