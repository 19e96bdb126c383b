"""Couleurs, classes et légendes des cartes choroplèthes (sans dépendance à Leaflet).

Une valeur d'indicateur devient un indice de classe (`_classer_categories`, `_classer_sequentiel`),
chaque classe a une couleur et une ligne de légende ; les nombres sont au format français.
Partagé par les cartes Leaflet (`geo.carte`) et les cartes statiques (`geo.carte_statique`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from coverage.documents.format import format_nombre
from coverage.modele import StatutCouverture

# --- Couleurs (palette sobre, inspirée du système de design de l'État) ---------------------------

# Lisible par les daltoniens (jamais rouge contre vert) : bleu / ambre clair / rouge sombre, distincts
# aussi en clarté ; écarts vérifiés en deutéranopie et protanopie simulées (tests/test_palette.py).
COULEURS_STATUT: dict[StatutCouverture, str] = {
    StatutCouverture.NON_COUVERT: "#A50026",  # rouge sombre
    StatutCouverture.EXTENSION_SEULE: "#F4A300",  # ambre
    StatutCouverture.COUVERT: "#2166AC",  # bleu
    StatutCouverture.EXTENSION_NON_LIMITROPHE: "#C2A5CF",  # mauve clair : extension qui ne touche pas le périmètre principal
}
PALETTE_SEQUENTIELLE: tuple[str, ...] = (
    "#E3E3FD",
    "#C1C1FB",
    "#9A9AF8",
    "#6A6AF4",
    "#3636C6",
    "#000091",  # bleu France
)
COULEUR_SANS_DONNEE = "#E5E5E5"
COULEUR_CONTOUR = "#666666"
COULEUR_SURVOL = "#000091"
COULEUR_FOND = "#F6F6F6"
LIBELLE_SANS_DONNEE = "Sans donnée"

Palette = Literal["categorie", "sequentielle"]


def categories_couverture() -> dict[str, tuple[str, str]]:
    """Couleur et libellé de chaque statut de couverture, pour `carte_choroplethe(categories=...)`.

    Returns
    -------
    dict
        `{valeur du statut: (couleur hexadécimale, libellé français)}`, dans l'ordre de
        l'énumération.
    """
    return {s.value: (COULEURS_STATUT[s], s.libelle) for s in StatutCouverture}


# --- Formatage des nombres -----------------------------------------------------------------------


def formater_nombre(valeurs: pd.Series, *, decimales: int = 0, unite: str = "") -> pd.Series:
    """Nombres au format français : `1 234,5` (espace insécable entre milliers, virgule décimale).

    Parameters
    ----------
    valeurs : pd.Series
        Nombres ; les valeurs manquantes donnent « Sans donnée ».
    decimales : int
        Nombre de décimales affichées.
    unite : str
        Suffixe ajouté après une espace insécable (`"€"`, `"ETP"`), vide par défaut.

    Returns
    -------
    pd.Series
        Chaînes, même index.

    Example
    -------
    >>> formater_nombre(pd.Series([1234.5]), decimales=1).tolist()
    ['1\\xa0234,5']
    """
    nombres = pd.to_numeric(valeurs, errors="coerce").astype("float64")
    suffixe = f"\u00a0{unite}" if unite else ""
    presents = nombres.notna().to_numpy()
    textes = np.full(len(nombres), LIBELLE_SANS_DONNEE, dtype=object)
    distincts, rang = np.unique(nombres.to_numpy()[presents], return_inverse=True)
    textes[presents] = np.asarray([t + suffixe for t in _textes_nombres(distincts, decimales)], dtype=object)[rang]
    return pd.Series(textes, index=valeurs.index, dtype=object)


def _textes_nombres(nombres: np.ndarray, decimales: int) -> list[str]:
    """`format_nombre` de chaque nombre (sans valeur manquante), en évitant ses appels un par un.

    Un seul format des nombres dans tout le produit : celui de `coverage.documents.format`, qui arrondit
    la valeur écrite (`repr`) moitié vers le haut. `f"{x:,.nf}"` donne le même texte sauf pour une
    égalité décimale (`0,125` à 2 décimales) ou une écriture scientifique : ces nombres-là passent par
    `format_nombre` (34 875 communes : 0,2 s au lieu de 3 s).
    """
    textes = []
    for x in nombres.tolist():
        ecrit = repr(x)
        fraction = ecrit.partition(".")[2]
        if "e" in ecrit or "n" in ecrit or (len(fraction) == decimales + 1 and fraction.endswith("5")):
            textes.append(format_nombre(x, decimales=decimales))
            continue
        texte = f"{x:,.{decimales}f}"
        if texte.startswith("-") and not texte.strip("-0.,"):
            texte = texte[1:]  # pas de « -0,0 »
        textes.append(texte.replace(",", "\u00a0").replace(".", ","))
    return textes


def _classer_categories(
    valeurs: pd.Series, categories: Mapping[Hashable, tuple[str, str]]
) -> tuple[np.ndarray, list[tuple[str, str]], pd.Series]:
    """Indice de style, lignes de légende et libellé de chaque entité (palette « categorie »)."""
    connues = valeurs.isna() | valeurs.isin(list(categories))
    if not connues.all():
        inconnues = valeurs[~connues].unique()[:5].tolist()
        raise ValueError(
            f"Valeurs sans couleur dans `categories` : {inconnues} "
            f"(attendu : {list(categories)} ou valeur manquante)."
        )
    cles = list(categories)
    indices = pd.Series(range(len(cles)), index=pd.Index(cles, dtype=object))
    classes = (
        valeurs.astype(object).map(indices).fillna(len(cles)).to_numpy(dtype=int)
    )  # la dernière classe : sans donnée
    effectifs = np.bincount(classes, minlength=len(cles) + 1)
    lignes = [
        (couleur, f"{libelle} ({format_nombre(int(effectifs[i]))})")
        for i, (couleur, libelle) in enumerate(categories.values())
    ]
    if effectifs[-1]:
        lignes.append((COULEUR_SANS_DONNEE, f"{LIBELLE_SANS_DONNEE} ({format_nombre(int(effectifs[-1]))})"))
    libelles = pd.Series([lib for _, lib in categories.values()] + [LIBELLE_SANS_DONNEE])
    textes = pd.Series(libelles.to_numpy()[classes], index=valeurs.index, dtype=object)
    return classes, lignes, textes


def bornes_quantiles(valeurs: pd.Series, *, nb_classes: int = 5) -> list[float]:
    """Seuils entre classes d'effectifs voisins (quantiles arrondis à 2 chiffres significatifs).

    Parameters
    ----------
    valeurs : pd.Series
        Valeurs de l'indicateur (les manquantes sont ignorées).
    nb_classes : int
        Nombre de classes voulu (au plus `len(PALETTE_SEQUENTIELLE)`).

    Returns
    -------
    list of float
        Au plus `nb_classes - 1` seuils croissants, sans doublon.
    """
    v = pd.to_numeric(valeurs, errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return []
    q = np.quantile(v, np.linspace(0, 1, nb_classes + 1)[1:-1])
    ordre = np.floor(np.log10(np.where(q == 0, 1, np.abs(q))))
    pas = 10.0 ** (ordre - 1)
    arrondis = np.round(q / pas) * pas
    seuils = np.unique(arrondis)
    return [float(s) for s in seuils if v.min() < s <= v.max()]


def _classer_sequentiel(
    valeurs: pd.Series, bornes: Sequence[float], *, decimales: int, unite: str
) -> tuple[np.ndarray, list[str], list[tuple[str, str]]]:
    """Indice de classe (seuils `bornes`), couleurs, lignes de légende (palette séquentielle)."""
    seuils = np.asarray(bornes, dtype=float)
    if seuils.size and np.any(np.diff(seuils) <= 0):
        raise ValueError(f"`bornes` doit être strictement croissant, reçu {list(bornes)}.")
    nb = seuils.size + 1
    if nb > len(PALETTE_SEQUENTIELLE):
        raise ValueError(
            f"Trop de classes : {nb} (au plus {len(PALETTE_SEQUENTIELLE)}, soit "
            f"{len(PALETTE_SEQUENTIELLE) - 1} bornes)."
        )
    rangs = np.round(np.linspace(0, len(PALETTE_SEQUENTIELLE) - 1, nb)).astype(int)
    couleurs = [PALETTE_SEQUENTIELLE[i] for i in rangs] if nb > 1 else [PALETTE_SEQUENTIELLE[-1]]
    nombres = pd.to_numeric(valeurs, errors="coerce").astype("float64")
    classes = np.where(nombres.isna(), nb, np.digitize(nombres.fillna(0.0), seuils))
    decimales_seuils = 0 if np.all(seuils % 1 == 0) else decimales
    textes = formater_nombre(pd.Series(seuils), decimales=decimales_seuils, unite=unite).tolist()
    if nb == 1:
        libelles = ["Toutes valeurs"]
    else:
        libelles = (
            [f"moins de {textes[0]}"]
            + [f"de {a} à moins de {b}" for a, b in zip(textes[:-1], textes[1:])]
            + [f"{textes[-1]} et plus"]
        )
    effectifs = np.bincount(classes, minlength=nb + 1)
    lignes = [
        (c, f"{lib} ({format_nombre(int(effectifs[i]))})") for i, (c, lib) in enumerate(zip(couleurs, libelles))
    ]
    if effectifs[-1]:
        lignes.append((COULEUR_SANS_DONNEE, f"{LIBELLE_SANS_DONNEE} ({format_nombre(int(effectifs[-1]))})"))
    return classes, couleurs + [COULEUR_SANS_DONNEE], lignes


def _styles(couleurs: Sequence[str], *, opacite: float) -> list[dict[str, Any]]:
    return [
        {
            "fillColor": c,
            "fillOpacity": opacite,
            "color": COULEUR_CONTOUR,
            "weight": 0.6,
            "opacity": 0.9,
        }
        for c in couleurs
    ]


def est_numerique(serie: pd.Series) -> bool:
    """Nombres (pas des booléens) : écrits à la française dans une infobulle."""
    return pd.api.types.is_numeric_dtype(serie) and not pd.api.types.is_bool_dtype(serie)


def decimales_infobulle(serie: pd.Series) -> int:
    """Décimales d'un champ numérique d'infobulle : aucune si toutes les valeurs sont entières, sinon une."""
    return 0 if bool((serie.dropna() % 1 == 0).all()) else 1


def _texte_infobulle(serie: pd.Series) -> pd.Series:
    """Nombres formatés à la française (entiers sans décimale, sinon une), textes tels quels."""
    if est_numerique(serie):
        return formater_nombre(serie, decimales=decimales_infobulle(serie))
    return serie.astype(object).where(serie.notna(), LIBELLE_SANS_DONNEE).astype(str)

