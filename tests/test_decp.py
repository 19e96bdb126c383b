"""Tests des marchés publics (DECP) : lecture JSON et CSV, placement, indicateurs, vue achats, ligne de commande."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from coverage.sources import decp
from coverage.sources.decp import lecture_json
from coverage.sources.decp import (
    OBJECTIF_PNAD,
    ErreurLecture,
    contrats_non_places,
    executer_decp,
    indicateurs_marches,
    lire_decp,
    perimetre_achats,
    placer_contrats,
    resume_placement,
    type_acheteur,
    vue_achats,
)
from geo.reference import Referentiel

ETAT = "13000548100010"  # SIREN 130005481 : commence par 1 → État
COMMUNE = "21010053000017"  # SIREN 210100530 : commence par 2 → collectivité
ASSOCIATION = "77567135600011"  # SIREN 775671356 : ni 1 ni 2 → autre


# --------------------------------------------------------------------------------------------
# Référentiel minuscule
# --------------------------------------------------------------------------------------------


def referentiel_decp() -> Referentiel:
    """Huit communes réelles (codes du COG), populations arrondies, un EPCI fictif par département.

    | commune | nom          | pop    | dép. | région | EPCI |
    | 01053   | Bourg        | 40 000 | 01   | 84     | E01  |
    | 01165   | Ceyzériat    |  3 000 | 01   | 84     | E01  |
    | 2A004   | Ajaccio      | 70 000 | 2A   | 94     | E2A  |
    | 2A041   | Bastelicaccia|  4 000 | 2A   | 94     | E2A  |
    | 97411   | Saint-Denis  | 150 000| 974  | 04     | E974 |
    | 75056   | Paris        | 2 M    | 75   | 11     | E75  |
    | 13055   | Marseille    | 870 000| 13   | 93     | E13  |
    | 22016   | Île-de-Bréhat|    400 | 22   | 53     | (aucun) |

    Départements sans commune ici : 2B (Haute-Corse). Codes postaux : 01000 → 01053 et 01165
    (partagé), 01090 → 01165, 20000 → 2A004, 97400 → 97411, 75001 → 75056, 13001 → 13055.
    Ancien code : 01003 → 01165.
    """
    communes = pd.DataFrame(
        {
            "code": ["01053", "01165", "2A004", "2A041", "97411", "75056", "13055", "22016"],
            "nom": ["Bourg-en-Bresse", "Ceyzériat", "Ajaccio", "Bastelicaccia", "Saint-Denis", "Paris", "Marseille",
                    "Île-de-Bréhat"],
            "departement": ["01", "01", "2A", "2A", "974", "75", "13", "22"],
            "region": ["84", "84", "94", "94", "04", "11", "93", "53"],
            "epci": ["E01", "E01", "E2A", "E2A", "E974", "E75", "E13", None],
            "population": [40_000, 3_000, 70_000, 4_000, 150_000, 2_000_000, 870_000, 400],
            "a_geometrie": [True] * 8,
            "lon": [5.2, 5.3, 8.7, 8.8, 55.4, 2.3, 5.4, -3.0],
            "lat": [46.2, 46.2, 41.9, 41.9, -20.9, 48.9, 43.3, 48.8],
        }
    ).set_index("code")
    epci = pd.DataFrame(
        {
            "code": ["E01", "E2A", "E974", "E75", "E13"],
            "nom": ["CA Bassin de Bourg", "CA Pays Ajaccien", "CINOR", "Métropole du Grand Paris", "Aix-Marseille"],
            "type": ["CA", "CA", "CA", "METRO", "METRO"],
            "population": [43_000, 74_000, 150_000, 2_000_000, 870_000],
            "nb_communes": [2, 2, 1, 1, 1],
            "departement": ["01", "2A", "974", "75", "13"],
            "region": ["84", "94", "04", "11", "93"],
        }
    ).set_index("code")
    departements = pd.DataFrame(
        {
            "code": ["01", "2A", "2B", "974", "75", "13", "22"],
            "nom": ["Ain", "Corse-du-Sud", "Haute-Corse", "La Réunion", "Paris", "Bouches-du-Rhône", "Côtes-d'Armor"],
            "region": ["84", "94", "94", "04", "11", "93", "53"],
            "population": [43_000, 70_000, 0, 150_000, 2_000_000, 870_000, 400],
        }
    ).set_index("code")
    regions = pd.DataFrame(
        {
            "code": ["84", "94", "04", "11", "93", "53"],
            "nom": ["Auvergne-Rhône-Alpes", "Corse", "La Réunion", "Île-de-France", "Provence-Alpes-Côte d'Azur", "Bretagne"],
            "population": [43_000, 70_000, 150_000, 2_000_000, 870_000, 400],
        }
    ).set_index("code")
    codes_postaux = pd.DataFrame(
        {
            "code_postal": ["01000", "01000", "01090", "20000", "97400", "75001", "13001"],
            "commune": ["01165", "01053", "01165", "2A004", "97411", "75056", "13055"],
        }
    )
    anciens = pd.DataFrame({"ancien_code": ["01003"], "commune": ["01165"]})
    return Referentiel(communes, epci, departements, regions, codes_postaux, anciens)


REF = referentiel_decp()


def marche(ident: str, acheteur: str | None = ETAT, *, code: str | None = "01053", type_code: str = "Code commune",
           montant: object = 1000, date: str | None = "2024-05-15", sociales: object = ("Clause sociale",)) -> dict:
    """Un marché au schéma 2024 (champs utiles seulement) ; None = champ absent."""
    r: dict = {"id": ident, "nature": "Marché", "objet": f"Objet {ident}", "codeCPV": "45000000"}
    if acheteur is not None:
        r["acheteur"] = {"id": acheteur}
    if code is not None:
        r["lieuExecution"] = {"code": code, "typeCode": type_code}
    if montant is not None:
        r["montant"] = montant
    if date is not None:
        r["dateNotification"] = date
    if sociales is not None:
        r["considerationsSociales"] = {"considerationSociale": list(sociales)}
    return r


def json_2024(*marches: dict) -> bytes:
    return json.dumps({"marches": {"marche": list(marches)}}, ensure_ascii=False, indent=2).encode("utf-8")


@pytest.fixture(params=["arrow", "python"], ids=["lecture-arrow", "lecture-python"])
def moteur(request, monkeypatch):
    """Les deux lecteurs JSON : Arrow (rapide, types stricts) et Python (tolérant, par fenêtres)."""
    if request.param == "python":
        monkeypatch.setattr(lecture_json, "_lire_json_arrow", lambda contenu: None)
        monkeypatch.setattr(lecture_json, "_FENETRE_JSON", 64)  # des marchés coupés entre deux fenêtres
    return request.param


# --------------------------------------------------------------------------------------------
# Lecture JSON
# --------------------------------------------------------------------------------------------

MARCHES = (
    marche("M1", ETAT, montant=1000.5, sociales=("Clause sociale", "Critère social")),
    marche("M2", COMMUNE, code="01000", type_code="Code postal", montant=3000, sociales=("Pas de considération sociale",)),
    marche("M3", ASSOCIATION, code="2A", type_code="Code département", sociales=("Marché réservé",)),
)


@pytest.mark.parametrize(
    "contenu",
    [
        json_2024(*MARCHES),
        json.dumps({"marches": list(MARCHES)}).encode(),
        json.dumps(list(MARCHES)).encode(),
        gzip.compress(json_2024(*MARCHES)),
    ],
    ids=["schema-2024-marches-marche", "schema-2019-marches-liste", "tableau-seul", "gzip"],
)
def test_lire_json_formats(contenu, moteur):
    lus = lire_decp(contenu, nom_fichier="decp.json")
    c = lus.contrats
    assert lus.format == "json" and lus.doublons == 0 and lus.avertissements == ()
    assert c["id"].tolist() == ["M1", "M2", "M3"]
    assert c["ligne"].tolist() == [1, 2, 3]
    assert c["acheteur_siren"].tolist() == ["130005481", "210100530", "775671356"]
    assert c["type_acheteur"].tolist() == ["etat", "collectivite", "autre"]
    assert c["montant"].tolist() == [1000.5, 3000.0, 1000.0]
    assert c["date_notification"].tolist() == [pd.Timestamp("2024-05-15")] * 3
    assert c["lieu_type"].tolist() == ["Code commune", "Code postal", "Code département"]
    assert c["considerations_sociales"].tolist() == ["Clause sociale, Critère social", "Pas de considération sociale",
                                                     "Marché réservé"]  # fmt: skip
    assert c["a_consideration_sociale"].tolist() == [True, False, True]


def test_lire_json_un_seul_marche_objet():
    """Comme l'exemple du schéma : `"marche"` est un objet, pas un tableau."""
    contenu = json.dumps({"marches": {"marche": marche("M1")}}).encode()
    assert lire_decp(contenu, nom_fichier="Marche.json").contrats["id"].tolist() == ["M1"]


