"""Placement des marchés DECP sur une commune, un département ou une région (règles : voir le paquet)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coverage.sources.codes import ARRONDISSEMENTS_MUNICIPAUX
from coverage.sources.decp.modele import COLONNES_PLACEMENT, LIBELLES_PLACEMENT, NIVEAUX_PLACEMENT, cle_champ
from geo.reference import Referentiel

_ARRONDISSEMENTS_MUNICIPAUX = ARRONDISSEMENTS_MUNICIPAUX  # une seule table, dans coverage.sources.codes
_TYPES_LIEU = {
    "codepostal": "code_postal",
    "cp": "code_postal",
    "codecommune": "commune",
    "codeinsee": "commune",
    "commune": "commune",
    "codedepartement": "departement",
    "departement": "departement",
    "coderegion": "region",
    "region": "region",
    "codepays": "pays",
    "pays": "pays",
    "codearrondissement": "arrondissement",
    "codecanton": "canton",
    "": "",
}
_PAYS_FRANCE = {"FR", "FRA", "FRANCE", "250"}
_REMARQUES = {
    "commune_postal": "code commune inconnu, lu comme code postal",
    "commune_prefixe": "code commune inconnu : placé au département de son préfixe",
    "postal_commune": "code postal inconnu, lu comme code commune",
    "postal_prefixe": "code postal absent de la table (CEDEX ?) : placé au département de son préfixe",
    "absent_commune": "type de code absent : lu comme code commune",
    "absent_postal": "type de code absent : lu comme code postal",
    "absent_departement": "type de code absent : lu comme code département",
    "corse": "code 20 (ancienne Corse) : placé à la région Corse",
    "arrondissement": "code arrondissement : placé à son département",
    "canton": "code canton : placé à son département",
}


@dataclass(frozen=True)
class _Tables:
    """Tables de correspondance d'un référentiel, construites une fois."""

    communes: pd.Series  # code (actuel, ancien, arrondissement) → code INSEE en vigueur
    postaux: pd.Series  # code postal → commune la plus peuplée
    nb_communes_postal: pd.Series  # code postal → nombre de communes
    departement_commune: pd.Series
    region_commune: pd.Series
    region_departement: pd.Series
    departements: pd.Index
    regions: pd.Index
    commune_seule_departement: pd.Series  # département d'une seule commune (75) → cette commune


_CACHE_TABLES: dict[int, tuple[pd.DataFrame, _Tables]] = {}


def tables_placement(referentiel: Referentiel) -> _Tables:
    cache = _CACHE_TABLES.get(id(referentiel))
    if cache is not None and cache[0] is referentiel.communes:
        return cache[1]
    communes = referentiel.communes
    codes = pd.Series(communes.index.to_numpy(), index=communes.index.to_numpy())
    anciens = referentiel.anciens_codes
    anciens = anciens[~anciens["ancien_code"].isin(codes.index) & anciens["commune"].isin(codes.index)]
    arrondissements = {a: c for a, c in _ARRONDISSEMENTS_MUNICIPAUX.items() if c in codes.index}
    table_communes = pd.concat(
        [
            codes,
            pd.Series(anciens["commune"].to_numpy(), index=anciens["ancien_code"].to_numpy()),
            pd.Series(arrondissements, dtype="str"),
        ]
    )
    table_communes = table_communes[~table_communes.index.duplicated()].astype("str")
    postaux = referentiel.codes_postaux[referentiel.codes_postaux["commune"].isin(codes.index)]
    postaux = postaux.assign(population=communes["population"].reindex(postaux["commune"]).to_numpy())
    # La plus peuplée ; à égalité, le plus petit code INSEE (déterministe).
    postaux = postaux.sort_values(["code_postal", "population", "commune"], ascending=[True, False, True])
    principale = postaux.drop_duplicates("code_postal").set_index("code_postal")["commune"].astype("str")
    par_departement = communes.groupby("departement")["nom"].size()
    seules_deps = par_departement.index[par_departement == 1]
    seules = pd.Series(
        communes.index[communes["departement"].isin(seules_deps)].to_numpy(),
        index=communes.loc[communes["departement"].isin(seules_deps), "departement"].to_numpy(),
        dtype="str",
    )
    tables = _Tables(
        communes=table_communes,
        postaux=principale,
        nb_communes_postal=postaux.groupby("code_postal")["commune"].nunique(),
        departement_commune=communes["departement"].astype("str"),
        region_commune=communes["region"].astype("str"),
        region_departement=referentiel.departements["region"].astype("str"),
        departements=referentiel.departements.index,
        regions=referentiel.regions.index,
        commune_seule_departement=seules,
    )
    _CACHE_TABLES[id(referentiel)] = (communes, tables)
    return tables


