"""Couche de présentation partagée par les pages : états des règles, tableaux pour les personnes.

Tout tableau affiché passe par `tableau()` : libellés français (`coverage.documents.libelles`), codes
traduits, noms à côté des codes, dates à l'heure de Paris, aucune cellule « None »/« nan », nombres
écrits à la française côté serveur (`47 754,00 €`, `97,3 %`, espaces fines insécables) quelle que soit la
langue du navigateur (valeurs d'affichage d'un `Styler` pandas : le tri de la colonne reste numérique) et cellules de texte qui ressembleraient à une formule
préfixées d'une apostrophe : le téléchargement intégré au tableau ne peut pas exporter un
`=HYPERLINK(…)` actif (et il est de toute façon masqué, voir `STYLE_TABLEAUX`).
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd
import streamlit as st

from coverage.documents.exports import echapper_formules
from coverage.documents.format import ESPACE, format_euros, format_nombre, format_pourcentage
from coverage.documents.libelles import genre_colonne, libelle_colonne, pour_personnes
from ui import etat

# Respectée / non respectée : une couleur ET un mot (jamais un seul pictogramme).
_BADGES = {
    True: ":green-badge[:material/check_circle: Respectée]",
    False: ":red-badge[:material/cancel: Non respectée]",
    None: ":gray-badge[:material/info: Pour information]",
}

# Le bouton « Download as CSV » des tableaux exporterait les libellés affichés, en anglais dans son
# infobulle : les pages proposent leurs propres exports (CSV pour les machines, XLSX pour les personnes).
STYLE_TABLEAUX = """
<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as CSV"]) {display: none !important;}
</style>
"""

FINE = "\u202f"
"""Espace fine insécable : milliers et avant `%` dans les tableaux (comme `LOCALE_FR` des graphiques)."""


def _fines(texte: str) -> str:
    return texte.replace(ESPACE, FINE)


def cellule_euros(v) -> str:
    """`47 754,00 €` (milliers en espace fine, espace insécable avant €) ; vide si absent."""
    return "" if _manquant(v) else _fines(format_euros(v, centimes=True))[:-2] + ESPACE + "€"


def cellule_pourcentage(v) -> str:
    """`97,3 %` ; vide si absent."""
    return "" if _manquant(v) else _fines(format_pourcentage(v))


def cellule_nombre(v) -> str:
    """`123 456` ou `1,25` (jusqu'à deux décimales) ; vide si absent."""
    return "" if _manquant(v) else _fines(format_nombre(v, 2, compact=True))


def cellule_sans_separateur(v) -> str:
    """Année, rang, numéro : `2025`, jamais `2 025` ; vide si absent."""
    return "" if _manquant(v) else format_nombre(v, 2, compact=True).replace(ESPACE, "")


_FORMATS_GENRE = {"euros": cellule_euros, "pourcentage": cellule_pourcentage, "nombre": cellule_nombre}


def _manquant(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


_CELLULES_STYLER = 150_000

LIGNES_AFFICHEES = 1_000
"""Lignes au plus dans un tableau qui a ses exports : 19 000 communes en zone blanche pèseraient 10 Mo à
chaque premier affichage (et une seconde de mise en forme sur le serveur) ; les exports ont tout."""


def _formats(affichee: pd.DataFrame, genres: dict[str, str]) -> dict:
    formats = {lib: _FORMATS_GENRE[g] for lib, g in genres.items()
               if g in _FORMATS_GENRE and pd.api.types.is_numeric_dtype(affichee[lib]) and not pd.api.types.is_bool_dtype(affichee[lib])}
    autres = [c for c in affichee.columns if c not in formats and pd.api.types.is_numeric_dtype(affichee[c])
              and not pd.api.types.is_bool_dtype(affichee[c])]
    formats.update({c: cellule_sans_separateur for c in autres})
    return formats


def styler_francais(affichee: pd.DataFrame, genres: dict[str, str]):
    """`Styler` dont les valeurs d'affichage sont écrites à la française (colonnes numériques de `genres`).

    Les nombres restent ceux de la table (tri numérique dans la grille) ; Streamlit montre le texte.
    """
    styler = affichee.style.format(_formats(affichee, genres), na_rep="")
    return styler.set_uuid(_empreinte(affichee))


def _empreinte(affichee: pd.DataFrame) -> str:
    """Identifiant stable d'une table (colonnes et contenu).

    pandas tire au hasard l'identifiant d'un `Styler` : le message du tableau changerait à chaque
    exécution et Streamlit le renverrait en entier (1 Mo pour mille zones blanches avec leur motif), au
    lieu de la référence au message que le navigateur garde déjà.
    """
    try:
        valeurs = pd.util.hash_pandas_object(affichee, index=True).to_numpy().tobytes()
    except TypeError:  # cellules non hachables (listes) : identifiant d'après le texte
        valeurs = affichee.to_csv().encode("utf-8")
    return hashlib.sha256(valeurs + repr(list(affichee.columns)).encode("utf-8")).hexdigest()[:12]


def badge_regle(respectee: bool | None) -> str:
    """Pastille Markdown de l'état d'une règle de l'appel."""
    return _BADGES[respectee]


def tableau(table: pd.DataFrame, *, index: bool = False, config: dict | None = None, conteneur=st,
            en_rouge: pd.Series | None = None, lignes_max: int | None = None, ordre: str = "", **options) -> None:
    """Affiche `table` (colonnes machine) pour des personnes.

    `index` : l'index (code, identifiant) devient la première colonne ; `config` : réglages
    `st.column_config` propres à une colonne, indexés par son nom machine (ex. une barre de
    progression) ; `en_rouge` : booléens alignés sur les lignes, texte en rouge (une région au-delà de son
    enveloppe) ; `lignes_max` : seules les premières lignes sont affichées, une légende dit combien sur
    combien, dans quel `ordre` (« par indice de besoin décroissant »), et que les exports ont tout ;
    `options` : passées à `st.dataframe` (hauteur…).
    """
    if lignes_max is not None and len(table) > lignes_max:
        conteneur.caption(f"Les {format_nombre(lignes_max)} premières lignes sur {format_nombre(len(table))}"
                          f"{', ' + ordre if ordre else ''} ; les exports ci-dessous contiennent toutes les lignes.")
        table = table.iloc[:lignes_max]
        en_rouge = None if en_rouge is None else en_rouge.iloc[:lignes_max]
    t = table.reset_index().rename(columns={"index": "code"}) if index else table
    affichee = echapper_formules(pour_personnes(t, referentiel=etat.referentiel(), structures=etat.noms_structures()))
    config = config or {}
    libelles = dict(zip(t.columns, affichee.columns, strict=True))
    colonnes = {libelles[nom]: reglage for nom, reglage in config.items() if nom in libelles}
    genres = {libelles[nom]: genre_colonne(str(nom)) for nom in t.columns}
    options.setdefault("width", "stretch")
    if affichee.size > _CELLULES_STYLER:  # au-delà, le Styler serait lent : texte déjà écrit (tri alphabétique)
        donnees = affichee.assign(**{c: affichee[c].map(f) for c, f in _formats(affichee, genres).items()})
    else:
        donnees = styler_francais(affichee, genres)
        if en_rouge is not None:
            rouges = list(en_rouge)
            donnees = donnees.apply(lambda ligne: ["color: #ce0500" if rouges[ligne.name] else "" for _ in ligne], axis=1)
    with pd.option_context("styler.render.max_elements", _CELLULES_STYLER + 1):
        conteneur.dataframe(donnees, hide_index=True, column_config=colonnes, **options)


# Graphiques : nombres et mois à la française (locale Vega), étiquettes jamais tronquées.
MOIS_COURTS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
LOCALE_FR = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u202f%"},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
                   "décembre"],
        "shortMonths": list(MOIS_COURTS),
    },
}


