"""Ligne de commande : `python -m coverage <commande>`, le même moteur que l'application.

Commandes (une fonction par commande, appelable aussi depuis Python) :

- `valider STRUCTURES PERIMETRES [--dossiers D]` : contrôle les fichiers d'échange (`valider`) ;
- `couverture --structures S --perimetres P --niveau … --sortie OUT.csv` : couverture par
  territoire (`couverture`) ;
- `zones-blanches …` : les trois critères de l'appel (`coverage.territoires.zones_blanches.executer_zones_blanches`) ;
- `decp --fichier F --sortie OUT.csv` : indicateurs de marchés publics (`coverage.sources.decp.executer_decp`) ;
- `simuler --dossiers D --structures S --perimetres P --sortie OUT.csv` : allocation de l'enveloppe (`simuler`) ;
- `bilans --bilans B [--repartitions R] --structures S --perimetres P --niveau … --sortie OUT.csv` :
  bilans des structures financées consolidés par territoire (`coverage.bilans.commande.executer_bilans`) ;

Codes de sortie : 0 si tout va bien, 1 si un fichier d'entrée est invalide (chaque problème est écrit sur la sortie
d'erreur, en français, avec fichier, ligne et colonne) ou si la sortie ne peut pas être écrite, 2 pour une erreur
d'arguments (option inconnue ou manquante, valeur hors liste, fichier introuvable).

Les CSV écrits sont « à la française » (`coverage.documents.exports.exporter_csv`) : séparateur `;`, UTF-8 avec BOM,
virgule décimale, cellules de texte qui ressembleraient à une formule échappées par une apostrophe.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from coverage.espace.transfert import ajouter_commande_migrer, executer_commande_migrer
from coverage.sources.donnees import ResultatImport
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.sources.lecture import nombre_fr
from coverage.modele import STATUTS_NON_COUVERTS, Niveau, StatutCouverture
from geo.reference import NiveauGeo, Referentiel

__all__ = [
    "ARGUMENTS_INVALIDES",
    "COLONNES_COUVERTURE",
    "COLONNES_SIMULATION",
    "DONNEES_INVALIDES",
    "OK",
    "construire_parseur",
    "couverture",
    "main",
    "simuler",
    "table_couverture",
    "valider",
]

OK = 0
"""Code de sortie : tout s'est bien passé."""
DONNEES_INVALIDES = 1
"""Code de sortie : fichier d'entrée invalide (ou sortie impossible à écrire)."""
ARGUMENTS_INVALIDES = 2
"""Code de sortie : arguments invalides (code d'argparse)."""

COLONNES_COUVERTURE = [
    "nom", "population", "etp", "etp_pour_100k_hab", "part_population_couverte", "statut", "nb_structures",
    "libelle_statut", "structures", "population_couverte", "population_couverte_principal", "part_non_couvert",
    "part_extension_seule", "part_couvert", "part_extension_non_limitrophe",
]
"""Colonnes du CSV de `couverture`, après `code`."""

COLONNES_SIMULATION = [
    "id_dossier", "id_structure", "nom_structure", "region", "departement", "eligible", "motifs", "etp_demandes",
    "montant_max_aap", "montant_attribue", "etp_finances", "rang", "statut_financement", "explication",
]
"""Colonnes du CSV de `simuler`."""

ModeAllocation = Literal["priorite", "optimisation"]


# --------------------------------------------------------------------------------------------
# argparse en français
# --------------------------------------------------------------------------------------------

_TRADUCTIONS: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments inconnus : \1"),
    (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë : \1 peut désigner \2"),
    (r"one of the arguments (.*) is required", r"l'un des arguments \1 est obligatoire"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"choix invalide : \1 (valeurs possibles : \2)"),
    (r"expected one argument", r"une valeur est attendue"),
    (r"expected at least one argument", r"au moins une valeur est attendue"),
    (r"invalid \S+ value: (.*)", r"valeur invalide : \1"),
    (r"not allowed with argument (.*)", r"incompatible avec l'argument \1"),
    (r"ignored explicit argument (.*)", r"valeur inattendue : \1"),
    (r"^argument (\S+): ", r"argument \1 : "),
)


def _traduire(message: str) -> str:
    """Traduit les messages d'erreur d'argparse (anglais) en français ; les autres restent tels quels."""
    for motif, francais in _TRADUCTIONS:
        message = re.sub(motif, francais, message)
    return message


class _Formateur(argparse.RawDescriptionHelpFormatter):
    """Aide en français : « Utilisation : » au lieu de « usage: »."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 (signature d'argparse)
        return super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)


class _Parseur(argparse.ArgumentParser):
    """`ArgumentParser` aux titres, à l'aide (`-h`, `--aide`) et aux erreurs en français (code 2)."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 (transmis à argparse)
        kwargs.setdefault("formatter_class", _Formateur)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--aide", action="help", default=argparse.SUPPRESS, help="affiche cette aide et quitte")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(ARGUMENTS_INVALIDES, f"{self.prog} : erreur : {_traduire(message)}\n")


def _fichier_existant(texte: str) -> Path:
    """Type argparse : un fichier qui existe (sinon erreur d'arguments, code 2)."""
    chemin = Path(texte)
    if not chemin.is_file():
        raise argparse.ArgumentTypeError(f"fichier introuvable : « {texte} »")
    return chemin


