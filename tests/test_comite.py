"""Comité de sélection (coverage/financement/comite.py) : dossiers d'un comité, décisions, synthèse, conventions.

Les montants attendus sont calculés à la main à partir des règles de l'appel (DESIGN.md §5) :

| dossier | statut       | ETP | coût    | autres État | demandé | maximal                  |
| DA      | association  | 1   | 40 000  | 0           | 28 000  | 28 000 (70 %)            |
| DB      | association  | 1   | 50 000  | 0           | 35 000  | 29 473 (plafond par ETP) |
| DD      | collectivite | 1   | 40 000  | 5 000       | 28 000  | 27 000 (80 % État)       |
| DE      | association  | 0,4 | 20 000  | 0           | 14 000  | 0 (moins de 0,5 ETP)     |
| DF      | association  | 2   | 100 000 | 0           | 58 946  | 58 946 ; 1 ETP retenu → 29 473 |
| DX      | association  | 1   | 40 000  | 0           | 28 000  | 28 000 (région 76)       |
"""

from __future__ import annotations

import datetime as dt
import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from coverage.financement.comite import (
    COLONNES_CONVENTIONS,
    date_fin_convention,
    decisions_manquantes,
    decisions_par_dossier,
    dossiers_du_comite,
    en_attente_comite_national,
    exporter_conventions_xlsx,
    horodatage_lisible,
    libelle_comite,
    lignes_financement,
    liste_conventions,
    synthese_comite,
)
from coverage.espace import ouvrir_espace
from coverage.financement.parametres import PARAMETRES_2025
from coverage.financement.regles import evaluer_dossiers

# --------------------------------------------------------------------------------------------
# Petites données faites à la main
# --------------------------------------------------------------------------------------------


def structures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_structure": ["S1", "S2", "S3", "S4", "S5", "S6"],
            "nom": ["=Maison de l'emploi", "PLIE nouveau", "Communauté de communes", "Petite association", "Nouvelle 76", "Grande association"],
            "statut": ["association", "association", "collectivite", "association", "association", "association"],
            "siret": ["73282932000074", "", "21010001800014", "", "", "44306184100047"],
            "departement": ["01", "38", "63", "69", "31", "73"],
            "etp_facilitateur": [2.0, 0.0, 1.0, 0.5, 0.0, 3.0],
            "etp_coordinateur": [0.0] * 6,
            "financement_pnad": ["2022,2023,2024", "", "2023,2024", "2024", "", "2022,2023,2024"],
        }
    )


def dossiers() -> pd.DataFrame:
    lignes = [
        # id, structure, statut, région, dép., etp, coût, demandé, autres État, cofinancements
        ("DA", "S1", "association", "84", "01", 1.0, 40_000.0, 28_000.0, 0.0, 12_000.0),
        ("DB", "S2", "association", "84", "38", 1.0, 50_000.0, 35_000.0, 0.0, 15_000.0),
        ("DD", "S3", "collectivite", "84", "63", 1.0, 40_000.0, 28_000.0, 5_000.0, 7_000.0),
        ("DE", "S4", "association", "84", "69", 0.4, 20_000.0, 14_000.0, 0.0, 6_000.0),
        ("DF", "S6", "association", "84", "73", 2.0, 100_000.0, 58_946.0, 0.0, 41_054.0),
        ("DX", "S5", "association", "76", "31", 1.0, 40_000.0, 28_000.0, 0.0, 12_000.0),
    ]
    t = pd.DataFrame(
        lignes,
        columns=[
            "id_dossier", "id_structure", "statut", "region", "departement", "etp_demandes", "cout_annuel_total",
            "montant_aap_demande", "autres_financements_etat", "cofinancements",
        ],
    )
    t["derogation_plafond"] = False
    t["dossier_complet"] = True
    t["date_depot"] = pd.Timestamp("2025-07-01")
    for note in ("note_diagnostic", "note_marches_etat", "note_capacite", "note_conflits_interets"):
        t[note] = 4.0
    return t


def evalues() -> pd.DataFrame:
    return evaluer_dossiers(dossiers())


