"""Lecture des fichiers d'échange (CSV, XLSX) et des valeurs « à la française »."""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd
import pytest
from openpyxl import Workbook

from coverage.sources.lecture import (
    ErreurLecture,
    Probleme,
    annees_fr,
    booleen_fr,
    convertir_annees,
    convertir_booleens,
    convertir_dates,
    convertir_nombres,
    date_fr,
    lire_tableau,
    nombre_fr,
    normaliser_entete,
)
from coverage.modele import PERIMETRES, STRUCTURES

ENTETE_PERIMETRES = "id_structure;niveau;code;role;part_etp"


def _xlsx(feuilles: dict[str, list[list[object]]], formats: dict[tuple[str, str], str] | None = None) -> bytes:
    """Classeur construit à la main : feuille → lignes ; formats : (feuille, cellule) → format."""
    classeur = Workbook()
    classeur.remove(classeur.active)
    for nom, lignes in feuilles.items():
        ws = classeur.create_sheet(nom)
        for ligne in lignes:
            ws.append(ligne)
    for (nom, cellule), fmt in (formats or {}).items():
        classeur[nom][cellule].number_format = fmt
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# ------------------------------------------------------------------------------------------
# CSV : séparateurs, encodages, lignes
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "separateur"),
    [
        ("id_structure;niveau;code;role;part_etp\nS1;commune;01001;principal;0,5\n", ";"),
        ('id_structure,niveau,code,role,part_etp\nS1,commune,01001,principal,"0,5"\n', ","),
        ("id_structure\tniveau\tcode\trole\tpart_etp\nS1\tcommune\t01001\tprincipal\t0,5\n", "\t"),
    ],
    ids=["point-virgule", "virgule", "tabulation"],
)
def test_csv_separateur_detecte(texte: str, separateur: str) -> None:
    tableau = lire_tableau(texte.encode(), nom_fichier="perimetres.csv")
    assert tableau.separateur == separateur
    assert tableau.colonnes == ("id_structure", "niveau", "code", "role", "part_etp")
    assert tableau.donnees.loc[2].tolist() == ["S1", "commune", "01001", "principal", "0,5"]


def test_csv_ligne_sep_d_excel() -> None:
    # « sep=, » : indication d'Excel, invisible dans le tableur ; l'en-tête reste la ligne 1
    tableau = lire_tableau(b"sep=,\r\na,b\r\n1;2,3\r\n", nom_fichier="a.csv")
    assert (tableau.separateur, tableau.colonnes) == (",", ("a", "b"))
    assert tableau.donnees.loc[2].tolist() == ["1;2", "3"]


def test_csv_windows_1252_avec_accents() -> None:
    contenu = "id_structure;nom\nS1;Ambérieu Emploi €\n".encode("cp1252")
    tableau = lire_tableau(contenu, nom_fichier="structures.csv")
    assert tableau.encodage == "cp1252"
    assert tableau.donnees.loc[2, "nom"] == "Ambérieu Emploi €"


def test_csv_utf8_avec_bom_entete_propre() -> None:
    contenu = "id_structure;nom\nS1;Clémenciat\n".encode("utf-8-sig")
    tableau = lire_tableau(contenu, nom_fichier="structures.csv")
    assert tableau.encodage == "utf-8-sig"
    assert tableau.colonnes == ("id_structure", "nom")  # pas de « \ufeffid_structure »
    assert tableau.donnees.loc[2, "nom"] == "Clémenciat"


def test_csv_utf8_sans_bom() -> None:
    tableau = lire_tableau("id;nom\n1;Clémenciat\n".encode(), nom_fichier="a.csv")
    assert (tableau.encodage, tableau.donnees.loc[2, "nom"]) == ("utf-8", "Clémenciat")


def test_csv_utf16_export_texte_unicode_excel() -> None:
    contenu = "id\tnom\n1\tClémenciat\n".encode("utf-16")
    tableau = lire_tableau(contenu, nom_fichier="a.txt")
    assert (tableau.encodage, tableau.separateur, tableau.donnees.loc[2, "nom"]) == ("utf-16", "\t", "Clémenciat")


