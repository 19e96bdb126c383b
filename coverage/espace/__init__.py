"""Le magasin de l'espace de travail : versions, scénarios, décisions, fichiers de besoins.

Le protocole `DepotEspace` et son implémentation SQLite (par défaut). N'importe que `coverage.modele`
et `coverage.documents.format` : aucune règle de financement ni lecture de fichier d'utilisateur ici.
"""

from coverage.espace.sqlite import (
    CHEMIN_PAR_DEFAUT,
    COMITE_NATIONAL,
    VERSION_SCHEMA,
    ConflitEdition,
    Decision,
    DepotEspace,
    ElementIntrouvable,
    EspaceSQLite,
    ouvrir_espace,
    resoudre_chemin,
)

__all__ = [
    "CHEMIN_PAR_DEFAUT", "COMITE_NATIONAL", "VERSION_SCHEMA", "ConflitEdition", "Decision", "DepotEspace",
    "ElementIntrouvable", "EspaceSQLite", "ouvrir_espace", "resoudre_chemin",
]