def decisions(**remplacements: tuple) -> pd.DataFrame:
    """Décisions du comité 84 : DA, DB, DD retenus au maximal ; DE refusé ; DF retenu pour 1 ETP sur 2."""
    base = {
        "DA": ("retenu", "Projet prioritaire, diagnostic solide.", 1.0, 28_000.0),
        "DB": ("retenu", "Zone blanche couverte.", 1.0, 29_473.0),
        "DD": ("retenu", "Collectivité : plafond de 80 % appliqué.", 1.0, 27_000.0),
        "DE": ("refuse", "Moins de 0,5 ETP : inéligible.", np.nan, np.nan),
        "DF": ("retenu_partiellement", "Un ETP sur deux, faute d'enveloppe.", 1.0, 29_473.0),
    }
    base.update(remplacements)
    lignes = [
        {
            "comite": "84",
            "id_dossier": ident,
            "version": 1,
            "decision": d,
            "motif": motif,
            "etp_retenus": etp,
            "montant_retenu": montant,
            "auteur": "Claire Martin",
            "horodatage": "2025-09-15T08:05:00+00:00",
        }
        for ident, (d, motif, etp, montant) in base.items()
        if d is not None
    ]
    return pd.DataFrame(lignes)


# --------------------------------------------------------------------------------------------
# Dossiers d'un comité
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comite", "attendus"),
    [
        ("84", ["DA", "DB", "DD", "DE", "DF"]),  # tous les dossiers de la région, structures nouvelles comprises
        ("76", ["DX"]),
        ("national", ["DB", "DX"]),  # structures sans aucune année PNAD (S2, S5), toutes régions
        ("11", []),
    ],
    ids=["region-84", "region-76", "comite-national", "region-sans-dossier"],
)
def test_dossiers_du_comite(comite, attendus):
    d = dossiers_du_comite(evalues(), comite=comite, structures=structures())
    assert d["id_dossier"].tolist() == attendus


def test_dossiers_du_comite_ajoute_structure_et_nouveaute():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures()).set_index("id_dossier")
    assert d.loc["DA", "nom_structure"] == "=Maison de l'emploi"
    assert d.loc["DD", "siret"] == "21010001800014"
    assert d.loc["DD", "financement_pnad"] == "2023,2024"
    assert d["structure_nouvelle"].to_dict() == {"DA": False, "DB": True, "DD": False, "DE": False, "DF": False}


def test_structure_absente_compte_comme_nouvelle():
    # S5 retirée de la table des structures : aucun financement PNAD connu → comité national.
    d = dossiers_du_comite(evalues(), comite="national", structures=structures().iloc[:4])
    assert d["id_dossier"].tolist() == ["DB", "DF", "DX"]


@pytest.mark.parametrize("comite", ["8", "nationale", "ARA", ""], ids=["un-chiffre", "faute", "lettres", "vide"])
def test_comite_invalide(comite):
    with pytest.raises(ValueError, match="Comité inconnu"):
        dossiers_du_comite(evalues(), comite=comite, structures=structures())


def test_libelle_comite():
    regions = pd.DataFrame({"nom": ["Auvergne-Rhône-Alpes"]}, index=pd.Index(["84"], name="code"))
    assert libelle_comite("84", regions=regions) == "Comité régional de sélection — Auvergne-Rhône-Alpes"
    assert libelle_comite("national", regions=regions) == "Comité technique national (DGEFP, DAE, ANRU, AVE)"
    with pytest.raises(ValueError, match="Région inconnue : '76'"):
        libelle_comite("76", regions=regions)


# --------------------------------------------------------------------------------------------
# Décisions
# --------------------------------------------------------------------------------------------


def test_decisions_manquantes_dans_l_ordre_des_dossiers():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    assert decisions_manquantes(d, decisions(DB=(None, "", 0, 0), DE=(None, "", 0, 0))) == ["DB", "DE"]
    assert decisions_manquantes(d, decisions()) == []


@pytest.mark.parametrize(
    ("horodatage", "attendu"),
    [
        ("2025-07-04T08:05:00+00:00", "04/07/2025 à 10:05"),  # heure d'été : UTC+2
        ("2025-12-01T08:05:00+00:00", "01/12/2025 à 09:05"),  # heure d'hiver : UTC+1
    ],
    ids=["ete", "hiver"],
)
def test_horodatage_lisible_heure_de_paris(horodatage, attendu):
    assert horodatage_lisible(horodatage) == attendu