def _montant(texte: str) -> float:
    """Type argparse : un montant en euros écrit à la française (`4500000`, `4 500 000`, `4,5e6`)."""
    try:
        valeur = nombre_fr(texte)
    except ValueError:
        try:
            valeur = float(texte)  # notation scientifique : 4.5e6
        except ValueError:
            valeur = None
    if valeur is None or not math.isfinite(valeur) or valeur < 0:
        raise argparse.ArgumentTypeError(f"« {texte} » n'est pas un montant valide (attendu : nombre d'euros positif ou nul)")
    return float(valeur)


NIVEAUX_COUVERTURE = tuple(n.value for n in Niveau)


def construire_parseur() -> argparse.ArgumentParser:
    """Le parseur de `python -m coverage` et de ses sous-commandes (aide en français)."""
    parseur = _Parseur(
        prog="python -m coverage",
        description=(
            "Couverture des facilitateurs de la clause sociale d'insertion, en ligne de commande.\n"
            "Même moteur que l'application ; géographie de référence COG 2026 (data/reference/)."
        ),
        epilog=(
            "Codes de sortie : 0 = réussite, 1 = données invalides (chaque problème est cité avec "
            "fichier, ligne et colonne), 2 = arguments invalides.\n"
            "Aide d'une commande : python -m coverage COMMANDE --aide"
        ),
    )
    commandes = parseur.add_subparsers(title="commandes", dest="commande", required=True, metavar="COMMANDE")

    p = commandes.add_parser(
        "valider", help="contrôle les fichiers structures, périmètres (et dossiers)",
        description="Contrôle les fichiers d'échange (CSV ou XLSX) sans rien calculer ni écrire.",
        epilog="Exemple : python -m coverage valider structures.csv perimetres.csv --dossiers dossiers.csv",
    )
    p.add_argument("structures", type=_fichier_existant, metavar="STRUCTURES", help="fichier des structures (CSV ou XLSX)")
    p.add_argument("perimetres", type=_fichier_existant, metavar="PERIMETRES", help="fichier des périmètres (CSV ou XLSX)")
    p.add_argument("--dossiers", type=_fichier_existant, metavar="FICHIER", help="fichier des dossiers de candidature (facultatif)")

    p = commandes.add_parser(
        "couverture", help="couverture par commune, EPCI, EPT (Métropole du Grand Paris), département ou région (CSV)",
        description="Calcule la couverture (ETP, population couverte, statut) de chaque territoire d'un niveau.",
        epilog=(
            "Exemple : python -m coverage couverture --structures structures.csv --perimetres perimetres.csv "
            "--niveau epci --sortie couverture_epci.csv"
        ),
    )
    _options_structures_perimetres(p)
    p.add_argument(
        "--niveau", choices=NIVEAUX_COUVERTURE, default="epci",
        help="niveau des territoires (défaut : epci ; ept : les 12 territoires de la Métropole du Grand Paris)",
    )
    p.add_argument("--sortie", type=Path, required=True, metavar="FICHIER.csv", help="CSV écrit (séparateur ;)")

    p = commandes.add_parser(
        "zones-blanches", help="zones blanches selon les trois critères de l'appel (CSV)",
        description=(
            "Évalue les trois critères de zone blanche de l'appel (non couvert, couverture limitrophe seule, "
            "capacité insuffisante) et écrit un territoire par ligne, zones blanches d'abord, avec leur motif."
        ),
        epilog=(
            "Exemple : python -m coverage zones-blanches --structures structures.csv --perimetres perimetres.csv "
            "--decp decp.json --niveau epci --sortie zones_blanches.csv"
        ),
    )
    _options_structures_perimetres(p)
    p.add_argument("--decp", type=_fichier_existant, metavar="FICHIER", help="marchés publics DECP (JSON, JSON.GZ ou CSV), facultatif")
    p.add_argument("--qpv", type=_fichier_existant, metavar="FICHIER", help="quartiers prioritaires (QPV), facultatif")
    p.add_argument("--npnru", type=_fichier_existant, metavar="FICHIER", help="quartiers NPNRU, facultatif")
    p.add_argument(
        "--niveau", choices=("epci", "commune", "ept"), default="epci",
        help="niveau des territoires (défaut : epci ; ept : les 12 territoires de la Métropole du Grand Paris)",
    )
    p.add_argument("--sortie", type=Path, required=True, metavar="FICHIER.csv", help="CSV écrit (séparateur ;)")

    p = commandes.add_parser(
        "decp", help="indicateurs de marchés publics (DECP) par territoire (CSV)",
        description=(
            "Lit un fichier DECP, place chaque marché sur son territoire d'exécution et écrit les indicateurs "
            "(nombre, montant, part de l'État, considérations sociales) ; les marchés non placés vont dans "
            "<sortie>_non_places.csv."
        ),
        epilog="Exemple : python -m coverage decp --fichier decp-2024.json --niveau epci --sortie marches_epci.csv",
    )
    p.add_argument("--fichier", type=_fichier_existant, required=True, metavar="FICHIER", help="fichier DECP (JSON, JSON.GZ ou CSV)")
    p.add_argument("--sortie", type=Path, required=True, metavar="FICHIER.csv", help="CSV écrit (séparateur ;)")
    p.add_argument("--niveau", choices=NIVEAUX_COUVERTURE, default="commune", help="niveau des territoires (défaut : commune)")
    p.add_argument(
        "--siren-etat", action="append", default=[], metavar="SIREN",
        help="SIREN d'un acheteur à compter comme État en plus de ceux qui commencent par 1 (répétable)",
    )

    p = commandes.add_parser(
        "simuler", help="allocation de l'enveloppe entre les dossiers (CSV)",
        description=(
            "Contrôle chaque dossier au regard des règles de l'appel, puis répartit l'enveloppe par ordre de "
            "priorité ou par optimisation (couverture maximale des zones blanches communales)."
        ),
        epilog=(
            "Exemple : python -m coverage simuler --dossiers dossiers.csv --structures structures.csv "
            "--perimetres perimetres.csv --enveloppe 4500000 --mode optimisation --sortie allocation.csv"
        ),
    )
    p.add_argument("--dossiers", type=_fichier_existant, required=True, metavar="FICHIER", help="fichier des dossiers (CSV ou XLSX)")
    _options_structures_perimetres(p)
    groupe = p.add_mutually_exclusive_group()
    groupe.add_argument("--enveloppe", type=_montant, default=None, metavar="EUROS", help="enveloppe en € (défaut : 4 500 000, enveloppe nationale 2025)")
    groupe.add_argument("--enveloppes-regionales", type=_fichier_existant, default=None, metavar="FICHIER",
                        help="CSV region;enveloppe : chaque région dans sa propre enveloppe (une région absente ne reçoit rien)")
    p.add_argument("--mode", choices=("priorite", "optimisation"), default="priorite",
                   help="priorite : ordre de priorité de l'appel ; optimisation : MILP (HiGHS) ; défaut : priorite")
    p.add_argument("--region", metavar="CODE", help="ne simuler que les dossiers d'une région (code INSEE, ex. 84)")
    p.add_argument("--sans-financement-partiel", action="store_true",
                   help="ne pas financer partiellement le dossier de la ligne de coupure (au moins 0,5 ETP sinon)")
    p.add_argument("--ignorer-priorite", action="store_true",
                   help="optimisation : ignorer la priorité aux structures PNAD 2022, 2023 et 2024 (respectée par défaut)")
    p.add_argument("--decp", type=_fichier_existant, metavar="FICHIER", help="marchés DECP (sinon l'échantillon de l'application)")
    p.add_argument("--qpv", type=_fichier_existant, metavar="FICHIER", help="quartiers prioritaires (sinon l'échantillon)")
    p.add_argument("--npnru", type=_fichier_existant, metavar="FICHIER", help="quartiers NPNRU (sinon l'échantillon)")
    p.add_argument("--sortie", type=Path, required=True, metavar="FICHIER.csv", help="CSV écrit (séparateur ;)")

    _parseur_bilans(commandes)
    _commandes_espace(commandes)
    ajouter_commande_migrer(commandes)  # espace migrer : coverage.espace.transfert
    return parseur