def test_lire_json_nombres_pour_codes():
    """Identifiant et code écrits sans guillemets : relus en chaînes, zéro initial rétabli au placement."""
    contenu = json.dumps({"marches": [{"id": 42, "acheteur": {"id": 13000548100010},
                                       "lieuExecution": {"code": 1053, "typeCode": "Code commune"}}]}).encode()  # fmt: skip
    c = lire_decp(contenu, nom_fichier="decp.json").contrats
    assert (c.at[0, "id"], c.at[0, "acheteur_siren"], c.at[0, "lieu_code"]) == ("42", "130005481", "1053")
    assert placer_contrats(c, referentiel=REF).at[0, "commune"] == "01053"


def test_lire_json_champs_manquants(moteur):
    lus = lire_decp(
        json_2024(
            marche("M1", montant=None, date=None, sociales=None),  # montant, date, considérations absents
            marche("M2", acheteur=None, code=None),  # acheteur et lieu absents
        ),
        nom_fichier="decp.json",
    )
    c = lus.contrats
    assert np.isnan(c.at[0, "montant"]) and pd.isna(c.at[0, "date_notification"])
    # Considération absente (ancien schéma) : inconnue, ni « avec » ni « sans ».
    assert pd.isna(c.at[0, "a_consideration_sociale"]) and pd.isna(c.at[0, "considerations_sociales"])
    assert pd.isna(c.at[1, "acheteur_siren"]) and c.at[1, "type_acheteur"] == "autre"
    assert pd.isna(c.at[1, "lieu_code"])
    assert any("1 marché(s) sans montant lisible" in a for a in lus.avertissements)
    assert any("1 marché(s) sans SIRET d'acheteur" in a for a in lus.avertissements)


