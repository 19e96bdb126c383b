"""Ligne de commande `python -m coverage` : codes de sortie, messages français, CSV écrits.

Petits fichiers écrits dans `tmp_path`, sur de vrais EPCI de l'Ain (référentiel COG 2026) :
- S1 « Maison de l'emploi du Haut-Bugey », 2 ETP, périmètre principal = CA Haut-Bugey
  Agglomération (200042935) ;
- S2 « =SOMME(A1) » (nom qui serait une formule dans un tableur), structure nouvelle à 0 ETP sur
  la CC Rives de l'Ain - Pays du Cerdon (200029999), qui reste donc non couverte ;
- D1 (S2) : cas A de DESIGN.md §5 — 1 ETP, coût 40 000 €, 28 000 € demandés → 28 000 € au plus ;
- D2 (S1) : 0,4 ETP, inéligible (minimum 0,5 ETP).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import ARGUMENTS_INVALIDES, DONNEES_INVALIDES, OK, main
from geo.reference import charger_referentiel

RACINE = Path(__file__).resolve().parent.parent
HAUT_BUGEY = "200042935"
RIVES_DE_L_AIN = "200029999"

STRUCTURES = """id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad
S1;Maison de l'emploi du Haut-Bugey;association;;01;2;0;2022,2023,2024
S2;=SOMME(A1);association;;01;0;0;
"""
PERIMETRES = f"""id_structure;niveau;code;role;part_etp
S1;epci;{HAUT_BUGEY};principal;
S2;epci;{RIVES_DE_L_AIN};principal;
"""
DOSSIERS = """id_dossier;id_structure;statut;region;departement;etp_demandes;cout_annuel_total;montant_aap_demande;autres_financements_etat;cofinancements;derogation_plafond;dossier_complet;date_depot
D1;S2;association;84;01;1;40 000;28 000;0;12 000;non;oui;01/07/2025
D2;S1;association;84;01;0,4;20 000;14 000;0;6 000;non;oui;01/07/2025
"""
# Deux marchés à Ambérieu-en-Bugey (01004), l'un d'un acheteur de l'État (SIREN commençant par 1)
# avec clause sociale, l'autre d'une collectivité sans ; un troisième exécuté en Belgique.
DECP = """id;acheteur.id;lieuExecution.code;lieuExecution.typeCode;montant;dateNotification;considerationsSociales
M1;11000201100044;01004;Code commune;100000;2025-01-15;Clause sociale
M2;21010053400017;01004;Code commune;50000;2025-02-01;Pas de considération sociale
M3;21010053400017;BE;Code pays;1000;2025-02-01;
"""


@pytest.fixture(scope="module")
def ref():
    return charger_referentiel()


@pytest.fixture
def fichiers(tmp_path):
    chemins = {}
    for nom, texte in (("structures", STRUCTURES), ("perimetres", PERIMETRES), ("dossiers", DOSSIERS), ("decp", DECP)):
        chemins[nom] = tmp_path / f"{nom}.csv"
        chemins[nom].write_text(texte, encoding="utf-8")
    return chemins


def lire_csv(chemin: Path) -> pd.DataFrame:
    """Relit un CSV « à la française » écrit par la ligne de commande, cellules en texte."""
    assert chemin.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM UTF-8 : Excel reconnaît l'encodage
    return pd.read_csv(chemin, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def nombre(texte: str) -> float:
    return float(texte.replace(",", "."))


def sans_insecables(texte: str) -> str:
    return texte.replace("\u00a0", " ").replace("\u202f", " ")


# --- valider ---------------------------------------------------------------------------------


def test_valider_fichiers_valides_resume_en_francais(fichiers, capsys, ref):
    code = main(["valider", str(fichiers["structures"]), str(fichiers["perimetres"]), "--dossiers", str(fichiers["dossiers"])])
    sortie = sans_insecables(capsys.readouterr().out)
    assert code == OK
    nb_communes = ref.epci.at[HAUT_BUGEY, "nb_communes"]  # S2 a 0 ETP : elle ne couvre rien
    assert "Fichiers valides : structures.csv + perimetres.csv + dossiers.csv." in sortie
    assert "- 2 structures (1 à 0 ETP), 2 ETP de facilitateurs, 0 ETP de coordinateurs ;" in sortie
    assert f"- 2 lignes de périmètre (2 en périmètre principal, 0 en extension) : {nb_communes} communes couvertes" in sortie
    assert "- 2 dossiers de candidature." in sortie
    assert "Aucun avertissement." in sortie


def test_valider_avertissement_code_sans_zero_initial(fichiers, capsys):
    # Tenay (01416, voisine du Haut-Bugey : extension limitrophe) écrite « 1416 » : un tableur a mangé le zéro initial.
    fichiers["perimetres"].write_text(PERIMETRES + "S1;commune;1416;extension;\n", encoding="utf-8")
    code = main(["valider", str(fichiers["structures"]), str(fichiers["perimetres"])])
    sortie = capsys.readouterr().out
    assert code == OK
    assert "1 avertissement (non bloquants) :" in sortie
    assert "perimetres.csv, ligne 4, colonne `code`" in sortie
    assert "01416" in sortie


def test_valider_extension_non_limitrophe_avertie(fichiers, capsys):
    # Issue 14, point 5 : la Maison de l'emploi du Haut-Bugey (Ain) étendue à Ajaccio (2A004) n'est pas un
    # facilitateur « limitrophe » : avertissement (les fichiers restent valides), ligne 4, colonne `code`.
    fichiers["perimetres"].write_text(PERIMETRES + "S1;commune;2A004;extension;\n", encoding="utf-8")
    code = main(["valider", str(fichiers["structures"]), str(fichiers["perimetres"])])
    sortie = sans_insecables(capsys.readouterr().out)
    assert code == OK
    assert "1 avertissement (non bloquants) :" in sortie
    assert (
        "  Avertissement : perimetres.csv, ligne 4, colonne `code` : extension non limitrophe : la structure « S1 » "
        "(Maison de l'emploi du Haut-Bugey) étend son périmètre à commune 2A004 (Ajaccio), qui ne touche pas son "
        f"périmètre principal (EPCI {HAUT_BUGEY} (CA Haut-Bugey Agglomération))."
    ) in sortie
    # Ajaccio n'est pas couverte au sens de l'appel : seules les communes du Haut-Bugey le sont.
    assert "- 3 lignes de périmètre (2 en périmètre principal, 1 en extension) : 42 communes couvertes" in sortie


def test_valider_fichier_invalide_cite_fichier_ligne_colonne(fichiers, capsys):
    fichiers["structures"].write_text(STRUCTURES.replace("S2;=SOMME(A1);association;;01;0;", "S2;=SOMME(A1);association;;01;-1;"), encoding="utf-8")
    code = main(["valider", str(fichiers["structures"]), str(fichiers["perimetres"])])
    erreurs = capsys.readouterr().err.splitlines()
    assert code == DONNEES_INVALIDES
    # En-tête = ligne 1 : S2 est à la ligne 3 du tableur.
    assert erreurs[0].startswith("structures.csv, ligne 3, colonne `etp_facilitateur` : « -1 » n'est pas un nombre d'ETP valide")
    assert erreurs[-1] == "1 erreur : aucune donnée n'a été importée (corrigez le fichier et relancez)."


def test_valider_par_le_point_d_entree_python_m_coverage(fichiers):
    """Le vrai `python -m coverage` depuis la racine du dépôt (coverage/__main__.py)."""
    ok = subprocess.run(
        [sys.executable, "-m", "coverage", "valider", str(fichiers["structures"]), str(fichiers["perimetres"])],
        cwd=RACINE, capture_output=True, text=True, check=False,
    )
    assert ok.returncode == OK, ok.stderr
    assert ok.stdout.startswith("Fichiers valides : structures.csv + perimetres.csv.")
    fichiers["perimetres"].write_text(PERIMETRES + "S3;epci;200042935;principal;\n", encoding="utf-8")
    ko = subprocess.run(
        [sys.executable, "-m", "coverage", "valider", str(fichiers["structures"]), str(fichiers["perimetres"])],
        cwd=RACINE, capture_output=True, text=True, check=False,
    )
    assert ko.returncode == DONNEES_INVALIDES
    assert "perimetres.csv, ligne 4, colonne `id_structure` : structure « S3 » absente du fichier structures.csv" in ko.stderr


# --- couverture ------------------------------------------------------------------------------


COLONNES_MINIMALES = ["code", "nom", "population", "etp", "etp_pour_100k_hab", "part_population_couverte", "statut", "nb_structures"]


@pytest.mark.parametrize(
    ("niveau", "code_couvert"),
    [("epci", HAUT_BUGEY), ("departement", "01"), ("region", "84")],
    ids=["epci", "departement", "region"],
)
def test_couverture_deux_etp_sur_un_territoire(fichiers, tmp_path, capsys, ref, niveau, code_couvert):
    sortie = tmp_path / "sortie" / f"couverture_{niveau}.csv"  # dossier créé au besoin
    code = main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--niveau", niveau, "--sortie", str(sortie)])
    assert code == OK
    assert f"Fichier écrit : {sortie}" in capsys.readouterr().out
    table = lire_csv(sortie)
    assert table.columns[: len(COLONNES_MINIMALES)].tolist() == COLONNES_MINIMALES
    assert len(table) == len(ref.table(niveau))  # tous les territoires du niveau, couverts ou non
    ligne = table.set_index("code").loc[code_couvert]
    population = ref.table(niveau).at[code_couvert, "population"]
    assert int(ligne["population"]) == population
    assert nombre(ligne["etp"]) == 2.0  # les 2 ETP de S1 ; S2 (0 ETP) ne compte pas
    # ETP pour 100 000 habitants = 2 / population × 100 000, arrondi au millième dans le CSV.
    assert nombre(ligne["etp_pour_100k_hab"]) == pytest.approx(2 / population * 100_000, abs=5e-4)
    assert ligne["nb_structures"] == "1"
    assert ligne["structures"] == "S1"


def test_couverture_epci_couvert_et_non_couvert(fichiers, tmp_path):
    sortie = tmp_path / "couverture.csv"
    main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
          "--niveau", "epci", "--sortie", str(sortie)])
    table = lire_csv(sortie).set_index("code")
    couvert, vide = table.loc[HAUT_BUGEY], table.loc[RIVES_DE_L_AIN]
    assert (couvert["part_population_couverte"], couvert["statut"], couvert["libelle_statut"]) == ("1,0", "couvert", "Couvert")
    assert (vide["etp"], vide["part_population_couverte"], vide["statut"], vide["nb_structures"]) == ("0,0", "0,0", "non_couvert", "0")


def test_couverture_fichier_invalide_n_ecrit_rien(fichiers, tmp_path, capsys):
    fichiers["perimetres"].write_text(PERIMETRES + "S1;epci;200042936;principal;\n", encoding="utf-8")  # SIREN inconnu
    sortie = tmp_path / "couverture.csv"
    code = main(["couverture", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--sortie", str(sortie)])
    assert code == DONNEES_INVALIDES
    assert "perimetres.csv, ligne 4, colonne `code`" in capsys.readouterr().err
    assert not sortie.exists()


# --- zones-blanches --------------------------------------------------------------------------


def test_zones_blanches_epci_non_couvert_en_tete(fichiers, tmp_path, capsys):
    sortie = tmp_path / "zones_blanches.csv"
    code = main(["zones-blanches", "--structures", str(fichiers["structures"]), "--perimetres", str(fichiers["perimetres"]),
                 "--decp", str(fichiers["decp"]), "--niveau", "epci", "--sortie", str(sortie)])
    assert code == OK
    assert "zone(s) blanche(s) sur" in capsys.readouterr().out
    table = lire_csv(sortie)
    assert table.columns[:4].tolist() == ["code", "nom", "criteres", "motif"]
    table = table.set_index("code")
    assert table.at[RIVES_DE_L_AIN, "criteres"] == "non_couvert"
    assert table.at[RIVES_DE_L_AIN, "est_zone_blanche"] == "oui"
    assert "non_couvert" not in table.at[HAUT_BUGEY, "criteres"]


# --- decp ------------------------------------------------------------------------------------


def test_decp_indicateurs_par_commune(fichiers, tmp_path, capsys):
    sortie = tmp_path / "marches.csv"
    code = main(["decp", "--fichier", str(fichiers["decp"]), "--sortie", str(sortie)])
    assert code == OK
    assert "decp.csv : 3 marchés lus." in sans_insecables(capsys.readouterr().out)
    table = lire_csv(sortie)
    assert table["code"].tolist() == ["01004"]  # seules les communes qui ont un marché
    ligne = table.iloc[0]
    assert (nombre(ligne["nb_marches"]), nombre(ligne["montant_total"]), nombre(ligne["nb_marches_etat"])) == (2, 150_000, 1)
    assert nombre(ligne["part_consideration_sociale"]) == 0.5  # 1 marché sur 2
    non_places = lire_csv(tmp_path / "marches_non_places.csv")
    assert non_places["id"].tolist() == ["M3"]


# --- simuler ---------------------------------------------------------------------------------


def test_simuler_priorite_financement_partiel(fichiers, tmp_path, capsys):
    sortie = tmp_path / "allocation.csv"
    code = main(["simuler", "--dossiers", str(fichiers["dossiers"]), "--structures", str(fichiers["structures"]),
                 "--perimetres", str(fichiers["perimetres"]), "--enveloppe", "20 000", "--sortie", str(sortie)])
    assert code == OK
    texte = sans_insecables(capsys.readouterr().out)
    assert "Enveloppe : 20 000 € ; utilisée : 20 000 € ; restante : 0 €." in texte
    assert "Ligne de coupure au rang 1 (dossier D1, financé partiellement)" in texte
    table = lire_csv(sortie)
    colonnes = ["id_dossier", "eligible", "motifs", "montant_max_aap", "montant_attribue", "etp_finances", "rang", "explication"]
    assert set(colonnes) <= set(table.columns)
    d1, d2 = table.set_index("id_dossier").loc["D1"], table.set_index("id_dossier").loc["D2"]
    # D1 (cas A) : maximum 28 000 € ; l'enveloppe de 20 000 € finance 20 000 / 28 000 × 1 ETP = 0,7143 ETP.
    assert (d1["eligible"], nombre(d1["montant_max_aap"]), nombre(d1["montant_attribue"])) == ("oui", 28_000, 20_000)
    assert (nombre(d1["etp_finances"]), d1["rang"], d1["statut_financement"]) == (0.7143, "1", "partiel")
    # D2 : 0,4 ETP, sous le minimum de l'appel.
    assert (d2["eligible"], nombre(d2["montant_attribue"]), d2["rang"]) == ("non", 0, "")
    assert "minimum de 0,5 ETP" in sans_insecables(d2["motifs"])


def test_simuler_optimisation_enveloppe_nationale_par_defaut(fichiers, tmp_path, capfd):
    sortie = tmp_path / "allocation.csv"
    code = main(["simuler", "--dossiers", str(fichiers["dossiers"]), "--structures", str(fichiers["structures"]),
                 "--perimetres", str(fichiers["perimetres"]), "--mode", "optimisation", "--sortie", str(sortie)])
    assert code == OK
    texte = sans_insecables(capfd.readouterr().out)  # descripteur 1 : ce que le solveur écrirait en C compris
    assert "Enveloppe : 4 500 000 € ; utilisée : 28 000 € ; restante : 4 472 000 €." in texte
    # Issue 14, point 10 : aucune ligne de trace du solveur sur la sortie standard.
    assert not [ligne for ligne in texte.splitlines() if "HiGHS" in ligne or "Running" in ligne or "presolve" in ligne.lower()]
    d1 = lire_csv(sortie).set_index("id_dossier").loc["D1"]
    assert (nombre(d1["montant_attribue"]), nombre(d1["etp_finances"])) == (28_000, 1.0)


def test_simuler_echappe_une_formule_venue_du_fichier(fichiers, tmp_path):
    """Le nom de structure « =SOMME(A1) » sort `'=SOMME(A1)` : aucun tableur ne l'exécute."""
    sortie = tmp_path / "allocation.csv"
    main(["simuler", "--dossiers", str(fichiers["dossiers"]), "--structures", str(fichiers["structures"]),
          "--perimetres", str(fichiers["perimetres"]), "--sortie", str(sortie)])
    lignes = sortie.read_text(encoding="utf-8-sig").splitlines()
    assert lignes[1].startswith("D1;S2;'=SOMME(A1);84;01;oui;")