def _commandes_espace(commandes) -> None:  # noqa: ANN001 (sous-parseurs d'argparse)
    """Les commandes `importer` et `exporter` (l'espace de travail)."""
    p = commandes.add_parser(
        "importer", help="importe structures, périmètres (et dossiers) dans l'espace de travail, sur une portée",
        description=("Remplace, dans l'espace de travail, les structures d'une portée (France, région ou département) par "
                     "celles des fichiers ; tout ce qui est hors portée est gardé tel quel. Affiche d'abord ce qui change ; "
                     "n'écrit qu'avec --confirmer."),
        epilog=("Exemple : python -m coverage importer --espace data/espace.sqlite --structures structures.csv "
                "--perimetres perimetres.csv --portee region:32 --auteur \"Alice (DREETS 32)\" --confirmer"),
    )
    p.add_argument("--espace", type=Path, required=True, metavar="CHEMIN", help="fichier SQLite de l'espace de travail")
    _options_structures_perimetres(p)
    p.add_argument("--dossiers", type=_fichier_existant, metavar="FICHIER", help="fichier des dossiers (facultatif)")
    p.add_argument("--portee", required=True, metavar="PORTEE", help="france, region:CODE ou departement:CODE (ex. region:32)")
    p.add_argument("--auteur", required=True, metavar="NOM", help="nom de la personne qui importe (tracé dans l'historique)")
    p.add_argument("--confirmer", action="store_true", help="écrit la nouvelle version (sinon : aperçu seulement)")

    p = commandes.add_parser(
        "exporter", help="écrit structures.csv, perimetres.csv et dossiers.csv de la version active",
        description="Exporte la version active de l'espace de travail aux formats d'échange (réimportables tels quels).",
        epilog="Exemple : python -m coverage exporter --espace data/espace.sqlite --dossier-sortie export/",
    )
    p.add_argument("--espace", type=Path, required=True, metavar="CHEMIN", help="fichier SQLite de l'espace de travail")
    p.add_argument("--dossier-sortie", type=Path, required=True, metavar="DOSSIER", help="dossier où écrire les trois CSV")


