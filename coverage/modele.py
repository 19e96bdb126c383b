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
    EXTENSION_NON_LIMITROPHE = "extension_non_limitrophe"

    @property
    def libelle(self) -> str:
        return {
            "non_couvert": "Non couvert",
            "extension_seule": "Couvert seulement par extension limitrophe",
            "couvert": "Couvert",
            "extension_non_limitrophe": "Extension non limitrophe seulement (compté non couvert)",
        }[self.value]

    @property
    def couvert_au_sens_de_l_appel(self) -> bool:
        """False pour `non_couvert` et `extension_non_limitrophe` : une extension qui ne touche pas le
        périmètre principal de sa structure n'est pas la couverture « limitrophe » de l'appel (voir
        `coverage.territoires.zones_blanches`) ; la commune compte comme non couverte."""
        return self.value in ("extension_seule", "couvert")


STATUTS_NON_COUVERTS = tuple(s.value for s in StatutCouverture if not s.couvert_au_sens_de_l_appel)
"""`non_couvert` et `extension_non_limitrophe` : les statuts comptés comme non couverts."""


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
    """Schéma d'une table d'échange (`structures`, `perimetres`, `dossiers`, `bilans`…)."""

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


# --------------------------------------------------------------------------------------------
# Bilans des structures financées (appel, partie D « Concrétisation du projet », 1- Conventionnement)
# --------------------------------------------------------------------------------------------


class Periode(StrEnum):
    """Période d'un bilan : l'appel demande « un rapport intermédiaire et un rapport annuel »."""

    INTERMEDIAIRE = "intermediaire"
    ANNUEL = "annuel"

    @property
    def libelle(self) -> str:
        return {"intermediaire": "Bilan intermédiaire", "annuel": "Bilan annuel"}[self.value]


INDICATEURS_TOTAL_ETAT = ("heures_insertion", "marches_accompagnes", "montant_marches_ht", "acheteurs_accompagnes")
"""Indicateurs que l'appel demande « pour l'ensemble des marchés d'une part, et pour les marchés
d'Etat d'autre part » : deux colonnes chacun, suffixées `_total` et `_etat`."""


@dataclass(frozen=True)
class Dimension:
    """Une typologie du rapport annuel (table `bilans_repartitions`) et ses catégories acceptées."""

    code: str
    libelle: str
    unite: str
    source: str
    categories: dict[str, str]


