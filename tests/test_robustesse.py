"""Fichiers hostiles ou maladroits : chaque défaut de l'issue 15 reproduit, avec ce que l'utilisateur voit."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from coverage.espace import ouvrir_espace
from coverage.financement.allocation import allouer_optimisation, allouer_priorite
from coverage.financement.comite import dossiers_du_comite
from coverage.financement.simulation import preparer_simulation
from coverage.modele import DOSSIER_DEMO, DOSSIERS, table_vide
from coverage.sources.decp import lire_decp
from coverage.sources.donnees import importer_fichiers
from coverage.sources.lecture import ErreurLecture, convertir_dates, convertir_nombres, lire_tableau
from coverage.sources.limites import Limites, charger_json, decompresser_gzip
from geo.reference import charger_referentiel

ENTETE_DOSSIERS = ";".join(DOSSIERS.noms)


def _demo(nom: str) -> tuple[bytes, str]:
    return (DOSSIER_DEMO / f"{nom}.csv").read_bytes(), f"{nom}.csv"


# --- 1. Fichier facultatif absent --------------------------------------------------------------


def test_sans_fichier_dossiers_simulation_et_comite_fonctionnent(tmp_path):
    ref = charger_referentiel()
    resultat = importer_fichiers(structures=_demo("structures"), perimetres=_demo("perimetres"), referentiel=ref)
    assert resultat.valide
    espace = ouvrir_espace(tmp_path / "espace.sqlite")
    espace.enregistrer_version(resultat.donnees, auteur="test", libelle="sans dossiers", source="import",
                              base_version=None)  # espace neuf : aucune version affichée
    donnees = espace.charger_version()
    assert len(donnees.dossiers) == 0
    # Typée comme une table pleine : nombres en float, booléens en bool.
    assert donnees.dossiers["etp_demandes"].dtype == "float64"
    assert donnees.dossiers["dossier_complet"].dtype == "bool"
    zb = pd.DataFrame({"est_zone_blanche": [True], "population": [1000.0], "grands_projets": [""]}, index=["01001"])
    entrees = preparer_simulation(donnees, referentiel=ref, zones_blanches_communes=zb)
    assert len(entrees.dossiers) == 0
    priorite = allouer_priorite(entrees.dossiers, enveloppe=100_000.0, priorites=entrees.priorites)
    assert priorite.lignes.empty
    optimisation = allouer_optimisation(entrees.dossiers, enveloppe=100_000.0, communes_par_dossier=entrees.communes_par_dossier,
                                        poids_communes=entrees.poids_communes, priorites=entrees.priorites)  # fmt: skip
    assert optimisation.lignes.empty
    assert dossiers_du_comite(entrees.dossiers, comite="national", structures=donnees.structures).empty


def test_une_table_vide_a_les_types_d_une_table_pleine():
    vide = table_vide(DOSSIERS)
    assert list(vide.columns) == DOSSIERS.noms
    assert vide["cout_annuel_total"].dtype == "float64" and vide["date_depot"].dtype == "datetime64[ns]"


# --- 2. Nombres bornés -------------------------------------------------------------------------


def _dossier(cout: str, montant: str = "20000") -> bytes:
    ligne = ["D1", "S0001", "association", "84", "01", "1", cout, montant, "", "", "", "oui", "", "", "", "", "", "", ""]
    return (ENTETE_DOSSIERS + "\n" + ";".join(ligne[: len(DOSSIERS.noms)]) + "\n").encode()


@pytest.mark.parametrize(
    ("cout", "montant"),
    [("1e309", "20000"), ("1e308", "1e308"), ("100000001", "20000")],
    ids=["infini", "deux-1e308", "au-dessus-du-plafond"],
)
def test_un_montant_infini_ou_demesure_est_refuse_avec_ligne_et_colonne(cout, montant):
    resultat = importer_fichiers(structures=_demo("structures"), perimetres=_demo("perimetres"),
                                 dossiers=(_dossier(cout, montant), "dossiers.csv"), referentiel=charger_referentiel())  # fmt: skip
    assert not resultat.valide
    messages = [str(e) for e in resultat.erreurs]
    assert any(m.startswith("dossiers.csv, ligne 2, colonne `cout_annuel_total`") and "(attendu : nombre entre 0 et 100" in m for m in messages)


def test_un_montant_decp_infini_est_laisse_vide_et_signale():
    marches = [{"id": "M1", "acheteur": {"id": "13000000000012"}, "montant": 1e308 * 10,
                "lieuExecution": {"code": "01053", "typeCode": "Code commune"}},
               {"id": "M2", "acheteur": {"id": "13000000000012"}, "montant": "1e309",
                "lieuExecution": {"code": "01053", "typeCode": "Code commune"}}]  # fmt: skip
    contenu = json.dumps({"marches": marches}).replace("Infinity", "1e309").encode()
    lus = lire_decp(contenu, nom_fichier="decp.json")
    assert lus.contrats["montant"].isna().all()
    assert any("marché n° 1" in a and "1e309" in a for a in lus.avertissements)
    assert np.isfinite(lus.contrats["montant"].sum())


# --- 7. Chiffres non ASCII --------------------------------------------------------------------


def test_chiffres_pleine_chasse_et_arabes_lus_comme_des_nombres():
    conversion = convertir_nombres(pd.Series(["１,５", "١", "٢٥"]))
    assert conversion.valeurs.tolist() == [1.5, 1.0, 25.0]
    assert not conversion.invalides.any()


def test_un_chiffre_non_ascii_illisible_n_est_jamais_un_nan_silencieux():
    conversion = convertir_nombres(pd.Series(["٣٫٥"]))  # séparateur décimal arabe : non reconnu
    assert conversion.invalides.tolist() == [True]


# --- 9. Petits défauts de lecture --------------------------------------------------------------


def test_date_a_l_heure_impossible_refusee():
    conversion = convertir_dates(pd.Series(["2025-07-01T25:99", "2025-07-01T23:59"]))
    assert conversion.invalides.tolist() == [True, False]


def test_utf8_invalide_lu_en_windows_1252_avec_avertissement_sur_la_ligne():
    contenu = "id;nom\nA;Alpha\nB;Bézier\n".encode("cp1252")
    tableau = lire_tableau(contenu, nom_fichier="t.csv")
    assert tableau.donnees.loc[3, "nom"] == "Bézier"
    assert [(a.ligne, "Windows-1252" in a.message) for a in tableau.avertissements] == [(3, True)]


def test_bom_suivi_de_windows_1252_message_clair_et_en_tete_propre():
    contenu = b"\xef\xbb\xbf" + "id_structure;nom\nA;Créteil\n".encode("cp1252")
    tableau = lire_tableau(contenu, nom_fichier="t.csv")
    assert tableau.colonnes == ("id_structure", "nom")
    assert "BOM" in tableau.avertissements[0].message and tableau.avertissements[0].ligne == 2


def test_guillemet_non_ferme_signale_comme_tel():
    with pytest.raises(ErreurLecture, match=r"t\.csv, ligne 3 : guillemet ouvert \(ligne 3 du fichier texte\) et jamais fermé"):
        lire_tableau(b'id;nom\nA;Alpha\nB;"Beta\nC;Gamma\n', nom_fichier="t.csv")


def test_guillemets_sur_plusieurs_lignes_fermes_restent_acceptes():
    tableau = lire_tableau(b'id;nom\nA;"Alpha\nsuite"\n', nom_fichier="t.csv")
    assert tableau.donnees.loc[2, "nom"] == "Alpha\nsuite"


def _xlsx(feuille_xml: str, *, partages: str | None = None) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"))  # fmt: skip
        z.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))  # fmt: skip
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="structures" sheetId="1" r:id="rId1"/></sheets></workbook>'))  # fmt: skip
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"))  # fmt: skip
        z.writestr("xl/worksheets/sheet1.xml", feuille_xml)
    return tampon.getvalue()


_FEUILLE = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>'


def test_formule_sans_valeur_calculee_signalee_comme_formule():
    lignes = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>etp</t></is></c></row>'
              '<row r="2"><c r="A2" t="inlineStr"><is><t>S1</t></is></c><c r="B2"><f>1+1</f></c></row>')  # fmt: skip
    tableau = lire_tableau(_xlsx(_FEUILLE.format(lignes)), nom_fichier="s.xlsx")
    assert [str(e) for e in tableau.erreurs] == [
        "s.xlsx, ligne 2, colonne `etp` : formule « =1+1 » sans valeur calculée : le classeur a été enregistré sans "
        "recalcul ; ouvrez-le dans le tableur, puis enregistrez-le (ou collez les valeurs)."
    ]


def test_xml_de_feuille_mal_forme_message_en_francais():
    with pytest.raises(ErreurLecture, match="le contenu XML d'une feuille est mal formé"):
        lire_tableau(_xlsx(_FEUILLE.format('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row')), nom_fichier="s.xlsx")


# --- 3. Tailles bornées ------------------------------------------------------------------------


def test_bombe_xlsx_refusee_avant_lecture():
    partages = "<sst>" + "<si><t>" + "A" * 1000 + "</t></si>" * 1 + "</sst>"
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", partages + " " * (70 << 20))
    with pytest.raises(ErreurLecture, match=r"classeur trop volumineux une fois décompressé .*« xl/sharedStrings\.xml »"):
        lire_tableau(tampon.getvalue(), nom_fichier="bombe.xlsx", limites=Limites(octets_classeur=64 << 20))


def test_bombe_gzip_arretee_au_plafond():
    bombe = gzip.compress(b" " * (80 << 20))
    with pytest.raises(ErreurLecture, match="trop volumineux une fois décompressé"):
        decompresser_gzip(bombe, "decp.json.gz")
    assert len(decompresser_gzip(bombe, "decp.json.gz", limites=Limites(taux_compression=10_000))) == 80 << 20


@pytest.mark.parametrize(
    ("contenu", "limites", "motif"),
    [
        (b"a;b\n" + b"1;2\n" * 11, Limites(lignes=10), r"t\.csv, ligne 12 : plus de 10 lignes de données"),
        (b";".join([b"c%d" % i for i in range(12)]) + b"\n", Limites(colonnes=10), r"ligne 1 : 12 colonnes \(au plus 10\)"),
        (b"a;b\n1;" + b"x" * 200 + b"\n", Limites(caracteres_cellule=100), r"ligne 2 : la cellule n° 2 compte 200 caractères"),
        (b"a" * (200 << 10) + b";b\n1;2\n", Limites(), r"ligne 1 : la cellule n° 1 compte 204\u202f800 caractères"),
    ],
    ids=["lignes", "colonnes", "cellule", "premiere-ligne-de-200-kio"],
)
def test_limites_du_csv(contenu, limites, motif):
    with pytest.raises(ErreurLecture, match=motif):
        lire_tableau(contenu, nom_fichier="t.csv", limites=limites)


def test_json_trop_imbrique_refuse_avec_ligne_et_colonne():
    with pytest.raises(ErreurLecture, match=r"r\.json : JSON imbriqué sur plus de 64 niveaux \(ligne 2, colonne 64\)"):
        charger_json(b'{"a": 1,\n' + b"[" * 2000 + b"]" * 2000 + b"}", "r.json")


def test_limites_reglables_par_l_environnement():
    assert Limites.depuis_environnement({"COUVERTURE_LIMITE_LIGNES": "5", "COUVERTURE_LIMITE_SECONDES_SUGGESTIONS": "0.5"}) == Limites(
        lignes=5, secondes_suggestions=0.5)
    with pytest.raises(ValueError, match="COUVERTURE_LIMITE_LIGNES"):
        Limites.depuis_environnement({"COUVERTURE_LIMITE_LIGNES": "-1"})


# --- 10. Service -------------------------------------------------------------------------------


def test_fichiers_de_besoins_conserves_trois_par_type(tmp_path):
    espace = ouvrir_espace(tmp_path / "espace.sqlite")
    actif = None
    for i in range(5):
        actif = espace.enregistrer_fichier_besoins("decp", nom_fichier=f"decp{i}.json", contenu=b"x" * 10, auteur="a",
                                                   base_version=actif)
    espace.enregistrer_fichier_besoins("qpv", nom_fichier="qpv.geojson", contenu=b"{}", auteur="a", base_version=None)
    liste = espace.lister_fichiers_besoins()
    assert liste.loc[liste["type"] == "decp", "nom_fichier"].tolist() == ["decp4.json", "decp3.json", "decp2.json"]
    assert espace.fichier_besoins_actif("decp")[1] == "decp4.json"
    assert liste.loc[liste["type"] == "qpv", "nom_fichier"].tolist() == ["qpv.geojson"]


def test_configuration_de_service():
    import tomllib

    from tests.test_architecture import RACINE

    config = tomllib.loads((RACINE / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # ni trace ni chemin du serveur à l'écran
    assert config["server"]["maxUploadSize"] == 600
    lancer = (RACINE / "lancer.sh").read_text(encoding="utf-8")
    assert '--server.address "${COUVERTURE_ADRESSE:-127.0.0.1}"' in lancer
    assert "600 Mo" in (RACINE / "docs" / "import.md").read_text(encoding="utf-8")


# --- 11. Grandes données -----------------------------------------------------------------------


def test_identifiants_des_fichiers_actifs_sans_leur_contenu(tmp_path):
    espace = ouvrir_espace(tmp_path / "espace.sqlite")
    assert espace.fichiers_besoins_actifs() == {}
    premier = espace.enregistrer_fichier_besoins("decp", nom_fichier="a.json", contenu=b"[1]", auteur="a", base_version=None)
    second = espace.enregistrer_fichier_besoins("decp", nom_fichier="b.json", contenu=b"[2]", auteur="a", base_version=premier)
    qpv = espace.enregistrer_fichier_besoins("qpv", nom_fichier="q.geojson", contenu=b"{}", auteur="a", base_version=None)
    assert premier < second
    assert espace.fichiers_besoins_actifs() == {"decp": (second, "b.json"), "qpv": (qpv, "q.geojson")}


def test_recherche_de_structures_dans_une_longue_liste():
    from ui.recherche import proposes

    noms = pd.Series([f"Structure {i}" for i in range(1_000_000)], index=[f"S{i:07d}" for i in range(1_000_000)])
    noms.iloc[123_456] = "Maison de l'emploi de Bourg"
    assert proposes(noms, "maison de l'emploi", deja=[]) == ["S0123456"]
    assert proposes(noms, "", deja=["S0999999"], limite=3) == ["S0999999", "S0000000", "S0000001", "S0000002"]
    assert len(proposes(noms, "structure 1", deja=[])) == 100