def _parseur_bilans(commandes) -> None:  # noqa: ANN001 (sous-parseurs d'argparse)
    """Sous-commande `bilans` (coverage.bilans.commande.executer_bilans)."""
    p = commandes.add_parser(
        "bilans", help="bilans des structures financées consolidés par territoire (CSV)",
        description=(
            "Valide les bilans intermédiaires et annuels (et leurs répartitions) contre les structures, puis "
            "consolide les indicateurs par département, région ou France, tous marchés et marchés de l'État."
        ),
        epilog=(
            "Exemple : python -m coverage bilans --bilans bilans.csv --structures structures.csv "
            "--perimetres perimetres.csv --niveau region --sortie consolidation.csv"
        ),
    )
    p.add_argument("--bilans", type=_fichier_existant, required=True, metavar="FICHIER", help="fichier des bilans (CSV ou XLSX)")
    p.add_argument("--repartitions", type=_fichier_existant, metavar="FICHIER",
                   help="fichier bilans_repartitions (typologies), facultatif")
    _options_structures_perimetres(p)
    p.add_argument("--niveau", choices=("region", "departement", "france"), default="region",
                   help="niveau de consolidation (défaut : region)")
    p.add_argument("--annee", type=int, metavar="AAAA", help="année de campagne (défaut : la plus récente du fichier)")
    p.add_argument("--sortie", type=Path, required=True, metavar="FICHIER.csv", help="CSV écrit (séparateur ;)")


def _options_structures_perimetres(p: argparse.ArgumentParser) -> None:
    p.add_argument("--structures", type=_fichier_existant, required=True, metavar="FICHIER", help="fichier des structures (CSV ou XLSX)")
    p.add_argument("--perimetres", type=_fichier_existant, required=True, metavar="FICHIER", help="fichier des périmètres (CSV ou XLSX)")


# --------------------------------------------------------------------------------------------
# Outils communs
# --------------------------------------------------------------------------------------------


def _erreur(message: str) -> None:
    print(message, file=sys.stderr)


def _referentiel(referentiel: Referentiel | None) -> Referentiel:
    if referentiel is not None:
        return referentiel
    from geo.reference import charger_referentiel

    return charger_referentiel()


def _importer(
    *, structures: Path, perimetres: Path, dossiers: Path | None = None, referentiel: Referentiel
) -> ResultatImport | None:
    """Lit et valide les fichiers ; None (message écrit) si l'un ne peut pas être ouvert."""
    from coverage.sources.donnees import importer_fichiers
    from coverage.sources.lecture import ErreurLecture
    from coverage.sources.limites import LIMITES, lire_fichier_borne

    fichiers: dict[str, tuple[bytes, str] | None] = {}
    for cle, chemin in (("structures", structures), ("perimetres", perimetres), ("dossiers", dossiers)):
        if chemin is None:
            fichiers[cle] = None
            continue
        try:  # refusé sur sa taille avant d'être lu (coverage.sources.limites)
            contenu = lire_fichier_borne(chemin, maximum=LIMITES.octets_tableau,
                                         conseil="découpez-le par département ou par région.")  # fmt: skip
        except ErreurLecture as exc:
            _erreur(str(exc) if "introuvable" not in str(exc) else f"{chemin} : {exc.probleme.message}")
            return None
        fichiers[cle] = (contenu, Path(chemin).name)
    return importer_fichiers(**fichiers, referentiel=referentiel)


def _signaler(resultat: ResultatImport) -> bool:
    """Écrit avertissements et erreurs sur la sortie d'erreur ; True si les données sont valides."""
    for probleme in resultat.avertissements:
        _erreur(f"Avertissement : {probleme}")
    if resultat.valide:
        return True
    for probleme in resultat.erreurs:
        _erreur(str(probleme))
    _erreur(f"{_pluriel(len(resultat.erreurs), 'erreur')} : aucune donnée n'a été importée (corrigez le fichier et relancez).")
    return False


def _pluriel(n: int, mot: str) -> str:
    return f"{format_nombre(n)} {mot}{'s' if n > 1 else ''}"


def _ecrire(sortie: Path, contenu: bytes) -> bool:
    """Écrit le fichier (dossier parent créé au besoin) ; False (message écrit) en cas d'échec."""
    try:
        sortie.parent.mkdir(parents=True, exist_ok=True)
        sortie.write_bytes(contenu)
    except OSError as exc:
        _erreur(f"{sortie} : impossible d'écrire le fichier ({exc.strerror}).")
        return False
    return True


# --------------------------------------------------------------------------------------------
# valider
# --------------------------------------------------------------------------------------------