def test_lire_json_montants_en_chaines():
    lus = lire_decp(
        json_2024(marche("M1", montant="12 345,67"), marche("M2", montant="1\u00a0000"), marche("M3", montant="abc"),
                  marche("M4", montant="575000")),
        nom_fichier="decp.json",
    )  # fmt: skip
    assert lus.contrats["montant"].tolist()[:2] == [12345.67, 1000.0]
    assert np.isnan(lus.contrats.at[2, "montant"]) and lus.contrats.at[3, "montant"] == 575000.0
    assert lus.avertissements[0] == (
        "decp.json, marché n° 3 (id « M3 »), champ `montant` : « abc » n'est pas un montant lisible (attendu : "
        "nombre en € HT, ex. 12 345,67) ; montant laissé vide."
    )


def test_lire_json_doublons(moteur):
    lus = lire_decp(
        json_2024(
            marche("M1", ETAT, montant=1),
            marche("M1", ETAT, montant=2),  # même id, même acheteur : doublon
            marche("M1", COMMUNE, montant=3),  # même id, autre acheteur : autre marché
            marche("M2", ETAT, montant=4),
        ),
        nom_fichier="decp.json",
    )
    assert lus.doublons == 1
    assert lus.contrats["montant"].tolist() == [1.0, 3.0, 4.0]  # le premier est gardé
    assert lus.avertissements == (
        "decp.json : 1 marché(s) en double (même identifiant, même acheteur) gardé(s) une seule fois : "
        "« M1 » (acheteur 13000548100010).",
    )


