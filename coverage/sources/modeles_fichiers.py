"""Modèles de fichiers téléchargeables, générés depuis les schémas de `coverage.modele`.

- `modele_csv(schema)` : en-tête et lignes d'exemple, `;`, UTF-8 avec BOM (Excel l'ouvre en
  français sans assistant d'import) ;
- `modele_xlsx(schema)` : une feuille nommée comme la table (en-tête en gras, exemples, colonnes
  de codes et de textes au format Texte pour que `01001` garde son zéro quand on le saisit) et une
  feuille `aide` qui décrit chaque colonne ;
- `documentation_markdown(schema)` : le tableau des colonnes de `docs/import.md` (un test vérifie
  qu'il y figure à l'identique).

Les modèles se réimportent sans erreur (testé).
"""

from __future__ import annotations

import csv
import io

from coverage.documents.format import format_nombre
from coverage.sources.lecture import convertir_dates, convertir_nombres
from coverage.modele import Colonne, Schema
from coverage.sources.validation import VALEURS_PAR_DEFAUT
from geo.reference import MILLESIME, NIVEAUX

__all__ = [
    "LIBELLES_TYPES",
    "documentation_markdown",
    "modele_csv",
    "modele_xlsx",
    "valeur_si_vide",
    "valeurs_acceptees",
]

LIBELLES_TYPES: dict[str, str] = {
    "texte": "texte",
    "code": "code (texte, zéros initiaux conservés)",
    "nombre": "nombre (virgule décimale, ex. 1,5 ou 29 473)",
    "entier": "nombre entier",
    "booleen": "oui / non",
    "date": "date (jj/mm/aaaa ou aaaa-mm-jj)",
    "liste_annees": "liste d'années (ex. 2022,2023,2024)",
    "siret": "SIRET (14 chiffres)",
}
"""Libellé français de chaque type de colonne (modèles, aide, documentation)."""

_TYPES_TEXTE = ("texte", "code", "siret", "liste_annees", "booleen")


_SI_VIDE = {
    "part_etp": "prorata de la population",
    "financement_pnad": "aucune année",
    "date_depot": "dossier non recevable (date de dépôt manquante)",
    "date_cerfa_signe": "CERFA signé transmis avec le dossier",
}


def valeur_si_vide(colonne: Colonne) -> str:
    """Ce que vaut une cellule vide : `erreur` si la colonne est obligatoire, sinon sa valeur par défaut."""
    if colonne.obligatoire:
        return "erreur"
    if colonne.nom in _SI_VIDE:
        return _SI_VIDE[colonne.nom]
    if colonne.nom in VALEURS_PAR_DEFAUT:
        defaut = VALEURS_PAR_DEFAUT[colonne.nom]
        return ("oui" if defaut else "non") if isinstance(defaut, bool) else format_nombre(defaut, 3, compact=True)
    if colonne.type == "booleen":
        return "non"
    return "non renseigné"


def valeurs_acceptees(colonne: Colonne) -> str:
    """Valeurs acceptées d'une colonne, en clair : `association, collectivite…`, `0 à 50`, ``."""
    if colonne.type == "code":
        if colonne.nom in NIVEAUX:
            return f"code de {'département' if colonne.nom == 'departement' else 'région'} au {MILLESIME}"
        return f"code du niveau de la ligne au {MILLESIME}"
    if colonne.valeurs:
        return ", ".join(colonne.valeurs)
    if colonne.minimum is not None and colonne.maximum is not None:
        return f"{format_nombre(colonne.minimum, 3, compact=True)} à {format_nombre(colonne.maximum, 3, compact=True)}"
    if colonne.minimum is not None:
        return f"≥ {format_nombre(colonne.minimum, 3, compact=True)}"
    if colonne.type == "booleen":
        return "oui, non (1/0, vrai/faux acceptés)"
    return ""


def modele_csv(schema: Schema) -> bytes:
    """Modèle CSV : en-tête et lignes d'exemple du schéma, séparateur `;`, UTF-8 avec BOM.

    Examples
    --------
    >>> from coverage.modele import PERIMETRES
    >>> modele_csv(PERIMETRES).decode("utf-8-sig").splitlines()[0]
    'id_structure;niveau;code;role;part_etp'
    """
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(schema.noms)
    for exemple in schema.exemple:
        ecrivain.writerow([exemple.get(nom, "") for nom in schema.noms])
    return tampon.getvalue().encode("utf-8-sig")