def test_codes_gardent_leurs_zeros_et_toutes_cellules_en_texte() -> None:
    tableau = lire_tableau(b"code;etp\n01001;1,5\n2A004;0010\n", nom_fichier="a.csv")
    assert tableau.donnees["code"].tolist() == ["01001", "2A004"]
    assert tableau.donnees["etp"].tolist() == ["1,5", "0010"]
    assert all(pd.api.types.is_string_dtype(t) for t in tableau.donnees.dtypes)


def test_numeros_de_ligne_du_tableur_lignes_vides_ignorees() -> None:
    # ligne 3 vide au milieu, lignes 5 et 6 vides en fin (« ;; » écrit par Excel)
    contenu = b"a;b;c\nx;1;2\n\ny;3;4\n;;\n;;\n"
    tableau = lire_tableau(contenu, nom_fichier="a.csv")
    assert tableau.donnees.index.tolist() == [2, 4]
    assert tableau.donnees.index.name == "ligne"


def test_cellule_entre_guillemets_avec_separateur_et_retour_ligne() -> None:
    contenu = 'nom;code\n"Maison ; emploi\nBugey";01004\nB;01001\n'.encode()
    tableau = lire_tableau(contenu, nom_fichier="a.csv")
    assert tableau.donnees.loc[2, "nom"] == "Maison ; emploi\nBugey"
    assert tableau.donnees.index.tolist() == [2, 3]  # une ligne de tableur par enregistrement


def test_entetes_normalises_accents_gardes() -> None:
    tableau = lire_tableau("\ufeff ID_Structure ;Région\nS1;84\n".encode(), nom_fichier="a.csv")
    assert tableau.colonnes == ("id_structure", "région")


def test_normaliser_entete() -> None:
    assert normaliser_entete("\ufeff  Part_ETP\u00a0") == "part_etp"


def test_espaces_de_bord_retires_des_cellules() -> None:
    tableau = lire_tableau("a;b\n  S1 ;\u00a001001\u00a0\n".encode(), nom_fichier="a.csv")
    assert tableau.donnees.loc[2].tolist() == ["S1", "01001"]


def test_apostrophe_d_echappement_retiree_a_la_relecture() -> None:
    # une cellule exportée « '=1+1 » (voir coverage.documents.exports) se relit « =1+1 »
    tableau = lire_tableau("nom;note\n'=1+1;'bonjour\n".encode(), nom_fichier="a.csv")
    assert tableau.donnees.loc[2].tolist() == ["=1+1", "'bonjour"]


def test_valeurs_en_trop_sur_une_ligne_signalees_avec_sa_ligne() -> None:
    tableau = lire_tableau(b"a;b\n1;2\n3;4;5\n6;7;;\n", nom_fichier="a.csv")
    assert [str(p) for p in tableau.erreurs] == [
        "a.csv, ligne 3 : 3 valeurs pour 2 colonnes d'en-tête (séparateur ou guillemets mal placés ?)."
    ]  # la ligne 4 n'a qu'une cellule vide en trop : ignorée
    assert tableau.donnees.loc[4].tolist() == ["6", "7"]


def test_lignes_courtes_completees_par_des_cellules_vides() -> None:
    tableau = lire_tableau(b"a;b;c\n1\n", nom_fichier="a.csv")
    assert tableau.donnees.loc[2].tolist() == ["1", "", ""]


def test_entete_seule_donne_un_tableau_vide() -> None:
    tableau = lire_tableau(ENTETE_PERIMETRES.encode(), nom_fichier="perimetres.csv", schema=PERIMETRES)
    assert len(tableau) == 0 and tableau.colonnes == tuple(PERIMETRES.noms)


# ------------------------------------------------------------------------------------------
# Erreurs de lecture
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contenu", "nom"),
    [(b"", "vide.csv"), (b"\xef\xbb\xbf\r\n\r\n", "bom.csv"), (b";;;\n;;\n", "separateurs.csv")],
    ids=["zero-octet", "bom-seul", "separateurs-seuls"],
)
def test_fichier_vide(contenu: bytes, nom: str) -> None:
    with pytest.raises(ErreurLecture, match=rf"^{nom} : le fichier est vide\.$"):
        lire_tableau(contenu, nom_fichier=nom)


def test_extension_inconnue() -> None:
    with pytest.raises(ErreurLecture, match=r"extension « \.pdf » non reconnue \(formats acceptés : \.csv"):
        lire_tableau(b"a;b\n1;2\n", nom_fichier="structures.pdf")