DIMENSIONS_BILANS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension(
            "acheteurs",
            "Typologie des acheteurs accompagnés",
            "nombre d'acheteurs",
            "rapport annuel : « typologie des acheteurs accompagnés » ; B 2-1 : marchés de l'État, EPA, "
            "ANRU, autres acheteurs publics, acheteurs privés",
            {
                "etat": "État (ministères, services centraux et déconcentrés, PFRA)",
                "epa_etat": "Établissements publics de l'État (EPA)",
                "collectivites": "Collectivités territoriales et leurs établissements",
                "bailleurs_renouvellement_urbain": "Bailleurs et maîtres d'ouvrage du renouvellement urbain (ANRU)",
                "autres_publics": "Autres acheteurs publics (hôpitaux, entreprises publiques…)",
                "prives": "Acheteurs privés",
            },
        ),
        Dimension(
            "segments",
            "Typologie des segments d'achat",
            "nombre de marchés",
            "rapport annuel : « typologie des segments d'achat » ; partie A : diversification des segments",
            {
                "batiment_travaux_publics": "Bâtiment et travaux publics",
                "proprete_nettoyage": "Propreté et nettoyage",
                "espaces_verts": "Espaces verts et paysage",
                "restauration": "Restauration collective",
                "transport_logistique": "Transport et logistique",
                "numerique": "Informatique et numérique",
                "prestations_intellectuelles": "Prestations intellectuelles",
                "services": "Autres services (gardiennage, accueil, blanchisserie…)",
                "fournitures": "Fournitures",
            },
        ),
        Dimension(
            "beneficiaires",
            "Typologie des bénéficiaires",
            "nombre de bénéficiaires",
            "rapport annuel : « typologie des bénéficiaires » ; bilan intermédiaire : parcours du bénéficiaire",
            {
                "demandeurs_emploi_longue_duree": "Demandeurs d'emploi de longue durée",
                "beneficiaires_minima_sociaux": "Bénéficiaires de minima sociaux (RSA, ASS…)",
                "jeunes_moins_26_ans": "Jeunes de moins de 26 ans sans qualification",
                "travailleurs_handicapes": "Travailleurs handicapés (RQTH)",
                "seniors_plus_50_ans": "Seniors de plus de 50 ans",
                "residents_qpv": "Résidents des quartiers prioritaires (QPV)",
                "salaries_siae": "Salariés de structures d'insertion (SIAE)",
                "autres": "Autres publics éloignés de l'emploi",
            },
        ),
        Dimension(
            "secteurs",
            "Secteurs des entreprises titulaires accompagnées",
            "nombre d'entreprises",
            "bilan intermédiaire : « informations qualitatives sur les secteurs et les porteurs accompagnés »",
            {
                "construction": "Construction",
                "industrie": "Industrie",
                "commerce": "Commerce",
                "transport": "Transport et entreposage",
                "hebergement_restauration": "Hébergement et restauration",
                "information_communication": "Information et communication",
                "services_entreprises": "Services aux entreprises",
                "administration_sante_social": "Administration, enseignement, santé et action sociale",
                "autres_services": "Autres activités de services",
            },
        ),
        Dimension(
            "structures_inclusives",
            "Structures inclusives mobilisées",
            "nombre de structures",
            "rapport annuel : « nombre et qualité des structures inclusives mobilisées » (SIAE, EA, ESAT)",
            {
                "ei": "Entreprise d'insertion (EI)",
                "etti": "Entreprise de travail temporaire d'insertion (ETTI)",
                "ai": "Association intermédiaire (AI)",
                "aci": "Atelier et chantier d'insertion (ACI)",
                "ea": "Entreprise adaptée (EA)",
                "esat": "Établissement et service d'aide par le travail (ESAT)",
                "geiq": "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
            },
        ),
    )
}
"""Dimensions de `bilans_repartitions` et catégories acceptées (code → libellé), documentées dans
`docs/bilans.md` ; une catégorie hors de la liste de sa dimension est une erreur d'import."""


def _colonnes_total_etat(nom: str, type_: Type, description: str) -> tuple[Colonne, Colonne]:
    return (
        Colonne(f"{nom}_total", type_, True, f"{description}, tous marchés", minimum=0),
        Colonne(f"{nom}_etat", type_, True, f"{description}, marchés de l'État (au plus la valeur `_total`)", minimum=0),
    )