def test_lire_json_concessions_2024(moteur):
    contenu = json.dumps(
        {"marches": {"marche": [marche("M1")], "contrat-concession": [
            {"id": "C1", "autoriteConcedante": {"id": COMMUNE}, "nature": "Concession de service",
             "valeurGlobale": 90000, "dateSignature": "2024-03-01",
             "considerationsSociales": {"considerationSociale": ["Concession réservée"]}}]}}
    ).encode()  # fmt: skip
    lus = lire_decp(contenu, nom_fichier="decp.json")
    c = lus.contrats
    assert c["id"].tolist() == ["M1", "C1"]
    assert c.at[1, "type_acheteur"] == "collectivite" and c.at[1, "montant"] == 90000.0
    assert c.at[1, "a_consideration_sociale"] == True  # noqa: E712 (booléen nullable)
    assert "1 contrat(s) de concession" in lus.avertissements[0]
    assert placer_contrats(c, referentiel=REF).at[1, "motif_non_place"] == "lieu d'exécution absent"


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "decp.json : le fichier est vide."),
        (b"  \n ", "decp.json : le fichier est vide."),
        (b'{"marches": {"marche": [{"id": "M1",}]}}', r"decp.json : JSON invalide \(ligne 1, colonne"),
        (b'{"marches": {"marche": [{"id": "M1"}', "JSON invalide"),
        (b'{"autre": []}', "aucun tableau `marches`"),
        (b'{"marches": {"marche": []}}', "aucun marché dans le fichier"),
        (b"\x1f\x8b\x08\x00abc", "gzip"),
    ],
    ids=["vide", "blancs", "virgule-en-trop", "tronque", "sans-marches", "tableau-vide", "gzip-abime"],
)
def test_lire_json_erreurs(contenu, message, moteur):
    with pytest.raises(ErreurLecture, match=message):
        lire_decp(contenu, nom_fichier="decp.json")


# --------------------------------------------------------------------------------------------
# Lecture CSV
# --------------------------------------------------------------------------------------------

CSV_POINTE = (
    "id;acheteur.id;objet;montant;dateNotification;lieuExecution.code;lieuExecution.typeCode;considerationsSociales\n"
    "M1;13000548100010;Travaux;12 345,67;2024-05-15;01053;Code commune;Clause sociale, Critère social\n"
    "M2;21010053000017;Nettoyage;abc;15/06/2024;1000;Code postal;Pas de considération sociale\n"
    "M3;77567135600011;Études;;;2A;Code département;\n"
    "M1;13000548100010;Travaux (titulaire 2);12 345,67;2024-05-15;01053;Code commune;Clause sociale\n"
)
CSV_SOULIGNE = (
    'id,acheteur_id,objet,montant,dateNotification,lieuExecution_code,lieuExecution_typeCode,considerationsSociales\n'
    'M1,13000548100010,Travaux,"12 345,67",2024-05-15,01053,Code commune,"Clause sociale, Critère social"\n'
    'M2,21010053000017,Nettoyage,abc,15/06/2024,1000,Code postal,Pas de considération sociale\n'
    "M3,77567135600011,Études,,,2A,Code département,\n"
    "M1,13000548100010,Travaux (titulaire 2),\"12 345,67\",2024-05-15,01053,Code commune,Clause sociale\n"
)


@pytest.mark.parametrize(
    ("contenu", "nom"),
    [
        (CSV_POINTE.encode("utf-8"), "decp.csv"),
        (CSV_SOULIGNE.encode("utf-8"), "decp.csv"),
        (CSV_POINTE.encode("cp1252"), "decp.csv"),
        (("\ufeff" + CSV_POINTE).encode("utf-8"), "decp.txt"),
    ],
    ids=["points-point-virgule", "soulignes-virgule", "windows-1252", "bom-utf8"],
)
def test_lire_csv_variantes(contenu, nom):
    lus = lire_decp(contenu, nom_fichier=nom)
    c = lus.contrats
    assert lus.format == "csv" and lus.doublons == 1
    assert c["id"].tolist() == ["M1", "M2", "M3"]
    assert c["ligne"].tolist() == [2, 3, 4]  # ligne du tableur, en-tête = 1
    assert c["type_acheteur"].tolist() == ["etat", "collectivite", "autre"]
    assert c.at[0, "montant"] == 12345.67 and np.isnan(c.at[1, "montant"]) and np.isnan(c.at[2, "montant"])
    assert c["date_notification"].tolist()[:2] == [pd.Timestamp("2024-05-15"), pd.Timestamp("2024-06-15")]
    assert c["a_consideration_sociale"].tolist()[:2] == [True, False] and pd.isna(c.at[2, "a_consideration_sociale"])
    assert c.at[2, "objet"] == "Études"
    assert any(f"{nom}, ligne 3, colonne `montant` : « abc » n'est pas un montant lisible" in a for a in lus.avertissements)
    # Un CSV en Windows-1252 est lu, avec un avertissement qui nomme le premier caractère non UTF-8 (« Critère »).
    encodage = [a for a in lus.avertissements if "pas en UTF-8" in a]
    assert encodage == ([f"{nom} : le fichier n'est pas en UTF-8 (premier caractère invalide ligne 2, colonne "
                         f"{CSV_POINTE.splitlines()[1].index('è') + 1}) : lu en Windows-1252 ; vérifiez les accents."]
                        if contenu == CSV_POINTE.encode("cp1252") else [])  # fmt: skip


