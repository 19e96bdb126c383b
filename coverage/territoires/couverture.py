"""Moteur de couverture : qui couvre quel territoire, avec combien d'ETP.

Tout est calculé sur des codes (pas de géométrie) : les périmètres sont développés en communes
par jointure sur la table d'appartenance commune → EPCI / département / région du COG, puis
les ETP de chaque structure sont répartis sur ses communes (part explicite `part_etp`, sinon au
prorata de la population municipale).

Conventions (documentées dans le README) :
- seuls les ETP de facilitateurs (`etp_facilitateur`) font la couverture ; les coordinateurs ont
  un rôle régional d'animation et ne sont pas répartis ;
- une structure à 0 ETP (une structure candidate nouvelle, par exemple) ne couvre rien ;
- une commune est `couvert` si au moins une structure l'a dans son périmètre principal,
  `extension_seule` si elle n'est couverte que par des extensions limitrophes,
  `extension_non_limitrophe` si elle ne l'est que par des extensions qui ne touchent pas le
  périmètre principal de leur structure (voisinage géométrique du référentiel, `geo.voisinage` :
  une structure de l'Ain étendue à Ajaccio), sinon `non_couvert`. Une extension non limitrophe
  n'est pas la couverture « limitrophe » de l'appel : la commune compte comme non couverte
  (`population_couverte`, zones blanches), ses ETP et ses structures restent affichés.
  Le statut de chaque ligne d'extension est calculé sur les mêmes tableaux d'entiers (clés
  structure × commune et voisines en CSR), sans boucle sur les lignes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from coverage.modele import STATUTS_NON_COUVERTS, DonneesFacilitateurs, Niveau, Role, StatutCouverture
from geo.appartenance import developper as _developper
from geo.appartenance import index_appartenance as _index_appartenance
from geo.reference import NiveauGeo, Referentiel
from geo.voisinage import NON_LIMITROPHE, dans_trie, statut_extensions

COLONNES_COMMUNE = ["population", "etp", "etp_principal", "etp_extension", "etp_non_limitrophe", "nb_structures", "structures",
                    "statut"]


def _parts(valeurs: np.ndarray, groupes: np.ndarray) -> np.ndarray:
    """Part de chaque ligne dans son groupe (entiers), au prorata de `valeurs` ; à parts égales si le total est nul."""
    total = np.bincount(groupes, weights=valeurs)[groupes]
    effectif = np.bincount(groupes)[groupes].astype(float)
    return np.where(total > 0, valeurs / np.where(total > 0, total, 1.0), 1.0 / effectif)


def communes_des_perimetres(perimetres: pd.DataFrame, *, referentiel: Referentiel) -> pd.DataFrame:
    """Couples distincts (`id_structure`, `commune`) des périmètres, sans tenir compte des ETP."""
    p = perimetres.reset_index(drop=True)
    ligne, pos = _developper(p, _index_appartenance(referentiel))
    return pd.DataFrame(
        {"id_structure": p["id_structure"].astype(str).to_numpy(dtype=object)[ligne],
         "commune": _index_appartenance(referentiel).codes[pos]}
    ).drop_duplicates().astype(str).reset_index(drop=True)


def etendre_perimetres(donnees: DonneesFacilitateurs, *, referentiel: Referentiel) -> pd.DataFrame:
    """Développe les périmètres en communes et y répartit les ETP de facilitateurs.

    Returns
    -------
    DataFrame, une ligne par (structure, commune) : `id_structure`, `commune`, `role`
    (`principal` l'emporte si la commune est aussi en extension), `etp` (ETP de la structure
    affectés à la commune), `limitrophe` (False si la structure n'y est que par des extensions
    qui ne touchent pas son périmètre principal, `geo.voisinage.statut_extensions`).

    Notes
    -----
    Avec `part_etp` renseignée, la ligne reçoit `etp_facilitateur × part_etp`, répartis sur ses
    communes au prorata de la population ; sans `part_etp`, les ETP de la structure sont répartis
    sur l'ensemble des communes distinctes de son périmètre au prorata de la population.
    Calcul en tableaux d'entiers (développement CSR, `np.bincount`), sans boucle sur les lignes.
    """
    p = donnees.perimetres.reset_index(drop=True)
    vide = pd.DataFrame({"id_structure": pd.Series(dtype=str), "commune": pd.Series(dtype=str),
                         "role": pd.Series(dtype=str), "etp": pd.Series(dtype=float), "limitrophe": pd.Series(dtype=bool)})
    if p.empty:
        return vide
    idx = _index_appartenance(referentiel)
    ligne, pos = _developper(p, idx)
    sid, ids_structures = pd.factorize(p["id_structure"].astype(str).to_numpy(dtype=object))
    etp_par_structure = (
        donnees.structures.set_index("id_structure")["etp_facilitateur"].astype(float).reindex(ids_structures).fillna(0.0).to_numpy()
    )
    s = sid[ligne]
    principal_ligne = p["role"].astype(str).to_numpy(dtype=object) == Role.PRINCIPAL.value
    principal = principal_ligne[ligne]
    limitrophe = (statut_extensions(ligne, pos, structure=sid, principal=principal_ligne, referentiel=referentiel) != NON_LIMITROPHE)[ligne]
    part = p["part_etp"].astype(float).to_numpy()[ligne]
    pop = idx.population[pos]
    etp_s = etp_par_structure[s]
    nb_communes = len(idx.codes)

    # Parts explicites : la ligne reçoit etp × part, répartie sur ses communes au prorata.
    avec_part = ~np.isnan(part)
    etp = np.zeros(len(pos))
    if avec_part.any():
        _, groupe = np.unique(ligne[avec_part], return_inverse=True)
        etp[avec_part] = etp_s[avec_part] * part[avec_part] * _parts(pop[avec_part], groupe)
    # Prorata : chaque commune distincte de la structure une fois (le rôle principal d'abord).
    garde = avec_part.copy()
    if (~avec_part).any():
        sans = np.flatnonzero(~avec_part)
        cle = s[sans].astype(np.int64) * nb_communes + pos[sans]
        ordre = np.lexsort((~principal[sans], cle))
        _, premiers = np.unique(cle[ordre], return_index=True)
        choisis = sans[ordre[premiers]]
        garde[choisis] = True
        _, groupe = np.unique(s[choisis], return_inverse=True)
        etp[choisis] = etp_s[choisis] * _parts(pop[choisis], groupe)

    # Une ligne par (structure, commune) ; une structure sans ETP ne couvre rien.
    garde &= etp_s > 0
    cle = s[garde].astype(np.int64) * nb_communes + pos[garde]
    uniques, inverse = np.unique(cle, return_inverse=True)
    etp_final = np.bincount(inverse, weights=etp[garde])
    est_principal = np.bincount(inverse, weights=principal[garde].astype(float)) > 0
    # Tous les couples (structure, commune), même ceux écartés du prorata : une ligne limitrophe suffit.
    cle_tout = s.astype(np.int64) * nb_communes + pos
    limitrophes = np.sort(cle_tout[limitrophe])
    return pd.DataFrame(
        {
            "id_structure": pd.array(ids_structures[uniques // nb_communes], dtype=str),
            "commune": pd.array(idx.codes[uniques % nb_communes], dtype=str),
            "role": np.where(est_principal, Role.PRINCIPAL.value, Role.EXTENSION.value),
            "etp": etp_final,
            "limitrophe": dans_trie(uniques, limitrophes),
        }
    ).astype({"role": str})


def couverture_par_commune(
    donnees: DonneesFacilitateurs, *, referentiel: Referentiel, perimetres_communes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Couverture de chaque commune du COG.

    Returns
    -------
    DataFrame indexé par code commune : `population`, `etp`, `etp_principal`, `etp_extension`,
    `etp_non_limitrophe` (la part de `etp_extension` venue d'extensions qui ne touchent pas le
    périmètre principal de leur structure), `nb_structures`, `structures` (identifiants séparés par
    des virgules), `statut` (`non_couvert`, `extension_seule`, `extension_non_limitrophe`, `couvert`).

    `perimetres_communes` : la sortie de `etendre_perimetres` si l'appelant l'a déjà (évite de
    développer deux fois les périmètres).
    """
    long = etendre_perimetres(donnees, referentiel=referentiel) if perimetres_communes is None else perimetres_communes
    return _synthese_communes(long, referentiel)


