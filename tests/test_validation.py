"""Validation des fichiers structures / périmètres / dossiers contre le modèle et un petit COG fait main."""

from __future__ import annotations

import pandas as pd
import pytest

from coverage.sources.lecture import TableauBrut, lire_tableau
from coverage.modele import DOSSIERS, PERIMETRES, STRUCTURES
from coverage.sources.modeles_fichiers import modele_csv, modele_xlsx
from coverage.sources.validation import ResultatValidation, siret_valide, valider_dossiers, valider_structures_perimetres
from geo.reference import Referentiel

ENTETE_S = "id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad"
ENTETE_P = "id_structure;niveau;code;role;part_etp"
ENTETE_D = ";".join(DOSSIERS.noms)


def referentiel_test() -> Referentiel:
    """Un COG 2026 réduit, écrit à la main (codes et noms réels)."""
    communes = pd.DataFrame(
        {
            "nom": [
                "L'Abergement-Clémenciat",
                "Ambérieu-en-Bugey",
                "Andert-et-Condon",
                "Arboys en Bugey",
                "Ajaccio",
                "Bastia",
                "Saint-Denis",
            ],
            "departement": ["01", "01", "01", "01", "2A", "2B", "974"],
            "region": ["84", "84", "84", "84", "94", "94", "04"],
            "epci": ["200069193", "240100883", "200040350", "200040350", "242010056", "242020071", "249740119"],
            "population": [800, 14000, 350, 700, 71000, 48000, 150000],
        },
        index=pd.Index(["01001", "01004", "01009", "01015", "2A004", "2B033", "97411"], name="code"),
    )
    epci = pd.DataFrame(
        {"nom": ["CA Haut-Bugey Agglomération", "CC Bugey Sud"], "departement": ["01", "01"], "region": ["84", "84"]},
        index=pd.Index(["200042935", "200040350"], name="code"),
    )
    departements = pd.DataFrame(
        {"nom": ["Ain", "Corse-du-Sud", "Haute-Corse", "La Réunion"], "region": ["84", "94", "94", "04"]},
        index=pd.Index(["01", "2A", "2B", "974"], name="code"),
    )
    regions = pd.DataFrame(
        {"nom": ["Auvergne-Rhône-Alpes", "Corse", "La Réunion"]}, index=pd.Index(["84", "94", "04"], name="code")
    )
    return Referentiel(
        communes=communes,
        epci=epci,
        departements=departements,
        regions=regions,
        codes_postaux=pd.DataFrame({"code_postal": ["01400"], "commune": ["01001"]}),
        anciens_codes=pd.DataFrame({"ancien_code": ["01340"], "commune": ["01015"]}),  # fusion dans Arboys en Bugey
    )


REF = referentiel_test()

STRUCTURE_OK = "S1;Maison de l'emploi;association;73282932000074;01;1,5;0;2022,2023,2024"
PERIMETRE_OK = "S1;epci;200042935;principal;"


def _csv(nom: str, entete: str, *lignes: str) -> TableauBrut:
    return lire_tableau("\n".join([entete, *lignes]).encode(), nom_fichier=nom)


def _valider(structures: list[str], perimetres: list[str]) -> ResultatValidation:
    return valider_structures_perimetres(
        _csv("structures.csv", ENTETE_S, *structures),
        _csv("perimetres.csv", ENTETE_P, *perimetres),
        referentiel=REF,
    )


def _messages(resultat: ResultatValidation) -> list[str]:
    return [str(p) for p in resultat.erreurs]


def _alertes(resultat: ResultatValidation) -> list[str]:
    return [str(p) for p in resultat.avertissements]


# ------------------------------------------------------------------------------------------
# Cas valide et typage
# ------------------------------------------------------------------------------------------


def test_fichiers_valides_donnent_des_tables_typees() -> None:
    r = _valider(
        [STRUCTURE_OK, "S2;Ville d'Ajaccio;Collectivité;;2A;2;;2024 2022"],
        ["S1;epci;200042935;principal;0,6", "S1;commune;01004;extension;0,4", "S2;commune;2A004;principal;"],
    )
    assert r.valide and r.erreurs == () and r.avertissements == ()
    s, p = r.structures, r.perimetres
    assert s.columns.tolist() == STRUCTURES.noms and p.columns.tolist() == PERIMETRES.noms
    assert s.to_dict("list") == {
        "id_structure": ["S1", "S2"],
        "nom": ["Maison de l'emploi", "Ville d'Ajaccio"],
        "statut": ["association", "collectivite"],  # casse et accent normalisés
        "siret": ["73282932000074", ""],
        "departement": ["01", "2A"],
        "etp_facilitateur": [1.5, 2.0],
        "etp_coordinateur": [0.0, 0.0],  # vide : 0 ETP
        "financement_pnad": ["2022,2023,2024", "2022,2024"],
    }
    assert s["etp_facilitateur"].dtype == "float64"
    assert pd.api.types.is_string_dtype(s["departement"].dtype)
    assert p["code"].tolist() == ["200042935", "01004", "2A004"]
    assert p["part_etp"].iloc[:2].tolist() == [0.6, 0.4] and pd.isna(p["part_etp"].iloc[2])
    assert p.index.tolist() == [0, 1, 2]