def valider(
    *, structures: Path, perimetres: Path, dossiers: Path | None = None, referentiel: Referentiel | None = None
) -> int:
    """`python -m coverage valider` : contrôle les fichiers et écrit un résumé en français.

    Returns
    -------
    int
        0 si les fichiers sont valides (résumé et avertissements sur la sortie standard) ; 1 sinon
        (une ligne par problème sur la sortie d'erreur : fichier, ligne, colonne, message).
    """
    from coverage.territoires.couverture import couverture_par_commune

    ref = _referentiel(referentiel)
    resultat = _importer(structures=structures, perimetres=perimetres, dossiers=dossiers, referentiel=ref)
    if resultat is None:
        return DONNEES_INVALIDES
    if not resultat.valide:
        _signaler(resultat)
        return DONNEES_INVALIDES
    d = resultat.donnees
    s, p = d.structures, d.perimetres
    communes = couverture_par_commune(d, referentiel=ref)
    couvertes = ~communes["statut"].isin(STATUTS_NON_COUVERTS)  # une extension non limitrophe ne couvre pas
    population = float(communes["population"].sum())
    part = float(communes.loc[couvertes, "population"].sum()) / population if population else 0.0
    principal = int((p["role"] == "principal").sum())
    lignes = [
        f"Fichiers valides : {d.source}.",
        f"- {_pluriel(len(s), 'structure')} ({format_nombre(int((s['etp_facilitateur'] == 0).sum()))} à 0 ETP), "
        f"{format_nombre(float(s['etp_facilitateur'].sum()), 2, compact=True)} ETP de facilitateurs, "
        f"{format_nombre(float(s['etp_coordinateur'].fillna(0).sum()), 2, compact=True)} ETP de coordinateurs ;",
        f"- {_pluriel(len(p), 'ligne')} de périmètre ({format_nombre(principal)} en périmètre principal, "
        f"{format_nombre(len(p) - principal)} en extension) : {_pluriel(int(couvertes.sum()), 'commune')} "
        f"couverte{'s' if couvertes.sum() > 1 else ''}, {format_pourcentage(part)} de la population ;",
    ]
    if dossiers is not None:
        lignes.append(f"- {_pluriel(len(d.dossiers), 'dossier')} de candidature ;")
    lignes[-1] = lignes[-1].removesuffix(" ;") + "."
    if resultat.avertissements:
        lignes.append(f"{_pluriel(len(resultat.avertissements), 'avertissement')} (non bloquants) :")
        lignes += [f"  Avertissement : {a}" for a in resultat.avertissements]
    else:
        lignes.append("Aucun avertissement.")
    print("\n".join(lignes))
    return OK


# --------------------------------------------------------------------------------------------
# couverture
# --------------------------------------------------------------------------------------------


def table_couverture(
    couverture_communes: pd.DataFrame,
    perimetres_communes: pd.DataFrame,
    *,
    referentiel: Referentiel,
    niveau: NiveauGeo,
) -> pd.DataFrame:
    """La table écrite par `couverture` : une ligne par territoire du niveau, index `code`.

    Parameters
    ----------
    couverture_communes : sortie de `coverage.territoires.couverture.couverture_par_commune`.
    perimetres_communes : sortie de `coverage.territoires.couverture.etendre_perimetres`.

    Returns
    -------
    DataFrame, colonnes `COLONNES_COUVERTURE` : celles de `agreger_couverture` (population en
    habitants, ETP, ETP pour 100 000 habitants, parts de population de 0 à 1) arrondies (ETP à
    4 décimales, ETP pour 100 000 habitants à 3, parts à 4), `libelle_statut` en français et
    `structures` (identifiants des structures du territoire, triés, séparés par des virgules).
    """
    from coverage.territoires.couverture import agreger_couverture

    agregat = agreger_couverture(
        couverture_communes, referentiel=referentiel, niveau=niveau, perimetres_communes=perimetres_communes
    )
    agregat["libelle_statut"] = agregat["statut"].map({s.value: s.libelle for s in StatutCouverture})
    if niveau == "commune":
        cle = perimetres_communes["commune"]
    else:
        cle = perimetres_communes["commune"].map(referentiel.communes[niveau])
    paires = pd.DataFrame({"cle": cle.to_numpy(), "id_structure": perimetres_communes["id_structure"].to_numpy()})
    paires = paires.dropna().drop_duplicates().sort_values(["cle", "id_structure"])
    ids = paires.groupby("cle")["id_structure"].agg(",".join)
    agregat["structures"] = ids.reindex(agregat.index).fillna("").astype(str)
    agregat = agregat.round({"etp": 4, "etp_pour_100k_hab": 3, "population_couverte": 0, "population_couverte_principal": 0})
    agregat = agregat.round({c: 4 for c in agregat.columns if c.startswith("part_")})
    agregat[["population_couverte", "population_couverte_principal"]] = agregat[
        ["population_couverte", "population_couverte_principal"]
    ].astype(np.int64)
    return agregat[COLONNES_COUVERTURE]