def test_simuler_region_filtre_les_dossiers(fichiers, tmp_path, capsys):
    sortie = tmp_path / "allocation.csv"
    code = main(["simuler", "--dossiers", str(fichiers["dossiers"]), "--structures", str(fichiers["structures"]),
                 "--perimetres", str(fichiers["perimetres"]), "--region", "11", "--sortie", str(sortie)])
    assert code == OK
    assert "0 dossier de la région Île-de-France" in capsys.readouterr().out
    assert len(lire_csv(sortie)) == 0


# --- arguments invalides ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["couverture", "--structures", "{structures}", "--perimetres", "{perimetres}"],
         "erreur : arguments obligatoires manquants : --sortie"),
        (["couverture", "--structures", "{structures}", "--perimetres", "{perimetres}", "--niveau", "canton", "--sortie", "x.csv"],
         "erreur : argument --niveau : choix invalide : 'canton' (valeurs possibles : 'commune', 'epci', 'ept', 'departement', 'region')"),
        (["valider", "absent.csv", "{perimetres}"], "erreur : argument STRUCTURES : fichier introuvable : « absent.csv »"),
        (["simuler", "--dossiers", "{dossiers}", "--structures", "{structures}", "--perimetres", "{perimetres}",
          "--enveloppe", "-5", "--sortie", "x.csv"],
         "argument --enveloppe : « -5 » n'est pas un montant valide (attendu : nombre d'euros positif ou nul)"),
        (["simuler", "--dossiers", "{dossiers}", "--structures", "{structures}", "--perimetres", "{perimetres}",
          "--region", "99", "--sortie", "x.csv"],
         "Région « 99 » inconnue"),
        (["zones-blanches", "--structures", "{structures}", "--perimetres", "{perimetres}", "--niveau", "region", "--sortie", "x.csv"],
         "argument --niveau : choix invalide : 'region'"),
        (["couvrir"], "erreur : argument COMMANDE : choix invalide : 'couvrir'"),
        (["valider", "{structures}", "{perimetres}", "--dossier-s"], "erreur : arguments inconnus : --dossier-s"),
    ],
    ids=["sortie_manquante", "niveau_inconnu", "fichier_introuvable", "enveloppe_negative", "region_inconnue",
         "zones_blanches_niveau", "commande_inconnue", "option_inconnue"],
)
def test_arguments_invalides_code_2_et_message_francais(fichiers, tmp_path, monkeypatch, capsys, arguments, message):
    monkeypatch.chdir(tmp_path)
    code = main([a.format(**{k: str(v) for k, v in fichiers.items()}) for a in arguments])
    assert code == ARGUMENTS_INVALIDES
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_aide_en_francais(capsys):
    assert main(["simuler", "--aide"]) == OK
    aide = " ".join(capsys.readouterr().out.split())  # sans les retours à la ligne d'argparse
    assert aide.startswith("Utilisation : python -m coverage simuler")
    assert "enveloppe en € (défaut : 4 500 000, enveloppe nationale 2025)" in aide