def test_decisions_par_dossier():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    t = decisions_par_dossier(d, decisions(DE=(None, "", 0, 0))).set_index("id_dossier")
    assert t.loc["DF", "decision_libelle"] == "Retenu partiellement"
    assert t.loc["DF", "date_decision"] == "15/09/2025 à 10:05"
    assert t.loc["DE", "decision"] == ""  # aucune décision
    assert pd.isna(t.loc["DE", "version"])


def test_lignes_financement_seulement_les_dossiers_finances():
    lignes = lignes_financement(decisions())
    assert lignes.to_dict("list") == {
        "id_dossier": ["DA", "DB", "DD", "DF"],
        "etp_finances": [1.0, 1.0, 1.0, 1.0],
        "montant_attribue": [28_000.0, 29_473.0, 27_000.0, 29_473.0],
    }


# --------------------------------------------------------------------------------------------
# Synthèse
# --------------------------------------------------------------------------------------------


def test_synthese_chiffres_calcules_a_la_main():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    s = synthese_comite(d, decisions(), enveloppe_disponible=150_000.0, parametres=PARAMETRES_2025, zones_blanches_resolues=3)
    assert s["nb_dossiers"] == 5
    assert s["nb_decisions"] == 5
    assert s["decisions_manquantes"] == []
    assert s["par_decision"] == {"retenu": 3, "retenu_partiellement": 1, "ajourne": 0, "refuse": 1}
    assert s["nb_eligibles"] == 4  # DE : 0,4 ETP
    # 28 000 + 29 473 + 27 000 + 29 473
    assert s["enveloppe_utilisee"] == 113_946.0
    assert s["enveloppe_restante"] == 36_054.0
    assert s["part_enveloppe_utilisee"] == pytest.approx(113_946 / 150_000)
    assert s["depassement_enveloppe"] is False
    assert s["etp_demandes"] == 5.4  # 1 + 1 + 1 + 0,4 + 2
    assert s["etp_finances"] == 4.0
    assert s["nb_finances"] == 4
    assert s["montant_demande"] == 163_946.0  # 28 000 + 35 000 + 28 000 + 14 000 + 58 946
    assert s["montant_max_aap"] == 143_419.0  # 28 000 + 29 473 + 27 000 + 58 946 (DE inéligible)
    assert s["cout_total_finance"] == 230_000.0  # 40 000 + 50 000 + 40 000 + 100 000
    # (AAP 113 946 + autres financements de l'État de DD 5 000) / 230 000
    assert s["part_etat"] == pytest.approx(118_946 / 230_000)
    assert s["non_conformes"] == []
    assert s["zones_blanches_resolues"] == 3


def test_synthese_depassement_et_montant_non_conforme():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    # DF : 1 ETP retenu mais 30 000 € > 29 473 € × 1 ETP ; DB : 29 474 € > 29 473 €.
    dec = decisions(DF=("retenu_partiellement", "Trop", 1.0, 30_000.0), DB=("retenu", "Un euro de trop", 1.0, 29_474.0))
    s = synthese_comite(d, dec, enveloppe_disponible=100_000.0)
    assert s["enveloppe_utilisee"] == 114_474.0
    assert s["enveloppe_restante"] == -14_474.0
    assert s["depassement_enveloppe"] is True
    assert s["non_conformes"] == ["DB", "DF"]


def test_synthese_ignore_les_decisions_d_autres_dossiers():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    autre = decisions().iloc[:1].assign(id_dossier="D_RETIRE")
    s = synthese_comite(d, pd.concat([decisions(), autre], ignore_index=True), enveloppe_disponible=150_000.0)
    assert s["nb_decisions"] == 5
    assert s["enveloppe_utilisee"] == 113_946.0


def test_synthese_exige_des_dossiers_evalues():
    d = dossiers_du_comite(dossiers(), comite="84", structures=structures())
    with pytest.raises(ValueError, match="montant_max_aap"):
        synthese_comite(d, decisions(), enveloppe_disponible=1.0)