def test_lire_csv_colonne_obligatoire_absente():
    with pytest.raises(ErreurLecture, match=r"decp.csv, ligne 1, colonne `lieuExecution.code` : colonne obligatoire"):
        lire_decp(b"id;acheteur.id;montant\nM1;13000548100010;10\n", nom_fichier="decp.csv")


def test_lire_csv_donnees_actuelles_prioritaires():
    contenu = (
        "id;acheteur.id;montant;lieuExecution.code;lieuExecution.typeCode;donneesActuelles\n"
        "M1;13000548100010;100;01053;Code commune;0\n"
        "M1;13000548100010;120;01053;Code commune;1\n"  # montant modifié : la version actuelle est gardée
    ).encode()
    lus = lire_decp(contenu, nom_fichier="decp.csv")
    assert lus.doublons == 1 and lus.contrats["montant"].tolist() == [120.0]


# --------------------------------------------------------------------------------------------
# Types d'acheteurs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siren", "sirens_etat", "attendu"),
    [
        ("130005481", (), "etat"),  # SIREN commençant par 1 : État et établissements publics nationaux
        ("210100530", (), "collectivite"),  # commençant par 2 : collectivités
        ("775671356", (), "autre"),
        (None, (), "autre"),  # SIREN inconnu
        ("775671356", ("775 671 356",), "etat"),  # liste de l'utilisateur : prioritaire
        ("210100530", ("775671356",), "collectivite"),
    ],
    ids=["etat", "collectivite", "autre", "inconnu", "liste-utilisateur", "hors-liste"],
)
def test_type_acheteur(siren, sirens_etat, attendu):
    assert type_acheteur(pd.Series([siren], dtype="str"), sirens_etat=sirens_etat).tolist() == [attendu]


def test_lire_decp_liste_etat():
    lus = lire_decp(json_2024(marche("M1", ASSOCIATION)), nom_fichier="decp.json", sirens_etat=["775671356"])
    assert lus.contrats["type_acheteur"].tolist() == ["etat"]


