"""Import des bilans : chaque erreur nomme fichier, ligne et colonne ; un fichier valide est typé."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from coverage.bilans.validation import importer_bilans
from coverage.modele import BILANS, BILANS_REPARTITIONS
from coverage.sources.modeles_fichiers import modele_csv, modele_xlsx
from tests.fixtures import donnees_minuscules, referentiel_minuscule

REF = referentiel_minuscule()
STRUCTURES = donnees_minuscules().structures  # S1, S2, S3

ENTETE = ";".join(BILANS.noms)


def _texte(probleme) -> str:
    """Le message avec des espaces ordinaires (les nombres français ont des espaces insécables)."""
    return str(probleme).replace("\u202f", " ").replace("\xa0", " ")


def _ligne(**valeurs: str) -> str:
    base = {
        "id_structure": "S1", "annee": "2025", "periode": "annuel", "date_remise": "15/01/2026",
        "etp_subventionnes": "1,5", "heures_insertion_total": "6 000", "heures_insertion_etat": "2 000",
        "marches_accompagnes_total": "20", "marches_accompagnes_etat": "6", "montant_marches_ht_total": "1 000 000 €",
        "montant_marches_ht_etat": "300 000", "acheteurs_accompagnes_total": "12", "acheteurs_accompagnes_etat": "4",
    }
    base.update(valeurs)
    return ";".join(base.get(nom, "") for nom in BILANS.noms)


def _importer(*lignes: str, repartitions: str | None = None):
    contenu = "\n".join([ENTETE, *lignes]).encode("utf-8")
    reps = None if repartitions is None else (repartitions.encode("cp1252"), "repartitions.csv")
    return importer_bilans(bilans=(contenu, "bilans.csv"), repartitions=reps, structures=STRUCTURES, referentiel=REF)


def test_un_fichier_valide_est_type():
    r = _importer(_ligne(), _ligne(periode="Intermédiaire", date_remise="2025-07-10", heures_insertion_total="2 500,5"))
    assert r.valide, [str(e) for e in r.erreurs]
    assert list(r.bilans["periode"]) == ["annuel", "intermediaire"]
    assert list(r.bilans["heures_insertion_total"]) == [6000.0, 2500.5]
    assert list(r.bilans["montant_marches_ht_total"]) == [1_000_000.0] * 2
    assert list(r.bilans["annee"]) == [2025, 2025]
    assert r.bilans["date_remise"].iloc[1] == pd.Timestamp(2025, 7, 10)
    assert r.repartitions.empty


@pytest.mark.parametrize(
    ("ligne", "attendu"),
    [
        (_ligne(id_structure="S9"),
         "bilans.csv, ligne 2, colonne `id_structure` : structure « S9 » inconnue de l'espace de travail"),
        (_ligne(heures_insertion_etat="6 001"),
         "bilans.csv, ligne 2, colonne `heures_insertion_etat` : heures d'insertion : la part des marchés de l'État "
         "(6 001) dépasse le total tous marchés `heures_insertion_total` (6 000) ; la part État est comprise dans le "
         "total."),
        (_ligne(montant_marches_ht_etat="1 000 000,01"),
         "bilans.csv, ligne 2, colonne `montant_marches_ht_etat` : montant HT des marchés : la part des marchés de "
         "l'État (1 000 000,01) dépasse"),
        (_ligne(marches_accompagnes_total="-3", marches_accompagnes_etat="0"),
         "bilans.csv, ligne 2, colonne `marches_accompagnes_total` : « -3 » n'est pas un nombre valide "
         "(attendu : nombre entier positif ou nul)."),
        (_ligne(acheteurs_accompagnes_total="2,5"),
         "bilans.csv, ligne 2, colonne `acheteurs_accompagnes_total` : « 2,5 » n'est pas un nombre valide"),
        (_ligne(periode="semestriel"),
         "bilans.csv, ligne 2, colonne `periode` : « semestriel » n'est pas une valeur acceptée "
         "(valeurs acceptées : intermediaire, annuel)"),
        (_ligne(date_remise="31/02/2026"),
         "bilans.csv, ligne 2, colonne `date_remise` : « 31/02/2026 » n'est pas une date valide"),
        (_ligne(heures_clausees_porteur="5 000"),
         "bilans.csv, ligne 2, colonne `heures_clausees_porteur` : heures clausées au total par le porteur (5 000) "
         "inférieures aux heures dégagées par les ETP subventionnés (6 000)"),
    ],
    ids=["structure inconnue", "heures Etat > total", "montant Etat > total", "compte négatif", "compte non entier",
         "période inconnue", "date impossible", "heures porteur < heures ETP"],
)
def test_chaque_erreur_nomme_ligne_et_colonne(ligne, attendu):
    r = _importer(ligne)
    assert not r.valide and r.bilans is None
    messages = [_texte(e) for e in r.erreurs]
    assert [m for m in messages if m.startswith(attendu)], messages


def test_une_periode_deux_fois_est_une_erreur_sur_la_seconde_ligne():
    r = _importer(_ligne(), _ligne(periode="intermediaire"), _ligne(date_remise="20/01/2026"))
    assert [str(e) for e in r.erreurs] == [
        "bilans.csv, ligne 4, colonne `periode` : la structure « S1 » a déjà un bilan annuel pour 2025 ligne 2 : "
        "un seul bilan par structure, année et période."
    ]


def test_meme_periode_une_autre_annee_est_permise():
    assert _importer(_ligne(), _ligne(annee="2024", date_remise="10/01/2025")).valide


def test_bilan_remis_avant_son_annee_est_un_avertissement():
    r = _importer(_ligne(date_remise="15/12/2024"))
    assert r.valide
    assert [_texte(a) for a in r.avertissements] == [
        "bilans.csv, ligne 2, colonne `date_remise` : bilan remis le 15/12/2024, avant l'année de campagne 2025 : "
        "vérifiez l'année ou la date."
    ]


ENTETE_REP = ";".join(BILANS_REPARTITIONS.noms)


def test_repartitions_valides_et_erreurs():
    bonnes = "\n".join([ENTETE_REP, "S1;2025;annuel;acheteurs;Etat;4", "S1;2025;annuel;segments;restauration;2,5"])
    r = _importer(_ligne(), repartitions=bonnes)
    assert r.valide
    assert list(r.repartitions["categorie"]) == ["etat", "restauration"]
    assert list(r.repartitions["valeur"]) == [4.0, 2.5]

    mauvaises = "\n".join([
        ENTETE_REP,
        "S1;2025;annuel;acheteurs;cantine;1",       # catégorie d'une autre dimension / inconnue
        "S1;2025;annuel;couleurs;etat;1",            # dimension inconnue
        "S1;2025;annuel;acheteurs;etat;4",
        "S1;2025;annuel;acheteurs;etat;5",           # doublon
        "S1;2025;intermediaire;acheteurs;etat;1",    # aucun bilan intermédiaire
        "S1;2025;annuel;beneficiaires;residents_qpv;-2",
    ])
    r = _importer(_ligne(), repartitions=mauvaises)
    assert not r.valide
    messages = [_texte(e) for e in r.erreurs]
    assert messages[0].startswith("repartitions.csv, ligne 2, colonne `categorie` : « cantine » n'est pas une catégorie "
                                  "de la dimension « acheteurs » (valeurs acceptées : etat, epa_etat,")
    assert messages[1].startswith("repartitions.csv, ligne 3, colonne `dimension` : « couleurs » n'est pas une valeur acceptée")
    assert messages[2] == ("repartitions.csv, ligne 5, colonne `categorie` : catégorie « etat » déjà donnée ligne 4 pour "
                           "ce bilan et cette dimension.")
    assert messages[3] == ("repartitions.csv, ligne 6, colonne `periode` : aucun bilan intermediaire 2025 de la structure "
                           "« S1 » dans bilans.csv.")
    assert messages[4].startswith("repartitions.csv, ligne 7, colonne `valeur` : « -2 » n'est pas un nombre valide")
    assert len(messages) == 5


def test_colonne_obligatoire_absente():
    contenu = "id_structure;annee\nS1;2025\n".encode()
    r = importer_bilans(bilans=(contenu, "b.csv"), structures=STRUCTURES, referentiel=REF)
    assert not r.valide
    assert "periode" in str(r.erreurs[0]) and str(r.erreurs[0]).startswith("b.csv, ligne 1")


@pytest.mark.parametrize("schema", [BILANS, BILANS_REPARTITIONS], ids=["bilans", "repartitions"])
def test_les_modeles_se_reimportent(schema):
    structures = pd.DataFrame({"id_structure": ["S001"]})
    bilans_csv = (modele_csv(BILANS), "bilans.csv")
    for contenu, nom in ((modele_csv(schema), f"{schema.nom}.csv"), (modele_xlsx(schema), f"{schema.nom}.xlsx")):
        if schema is BILANS:
            r = importer_bilans(bilans=(contenu, nom), structures=structures, referentiel=REF)
        else:
            r = importer_bilans(bilans=bilans_csv, repartitions=(contenu, nom), structures=structures, referentiel=REF)
        assert r.valide, [str(e) for e in r.erreurs]
        assert len(r.bilans) == 2


def test_xlsx_avec_nombres_et_dates_natifs():
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = "bilans"
    feuille.append(BILANS.noms)
    import datetime as dt

    valeurs = {"id_structure": "S2", "annee": 2025, "periode": "annuel", "date_remise": dt.datetime(2026, 1, 5),
               "etp_subventionnes": 1, "heures_insertion_total": 1234.5, "heures_insertion_etat": 1000,
               "marches_accompagnes_total": 3, "marches_accompagnes_etat": 1, "montant_marches_ht_total": 10,
               "montant_marches_ht_etat": 5, "acheteurs_accompagnes_total": 2, "acheteurs_accompagnes_etat": 2}
    feuille.append([valeurs.get(n) for n in BILANS.noms])
    tampon = io.BytesIO()
    classeur.save(tampon)
    r = importer_bilans(bilans=(tampon.getvalue(), "bilans.xlsx"), structures=STRUCTURES, referentiel=REF)
    assert r.valide, [str(e) for e in r.erreurs]
    assert r.bilans.loc[0, "heures_insertion_total"] == 1234.5
    assert r.bilans.loc[0, "date_remise"] == pd.Timestamp(2026, 1, 5)


def test_docs_bilans_reprend_les_dimensions_generees():
    from pathlib import Path

    from coverage.bilans.documentation import documentation_dimensions

    texte = (Path(__file__).resolve().parent.parent / "docs" / "bilans.md").read_text(encoding="utf-8")
    assert documentation_dimensions() in texte