def test_libelles_francais_des_enumerations_acceptes() -> None:
    r = _valider(
        ["S1;A;Collectivité territoriale;;01;1;;", "S2;B;Établissement public administratif;;01;1;;"],
        ["S1;EPCI;200042935;Périmètre principal;", "S2;Département;01;Extension limitrophe;",
         "S2;EPCI;200040350;Principal;"],  # une extension prolonge un périmètre principal
    )
    assert r.valide, _messages(r)
    assert r.structures["statut"].tolist() == ["collectivite", "epa"]
    assert r.perimetres[["niveau", "role"]].values.tolist() == [
        ["epci", "principal"], ["departement", "extension"], ["epci", "principal"],
    ]


def test_corse_et_drom_valides() -> None:
    # 2A / 2B (Corse) et 974 (La Réunion) à tous les niveaux
    r = _valider(
        ["S1;Corse emploi;gip;;2B;1;;", "S2;Réunion emploi;epa;;974;1;;"],
        [
            "S1;commune;2A004;principal;",
            "S1;commune;2b033;principal;",  # minuscule acceptée
            "S1;departement;2A;extension;",
            "S1;region;94;extension;",
            "S2;commune;97411;principal;",
            "S2;departement;974;principal;",
            "S2;region;04;extension;",
        ],
    )
    assert r.valide, _messages(r)
    assert r.perimetres["code"].tolist() == ["2A004", "2B033", "2A", "94", "97411", "974", "04"]


# ------------------------------------------------------------------------------------------
# Codes géographiques
# ------------------------------------------------------------------------------------------


def test_code_commune_inconnu_avec_suggestion() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;01999;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code commune « 01999 » inconnu au COG 2026 ; "
        "vouliez-vous dire 01009 (Andert-et-Condon) ?"
    ]
    assert r.structures is None and r.perimetres is None  # tout ou rien


def test_nom_de_commune_dans_la_colonne_code_suggere_son_code() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;Amberieu en Bugey;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code commune « Amberieu en Bugey » inconnu au COG 2026 ; "
        "vouliez-vous dire 01004 (Ambérieu-en-Bugey) ?"
    ]


