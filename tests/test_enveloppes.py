"""Enveloppes régionales : lecture du fichier, répartition suggérée, contrôle du total, allocation
région par région (aucun euro ne passe d'une région à l'autre), ligne de commande."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import DONNEES_INVALIDES, OK, main
from coverage.financement.allocation_regionale import allouer_par_region
from coverage.documents.format import format_euros
from coverage.financement.enveloppes import (controler_total, lire_enveloppes_regionales, montant_euros, montants_saisis,
                                              repartition_suggeree)
from geo.reference import charger_referentiel
from tests.test_cli import fichiers, lire_csv, nombre, sans_insecables  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def ref():
    return charger_referentiel()


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("450000", 450_000), ("450 000", 450_000), ("1 234 567,89", 1_234_567.89), ("1.234.567,89", 1_234_567.89),
     ("1,234,567.89", 1_234_567.89), ("1234567.89", 1_234_567.89), ("250 000 €", 250_000), ("0", 0), ("12,5", 12.5)],
    ids=["entier", "espaces", "francais", "points_milliers", "anglais", "point_decimal", "euro", "zero", "virgule"],
)
def test_montant_francais_ou_anglais(texte, attendu):
    assert montant_euros(texte) == pytest.approx(attendu)


@pytest.mark.parametrize(
    ("texte", "message"),
    [("250,000", "ambigu"), ("250.000", "ambigu"), ("-5", "négatif"), ("abc", "pas un montant lisible"), ("", "vide")],
    ids=["virgule_ambigue", "point_ambigu", "negatif", "texte", "vide"],
)
def test_montant_refuse(texte, message):
    with pytest.raises(ValueError, match=message):
        montant_euros(texte)


def test_table_saisie_a_la_francaise_relue_au_centime_et_cellule_illisible_nommee(ref):
    """L'éditeur d'enveloppes montre « 600 000 € » (texte, pas la langue du navigateur) et relit ce qu'il montre."""
    indice = pd.Series({"84": 1.0, "32": 1.0, "11": 1.5})
    suggestion = repartition_suggeree(enveloppe_nationale=4_500_000, cle="indice_besoin", referentiel=ref,
                                      indice_par_region=indice)["enveloppe"]
    textes = suggestion.map(format_euros)
    assert textes["11"] == "1\u00a0928\u00a0572\u00a0€"  # 4,5 M€ × 1,5 / 3,5 = 1 928 571,43, arrondi à l euro (plus fort reste)
    assert all("\u00a0€" in t for t in textes)  # 600 000 € et non 600000 € ni €600,000.00
    montants, erreurs = montants_saisis(textes, noms=ref.regions["nom"])
    assert erreurs == [] and montants.round(2).to_dict() == suggestion.round(2).to_dict()
    assert montants.sum() == pytest.approx(4_500_000, abs=0.005)
    textes.loc["32"] = "12O 000"  # un O au lieu d'un zéro
    textes.loc["84"] = ""
    montants, erreurs = montants_saisis(textes, noms=ref.regions["nom"])
    assert erreurs == ["Hauts-de-France (32) : « 12O 000 » n'est pas un montant lisible (attendu : ex. 250 000, 250000,50 ou "
                       "250,000.50)."]
    assert montants["32"] == 0 and montants["84"] == 0


def test_lire_fichier_valide(ref):
    contenu = "region;enveloppe\n84;600 000\n32;400000,50\n11;1,000,000.00\n".encode()
    lu = lire_enveloppes_regionales(contenu, nom_fichier="env.csv", referentiel=ref)
    assert lu.valide and lu.enveloppes.to_dict() == {"84": 600_000, "32": 400_000.5, "11": 1_000_000}


def test_lire_fichier_invalide_nomme_ligne_et_colonne(ref):
    contenu = "region;enveloppe\n84;600 000\n99;1\n84;2\n32;250,000\n".encode()
    lu = lire_enveloppes_regionales(contenu, nom_fichier="env.csv", referentiel=ref)
    assert not lu.valide
    textes = [str(p) for p in lu.erreurs]
    assert textes[0].startswith("env.csv, ligne 3, colonne `region` : « 99 » n'est pas un code région du COG")
    assert textes[1].startswith("env.csv, ligne 4, colonne `region` : la région 84 est déjà citée plus haut")
    assert textes[2].startswith("env.csv, ligne 5, colonne `enveloppe` : « 250,000 » est ambigu")


def test_lire_fichier_sans_colonne(ref):
    lu = lire_enveloppes_regionales(b"code;montant\n84;1\n", nom_fichier="env.csv", referentiel=ref)
    assert "colonnes obligatoires absentes : region, enveloppe" in str(lu.erreurs[0])


def test_repartition_au_prorata_des_etp_finances_l_an_dernier(ref):
    structures = pd.DataFrame({
        "departement": ["01", "59", "75", "38"],
        "etp_facilitateur": [2.0, 1.0, 3.0, 1.0],
        "financement_pnad": ["2022,2023,2024", "2024", "2023", "2024"],  # Paris : pas financé en 2024
    })
    t = repartition_suggeree(enveloppe_nationale=4_500_000, cle="etp_finances", referentiel=ref, structures=structures,
                             annee_precedente=2024)
    # 84 : 2 + 1 = 3 ETP ; 32 : 1 ETP ; 4 ETP en tout.
    assert t.loc["84", "enveloppe"] == 3_375_000 and t.loc["32", "enveloppe"] == 1_125_000
    assert t.loc["11", "enveloppe"] == 0 and len(t) == 18 and t["enveloppe"].sum() == 4_500_000