def test_format_xls_refuse_avec_conseil() -> None:
    with pytest.raises(ErreurLecture, match=r"Excel 97-2003 \(\.xls\) n'est pas pris en charge"):
        lire_tableau(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", nom_fichier="structures.xls")


def test_csv_illisible_ni_utf8_ni_cp1252() -> None:
    # 0x81 et 0x8D ne sont définis ni en UTF-8 (seuls) ni en Windows-1252
    with pytest.raises(ErreurLecture, match=r"^a\.csv : fichier illisible : ce n'est pas un texte en UTF-8 ni en Windows-1252"):
        lire_tableau(b"a;b\n\x81\x8d;1\n", nom_fichier="a.csv")


def test_csv_qui_est_un_classeur() -> None:
    with pytest.raises(ErreurLecture, match=r"son contenu est un classeur Excel, pas un CSV ; renommez-le en \.xlsx"):
        lire_tableau(_xlsx({"s": [["a"], [1]]}), nom_fichier="structures.csv")


def test_xlsx_illisible() -> None:
    with pytest.raises(ErreurLecture, match=r"^a\.xlsx : fichier illisible : ce n'est pas un classeur \.xlsx valide"):
        lire_tableau(b"ceci n'est pas un zip", nom_fichier="a.xlsx")


def test_colonne_obligatoire_absente_nommee_avec_colonnes_attendues() -> None:
    contenu = b"id_structure;nom;statut;departement;etp\nS1;A;gip;01;1\n"
    with pytest.raises(ErreurLecture) as excinfo:
        lire_tableau(contenu, nom_fichier="structures.csv", schema=STRUCTURES)
    assert str(excinfo.value) == (
        "structures.csv, ligne 1, colonne `etp_facilitateur` : colonne obligatoire `etp_facilitateur` absente "
        "(colonnes attendues : id_structure, nom, statut, siret, departement, etp_facilitateur, "
        "etp_coordinateur, financement_pnad)."
    )
    assert excinfo.value.probleme.colonne == "etp_facilitateur"


def test_plusieurs_colonnes_obligatoires_absentes_un_probleme_chacune() -> None:
    with pytest.raises(ErreurLecture) as excinfo:
        lire_tableau(b"id_structure;niveau\nS1;commune\n", nom_fichier="perimetres.csv", schema=PERIMETRES)
    assert [p.colonne for p in excinfo.value.problemes] == ["code", "role"]
    assert str(excinfo.value).count("\n") == 1  # une ligne par colonne manquante


def test_colonne_obligatoire_absente_avec_colonne_ressemblante() -> None:
    contenu = b"id_structure;nom;statut;departement;etp facilitateur\nS1;A;gip;01;1\n"
    with pytest.raises(ErreurLecture, match=r"; la colonne `etp facilitateur` serait-elle `etp_facilitateur` \?$"):
        lire_tableau(contenu, nom_fichier="structures.csv", schema=STRUCTURES)


def test_colonne_en_double_dans_l_entete() -> None:
    with pytest.raises(ErreurLecture, match=r"la colonne `code` figure deux fois dans l'en-tête \(colonnes 1 et 3\)"):
        lire_tableau(b"code;nom;Code\n1;a;2\n", nom_fichier="a.csv")


def test_entete_vide() -> None:
    with pytest.raises(ErreurLecture, match=r"la ligne 1 doit contenir les noms de colonnes ; elle est vide"):
        lire_tableau(b"\nS1;A\n", nom_fichier="a.csv")


def test_probleme_str() -> None:
    assert str(Probleme("s.csv", 12, "etp_facilitateur", "-1", "« -1 » n'est pas un nombre d'ETP valide.")) == (
        "s.csv, ligne 12, colonne `etp_facilitateur` : « -1 » n'est pas un nombre d'ETP valide."
    )
    assert str(Probleme("s.csv", None, None, None, "le fichier est vide.")) == "s.csv : le fichier est vide."
    assert str(Probleme("s.csv", 3, None, None, "trop de valeurs.")) == "s.csv, ligne 3 : trop de valeurs."


# ------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------


def test_xlsx_cellules_typees_relues_comme_le_tableur_les_montre() -> None:
    contenu = _xlsx(
        {
            "perimetres": [
                ["ID_Structure", "code", "etp", "date", "actif", "siret"],
                ["S1", 1001, 1.5, dt.datetime(2025, 7, 1), True, 73282932000074],
                ["S2", "01001", 2.0, dt.datetime(2025, 7, 1, 14, 30), False, None],
                [None, None, None, None, None, None],
                ["S3", 1001, 1e-5, None, None, None],
            ]
        },
        formats={("perimetres", "B5"): "00000"},
    )
    tableau = lire_tableau(contenu, nom_fichier="perimetres.xlsx")
    d = tableau.donnees
    assert tableau.format == "xlsx" and tableau.feuille == "perimetres"
    assert d.index.tolist() == [2, 3, 5]  # ligne 4 vide ignorée, numérotation du tableur gardée
    assert d.loc[2].tolist() == ["S1", "1001", "1,5", "2025-07-01", "oui", "73282932000074"]  # 1001 et non 1001.0
    assert d.loc[3].tolist() == ["S2", "01001", "2", "2025-07-01 14:30:00", "non", ""]
    assert d.loc[5, "code"] == "01001"  # format « 00000 » : le zéro affiché est gardé
    assert d.loc[5, "etp"] == "0,00001"


def test_xlsx_feuille_nommee_comme_la_table_preferee() -> None:
    contenu = _xlsx(
        {
            "structures": [["id_structure"], ["S1"]],
            "Perimetres": [ENTETE_PERIMETRES.split(";"), ["S1", "commune", "01001", "principal", None]],
        }
    )
    tableau = lire_tableau(contenu, nom_fichier="classeur.xlsx", schema=PERIMETRES)
    assert tableau.feuille == "Perimetres"
    assert tableau.libelle == "classeur.xlsx (feuille Perimetres)"
    assert tableau.donnees.loc[2, "code"] == "01001"


def test_xlsx_premiere_feuille_par_defaut() -> None:
    contenu = _xlsx({"Feuil1": [["a"], ["x"]], "Feuil2": [["b"], ["y"]]})
    tableau = lire_tableau(contenu, nom_fichier="c.xlsx")
    assert (tableau.feuille, tableau.colonnes) == ("Feuil1", ("a",))


def test_xlsx_feuille_demandee_absente() -> None:
    with pytest.raises(ErreurLecture, match=r"feuille « dossiers » absente du classeur \(feuilles : Feuil1\)"):
        lire_tableau(_xlsx({"Feuil1": [["a"], ["x"]]}), nom_fichier="c.xlsx", feuille="dossiers")


def test_xlsx_vide() -> None:
    with pytest.raises(ErreurLecture, match=r"^c\.xlsx : le fichier est vide\.$"):
        lire_tableau(_xlsx({"Feuil1": []}), nom_fichier="c.xlsx")


def test_xlsx_colonne_obligatoire_absente() -> None:
    contenu = _xlsx({"perimetres": [["id_structure", "niveau", "role"], ["S1", "commune", "principal"]]})
    with pytest.raises(ErreurLecture, match=r"colonne obligatoire `code` absente"):
        lire_tableau(contenu, nom_fichier="p.xlsx", schema=PERIMETRES)


# ------------------------------------------------------------------------------------------
# Valeurs à la française
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        ("29 473", 29473.0),
        ("29\u00a0473", 29473.0),  # espace insécable
        ("29\u202f473", 29473.0),  # espace fine insécable
        ("29 473,50 €", 29473.5),
        ("1 234 567,5", 1234567.5),
        ("-2", -2.0),
        ("\u22122", -2.0),  # signe moins typographique
        (",5", 0.5),
        ("0", 0.0),
        ("58,9 %", 0.589),
        ("1e3", 1000.0),
    ],
    ids=[
        "virgule", "point", "espace", "insecable", "fine", "euros", "millions", "negatif", "moins-unicode",
        "sans-zero", "zero", "pourcent", "scientifique",
    ],
)
def test_nombres_francais(texte: str, attendu: float) -> None:
    conversion = convertir_nombres(pd.Series([texte]))
    assert conversion.valeurs.iloc[0] == pytest.approx(attendu)
    assert not conversion.invalides.iloc[0]