def couverture(
    *, structures: Path, perimetres: Path, niveau: NiveauGeo, sortie: Path, referentiel: Referentiel | None = None
) -> int:
    """`python -m coverage couverture` : écrit la couverture de chaque territoire du niveau.

    Returns
    -------
    int
        0 si le CSV est écrit (colonnes `code;` + `COLONNES_COUVERTURE`) ; 1 si un fichier est
        invalide ou si la sortie ne peut pas être écrite.

    Raises
    ------
    ValueError
        `niveau` hors de `commune`, `epci`, `ept`, `departement`, `region` (erreur de programmation :
        la ligne de commande le refuse avant, code 2).
    """
    from coverage.territoires.couverture import couverture_par_commune, etendre_perimetres
    from coverage.documents.exports import exporter_csv

    if niveau not in NIVEAUX_COUVERTURE:
        raise ValueError(f"niveau : « {niveau} » inconnu (attendu : {', '.join(NIVEAUX_COUVERTURE)}).")
    ref = _referentiel(referentiel)
    resultat = _importer(structures=structures, perimetres=perimetres, referentiel=ref)
    if resultat is None or not _signaler(resultat):
        return DONNEES_INVALIDES
    long = etendre_perimetres(resultat.donnees, referentiel=ref)
    communes = couverture_par_commune(resultat.donnees, referentiel=ref, perimetres_communes=long)
    table = table_couverture(communes, long, referentiel=ref, niveau=niveau)
    if not _ecrire(Path(sortie), exporter_csv(table)):
        return DONNEES_INVALIDES
    population = float(table["population"].sum())
    couverte = float(table["population_couverte"].sum())
    statuts = table["statut"].value_counts()
    print(
        f"Couverture par {Niveau(niveau).libelle if niveau in ('epci', 'ept') else Niveau(niveau).libelle.lower()} : "
        f"{_pluriel(len(table), 'territoire')}, {format_nombre(float(table['etp'].sum()), 2, compact=True)} ETP de "
        f"facilitateurs, {format_pourcentage(couverte / population if population else 0.0)} de la population couverte ; "
        f"{format_nombre(int(statuts.get(StatutCouverture.NON_COUVERT.value, 0)))} non couvert(s), "
        f"{format_nombre(int(statuts.get(StatutCouverture.EXTENSION_SEULE.value, 0)))} couvert(s) seulement par extension.\n"
        f"Fichier écrit : {sortie}"
    )
    return OK


# --------------------------------------------------------------------------------------------
# zones-blanches et decp : délégation aux modules du domaine
# --------------------------------------------------------------------------------------------


def _zones_blanches(args: argparse.Namespace) -> int:
    from coverage.territoires.zones_blanches import executer_zones_blanches

    return executer_zones_blanches(
        structures=args.structures, perimetres=args.perimetres, decp=args.decp, qpv=args.qpv, npnru=args.npnru,
        niveau=args.niveau, sortie=args.sortie,
    )


def _decp(args: argparse.Namespace) -> int:
    from coverage.sources.decp import executer_decp

    return executer_decp(args.fichier, args.sortie, niveau=args.niveau, sirens_etat=args.siren_etat)


# --------------------------------------------------------------------------------------------
# simuler
# --------------------------------------------------------------------------------------------


