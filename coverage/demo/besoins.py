"""Générateur déterministe des échantillons fictifs de besoins : `python -m coverage.demo.besoins`.

Écrit dans `data/demo/` :
- `decp_demo.json.gz` : environ 20 000 marchés FICTIFS au format officiel des DECP 2024
  (`{"marches": {"marche": [...]}}`, schéma des arrêtés du 22 décembre 2022), répartis sur de
  vraies communes de toutes les régions, DROM compris. Les SIREN d'acheteurs et de titulaires sont
  inventés, avec une clé de Luhn volontairement fausse : aucun ne peut désigner une entreprise ou
  un organisme réel. Acheteurs de l'État (SIREN commençant par 1), collectivités (2) et autres ;
  lieux donnés par code commune, code postal, département ou région ; quelques marchés non
  plaçables (pays étranger, code inconnu) pour que l'interface montre leur décompte ;
- `qpv_demo.geojson` : une douzaine de quartiers ILLUSTRATIFS (« Quartier illustratif … »),
  petits hexagones posés sur de vraies communes connues pour leur renouvellement urbain, au
  format des contours officiels 2024 (un objet par couple quartier × commune : `code_qp`,
  `lib_qp`, `insee_com`, `source`) ; ce ne sont PAS les contours réels des QPV ;
- `npnru_demo.csv` : une liste NPNRU ILLUSTRATIVE sur ces quartiers (intérêt national ou
  régional), colonne `source` explicite ; ce n'est PAS la liste de l'ANRU.

Relancer la commande reproduit les fichiers à l'identique (graine fixe, gzip sans date).
`contrats_synthetiques` et `decp_json_2024` servent aussi au banc d'essai (`bench/bench_decp.py`).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.reference import Referentiel, charger_geometries, charger_referentiel

from coverage.modele import DOSSIER_DEMO

GRAINE = 2026
NB_CONTRATS_DEMO = 20_000
SOURCE_QPV_DEMO = "Échantillon illustratif (contours inventés) — pas les contours officiels des QPV 2024 (ANCT)"
SOURCE_NPNRU_DEMO = "Échantillon illustratif — pas la liste officielle des quartiers NPNRU (ANRU)"

# (code CPV, objet, CCAG)
_ACHATS = (
    ("45000000", "Travaux de réhabilitation {e}", "Travaux"),
    ("45233140", "Travaux de voirie et réseaux divers {e}", "Travaux"),
    ("45453000", "Rénovation énergétique {e}", "Travaux"),
    ("45111300", "Démolition et désamiantage {e}", "Travaux"),
    ("71000000", "Maîtrise d'œuvre pour la restructuration {e}", "Maitrise d'œuvre"),
    ("90910000", "Nettoyage des locaux {e}", "Fournitures courantes et services"),
    ("77310000", "Entretien des espaces verts {e}", "Fournitures courantes et services"),
    ("55523100", "Restauration collective {e}", "Fournitures courantes et services"),
    ("79710000", "Gardiennage et sécurité {e}", "Fournitures courantes et services"),
    ("60100000", "Transport de personnes {e}", "Fournitures courantes et services"),
    ("30190000", "Fournitures de bureau {e}", "Fournitures courantes et services"),
    ("72000000", "Maintenance des applications {e}", "Techniques de l'information et de la communication"),
    ("79530000", "Traduction et interprétariat {e}", "Prestations intellectuelles"),
    ("50700000", "Maintenance des installations techniques {e}", "Fournitures courantes et services"),
)  # fmt: skip
_EQUIPEMENTS = (
    "de l'école élémentaire", "du collège", "du lycée", "de la médiathèque", "du gymnase", "de la mairie",
    "des logements sociaux", "du centre technique", "de la cité administrative", "de la caserne",
    "du tribunal", "de la préfecture", "du centre hospitalier", "de la piscine", "du conservatoire",
)  # fmt: skip
_PROCEDURES = ("Procédure adaptée", "Appel d'offres ouvert", "Procédure avec négociation",
               "Marché passé sans publicité ni mise en concurrence préalable", "Appel d'offres restreint")  # fmt: skip
_P_PROCEDURES = (0.62, 0.22, 0.08, 0.05, 0.03)
_SOCIALES = (("Clause sociale",), ("Critère social",), ("Clause sociale", "Critère social"), ("Marché réservé",))
_P_SOCIALES = (0.62, 0.14, 0.14, 0.10)


def _siren_fictif(prefixe: str, rng: np.random.Generator, nombre: int) -> list[str]:
    """`nombre` SIREN distincts commençant par `prefixe`, à clé de Luhn FAUSSE (donc inexistants)."""
    vus: set[str] = set()
    resultat: list[str] = []
    while len(resultat) < nombre:
        corps = prefixe + "".join(map(str, rng.integers(0, 10, 8 - len(prefixe))))
        total = 0
        for i, c in enumerate(reversed(corps + "0")):
            n = int(c) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        cle_juste = (10 - total % 10) % 10
        siren = corps + str((cle_juste + 1 + int(rng.integers(0, 9))) % 10)  # toute clé sauf la bonne
        if siren not in vus:
            vus.add(siren)
            resultat.append(siren)
    return resultat


def _acheteurs(referentiel: Referentiel, rng: np.random.Generator) -> pd.DataFrame:
    """Acheteurs fictifs : par département 3 services de l'État, 6 collectivités, 2 autres ; 12 ministères nationaux."""
    deps = referentiel.departements.index.tolist()
    lignes = []
    for type_, prefixe, par_dep in (("etat", "1", 3), ("collectivite", "2", 6), ("autre", "7", 2)):
        sirens = _siren_fictif(prefixe, rng, par_dep * len(deps))
        for k, siren in enumerate(sirens):
            lignes.append({"siren": siren, "type": type_, "departement": deps[k // par_dep]})
    for siren in _siren_fictif("11", rng, 12):
        lignes.append({"siren": siren, "type": "etat", "departement": ""})
    acheteurs = pd.DataFrame(lignes)
    acheteurs["siret"] = acheteurs["siren"] + [f"{int(n):05d}" for n in rng.integers(10, 900, len(acheteurs))]
    return acheteurs


def contrats_synthetiques(
    n: int, *, referentiel: Referentiel, graine: int = GRAINE, part_non_placables: float = 0.008
) -> pd.DataFrame:
    """Marchés fictifs, une ligne par marché (tirages vectorisés, déterministes pour une graine).

    Returns
    -------
    pandas.DataFrame
        Colonnes : `id`, `acheteur_siret`, `type_acheteur`, `nature`, `objet`, `code_cpv`, `ccag`,
        `procedure`, `lieu_code`, `lieu_type`, `duree_mois`, `date_notification`,
        `date_publication` (chaînes `aaaa-mm-jj`), `montant` (€ HT, 2 décimales), `offres_recues`,
        `titulaire_siret`, `considerations_sociales` (tuple de valeurs du schéma).
    """
    rng = np.random.default_rng(graine)
    communes = referentiel.communes
    poids = communes["population"].to_numpy(float) ** 0.8
    poids /= poids.sum()
    commune = communes.index.to_numpy()[rng.choice(len(communes), size=n, p=poids)]
    departement = communes["departement"].reindex(commune).to_numpy()
    region = communes["region"].reindex(commune).to_numpy()

    acheteurs = _acheteurs(referentiel, rng)
    types = rng.choice(np.array(["etat", "collectivite", "autre"]), size=n, p=[0.27, 0.58, 0.15])
    siret = np.empty(n, dtype=object)
    nationaux = acheteurs[acheteurs["departement"] == ""]["siret"].to_numpy()
    locaux = acheteurs[acheteurs["departement"] != ""].set_index(["type", "departement"])["siret"]
    groupes = locaux.groupby(level=[0, 1]).agg(list)
    cle = pd.MultiIndex.from_arrays([types, departement])
    choix_local = rng.random(n)
    listes = groupes.reindex(cle).to_numpy()
    tailles = np.array([len(x) for x in listes])
    rang = (choix_local * tailles).astype(int)
    siret[:] = [liste[r] for liste, r in zip(listes, rang)]
    national = (types == "etat") & (rng.random(n) < 0.3)  # un tiers des marchés de l'État : ministères
    siret[national] = nationaux[rng.integers(0, len(nationaux), int(national.sum()))]

    # Lieu d'exécution : code commune le plus souvent, sinon code postal, département ou région.
    genre = rng.choice(5, size=n, p=[0.72, 0.18, 0.07, 0.02, 0.01])
    postal_de = referentiel.codes_postaux.drop_duplicates("commune").set_index("commune")["code_postal"]
    postal = postal_de.reindex(commune).to_numpy()
    lieu_code = np.select([genre == 0, genre == 1, genre == 2], [commune, postal, departement], region).astype(object)
    lieu_type = np.select(
        [genre == 0, genre == 1, genre == 2, genre == 3], ["Code commune", "Code postal", "Code département", "Code région"],
        "Code commune",
    ).astype(object)
    lieu_code[genre == 4] = commune[genre == 4]  # code commune, parfois à 4 chiffres comme dans les vrais fichiers
    court = (genre == 4) & np.char.startswith(commune.astype(str), "0")
    lieu_code[court] = [c[1:] for c in commune[court]]
    cedex = rng.random(n) < 0.01  # codes postaux CEDEX (absents de la table) : placés au département
    postaux_connus = set(referentiel.codes_postaux["code_postal"])
    cedex_codes = np.array([d[:2] + "9" + f"{k:02d}" if len(d) == 2 else d + "99" for d, k in
                            zip(departement, rng.integers(0, 100, n))], dtype=object)  # fmt: skip
    cedex &= np.array([c not in postaux_connus for c in cedex_codes]) & (genre == 1)
    lieu_code[cedex] = cedex_codes[cedex]
    non_placable = rng.random(n) < part_non_placables
    inconnu = rng.integers(0, 3, n)
    lieu_type[non_placable] = np.where(inconnu[non_placable] == 2, "Code commune", "Code pays")
    lieu_code[non_placable] = np.array(["BE", "DE", "99999"], dtype=object)[inconnu[non_placable]]

    achat = rng.integers(0, len(_ACHATS), n)
    equipement = rng.integers(0, len(_EQUIPEMENTS), n)
    objet = [_ACHATS[a][1].format(e=_EQUIPEMENTS[e]) for a, e in zip(achat, equipement)]
    cpv = np.array([a[0] for a in _ACHATS], dtype=object)[achat]
    ccag = np.array([a[2] for a in _ACHATS], dtype=object)[achat]
    travaux = ccag == "Travaux"
    montant = np.exp(rng.normal(np.log(45_000), 1.25, n)) * np.where(travaux, 3.0, 1.0)
    montant *= np.where(types == "etat", 1.4, 1.0)
    montant = np.round(np.clip(montant, 1_000, 60_000_000), 2)

    debut = np.datetime64("2024-01-01")
    jours = rng.integers(0, 731, n)
    notification = (debut + jours.astype("timedelta64[D]")).astype(str)
    publication = (debut + (jours + rng.integers(1, 30, n)).astype("timedelta64[D]")).astype(str)

    # Considérations sociales : plus fréquentes à l'État, variables d'une région à l'autre.
    facteur_region = {r: f for r, f in zip(sorted(referentiel.regions.index), rng.uniform(0.55, 1.45, 18))}
    base = np.select([types == "etat", types == "collectivite"], [0.27, 0.17], 0.12)
    probabilite = np.clip(base * pd.Series(region).map(facteur_region).to_numpy() * np.where(travaux, 1.4, 1.0), 0, 0.9)
    avec = rng.random(n) < probabilite
    genre_social = rng.choice(len(_SOCIALES), size=n, p=_P_SOCIALES)
    sociales = np.empty(n, dtype=object)
    sociales[:] = [("Pas de considération sociale",)] * n
    sociales[avec] = [_SOCIALES[g] for g in genre_social[avec]]

    titulaires = [s + f"{int(k):05d}" for s, k in zip(_siren_fictif("4", rng, 3000), rng.integers(10, 900, 3000))]
    ids = [f"{d[:4]}{k:07d}" for d, k in zip(notification, range(1, n + 1))]
    return pd.DataFrame(
        {
            "id": ids,
            "acheteur_siret": siret,
            "type_acheteur": types,
            "nature": "Marché",
            "objet": objet,
            "code_cpv": cpv,
            "ccag": ccag,
            "procedure": np.array(_PROCEDURES, dtype=object)[rng.choice(len(_PROCEDURES), size=n, p=_P_PROCEDURES)],
            "lieu_code": lieu_code,
            "lieu_type": lieu_type,
            "duree_mois": rng.choice([3, 6, 12, 24, 36, 48], size=n),
            "date_notification": notification,
            "date_publication": publication,
            "montant": montant,
            "offres_recues": rng.integers(1, 9, n),
            "titulaire_siret": np.array(titulaires, dtype=object)[rng.integers(0, len(titulaires), n)],
            "considerations_sociales": sociales,
        }
    )


def _chaine(valeur: str) -> str:
    return json.dumps(valeur, ensure_ascii=False)


def decp_json_2024(contrats: pd.DataFrame) -> bytes:
    """Les marchés au format JSON officiel des DECP 2024 (`{"marches": {"marche": [...]}}`), compact, UTF-8.

    Chaque marché porte tous les champs obligatoires du schéma 2.0 (arrêté du 22 décembre 2022).
    """
    cache: dict[str, str] = {}

    def c(v: str) -> str:
        texte = cache.get(v)
        if texte is None:
            texte = cache[v] = _chaine(v)
        return texte

    modele = (
        '{{"id":{id},"acheteur":{{"id":{ach}}},"nature":{nat},"objet":{obj},"codeCPV":{cpv},'
        '"techniques":{{"technique":["Sans objet"]}},"modalitesExecution":{{"modaliteExecution":["Sans objet"]}},'
        '"marcheInnovant":false,"ccag":{ccag},"offresRecues":{off},"attributionAvance":false,'
        '"typeGroupementOperateurs":"Pas de groupement","procedure":{proc},'
        '"lieuExecution":{{"code":{lc},"typeCode":{lt}}},"dureeMois":{duree},"dateNotification":"{dn}",'
        '"datePublicationDonnees":"{dp}","montant":{mt},"typesPrix":{{"typePrix":["Définitif ferme"]}},'
        '"formePrix":"Forfaitaire","sousTraitanceDeclaree":false,'
        '"titulaires":[{{"titulaire":{{"typeIdentifiant":"SIRET","id":"{tit}"}}}}],'
        '"considerationsSociales":{{"considerationSociale":{soc}}},'
        '"considerationsEnvironnementales":{{"considerationEnvironnementale":["Pas de considération environnementale"]}}}}'
    )
    sociales = {v: json.dumps(list(v), ensure_ascii=False) for v in set(contrats["considerations_sociales"])}
    enregistrements = [
        modele.format(
            id=c(i), ach=c(a), nat=c(nat), obj=c(o), cpv=c(cpv), ccag=c(cc), off=int(off), proc=c(p), lc=c(str(lc)),
            lt=c(lt), duree=int(d), dn=dn, dp=dp, mt=repr(float(m)), tit=t, soc=sociales[s],
        )
        for i, a, nat, o, cpv, cc, off, p, lc, lt, d, dn, dp, m, t, s in zip(
            contrats["id"], contrats["acheteur_siret"], contrats["nature"], contrats["objet"], contrats["code_cpv"],
            contrats["ccag"], contrats["offres_recues"], contrats["procedure"], contrats["lieu_code"],
            contrats["lieu_type"], contrats["duree_mois"], contrats["date_notification"],
            contrats["date_publication"], contrats["montant"], contrats["titulaire_siret"],
            contrats["considerations_sociales"],
        )
    ]  # fmt: skip
    return ('{"marches":{"marche":[\n' + ",\n".join(enregistrements) + "\n]}}\n").encode("utf-8")


def decp_csv(contrats: pd.DataFrame, *, separateur: str = ";") -> bytes:
    """Les marchés au format CSV « à plat » des DECP consolidées (colonnes pointées, `acheteur.id`, …)."""
    table = pd.DataFrame(
        {
            "id": contrats["id"],
            "acheteur.id": contrats["acheteur_siret"],
            "nature": contrats["nature"],
            "objet": contrats["objet"],
            "codeCPV": contrats["code_cpv"],
            "procedure": contrats["procedure"],
            "lieuExecution.code": contrats["lieu_code"],
            "lieuExecution.typeCode": contrats["lieu_type"],
            "dureeMois": contrats["duree_mois"],
            "dateNotification": contrats["date_notification"],
            "montant": contrats["montant"],
            "considerationsSociales": [", ".join(v) for v in contrats["considerations_sociales"]],
            "titulaire_id_1": contrats["titulaire_siret"],
        }
    )
    return table.to_csv(sep=separateur, index=False).encode("utf-8")


def generer_decp_demo(referentiel: Referentiel, *, n: int = NB_CONTRATS_DEMO) -> bytes:
    """Le fichier `decp_demo.json.gz` (gzip sans date : octets identiques d'une exécution à l'autre)."""
    contrats = contrats_synthetiques(n, referentiel=referentiel)
    return gzip.compress(decp_json_2024(contrats), compresslevel=9, mtime=0)


# --------------------------------------------------------------------------------------------
# Quartiers illustratifs (QPV, NPNRU)
# --------------------------------------------------------------------------------------------

# (commune, nom, décalage du centre en mètres (est, nord), rayon en m, intérêt NPNRU ou "")
_QUARTIERS = (
    ("93066", "Quartier illustratif des Cèdres", (0, 0), 700, "national"),
    ("93066", "Quartier illustratif du Canal", (0, 0), 600, ""),  # centre déplacé sur la limite avec Aubervilliers
    ("59350", "Quartier illustratif des Tisserands", (800, -600), 650, "national"),
    ("59512", "Quartier illustratif de la Filature", (0, 400), 600, "regional"),
    ("13055", "Quartier illustratif des Calanques Nord", (-2500, 6000), 900, "national"),
    ("13055", "Quartier illustratif de la Gare", (1500, 2500), 600, ""),
    ("69259", "Quartier illustratif des Minguettes-Est", (500, -300), 700, "national"),
    ("62119", "Quartier illustratif du Mont-Liébaut", (-500, 500), 500, "regional"),
    ("91286", "Quartier illustratif de la Grande Borne", (0, 0), 600, "national"),
    ("31555", "Quartier illustratif du Mirail-Sud", (-3000, -2500), 800, "regional"),
    ("97411", "Quartier illustratif du Chaudron", (2500, 300), 600, "national"),
    ("97101", "Quartier illustratif de Grand-Camp", (0, 0), 500, "regional"),
)  # fmt: skip


def _hexagone(x: float, y: float, rayon: float) -> shapely.Polygon:
    angles = np.deg2rad(np.arange(0, 360, 60) + 15)
    return shapely.Polygon(np.c_[x + rayon * np.cos(angles), y + rayon * np.sin(angles)])


def _crs_local(code_commune: str) -> str:
    """CRS métrique : Lambert-93 en métropole, UTM local dans les DROM."""
    return {"971": "EPSG:5490", "972": "EPSG:5490", "973": "EPSG:2972", "974": "EPSG:2975", "976": "EPSG:4471"}.get(
        code_commune[:3], "EPSG:2154"
    )


def generer_qpv_demo(referentiel: Referentiel, communes: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Quartiers illustratifs au format des contours officiels 2024 : un objet par couple quartier × commune.

    Propriétés : `code_qp` (`QX` + département sur 3 caractères + numéro : codes inventés, le
    préfixe `QX` n'existe pas dans la nomenclature officielle), `lib_qp`, `insee_com`, `lib_com`,
    `source`. Géométries : hexagones de 500 à 900 m de rayon, EPSG:4326.
    """
    communes = communes if communes is not None else charger_geometries("commune", affichage=False)
    morceaux = []
    compteurs: dict[str, int] = {}
    for code_commune, nom, (dx, dy), rayon, _ in _QUARTIERS:
        crs = _crs_local(code_commune)
        contour = communes.loc[[code_commune]].to_crs(crs)
        if "Canal" in nom:  # à cheval sur Saint-Denis et Aubervilliers
            voisine = communes.loc[["93001"]].to_crs(crs)
            centre = contour.geometry.iloc[0].intersection(voisine.geometry.iloc[0]).representative_point()
        else:
            centre = contour.geometry.iloc[0].representative_point()
        hexagone = _hexagone(centre.x + dx, centre.y + dy, rayon)
        dep = referentiel.communes.at[code_commune, "departement"]
        compteurs[dep] = compteurs.get(dep, 0) + 1
        code_qp = f"QX{dep.zfill(3)}{compteurs[dep]:02d}"
        proches = communes.iloc[communes.sindex.query(
            gpd.GeoSeries([hexagone], crs=crs).to_crs(communes.crs).iloc[0], predicate="intersects"
        )].to_crs(crs)  # fmt: skip
        for code, geometrie in proches.geometry.items():
            partie = hexagone.intersection(geometrie)
            if partie.area >= 0.05 * hexagone.area:
                morceaux.append(
                    {"code_qp": code_qp, "lib_qp": nom, "insee_com": code, "lib_com": referentiel.communes.at[code, "nom"],
                     "source": SOURCE_QPV_DEMO,
                     "geometry": gpd.GeoSeries([partie], crs=crs).to_crs("EPSG:4326").iloc[0]}
                )  # fmt: skip
    gdf = gpd.GeoDataFrame(morceaux, geometry="geometry", crs="EPSG:4326")
    gdf["geometry"] = shapely.set_precision(gdf.geometry.array, 1e-6)
    return gdf


def generer_npnru_demo(qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """Liste NPNRU illustrative : les quartiers de `_QUARTIERS` qui ont un intérêt, avec leur commune principale."""
    interets = {nom: interet for _, nom, _, _, interet in _QUARTIERS if interet}
    premiers = qpv.drop_duplicates("code_qp")
    lignes = premiers[premiers["lib_qp"].isin(interets)]
    return pd.DataFrame(
        {
            "code_qpv": lignes["code_qp"].to_numpy(),
            "nom": lignes["lib_qp"].to_numpy(),
            "interet": [interets[n] for n in lignes["lib_qp"]],
            "commune": lignes["insee_com"].to_numpy(),
            "source": SOURCE_NPNRU_DEMO,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écrit les échantillons fictifs de besoins dans data/demo/.")
    parser.add_argument("--dossier", type=Path, default=DOSSIER_DEMO)
    args = parser.parse_args(argv)
    referentiel = charger_referentiel()
    args.dossier.mkdir(parents=True, exist_ok=True)
    decp = generer_decp_demo(referentiel)
    (args.dossier / "decp_demo.json.gz").write_bytes(decp)
    qpv = generer_qpv_demo(referentiel)
    (args.dossier / "qpv_demo.geojson").write_text(qpv.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")
    npnru = generer_npnru_demo(qpv)
    npnru.to_csv(args.dossier / "npnru_demo.csv", sep=";", index=False, encoding="utf-8")
    print(
        f"decp_demo.json.gz : {NB_CONTRATS_DEMO} marchés fictifs ({len(decp) / 1e6:.1f} Mo) ; "
        f"qpv_demo.geojson : {qpv['code_qp'].nunique()} quartiers illustratifs ; npnru_demo.csv : {len(npnru)} lignes."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