# --------------------------------------------------------------------------------------------
# Placement
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_code", "code", "commune", "departement", "region", "niveau", "texte"),
    [
        ("Code commune", "01053", "01053", "01", "84", "commune", None),
        ("Code commune", "1053", "01053", "01", "84", "commune", "zéro initial rétabli"),
        ("Code commune", "01003", "01165", "01", "84", "commune", "ancien code 01003"),
        ("Code commune", "75112", "75056", "75", "11", "commune", "arrondissement municipal"),
        ("Code commune", "2a004", "2A004", "2A", "94", "commune", None),  # Corse, minuscule
        ("Code commune", "01999", None, "01", "84", "departement", "placé au département de son préfixe"),
        ("Code commune", "01090", "01165", "01", "84", "code_postal", "lu comme code postal"),
        ("CODE POSTAL", "01000", "01053", "01", "84", "code_postal", "rattaché à la plus peuplée (01053)"),
        ("Code postal", "1090", "01165", "01", "84", "code_postal", "zéro initial rétabli"),
        ("Code postal", "97400", "97411", "974", "04", "code_postal", None),  # La Réunion
        ("Code postal", "20000", "2A004", "2A", "94", "code_postal", None),
        ("Code postal", "01990", None, "01", "84", "departement", "CEDEX"),
        ("Code postal", "20190", None, "2A", "94", "departement", "CEDEX"),  # 200xx-201xx : Corse-du-Sud
        ("Code postal", "20290", None, "2B", "94", "departement", "CEDEX"),  # 202xx : Haute-Corse
        ("Code postal", "75700", "75056", "75", "11", "commune", "département d'une seule commune"),
        ("Code département", "01", None, "01", "84", "departement", None),
        ("Code departement", "1", None, "01", "84", "departement", "zéro initial rétabli"),
        ("Code département", "20", None, None, "94", "region", "ancienne Corse"),
        ("Code arrondissement", "011", None, "01", "84", "departement", "code arrondissement"),
        ("Code canton", "0101", None, "01", "84", "departement", "code canton"),
        ("Code région", "84", None, None, "84", "region", None),
        ("", "01053", "01053", "01", "84", "commune", "type de code absent"),
        ("Code pays", "BE", None, None, None, "non_place", "exécution hors de France (pays « BE »)"),
        ("Code pays", "FR", None, None, None, "non_place", "pays entier (« FR »)"),
        ("Code commune", "99999", None, None, None, "non_place", "code commune inconnu du COG 2026 : « 99999 »"),
        ("Code région", "99", None, None, None, "non_place", "code région inconnu : « 99 »"),
        ("Code quartier", "Q1", None, None, None, "non_place", "type de code « Code quartier » non reconnu"),
        ("Code commune", None, None, None, None, "non_place", "lieu d'exécution absent"),
    ],
    ids=[
        "commune", "commune-zero-perdu", "ancien-code", "arrondissement-paris", "corse-minuscule",
        "commune-inconnue-prefixe", "commune-lue-code-postal", "postal-partage-plus-peuplee", "postal-zero-perdu",
        "postal-reunion", "postal-corse", "postal-cedex", "postal-cedex-corse-du-sud", "postal-cedex-haute-corse",
        "paris-departement-commune-unique", "departement", "departement-zero-perdu", "departement-20",
        "arrondissement", "canton", "region", "type-absent", "pays-etranger", "pays-france", "commune-inconnue",
        "region-inconnue", "type-inconnu", "lieu-absent",
    ],
)  # fmt: skip
def test_placer_contrats(type_code, code, commune, departement, region, niveau, texte):
    contrats = pd.DataFrame({"lieu_type": [type_code], "lieu_code": [code]}, dtype="str")
    ligne = placer_contrats(contrats, referentiel=REF).iloc[0]
    assert (ligne["commune"] if pd.notna(ligne["commune"]) else None) == commune
    assert (ligne["departement"] if pd.notna(ligne["departement"]) else None) == departement
    assert (ligne["region"] if pd.notna(ligne["region"]) else None) == region
    assert ligne["niveau_placement"] == niveau
    explication = ligne["motif_non_place"] if niveau == "non_place" else ligne["remarque"]
    if texte is None:
        assert pd.isna(explication)
    else:
        assert texte in explication


def test_placer_contrats_garde_index_et_colonnes():
    lus = lire_decp(json_2024(marche("M1"), marche("M2", code="BE", type_code="Code pays")), nom_fichier="d.json")
    contrats = lus.contrats.set_index(pd.Index([10, 20]))
    places = placer_contrats(contrats, referentiel=REF)
    assert places.index.tolist() == [10, 20] and places["id"].tolist() == ["M1", "M2"]
    assert contrats_non_places(places)["id"].tolist() == ["M2"]


# --------------------------------------------------------------------------------------------
# Indicateurs et vue achats (valeurs calculées à la main)
# --------------------------------------------------------------------------------------------


def places_exemple() -> pd.DataFrame:
    """A : État, Bourg, 1 000 €, avec ; B : collectivité, CP 01000 (→ Bourg), 3 000 €, sans ;
    C : collectivité, Ceyzériat, montant absent, inconnue ; D : État, département 01 seul, 500 €,
    avec ; E : autre, région 84 seule, 200 €, sans ; F : État, Belgique (non placé), 10 000 €, avec."""
    lus = lire_decp(
        json_2024(
            marche("A", ETAT, code="01053", montant=1000, date="2024-01-10"),
            marche("B", COMMUNE, code="01000", type_code="Code postal", montant=3000, date="2024-03-05",
                   sociales=("Pas de considération sociale",)),
            marche("C", COMMUNE, code="01165", montant=None, date="2024-03-20", sociales=None),
            marche("D", ETAT, code="01", type_code="Code département", montant=500, date="2024-03-31"),
            marche("E", ASSOCIATION, code="84", type_code="Code région", montant=200, date=None,
                   sociales=("Pas de considération sociale",)),
            marche("F", ETAT, code="BE", type_code="Code pays", montant=10000),
        ),
        nom_fichier="exemple.json",
    )  # fmt: skip
    return placer_contrats(lus.contrats, referentiel=REF)