def _valeur_xlsx(colonne: Colonne, texte: str) -> object:
    """Valeur d'exemple typée pour une cellule XLSX : nombre, date, ou texte."""
    if texte == "":
        return None
    if colonne.type in ("nombre", "entier"):
        return float(convertir_nombres([texte]).valeurs.iloc[0])
    if colonne.type == "date":
        return convertir_dates([texte]).valeurs.iloc[0].to_pydatetime()
    return texte


def modele_xlsx(schema: Schema) -> bytes:
    """Modèle XLSX : feuille `<table>` (en-tête + exemples) et feuille `aide` (une ligne par colonne).

    La feuille `aide` a les colonnes `colonne`, `type`, `obligatoire` (oui/non), `description`,
    `valeurs acceptées`, `si vide`. Dans la feuille de données, les colonnes de codes, de textes et de
    SIRET ont le format Texte (style de colonne : `01001` saisi garde son zéro), les dates le
    format `JJ/MM/AAAA`.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    classeur = Workbook()
    ws = classeur.active
    ws.title = schema.nom
    gras = Font(bold=True)
    ws.append(schema.noms)
    for exemple in schema.exemple:
        ws.append([_valeur_xlsx(c, exemple.get(c.nom, "")) for c in schema.colonnes])
    for j, colonne in enumerate(schema.colonnes, start=1):
        ws.cell(1, j).font = gras
        lettre = get_column_letter(j)
        largeur = max(len(colonne.nom), *(len(e.get(colonne.nom, "")) for e in schema.exemple)) + 2
        ws.column_dimensions[lettre].width = min(max(largeur, 10), 40)
        format_colonne = "@" if colonne.type in _TYPES_TEXTE else "DD/MM/YYYY" if colonne.type == "date" else None
        if format_colonne:
            # style de colonne : s'applique aux cellules que l'utilisateur saisira ensuite
            ws.column_dimensions[lettre].number_format = format_colonne
            for (cellule,) in ws.iter_rows(min_row=2, max_row=len(schema.exemple) + 1, min_col=j, max_col=j):
                cellule.number_format = format_colonne
    ws.freeze_panes = "A2"

    aide = classeur.create_sheet("aide")
    aide.append(["colonne", "type", "obligatoire", "description", "valeurs acceptées", "si vide"])
    for cellule in aide[1]:
        cellule.font = gras
    for colonne in schema.colonnes:
        aide.append(
            [
                colonne.nom,
                LIBELLES_TYPES[colonne.type],
                "oui" if colonne.obligatoire else "non",
                colonne.description,
                valeurs_acceptees(colonne),
                valeur_si_vide(colonne),
            ]
        )
    for lettre, largeur in zip("ABCDEF", (24, 40, 12, 80, 45, 25), strict=True):
        aide.column_dimensions[lettre].width = largeur
    aide.freeze_panes = "A2"
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def documentation_markdown(schema: Schema) -> str:
    """Tableau Markdown des colonnes d'un schéma (colonne, type, obligatoire, description, valeurs, si vide)."""
    lignes = [
        "| colonne | type | obligatoire | description | valeurs acceptées | si vide |",
        "|---|---|---|---|---|---|",
    ]
    for colonne in schema.colonnes:
        cellules = [
            f"`{colonne.nom}`",
            LIBELLES_TYPES[colonne.type],
            "oui" if colonne.obligatoire else "non",
            colonne.description,
            valeurs_acceptees(colonne),
            valeur_si_vide(colonne),
        ]
        lignes.append("| " + " | ".join(c.replace("|", "\\|") for c in cellules) + " |")
    return "\n".join(lignes) + "\n"


if __name__ == "__main__":  # python -m coverage.sources.modeles_fichiers : les tableaux de docs/import.md
    from coverage.modele import SCHEMAS

    for _schema in SCHEMAS.values():
        print(f"### `{_schema.nom}`\n\n{documentation_markdown(_schema)}")
