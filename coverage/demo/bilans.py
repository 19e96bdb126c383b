"""Bilans FICTIFS des structures financées de la démonstration : `python -m coverage.demo.bilans`.

Pour chaque convention de la démonstration (structure × année de `financement_pnad`), un bilan
intermédiaire et un bilan annuel plausibles, tous marqués « Bilan fictif de démonstration » dans
`commentaire` :
- heures d'insertion par ETP subventionné réparties selon une loi log-normale (médiane 18 000 h,
  de 7 000 à 45 000 h pour la plupart), propres à chaque structure et en progression d'une année
  sur l'autre (+6 % en moyenne) ; part des marchés de l'État autour de 30 % ;
- le bilan intermédiaire reprend environ 45 % de l'année ;
- remise : la plupart à l'échéance ou peu avant, environ 20 % en retard (5 à 60 jours), quelques
  bilans manquants (plus souvent pour la dernière année) ;
- répartitions (`bilans_repartitions`) des bilans annuels de la dernière année, selon les dimensions
  documentées.

Écrit `data/demo/bilans.csv` et `data/demo/bilans_repartitions.csv` ; graine fixe, relancer la
commande les reproduit à l'identique.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from coverage.bilans.echeances import conventions, echeances
from coverage.financement.parametres import PARAMETRES_2025
from coverage.modele import BILANS, BILANS_REPARTITIONS, DIMENSIONS_BILANS, DOSSIER_DEMO

GRAINE = 2026
MENTION = "Bilan fictif de démonstration"
_COMMENTAIRES = (
    "marchés de nettoyage et d'espaces verts de services de l'État accompagnés",
    "parcours avec formation préalable à l'embauche dans le BTP",
    "relance des titulaires en fin de chantier, tutorat renforcé",
    "premier semestre consacré aux acheteurs hospitaliers",
    "**mise en relation** avec France Travail et les SIAE du territoire",
)


def _arrondi(x: np.ndarray, pas: float = 1.0) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float) / pas) * pas


def _annuels(conv: pd.DataFrame, structures: pd.DataFrame, nb_perimetres: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Indicateurs annuels de chaque convention (heures, marchés, montants, bénéficiaires…)."""
    infos = structures.set_index("id_structure")
    ids = conv["id_structure"].unique()
    niveau = pd.Series(np.exp(rng.normal(np.log(18_000), 0.45, len(ids))), index=ids)  # h par ETP propres à la structure
    part_etat = pd.Series(rng.beta(3, 7, len(ids)), index=ids)
    n = len(conv)
    annee0 = conv["annee"].min()
    croissance = (1.06 ** (conv["annee"] - annee0)).to_numpy() * rng.normal(1, 0.08, n)
    etp = np.maximum(_arrondi(conv["id_structure"].map(infos["etp_facilitateur"]).to_numpy(), 0.5), 0.5)
    heures = _arrondi(etp * conv["id_structure"].map(niveau).to_numpy() * croissance, 10)
    etat = _arrondi(heures * np.clip(conv["id_structure"].map(part_etat).to_numpy() * rng.normal(1, 0.1, n), 0, 1), 10)
    marches = np.maximum(rng.poisson(heures / 900), 1)
    marches_etat = np.minimum(rng.binomial(marches, np.clip(etat / np.maximum(heures, 1), 0, 1)), marches)
    montant = _arrondi(marches * np.exp(rng.normal(np.log(250_000), 0.5, n)), 1000)
    acheteurs = np.maximum(np.ceil(marches / rng.uniform(1.5, 3.5, n)), 1)
    acheteurs_etat = np.minimum(np.ceil(acheteurs * marches_etat / marches), acheteurs)
    return pd.DataFrame({
        "id_structure": conv["id_structure"].to_numpy(), "annee": conv["annee"].to_numpy(), "etp_subventionnes": etp,
        "heures_insertion_total": heures, "heures_insertion_etat": etat,
        "marches_accompagnes_total": marches, "marches_accompagnes_etat": marches_etat,
        "montant_marches_ht_total": montant, "montant_marches_ht_etat": _arrondi(montant * marches_etat / marches, 1000),
        "acheteurs_accompagnes_total": acheteurs, "acheteurs_accompagnes_etat": acheteurs_etat,
        "heures_clausees_porteur": _arrondi(heures * rng.uniform(1.0, 2.5, n), 10),
        "contacts_acheteurs": rng.poisson(35 * etp), "beneficiaires_etp": _arrondi(heures / 1607, 0.1),
        "beneficiaires_nombre": np.ceil(heures / 1607 * rng.uniform(1.8, 3.2, n)),
        "structures_inclusives_mobilisees": rng.poisson(6, n), "territoires_concernes":
            conv["id_structure"].map(nb_perimetres).fillna(1).to_numpy(),
    })