def test_zones_blanches_avec_qpv_et_npnru(tmp_path):
    """Les fichiers QPV et NPNRU (ici les échantillons illustratifs) alimentent les besoins de la commande."""
    from coverage.cli import main

    racine = Path(__file__).resolve().parent.parent
    demo = racine / "data" / "demo"
    sortie = tmp_path / "zb.csv"
    code = main(["zones-blanches", "--structures", str(demo / "structures.csv"), "--perimetres", str(demo / "perimetres.csv"),
                 "--qpv", str(demo / "qpv_demo.geojson"), "--npnru", str(demo / "npnru_demo.csv"),
                 "--niveau", "commune", "--sortie", str(sortie)])
    assert code == 0
    table = pd.read_csv(sortie, sep=";", decimal=",", dtype={"code": str}, encoding="utf-8-sig").set_index("code")
    assert float(table.loc["59350", "nb_qpv"]) >= 1  # Lille : un quartier illustratif


def test_zones_blanches_npnru_sans_qpv_refuse(tmp_path):
    from coverage.cli import main

    demo = Path(__file__).resolve().parent.parent / "data" / "demo"
    code = main(["zones-blanches", "--structures", str(demo / "structures.csv"), "--perimetres", str(demo / "perimetres.csv"),
                 "--npnru", str(demo / "npnru_demo.csv"), "--sortie", str(tmp_path / "z.csv")])
    assert code == 1