def simuler(
    *,
    dossiers: Path,
    structures: Path,
    perimetres: Path,
    sortie: Path,
    enveloppe: float | None = None,
    enveloppes_regionales: Path | None = None,
    mode: ModeAllocation = "priorite",
    region: str | None = None,
    financement_partiel: bool = True,
    financer_prioritaires: bool = True,
    decp: Path | None = None,
    qpv: Path | None = None,
    npnru: Path | None = None,
    referentiel: Referentiel | None = None,
) -> int:
    """`python -m coverage simuler` : contrôle les dossiers et répartit l'enveloppe.

    La chaîne de la page Simulation, mêmes fonctions et mêmes entrées : besoins des sources
    (`coverage.territoires.analyse.besoins_depuis_fichiers` : marchés, quartiers, grands projets ;
    échantillons de l'application sans fichier), zones blanches communales et dossiers évalués
    (`coverage.financement.simulation.entrees_de_simulation`), puis `allouer_enveloppe`.

    Parameters
    ----------
    enveloppe : en € ; None : enveloppe nationale 2025 (4 500 000 €).
    enveloppes_regionales : fichier `region;enveloppe` : chaque région dans sa propre enveloppe (une région absente : rien).
    mode : `priorite` (ordre de priorité de l'appel) ou `optimisation` (MILP, HiGHS).
    region : code région : seuls ses dossiers sont simulés (DREETS).
    financement_partiel : le dossier de la ligne de coupure peut être financé en partie
        (au moins 0,5 ETP).
    financer_prioritaires : en optimisation, la priorité de l'appel aux structures PNAD 2022-2024 est
        respectée (défaut) ; False l'ignore (`--ignorer-priorite`).

    Returns
    -------
    int
        0 si le CSV est écrit (colonnes `COLONNES_SIMULATION`, une ligne par dossier, par rang) ;
        1 si un fichier est invalide, si l'allocation est infaisable (messages en français) ou si
        la sortie ne peut pas être écrite ; 2 pour une région inconnue.

    Raises
    ------
    ValueError
        `mode` inconnu (la ligne de commande le refuse avant, code 2).
    """
    from coverage.financement.allocation_regionale import allouer_par_region
    from coverage.documents.exports import exporter_csv
    from coverage.financement.simulation import allouer_enveloppe, entrees_de_simulation
    from coverage.sources.lecture import ErreurLecture
    from coverage.territoires.analyse import besoins_depuis_fichiers

    if mode not in ("priorite", "optimisation"):
        raise ValueError(f"mode : « {mode} » inconnu (attendu : priorite ou optimisation).")
    ref = _referentiel(referentiel)
    if region is not None and region not in ref.regions.index:
        _erreur(f"Région « {region} » inconnue (attendu : un code région du COG, ex. 84 pour Auvergne-Rhône-Alpes).")
        return ARGUMENTS_INVALIDES
    lues = None if enveloppes_regionales is None else _enveloppes(enveloppes_regionales, ref)
    if enveloppes_regionales is not None and lues is None:
        return DONNEES_INVALIDES
    if lues is not None and region is not None:
        lues = lues[lues.index == region]
    resultat = _importer(structures=structures, perimetres=perimetres, dossiers=dossiers, referentiel=ref)
    if resultat is None or not _signaler(resultat):
        return DONNEES_INVALIDES
    try:
        besoins, sources = besoins_depuis_fichiers(referentiel=ref, decp=decp, qpv=qpv, npnru=npnru)
    except (ErreurLecture, ValueError) as erreur:
        _erreur(str(erreur))
        return DONNEES_INVALIDES
    entrees = entrees_de_simulation(resultat.donnees, referentiel=ref, besoins=besoins, region=region)
    if lues is not None:
        options = {"financement_partiel": financement_partiel, "priorites": entrees.priorites, "poids_communes": entrees.poids_communes}
        if mode == "optimisation":
            options["financer_prioritaires"] = financer_prioritaires
        regionale = allouer_par_region(entrees.dossiers, enveloppes=lues, mode=mode, communes_par_dossier=entrees.communes_par_dossier,
                                       noms_regions=ref.regions["nom"].to_dict(), **options)
        for avertissement in regionale.avertissements:
            _erreur(f"Avertissement : {avertissement}")
        allocation = regionale.consolidee
    else:
        allocation = allouer_enveloppe(entrees, mode=mode, enveloppe=enveloppe, financement_partiel=financement_partiel,
                                       financer_prioritaires=financer_prioritaires)
    if not allocation.faisable:
        for message in allocation.messages:
            _erreur(message)
        _erreur("Allocation infaisable avec ces paramètres : aucun fichier écrit.")
        return DONNEES_INVALIDES
    infos = entrees.dossiers[["id_dossier", "id_structure", "nom_structure", "departement"]]
    table = allocation.lignes.merge(infos, on="id_dossier", how="left")
    tri = ["region", "rang", "id_dossier"] if enveloppes_regionales is not None else ["rang", "id_dossier"]
    table = table.sort_values(tri, na_position="last", kind="stable")
    if not _ecrire(Path(sortie), exporter_csv(table[COLONNES_SIMULATION].reset_index(drop=True))):
        return DONNEES_INVALIDES
    finances = int((table["montant_attribue"] > 0).sum())
    lignes = [
        f"{allocation.statut_solveur} — {_pluriel(len(table), 'dossier')}"
        + (f" de la région {ref.regions.at[region, 'nom']}" if region else "") + ", "
        f"{format_nombre(int(table['eligible'].sum()))} éligible(s), {format_nombre(finances)} financé(s).",
        f"Enveloppe : {format_euros(allocation.enveloppe)} ; utilisée : {format_euros(allocation.enveloppe_utilisee)} ; "
        f"restante : {format_euros(allocation.enveloppe_restante)}.",
        *(m for m in allocation.messages if lues is None or m not in regionale.avertissements),
        sources,
        f"Fichier écrit : {sortie}",
    ]
    print("\n".join(lignes))
    return OK


def _enveloppes(chemin: Path, ref: Referentiel) -> pd.Series | None:
    """Lit le fichier des enveloppes régionales ; None (problèmes écrits) s'il est invalide."""
    from coverage.financement.enveloppes import lire_enveloppes_regionales

    lu = lire_enveloppes_regionales(Path(chemin).read_bytes(), nom_fichier=Path(chemin).name, referentiel=ref)  # existe : argparse
    for probleme in (*lu.avertissements, *lu.erreurs):
        _erreur(("Avertissement : " if probleme in lu.avertissements else "") + str(probleme))
    if not lu.valide:
        _erreur(f"{_pluriel(len(lu.erreurs), 'erreur')} dans le fichier des enveloppes régionales : aucun fichier écrit.")
        return None
    return lu.enveloppes


# --------------------------------------------------------------------------------------------
# importer / exporter : l'espace de travail
# --------------------------------------------------------------------------------------------


