"""Allocation de l'enveloppe (coverage.financement.allocation) : ordre de priorité, optimisation, placements."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

import coverage.financement.optimisation as optimisation
from coverage.financement.allocation import (
    OptionsSolveur,
    allouer_optimisation,
    allouer_priorite,
    comparer,
    objectif_couverture,
    suggerer_placements,
)
from coverage.financement.regles import evaluer_dossiers

PNAD = "2022,2023,2024"


def d(id_dossier: str, montant: float, *, etp: float = 1.0, region: str = "84", pnad: str = "", **autres) -> dict:
    """Un dossier dont le montant maximal vaut `montant` (limité par le montant demandé)."""
    cout = round(montant * 1.5, 2)  # 70 % du coût > montant : c'est la demande qui limite
    ligne = {
        "id_dossier": id_dossier,
        "statut": "association",
        "region": region,
        "etp_demandes": etp,
        "cout_annuel_total": cout,
        "montant_aap_demande": montant,
        "autres_financements_etat": 0.0,
        "cofinancements": cout - montant,
        "dossier_complet": True,
        "date_depot": pd.Timestamp("2025-07-01"),
        "financement_pnad": pnad,
    }
    ligne.update(autres)
    return ligne


def evalues(*dossiers: dict) -> pd.DataFrame:
    return evaluer_dossiers(pd.DataFrame(list(dossiers)))


def texte(chaine: str) -> str:
    """Les textes séparent les milliers par des espaces insécables (coverage.documents.format) : on les
    compare ici à des chaînes écrites avec des espaces ordinaires, plus lisibles."""
    return chaine.replace("\u00a0", " ")


def par_id(resultat, colonne: str) -> dict:
    valeurs = resultat.lignes[colonne]
    if colonne == "explication":
        valeurs = valeurs.map(texte)
    return dict(zip(resultat.lignes["id_dossier"], valeurs, strict=True))


def messages(resultat) -> tuple[str, ...]:
    return tuple(texte(m) for m in resultat.messages)


def couverture(paires: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([(i, c) for i, communes in paires.items() for c in communes], columns=["id_dossier", "commune"])


# --- Mode 1 : ordre de priorité ----------------------------------------------------------------


def test_ordre_de_priorite_de_l_appel():
    table = evalues(
        d("E1", 20_000.0, couvre_zone_blanche=True, note_marches_etat=5.0),
        d("E2", 20_000.0, pnad=PNAD),  # 1. PNAD 2022, 2023 et 2024
        d("E3", 20_000.0, pnad="2023,2024", note_marches_etat=5.0, note_diagnostic=1.0),  # deux années : pas prioritaire
        d("E4", 20_000.0, couvre_grand_projet=True, note_marches_etat=1.0),
        d("E5", 20_000.0, note_marches_etat=5.0, note_diagnostic=5.0),
        d("E6", 20_000.0, note_marches_etat=5.0, note_diagnostic=5.0),  # égalité parfaite avec E5 : id_dossier
    )
    resultat = allouer_priorite(table, enveloppe=1_000_000.0)
    assert par_id(resultat, "rang") == {"E2": 1, "E1": 2, "E4": 3, "E5": 4, "E6": 5, "E3": 6}


def test_priorites_fournies_par_le_moteur_de_couverture():
    table = evalues(d("E1", 20_000.0, note_marches_etat=5.0), d("E2", 20_000.0))
    priorites = pd.DataFrame({"id_dossier": ["E2"], "couvre_zone_blanche": [True]})
    resultat = allouer_priorite(table, enveloppe=1_000_000.0, priorites=priorites)
    assert par_id(resultat, "rang") == {"E2": 1, "E1": 2}


def test_egalite_departagee_par_id_dossier():
    table = evalues(d("B", 28_000.0), d("A", 28_000.0))
    resultat = allouer_priorite(table, enveloppe=28_000.0, financement_partiel=False)
    assert par_id(resultat, "montant_attribue") == {"B": 0.0, "A": 28_000.0}


def test_enveloppe_exactement_epuisee():
    table = evalues(d("A", 28_000.0), d("B", 28_000.0), d("C", 14_736.5, etp=0.5))
    resultat = allouer_priorite(table, enveloppe=70_736.5)
    assert par_id(resultat, "statut_financement") == {"A": "total", "B": "total", "C": "total"}
    assert resultat.enveloppe_utilisee == 70_736.5
    assert resultat.enveloppe_restante == 0.0
    assert "Pas de ligne de coupure : tous les dossiers éligibles sont financés en totalité." in messages(resultat)


@pytest.mark.parametrize(
    ("reliquat", "attendu_b", "etp_b", "attendu_c"),
    [
        (16_000.0, 16_000.0, 0.5714, 0.0),  # le reliquat finance 0,57 ETP de B : financement partiel
        (14_000.0, 14_000.0, 0.5, 0.0),  # exactement 0,5 ETP : admis
        (13_999.99, 0.0, 0.0, 13_000.0),  # un centime de moins : B sauté, C tient dans le reliquat
    ],
    ids=["0.57-etp", "0.5-etp-exact", "sous-0.5-etp"],
)
def test_ligne_de_coupure_et_financement_partiel(reliquat, attendu_b, etp_b, attendu_c):
    table = evalues(d("A", 28_000.0, pnad=PNAD), d("B", 28_000.0, note_marches_etat=5.0), d("C", 13_000.0, etp=0.5))
    resultat = allouer_priorite(table, enveloppe=28_000.0 + reliquat)
    assert par_id(resultat, "montant_attribue") == {"A": 28_000.0, "B": attendu_b, "C": attendu_c}
    assert par_id(resultat, "etp_finances")["B"] == etp_b


def test_explications_de_la_coupure():
    table = evalues(d("A", 28_000.0, pnad=PNAD), d("B", 28_000.0, note_marches_etat=5.0), d("C", 13_000.0, etp=0.5))
    partiel = par_id(allouer_priorite(table, enveloppe=44_000.0), "explication")
    assert partiel["B"] == (
        "Financé partiellement : 16 000 € sur 28 000 € (0,57 ETP sur 1 ETP), rang 2 sur 3 (marchés de l'État 5/5, "
        "comité 5/20) ; ligne de coupure : le reliquat de l'enveloppe nationale finance au moins 0,5 ETP."
    )
    assert partiel["C"] == (
        "Non financé : rang 3 sur 3 (marchés de l'État 0/5, comité 0/20), sous la ligne de coupure ; "
        "l'enveloppe nationale était épuisée."
    )
    saute = allouer_priorite(table, enveloppe=41_999.99)
    explications = par_id(saute, "explication")
    # 13 999,99 € / 28 000 € = 0,49999… ETP : affiché 0,49 (tronqué), jamais 0,5.
    assert explications["B"].endswith(
        "il fallait 28 000 € et il restait 13 999,99 € sur l'enveloppe nationale, soit 0,49 ETP, moins que le "
        "minimum de 0,5 ETP."
    )
    assert "classé après la ligne de coupure (rang 2), son montant tient dans le reliquat" in explications["C"]
    assert "Ligne de coupure au rang 2 (dossier B, non financé) : il restait 13 999,99 € pour un montant maximal de 28 000 €." in messages(saute)


def test_sans_financement_partiel_on_passe_au_suivant():
    table = evalues(d("A", 28_000.0, pnad=PNAD), d("B", 28_000.0, note_marches_etat=5.0), d("C", 13_000.0, etp=0.5))
    resultat = allouer_priorite(table, enveloppe=44_000.0, financement_partiel=False)
    assert par_id(resultat, "montant_attribue") == {"A": 28_000.0, "B": 0.0, "C": 13_000.0}
    assert resultat.enveloppe_restante == 3_000.0
    assert "le financement partiel n'est pas retenu" in par_id(resultat, "explication")["B"]


def test_enveloppes_regionales():
    table = evalues(d("R1", 28_000.0), d("R2", 28_000.0), d("R3", 28_000.0, region="11"))
    resultat = allouer_priorite(table, enveloppe=100_000.0, enveloppes_regionales={"84": 30_000.0})
    assert par_id(resultat, "montant_attribue") == {"R1": 28_000.0, "R2": 0.0, "R3": 28_000.0}
    assert "il restait 2 000 € sur l'enveloppe régionale (84)" in par_id(resultat, "explication")["R2"]
    assert "Enveloppe régionale 84 : reste 2 000 €." in messages(resultat)
    assert resultat.enveloppe_restante == 44_000.0


def test_dossier_ineligible_jamais_finance():
    table = evalues(d("E", 11_200.0, etp=0.4), d("A", 28_000.0))
    resultat = allouer_priorite(table, enveloppe=1_000_000.0)
    assert par_id(resultat, "montant_attribue") == {"E": 0.0, "A": 28_000.0}
    assert par_id(resultat, "statut_financement")["E"] == "ineligible"
    assert pd.isna(par_id(resultat, "rang")["E"])
    assert par_id(resultat, "explication")["E"] == (
        "Non financé : dossier inéligible (0,4 ETP demandés, moins que le minimum de 0,5 ETP)."
    )


@pytest.mark.parametrize(
    ("enveloppe", "regionales", "message"),
    [
        (-1.0, None, "L'enveloppe doit être un montant positif ou nul (reçu : -1.0)."),
        (100.0, {"84": -5.0}, "L'enveloppe régionale de la région 84 doit être un montant positif ou nul (reçu : -5.0)."),
    ],
    ids=["nationale-negative", "regionale-negative"],
)
def test_enveloppe_invalide_signalee_sans_exception(enveloppe, regionales, message):
    resultat = allouer_priorite(evalues(d("A", 28_000.0)), enveloppe=enveloppe, enveloppes_regionales=regionales)
    assert not resultat.faisable
    assert resultat.statut_solveur == "Infaisable"
    assert messages(resultat) == (message,)
    assert resultat.lignes["montant_attribue"].sum() == 0.0


def test_table_non_evaluee_refusee():
    with pytest.raises(ValueError, match=r"Colonnes manquantes dans les dossiers évalués : `eligible`, `motifs`, `montant_max_aap`"):
        allouer_priorite(pd.DataFrame([d("A", 1.0)]), enveloppe=1.0)


# --- Mode 2 : optimisation ---------------------------------------------------------------------


def test_recouvrement_compte_une_fois():
    # A et B couvrent les mêmes communes : financer B après A n'apporte rien.
    table = evalues(d("A", 28_000.0, pnad=PNAD), d("B", 28_000.0, pnad=PNAD), d("C", 28_000.0))
    cpd = couverture({"A": ["01001", "01002"], "B": ["01001", "01002"], "C": ["01003"]})
    poids = pd.Series({"01001": 60.0, "01002": 40.0, "01003": 50.0})
    priorite = allouer_priorite(table, enveloppe=56_000.0, communes_par_dossier=cpd, poids_communes=poids)
    assert par_id(priorite, "montant_attribue") == {"A": 28_000.0, "B": 28_000.0, "C": 0.0}
    assert priorite.objectif == 100.0  # 60 + 40 : les communes de B sont déjà comptées avec A

    optimum = allouer_optimisation(table, enveloppe=56_000.0, communes_par_dossier=cpd, poids_communes=poids,
                                   financer_prioritaires=False)  # la couverture seule (priorité PNAD ignorée)
    assert optimum.statut_solveur == "Solution optimale"
    assert par_id(optimum, "montant_attribue") == {"A": 28_000.0, "B": 0.0, "C": 28_000.0}
    assert optimum.objectif == 150.0
    assert par_id(optimum, "explication")["B"] == (
        "Non financé : ses communes à couvrir (100 habitants) le sont déjà par d'autres dossiers financés."
    )
    assert messages(optimum)[0] == (
        "Couverture pondérée : 150 habitants avec l'optimisation, contre 100 avec l'ordre de priorité (écart +50)."
    )
    ecarts = comparer(priorite, optimum)
    assert ecarts[["id_dossier", "montant_a", "montant_b", "ecart"]].to_dict("records") == [
        {"id_dossier": "C", "montant_a": 0.0, "montant_b": 28_000.0, "ecart": 28_000.0},
        {"id_dossier": "B", "montant_a": 28_000.0, "montant_b": 0.0, "ecart": -28_000.0},
    ]


def test_objectif_couverture_le_second_dossier_n_apporte_rien():
    cpd = couverture({"A": ["01001", "01002"], "B": ["01002", "01001"]})
    poids = pd.Series({"01001": 60.0, "01002": 40.0})
    seul = pd.DataFrame({"id_dossier": ["A", "B"], "montant_attribue": [28_000.0, 0.0]})
    les_deux = pd.DataFrame({"id_dossier": ["A", "B"], "montant_attribue": [28_000.0, 28_000.0]})
    assert objectif_couverture(seul, cpd, poids) == 100.0
    assert objectif_couverture(les_deux, cpd, poids) == 100.0


def test_comparer_allocations_identiques_vide():
    table = evalues(d("A", 28_000.0))
    resultat = allouer_priorite(table, enveloppe=28_000.0)
    assert comparer(resultat, resultat).empty


def instance_aleatoire(graine: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, float]:
    rng = np.random.default_rng(graine)
    n, n_communes = 12, 40
    etp = rng.choice([0.5, 1.0, 1.5, 2.0], n)
    montant = np.round(etp * rng.uniform(18_000, 29_473, n), 2)
    table = evalues(
        *(
            d(f"D{i:02d}", float(montant[i]), etp=float(etp[i]), pnad=str(rng.choice([PNAD, ""])),
              note_marches_etat=float(rng.integers(0, 6)))
            for i in range(n)
        )
    )
    communes = [f"{c:05d}" for c in range(n_communes)]
    paires = {f"D{i:02d}": list(rng.choice(communes, size=int(rng.integers(3, 9)), replace=False)) for i in range(n)}
    poids = pd.Series(np.where(rng.random(n_communes) < 0.3, 0.0, rng.integers(100, 5_000, n_communes)), index=communes)
    return table, couverture(paires), poids, float(round(0.3 * montant.sum(), 2))


@pytest.mark.parametrize("partiel", [False, True], ids=["entier", "partiel"])
@pytest.mark.parametrize("graine", [0, 1, 2, 3, 4, 5])
def test_optimisation_jamais_moins_bonne_que_la_priorite(graine, partiel):
    table, cpd, poids, enveloppe = instance_aleatoire(graine)
    priorite = allouer_priorite(table, enveloppe=enveloppe, financement_partiel=partiel)
    optimum = allouer_optimisation(
        table, enveloppe=enveloppe, communes_par_dossier=cpd, poids_communes=poids, financement_partiel=partiel,
        options=OptionsSolveur(time_limit=5.0), financer_prioritaires=False,
    )
    assert optimum.statut_solveur == "Solution optimale"
    assert not any("est retenue" in m for m in messages(optimum))  # la solution vient bien du solveur
    assert optimum.objectif >= objectif_couverture(priorite.lignes, cpd, poids)
    assert optimum.objectif == objectif_couverture(optimum.lignes, cpd, poids)
    assert optimum.enveloppe_utilisee <= enveloppe
    finances = optimum.lignes[optimum.lignes["montant_attribue"] > 0]
    assert (finances["etp_finances"] >= 0.5 - 1e-6).all()
    assert (finances["montant_attribue"] <= finances["montant_max_aap"]).all()


def test_financement_partiel_optimisation():
    table = evalues(d("A", 28_000.0), d("B", 56_000.0, etp=2.0))
    cpd = couverture({"A": ["01001"], "B": ["01002"]})
    poids = pd.Series({"01001": 100.0, "01002": 100.0})
    entier = allouer_optimisation(table, enveloppe=56_000.0, communes_par_dossier=cpd, poids_communes=poids)
    assert entier.objectif == 100.0
    partiel = allouer_optimisation(
        table, enveloppe=56_000.0, communes_par_dossier=cpd, poids_communes=poids, financement_partiel=True
    )
    assert partiel.objectif == 200.0
    assert partiel.enveloppe_utilisee == 56_000.0
    assert min(par_id(partiel, "etp_finances").values()) >= 0.5


def test_financement_partiel_jamais_sous_un_demi_etp():
    # 27 000 € : financer les deux à 0,5 ETP coûterait 14 000 + 14 000 = 28 000 € : un seul est couvert.
    table = evalues(d("A", 28_000.0), d("B", 56_000.0, etp=2.0))
    cpd = couverture({"A": ["01001"], "B": ["01002"]})
    poids = pd.Series({"01001": 100.0, "01002": 100.0})
    resultat = allouer_optimisation(
        table, enveloppe=27_000.0, communes_par_dossier=cpd, poids_communes=poids, financement_partiel=True
    )
    assert resultat.objectif == 100.0
    finances = resultat.lignes[resultat.lignes["montant_attribue"] > 0]
    assert len(finances) == 1
    assert finances["etp_finances"].iloc[0] >= 0.5


def test_dossiers_prioritaires_imposes():
    table = evalues(d("P", 28_000.0, pnad=PNAD), d("Q", 28_000.0))
    cpd = couverture({"P": ["01001"], "Q": ["01002"]})
    poids = pd.Series({"01001": 0.0, "01002": 100.0})
    libre = allouer_optimisation(table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids,
                                 financer_prioritaires=False)
    assert par_id(libre, "montant_attribue") == {"P": 0.0, "Q": 28_000.0}
    impose = allouer_optimisation(
        table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids, financer_prioritaires=True
    )
    assert par_id(impose, "montant_attribue") == {"P": 28_000.0, "Q": 0.0}
    assert par_id(impose, "explication")["P"].endswith("; dossier prioritaire (PNAD) imposé.")


def test_priorite_pnad_respectee_par_defaut():
    # Appel, B 2-1 : « Une priorité sera accordée aux projets présentés par les structures […] ayant bénéficié d'un
    # financement au titre du PNAD en 2022, 2023 et 2024. » L'optimisation la respecte sans qu'on le demande.
    table = evalues(d("P", 28_000.0, pnad=PNAD), d("Q", 28_000.0))
    cpd = couverture({"P": ["01001"], "Q": ["01002"]})
    poids = pd.Series({"01001": 0.0, "01002": 100.0})
    resultat = allouer_optimisation(table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids)
    assert par_id(resultat, "montant_attribue") == {"P": 28_000.0, "Q": 0.0}
    assert "priorité PNAD 2022, 2023 et 2024 respectée" in messages(resultat)[-1]


def test_prioritaires_au_dela_de_l_enveloppe_choisis_entre_eux():
    # Les dossiers prioritaires demandent plus que l'enveloppe : aucun autre ne passe avant eux.
    table = evalues(d("P1", 28_000.0, pnad=PNAD), d("P2", 28_000.0, pnad=PNAD), d("Q", 25_000.0))
    resultat = allouer_optimisation(
        table, enveloppe=50_000.0, communes_par_dossier=couverture({"Q": ["01001"]}),
        poids_communes=pd.Series({"01001": 1_000.0}),
    )
    assert resultat.faisable
    assert par_id(resultat, "montant_attribue") == {"P1": 28_000.0, "P2": 0.0, "Q": 0.0}
    assert ("Les 2 dossiers prioritaires (PNAD 2022, 2023 et 2024) demandent 56 000 €, plus que l'enveloppe : "
            "l'optimisation choisit parmi eux seuls.") in messages(resultat)


def test_l_objectif_valorise_les_postes_maintenus():
    # L'appel vise d'abord à consolider les quelque 600 ETP existants : garder un poste financé compte, pas seulement
    # la population nouvellement couverte. M (structure financée par le PNAD en 2024, 1 ETP maintenu) ne couvre
    # aucune commune à couvrir ; N (structure nouvelle) en couvre 10 habitants.
    table = evalues(d("M", 28_000.0, pnad="2024", etp_maintenus=1.0), d("N", 28_000.0))
    cpd = couverture({"M": ["01001"], "N": ["01002"]})
    poids = pd.Series({"01002": 10.0})
    resultat = allouer_optimisation(table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids)
    assert par_id(resultat, "montant_attribue") == {"M": 28_000.0, "N": 0.0}
    assert resultat.objectif == 114_000.0  # 1 ETP maintenu × 114 000 habitants par ETP
    sans_postes = allouer_optimisation(table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids,
                                       valeur_etp_maintenu=0.0)
    assert par_id(sans_postes, "montant_attribue") == {"M": 0.0, "N": 28_000.0}


def test_optimisation_enveloppe_regionale():
    table = evalues(d("A", 28_000.0), d("B", 28_000.0), d("C", 28_000.0, region="11"))
    cpd = couverture({"A": ["01001"], "B": ["01002"], "C": ["75056"]})
    poids = pd.Series({"01001": 100.0, "01002": 90.0, "75056": 10.0})
    resultat = allouer_optimisation(
        table, enveloppe=56_000.0, communes_par_dossier=cpd, poids_communes=poids, enveloppes_regionales={"84": 28_000.0}
    )
    assert par_id(resultat, "montant_attribue") == {"A": 28_000.0, "B": 0.0, "C": 28_000.0}
    assert resultat.objectif == 110.0
    assert "Enveloppe régionale 84 : reste 0 €." in messages(resultat)


def test_solveur_arrete_sans_mieux_faire_garde_la_priorite(monkeypatch):
    options_recues = {}

    def solveur_interrompu(cout, entiers, bas, haut, a, b, *, options, limite_s, depart):
        options_recues.update(time_limit=options.time_limit)
        return "kTimeLimit", np.zeros(len(cout))

    monkeypatch.setattr(optimisation, "_appeler_highs", solveur_interrompu)
    table = evalues(d("A", 28_000.0), d("B", 28_000.0))
    cpd = couverture({"A": ["01001"], "B": ["01002"]})
    poids = pd.Series({"01001": 100.0, "01002": 100.0})
    resultat = allouer_optimisation(
        table, enveloppe=28_000.0, communes_par_dossier=cpd, poids_communes=poids,
        options=OptionsSolveur(time_limit=1.0),
    )
    assert options_recues["time_limit"] == 1.0
    assert resultat.statut_solveur == "Limite atteinte (temps ou nœuds) : meilleure solution trouvée"
    assert par_id(resultat, "montant_attribue") == {"A": 28_000.0, "B": 0.0}
    assert resultat.objectif == 100.0
    assert (
        "Le solveur s'est arrêté (limite atteinte (temps ou nœuds) : meilleure solution trouvée) sur une couverture "
        "de 0 habitants, moins que l'ordre de priorité (100) : l'allocation par ordre de priorité est retenue."
    ) in messages(resultat)


def test_solveur_inconnu_signale():
    table = evalues(d("A", 28_000.0))
    resultat = allouer_optimisation(
        table, enveloppe=28_000.0, communes_par_dossier=couverture({"A": ["01001"]}),
        poids_communes=pd.Series({"01001": 1.0}), solveur="cbc",
    )
    assert not resultat.faisable
    assert messages(resultat) == ("Solveur « cbc » inconnu (attendu : « highs »).",)


def test_communes_mal_formees_refusees():
    with pytest.raises(ValueError, match=r"Table `communes_par_dossier` : colonnes manquantes `commune`"):
        allouer_optimisation(
            evalues(d("A", 28_000.0)), enveloppe=1.0, communes_par_dossier=pd.DataFrame({"id_dossier": ["A"]}),
            poids_communes=pd.Series({"01001": 1.0}),
        )


# --- Placements suggérés -------------------------------------------------------------------------

BESOINS = pd.DataFrame(
    {
        "code": ["200000001", "200000002", "200000003"],
        "population": [300_000.0, 60_000.0, 100_000.0],
        "population_non_couverte": [120_000.0, 60_000.0, 0.0],
        "etp_actuels": [1.0, 0.0, 2.0],
    }
)


def test_placements_glouton_par_demi_etp():
    # 100 000 hab. par ETP : 50 000 par pas de 0,5 ETP. Besoins marginaux : X 50k, 50k, 20k ; Y 50k, 10k.
    # 2 ETP = 4 pas : X, X, Y (égalité à 50k : code croissant), puis X (20k).
    sortie = suggerer_placements(BESOINS, etp_supplementaires=2.0, habitants_par_etp=100_000.0)
    assert sortie[["code", "etp_ajoutes", "population_nouvellement_couverte", "population_non_couverte_apres"]].to_dict(
        "records"
    ) == [
        {"code": "200000001", "etp_ajoutes": 1.5, "population_nouvellement_couverte": 120_000.0, "population_non_couverte_apres": 0.0},
        {"code": "200000002", "etp_ajoutes": 0.5, "population_nouvellement_couverte": 50_000.0, "population_non_couverte_apres": 10_000.0},
    ]
    assert sortie["etp_pour_100k_avant"].round(4).tolist() == [0.3333, 0.0]
    assert sortie["etp_pour_100k_apres"].round(4).tolist() == [0.8333, 0.8333]


def test_placements_par_montant():
    # 58 946 € / 29 473 € = 2 ETP : même résultat qu'avec 2 ETP.
    sortie = suggerer_placements(BESOINS, montant=58_946.0, habitants_par_etp=100_000.0)
    assert sortie["etp_ajoutes"].tolist() == [1.5, 0.5]


def test_placements_sans_besoin_restant():
    # 10 ETP, mais seulement 5 pas utiles : les ETP sans besoin à couvrir ne sont pas placés.
    sortie = suggerer_placements(BESOINS, etp_supplementaires=10.0, habitants_par_etp=100_000.0)
    assert dict(zip(sortie["code"], sortie["etp_ajoutes"], strict=True)) == {"200000001": 1.5, "200000002": 1.0}


def test_placements_ponderes_par_le_besoin():
    besoins = BESOINS.assign(besoin_non_couvert=[120_000.0, 600_000.0, 0.0])  # Y : 10 par habitant
    sortie = suggerer_placements(besoins, etp_supplementaires=1.0, habitants_par_etp=100_000.0)
    assert sortie[["code", "etp_ajoutes", "besoin_couvert"]].to_dict("records") == [
        {"code": "200000002", "etp_ajoutes": 1.0, "besoin_couvert": 600_000.0}
    ]


def test_placements_parametres_exclusifs():
    with pytest.raises(ValueError, match=r"Indiquez soit `etp_supplementaires` \(ETP\), soit `montant` \(€\)"):
        suggerer_placements(BESOINS, etp_supplementaires=1.0, montant=1.0)


@pytest.mark.parametrize("partiel", [False, True], ids=["entier", "partiel"])
def test_enveloppes_serrees_jamais_depassees_d_un_centime(partiel):
    # Issue 14, point 3 : des montants au centime près (29 473 × 0,5 = 14 736,50 €, parts de montants) et des
    # enveloppes juste au-dessous de sommes de montants : le total attribué ne dépasse jamais l'enveloppe.
    rng = np.random.default_rng(14)
    for essai in range(25):
        n = 8
        etp = rng.choice([0.5, 0.7, 1.0, 1.3, 2.0], n)
        montant = np.round(etp * rng.uniform(15_000, 29_473, n), 2)
        table = evalues(*(d(f"D{i}", float(montant[i]), etp=float(etp[i]), pnad=str(rng.choice([PNAD, ""])))
                          for i in range(n)))
        cpd = couverture({f"D{i}": [f"{c:05d}" for c in rng.choice(20, 4, replace=False)] for i in range(n)})
        poids = pd.Series(rng.integers(1, 1_000, 20).astype(float), index=[f"{c:05d}" for c in range(20)])
        sous_ensemble = rng.random(n) < 0.5
        enveloppe = round(float(montant[sous_ensemble].sum()) - float(rng.choice([0.01, 0.02, 0.5, 3.33])), 2)
        enveloppe = max(enveloppe, 0.01)
        for resultat in (
            allouer_priorite(table, enveloppe=enveloppe, financement_partiel=partiel),
            allouer_optimisation(table, enveloppe=enveloppe, communes_par_dossier=cpd, poids_communes=poids,
                                 financement_partiel=partiel, options=OptionsSolveur(time_limit=5.0)),
        ):
            centimes = np.round(resultat.lignes["montant_attribue"].to_numpy() * 100)
            assert np.allclose(centimes, resultat.lignes["montant_attribue"].to_numpy() * 100, atol=1e-6), essai
            assert int(centimes.sum()) <= round(enveloppe * 100), (essai, resultat.mode, enveloppe)
            assert resultat.enveloppe_restante >= 0.0, (essai, resultat.mode)
            finances = resultat.lignes[resultat.lignes["montant_attribue"] > 0]
            assert (finances["montant_attribue"] <= finances["montant_max_aap"]).all()
            assert (finances["etp_finances"] >= 0.5 - 1e-6).all()


def test_le_dernier_centime_est_repris():
    # Le solveur rend des parts à sa tolérance près : arrondies au centime, elles dépasseraient l'enveloppe d'un centime.
    from coverage.financement.optimisation import _dans_les_enveloppes
    from coverage.financement.optimisation_modele import Modele
    from scipy import sparse

    modele = Modele(
        n=2, m=0, partiel=True, centimes=np.array([2_800_000, 1_473_651]), minimum=np.array([1_400_000, 736_826]),
        etp=np.array([1.0, 1.0]), valeur_postes=np.zeros(2), regions=np.array(["84", "84"]),
        incidence=sparse.csr_matrix((0, 2)), poids_groupes=np.zeros(0), rang=np.array([1.0, 2.0]),
        fixes=np.zeros(2, bool), interdits=np.zeros(2, bool),
    )
    montants = np.array([2_800_000, 736_826])  # 28 000 € + 7 368,26 € = 35 368,26 €
    repris = _dans_les_enveloppes(modele, montants, enveloppe_centimes=3_536_825, regionales_centimes={})
    # Le second est à son minimum de 0,5 ETP : le centime est repris au premier, rien de plus.
    assert repris.tolist() == [2_799_999, 736_826]


def test_optimisation_jamais_moins_bonne_que_le_glouton():
    # Issue 17 : le solveur part du glouton (plus grande couverture par euro) et ne rend jamais moins bien.
    for graine in range(6):
        table, cpd, poids, enveloppe = instance_aleatoire(graine)
        resultat = allouer_optimisation(table, enveloppe=enveloppe, communes_par_dossier=cpd, poids_communes=poids,
                                        financer_prioritaires=False)
        glouton = next(m for m in messages(resultat) if m.startswith("Glouton"))
        valeur_glouton = float(glouton.split(":")[1].split("habitants")[0].replace(" ", "").replace(",", "."))
        assert resultat.objectif >= valeur_glouton, graine


def test_glouton_plus_grande_couverture_par_euro():
    # A : 300 habitants pour 30 000 € (0,01 hab/€) ; B : 250 pour 20 000 € (0,0125) ; C : 100 pour 10 000 € (0,01),
    # mêmes communes que B en partie. Enveloppe 30 000 € : B d'abord, puis C (ses 100 habitants sont neufs).
    from coverage.financement.allocation_commune import preparer_base
    from coverage.financement.glouton import glouton
    from coverage.financement.optimisation_modele import construire_modele

    table = evalues(d("A", 30_000.0), d("B", 20_000.0), d("C", 10_000.0))
    cpd = couverture({"A": ["01001"], "B": ["01002", "01003"], "C": ["01003", "01004"]})
    poids = pd.Series({"01001": 300.0, "01002": 200.0, "01003": 50.0, "01004": 100.0})
    base = preparer_base(table, None)
    modele, _ = construire_modele(base, cpd, poids, financement_partiel=False, etp_minimum=0.5, valeur_etp_maintenu=0.0,
                                  fixes=np.zeros(3, bool), interdits=np.zeros(3, bool))
    choisis = glouton(modele, enveloppe_centimes=3_000_000, enveloppes_regionales_centimes={})
    assert base["id_dossier"][choisis].tolist() == ["B", "C"]