def _liste_structures(pos: np.ndarray, ids: np.ndarray, nb_communes: int) -> np.ndarray:
    """Identifiants des structures de chaque commune, séparés par des virgules (sans boucle Python).

    `pos` : position de la commune de chaque ligne ; `ids` : identifiant de structure (chaînes).
    """
    ordre = np.lexsort((ids, pos))
    pos, ids = pos[ordre], ids[ordre]
    debut_groupe = np.r_[True, pos[1:] != pos[:-1]]
    rang = np.arange(len(pos)) - np.maximum.accumulate(np.where(debut_groupe, np.arange(len(pos)), 0))
    texte = np.full(nb_communes, "", dtype=object)
    for r in range(int(rang.max()) + 1 if len(rang) else 0):  # au plus quelques structures par commune
        m = rang == r
        prefixe = "" if r == 0 else ","
        texte[pos[m]] = texte[pos[m]] + prefixe + ids[m]
    return texte


def _synthese_communes(long: pd.DataFrame, referentiel: Referentiel) -> pd.DataFrame:
    communes = referentiel.communes
    n = len(communes)
    pos = communes.index.get_indexer(long["commune"])
    principal = (long["role"].to_numpy(dtype=object) == Role.PRINCIPAL.value)
    etp = long["etp"].to_numpy(dtype=float)
    total = np.bincount(pos, weights=etp, minlength=n)
    etp_principal = np.bincount(pos, weights=np.where(principal, etp, 0.0), minlength=n)
    nb = np.bincount(pos, minlength=n)  # une ligne par (structure, commune)
    a_principal = np.bincount(pos, weights=principal.astype(float), minlength=n) > 0
    # Sans colonne `limitrophe` (table construite à la main), toute extension est limitrophe.
    limitrophe = long["limitrophe"].to_numpy(dtype=bool) if "limitrophe" in long.columns else np.ones(len(long), dtype=bool)
    a_limitrophe = np.bincount(pos, weights=limitrophe.astype(float), minlength=n) > 0
    statut = np.select(
        [a_principal, a_limitrophe, nb > 0],
        [StatutCouverture.COUVERT.value, StatutCouverture.EXTENSION_SEULE.value, StatutCouverture.EXTENSION_NON_LIMITROPHE.value],
        StatutCouverture.NON_COUVERT.value,
    )
    sortie = pd.DataFrame(
        {
            "population": communes["population"].to_numpy(),
            "etp": total,
            "etp_principal": etp_principal,
            "etp_extension": total - etp_principal,
            "etp_non_limitrophe": np.bincount(pos, weights=np.where(~principal & ~limitrophe, etp, 0.0), minlength=n),
            "nb_structures": nb,
            "structures": pd.array(_liste_structures(pos, long["id_structure"].to_numpy(dtype=object), n), dtype=str),
            "statut": pd.array(statut, dtype=str),
        },
        index=communes.index.rename("commune"),
    )
    return sortie[COLONNES_COMMUNE]


