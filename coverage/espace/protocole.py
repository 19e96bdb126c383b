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


class ConflitEdition(RuntimeError):
    """Un autre utilisateur a enregistré une décision plus récente sur le même dossier.

    Levée par `enregistrer_decision` quand la version lue par l'appelant n'est plus la version
    courante : rien n'est écrit, l'appelant recharge la décision et recommence.

    Attributes
    ----------
    comite, id_dossier : str
        Comité (`national` ou code de région) et dossier concernés.
    version_attendue : int
        Version lue par l'appelant (0 : aucune décision lue).
    version_courante : int
        Version enregistrée dans la base.
    auteur, horodatage : str
        Auteur et date (UTC, ISO 8601) de la version courante.
    """

    def __init__(
        self,
        *,
        comite: str,
        id_dossier: str,
        version_attendue: int,
        version_courante: int,
        auteur: str,
        horodatage: str,
    ) -> None:
        self.comite = comite
        self.id_dossier = id_dossier
        self.version_attendue = version_attendue
        self.version_courante = version_courante
        self.auteur = auteur
        self.horodatage = horodatage
        lu = f"vous aviez lu la version {version_attendue}" if version_attendue else "vous n'aviez lu aucune décision"
        if version_courante:
            fait = (
                f"une décision a été enregistrée par {auteur} le {_date_lisible(horodatage)} "
                f"(version {version_courante}) alors que {lu}"
            )
        else:
            fait = f"aucune décision n'est enregistrée alors que {lu}"
        super().__init__(
            f"Conflit d'édition sur le dossier {id_dossier} ({_nom_comite(comite)}) : {fait}. "
            "Votre décision n'a pas été enregistrée : rechargez le dossier, vérifiez la décision en vigueur "
            "puis enregistrez de nouveau."
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


@runtime_checkable
class DepotEspace(Protocol):
    """Ce que l'application attend d'un espace de travail, quel que soit le moteur de base.

    `EspaceSQLite` l'implémente ; une implémentation pour une base serveur n'a qu'à fournir les
    mêmes méthodes, avec les mêmes garanties : chaque écriture est atomique, les décisions sont
    en ajout seul et `enregistrer_decision` lève `ConflitEdition` si la version lue a changé.
    """

    def enregistrer_version(
        self, donnees: DonneesFacilitateurs, *, auteur: str, libelle: str, source: SourceVersion | str
    ) -> int: ...

    def version_active(self) -> int: ...

    def charger_version(self, id: int | None = None) -> DonneesFacilitateurs: ...

    def lister_versions(self) -> pd.DataFrame: ...

    def restaurer_version(self, id: int, *, auteur: str) -> None: ...

    def historique_activations(self) -> pd.DataFrame: ...

    def enregistrer_scenario(
        self,
        *,
        nom: str,
        auteur: str,
        parametres: Mapping[str, Any],
        resultats: Mapping[str, pd.DataFrame],
        id_version: int | None = None,
    ) -> int: ...

    def lister_scenarios(self, *, inclure_supprimes: bool = False) -> pd.DataFrame: ...

    def charger_scenario(self, id: int) -> Scenario: ...

    def dupliquer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> int: ...

    def renommer_scenario(self, id: int, nouveau_nom: str, *, auteur: str) -> None: ...

    def supprimer_scenario(self, id: int, *, auteur: str) -> None: ...

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

    def enregistrer_projets_utilisateur(self, yaml_text: str, *, auteur: str) -> int: ...

    def projets_utilisateur(self, id: int | None = None) -> str: ...

    def historique_projets_utilisateur(self) -> pd.DataFrame: ...

    def enregistrer_bilans(self, bilans: pd.DataFrame, repartitions: pd.DataFrame, *, auteur: str, libelle: str) -> int: ...

    def bilans_actifs(self) -> tuple[int, pd.DataFrame, pd.DataFrame] | None: ...

    def retirer_bilans(self, *, auteur: str) -> None: ...

    def lister_imports_bilans(self) -> pd.DataFrame: ...

    def enregistrer_enveloppes(self, campagne: int, enveloppes: Mapping[str, float], *, auteur: str, cle: str = "") -> int: ...

    def enveloppes_regionales(self, campagne: int, version: int | None = None) -> pd.Series: ...

    def historique_enveloppes(self, campagne: int) -> pd.DataFrame: ...

    def importer_portee(self, donnees: DonneesFacilitateurs, *, portee: str, departements: Collection[str], auteur: str,
                        libelle_portee: str, avec_dossiers: bool) -> int: ...



def _nom_comite(comite: str) -> str:
    return "comité technique national" if comite == COMITE_NATIONAL else f"comité de la région {comite}"


def _date_lisible(horodatage: str) -> str:
    """`2025-07-04T08:05:00+00:00` → `04/07/2025 à 08:05 UTC` (pour les messages d'erreur seulement)."""
    try:
        return datetime.fromisoformat(horodatage).astimezone(UTC).strftime("%d/%m/%Y à %H:%M UTC")
    except ValueError:
        return horodatage
