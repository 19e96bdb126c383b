"""Le magasin de l'espace de travail : versions, scénarios, décisions, fichiers de besoins.

`protocole` (ce que l'application attend : `DepotEspace`), `controles` et `tables` (règles et
sérialisation communes), `migrations` (schéma numéroté), une famille de méthodes par module
(`versions`, `scenarios`, `decisions`, `fichiers`), les moteurs `sqlite` (par défaut) et `postgres`
(`migrations_postgres`), et `ouverture` qui choisit le moteur ; `transfert` copie un espace SQLite vers
PostgreSQL.
N'importe que `coverage.modele` et `coverage.documents.format` : aucune règle de financement ni
lecture de fichier d'utilisateur ici.
"""

from coverage.espace.migrations import VERSION_SCHEMA
from coverage.espace.ouverture import CHEMIN_PAR_DEFAUT, est_adresse_postgres, ouvrir_espace, resoudre_chemin, resoudre_cible
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
    "ElementIntrouvable", "EspaceIndisponible", "EspaceSQLite", "Scenario", "SourceVersion", "est_adresse_postgres",
    "ouvrir_espace", "resoudre_chemin", "resoudre_cible",
]