def test_resume_placement():
    resume = resume_placement(places_exemple())
    assert resume["nb_marches"].tolist() == [2, 1, 1, 1, 1]  # commune, code postal, département, région, non placé
    assert resume.loc["non_place", "montant_total"] == 10000.0


def test_indicateurs_commune():
    ind = indicateurs_marches(places_exemple(), referentiel=REF, niveau="commune")
    assert ind.index.tolist() == REF.communes.index.tolist()  # tous les territoires, même sans marché
    bourg = ind.loc["01053"]
    assert bourg["nb_marches"] == 2 and bourg["montant_total"] == 4000.0
    assert bourg["nb_marches_etat"] == 1 and bourg["montant_etat"] == 1000.0
    assert bourg["nb_marches_collectivites"] == 1 and bourg["montant_collectivites"] == 3000.0
    assert bourg["part_consideration_sociale"] == 0.5
    assert bourg["ecart_objectif_pnad"] == pytest.approx(0.5 - OBJECTIF_PNAD)
    ceyzeriat = ind.loc["01165"]
    assert ceyzeriat["nb_marches"] == 1 and ceyzeriat["nb_sans_montant"] == 1 and ceyzeriat["montant_total"] == 0
    assert np.isnan(ceyzeriat["part_consideration_sociale"])  # aucune considération connue
    assert ind.loc["2A004", "nb_marches"] == 0
    assert "nb_sans_commune" not in ind.columns


def test_indicateurs_epci_exclut_marches_du_seul_departement():
    ind = indicateurs_marches(places_exemple(), referentiel=REF, niveau="epci")
    assert ind.loc["E01", "nb_marches"] == 3  # A, B, C ; pas D (département seul) ni E (région seule)
    assert ind.loc["E01", "montant_total"] == 4000.0
    assert ind.loc["E01", "part_consideration_sociale"] == 0.5  # A avec, B sans ; C inconnue


def test_indicateurs_departement_et_region():
    dep = indicateurs_marches(places_exemple(), referentiel=REF, niveau="departement").loc["01"]
    assert dep["nb_marches"] == 4 and dep["montant_total"] == 4500.0  # A, B, C, D
    assert dep["nb_marches_etat"] == 2 and dep["montant_etat"] == 1500.0
    assert dep["part_consideration_sociale"] == pytest.approx(2 / 3)  # A et D avec, B sans
    assert dep["part_consideration_sociale_etat"] == 1.0
    assert dep["nb_sans_commune"] == 1  # D
    reg = indicateurs_marches(places_exemple(), referentiel=REF, niveau="region").loc["84"]
    assert reg["nb_marches"] == 5 and reg["montant_total"] == 4700.0 and reg["nb_marches_autres"] == 1
    assert reg["part_consideration_sociale"] == 0.5  # A, D avec ; B, E sans
    assert reg["nb_sans_commune"] == 2  # D, E


def test_indicateurs_niveau_inconnu():
    with pytest.raises(ValueError, match="niveau « canton » inconnu"):
        indicateurs_marches(places_exemple(), referentiel=REF, niveau="canton")