# --------------------------------------------------------------------------------------------
# Conventions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("debut", "duree", "fin"),
    [
        (dt.date(2025, 9, 1), 12, dt.date(2026, 8, 31)),  # exemple de l'issue
        (dt.date(2026, 1, 1), 12, dt.date(2026, 12, 31)),
        (dt.date(2027, 3, 1), 12, dt.date(2028, 2, 29)),  # 2028 est bissextile
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),  # pas de 29/02/2029 : échéance au 01/03
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),  # pas de 31/02 : fin au dernier jour de février
    ],
    ids=["1er-septembre", "1er-janvier", "vers-annee-bissextile", "depuis-29-fevrier", "six-mois-fin-de-mois"],
)
def test_date_fin_convention(debut, duree, fin):
    assert date_fin_convention(debut, duree) == fin


def test_liste_conventions_chiffres_calcules_a_la_main():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    c = liste_conventions(d, decisions(), structures(), parametres=PARAMETRES_2025, date_debut=dt.date(2025, 9, 1))
    assert list(c.columns) == list(COLONNES_CONVENTIONS)
    c = c.set_index("id_dossier")
    assert c.index.tolist() == ["DA", "DB", "DD", "DF"]  # DE refusé : pas de convention
    assert c.loc["DD", "structure"] == "Communauté de communes"
    assert c.loc["DD", "siret"] == "21010001800014"
    assert c.loc["DF", "decision"] == "Retenu partiellement"
    assert c["etp_finances"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert c["montant_aap"].tolist() == [28_000.0, 29_473.0, 27_000.0, 29_473.0]
    # Part de l'État = (AAP + autres financements de l'État) / coût
    assert c.loc["DA", "part_etat"] == pytest.approx(0.70)  # 28 000 / 40 000
    assert c.loc["DB", "part_etat"] == pytest.approx(0.58946)  # 29 473 / 50 000
    assert c.loc["DD", "part_etat"] == pytest.approx(0.80)  # (27 000 + 5 000) / 40 000 : règle des 80 %
    assert c.loc["DF", "part_etat"] == pytest.approx(0.29473)  # 29 473 / 100 000
    # Plafonds : 70 % du coût, 29 473 € × ETP retenus, 80 % × coût − autres État (collectivités)
    assert c.loc["DD", ["plafond_70", "plafond_etp", "plafond_80"]].tolist() == [28_000.0, 29_473.0, 27_000.0]
    assert c.loc["DB", ["plafond_70", "plafond_etp"]].tolist() == [35_000.0, 29_473.0]
    assert pd.isna(c.loc["DB", "plafond_80"])  # association : sans objet
    assert c.loc["DF", ["plafond_70", "plafond_etp", "montant_max_aap"]].tolist() == [70_000.0, 29_473.0, 29_473.0]
    assert c["conforme"].all()
    assert c["cofinancements"].tolist() == [12_000.0, 15_000.0, 7_000.0, 41_054.0]
    assert (c["date_debut"] == pd.Timestamp("2025-09-01")).all()
    assert (c["date_fin"] == pd.Timestamp("2026-08-31")).all()


def test_conventions_retenu_egale_montant_maximal_du_moteur():
    """Pour une décision « retenu » au maximal, montant et plafonds = ceux du moteur de règles."""
    ev = evalues().set_index("id_dossier")
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    c = liste_conventions(d, decisions(), structures(), date_debut=dt.date(2025, 9, 1)).set_index("id_dossier")
    retenus = ["DA", "DB", "DD"]
    for colonne_conv, colonne_moteur in (
        ("montant_aap", "montant_max_aap"),
        ("montant_max_aap", "montant_max_aap"),
        ("plafond_70", "plafond_70"),
        ("plafond_etp", "plafond_etp"),
        ("plafond_80", "plafond_80"),
    ):
        pd.testing.assert_series_equal(
            c.loc[retenus, colonne_conv], ev.loc[retenus, colonne_moteur], check_names=False, check_dtype=False
        )


@pytest.mark.parametrize(
    ("decision", "conforme"),
    [
        (("retenu_partiellement", "1 ETP au plafond", 1.0, 29_473.0), True),
        (("retenu_partiellement", "1 ETP au-delà du plafond", 1.0, 29_473.01), False),
        (("retenu_partiellement", "0,4 ETP : sous le minimum", 0.4, 10_000.0), False),  # règle des 0,5 ETP
        (("retenu", "Au-delà du demandé", 2.0, 58_946.01), False),
    ],
    ids=["au-plafond", "un-centime-de-trop", "sous-le-minimum-etp", "au-dela-du-demande"],
)
def test_conformite_d_un_montant_decide(decision, conforme):
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    c = liste_conventions(d, decisions(DF=decision), structures(), date_debut=dt.date(2025, 9, 1)).set_index("id_dossier")
    assert bool(c.loc["DF", "conforme"]) is conforme


def test_decision_sur_un_dossier_absent_refusee():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    dec = pd.concat([decisions(), decisions().iloc[:1].assign(id_dossier="D_RETIRE")], ignore_index=True)
    with pytest.raises(ValueError, match="dossiers absents des données : D_RETIRE"):
        liste_conventions(d, dec, structures(), date_debut=dt.date(2025, 9, 1))


def test_aucune_convention_sans_dossier_finance():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    dec = decisions(DA=("refuse", "Non", np.nan, np.nan), DB=("ajourne", "Plus tard", np.nan, np.nan),
                    DD=("refuse", "Non", np.nan, np.nan), DF=("refuse", "Non", np.nan, np.nan))
    c = liste_conventions(d, dec, structures(), date_debut=dt.date(2025, 9, 1))
    assert c.empty
    assert list(c.columns) == list(COLONNES_CONVENTIONS)


# --------------------------------------------------------------------------------------------
# Classeur XLSX
# --------------------------------------------------------------------------------------------


def _lire_feuille(classeur, nom: str) -> list[dict]:
    feuille = classeur[nom]
    lignes = list(feuille.iter_rows(values_only=True))
    return [dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]]


