"""Motifs des zones blanches en français : un constat chiffré, puis une phrase par critère rempli.

Écrits colonne par colonne (34 875 communes), pour `coverage.territoires.zones_blanches` : chaque
nombre comme `coverage.documents.format` l'écrirait, montants arrondis pour une phrase.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coverage.documents.format import ESPACE, format_nombre, format_pourcentage

if TYPE_CHECKING:
    from coverage.territoires.zones_blanches import SeuilsZonesBlanches


def format_montant_court(montant: float | None) -> str:
    """Montant arrondi pour une phrase : `3,1 M€`, `412 k€`, `85 000 €` (espaces insécables).

    En dessous de 100 000 € : à l'euro ; jusqu'au million : en milliers d'euros (k€) ; au-delà :
    en millions d'euros (M€) à une décimale.

    Examples
    --------
    >>> format_montant_court(3_104_000.0)
    '3,1\xa0M€'
    """
    if montant is None or (isinstance(montant, float) and math.isnan(montant)):
        return "montant non renseigné"
    if abs(montant) >= 1e6 or round(abs(montant) / 1e3) >= 1000:
        return f"{format_nombre(montant / 1e6, 1, compact=True)}{ESPACE}M€"
    if abs(montant) >= 1e5:
        return f"{format_nombre(montant / 1e3, 0)}{ESPACE}k€"
    return f"{format_nombre(montant, 0)}{ESPACE}€"


def _n(valeurs: pd.Series, decimales: int = 0) -> pd.Series:
    """Nombres à la française (`48 312`, `0,25`), comme `coverage.documents.format.format_nombre(v, d, compact=True)`.

    Vectorisé : l'arrondi « moitié vers le haut » de l'écriture décimale est fait par numpy (le
    bruit binaire est d'abord retiré : 2,675 → 2,68), puis l'écriture par le formateur de Python.
    Un test vérifie l'accord avec `format_nombre`.
    """
    v = valeurs.astype(float).to_numpy()
    echelle = 10.0**decimales
    arrondi = np.sign(v) * np.floor(np.round(np.abs(v) * echelle, 6) + 0.5) / echelle
    arrondi = np.where(arrondi == 0, 0.0, arrondi)  # pas de « -0 »
    brut = pd.Series(arrondi, index=valeurs.index).map(("{:,.%df}" % decimales).format)
    texte = brut.str.replace(",", ESPACE, regex=False).str.replace(".", ",", regex=False)
    if decimales:
        texte = texte.str.replace(r",?0+$", "", regex=True)
    texte = texte.where(~np.isnan(v), "—").where(~np.isinf(v), np.where(v > 0, "∞", "-∞"))
    return texte.astype(object)


def _montants_courts(montants: pd.Series) -> pd.Series:
    """`format_montant_court` de chaque montant, sans l'appeler ligne à ligne (34 875 communes)."""
    v = montants.astype(float)
    a = v.abs().to_numpy()
    millions = (a >= 1e6) | (np.round(a / 1e3) >= 1000)
    milliers = ~millions & (a >= 1e5)
    texte = np.where(millions, _n(v / 1e6, 1) + ESPACE + "M€",
                     np.where(milliers, _n(v / 1e3, 0) + ESPACE + "k€", _n(v, 0) + ESPACE + "€"))
    return pd.Series(np.where(v.isna(), "montant non renseigné", texte), index=montants.index, dtype=object)


def _pct(valeurs: pd.Series) -> pd.Series:
    """Pourcentages entiers à la française (`62 %`) d'une part (1 = 100 %)."""
    return (_n(valeurs.astype(float) * 100) + ESPACE + "%").astype(object)


def _texte_etp(etp: pd.Series) -> pd.Series:
    """ETP au centième (`1,25`), et « moins de 0,01 » plutôt que « 0 » pour une présence infime."""
    v = etp.astype(float)
    return pd.Series(np.where((v > 0) & (v < 0.005), "moins de 0,01", _n(v, 2)), index=etp.index, dtype=object)


def _accord(valeurs: pd.Series, singulier: str, pluriel: str) -> np.ndarray:
    """Accord en nombre à la française : singulier en dessous de 2 (« 1,5 unité », « 0 habitant »)."""
    return np.where(valeurs.astype(float).abs() < 2, singulier, pluriel)


def _si(condition: pd.Series | np.ndarray, texte: pd.Series | str) -> pd.Series:
    """`texte` là où `condition`, chaîne vide ailleurs."""
    cond = np.asarray(condition, dtype=bool)
    if isinstance(texte, str):
        return pd.Series(np.where(cond, texte, ""), dtype=object)
    return pd.Series(np.where(cond, texte.to_numpy(dtype=object), ""), index=texte.index, dtype=object)


def _texte_marches(x: pd.DataFrame, present: bool) -> pd.Series:
    """« 212 marchés de l'État (3,1 M€) dont 9 % avec considération sociale ; 1 015 marchés publics en
    tout (12,4 M€) dont … »."""
    if not present:
        return pd.Series("marchés non renseignés", index=x.index, dtype=object)
    n, n_etat = x["nb_marches"].astype(float), x["nb_marches_etat"].astype(float)
    part, part_etat = x["part_consideration_sociale"].astype(float), x["part_consideration_sociale_etat"].astype(float)
    cs_etat = _si(part_etat.notna(), " dont " + _pct(part_etat) + " avec considération sociale").to_numpy()
    etat = pd.Series(
        np.where(
            n_etat > 0,
            _n(n_etat) + " " + _accord(n_etat, "marché de l'État", "marchés de l'État") + " ("
            + _montants_courts(x["montant_etat"]) + ")" + cs_etat,
            "aucun marché de l'État",
        ),
        index=x.index,
        dtype=object,
    )
    cs = _si(part.notna(), " dont " + _pct(part) + " avec considération sociale").to_numpy()
    total = (
        " ; " + _n(n) + " " + _accord(n, "marché public", "marchés publics") + " en tout ("
        + _montants_courts(x["montant_total"]) + ")" + cs
    )
    return pd.Series(np.where(n > 0, etat + total, "aucun marché public recensé"), index=x.index, dtype=object)


def _texte_quartiers(x: pd.DataFrame, present: bool) -> pd.Series:
    if not present:
        return pd.Series(" ; QPV non renseignés", index=x.index, dtype=object)
    qpv, npnru = x["nb_qpv"].astype(float), x["nb_npnru"].astype(float)
    avec_qpv = " ; " + _n(qpv) + " QPV" + _si(npnru > 0, " (dont " + _n(npnru) + " NPNRU)").to_numpy()
    seul_npnru = " ; " + _n(npnru) + " " + _accord(npnru, "quartier NPNRU", "quartiers NPNRU")
    return pd.Series(np.where(qpv > 0, avec_qpv, np.where(npnru > 0, seul_npnru, "")), index=x.index, dtype=object)


def _texte_projets(x: pd.DataFrame, present: bool, libelles: Mapping[str, str] | None) -> pd.Series:
    if not present:
        return pd.Series(" ; grands projets non renseignés", index=x.index, dtype=object)
    ids = x["ids_grands_projets"].fillna("").astype(str)
    plein = ids.ne("")
    noms = ids
    if libelles and plein.any():
        long = ids[plein].str.split(",").explode()
        long = long.map(lambda i: libelles.get(i, i))
        noms = long.groupby(level=0).agg(", ".join).reindex(ids.index).fillna("")
    plusieurs = ids.str.contains(",", regex=False)
    libelle = pd.Series(np.where(plusieurs, " ; grands projets : ", " ; grand projet : "), index=x.index, dtype=object)
    return _si(plein, libelle + noms.str.replace(",(?! )", ", ", regex=True).astype(object))


def _texte_besoins(c: pd.DataFrame, seuils: SeuilsZonesBlanches) -> pd.Series:
    morceaux = {
        "population": f", au moins {format_nombre(seuils.population_besoin_min)} habitants",
        "marches_etat": ", marchés de l'État",
        "marches": f", au moins {format_nombre(seuils.marches_besoin_min)} marchés publics",
        "qpv_npnru": ", quartiers prioritaires",
        "grands_projets": ", grand projet",
    }
    texte = pd.Series("", index=c.index, dtype=object)
    for cle, morceau in morceaux.items():  # cinq conditions, pas les lignes
        texte = texte + np.where(c[cle].to_numpy(dtype=bool), morceau, "")
    return texte.str.removeprefix(", ")


def _motifs(
    t: pd.DataFrame,
    criteres: pd.DataFrame,
    identifies: pd.DataFrame,
    seuils: SeuilsZonesBlanches,
    presentes: dict[str, bool],
    libelles_projets: Mapping[str, str] | None,
) -> pd.Series:
    """Le motif de chaque zone blanche : constat chiffré puis une phrase par critère rempli."""
    motif = pd.Series("", index=t.index, dtype=object)
    selection = criteres.any(axis=1).to_numpy()
    if not selection.any():
        return motif.astype(str)
    x = t[selection]
    c = criteres[selection]
    pop = x["population"].astype(float)
    constat = (
        x["nom"].astype(object) + " : " + _texte_etp(x["etp"]) + " ETP pour " + _n(pop) + " " + _accord(pop, "habitant", "habitants")
        + ", " + _texte_marches(x, presentes["marches_etat"]) + _texte_quartiers(x, presentes["qpv_npnru"])
        + _texte_projets(x, presentes["grands_projets"], libelles_projets) + "."
    )
    ids_loin = x["structures_non_limitrophes"].fillna("").astype(str)
    qui_loin = pd.Series(np.where(ids_loin.str.contains(",", regex=False), "des structures ", "de la structure "), index=x.index, dtype=object)
    non_limitrophe = _si(
        ids_loin.ne(""),
        " Dont " + _pct(x["part_non_limitrophe"]) + " dans la seule extension non limitrophe " + qui_loin
        + ids_loin.str.replace(",", ", ", regex=False).astype(object)
        + " : elle ne touche pas le périmètre principal, ce n'est pas un facilitateur « limitrophe » au sens de l'appel.",
    )
    non_couvert = (
        " Non couvert : " + _pct(x["part_non_couverte"]) + " de la population sans facilitateur (seuil : au moins "
        + format_pourcentage(seuils.part_non_couverte_min, 0) + ")." + non_limitrophe
    )
    ids_ext = x["structures_extension"].fillna("").astype(str)
    qui = pd.Series(np.where(ids_ext.str.contains(",", regex=False), "des structures ", "de la structure "), index=x.index, dtype=object)
    limitrophe = (
        " Couverture limitrophe : " + _pct(x["part_extension"]) + " de la population couverte ne l'est que par "
        + "l'extension du périmètre " + qui + ids_ext.str.replace(",", ", ", regex=False).astype(object)
        + " (seuil : au moins " + format_pourcentage(seuils.part_extension_min, 0) + "), avec des besoins identifiés ("
        + _texte_besoins(identifies[selection], seuils) + ")."
    )
    indice = x["indice_besoin"].astype(float)
    part_etat = (
        ", dont " + _n(x["besoin_marches_etat"], 2) + " au titre des marchés de l'État" if presentes["marches_etat"] else ""
    )
    loin_etp = x["etp_non_limitrophe"].astype(float)
    sans_loin = _si(loin_etp > 0, " (sans les " + _texte_etp(loin_etp) + " ETP d'extension non limitrophe)").to_numpy()
    capacite = (
        " Capacité insuffisante : " + _n(x["ratio_capacite"], 2) + " ETP par unité de besoin" + sans_loin + " (seuil : "
        + format_nombre(seuils.ratio_capacite_min, 2, compact=True) + ") pour un indice de besoin de " + _n(indice, 2)
        + " " + _accord(indice, "unité", "unités") + part_etat + "."
    )
    texte = (
        constat
        + _si(c["non_couvert"], non_couvert).to_numpy()
        + _si(c["couverture_limitrophe"], limitrophe).to_numpy()
        + _si(c["capacite_insuffisante"], capacite).to_numpy()
    )
    motif[selection] = texte.to_numpy()
    return motif.astype(str)