BILANS = Schema(
    "bilans",
    (
        Colonne("id_structure", "texte", True, "Structure conventionnée (identifiant de l'espace de travail)"),
        Colonne("annee", "entier", True, "Année de la campagne qui a financé la convention", minimum=2020, maximum=2100),
        Colonne("periode", "texte", True, "Période du bilan", tuple(p.value for p in Periode)),
        Colonne("date_remise", "date", True, "Date de remise du bilan à la DREETS (jj/mm/aaaa)"),
        Colonne("etp_subventionnes", "nombre", True, "ETP de facilitateurs subventionnés par la convention", minimum=0, maximum=ETP_MAX),
        *_colonnes_total_etat("heures_insertion", "nombre", "Heures d'insertion dégagées par les ETP subventionnés"),
        *_colonnes_total_etat("marches_accompagnes", "entier", "Nombre de marchés accompagnés"),
        *_colonnes_total_etat("montant_marches_ht", "nombre", "Montant HT des marchés accompagnés (€)"),
        *_colonnes_total_etat("acheteurs_accompagnes", "entier", "Nombre d'acheteurs accompagnés"),
        Colonne("heures_clausees_porteur", "nombre", False, "Heures d'insertion clausées au total par le porteur (tous postes)", minimum=0),
        Colonne("heures_annee_precedente", "nombre", False, "Heures d'insertion dégagées l'année précédente, tous marchés", minimum=0),
        Colonne("contacts_acheteurs", "entier", False, "Prises de contact du facilitateur auprès d'acheteurs du territoire", minimum=0),
        Colonne("beneficiaires_etp", "nombre", False, "Bénéficiaires des clauses, en ETP", minimum=0),
        Colonne("beneficiaires_nombre", "entier", False, "Bénéficiaires des clauses, en nombre de personnes", minimum=0),
        Colonne("structures_inclusives_mobilisees", "entier", False, "Structures inclusives mobilisées (SIAE, EA, ESAT…)", minimum=0),
        Colonne("territoires_concernes", "entier", False, "Nombre de territoires concernés", minimum=0),
        Colonne("commentaire", "texte", False, "Informations qualitatives (parcours, secteurs, porteurs accompagnés)"),
    ),
    (
        {
            "id_structure": "S001", "annee": "2025", "periode": "intermediaire", "date_remise": "15/07/2025",
            "etp_subventionnes": "1", "heures_insertion_total": "3 200", "heures_insertion_etat": "1 150",
            "marches_accompagnes_total": "14", "marches_accompagnes_etat": "5",
            "montant_marches_ht_total": "2 450 000", "montant_marches_ht_etat": "820 000",
            "acheteurs_accompagnes_total": "9", "acheteurs_accompagnes_etat": "3", "heures_clausees_porteur": "7 400",
            "heures_annee_precedente": "5 900", "contacts_acheteurs": "31", "beneficiaires_etp": "2,1",
            "beneficiaires_nombre": "12", "structures_inclusives_mobilisees": "6", "territoires_concernes": "2",
            "commentaire": "Premier semestre : marchés de nettoyage de la préfecture",
        },
        {
            "id_structure": "S001", "annee": "2025", "periode": "annuel", "date_remise": "20/01/2026",
            "etp_subventionnes": "1", "heures_insertion_total": "6 800", "heures_insertion_etat": "2 500",
            "marches_accompagnes_total": "27", "marches_accompagnes_etat": "9",
            "montant_marches_ht_total": "5 100 000", "montant_marches_ht_etat": "1 700 000",
            "acheteurs_accompagnes_total": "15", "acheteurs_accompagnes_etat": "5", "heures_clausees_porteur": "15 200",
            "heures_annee_precedente": "5 900", "contacts_acheteurs": "58", "beneficiaires_etp": "4,3",
            "beneficiaires_nombre": "23", "structures_inclusives_mobilisees": "9", "territoires_concernes": "2",
            "commentaire": "",
        },
    ),
)

BILANS_REPARTITIONS = Schema(
    "bilans_repartitions",
    (
        Colonne("id_structure", "texte", True, "Structure conventionnée (une ligne du fichier bilans)"),
        Colonne("annee", "entier", True, "Année de la campagne", minimum=2020, maximum=2100),
        Colonne("periode", "texte", True, "Période du bilan", tuple(p.value for p in Periode)),
        Colonne("dimension", "texte", True, "Typologie (voir docs/bilans.md)", tuple(DIMENSIONS_BILANS)),
        Colonne("categorie", "texte", True, "Catégorie de la typologie (liste propre à chaque dimension, voir docs/bilans.md)"),
        Colonne("valeur", "nombre", True, "Effectif de la catégorie (unité propre à la dimension)", minimum=0),
    ),
    (
        {"id_structure": "S001", "annee": "2025", "periode": "annuel", "dimension": "acheteurs", "categorie": "etat", "valeur": "5"},
        {"id_structure": "S001", "annee": "2025", "periode": "annuel", "dimension": "segments",
         "categorie": "proprete_nettoyage", "valeur": "11"},
    ),
)


SCHEMAS: dict[str, Schema] = {s.nom: s for s in (STRUCTURES, PERIMETRES, DOSSIERS, BILANS, BILANS_REPARTITIONS)}


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