def _prefixe_departement(codes: pd.Series, *, postal: bool) -> pd.Series:
    """Département d'un code commune ou postal à 5 caractères, d'après son préfixe (sans vérifier qu'il existe)."""
    deux = codes.str.slice(0, 2)
    trois = codes.str.slice(0, 3)
    numero = pd.to_numeric(codes.where(codes.str.fullmatch(r"\d{5}", na=False)), errors="coerce")
    corse_postale = np.where(numero < 20200, "2A", "2B")  # 200xx-201xx : Corse-du-Sud ; 202xx, 206xx : Haute-Corse
    resultat = np.select(
        [deux.isin(["97", "98"]).to_numpy(), ((deux == "20") & postal).to_numpy()],
        [trois.to_numpy(), corse_postale],
        deux.to_numpy(),
    )
    return pd.Series(resultat, index=codes.index, dtype="str").where(codes.str.len() == 5)


def _codes_lus(lieux: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(genre du code, code nettoyé, code au zéro initial rétabli, masque des codes réparés)."""
    type_brut = lieux["lieu_type"]
    cles_types = type_brut.fillna("").map({t: cle_champ(t) for t in pd.unique(type_brut.fillna(""))}).astype("str")
    genre = cles_types.map(_TYPES_LIEU).fillna("inconnu").astype("str")
    code = lieux["lieu_code"].fillna("").astype("str").str.strip().str.upper().str.replace(r"\s", "", regex=True)
    code = code.str.replace(r"\.0$", "", regex=True)  # `1053.0` écrit par un tableur

    # Zéro initial perdu : `1053` → `01053` (commune, code postal), `1` → `01` (département).
    court5 = code.str.fullmatch(r"\d{4}") & genre.isin(["commune", "code_postal", ""])
    court2 = code.str.fullmatch(r"\d") & genre.isin(["departement", "region", ""])
    code5 = code.where(~court5, "0" + code)
    code5 = code5.where(~court2, "0" + code5)
    return genre, code, code5, court5 | court2


@dataclass
class _Placement:
    """Résultat en cours de construction, une case par lieu."""

    niveau: np.ndarray
    commune: pd.Series
    departement: pd.Series
    region: pd.Series
    remarque: np.ndarray
    fait: np.ndarray


def _appliquer_regles(
    est: dict[str, np.ndarray], code5: pd.Series, par_insee: pd.Series, par_postal: pd.Series, tables: _Tables
) -> _Placement:
    """Une règle par ligne du tableau ; la première qui s'applique l'emporte. Remarques : `_REMARQUES`."""
    prefixe_insee = _prefixe_departement(code5, postal=False)
    prefixe_postal = _prefixe_departement(code5, postal=True)
    dep_connu = lambda s: s.where(s.isin(tables.departements))  # noqa: E731
    prefixe_insee, prefixe_postal = dep_connu(prefixe_insee), dep_connu(prefixe_postal)
    dep_direct = dep_connu(code5.where(code5 != "20"))
    dep_arrondissement = dep_connu(code5.str.slice(0, -1))
    dep_canton = dep_connu(code5.str.slice(0, -2))
    region_directe = code5.where(code5.isin(tables.regions))

    c_insee, c_postal = par_insee.notna().to_numpy(), par_postal.notna().to_numpy()
    p_insee, p_postal = prefixe_insee.notna().to_numpy(), prefixe_postal.notna().to_numpy()
    v = (code5 == "").to_numpy()
    dep_ok, dep_arr_ok, dep_canton_ok = (s.notna().to_numpy() for s in (dep_direct, dep_arrondissement, dep_canton))
    corse = (code5 == "20").to_numpy()
    regles = [
        # (condition,                                 niveau,       commune,    département,  région, remarque)
        (v,                                           "non_place",   None,       None,         None,   ""),
        (est["commune"] & c_insee,                    "commune",     par_insee,  None,         None,   ""),
        (est["commune"] & c_postal,                   "code_postal", par_postal, None,         None,   "commune_postal"),
        (est["commune"] & p_insee,                    "departement", None,       prefixe_insee, None,  "commune_prefixe"),
        (est["code_postal"] & c_postal,               "code_postal", par_postal, None,         None,   ""),
        (est["code_postal"] & c_insee,                "commune",     par_insee,  None,         None,   "postal_commune"),
        (est["code_postal"] & p_postal,               "departement", None,       prefixe_postal, None, "postal_prefixe"),
        (est[""] & c_insee,                           "commune",     par_insee,  None,         None,   "absent_commune"),
        (est[""] & c_postal,                          "code_postal", par_postal, None,         None,   "absent_postal"),
        (est[""] & dep_ok,                            "departement", None,       dep_direct,   None,   "absent_departement"),
        (est["departement"] & dep_ok,                 "departement", None,       dep_direct,   None,   ""),
        ((est["departement"] | est[""]) & corse,      "region",      None,       None,         "94",   "corse"),
        (est["arrondissement"] & dep_arr_ok,          "departement", None,       dep_arrondissement, None, "arrondissement"),
        (est["canton"] & dep_canton_ok,               "departement", None,       dep_canton,   None,   "canton"),
        (est["region"] & region_directe.notna().to_numpy(), "region", None,      None,   region_directe, ""),
    ]  # fmt: skip
    n, index = len(code5), code5.index
    p = _Placement(
        niveau=np.full(n, "non_place", dtype=object),
        commune=pd.Series(pd.NA, index=index, dtype="str"),
        departement=pd.Series(pd.NA, index=index, dtype="str"),
        region=pd.Series(pd.NA, index=index, dtype="str"),
        remarque=np.full(n, "", dtype=object),
        fait=np.zeros(n, dtype=bool),
    )
    for condition, niv, com, dep, reg, rem in regles:
        m = condition & ~p.fait
        if not m.any():
            continue
        p.niveau[m] = niv
        p.remarque[m] = _REMARQUES.get(rem, "")
        for cible, valeur in ((p.commune, com), (p.departement, dep), (p.region, reg)):
            if valeur is None:
                continue
            cible[m] = valeur[m].to_numpy() if isinstance(valeur, pd.Series) else valeur
        p.fait |= m

    # Département d'une seule commune (Paris) : le marché est placé sur cette commune.
    unique = p.departement.map(tables.commune_seule_departement)
    m = (unique.notna() & p.commune.isna()).to_numpy()
    if m.any():
        p.commune[m] = unique[m].to_numpy()
        p.niveau[m] = "commune"
        texte = "département d'une seule commune : placé sur cette commune"
        p.remarque[m] = np.where(p.remarque[m] == "", texte, p.remarque[m] + " ; " + texte)
    par_commune = p.commune.notna()
    p.departement = p.departement.where(~par_commune, p.commune.map(tables.departement_commune))
    p.region = p.region.where(p.departement.isna(), p.departement.map(tables.region_departement))
    p.region = p.region.where(~par_commune, p.commune.map(tables.region_commune))
    return p


def _motifs_non_places(lieux: pd.DataFrame, est: dict[str, np.ndarray], code5: pd.Series, niveau: np.ndarray) -> pd.Series:
    """Phrase expliquant pourquoi chaque lieu non placé ne l'est pas (vide pour un lieu placé)."""
    code_cite = "« " + lieux["lieu_code"].fillna("").astype("str") + " »"
    type_cite = "« " + lieux["lieu_type"].fillna("").astype("str") + " »"
    france = code5.isin(_PAYS_FRANCE)
    motifs = np.select(
        [
            (code5 == "").to_numpy(),
            est["pays"] & france.to_numpy(),
            est["pays"],
            est["commune"],
            est["code_postal"],
            est[""],
            est["departement"] | est["arrondissement"] | est["canton"],
            est["region"],
        ],
        [
            "lieu d'exécution absent",
            ("pays entier (" + code_cite + ") : pas de territoire plus précis").to_numpy(),
            ("exécution hors de France (pays " + code_cite + ")").to_numpy(),
            ("code commune inconnu du COG 2026 : " + code_cite).to_numpy(),
            ("code postal inconnu : " + code_cite).to_numpy(),
            ("type de code absent et code non reconnu : " + code_cite).to_numpy(),
            ("code département inconnu : " + code_cite).to_numpy(),
            ("code région inconnu : " + code_cite).to_numpy(),
        ],
        ("type de code " + type_cite + " non reconnu (code " + code_cite + ")").to_numpy(),
    )
    return pd.Series(np.where(niveau == "non_place", motifs, ""), index=lieux.index, dtype="str")


def _placer_lieux(lieux: pd.DataFrame, tables: _Tables) -> pd.DataFrame:
    """Place des couples (type, code) distincts. Colonnes rendues : COLONNES_PLACEMENT."""
    genre, code, code5, repare = _codes_lus(lieux)
    par_insee = code5.map(tables.communes)
    par_postal = code5.map(tables.postaux)
    est = {g: (genre == g).to_numpy() for g in ("commune", "code_postal", "", "departement", "region", "pays",
                                                "arrondissement", "canton")}  # fmt: skip
    p = _appliquer_regles(est, code5, par_insee, par_postal, tables)
    niveau, commune, index = p.niveau, p.commune, lieux.index

    # Précisions ajoutées à la remarque : code réparé, ancien code, code postal partagé.
    ancien = par_insee.notna() & (par_insee != code5)
    arrondissement = code5.isin(list(_ARRONDISSEMENTS_MUNICIPAUX))
    postal_partage = code5.map(tables.nb_communes_postal).fillna(0) > 1
    remarque = pd.Series(p.remarque, index=index, dtype="str")
    ajouts = [
        (repare & pd.Series(p.fait, index=index), "zéro initial rétabli (« " + code + " » → « " + code5 + " »)"),
        (ancien & ~arrondissement & pd.Series(niveau == "commune", index=index),
         "ancien code " + code5 + " → commune " + commune.fillna("")),
        (ancien & arrondissement & pd.Series(niveau == "commune", index=index),
         "arrondissement municipal " + code5 + " → commune " + commune.fillna("")),
        (postal_partage & pd.Series(niveau == "code_postal", index=index),
         "code postal " + code5 + " partagé par plusieurs communes : rattaché à la plus peuplée (" + commune.fillna("") + ")"),
    ]  # fmt: skip
    for masque, texte in ajouts:
        m = masque.to_numpy(bool)
        if m.any():
            avant = remarque[m]
            remarque[m] = np.where(avant == "", texte[m], avant + " ; " + texte[m])

    motif = _motifs_non_places(lieux, est, code5, niveau)
    return pd.DataFrame(
        {
            "commune": commune,
            "departement": p.departement,
            "region": p.region,
            "niveau_placement": pd.Series(niveau, index=index, dtype="str"),
            "motif_non_place": motif.where(motif != ""),
            "remarque": remarque.where(remarque != ""),
        }
    )


def placer_contrats(contrats: pd.DataFrame, *, referentiel: Referentiel) -> pd.DataFrame:
    """Place chaque marché sur une commune, ou à défaut un département ou une région (règles du module).

    Vectorisé : le placement est calculé une fois par couple (type de code, code) distinct puis
    rapporté aux marchés par jointure.

    Parameters
    ----------
    contrats : `ContratsDecp.contrats` (au moins `lieu_type` et `lieu_code`).
    referentiel : géographie de référence (COG 2026) : communes, départements, régions, codes
        postaux, anciens codes.

    Returns
    -------
    pandas.DataFrame
        Les marchés, même index, avec en plus : `commune` (code INSEE en vigueur ou <NA>),
        `departement`, `region` (codes ou <NA>), `niveau_placement` (`commune`, `code_postal`,
        `departement`, `region`, `non_place`), `motif_non_place` (phrase, <NA> si placé),
        `remarque` (correction appliquée, <NA> sinon).

    Examples
    --------
    >>> from geo.reference import charger_referentiel
    >>> c = pd.DataFrame({"lieu_type": ["Code postal"], "lieu_code": ["97400"]})
    >>> placer_contrats(c, referentiel=charger_referentiel()).loc[0, ["commune", "region"]].tolist()
    ['97411', '04']
    """
    lieux = contrats[["lieu_type", "lieu_code"]].drop_duplicates().reset_index(drop=True)
    places = _placer_lieux(lieux, tables_placement(referentiel))
    table = pd.concat([lieux, places], axis=1)
    cle = ["lieu_type", "lieu_code"]
    resultat = contrats.drop(columns=[c for c in COLONNES_PLACEMENT if c in contrats.columns]).merge(
        table, on=cle, how="left", sort=False
    )
    resultat.index = contrats.index
    return resultat


def contrats_non_places(places: pd.DataFrame) -> pd.DataFrame:
    """Les marchés non placés, avec leur motif (colonnes utiles à l'affichage et à l'export)."""
    colonnes = ["ligne", "id", "acheteur_siret", "type_acheteur", "objet", "montant", "lieu_type", "lieu_code",
                "motif_non_place"]  # fmt: skip
    return places.loc[places["niveau_placement"] == "non_place", colonnes]


def resume_placement(places: pd.DataFrame) -> pd.DataFrame:
    """Nombre et montant des marchés par niveau de placement (index `niveau_placement`, + `libelle`, `part`)."""
    groupes = places.groupby("niveau_placement", observed=True).agg(
        nb_marches=("niveau_placement", "size"), montant_total=("montant", "sum")
    )
    resume = groupes.reindex(list(NIVEAUX_PLACEMENT), fill_value=0)
    resume["nb_marches"] = resume["nb_marches"].astype("int64")
    resume["part"] = resume["nb_marches"] / max(len(places), 1)
    resume.insert(0, "libelle", [LIBELLES_PLACEMENT[n] for n in resume.index])
    return resume