def agreger_couverture(
    couverture_communes: pd.DataFrame,
    *,
    referentiel: Referentiel,
    niveau: NiveauGeo,
    perimetres_communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Agrège la couverture communale à un niveau (`commune`, `epci`, `ept`, `departement`, `region`).

    Au niveau `ept`, seules les 130 communes de la Métropole du Grand Paris comptent : ses 12
    territoires (Paris et les 11 établissements publics territoriaux).

    Parameters
    ----------
    couverture_communes : sortie de `couverture_par_commune`.
    perimetres_communes : sortie de `etendre_perimetres`, pour compter les structures distinctes
        d'un territoire (sinon, `nb_structures` est le maximum communal).

    Returns
    -------
    DataFrame indexé par code : `nom`, `population`, `population_couverte` (toutes structures),
    `population_couverte_principal`, `part_population_couverte` (0 à 1), `etp`,
    `etp_pour_100k_hab` (ETP pour 100 000 habitants), `nb_structures`, `statut` (statut dominant
    en population), et les parts de population par statut `part_non_couvert`,
    `part_extension_seule`, `part_couvert`, `part_extension_non_limitrophe` (comptée non couverte :
    elle n'entre pas dans `population_couverte`).
    """
    table = referentiel.table(niveau)
    c = couverture_communes
    if niveau == "commune":
        cle = pd.Series(c.index, index=c.index)
    else:
        cle = referentiel.communes[niveau].reindex(c.index)
    pop = c["population"].astype(float)
    statuts = [s.value for s in StatutCouverture]
    colonnes = {f"pop_{s}": pop.where(c["statut"] == s, 0.0) for s in statuts}
    travail = pd.DataFrame({"cle": cle, "population": pop, "etp": c["etp"], **colonnes}).dropna(subset=["cle"])
    agg = travail.groupby("cle").sum(numeric_only=True)
    sortie = table[["nom"]].join(agg)
    sortie = sortie.fillna({k: 0.0 for k in ["population", "etp", *colonnes]})
    total = sortie["population"].where(sortie["population"] > 0)
    sortie["population_couverte"] = sortie["pop_couvert"] + sortie["pop_extension_seule"]
    sortie["population_couverte_principal"] = sortie["pop_couvert"]
    sortie["part_population_couverte"] = (sortie["population_couverte"] / total).fillna(0.0)
    sortie["etp_pour_100k_hab"] = (sortie["etp"] / total * 100_000).fillna(0.0)
    for s in statuts:
        sortie[f"part_{s}"] = (sortie[f"pop_{s}"] / total).fillna(0.0)
    parts = sortie[[f"part_{s}" for s in statuts]].to_numpy()
    dominant = np.array(statuts)[parts.argmax(axis=1)]
    # Territoire sans habitant : le statut vient de la présence de structures.
    sortie["statut"] = dominant
    if perimetres_communes is not None and not perimetres_communes.empty:
        p = perimetres_communes.assign(cle=cle.reindex(perimetres_communes["commune"]).to_numpy()).dropna(subset=["cle"])
        sortie["nb_structures"] = p.groupby("cle")["id_structure"].nunique().reindex(sortie.index).fillna(0).astype(int)
    else:
        sortie["nb_structures"] = c.groupby(cle)["nb_structures"].max().reindex(sortie.index).fillna(0).astype(int)
    sortie["population"] = sortie["population"].astype(np.int64)
    sortie.index.name = "code"
    return sortie[
        [
            "nom", "population", "population_couverte", "population_couverte_principal", "part_population_couverte",
            "etp", "etp_pour_100k_hab", "nb_structures", "statut", "part_non_couvert", "part_extension_seule", "part_couvert",
            "part_extension_non_limitrophe",
        ]
    ]


def structures_du_territoire(
    perimetres_communes: pd.DataFrame,
    *,
    structures: pd.DataFrame,
    referentiel: Referentiel,
    niveau: NiveauGeo,
    code: str,
) -> pd.DataFrame:
    """Les structures qui couvrent un territoire : nom, statut, ETP sur ce territoire, rôle.

    Le rôle est `principal` si la structure y a au moins une commune en périmètre principal.
    """
    if niveau == "commune":
        masque = perimetres_communes["commune"] == code
    else:
        communes = referentiel.communes.index[referentiel.communes[niveau] == code]
        masque = perimetres_communes["commune"].isin(communes)
    sous = perimetres_communes[masque]
    par = sous.groupby("id_structure").agg(
        etp_territoire=("etp", "sum"),
        principal=("role", lambda r: (r == Role.PRINCIPAL.value).any()),
        nb_communes=("commune", "size"),
    )
    par["role"] = np.where(par["principal"], Role.PRINCIPAL.value, Role.EXTENSION.value)
    infos = structures.set_index("id_structure")[["nom", "statut", "etp_facilitateur"]]
    sortie = par.join(infos).reset_index().sort_values("etp_territoire", ascending=False)
    return sortie[["id_structure", "nom", "statut", "role", "etp_territoire", "etp_facilitateur", "nb_communes"]]


# --- Modifications « et si » ---------------------------------------------------------------


def modifier_etp(donnees: DonneesFacilitateurs, *, id_structure: str, etp: float) -> DonneesFacilitateurs:
    """Copie des données où la structure porte `etp` ETP de facilitateur."""
    structures = donnees.structures.copy()
    structures.loc[structures["id_structure"] == id_structure, "etp_facilitateur"] = float(etp)
    return replace(donnees, structures=structures)


def ajouter_territoire(
    donnees: DonneesFacilitateurs,
    *,
    id_structure: str,
    niveau: NiveauGeo,
    code: str,
    role: Literal["principal", "extension"] = "extension",
) -> DonneesFacilitateurs:
    """Copie des données où le périmètre de la structure inclut le territoire (sans `part_etp`).

    Si la structure avait des parts explicites, elles sont abandonnées au profit du prorata de
    population, pour que la somme des parts reste cohérente.
    """
    Niveau(niveau), Role(role)  # valeurs contrôlées
    p = donnees.perimetres
    deja = (p["id_structure"] == id_structure) & (p["niveau"] == niveau) & (p["code"] == code)
    if deja.any():
        return donnees
    nouvelle = pd.DataFrame([{"id_structure": id_structure, "niveau": niveau, "code": code, "role": role, "part_etp": np.nan}])
    p = pd.concat([p, nouvelle.astype({"part_etp": float})], ignore_index=True)
    p.loc[p["id_structure"] == id_structure, "part_etp"] = np.nan
    return replace(donnees, perimetres=p)


def retirer_territoire(
    donnees: DonneesFacilitateurs, *, id_structure: str, niveau: str, code: str
) -> DonneesFacilitateurs:
    """Copie des données sans la ligne de périmètre (structure, niveau, code)."""
    p = donnees.perimetres
    garde = ~((p["id_structure"] == id_structure) & (p["niveau"] == niveau) & (p["code"] == code))
    p = p[garde].reset_index(drop=True)
    if (~garde).any():
        p.loc[p["id_structure"] == id_structure, "part_etp"] = np.nan
    return replace(donnees, perimetres=p)


def comparer(avant: pd.DataFrame, apres: pd.DataFrame) -> pd.DataFrame:
    """Avant/après de deux agrégats de `agreger_couverture` : les territoires qui changent.

    Colonnes : `nom`, `etp_avant`, `etp_apres`, `statut_avant`, `statut_apres`,
    `part_couverte_avant`, `part_couverte_apres`.
    """
    cols = ["etp", "statut", "part_population_couverte"]
    j = avant[["nom", *cols]].join(apres[cols], suffixes=("_avant", "_apres"))
    change = (
        (j["etp_avant"] - j["etp_apres"]).abs().gt(1e-9)
        | (j["statut_avant"] != j["statut_apres"])
        | (j["part_population_couverte_avant"] - j["part_population_couverte_apres"]).abs().gt(1e-9)
    )
    j = j[change].rename(
        columns={"part_population_couverte_avant": "part_couverte_avant", "part_population_couverte_apres": "part_couverte_apres"}
    )
    return j


def ecarts(avant: pd.Series, apres: pd.Series, *, noms: pd.Series | None = None, tolerance: float = 1e-9) -> pd.DataFrame:
    """Ce qui a changé entre deux séries indexées par code : `nom`, `avant`, `apres`, `difference` (après − avant).

    Seuls les territoires dont la valeur change (au-delà de `tolerance`) ; un code absent d'un côté vaut 0 ;
    tri par écart absolu décroissant, puis par code.

    >>> ecarts(pd.Series({"84": 10.0, "11": 5.0, "93": 2.0}), pd.Series({"84": 12.5, "11": 5.0, "93": 0.0}))["difference"].tolist()
    [2.5, -2.0]
    """
    codes = avant.index.union(apres.index)
    t = pd.DataFrame({"avant": avant.reindex(codes).fillna(0.0).astype(float), "apres": apres.reindex(codes).fillna(0.0).astype(float)})
    t["difference"] = t["apres"] - t["avant"]
    t = t[t["difference"].abs() > tolerance]
    t.insert(0, "nom", (noms.reindex(t.index) if noms is not None else pd.Series(t.index, index=t.index)).fillna("").astype(str))
    ordre = t.assign(_abs=t["difference"].abs(), _code=t.index).sort_values(["_abs", "_code"], ascending=[False, True]).index
    return t.loc[ordre].rename_axis("code")


def chiffres_cles(agregat: pd.DataFrame) -> dict[str, float]:
    """Chiffres clés d'une sélection de territoires (une ligne par territoire d'un même niveau)."""
    population = float(agregat["population"].sum())
    couverte = float(agregat["population_couverte"].sum())
    etp = float(agregat["etp"].sum())
    return {
        "territoires": int(len(agregat)),
        "population": population,
        "population_couverte": couverte,
        "part_population_couverte": couverte / population if population else 0.0,
        "etp": etp,
        "etp_pour_100k_hab": etp / population * 100_000 if population else 0.0,
        "non_couverts": int(agregat["statut"].isin(STATUTS_NON_COUVERTS).sum()),  # extension non limitrophe comprise
        "extension_seule": int((agregat["statut"] == StatutCouverture.EXTENSION_SEULE.value).sum()),
    }


def appliquer_modifications(donnees: DonneesFacilitateurs, modifications: list[dict]) -> DonneesFacilitateurs:
    """Applique dans l'ordre une liste de modifications « et si ».

    Chaque modification est un dict : `{"type": "etp", "id_structure", "etp"}`,
    `{"type": "ajout", "id_structure", "niveau", "code", "role"}` ou
    `{"type": "retrait", "id_structure", "niveau", "code"}`.
    """
    for m in modifications:
        if m["type"] == "etp":
            donnees = modifier_etp(donnees, id_structure=m["id_structure"], etp=m["etp"])
        elif m["type"] == "ajout":
            donnees = ajouter_territoire(
                donnees, id_structure=m["id_structure"], niveau=m["niveau"], code=m["code"], role=m.get("role", "extension")
            )
        elif m["type"] == "retrait":
            donnees = retirer_territoire(donnees, id_structure=m["id_structure"], niveau=m["niveau"], code=m["code"])
        else:
            raise ValueError(f"Modification inconnue : {m['type']!r} (attendu : etp, ajout, retrait).")
    return donnees


def decrire_modification(m: dict, *, structures: pd.DataFrame, referentiel: Referentiel) -> str:
    """Phrase française décrivant une modification « et si »."""
    nom = structures.set_index("id_structure")["nom"].get(m["id_structure"], m["id_structure"])
    if m["type"] == "etp":
        return f"{nom} : {m['etp']:g} ETP de facilitateur".replace(".", ",")
    table = referentiel.table(m["niveau"])
    territoire = f"{table.at[m['code'], 'nom']} ({m['code']})" if m["code"] in table.index else m["code"]
    if m["type"] == "ajout":
        return f"{nom} : ajout de {Niveau(m['niveau']).libelle.lower()} {territoire} ({Role(m.get('role', 'extension')).libelle.lower()})"
    return f"{nom} : retrait de {Niveau(m['niveau']).libelle.lower()} {territoire}"