def test_xlsx_des_conventions_relu_avec_openpyxl():
    ev = evalues().set_index("id_dossier")
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    c = liste_conventions(d, decisions(), structures(), date_debut=dt.date(2025, 9, 1))
    contenu = exporter_conventions_xlsx(c, comite_libelle="Comité régional de sélection — Auvergne-Rhône-Alpes", donnees_fictives=True)
    classeur = load_workbook(io.BytesIO(contenu))
    assert classeur.sheetnames == ["avertissement", "conventions", "parametres"]  # données fictives : dit en tête
    lignes = {l["Dossier"]: l for l in _lire_feuille(classeur, "conventions")}
    assert list(lignes) == ["DA", "DB", "DD", "DF"]
    assert list(lignes["DA"]) == list(COLONNES_CONVENTIONS.values())
    # « retenu » : le montant AAP et les plafonds sont ceux du moteur de règles.
    for ident in ("DA", "DB", "DD"):
        assert lignes[ident]["Montant AAP (€)"] == ev.loc[ident, "montant_max_aap"]
        assert lignes[ident]["Plafond 70 % du coût (€)"] == ev.loc[ident, "plafond_70"]
        assert lignes[ident]["Plafond par ETP (€)"] == ev.loc[ident, "plafond_etp"]
    assert lignes["DD"]["Plafond 80 % État, collectivités (€)"] == 27_000.0  # 80 % × 40 000 − 5 000
    assert lignes["DA"]["Plafond 80 % État, collectivités (€)"] is None  # sans objet pour une association
    assert lignes["DB"]["Montant AAP (€)"] == 29_473.0  # plafond par ETP
    assert lignes["DD"]["Part de l'État (AAP + autres État) / coût"] == pytest.approx(0.80)
    assert lignes["DF"]["ETP financés"] == 1.0
    assert lignes["DD"]["Montant conforme aux règles"] == "oui"
    assert lignes["DA"]["Date de début"] == datetime(2025, 9, 1)
    assert lignes["DA"]["Date de fin"] == datetime(2026, 8, 31)
    assert lignes["DA"]["Structure"] == "'=Maison de l'emploi"  # formule neutralisée
    assert lignes["DD"]["SIRET"] == "21010001800014"  # texte : zéros et chiffres gardés
    parametres = {l["Paramètre"]: l["Valeur"] for l in _lire_feuille(classeur, "parametres")}
    assert parametres["Comité"] == "Comité régional de sélection — Auvergne-Rhône-Alpes"
    assert parametres["Données"] == "Données fictives de démonstration"
    assert parametres["Montant maximal versé par l'État pour un ETP"] == 29_473
    assert parametres["Part maximale du coût financée par l'AAP"] == 0.7
    assert parametres["Durée de la convention"] == 12
    assert parametres["Date de début des conventions"] == "01/09/2025"