@pytest.mark.parametrize(
    "texte",
    ["abc", "1 2", "1,5,6", "1 2345", "--1", "1,", "€"],
    ids=["lettres", "groupe-court", "deux-virgules", "groupe-long", "double-signe", "virgule-finale", "unite-seule"],
)
def test_nombres_illisibles(texte: str) -> None:
    conversion = convertir_nombres(pd.Series([texte]))
    assert conversion.invalides.iloc[0] and math.isnan(conversion.valeurs.iloc[0])


def test_nombres_vides_ni_invalides() -> None:
    conversion = convertir_nombres(pd.Series(["", "  "], index=[7, 9]))
    assert conversion.vides.tolist() == [True, True]
    assert conversion.invalides.tolist() == [False, False]
    assert conversion.valeurs.index.tolist() == [7, 9]


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("oui", True), ("Non", False), ("O", True), ("n", False), ("1", True), ("0", False), ("VRAI", True),
     ("faux", False), ("true", True), ("False", False)],
    ids=["oui", "Non", "O", "n", "1", "0", "VRAI", "faux", "true", "False"],
)
def test_booleens(texte: str, attendu: bool) -> None:
    assert convertir_booleens(pd.Series([texte])).valeurs.tolist() == [attendu]
    assert booleen_fr(texte) is attendu


