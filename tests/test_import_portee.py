"""Imports sur une portée (France, région, département) : aperçu, remplacement de la seule portée,
lignes hors portée refusées, versions entières ; `python -m coverage importer` et `exporter`.

Démonstration : la Somme (80) a trois structures, S0335 (5,5 ETP), S0336 (1,5) et S0337 (0,5), et
quatre lignes de périmètre ; aucun dossier.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coverage.cli import DONNEES_INVALIDES, OK, main
from coverage.espace import ouvrir_espace
from coverage.espace.permissions import EspaceControle, PermissionRefusee, Role, Utilisateur
from coverage.modele import DOSSIER_DEMO

STRUCTURES_80 = """id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad
S9001;Nouvelle maison de la Somme;association;;80;2;0;
S0336;Structure S0336 renommée;association;;80;1,5;0;2022,2023,2024
"""
PERIMETRES_80 = """id_structure;niveau;code;role;part_etp
S9001;departement;80;principal;
S0336;departement;80;principal;
"""


def _demo(args_extra=()) -> list[str]:
    return ["--structures", str(DOSSIER_DEMO / "structures.csv"), "--perimetres", str(DOSSIER_DEMO / "perimetres.csv"),
            "--dossiers", str(DOSSIER_DEMO / "dossiers.csv"), *args_extra]


@pytest.fixture
def espace_demo(tmp_path) -> Path:
    chemin = tmp_path / "espace.sqlite"
    assert main(["importer", "--espace", str(chemin), *_demo(), "--portee", "france", "--auteur", "DGEFP", "--confirmer"]) == OK
    return chemin


def _fichiers(tmp_path, structures=STRUCTURES_80, perimetres=PERIMETRES_80) -> list[str]:
    (tmp_path / "s.csv").write_text(structures, encoding="utf-8")
    (tmp_path / "p.csv").write_text(perimetres, encoding="utf-8")
    return ["--structures", str(tmp_path / "s.csv"), "--perimetres", str(tmp_path / "p.csv")]


def test_apercu_sans_confirmer_n_ecrit_rien(espace_demo, tmp_path, capsys):
    capsys.readouterr()
    code = main(["importer", "--espace", str(espace_demo), *_fichiers(tmp_path), "--portee", "departement:80", "--auteur", "Bob"])
    assert code == OK
    sortie = capsys.readouterr().out
    assert "- Structures ajoutées : 1 : S9001." in sortie
    assert "- Structures modifiées : 1 : S0336 (nom, statut, siret, financement_pnad, périmètre)." in sortie
    assert "- Structures retirées : 2 : S0335, S0337." in sortie
    assert "- Lignes de périmètre dans la portée : 4 avant, 2 après." in sortie
    assert "- ETP de facilitateurs dans la portée : 7,5 avant, 3,5 après." in sortie
    assert "Aucune donnée écrite" in sortie
    assert ouvrir_espace(espace_demo).version_active() == 1


def test_import_d_un_departement_garde_le_reste_de_la_france_tel_quel(espace_demo, tmp_path, capsys):
    depot = ouvrir_espace(espace_demo)
    avant = depot.charger_version()
    code = main(["importer", "--espace", str(espace_demo), *_fichiers(tmp_path), "--portee", "departement:80", "--auteur", "Bob",
                 "--confirmer"])
    assert code == OK
    assert "Version 2 enregistrée et active (département Somme (80), auteur : Bob)." in capsys.readouterr().out
    apres = depot.charger_version()
    hors = avant.structures[avant.structures["departement"] != "80"].reset_index(drop=True)
    pd.testing.assert_frame_equal(apres.structures.iloc[: len(hors)].reset_index(drop=True), hors)
    assert len(apres.structures) == 473 - 3 + 2
    garde = ~avant.perimetres["id_structure"].isin(["S0335", "S0336", "S0337"])
    pd.testing.assert_frame_equal(apres.perimetres.iloc[: int(garde.sum())].reset_index(drop=True),
                                  avant.perimetres[garde].reset_index(drop=True))
    pd.testing.assert_frame_equal(apres.dossiers, avant.dossiers)  # aucun dossier dans la Somme
    versions = depot.lister_versions()
    derniere = versions[versions["id"] == 2].iloc[0]
    assert derniere["auteur"] == "Bob" and derniere["libelle"].startswith("Import département Somme (80) (departement:80)")
    depot.restaurer_version(1, auteur="DGEFP", base_version=depot.version_active())  # les versions restent entières : la restauration rend la France d'avant
    pd.testing.assert_frame_equal(depot.charger_version().structures, avant.structures)


def test_une_ligne_hors_portee_est_une_erreur_qui_nomme_la_ligne(espace_demo, tmp_path, capsys):
    structures = STRUCTURES_80 + "S9002;Dans l'Ain;association;;01;1;0;\n"
    perimetres = PERIMETRES_80 + "S9002;departement;01;principal;\n"
    code = main(["importer", "--espace", str(espace_demo), *_fichiers(tmp_path, structures, perimetres), "--portee", "region:32",
                 "--auteur", "Alice", "--confirmer"])
    assert code == DONNEES_INVALIDES
    assert ("s.csv, ligne 4, colonne `departement` : structure du département 01, hors de la portée déclarée de l'import "
            "(région Hauts-de-France (32)).") in capsys.readouterr().err
    assert ouvrir_espace(espace_demo).version_active() == 1


@pytest.mark.parametrize(
    ("portee", "message"),
    [("region:99", "région « 99 » inconnu"), ("canton:1", "illisible"), ("", "illisible")],
    ids=["region_inconnue", "niveau_inconnu", "vide"],
)
def test_portee_illisible(espace_demo, tmp_path, capsys, portee, message):
    code = main(["importer", "--espace", str(espace_demo), *_fichiers(tmp_path), "--portee", portee, "--auteur", "Bob"])
    assert code == DONNEES_INVALIDES and message in capsys.readouterr().err


def test_identifiant_deja_pris_hors_portee(espace_demo, tmp_path, capsys):
    structures = STRUCTURES_80.replace("S9001", "S0001")  # S0001 est dans l'Ain
    code = main(["importer", "--espace", str(espace_demo), *_fichiers(tmp_path, structures, PERIMETRES_80.replace("S9001", "S0001")),
                 "--portee", "departement:80", "--auteur", "Bob", "--confirmer"])
    assert code == DONNEES_INVALIDES
    assert "existent déjà hors de la portée" in capsys.readouterr().err and "S0001" in capsys.readouterr().err + "S0001"


def test_export_puis_reimport_a_l_identique(espace_demo, tmp_path):
    sortie = tmp_path / "export"
    assert main(["exporter", "--espace", str(espace_demo), "--dossier-sortie", str(sortie)]) == OK
    assert sorted(p.name for p in sortie.iterdir()) == ["dossiers.csv", "perimetres.csv", "structures.csv"]
    second = tmp_path / "second.sqlite"
    args = ["--structures", str(sortie / "structures.csv"), "--perimetres", str(sortie / "perimetres.csv"),
            "--dossiers", str(sortie / "dossiers.csv")]
    assert main(["importer", "--espace", str(second), *args, "--portee", "france", "--auteur", "DGEFP", "--confirmer"]) == OK
    a, b = ouvrir_espace(espace_demo).charger_version(), ouvrir_espace(second).charger_version()
    for nom in ("structures", "perimetres", "dossiers"):
        pd.testing.assert_frame_equal(getattr(a, nom), getattr(b, nom))
    sortie2 = tmp_path / "export2"
    assert main(["exporter", "--espace", str(second), "--dossier-sortie", str(sortie2)]) == OK
    for nom in ("structures", "perimetres", "dossiers"):
        assert (sortie / f"{nom}.csv").read_bytes() == (sortie2 / f"{nom}.csv").read_bytes()


def test_exporter_un_espace_absent(tmp_path, capsys):
    assert main(["exporter", "--espace", str(tmp_path / "absent.sqlite"), "--dossier-sortie", str(tmp_path)]) == DONNEES_INVALIDES
    assert "espace de travail introuvable" in capsys.readouterr().err


def test_le_magasin_refuse_un_import_hors_du_territoire(espace_demo, tmp_path):
    from coverage.sources.donnees import importer_fichiers
    from coverage.sources.portee import lire_portee
    from geo.reference import charger_referentiel

    ref = charger_referentiel()
    portee = lire_portee("departement:80", referentiel=ref)
    lu = importer_fichiers(structures=(STRUCTURES_80.encode(), "s.csv"), perimetres=(PERIMETRES_80.encode(), "p.csv"),
                           referentiel=ref, portee=portee)
    regions = ref.departements["region"].to_dict()
    ddets_59 = EspaceControle(ouvrir_espace(espace_demo), Utilisateur("x@ddets-59.gouv.fr", Role.DDETS, "59"),
                              region_du_departement=regions)
    with pytest.raises(PermissionRefusee, match="votre département est le 59"):
        ddets_59.importer_portee(lu.donnees, portee=portee.texte, departements=portee.departements, auteur="x",
                                 libelle_portee=portee.libelle, avec_dossiers=False, base_version=1)
    dreets_32 = EspaceControle(ouvrir_espace(espace_demo), Utilisateur("a@dreets-hdf.gouv.fr", Role.DREETS, "32"),
                               region_du_departement=regions)
    assert dreets_32.importer_portee(lu.donnees, portee=portee.texte, departements=portee.departements, auteur="libre",
                                     libelle_portee=portee.libelle, avec_dossiers=False, base_version=1) == 2
    assert ouvrir_espace(espace_demo).lister_versions().set_index("id").at[2, "auteur"] == "a@dreets-hdf.gouv.fr"


def test_import_par_portee_sur_une_version_perimee_refuse(espace_demo):
    """L'aperçu a été montré sur la version 1 ; une version 2 est enregistrée entre-temps : la confirmation est refusée."""
    from coverage.espace import ConflitEdition
    from coverage.sources.donnees import importer_fichiers
    from coverage.sources.portee import lire_portee
    from geo.reference import charger_referentiel

    ref = charger_referentiel()
    portee = lire_portee("departement:80", referentiel=ref)
    lu = importer_fichiers(structures=(STRUCTURES_80.encode(), "s.csv"), perimetres=(PERIMETRES_80.encode(), "p.csv"),
                           referentiel=ref, portee=portee)
    depot = ouvrir_espace(espace_demo)
    depot.enregistrer_version(depot.charger_version(), auteur="Bob", libelle="Import de Bob", source="import", base_version=1)
    with pytest.raises(ConflitEdition, match="la version en vigueur est la version 2, mise en vigueur par Bob.*"
                                             "alors que vous travailliez sur la version 1"):
        depot.importer_portee(lu.donnees, portee=portee.texte, departements=portee.departements, auteur="Alice",
                              libelle_portee=portee.libelle, avec_dossiers=False, base_version=1)
    assert depot.lister_versions()["id"].tolist() == [2, 1]
    assert "S9001" not in set(depot.charger_version().structures["id_structure"])