def _precedentes(annuels: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Heures de l'année précédente : celles du bilan annuel précédent, sinon estimées (−6 %)."""
    cle = annuels["id_structure"] + "|" + (annuels["annee"] - 1).astype(str)
    connues = pd.Series(annuels["heures_insertion_total"].to_numpy(),
                        index=annuels["id_structure"] + "|" + annuels["annee"].astype(str))
    estimees = _arrondi(annuels["heures_insertion_total"] / rng.normal(1.06, 0.08, len(annuels)), 10)
    return cle.map(connues).fillna(pd.Series(estimees, index=annuels.index))


def _remises(bilans: pd.DataFrame, rng: np.random.Generator, derniere: int) -> pd.Series:
    """Date de remise autour de l'échéance (20 % en retard de 5 à 60 jours) ; NaT = bilan manquant."""
    echeance = pd.to_datetime([echeances(PARAMETRES_2025, a)[p] for a, p in zip(bilans["annee"], bilans["periode"],
                                                                                   strict=True)])
    avance = rng.integers(0, 25, len(bilans))
    retard = rng.integers(5, 61, len(bilans))
    en_retard = rng.random(len(bilans)) < 0.2
    decalage = np.where(en_retard, retard, -avance)
    remise = pd.Series(echeance + pd.to_timedelta(decalage, unit="D"), index=bilans.index)
    p_manquant = np.where(bilans["annee"] == derniere, 0.12, 0.04)
    return remise.where(rng.random(len(bilans)) >= p_manquant)


def _repartir(total: float, categories: list[str], rng: np.random.Generator) -> dict[str, float]:
    if total <= 0:
        return {}
    parts = rng.multinomial(int(total), rng.dirichlet(np.ones(len(categories)) * 0.8))
    return {c: float(v) for c, v in zip(categories, parts, strict=True) if v > 0}


def generer_repartitions(annuels: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Lignes de `bilans_repartitions` de chaque bilan annuel reçu (sommes égales aux totaux du bilan)."""
    lignes = []
    for b in annuels.itertuples(index=False):
        cle = {"id_structure": b.id_structure, "annee": b.annee, "periode": "annuel"}
        autres_acheteurs = ["collectivites", "bailleurs_renouvellement_urbain", "autres_publics", "prives"]
        valeurs = {
            "acheteurs": {**_repartir(b.acheteurs_accompagnes_etat, ["etat", "epa_etat"], rng),
                          **_repartir(b.acheteurs_accompagnes_total - b.acheteurs_accompagnes_etat, autres_acheteurs, rng)},
            "segments": _repartir(b.marches_accompagnes_total, list(DIMENSIONS_BILANS["segments"].categories), rng),
            "beneficiaires": _repartir(b.beneficiaires_nombre, list(DIMENSIONS_BILANS["beneficiaires"].categories), rng),
            "secteurs": _repartir(b.marches_accompagnes_total, list(DIMENSIONS_BILANS["secteurs"].categories), rng),
            "structures_inclusives": _repartir(b.structures_inclusives_mobilisees,
                                               list(DIMENSIONS_BILANS["structures_inclusives"].categories), rng),
        }
        lignes += [{**cle, "dimension": d, "categorie": c, "valeur": v} for d, cats in valeurs.items() for c, v in cats.items()]
    return pd.DataFrame(lignes, columns=BILANS_REPARTITIONS.noms)


def generer_bilans(structures: pd.DataFrame, perimetres: pd.DataFrame, *, graine: int = GRAINE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bilans et répartitions fictifs des conventions de `structures` (années de `financement_pnad`)."""
    rng = np.random.default_rng(graine)
    vides = pd.DataFrame({"id_structure": pd.Series(dtype=str), "annee": pd.Series(dtype=int),
                          "periode": pd.Series(dtype=str), "date_remise": pd.Series(dtype="datetime64[ns]")})
    conv = conventions(structures, vides)
    annuels = _annuels(conv, structures, perimetres.groupby("id_structure").size(), rng)
    annuels["heures_annee_precedente"] = _precedentes(annuels, rng)
    semestre = annuels.copy()
    fraction = rng.uniform(0.35, 0.55, len(semestre))
    for col in ("heures_insertion_total", "heures_insertion_etat", "heures_clausees_porteur"):
        semestre[col] = _arrondi(annuels[col] * fraction, 10)
    for col in ("marches_accompagnes_total", "marches_accompagnes_etat", "acheteurs_accompagnes_total",
                "acheteurs_accompagnes_etat", "contacts_acheteurs", "beneficiaires_nombre", "structures_inclusives_mobilisees"):
        semestre[col] = np.floor(annuels[col] * fraction)
    semestre["montant_marches_ht_total"] = _arrondi(annuels["montant_marches_ht_total"] * fraction, 1000)
    semestre["montant_marches_ht_etat"] = np.minimum(_arrondi(annuels["montant_marches_ht_etat"] * fraction, 1000),
                                                     semestre["montant_marches_ht_total"])
    semestre["beneficiaires_etp"] = _arrondi(annuels["beneficiaires_etp"] * fraction, 0.1)
    bilans = pd.concat([semestre.assign(periode="intermediaire"), annuels.assign(periode="annuel")], ignore_index=True)
    bilans["date_remise"] = _remises(bilans, rng, int(conv["annee"].max()))
    bilans["commentaire"] = [f"{MENTION} : {_COMMENTAIRES[i]}." for i in rng.integers(0, len(_COMMENTAIRES), len(bilans))]
    bilans = bilans[bilans["date_remise"].notna()].sort_values(["annee", "id_structure", "periode"], ascending=[True, True, False])
    recus = bilans[(bilans["periode"] == "annuel") & (bilans["annee"] == bilans["annee"].max())]
    return bilans[BILANS.noms].reset_index(drop=True), generer_repartitions(recus, rng)


def _en_texte(table: pd.DataFrame) -> pd.DataFrame:
    sortie = table.copy()
    for col in sortie.columns:
        if pd.api.types.is_datetime64_any_dtype(sortie[col]):
            sortie[col] = sortie[col].dt.strftime("%d/%m/%Y")
        elif pd.api.types.is_numeric_dtype(sortie[col]) and col != "annee":
            sortie[col] = sortie[col].map(lambda v: "" if pd.isna(v) else f"{v:.10g}".replace(".", ","))
    return sortie


def ecrire_bilans_demo(dossier: Path = DOSSIER_DEMO, *, graine: int = GRAINE) -> dict[str, int]:
    """Écrit `bilans.csv` et `bilans_repartitions.csv` dans `dossier` depuis ses structures et périmètres."""
    structures = pd.read_csv(dossier / "structures.csv", sep=";", dtype=str, keep_default_na=False)
    structures["etp_facilitateur"] = structures["etp_facilitateur"].str.replace(",", ".").astype(float)
    perimetres = pd.read_csv(dossier / "perimetres.csv", sep=";", dtype=str, keep_default_na=False)
    bilans, repartitions = generer_bilans(structures, perimetres, graine=graine)
    _en_texte(bilans).to_csv(dossier / "bilans.csv", sep=";", index=False, encoding="utf-8")
    _en_texte(repartitions).to_csv(dossier / "bilans_repartitions.csv", sep=";", index=False, encoding="utf-8")
    return {"bilans": len(bilans), "repartitions": len(repartitions)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère les bilans fictifs de démonstration.")
    parser.add_argument("--dossier", type=Path, default=DOSSIER_DEMO)
    args = parser.parse_args(argv)
    comptes = ecrire_bilans_demo(args.dossier)
    print(f"Bilans fictifs écrits dans {args.dossier} : {comptes['bilans']} bilans, {comptes['repartitions']} lignes de répartition")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