def test_vue_achats_departement():
    vue = vue_achats(places_exemple(), **perimetre_achats(REF, niveau="departement", code="01"))
    totaux = vue["totaux"].iloc[0]
    assert totaux["nb_marches"] == 4 and totaux["montant_total"] == 4500.0
    assert totaux["nb_marches_etat"] == 2 and totaux["montant_etat"] == 1500.0 and totaux["part_marches_etat"] == 0.5
    assert totaux["part_consideration_sociale"] == pytest.approx(2 / 3)
    assert totaux["ecart_objectif_pnad"] == pytest.approx(2 / 3 - 0.30)
    assert totaux["nb_consideration_inconnue"] == 1 and totaux["nb_sans_montant"] == 1
    assert totaux["nb_sans_commune"] == 1

    par_type = vue["par_type_acheteur"]
    assert par_type.index.tolist() == ["etat", "collectivite", "autre"]
    assert par_type["nb_marches"].tolist() == [2, 2, 0]
    assert par_type["montant_total"].tolist() == [1500.0, 3000.0, 0.0]
    assert par_type.loc["etat", "part_montant"] == pytest.approx(1 / 3)
    assert par_type.loc["collectivite", "part_consideration_sociale"] == 0.0

    par_mois = vue["par_mois"]
    assert par_mois.index.tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert par_mois["nb_marches"].tolist() == [1, 0, 3]  # février sans marché, gardé
    assert par_mois["montant_total"].tolist() == [1000.0, 0.0, 3500.0]
    assert par_mois.loc["2024-03-01", "part_consideration_sociale"] == 0.5  # B sans, D avec

    top = vue["top_acheteurs"]
    assert top["acheteur_siren"].tolist() == ["210100530", "130005481"]
    assert top["nb_marches"].tolist() == [2, 2] and top["montant_total"].tolist() == [3000.0, 1500.0]


def test_vue_achats_commune_sans_marches_du_departement():
    vue = vue_achats(places_exemple(), **perimetre_achats(REF, niveau="commune", code="01053"))
    assert vue["totaux"].at[0, "nb_marches"] == 2  # A, B : D (département seul) n'est pas dans la commune


def test_perimetre_achats_region():
    p = perimetre_achats(REF, niveau="region", code="94")
    assert p == {"codes_communes": ["2A004", "2A041"], "departements": ["2A", "2B"], "regions": ["94"]}


# --------------------------------------------------------------------------------------------
# Ligne de commande et intégration (géographie réelle)
# --------------------------------------------------------------------------------------------


def test_executer_decp(tmp_path, capsys):
    fichier = tmp_path / "decp.json"
    fichier.write_bytes(json_2024(marche("A", code="01053", montant=1000), marche("B", code="BE", type_code="Code pays")))
    sortie = tmp_path / "sortie" / "marches.csv"
    assert executer_decp(fichier, sortie, niveau="departement") == 0
    table = pd.read_csv(sortie, sep=";", decimal=",", dtype={"code": str}, encoding="utf-8-sig")
    assert table["code"].tolist() == ["01"] and table["nom"].tolist() == ["Ain"]
    assert table["nb_marches"].tolist() == [1] and table["montant_total"].tolist() == [1000.0]
    non_places = pd.read_csv(tmp_path / "sortie" / "marches_non_places.csv", sep=";", encoding="utf-8-sig")
    assert non_places["id"].tolist() == ["B"]
    sortie_texte = capsys.readouterr().out
    assert "decp.json : 2 marchés lus." in sortie_texte
    assert "1 marchés non placés" in sortie_texte


def test_executer_decp_fichier_absent(tmp_path, capsys):
    assert executer_decp(tmp_path / "absent.json", tmp_path / "s.csv") == 1
    assert "Erreur : absent.json : fichier introuvable" in capsys.readouterr().err


def test_demo_decp_reproductible():
    """Le générateur redonne, octet pour octet, le fichier livré dans data/demo/."""
    from coverage.demo.besoins import generer_decp_demo
    from geo.reference import charger_referentiel

    assert generer_decp_demo(charger_referentiel()) == decp.FICHIER_DEMO_DECP.read_bytes()


def test_demo_decp():
    """L'échantillon livré : 20 000 marchés fictifs, toutes les régions (DROM compris), quelques non placés."""
    from geo.reference import charger_referentiel

    referentiel = charger_referentiel()
    lus = decp.charger_decp_demo()
    assert lus.demo and lus.nb_contrats == 20_000 and lus.doublons == 0 and lus.avertissements == ()
    assert set(lus.contrats["type_acheteur"]) == {"etat", "collectivite", "autre"}
    places = placer_contrats(lus.contrats, referentiel=referentiel)
    regions = indicateurs_marches(places, referentiel=referentiel, niveau="region")
    assert (regions["nb_marches"] > 0).all()  # les 18 régions
    non_places = (places["niveau_placement"] == "non_place").sum()
    assert 0 < non_places < 0.02 * len(places)