def test_code_epci_inconnu_avec_suggestion() -> None:
    r = _valider([STRUCTURE_OK], ["S1;epci;200042936;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code EPCI « 200042936 » inconnu au COG 2026 ; "
        "vouliez-vous dire 200042935 (CA Haut-Bugey Agglomération) ?"
    ]


def test_code_departement_inconnu_donne_le_format() -> None:
    r = _valider(["S1;A;gip;;99;1;;"], [PERIMETRE_OK])
    assert _messages(r) == [
        "structures.csv, ligne 2, colonne `departement` : code département « 99 » inconnu au COG 2026 "
        "(attendu : 01 à 95, 2A, 2B, 971 à 976)."
    ]


def test_code_region_inconnu_liste_les_regions() -> None:
    r = _valider([STRUCTURE_OK], ["S1;region;85;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code région « 85 » inconnu au COG 2026 "
        "(codes de région : 04, 84, 94)."
    ]


def test_code_commune_sans_zero_initial_restaure_avec_avertissement() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;1001;principal;"])
    assert r.valide
    assert _alertes(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code commune « 1001 » lu comme « 01001 » "
        "(zéro initial perdu, sans doute par le tableur)."
    ]
    assert r.perimetres["code"].tolist() == ["01001"]


def test_departement_sans_zero_initial_restaure_avec_avertissement() -> None:
    r = _valider(["S1;A;gip;;1;1;;"], [PERIMETRE_OK])
    assert _alertes(r) == [
        "structures.csv, ligne 2, colonne `departement` : code département « 1 » lu comme « 01 » "
        "(zéro initial perdu, sans doute par le tableur)."
    ]
    assert r.structures["departement"].tolist() == ["01"]


def test_region_sans_zero_initial_restauree() -> None:
    r = _valider([STRUCTURE_OK], ["S1;region;4;principal;"])  # 04 = La Réunion
    assert r.valide and r.perimetres["code"].tolist() == ["04"]
    assert _alertes(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code région « 4 » lu comme « 04 » "
        "(zéro initial perdu, sans doute par le tableur)."
    ]


def test_code_lu_comme_nombre_decimal_par_un_tableur() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;1004,0;principal;"])
    assert r.valide and r.perimetres["code"].tolist() == ["01004"]


def test_ancien_code_commune_remplace_avec_avertissement() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;01340;principal;"])
    assert r.valide
    assert r.perimetres["code"].tolist() == ["01015"]
    assert _alertes(r) == [
        "perimetres.csv, ligne 2, colonne `code` : « 01340 » est un ancien code commune : remplacé par "
        "01015 (Arboys en Bugey), commune en vigueur au COG 2026."
    ]


@pytest.mark.parametrize(
    ("code", "commune", "nom"),
    [("75105", "75056", "Paris"), ("69381", "69123", "Lyon"), ("13216", "13055", "Marseille")],
    ids=["paris-5e", "lyon-1er", "marseille-16e"],
)
def test_arrondissement_municipal_lu_comme_sa_commune(code, commune, nom) -> None:
    # Issue 14, point 6 : un arrondissement de Paris, Lyon ou Marseille (75101–75120, 69381–69389, 13201–13216)
    # est lu comme sa commune, avec un avertissement, comme le font déjà les imports DECP et QPV.
    from geo.reference import charger_referentiel  # le COG complet : Paris, Lyon et Marseille y sont

    r = valider_structures_perimetres(
        _csv("structures.csv", ENTETE_S, STRUCTURE_OK), _csv("perimetres.csv", ENTETE_P, f"S1;commune;{code};principal;"),
        referentiel=charger_referentiel(),
    )
    assert r.valide
    assert r.perimetres["code"].tolist() == [commune]
    assert _alertes(r) == [
        f"perimetres.csv, ligne 2, colonne `code` : « {code} » est un arrondissement municipal : lu comme la commune "
        f"{nom} ({commune}), seul niveau communal du COG 2026 pour la couverture."
    ]


def test_extension_sans_perimetre_principal_refusee() -> None:
    # Issue 14, point 5 : zone blanche « couverte par un facilitateur limitrophe du fait de l'extension de son
    # périmètre » : une extension prolonge un périmètre principal ; sans lui, le fichier est refusé.
    r = _valider([STRUCTURE_OK], ["S1;commune;01004;extension;", "S1;commune;01009;extension;"])
    assert not r.valide
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `role` : la structure « S1 » n'a que des lignes en extension (lignes 2, 3) et "
        "aucun périmètre principal : une extension prolonge un périmètre principal vers un territoire limitrophe ; "
        "ajoutez ses territoires principaux (role = principal)."
    ]


def test_extension_non_limitrophe_avertie_avec_ligne_et_colonne() -> None:
    # Issue 14, point 5 : « couverture par un facilitateur « limitrophe » du fait de l'extension de son périmètre » :
    # une structure de l'Ain étendue à Ajaccio n'est pas limitrophe. Avertissement (l'import se fait), avec la
    # ligne, la colonne, la structure, les territoires et leurs codes ; l'extension au Rhône (voisin) ne dit rien.
    from geo.reference import charger_referentiel  # le COG complet et sa table de voisinage

    r = valider_structures_perimetres(
        _csv("structures.csv", ENTETE_S, STRUCTURE_OK),
        _csv("perimetres.csv", ENTETE_P, "S1;departement;01;principal;", "S1;departement;69;extension;",
             "S1;commune;2A004;extension;", "S1;commune;01053;extension;"),
        referentiel=charger_referentiel(),
    )
    assert r.valide
    assert r.perimetres["code"].tolist() == ["01", "69", "2A004", "01053"]
    assert _alertes(r) == [
        "perimetres.csv, ligne 4, colonne `code` : extension non limitrophe : la structure « S1 » (Maison de l'emploi) "
        "étend son périmètre à commune 2A004 (Ajaccio), qui ne touche pas son périmètre principal (département 01 (Ain)). "
        "L'appel parle d'un facilitateur « limitrophe » dont le périmètre est étendu à un territoire voisin : vérifiez "
        "le code ou le rôle ; importée telle quelle, cette extension ne compte pas comme couverture limitrophe dans les "
        "zones blanches.",
        "perimetres.csv, ligne 5, colonne `role` : extension déjà comprise dans le périmètre principal : commune 01053 "
        "(Bourg-en-Bresse) est dans le périmètre principal de la structure « S1 » (Maison de l'emploi) (département 01 "
        "(Ain)) ; cette ligne n'ajoute aucun territoire (retirez-la, ou mettez role = principal).",
    ]


def test_ancien_code_commune_sans_zero_initial() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;1340;principal;"])
    assert r.perimetres["code"].tolist() == ["01015"]
    assert _alertes(r) == [
        "perimetres.csv, ligne 2, colonne `code` : code commune « 1340 » lu comme « 01340 » (zéro initial "
        "perdu), ancien code commune : remplacé par 01015 (Arboys en Bugey), commune en vigueur au COG 2026."
    ]


def test_code_de_departement_au_niveau_epci_nomme_le_niveau() -> None:
    r = _valider([STRUCTURE_OK], ["S1;epci;2A;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : « 2A » est un code de département (Corse-du-Sud), "
        "pas un code d'EPCI : vérifiez la colonne `niveau` (ici « epci »)."
    ]


def test_code_de_commune_au_niveau_departement() -> None:
    r = _valider([STRUCTURE_OK], ["S1;departement;97411;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `code` : « 97411 » est un code de commune (Saint-Denis), "
        "pas un code de département : vérifiez la colonne `niveau` (ici « departement »)."
    ]


def test_code_de_region_dans_la_colonne_departement_des_structures() -> None:
    r = _valider(["S1;A;gip;;04;1;;"], [PERIMETRE_OK])  # 04 : La Réunion (région), pas un département
    assert _messages(r) == [
        "structures.csv, ligne 2, colonne `departement` : « 04 » est un code de région (La Réunion), "
        "pas un code de département."
    ]


# ------------------------------------------------------------------------------------------
# Structures
# ------------------------------------------------------------------------------------------


def test_identifiant_de_structure_en_double() -> None:
    r = _valider([STRUCTURE_OK, "S2;B;gip;;01;1;;", "S1;C;gip;;01;1;;"], [PERIMETRE_OK, "S2;commune;01001;principal;"])
    assert _messages(r) == [
        "structures.csv, ligne 4, colonne `id_structure` : identifiant « S1 » déjà utilisé ligne 2 : "
        "chaque structure doit avoir un identifiant unique."
    ]


@pytest.mark.parametrize(
    "etp",
    ["-1", "abc", "50,5"],
    ids=["negatif", "non-numerique", "au-dessus-de-50"],
)
def test_etp_invalide(etp: str) -> None:
    r = _valider([f"S1;A;gip;;01;{etp};;"], [PERIMETRE_OK])
    assert _messages(r) == [
        f"structures.csv, ligne 2, colonne `etp_facilitateur` : « {etp} » n'est pas un nombre d'ETP valide "
        "(attendu : nombre entre 0 et 50)."
    ]


@pytest.mark.parametrize("etp", ["0", "50"], ids=["zero-nouvelle-structure", "maximum-50"])
def test_etp_aux_bornes_accepte(etp: str) -> None:
    assert _valider([f"S1;A;gip;;01;{etp};;"], [PERIMETRE_OK]).valide


def test_etp_coordinateur_negatif() -> None:
    r = _valider(["S1;A;gip;;01;1;-0,5;"], [PERIMETRE_OK])
    assert _messages(r) == [
        "structures.csv, ligne 2, colonne `etp_coordinateur` : « -0,5 » n'est pas un nombre d'ETP valide "
        "(attendu : nombre entre 0 et 50)."
    ]


@pytest.mark.parametrize(
    ("fichier", "ligne", "colonne", "message"),
    [
        (
            "structures",
            "S1;A;asso;;01;1;;",
            "statut",
            "« asso » n'est pas une valeur acceptée (valeurs acceptées : association, collectivite, epa, gip, autre).",
        ),
        (
            "perimetres",
            "S1;canton;01001;principal;",
            "niveau",
            "« canton » n'est pas une valeur acceptée (valeurs acceptées : commune, epci, ept, departement, region).",
        ),
        (
            "perimetres",
            "S1;commune;01001;limitrophe;",
            "role",
            "« limitrophe » n'est pas une valeur acceptée (valeurs acceptées : principal, extension).",
        ),
    ],
    ids=["statut", "niveau", "role"],
)
def test_valeur_d_enumeration_inconnue(fichier: str, ligne: str, colonne: str, message: str) -> None:
    if fichier == "structures":
        r = _valider([ligne], [PERIMETRE_OK])
    else:
        r = _valider([STRUCTURE_OK], [ligne])
    assert _messages(r) == [f"{fichier}.csv, ligne 2, colonne `{colonne}` : {message}"]


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("1234567890123", "« 1234567890123 » n'est pas un SIRET valide (attendu : 14 chiffres)."),
        ("7328293200007A", "« 7328293200007A » n'est pas un SIRET valide (attendu : 14 chiffres)."),
        (
            "73282932000075",
            "« 73282932000075 » n'est pas un SIRET valide : sa clé de contrôle (Luhn) est fausse ; vérifiez le numéro.",
        ),
        (
            "35600000012340",  # La Poste hors siège : Luhn juste mais somme des chiffres 24, pas multiple de 5
            "« 35600000012340 » n'est pas un SIRET valide : sa clé de contrôle est fausse (La Poste : somme des "
            "chiffres multiple de 5) ; vérifiez le numéro.",
        ),
    ],
    ids=["13-chiffres", "lettre", "luhn-faux", "la-poste-somme-fausse"],
)
def test_siret_invalide(siret: str, message: str) -> None:
    r = _valider([f"S1;A;gip;{siret};01;1;;"], [PERIMETRE_OK])
    assert _messages(r) == [f"structures.csv, ligne 2, colonne `siret` : {message}"]


@pytest.mark.parametrize(
    "siret",
    ["73282932000074", "732 829 320 00074", "35600000049837", "35600000000048"],
    ids=["luhn", "avec-espaces", "la-poste-somme-45", "siege-la-poste-luhn"],
)
def test_siret_valide_accepte(siret: str) -> None:
    r = _valider([f"S1;A;gip;{siret};01;1;;"], [PERIMETRE_OK])
    assert r.valide and r.structures["siret"].tolist() == [siret.replace(" ", "")]


def test_siret_valide_vectorise() -> None:
    sirets = pd.Series(["73282932000074", "73282932000075", "35600000049837", "", "123"], index=[5, 6, 7, 8, 9])
    assert siret_valide(sirets).to_dict() == {5: True, 6: False, 7: True, 8: False, 9: False}


@pytest.mark.parametrize(
    ("ligne", "colonne", "description"),
    [
        ("S1;;gip;;01;1;;", "nom", "raison sociale de la structure porteuse"),
        ("S1;A;gip;;01;;;", "etp_facilitateur", "ETP de facilitateurs portés"),
        ("S1;A;gip;;;1;;", "departement", "département du siège (`01`…`95`, `2A`, `2B`, `971`…`976`)"),
    ],
    ids=["nom", "etp", "departement"],
)
def test_cellule_obligatoire_vide(ligne: str, colonne: str, description: str) -> None:
    r = _valider([ligne], [PERIMETRE_OK])
    assert _messages(r) == [
        f"structures.csv, ligne 2, colonne `{colonne}` : valeur obligatoire manquante ({description})."
    ]


def test_liste_d_annees_invalide() -> None:
    r = _valider(["S1;A;gip;;01;1;;22,23"], [PERIMETRE_OK])
    assert _messages(r) == [
        "structures.csv, ligne 2, colonne `financement_pnad` : « 22,23 » n'est pas une liste d'années valide "
        "(attendu : années à 4 chiffres séparées par des virgules, ex. 2022,2023,2024)."
    ]


def test_structure_sans_perimetre_avertie() -> None:
    r = _valider([STRUCTURE_OK, "S2;B;gip;;01;1;;"], [PERIMETRE_OK])
    assert r.valide
    assert _alertes(r) == [
        "structures.csv, ligne 3, colonne `id_structure` : la structure « S2 » n'a aucune ligne dans "
        "perimetres.csv : elle ne couvre aucun territoire."
    ]


# ------------------------------------------------------------------------------------------
# Périmètres
# ------------------------------------------------------------------------------------------


def test_perimetre_d_une_structure_inconnue() -> None:
    r = _valider([STRUCTURE_OK], [PERIMETRE_OK, "S9;commune;01001;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 3, colonne `id_structure` : structure « S9 » absente du fichier structures.csv : "
        "ajoutez-la ou corrigez l'identifiant."
    ]


def test_ligne_de_perimetre_en_double() -> None:
    r = _valider([STRUCTURE_OK], [PERIMETRE_OK, "S1;commune;01004;extension;", "S1;commune;1004;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 4, colonne `code` : ligne en double : la structure « S1 » a déjà ce territoire "
        "(commune 01004, Ambérieu-en-Bugey) ligne 3 (« 1004 » est lu comme 01004)."
    ]


def test_doublon_apres_remplacement_d_un_ancien_code() -> None:
    r = _valider([STRUCTURE_OK], ["S1;commune;01015;principal;", "S1;commune;01340;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 3, colonne `code` : ligne en double : la structure « S1 » a déjà ce territoire "
        "(commune 01015, Arboys en Bugey) ligne 2 (« 01340 » est lu comme 01015)."
    ]


def test_meme_territoire_pour_deux_structures_n_est_pas_un_doublon() -> None:
    r = _valider([STRUCTURE_OK, "S2;B;gip;;01;1;;"], [PERIMETRE_OK, "S2;epci;200042935;principal;"])
    assert r.valide


def test_parts_d_etp_qui_ne_font_pas_1() -> None:
    r = _valider([STRUCTURE_OK], ["S1;epci;200042935;principal;0,5", "S1;commune;01004;extension;0,4"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `part_etp` : les parts d'ETP de la structure « S1 » totalisent 0,9 "
        "(lignes 2, 3) ; attendu : 1 (à 0,001 près)."
    ]


@pytest.mark.parametrize(
    "parts",
    [("0,3333", "0,3333", "0,3333"), ("0,5", "0,5", "0"), ("33,4 %", "33,3 %", "33,3 %")],
    ids=["tiers-a-0001-pres", "une-part-nulle", "en-pourcentages"],
)
def test_parts_d_etp_qui_font_1(parts: tuple[str, str, str]) -> None:
    r = _valider(
        [STRUCTURE_OK],
        [f"S1;epci;200042935;principal;{parts[0]}", f"S1;commune;01004;extension;{parts[1]}", f"S1;commune;01001;extension;{parts[2]}"],
    )
    assert r.valide, _messages(r)


def test_parts_d_etp_melangees_avec_des_vides() -> None:
    r = _valider(
        [STRUCTURE_OK, "S2;B;gip;;01;1;;"],
        [
            "S2;commune;01001;principal;",
            "S1;epci;200042935;principal;0,6",
            "S1;commune;01004;extension;",
            "S1;commune;01009;extension;0,4",
        ],
    )
    assert _messages(r) == [
        "perimetres.csv, ligne 3, colonne `part_etp` : la structure « S1 » a une part_etp sur 2 de ses 3 lignes "
        "(lignes 3, 4, 5) : renseignez-la sur toutes ses lignes ou sur aucune (vide : prorata de la population)."
    ]


def test_part_etp_hors_bornes_sans_message_de_somme_en_plus() -> None:
    r = _valider([STRUCTURE_OK], ["S1;epci;200042935;principal;1,5"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `part_etp` : « 1,5 » n'est pas une part d'ETP valide "
        "(attendu : nombre entre 0 et 1)."
    ]


def test_niveau_invalide_pas_de_message_de_code_en_cascade() -> None:
    r = _valider([STRUCTURE_OK], ["S1;;01001;principal;"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2, colonne `niveau` : valeur obligatoire manquante (niveau du territoire)."
    ]


# ------------------------------------------------------------------------------------------
# Fichier entier
# ------------------------------------------------------------------------------------------


def test_colonne_obligatoire_absente_est_une_erreur_de_validation() -> None:
    structures = _csv("structures.csv", "id_structure;nom;statut;departement", "S1;A;gip;01")
    r = valider_structures_perimetres(structures, _csv("perimetres.csv", ENTETE_P, PERIMETRE_OK), referentiel=REF)
    assert _messages(r) == [
        "structures.csv, ligne 1, colonne `etp_facilitateur` : colonne obligatoire `etp_facilitateur` absente "
        "(colonnes attendues : id_structure, nom, statut, siret, departement, etp_facilitateur, "
        "etp_coordinateur, financement_pnad)."
    ]
    assert r.structures is None and r.perimetres is None


def test_colonnes_facultatives_absentes_et_colonne_inconnue() -> None:
    structures = _csv("structures.csv", "id_structure;nom;statut;departement;etp_facilitateur;commentaire", "S1;A;gip;01;1;à revoir")
    perimetres = _csv("perimetres.csv", "id_structure;niveau;code;role", "S1;epci;200042935;principal")
    r = valider_structures_perimetres(structures, perimetres, referentiel=REF)
    assert r.valide
    assert _alertes(r) == [
        "structures.csv, ligne 1, colonne `commentaire` : colonne inconnue, ignorée (colonnes attendues : "
        "id_structure, nom, statut, siret, departement, etp_facilitateur, etp_coordinateur, financement_pnad)."
    ]
    assert r.structures.loc[0, ["siret", "etp_coordinateur", "financement_pnad"]].tolist() == ["", 0.0, ""]
    assert pd.isna(r.perimetres.loc[0, "part_etp"])


def test_fichier_avec_seulement_l_entete() -> None:
    r = _valider([STRUCTURE_OK], [])
    assert _messages(r) == ["perimetres.csv : aucune ligne de données (le fichier ne contient que l'en-tête)."]


def test_valeurs_en_trop_a_la_lecture_reprises_en_erreur() -> None:
    r = _valider([STRUCTURE_OK], [PERIMETRE_OK + ";en trop"])
    assert _messages(r) == [
        "perimetres.csv, ligne 2 : 6 valeurs pour 5 colonnes d'en-tête (séparateur ou guillemets mal placés ?)."
    ]


def test_erreurs_triees_par_fichier_puis_ligne_et_tout_ou_rien() -> None:
    r = _valider(
        [STRUCTURE_OK, "S2;B;gip;;01;-1;;"],
        ["S2;commune;01999;principal;", PERIMETRE_OK, "S3;commune;01001;principal;"],
    )
    assert [(p.fichier, p.ligne, p.colonne) for p in r.erreurs] == [
        ("structures.csv", 3, "etp_facilitateur"),
        ("perimetres.csv", 2, "code"),
        ("perimetres.csv", 4, "id_structure"),
    ]
    assert r.erreurs[0].valeur == "-1"
    assert (r.structures, r.perimetres, r.valide) == (None, None, False)
    assert r.resume == "3 erreurs, 0 avertissement"


# ------------------------------------------------------------------------------------------
# Dossiers
# ------------------------------------------------------------------------------------------

STRUCTURES_TYPEES = pd.DataFrame(
    {"id_structure": ["S1", "S2"], "statut": ["association", "collectivite"], "etp_facilitateur": [1.5, 0.0]}
)
NOTES = ["note_diagnostic", "note_marches_etat", "note_capacite", "note_conflits_interets"]
DOSSIER_OK = {
    "id_dossier": "D1",
    "id_structure": "S1",
    "statut": "association",
    "region": "84",
    "departement": "01",
    "etp_demandes": "1",
    "cout_annuel_total": "40 000",
    "montant_aap_demande": "28 000",
    "autres_financements_etat": "0",
    "cofinancements": "12 000",
    "derogation_plafond": "non",
    "dossier_complet": "oui",
    "date_depot": "01/07/2025",
    "note_diagnostic": "4",
    "note_marches_etat": "3",
    "note_capacite": "4",
    "note_conflits_interets": "5",
}


def _dossier(**valeurs: str) -> str:
    """Une ligne CSV de dossier : DOSSIER_OK modifié ; les colonnes non nommées restent vides."""
    ligne = DOSSIER_OK | valeurs
    return ";".join(ligne.get(nom, "") for nom in DOSSIERS.noms)


def _dossiers(*lignes: str, structures: pd.DataFrame | None = STRUCTURES_TYPEES) -> ResultatValidation:
    return valider_dossiers(_csv("dossiers.csv", ENTETE_D, *lignes), referentiel=REF, structures=structures)


def test_dossiers_valides_types() -> None:
    r = _dossiers(
        _dossier(),
        _dossier(
            id_dossier="D2",
            id_structure="S2",
            statut="collectivite",
            region="94",
            departement="2A",
            etp_demandes="0,5",
            cout_annuel_total="22000",
            montant_aap_demande="14 736,50 €",
            autres_financements_etat="",
            cofinancements="",
            derogation_plafond="Oui",
            dossier_complet="Non",
            date_depot="2025-07-02",
            **dict.fromkeys(NOTES, ""),
        ),
    )
    assert r.valide and r.avertissements == ()
    d = r.dossiers
    assert d.columns.tolist() == DOSSIERS.noms
    assert d[[c for c in DOSSIER_OK if c not in NOTES]].to_dict("list") == {
        "id_dossier": ["D1", "D2"],
        "id_structure": ["S1", "S2"],
        "statut": ["association", "collectivite"],
        "region": ["84", "94"],
        "departement": ["01", "2A"],
        "etp_demandes": [1.0, 0.5],
        "cout_annuel_total": [40000.0, 22000.0],
        "montant_aap_demande": [28000.0, 14736.5],
        "autres_financements_etat": [0.0, 0.0],  # vide : 0 €
        "cofinancements": [12000.0, 0.0],
        "derogation_plafond": [False, True],
        "dossier_complet": [True, False],
        "date_depot": [pd.Timestamp(2025, 7, 1), pd.Timestamp(2025, 7, 2)],
    }
    assert d.iloc[0][NOTES].tolist() == [4.0, 3.0, 4.0, 5.0]
    assert d.iloc[1][NOTES].isna().all()  # notes vides : non notées (NaN), pas 0
    booleens = [c.nom for c in DOSSIERS.colonnes if c.type == "booleen"]
    assert all(d[c].dtype == bool for c in booleens)
    assert d["date_depot"].dtype == "datetime64[ns]"


def test_dossier_d_une_structure_absente() -> None:
    r = _dossiers(_dossier(id_structure="S9"))
    assert _messages(r) == [
        "dossiers.csv, ligne 2, colonne `id_structure` : structure « S9 » absente du fichier des structures : "
        "un nouveau porteur doit y figurer (avec 0 ETP) et avoir ses lignes de périmètre."
    ]
    assert r.dossiers is None


def test_dossier_sans_fichier_de_structures_pas_de_controle_croise() -> None:
    assert _dossiers(_dossier(id_structure="S9"), structures=None).valide


def test_identifiant_de_dossier_en_double() -> None:
    r = _dossiers(_dossier(), _dossier(id_structure="S2", statut="collectivite"))
    assert _messages(r) == [
        "dossiers.csv, ligne 3, colonne `id_dossier` : identifiant « D1 » déjà utilisé ligne 2 : "
        "chaque dossier doit avoir un identifiant unique."
    ]


@pytest.mark.parametrize(
    ("colonne", "valeur", "message"),
    [
        ("note_diagnostic", "6", "« 6 » n'est pas une note valide (attendu : nombre entre 0 et 5)."),
        (
            "cout_annuel_total",
            "-40 000",
            "« -40 000 » n'est pas un montant en euros valide (attendu : nombre entre 0 et 100\u00a0000\u00a0000).",
        ),
        (
            "derogation_plafond",
            "peut-être",
            "« peut-être » n'est pas une valeur oui/non reconnue (attendu : oui ou non ; 1 ou 0, vrai ou faux acceptés).",
        ),
        (
            "dossier_complet",
            "",
            "valeur obligatoire manquante (`oui` si toutes les pièces de l'annexe 2 sont présentes).",
        ),
        ("date_depot", "31/06/2025", "« 31/06/2025 » n'est pas une date valide (attendu : jj/mm/aaaa ou aaaa-mm-jj)."),
        ("region", "85", "code région « 85 » inconnu au COG 2026 (codes de région : 04, 84, 94)."),
        ("etp_demandes", "51", "« 51 » n'est pas un nombre d'ETP valide (attendu : nombre entre 0 et 50)."),
    ],
    ids=["note-6", "cout-negatif", "booleen", "dossier-complet-vide", "date-impossible", "region", "etp-51"],
)
def test_dossier_valeur_invalide(colonne: str, valeur: str, message: str) -> None:
    r = _dossiers(_dossier(**{colonne: valeur}))
    assert _messages(r) == [f"dossiers.csv, ligne 2, colonne `{colonne}` : {message}"]


def test_dossier_avertissements() -> None:
    r = _dossiers(
        _dossier(statut="collectivite", departement="1"),
        _dossier(id_dossier="D2", region="94"),
    )
    assert r.valide
    assert _alertes(r) == [
        "dossiers.csv, ligne 2, colonne `statut` : statut « collectivite » différent de celui de la structure "
        "« S1 » dans le fichier des structures (« association »).",
        "dossiers.csv, ligne 2, colonne `departement` : code département « 1 » lu comme « 01 » "
        "(zéro initial perdu, sans doute par le tableur).",
        "dossiers.csv, ligne 3, colonne `id_structure` : la structure « S1 » a déjà un dossier ligne 2.",
        "dossiers.csv, ligne 3, colonne `departement` : le département 01 appartient à la région 84, "
        "pas à la région d'instruction 94.",
    ]


# ------------------------------------------------------------------------------------------
# Les modèles téléchargeables se réimportent sans erreur
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format_", ["csv", "xlsx"], ids=["csv", "xlsx"])
def test_modeles_reimportes_sans_erreur(format_: str) -> None:
    produire = modele_csv if format_ == "csv" else modele_xlsx

    def lire(schema):
        return lire_tableau(produire(schema), nom_fichier=f"{schema.nom}.{format_}", schema=schema)

    r = valider_structures_perimetres(lire(STRUCTURES), lire(PERIMETRES), referentiel=REF)
    assert r.erreurs == () and r.avertissements == ()
    assert r.structures.loc[0, ["departement", "etp_facilitateur", "financement_pnad"]].tolist() == [
        "01",
        1.5,
        "2022,2023,2024",
    ]
    assert r.perimetres["code"].tolist() == ["200042935", "01004"]
    rd = valider_dossiers(lire(DOSSIERS), referentiel=REF, structures=r.structures)
    assert rd.erreurs == () and rd.avertissements == ()
    assert rd.dossiers.loc[0, ["cout_annuel_total", "date_depot", "dossier_complet"]].tolist() == [
        40000.0,
        pd.Timestamp(2025, 7, 1),
        True,
    ]