def test_booleen_illisible() -> None:
    conversion = convertir_booleens(pd.Series(["peut-être", ""]))
    assert conversion.invalides.tolist() == [True, False]
    assert conversion.vides.tolist() == [False, True]


@pytest.mark.parametrize(
    "texte",
    ["01/07/2025", "1/7/2025", "2025-07-01", "2025-07-01 00:00:00", "2025-07-01T09:30"],
    ids=["jj/mm/aaaa", "j/m/aaaa", "iso", "cellule-excel", "iso-heure"],
)
def test_dates(texte: str) -> None:
    assert convertir_dates(pd.Series([texte])).valeurs.iloc[0] == pd.Timestamp(2025, 7, 1)
    assert date_fr(texte) == dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    "texte", ["31/02/2025", "2025/07/01", "07-01-2025", "01/07/25", "hier"],
    ids=["impossible", "slashs-iso", "tirets-us", "annee-2-chiffres", "texte"],
)
def test_dates_illisibles(texte: str) -> None:
    conversion = convertir_dates(pd.Series([texte]))
    assert conversion.invalides.iloc[0] and pd.isna(conversion.valeurs.iloc[0])


def test_dates_dtype() -> None:
    assert convertir_dates(pd.Series(["01/07/2025", ""])).valeurs.dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("2022,2023,2024", "2022,2023,2024"),
        ("2024;2022", "2022,2024"),
        ("2022 2023", "2022,2023"),
        (" 2023 , 2022 ,2023", "2022,2023"),  # trié, sans doublon
        ("2023", "2023"),
        ("", ""),
    ],
    ids=["virgules", "points-virgules", "espaces", "desordre-doublon", "une-annee", "vide"],
)
def test_listes_d_annees(texte: str, attendu: str) -> None:
    conversion = convertir_annees(pd.Series([texte]))
    assert conversion.valeurs.iloc[0] == attendu
    assert not conversion.invalides.iloc[0]


@pytest.mark.parametrize("texte", ["22", "2022,abc", "1999", "20222"], ids=["2-chiffres", "lettres", "trop-tot", "5-chiffres"])
def test_listes_d_annees_illisibles(texte: str) -> None:
    conversion = convertir_annees(pd.Series([texte]))
    assert conversion.invalides.iloc[0] and conversion.valeurs.iloc[0] == ""


def test_listes_d_annees_index_conserve() -> None:
    conversion = convertir_annees(pd.Series(["2023", "x", "2022;2024"], index=[4, 8, 9]))
    assert conversion.valeurs.to_dict() == {4: "2023", 8: "", 9: "2022,2024"}
    assert conversion.invalides.to_dict() == {4: False, 8: True, 9: False}


def test_scalaires() -> None:
    assert nombre_fr("29 473,50 €") == 29473.5
    assert nombre_fr("") is None
    assert annees_fr("2024 2022") == (2022, 2024)
    assert annees_fr("") == ()
    with pytest.raises(ValueError, match=r"« 1,2,3 » n'est pas un nombre"):
        nombre_fr("1,2,3")
    with pytest.raises(ValueError, match=r"« bof » n'est pas une valeur oui/non"):
        booleen_fr("bof")
    with pytest.raises(ValueError, match=r"« 32/01/2025 » n'est pas une date"):
        date_fr("32/01/2025")
