"""Enveloppes régionales : la part de l'enveloppe nationale que la DGEFP notifie à chaque DREETS.

Une table par campagne : code région (COG) → montant en € pour 12 mois. Ce module la lit depuis
un fichier (`lire_enveloppes_regionales`, CSV `region;enveloppe`), propose une répartition de
l'enveloppe nationale selon une clé énoncée (`repartition_suggeree`) et contrôle son total
(`controler_total`). L'allocation région par région est dans
`coverage.financement.allocation_regionale`.

Appel à projets 2025, partie A : « une enveloppe de 4,5 millions d'euros » nationale ; partie C :
l'instruction et le conventionnement sont faits par chaque DREETS, qui travaille donc dans sa part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from coverage.documents.format import format_euros
from coverage.espace import ConflitEdition
from coverage.sources.lecture import ErreurLecture, Probleme, lire_tableau
from geo.reference import Referentiel

__all__ = [
    "CLES_REPARTITION",
    "ControleTotal",
    "ResultatEnveloppes",
    "controler_total",
    "lire_enveloppes_regionales",
    "montant_euros",
    "repartition_suggeree",
    "table_enveloppes",
]

CleRepartition = Literal["etp_finances", "indice_besoin"]
CLES_REPARTITION: dict[str, str] = {
    "etp_finances": "au prorata des ETP de facilitateur financés par le PNAD l'année précédente",
    "indice_besoin": "au prorata de l'indice de besoin de la région",
}
"""Clés de répartition proposées, avec la phrase qui les énonce."""

_ESPACES = " \u00a0\u202f\u2009"
_FR = re.compile(rf"\d{{1,3}}(?:[{_ESPACES}.]\d{{3}})*(?:,\d+)?|\d+(?:,\d+)?")
_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+")


def montant_euros(texte: object) -> float:
    """Un montant écrit à la française ou à l'anglaise, en € : `1 234 567,89`, `1.234.567,89`,
    `1,234,567.89`, `1234567.89`, `450000`, `450 000 €`.

    Un seul groupe de trois chiffres après une virgule ou un point (`250,000`, `250.000`) est
    ambigu (250 ou 250 000 ?) : refusé, avec ce qu'il faut écrire à la place.

    Raises
    ------
    ValueError
        Montant vide, illisible, ambigu ou négatif (message en français).
    """
    t = re.sub(r"\s*(?:€|eur|euros?)$", "", str(texte if texte is not None else "").strip(), flags=re.IGNORECASE).strip()
    if not t:
        raise ValueError("montant vide (attendu : un montant en euros, ex. 250 000).")
    if t.startswith(("-", "\u2212")):
        raise ValueError(f"« {texte} » est négatif (attendu : un montant positif ou nul).")
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", t):
        milliers, unites = t[:-4], t[-3:]
        raise ValueError(f"« {texte} » est ambigu ({milliers} € ou {milliers} {unites} € ?) : écrivez « {milliers}{unites} » ou "
                         f"« {milliers} {unites} » pour {milliers} {unites} €, « {milliers} » pour {milliers} €.")
    if _FR.fullmatch(t):
        return float(re.sub(f"[{_ESPACES}.]", "", t).replace(",", "."))
    if _EN.fullmatch(t):
        return float(t.replace(",", ""))
    raise ValueError(f"« {texte} » n'est pas un montant lisible (attendu : ex. 250 000, 250000,50 ou 250,000.50).")


def montants_saisis(textes: pd.Series, *, noms: pd.Series) -> tuple[pd.Series, list[str]]:
    """Montants saisis dans la table des enveloppes (index code région) : en €, et une erreur par cellule illisible.

    Une cellule vide vaut 0 € ; une cellule illisible compte 0 € et produit un message qui nomme la région.

    Example
    -------
    >>> m, e = montants_saisis(pd.Series({"84": "600 000 €", "32": "abc"}), noms=pd.Series({"84": "ARA", "32": "HdF"}))
    >>> m.tolist(), e[0][:18]
    ([600000.0, 0.0], 'HdF (32) : « abc »')
    """
    montants, erreurs = {}, []
    for code, valeur in textes.items():
        if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or not str(valeur).strip():
            montants[code] = 0.0
            continue
        try:
            montants[code] = montant_euros(valeur)
        except ValueError as erreur:
            montants[code] = 0.0
            erreurs.append(f"{noms.get(code, code)} ({code}) : {erreur}")
    return pd.Series(montants, dtype=float), erreurs


@dataclass(frozen=True)
class ResultatEnveloppes:
    """Issue de la lecture d'un fichier d'enveloppes : la table (seulement si tout est valide)."""

    enveloppes: pd.Series | None  # index code région, valeurs en €
    erreurs: tuple[Probleme, ...]
    avertissements: tuple[Probleme, ...]

    @property
    def valide(self) -> bool:
        return self.enveloppes is not None


def _code_region(texte: str, regions: pd.Index) -> tuple[str | None, str | None]:
    """(code, avertissement) ; code None si la région est inconnue."""
    if texte in regions:
        return texte, None
    if texte.isdigit() and len(texte) == 1 and f"0{texte}" in regions:
        return f"0{texte}", f"code région « {texte} » lu comme « 0{texte} » (zéro initial restauré)."
    return None, None


def lire_enveloppes_regionales(contenu: bytes, *, nom_fichier: str, referentiel: Referentiel) -> ResultatEnveloppes:
    """Lit un fichier d'enveloppes régionales (CSV `region;enveloppe` ou XLSX), tout ou rien.

    `region` : code région du COG (`84`, `11`, `01` pour la Guadeloupe…) ; `enveloppe` : montant
    en € écrit à la française ou à l'anglaise (`montant_euros`). Une région citée deux fois, un
    code inconnu ou un montant illisible est une erreur qui nomme la ligne et la colonne.

    Returns
    -------
    ResultatEnveloppes dont `enveloppes` (index code région, en €, dans l'ordre du fichier) est
    None à la moindre erreur.
    """
    try:
        tableau = lire_tableau(contenu, nom_fichier=nom_fichier)
    except ErreurLecture as e:
        return ResultatEnveloppes(None, tuple(e.problemes), ())
    manquantes = [c for c in ("region", "enveloppe") if c not in tableau.colonnes]
    if manquantes:
        message = (f"colonne{'s' if len(manquantes) > 1 else ''} obligatoire{'s' if len(manquantes) > 1 else ''} absente"
                   f"{'s' if len(manquantes) > 1 else ''} : {', '.join(manquantes)} (attendu : region;enveloppe).")
        return ResultatEnveloppes(None, (Probleme(tableau.libelle, None, None, None, message),), ())
    erreurs, avertissements, lues = list(tableau.erreurs), [], {}
    for ligne, texte_region, texte_montant in zip(tableau.donnees.index, tableau.donnees["region"], tableau.donnees["enveloppe"], strict=True):
        code, avertissement = _code_region(texte_region, referentiel.regions.index)
        if code is None:
            erreurs.append(Probleme(tableau.libelle, int(ligne), "region", texte_region,
                                    f"« {texte_region} » n'est pas un code région du COG (attendu : ex. 84 pour Auvergne-Rhône-Alpes, 32 pour Hauts-de-France)."))
        elif code in lues:
            erreurs.append(Probleme(tableau.libelle, int(ligne), "region", texte_region, f"la région {code} est déjà citée plus haut (une ligne par région)."))
        elif avertissement:
            avertissements.append(Probleme(tableau.libelle, int(ligne), "region", texte_region, avertissement))
        try:
            montant = montant_euros(texte_montant)
        except ValueError as exc:
            erreurs.append(Probleme(tableau.libelle, int(ligne), "enveloppe", texte_montant, str(exc)))
            continue
        if code is not None and code not in lues:
            lues[code] = montant
    if erreurs:
        return ResultatEnveloppes(None, tuple(erreurs), tuple(avertissements))
    return ResultatEnveloppes(pd.Series(lues, dtype=float, name="enveloppe").rename_axis("region"), (), tuple(avertissements))


def _arrondir_a_l_euro(parts: pd.Series, total: float) -> pd.Series:
    """Montants à l'euro dont la somme vaut exactement `total` arrondi (plus forts restes)."""
    bruts = parts * round(total)
    entiers = np.floor(bruts)
    reste = int(round(total) - entiers.sum())
    ordre = (bruts - entiers).sort_values(ascending=False, kind="mergesort").index[:reste]
    entiers.loc[ordre] += 1
    return entiers.astype(float)


def repartition_suggeree(
    *,
    enveloppe_nationale: float,
    cle: CleRepartition,
    referentiel: Referentiel,
    structures: pd.DataFrame | None = None,
    annee_precedente: int | None = None,
    indice_par_region: pd.Series | None = None,
) -> pd.DataFrame:
    """Répartition de l'enveloppe nationale entre les 18 régions selon une clé énoncée.

    - `etp_finances` : au prorata des ETP de facilitateur des structures financées par le PNAD
      l'année précédente (`annee_precedente` dans `financement_pnad`), région de leur
      département (siège) ;
    - `indice_besoin` : au prorata de `indice_par_region` (indice de besoin agrégé par région,
      `coverage.territoires.besoins.indice_besoin`).

    Montants à l'euro (plus forts restes) : leur somme vaut exactement l'enveloppe nationale.
    Une région sans base (0 ETP financé, indice nul) reçoit 0 €.

    Returns
    -------
    DataFrame indexé par code région : `nom`, `base` (ETP ou unités de besoin), `part` (0 à 1),
    `enveloppe` (€), trié par code.

    Raises
    ------
    ValueError
        Clé inconnue, entrée manquante pour la clé, ou base nulle partout.
    """
    regions = referentiel.regions.sort_index()
    if cle == "etp_finances":
        if structures is None or annee_precedente is None:
            raise ValueError("Répartition au prorata des ETP financés : il faut les structures et l'année précédente.")
        annees = structures["financement_pnad"].fillna("").astype(str).str.split(",")
        finances = structures[annees.map(lambda a: str(annee_precedente) in [x.strip() for x in a])]
        region = finances["departement"].map(referentiel.departements["region"])
        base = finances["etp_facilitateur"].astype(float).groupby(region).sum()
    elif cle == "indice_besoin":
        if indice_par_region is None:
            raise ValueError("Répartition au prorata de l'indice de besoin : il faut l'indice par région.")
        base = indice_par_region.astype(float)
    else:
        raise ValueError(f"Clé de répartition « {cle} » inconnue (attendu : {', '.join(CLES_REPARTITION)}).")
    base = base.reindex(regions.index).fillna(0.0).clip(lower=0.0)
    if base.sum() <= 0:
        raise ValueError(f"Répartition {CLES_REPARTITION[cle]} impossible : la base est nulle dans toutes les régions.")
    part = base / base.sum()
    return pd.DataFrame({"nom": regions["nom"], "base": base, "part": part,
                         "enveloppe": _arrondir_a_l_euro(part, enveloppe_nationale)}).rename_axis("region")


@dataclass(frozen=True)
class ControleTotal:
    """Total des enveloppes régionales face à l'enveloppe nationale (en €)."""

    total: float
    enveloppe_nationale: float

    @property
    def ecart(self) -> float:
        """Total − nationale : positif si les régions reçoivent plus que l'enveloppe nationale."""
        return float(np.round(self.total - self.enveloppe_nationale, 2))

    @property
    def conforme(self) -> bool:
        return abs(self.ecart) < 0.005

    @property
    def message(self) -> str:
        base = f"Total des enveloppes régionales : {format_euros(self.total)} pour une enveloppe nationale de {format_euros(self.enveloppe_nationale)}"
        if self.conforme:
            return base + " : la répartition est complète."
        if self.ecart > 0:
            return base + f" : dépassement de {format_euros(self.ecart)}."
        return base + f" : {format_euros(-self.ecart)} non répartis."


def controler_total(enveloppes: Mapping[str, float] | pd.Series, *, enveloppe_nationale: float) -> ControleTotal:
    """Compare le total des enveloppes régionales à l'enveloppe nationale."""
    valeurs = [float(v) for v in dict(enveloppes).values()]
    if any(not math.isfinite(v) or v < 0 for v in valeurs):
        raise ValueError("Enveloppes régionales : chaque montant doit être un nombre d'euros positif ou nul.")
    return ControleTotal(float(np.round(sum(valeurs), 2)), float(enveloppe_nationale))


def table_enveloppes(enveloppes: Mapping[str, float] | pd.Series, *, referentiel: Referentiel) -> pd.DataFrame:
    """Les 18 régions avec leur enveloppe (0 € si absente) : index code, `nom`, `enveloppe` (€)."""
    regions = referentiel.regions.sort_index()
    montants = pd.Series(dict(enveloppes), dtype=float).reindex(regions.index).fillna(0.0)
    return pd.DataFrame({"nom": regions["nom"], "enveloppe": montants}).rename_axis("region")


def amorcer_enveloppes_demo(depot, *, structures: pd.DataFrame, referentiel: Referentiel, annee: int, enveloppe_nationale: float) -> bool:  # noqa: ANN001
    """Sur la démonstration, une première table d'enveloppes régionales si le magasin n'en a aucune.

    Répartition suggérée au prorata des ETP financés l'année précédente, enregistrée par
    « initialisation automatique » : la DGEFP la remplace par la sienne (page Simulation). Renvoie
    True si une table a été enregistrée.
    """
    if not depot.historique_enveloppes(annee).empty:
        return False
    table = repartition_suggeree(enveloppe_nationale=enveloppe_nationale, cle="etp_finances", referentiel=referentiel,
                                 structures=structures, annee_precedente=annee - 1)
    try:
        depot.enregistrer_enveloppes(annee, table["enveloppe"].to_dict(), auteur="initialisation automatique", base_version=0,
                                     cle=f"{CLES_REPARTITION['etp_finances']} ({annee - 1}), répartition suggérée sur la démonstration")
    except ConflitEdition:  # une autre instance l'a amorcée au même moment : la sienne est gardée
        return False
    return True