def test_xlsx_refuse_une_table_incomplete():
    with pytest.raises(ValueError, match="colonnes absentes : `id_dossier`"):
        exporter_conventions_xlsx(pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------------------------
# Avec l'espace de travail : enregistrement, changement, historique, export à jour
# --------------------------------------------------------------------------------------------


class Horloge:
    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant


def test_decisions_enregistrees_changees_puis_exportees(tmp_path: Path):
    horloge = Horloge(datetime(2025, 9, 15, 8, 0, tzinfo=UTC))
    espace = ouvrir_espace(tmp_path / "espace.sqlite", horloge=horloge)
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    for ligne in decisions().itertuples(index=False):
        espace.enregistrer_decision(
            comite="84",
            id_dossier=ligne.id_dossier,
            decision=ligne.decision,
            motif=ligne.motif,
            auteur="Claire Martin",
            version_attendue=None,
            etp_retenus=None if np.isnan(ligne.etp_retenus) else ligne.etp_retenus,
            montant_retenu=None if np.isnan(ligne.montant_retenu) else ligne.montant_retenu,
        )
    # Le comité revient sur DB : ajourné (pièces manquantes), à 11 h 30 heure de Paris.
    horloge.instant = datetime(2025, 9, 15, 9, 30, tzinfo=UTC)
    espace.enregistrer_decision(
        comite="84", id_dossier="DB", decision="ajourne", motif="Attestation AVE manquante.", auteur="Paul Durand", version_attendue=1
    )
    courantes = espace.decisions_courantes("84")
    assert decisions_manquantes(d, courantes) == []
    historique = espace.historique_decisions("84", "DB")
    assert historique["decision"].tolist() == ["retenu", "ajourne"]
    assert horodatage_lisible(historique["horodatage"]).tolist() == ["15/09/2025 à 10:00", "15/09/2025 à 11:30"]
    s = synthese_comite(d, courantes, enveloppe_disponible=150_000.0)
    assert s["par_decision"] == {"retenu": 2, "retenu_partiellement": 1, "ajourne": 1, "refuse": 1}
    assert s["enveloppe_utilisee"] == 84_473.0  # 28 000 + 27 000 + 29 473 : DB n'est plus financé
    c = liste_conventions(d, courantes, structures(), date_debut=dt.date(2025, 9, 1))
    assert c["id_dossier"].tolist() == ["DA", "DD", "DF"]


def test_structures_nouvelles_en_attente_du_comite_national_hors_conventions():
    d = pd.DataFrame({"id_dossier": ["N1", "N2", "A1"], "structure_nouvelle": [True, True, False]})
    nationales = pd.DataFrame({"id_dossier": ["N1", "N2"], "decision": ["retenu", "ajourne"]})
    assert en_attente_comite_national(d, nationales) == ["N2"]  # N1 retenu par le national ; A1 n'est pas nouvelle
    assert en_attente_comite_national(d, nationales.iloc[0:0]) == ["N1", "N2"]
    d84 = dossiers_du_comite(evalues(), comite="84", structures=structures())
    toutes = liste_conventions(d84, decisions(), structures(), date_debut=dt.date(2025, 9, 1))
    sans_da = liste_conventions(d84, decisions(), structures(), date_debut=dt.date(2025, 9, 1), exclus=["DA"])
    assert "DA" in set(toutes["id_dossier"]) and set(sans_da["id_dossier"]) == set(toutes["id_dossier"]) - {"DA"}