def barres(valeurs: pd.Series, *, titre: str, format_axe: str = ",.0f", horizontal: bool = True, hauteur: int | None = None) -> None:
    """Barres triées par valeur décroissante (catégories = index de `valeurs`), axe au format français."""
    import altair as alt

    t = valeurs.rename("valeur").rename_axis("categorie").reset_index()
    ordre = list(t.sort_values("valeur", ascending=False)["categorie"]) if horizontal else list(t["categorie"])
    axe_cat = alt.Axis(title=None, labelLimit=0, labelAngle=0 if horizontal else -45)
    cat = (alt.Y if horizontal else alt.X)("categorie:N", sort=ordre, axis=axe_cat)
    val = (alt.X if horizontal else alt.Y)("valeur:Q", title=titre, axis=alt.Axis(format=format_axe))
    graphique = alt.Chart(t).mark_bar(color="#000091").encode(cat, val, tooltip=[alt.Tooltip("categorie:N", title=" "),
                                                                                  alt.Tooltip("valeur:Q", title=titre, format=format_axe)])
    hauteur = hauteur or (max(200, 22 * len(t)) if horizontal else 260)
    st.altair_chart(graphique.properties(height=hauteur).configure(locale=LOCALE_FR), width="stretch")


SERIES_AVANT_APRES = {"avant": ("Avant", "#9A9AC8"), "apres": ("Après", "#000091")}


def barres_appariees(table: pd.DataFrame, *, titre: str, format_axe: str = ",.1f", hauteur: int | None = None,
                     series: tuple[str, str] = ("Avant", "Après")) -> None:
    """Avant et après côte à côte pour chaque catégorie (colonne `nom`), triées par la valeur après, axe à la française.

    `table` : colonnes `nom`, `avant`, `apres` (une ligne par région, par exemple) ; `series` : leurs libellés.
    """
    import altair as alt

    longue = table.melt(id_vars="nom", value_vars=["avant", "apres"], var_name="serie", value_name="valeur")
    longue["serie"] = longue["serie"].map({"avant": series[0], "apres": series[1]})
    ordre = list(table.sort_values(["apres", "avant"], ascending=False)["nom"])
    couleurs = alt.Scale(domain=list(series), range=[v[1] for v in SERIES_AVANT_APRES.values()])
    graphique = alt.Chart(longue).mark_bar().encode(
        alt.Y("nom:N", sort=ordre, axis=alt.Axis(title=None, labelLimit=0)),
        alt.X("valeur:Q", title=titre, axis=alt.Axis(format=format_axe)),
        alt.YOffset("serie:N", sort=list(series)),
        alt.Color("serie:N", scale=couleurs, legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("nom:N", title=" "), alt.Tooltip("serie:N", title=" "), alt.Tooltip("valeur:Q", title=titre, format=format_axe)],
    )
    hauteur = hauteur or max(220, 34 * len(table))
    st.altair_chart(graphique.properties(height=hauteur).configure(locale=LOCALE_FR), width="stretch")


def mois_francais(index: pd.DatetimeIndex) -> list[str]:
    """« janv. 2025 » pour chaque premier jour de mois."""
    return [f"{MOIS_COURTS[d.month - 1]} {d.year}" for d in index]