def test_repartition_a_l_euro_tombe_juste(ref):
    """Trois parts égales de 100 € : 34 + 33 + 33 (plus fort reste), la somme vaut l'enveloppe."""
    indice = pd.Series({"84": 1.0, "32": 1.0, "11": 1.0})
    t = repartition_suggeree(enveloppe_nationale=100, cle="indice_besoin", referentiel=ref, indice_par_region=indice)
    assert sorted(t.loc[["84", "32", "11"], "enveloppe"]) == [33, 33, 34] and t["enveloppe"].sum() == 100


def test_controle_du_total():
    assert controler_total({"84": 3_000_000, "32": 1_000_000}, enveloppe_nationale=4_500_000).ecart == -500_000
    message = sans_insecables(controler_total({"84": 5_000_000}, enveloppe_nationale=4_500_000).message)
    assert message.endswith("dépassement de 500 000 €.")
    assert controler_total({"84": 4_500_000}, enveloppe_nationale=4_500_000).conforme


def _evalues() -> pd.DataFrame:
    """A (84) 28 000 €, B (84) 20 000 € pour 1 ETP, C (32) 30 000 € : tous éligibles ; A avant B."""
    return pd.DataFrame({
        "id_dossier": ["A", "B", "C"], "region": ["84", "84", "32"], "eligible": [True] * 3, "motifs": [""] * 3,
        "montant_max_aap": [28_000.0, 20_000.0, 30_000.0], "etp_demandes": [1.0, 1.0, 1.0],
        "note_marches_etat": [5.0, 1.0, 3.0],
    })


def test_chaque_region_reste_dans_son_enveloppe():
    r = allouer_par_region(_evalues(), enveloppes={"84": 30_000, "32": 50_000})
    montants = r.consolidee.lignes.set_index("id_dossier")["montant_attribue"]
    # 84 : A (28 000) tient, reste 2 000 € < 10 000 € (0,5 ETP de B) : B non financé, même si 32 a 20 000 € de reste.
    assert montants.to_dict() == {"A": 28_000, "B": 0, "C": 30_000}
    assert r.par_region.loc["84", "restante"] == 2_000 and r.par_region.loc["32", "restante"] == 20_000
    assert not r.par_region["depassement"].any()
    assert r.consolidee.enveloppe == 80_000 and r.consolidee.enveloppe_utilisee == 58_000


def test_pot_national_choisi_explicitement():
    r = allouer_par_region(_evalues(), enveloppes={"84": 30_000, "32": 50_000}, pot_national=True)
    assert r.consolidee.lignes.set_index("id_dossier")["montant_attribue"].to_dict() == {"A": 28_000, "B": 20_000, "C": 30_000}
    assert r.par_region.loc["84", "depassement"]  # 48 000 € pour 30 000 € : l'argent de 32 est passé en 84


def test_region_absente_ne_recoit_rien_et_avertit():
    r = allouer_par_region(_evalues(), enveloppes={"32": 50_000}, noms_regions={"84": "Auvergne-Rhône-Alpes"})
    assert r.consolidee.lignes.set_index("id_dossier")["montant_attribue"].to_dict() == {"A": 0, "B": 0, "C": 30_000}
    assert r.avertissements == ("Région Auvergne-Rhône-Alpes (84) absente de la table des enveloppes régionales : "
                                "ses 2 dossier(s) ne reçoivent rien.",)


def _simuler(fichiers, tmp_path, texte_enveloppes: str) -> tuple[int, Path]:  # noqa: F811
    """Écrit le fichier des enveloppes, lance `simuler` ; (code de sortie, CSV écrit)."""
    env = tmp_path / "enveloppes.csv"
    env.write_text(texte_enveloppes, encoding="utf-8")
    sortie = tmp_path / "allocation.csv"
    return main(["simuler", "--dossiers", str(fichiers["dossiers"]), "--structures", str(fichiers["structures"]),
                 "--perimetres", str(fichiers["perimetres"]), "--enveloppes-regionales", str(env), "--sortie", str(sortie)]), sortie


def test_cli_simuler_avec_enveloppes_regionales(fichiers, tmp_path, capsys):  # noqa: F811
    code, sortie = _simuler(fichiers, tmp_path, "region;enveloppe\n84;20 000\n11;5,000.00\n")
    assert code == OK
    texte = sans_insecables(capsys.readouterr().out)
    assert "Enveloppe : 25 000 € ; utilisée : 20 000 € ; restante : 5 000 €." in texte
    assert "Reste par région : Île-de-France : 5 000 €." in texte
    table = lire_csv(sortie).set_index("id_dossier")
    assert "region" in table.columns
    assert (table.loc["D1", "region"], nombre(table.loc["D1", "montant_attribue"])) == ("84", 20_000)


def test_cli_region_absente_du_fichier(fichiers, tmp_path, capsys):  # noqa: F811
    code, sortie = _simuler(fichiers, tmp_path, "region;enveloppe\n32;100000\n")
    assert code == OK
    assert ("Avertissement : Région Auvergne-Rhône-Alpes (84) absente de la table des enveloppes régionales : "
            "ses 2 dossier(s) ne reçoivent rien.") in capsys.readouterr().err
    assert nombre(lire_csv(sortie).set_index("id_dossier").loc["D1", "montant_attribue"]) == 0


def test_cli_fichier_d_enveloppes_invalide(fichiers, tmp_path, capsys):  # noqa: F811
    code, sortie = _simuler(fichiers, tmp_path, "region;enveloppe\n84;beaucoup\n")
    assert code == DONNEES_INVALIDES
    assert "enveloppes.csv, ligne 2, colonne `enveloppe` : « beaucoup » n'est pas un montant lisible" in capsys.readouterr().err
    assert not sortie.exists()
