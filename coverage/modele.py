"""Modèle du domaine, partagé par les imports, le moteur, les pages et la ligne de commande.

Les tables d'échange (`structures`, `perimetres`, `dossiers`) sont des DataFrames pandas dont
les colonnes sont décrites ici une seule fois (nom, type, obligatoire, description en français).
Les importeurs valident contre ces schémas, les modèles de fichiers en sont générés et le
README les documente (un test vérifie qu'ils restent alignés).

Les valeurs des énumérations sont les codes officiels ; les libellés français servent à l'UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

import pandas as pd

# Dossier `data/` du dépôt : référentiel, démonstration, registre des grands projets, espace local.
DOSSIER_DONNEES = Path(__file__).resolve().parent.parent / "data"
DOSSIER_DEMO = DOSSIER_DONNEES / "demo"


class Statut(StrEnum):
    """Statut juridique de la structure porteuse (l'appel vise associations, collectivités, EPA)."""

    ASSOCIATION = "association"
    COLLECTIVITE = "collectivite"
    EPA = "epa"
    GIP = "gip"
    AUTRE = "autre"

    @property
    def libelle(self) -> str:
        return {
            "association": "Association",
            "collectivite": "Collectivité territoriale",
            "epa": "Établissement public administratif",
            "gip": "Groupement d'intérêt public",
            "autre": "Autre",
        }[self.value]


class Niveau(StrEnum):
    """Niveau géographique d'une ligne de périmètre."""

    COMMUNE = "commune"
    EPCI = "epci"
    EPT = "ept"
    """Territoire de la Métropole du Grand Paris : un des 11 établissements publics territoriaux, ou Paris."""
    DEPARTEMENT = "departement"
    REGION = "region"

    @property
    def libelle(self) -> str:
        return {"commune": "Commune", "epci": "EPCI", "ept": "EPT", "departement": "Département", "region": "Région"}[
            self.value
        ]


class Role(StrEnum):
    """Rôle d'un périmètre : `extension` = périmètre étendu à un territoire limitrophe (cas « limitrophe » de l'appel)."""

    PRINCIPAL = "principal"
    EXTENSION = "extension"

    @property
    def libelle(self) -> str:
        return {"principal": "Périmètre principal", "extension": "Extension limitrophe"}[self.value]


class StatutCouverture(StrEnum):
    """Statut de couverture d'un territoire par les facilitateurs."""

    NON_COUVERT = "non_couvert"
    EXTENSION_SEULE = "extension_seule"
    COUVERT = "couvert"

    @property
    def libelle(self) -> str:
        return {
            "non_couvert": "Non couvert",
            "extension_seule": "Couvert seulement par extension limitrophe",
            "couvert": "Couvert",
        }[self.value]


Type = Literal["texte", "code", "nombre", "entier", "booleen", "date", "liste_annees", "siret"]


@dataclass(frozen=True)
class Colonne:
    """Une colonne d'un fichier d'échange."""

    nom: str
    type: Type
    obligatoire: bool
    description: str
    valeurs: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Schema:
    """Schéma d'une table d'échange (`structures`, `perimetres`, `dossiers`)."""

    nom: str
    colonnes: tuple[Colonne, ...]
    exemple: tuple[dict[str, str], ...] = field(default=())

    @property
    def noms(self) -> list[str]:
        return [c.nom for c in self.colonnes]

    def colonne(self, nom: str) -> Colonne:
        return next(c for c in self.colonnes if c.nom == nom)


ETP_MAX = 50.0
"""ETP d'une structure ou d'un dossier, au plus."""
MONTANT_MAX = 100_000_000.0
"""Montant d'une cellule en euros (coût, montant demandé, financements), au plus : 100 millions d'euros,
bien au-delà d'un dossier de facilitateurs (quelques dizaines de milliers d'euros par ETP). Toute
somme reste finie et exacte au centime : 10⁶ dossiers à ce maximum font 10¹⁴ €."""
MONTANT_MAX_MARCHE = 1e12
"""Montant d'un marché public (DECP), au plus : 1 000 milliards d'euros HT ; au-delà (ou infini), le
montant est illisible : laissé vide et signalé. 10⁷ marchés à ce maximum font 10¹⁹ €, un nombre fini."""
HEURES_MAX = 10_000_000.0
"""Nombre d'heures d'une cellule (heures d'insertion d'un bilan), au plus : 10 millions."""
NOMBRE_MAX = 10_000_000.0
"""Compte d'une cellule (personnes, marchés, entreprises d'un bilan), au plus : 10 millions."""

STRUCTURES = Schema(
    "structures",
    (
        Colonne("id_structure", "texte", True, "Identifiant unique de la structure dans le fichier"),
        Colonne("nom", "texte", True, "Raison sociale de la structure porteuse"),
        Colonne("statut", "texte", True, "Statut juridique", tuple(s.value for s in Statut)),
        Colonne("siret", "siret", False, "SIRET (14 chiffres, clé de Luhn vérifiée)"),
        Colonne("departement", "code", True, "Département du siège (`01`…`95`, `2A`, `2B`, `971`…`976`)"),
        Colonne("etp_facilitateur", "nombre", True, "ETP de facilitateurs portés", minimum=0, maximum=ETP_MAX),
        Colonne("etp_coordinateur", "nombre", False, "ETP de coordinateurs portés", minimum=0, maximum=ETP_MAX),
        Colonne(
            "financement_pnad",
            "liste_annees",
            False,
            "Années financées par l'appel à projets PNAD, ex. `2022,2023,2024` (vide si aucune)",
        ),
    ),
    (
        {
            "id_structure": "S001",
            "nom": "Maison de l'emploi exemple",
            "statut": "association",
            "siret": "73282932000074",
            "departement": "01",
            "etp_facilitateur": "1,5",
            "etp_coordinateur": "0",
            "financement_pnad": "2022,2023,2024",
        },
    ),
)

PERIMETRES = Schema(
    "perimetres",
    (
        Colonne("id_structure", "texte", True, "Structure à laquelle appartient la ligne"),
        Colonne("niveau", "texte", True, "Niveau du territoire", tuple(n.value for n in Niveau)),
        Colonne("code", "code", True, "Code officiel : INSEE commune, SIREN d'EPCI ou d'EPT (territoire de la Métropole du Grand Paris ; Paris : 217500016), département ou région"),
        Colonne("role", "texte", True, "Rôle du territoire dans le périmètre", tuple(r.value for r in Role)),
        Colonne(
            "part_etp",
            "nombre",
            False,
            "Part des ETP de la structure sur cette ligne (0 à 1 ; vide : au prorata de la population)",
            minimum=0,
            maximum=1,
        ),
    ),
    (
        {"id_structure": "S001", "niveau": "epci", "code": "200042935", "role": "principal", "part_etp": ""},
        {"id_structure": "S001", "niveau": "commune", "code": "01004", "role": "extension", "part_etp": ""},
    ),
)

DOSSIERS = Schema(
    "dossiers",
    (
        Colonne("id_dossier", "texte", True, "Identifiant unique du dossier de candidature"),
        Colonne("id_structure", "texte", True, "Structure candidate (ligne du fichier structures)"),
        Colonne("statut", "texte", True, "Statut juridique du porteur", tuple(s.value for s in Statut)),
        Colonne("region", "code", True, "Région d'instruction (DREETS)"),
        Colonne("departement", "code", True, "Département principal du projet"),
        Colonne("etp_demandes", "nombre", True, "ETP de facilitateur demandés", minimum=0, maximum=ETP_MAX),
        Colonne("cout_annuel_total", "nombre", True, "Coût annuel total des postes (€)", minimum=0, maximum=MONTANT_MAX),
        Colonne("montant_aap_demande", "nombre", True, "Montant demandé au titre de l'AAP (€)", minimum=0, maximum=MONTANT_MAX),
        Colonne("autres_financements_etat", "nombre", False, "Autres financements de l'État (€)", minimum=0, maximum=MONTANT_MAX),
        Colonne("cofinancements", "nombre", False, "Cofinancements hors État, FSE+ compris (€)", minimum=0, maximum=MONTANT_MAX),
        Colonne("derogation_plafond", "booleen", False, "`oui` si la DREETS accorde la dérogation au plafond de 29 473 €"),
        Colonne("dossier_complet", "booleen", True, "`oui` si toutes les pièces de l'annexe 2 sont présentes"),
        Colonne(
            "derogation_cerfa",
            "booleen",
            False,
            "`oui` si la DREETS autorise expressément la transmission du CERFA signé après la clôture (jusqu'au 31/08/2025)",
        ),
        Colonne("date_depot", "date", False, "Date de dépôt du dossier complet, au plus tard à la clôture (15/07/2025)"),
        Colonne(
            "date_cerfa_signe",
            "date",
            False,
            "Date de transmission du CERFA signé s'il a suivi le dossier (jusqu'au 31/08/2025 avec `derogation_cerfa`)",
        ),
        Colonne("note_diagnostic", "nombre", False, "Note du comité : qualité du diagnostic territorial (0 à 5)", minimum=0, maximum=5),
        Colonne("note_marches_etat", "nombre", False, "Note : orientation vers les marchés de l'État (0 à 5)", minimum=0, maximum=5),
        Colonne("note_capacite", "nombre", False, "Note : capacité réelle de mise en œuvre (0 à 5)", minimum=0, maximum=5),
        Colonne("note_conflits_interets", "nombre", False, "Note : maîtrise des conflits d'intérêts (0 à 5)", minimum=0, maximum=5),
    ),
    (
        {
            "id_dossier": "D001",
            "id_structure": "S001",
            "statut": "association",
            "region": "84",
            "departement": "01",
            "etp_demandes": "1",
            "cout_annuel_total": "40 000",
            "montant_aap_demande": "28 000",
            "autres_financements_etat": "0",
            "cofinancements": "12 000",
            "derogation_plafond": "non",
            "dossier_complet": "oui",
            "date_depot": "01/07/2025",
            "date_cerfa_signe": "",
            "note_diagnostic": "4",
            "note_marches_etat": "3",
            "note_capacite": "4",
            "note_conflits_interets": "5",
        },
    ),
)

SCHEMAS: dict[str, Schema] = {s.nom: s for s in (STRUCTURES, PERIMETRES, DOSSIERS)}


_TYPES_PANDAS: dict[str, str] = {"nombre": "float64", "entier": "float64", "booleen": "bool", "date": "datetime64[ns]"}
"""Type pandas d'une colonne validée, selon son type de schéma (les autres : texte `str`)."""


def table_vide(schema: Schema) -> pd.DataFrame:
    """Table sans ligne aux colonnes et aux types d'une table validée du schéma (nombres en float,
    booléens en bool, dates en datetime64[ns], le reste en texte)."""
    return pd.DataFrame({c.nom: pd.Series(dtype=_TYPES_PANDAS.get(c.type, "str")) for c in schema.colonnes})


def typer_table_vide(table: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """`table` (sans ligne) avec les types du schéma pour ses colonnes connues ; les autres inchangées."""
    types = {c.nom: _TYPES_PANDAS.get(c.type, "str") for c in schema.colonnes if c.nom in table.columns}
    return table.astype(types)


@dataclass(frozen=True)
class DonneesFacilitateurs:
    """Les données de travail : structures, périmètres (et dossiers), typées selon les schémas ci-dessus.

    `demo` vaut True tant que ce sont les données fictives de démonstration.
    Colonnes : celles des schémas ; les nombres en float, les booléens en bool, les codes en str,
    `financement_pnad` en chaîne normalisée `2022,2023,2024`.
    """

    structures: pd.DataFrame
    perimetres: pd.DataFrame
    dossiers: pd.DataFrame
    demo: bool = True
    source: str = ""

    def __post_init__(self) -> None:
        # Une table sans ligne (dossiers facultatifs non fournis, ou version enregistrée ainsi) est
        # typée comme une table pleine : les moteurs de financement n'ont pas de cas particulier.
        for nom, schema in (("structures", STRUCTURES), ("perimetres", PERIMETRES), ("dossiers", DOSSIERS)):
            table = getattr(self, nom)
            if isinstance(table, pd.DataFrame) and len(table) == 0:
                object.__setattr__(self, nom, typer_table_vide(table, schema))
