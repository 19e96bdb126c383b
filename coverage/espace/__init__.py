"""Le magasin de l'espace de travail : versions, scénarios, décisions, fichiers de besoins.

`protocole` (ce que l'application attend : `DepotEspace`), `controles` et `tables` (règles et
sérialisation communes), `migrations` (schéma numéroté), une famille de méthodes par module
(`versions`, `scenarios`, `decisions`, `fichiers`), le moteur `sqlite` (par défaut) et `ouverture`.
N'importe que `coverage.modele` et `coverage.documents.format` : aucune règle de financement ni
lecture de fichier d'utilisateur ici.
"""

from coverage.espace.migrations import VERSION_SCHEMA
from coverage.espace.ouverture import CHEMIN_PAR_DEFAUT, ouvrir_espace, resoudre_chemin
from coverage.espace.protocole import (
    COMITE_NATIONAL,
    ConflitEdition,
    Decision,
    DepotEspace,
    ElementIntrouvable,
    EspaceIndisponible,
    Scenario,
    SourceVersion,
)
from coverage.espace.sqlite import EspaceSQLite

__all__ = [
    "CHEMIN_PAR_DEFAUT", "COMITE_NATIONAL", "VERSION_SCHEMA", "ConflitEdition", "Decision", "DepotEspace",
    "ElementIntrouvable", "EspaceIndisponible", "EspaceSQLite", "Scenario", "SourceVersion", "ouvrir_espace", "resoudre_chemin",
]
