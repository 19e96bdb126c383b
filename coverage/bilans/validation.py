"""Validation des fichiers `bilans` et `bilans_repartitions` (tout ou rien, comme les autres imports).

Les cellules sont lues et typées par les lecteurs de `coverage.sources` (nombres à la française,
oui/non, dates, CSV ou XLSX) ; s'y ajoutent les contrôles propres aux bilans, chacun une erreur qui
nomme le fichier, la ligne et la colonne :

- structure inconnue de l'espace de travail (`id_structure`) ;
- même structure, même année et même période deux fois (`periode`) ;
- part « marchés de l'État » supérieure au total (`…_etat` > `…_total`) ; heures d'insertion des ETP
  subventionnés supérieures aux heures clausées au total par le porteur ;
- compte négatif ou non entier (colonnes de type entier, minimum 0) ;
- répartition : catégorie hors de la liste de sa dimension, ligne en double, répartition d'un bilan
  absent du fichier `bilans`.

Avertissements (n'empêchent pas l'import) : bilan remis avant le début de son année de campagne,
bilan annuel sans répartition.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coverage.documents.format import format_nombre
from coverage.modele import BILANS, BILANS_REPARTITIONS, DIMENSIONS_BILANS, INDICATEURS_TOTAL_ETAT
from coverage.sources.lecture import ErreurLecture, Probleme, TableauBrut, lire_tableau
from coverage.sources.releve import Releve, dans, trier_problemes
from coverage.sources.validation import _final, _premieres_lignes, _typer
from geo.reference import Referentiel

__all__ = ["ResultatBilans", "importer_bilans", "valider_bilans"]

_LIBELLES_INDICATEURS = {
    "heures_insertion": "heures d'insertion",
    "marches_accompagnes": "marchés accompagnés",
    "montant_marches_ht": "montant HT des marchés",
    "acheteurs_accompagnes": "acheteurs accompagnés",
}


@dataclass(frozen=True, eq=False)
class ResultatBilans:
    """Issue de la validation des bilans : problèmes et, seulement sans erreur, les tables typées.

    `bilans` : colonnes de `coverage.modele.BILANS` (nombres en float, `annee` en int, `date_remise`
    en datetime64) ; `repartitions` : colonnes de `BILANS_REPARTITIONS` (vide si aucun fichier).
    """

    erreurs: tuple[Probleme, ...]
    avertissements: tuple[Probleme, ...]
    bilans: pd.DataFrame | None = None
    repartitions: pd.DataFrame | None = None

    @property
    def valide(self) -> bool:
        return not self.erreurs


def repartitions_vides() -> pd.DataFrame:
    """Table `bilans_repartitions` sans ligne."""
    return pd.DataFrame({nom: pd.Series(dtype="float64" if nom in ("annee", "valeur") else object)
                         for nom in BILANS_REPARTITIONS.noms})


def valider_bilans(
    bilans: TableauBrut,
    repartitions: TableauBrut | None = None,
    *,
    structures: pd.DataFrame | None,
    referentiel: Referentiel,
) -> ResultatBilans:
    """Valide le fichier des bilans (et celui des répartitions s'il est donné) ; tout ou rien.

    Parameters
    ----------
    bilans, repartitions : fichiers lus par `coverage.sources.lecture.lire_tableau`.
    structures : table des structures de l'espace de travail (colonne `id_structure`), ou None pour
        ne pas contrôler les identifiants.
    referentiel : géographie de référence (demandée par le typage commun des colonnes).

    Returns
    -------
    ResultatBilans
        Tables typées seulement s'il n'y a aucune erreur dans les deux fichiers.

    Examples
    --------
    >>> r = valider_bilans(lire_fichier("bilans.csv", schema=BILANS), structures=s, referentiel=ref)  # doctest: +SKIP
    >>> [str(e) for e in r.erreurs]  # doctest: +SKIP
    ['bilans.csv, ligne 3, colonne `heures_insertion_etat` : …']
    """
    rb = Releve(bilans.libelle)
    tb = _typer(bilans, BILANS, rb, referentiel)
    if tb is not None:
        _check_bilans(tb, rb, structures=structures)
    tr = None
    rr = Releve(repartitions.libelle) if repartitions is not None else None
    if repartitions is not None:
        tr = _typer(repartitions, BILANS_REPARTITIONS, rr, referentiel)
        if tr is not None:
            _check_repartitions(tr, rr, tb=tb, fichier_bilans=bilans.libelle)
    erreurs = trier_problemes(rb.erreurs, BILANS) + (trier_problemes(rr.erreurs, BILANS_REPARTITIONS) if rr else ())
    avertissements = trier_problemes(rb.avertissements, BILANS) + (
        trier_problemes(rr.avertissements, BILANS_REPARTITIONS) if rr else ())
    if erreurs:
        return ResultatBilans(erreurs, avertissements)
    table = _final(tb, BILANS)
    table["annee"] = table["annee"].astype(int)
    reps = _final(tr, BILANS_REPARTITIONS) if tr is not None else repartitions_vides()
    if len(reps):
        reps["annee"] = reps["annee"].astype(int)
    return ResultatBilans(erreurs, avertissements, bilans=table, repartitions=reps)


def _check_bilans(tb: pd.DataFrame, rb: Releve, *, structures: pd.DataFrame | None) -> None:
    """Contrôles croisés d'un fichier de bilans typé (index = ligne du tableur)."""
    ids = tb["id_structure"]
    if structures is not None:
        inconnue = (ids != "") & ~dans(ids, pd.Index(structures["id_structure"].astype(str).unique()))
        rb.signaler(
            inconnue,
            "id_structure",
            ids,
            lambda v: (f"structure « {v} » inconnue de l'espace de travail : importez d'abord ses structures "
                       "ou corrigez l'identifiant."),
        )
    complet = (ids != "") & tb["annee"].notna() & (tb["periode"] != "")
    cles = tb.loc[complet, ["id_structure", "annee", "periode"]]
    if len(cles):
        premiere = _premieres_lignes(cles)
        double = cles.duplicated(keep="first")
        rb.signaler(
            double,
            "periode",
            cles["periode"],
            lambda s, a, p, ligne: (
                f"la structure « {s} » a déjà un bilan {p} pour {int(a)} ligne {ligne} : un seul bilan par "
                "structure, année et période."
            ),
            avec=(cles["id_structure"], cles["annee"], cles["periode"], premiere),
        )
    for nom in INDICATEURS_TOTAL_ETAT:
        total, etat = tb[f"{nom}_total"], tb[f"{nom}_etat"]
        rb.signaler(
            etat > total,
            f"{nom}_etat",
            etat,
            lambda e, t, n=nom: (
                f"{_LIBELLES_INDICATEURS[n]} : la part des marchés de l'État ({_court(e)}) dépasse le total tous "
                f"marchés `{n}_total` ({_court(t)}) ; la part État est comprise dans le total."
            ),
            avec=(etat, total),
        )
    porteur = tb["heures_clausees_porteur"]
    rb.signaler(
        porteur.notna() & (tb["heures_insertion_total"] > porteur),
        "heures_clausees_porteur",
        porteur,
        lambda p, h: (
            f"heures clausées au total par le porteur ({_court(p)}) inférieures aux heures dégagées par les "
            f"ETP subventionnés ({_court(h)}) : le total du porteur les comprend."
        ),
        avec=(porteur, tb["heures_insertion_total"]),
    )
    avant = tb["date_remise"].notna() & tb["annee"].notna() & (tb["date_remise"].dt.year < tb["annee"])
    rb.signaler(
        avant,
        "date_remise",
        tb["date_remise"].dt.strftime("%d/%m/%Y"),
        lambda d, a: f"bilan remis le {d}, avant l'année de campagne {int(a)} : vérifiez l'année ou la date.",
        avec=(tb["date_remise"].dt.strftime("%d/%m/%Y"), tb["annee"]),
        avertissement=True,
    )


def _check_repartitions(tr: pd.DataFrame, rr: Releve, *, tb: pd.DataFrame | None, fichier_bilans: str) -> None:
    """Catégorie selon la dimension, doublons, bilan correspondant présent."""
    for code, dimension in DIMENSIONS_BILANS.items():
        de_la_dimension = tr["dimension"] == code
        categorie = tr["categorie"].str.strip().str.lower()
        tr.loc[de_la_dimension, "categorie"] = categorie[de_la_dimension]
        hors = de_la_dimension & (categorie != "") & ~categorie.isin(list(dimension.categories))
        rr.signaler(
            hors,
            "categorie",
            tr["categorie"],
            lambda v, d=dimension: (
                f"« {v} » n'est pas une catégorie de la dimension « {d.code} » (valeurs acceptées : "
                f"{', '.join(d.categories)})."
            ),
        )
    complet = (tr["id_structure"] != "") & tr["annee"].notna() & (tr["periode"] != "") & (tr["dimension"] != "") & (
        tr["categorie"] != "")
    cles = tr.loc[complet, ["id_structure", "annee", "periode", "dimension", "categorie"]]
    if len(cles):
        premiere = _premieres_lignes(cles)
        rr.signaler(
            cles.duplicated(keep="first"),
            "categorie",
            cles["categorie"],
            lambda c, ligne: f"catégorie « {c} » déjà donnée ligne {ligne} pour ce bilan et cette dimension.",
            avec=(cles["categorie"], premiere),
        )
    if tb is not None:
        cle_bilans = _cle(tb)
        sans_bilan = complet & ~dans(_cle(tr), pd.Index(cle_bilans.unique()))
        rr.signaler(
            sans_bilan,
            "periode",
            tr["periode"],
            lambda s, a, p: f"aucun bilan {p} {int(a)} de la structure « {s} » dans {fichier_bilans}.",
            avec=(tr["id_structure"], tr["annee"], tr["periode"]),
        )


def _cle(table: pd.DataFrame) -> pd.Series:
    annee = table["annee"].fillna(0).astype(int).astype(str)
    return table["id_structure"] + "|" + annee + "|" + table["periode"]


def _court(x: float) -> str:
    return format_nombre(x, 2, compact=True)


def importer_bilans(
    *,
    bilans: tuple[bytes, str],
    repartitions: tuple[bytes, str] | None = None,
    structures: pd.DataFrame | None,
    referentiel: Referentiel,
) -> ResultatBilans:
    """Lit et valide les fichiers `(contenu, nom_fichier)` ; tout ou rien (voir `valider_bilans`)."""
    tableaux: dict[str, TableauBrut] = {}
    erreurs: list[Probleme] = []
    for cle, fichier, schema in (("bilans", bilans, BILANS), ("repartitions", repartitions, BILANS_REPARTITIONS)):
        if fichier is None:
            continue
        try:
            tableaux[cle] = lire_tableau(fichier[0], nom_fichier=fichier[1], schema=schema)
        except ErreurLecture as e:
            erreurs.extend(e.problemes)
    if erreurs:
        return ResultatBilans(tuple(erreurs), ())
    return valider_bilans(tableaux["bilans"], tableaux.get("repartitions"), structures=structures, referentiel=referentiel)