def importer(*, espace: Path, structures: Path, perimetres: Path, dossiers: Path | None = None, portee: str, auteur: str,
             confirmer: bool = False, referentiel: Referentiel | None = None) -> int:
    """`python -m coverage importer` : aperçu de l'import sur la portée, écrit seulement si `confirmer`.

    Rend 0 (aperçu affiché, version écrite si `confirmer`) ou 1 (portée illisible, fichier invalide, import refusé)."""
    from coverage.espace import ouvrir_espace
    from coverage.espace.portee import apercu, fusionner
    from coverage.sources.portee import lire_portee

    ref = _referentiel(referentiel)
    try:
        lue = lire_portee(portee, referentiel=ref)
    except ValueError as exc:
        _erreur(str(exc))
        return DONNEES_INVALIDES
    if not auteur.strip():
        _erreur("L'auteur de l'import est vide : donnez votre nom avec --auteur.")
        return DONNEES_INVALIDES
    from coverage.sources.donnees import importer_fichiers

    fichiers = {cle: (Path(c).read_bytes(), Path(c).name) if c else None
                for cle, c in (("structures", structures), ("perimetres", perimetres), ("dossiers", dossiers))}
    resultat = importer_fichiers(**fichiers, referentiel=ref, portee=lue)
    if not _signaler(resultat):
        return DONNEES_INVALIDES
    depot = ouvrir_espace(espace)
    actuelle = depot.donnees_ou_vide(resultat.donnees, base := 0 if depot.est_vide() else depot.version_active())  # aperçu et écriture
    try:
        apres = fusionner(actuelle, resultat.donnees, departements=lue.departements, avec_dossiers=dossiers is not None)
    except ValueError as exc:
        _erreur(str(exc))
        return DONNEES_INVALIDES
    print("\n".join(["Aperçu de l'import (rien n'est encore écrit) :",
                      *(f"- {ligne}" for ligne in apercu(actuelle, apres, departements=lue.departements, portee=lue.libelle).lignes)]))
    if not confirmer:
        print("Aucune donnée écrite : relancez avec --confirmer pour enregistrer cette version.")
        return OK
    version = depot.importer_portee(resultat.donnees, portee=lue.texte, departements=lue.departements, auteur=auteur.strip(),
                                    libelle_portee=lue.libelle, avec_dossiers=dossiers is not None, base_version=base)
    print(f"Version {version} enregistrée et active ({lue.libelle}, auteur : {auteur.strip()}).")
    return OK


def exporter(*, espace: Path, dossier_sortie: Path) -> int:
    """`python -m coverage exporter` : les trois CSV de la version active ; 0, ou 1 (espace absent ou vide, écriture impossible)."""
    from coverage.documents.exports import exporter_csv
    from coverage.espace import ouvrir_espace
    from coverage.modele import SCHEMAS

    if not Path(espace).is_file():
        _erreur(f"{espace} : espace de travail introuvable (attendu : le fichier SQLite de l'application).")
        return DONNEES_INVALIDES
    depot = ouvrir_espace(espace)
    if depot.est_vide():
        _erreur(f"{espace} : l'espace de travail ne contient aucune version des données.")
        return DONNEES_INVALIDES
    donnees = depot.charger_version()
    for nom in ("structures", "perimetres", "dossiers"):
        table = getattr(donnees, nom)
        colonnes = [c for c in SCHEMAS[nom].noms if c in table.columns]
        if not _ecrire(Path(dossier_sortie) / f"{nom}.csv", exporter_csv(table[colonnes])):
            return DONNEES_INVALIDES
    print(f"Version {depot.version_active()} exportée dans {dossier_sortie} : {_pluriel(len(donnees.structures), 'structure')}, "
          f"{_pluriel(len(donnees.perimetres), 'ligne')} de périmètre, {_pluriel(len(donnees.dossiers), 'dossier')}.")
    return OK


# --------------------------------------------------------------------------------------------
# Point d'entrée
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Point d'entrée de `python -m coverage` ; rend le code de sortie (0, 1 ou 2).

    Parameters
    ----------
    argv : arguments sans le nom du programme ; None : `sys.argv[1:]`.

    Examples
    --------
    >>> main(["valider", "structures.csv", "perimetres.csv"])  # doctest: +SKIP
    0
    """
    try:
        args = construire_parseur().parse_args(argv)
    except SystemExit as fin:  # --aide (0) ou erreur d'arguments (2)
        return fin.code if isinstance(fin.code, int) else ARGUMENTS_INVALIDES
    if args.commande == "valider":
        return valider(structures=args.structures, perimetres=args.perimetres, dossiers=args.dossiers)
    if args.commande == "couverture":
        return couverture(structures=args.structures, perimetres=args.perimetres, niveau=args.niveau, sortie=args.sortie)
    if args.commande == "zones-blanches":
        return _zones_blanches(args)
    if args.commande == "decp":
        return _decp(args)
    if args.commande == "bilans":
        from coverage.bilans.commande import executer_bilans

        return executer_bilans(bilans=args.bilans, repartitions=args.repartitions, structures=args.structures,
                               perimetres=args.perimetres, niveau=args.niveau, sortie=args.sortie, annee=args.annee)
    if args.commande == "importer":
        return importer(espace=args.espace, structures=args.structures, perimetres=args.perimetres, dossiers=args.dossiers,
                        portee=args.portee, auteur=args.auteur, confirmer=args.confirmer)
    if args.commande == "exporter":
        return exporter(espace=args.espace, dossier_sortie=args.dossier_sortie)
    if args.commande == "espace":
        return executer_commande_migrer(args)
    return simuler(
        dossiers=args.dossiers, structures=args.structures, perimetres=args.perimetres, sortie=args.sortie,
        enveloppe=args.enveloppe, enveloppes_regionales=args.enveloppes_regionales, mode=args.mode, region=args.region,
        financement_partiel=not args.sans_financement_partiel, financer_prioritaires=not args.ignorer_priorite,
        decp=args.decp, qpv=args.qpv, npnru=args.npnru,
    )
