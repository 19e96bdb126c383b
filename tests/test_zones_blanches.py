"""Les trois critères de zone blanche sur des cas construits à la main.

Référentiel du module (populations en puissances de deux de la France entière, 100 000
habitants = 1 unité de besoin, pour que les ratios tombent juste) :

| commune | nom     | pop    | EPCI                         | dép. |
| 59001   | Alpha   | 50 000 | 200000001 CA Alpha           | 59   |
| 59002   | Bravo   | 12 500 | 200000002 CC Bravo-Charlie   | 59   |
| 59003   | Charlie | 12 500 | 200000002                    | 59   |
| 59004   | Delta   | 12 500 | 200000003 CC Delta-Echo      | 59   |
| 62001   | Echo    |  6 250 | 200000003                    | 62   |
| 62002   | Foxtrot |  6 250 | 200000004 CC Foxtrot         | 62   |

Avec `POPULATION_SEULE`, l'indice de besoin d'une commune est sa population / 100 000 (Alpha :
0,5 unité ; Bravo : 0,125) et le ratio de capacité est ETP / indice.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coverage.territoires.besoins import PoidsBesoin, besoins_par_commune
from coverage.territoires.couverture import couverture_par_commune
from coverage.documents.format import format_nombre
from coverage.territoires.zones_blanches import (
    CRITERES,
    LIBELLES_CRITERES,
    REFERENCES_CRITERES,
    SeuilsZonesBlanches,
    evaluer_zones_blanches,
    executer_zones_blanches,
    resume_zones_blanches,
    seuils_par_defaut,
)
from coverage.territoires.motifs_zones_blanches import _montants_courts, _n, format_montant_court
from geo.reference import Referentiel
from tests.fixtures import donnees_minuscules, referentiel_minuscule

E = "\u00a0"  # espace insécable des nombres français (coverage.documents.format.ESPACE)
POPULATION_SEULE = PoidsBesoin(population=1, marches_etat=0, marches_autres=0, qpv_npnru=0, grands_projets=0)
SANS_CAPACITE = SeuilsZonesBlanches(ratio_capacite_min=0.0)  # isole les deux autres critères


def referentiel_zb() -> Referentiel:
    communes = pd.DataFrame(
        {
            "code": ["59001", "59002", "59003", "59004", "62001", "62002"],
            "nom": ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"],
            "departement": ["59", "59", "59", "59", "62", "62"],
            "region": ["32"] * 6,
            "epci": ["200000001", "200000002", "200000002", "200000003", "200000003", "200000004"],
            "population": [50_000, 12_500, 12_500, 12_500, 6_250, 6_250],
            "a_geometrie": [True] * 6,
            "lon": np.linspace(3.0, 3.5, 6),
            "lat": [50.5] * 6,
        }
    ).set_index("code")
    epci = pd.DataFrame(
        {
            "code": ["200000001", "200000002", "200000003", "200000004"],
            "nom": ["CA Alpha", "CC Bravo-Charlie", "CC Delta-Echo", "CC Foxtrot"],
            "type": ["CA", "CC", "CC", "CC"],
            "population": [50_000, 25_000, 18_750, 6_250],
            "nb_communes": [1, 2, 2, 1],
            "departement": ["59", "59", "59", "62"],
            "region": ["32"] * 4,
        }
    ).set_index("code")
    departements = pd.DataFrame(
        {"code": ["59", "62"], "nom": ["Nord", "Pas-de-Calais"], "region": ["32", "32"], "population": [87_500, 12_500]}
    ).set_index("code")
    regions = pd.DataFrame({"code": ["32"], "nom": ["Hauts-de-France"], "population": [100_000]}).set_index("code")
    return Referentiel(
        communes=communes,
        epci=epci,
        departements=departements,
        regions=regions,
        codes_postaux=pd.DataFrame({"code_postal": ["59000"], "commune": ["59001"]}),
        anciens_codes=pd.DataFrame({"ancien_code": ["59999"], "commune": ["59001"]}),
    )


REF = referentiel_zb()


def couverture(statuts: dict[str, str] | None = None, etp: dict[str, float] | None = None) -> pd.DataFrame:
    """Couverture communale écrite à la main (format de `couverture_par_commune`).

    Par défaut chaque commune est couverte par S1 avec un ETP égal à son indice (ratio 1) ;
    `extension_seule` = couverte par S9 en extension seulement.
    """
    statuts = {**{c: "couvert" for c in REF.communes.index}, **(statuts or {})}
    pop = REF.communes["population"]
    etp = {**(pop / 100_000).to_dict(), **(etp or {})}
    lignes = []
    for code in REF.communes.index:  # six communes écrites à la main
        s, e = statuts[code], (0.0 if statuts[code] == "non_couvert" else etp[code])
        lignes.append(
            {
                "commune": code,
                "population": int(pop[code]),
                "etp": e,
                "etp_principal": e if s == "couvert" else 0.0,
                "etp_extension": e if s == "extension_seule" else 0.0,
                "nb_structures": 0 if s == "non_couvert" else 1,
                "structures": {"couvert": "S1", "extension_seule": "S9", "non_couvert": ""}[s],
                "statut": s,
            }
        )
    return pd.DataFrame(lignes).set_index("commune")


def evaluer(niveau, *, statuts=None, etp=None, seuils=SANS_CAPACITE, poids=POPULATION_SEULE, **sources):
    besoins = besoins_par_commune(referentiel=REF, **sources)
    return evaluer_zones_blanches(
        couverture_communes=couverture(statuts, etp), besoins=besoins, referentiel=REF, niveau=niveau, seuils=seuils, poids=poids
    )


def marches(**par_commune: dict) -> pd.DataFrame:
    """Indicateurs DECP par commune ; colonnes absentes à 0."""
    colonnes = ["nb_marches", "montant_total", "nb_marches_etat", "montant_etat"]
    table = pd.DataFrame.from_dict(par_commune, orient="index")
    for c in colonnes:
        if c not in table.columns:
            table[c] = 0.0
    return table.fillna(0.0)


# --- Critère 1 : non couvert -------------------------------------------------------------------


def test_commune_non_couverte():
    zb = evaluer("commune", statuts={"62002": "non_couvert"})
    assert zb["criteres"].tolist() == ["", "", "", "", "", "non_couvert"]
    assert zb.loc["62002", "part_non_couverte"] == 1.0
    assert zb.loc["62002", "motif"] == (
        f"Foxtrot : 0 ETP pour 6{E}250 habitants, marchés non renseignés ; QPV non renseignés ; grands projets non "
        f"renseignés. Non couvert : 100{E}% de la population sans facilitateur (seuil : au moins 50{E}%)."
    )
    assert zb.loc["59001", "motif"] == ""


@pytest.mark.parametrize(
    ("seuil", "attendu"),
    [(0.5, "non_couvert"), (0.5 + 1e-9, "")],
    ids=["au_seuil_signale", "juste_au_dessus_non_signale"],
)
def test_epci_moitie_non_couverte_seuil_inclus(seuil, attendu):
    # CC Bravo-Charlie : Charlie (12 500) sans facilitateur sur 25 000 habitants = 50 % exactement.
    zb = evaluer("epci", statuts={"59003": "non_couvert"}, seuils=SeuilsZonesBlanches(part_non_couverte_min=seuil, ratio_capacite_min=0.0))
    assert zb.loc["200000002", "part_non_couverte"] == 0.5
    assert zb.loc["200000002", "criteres"] == attendu


# --- Critère 2 : couverture limitrophe ---------------------------------------------------------


@pytest.mark.parametrize(
    ("population_min", "attendu"),
    [(10_000, ""), (6_250, "couverture_limitrophe"), (6_251, "")],
    ids=["defaut_pas_de_besoin", "seuil_population_inclus", "juste_au_dessus"],
)
def test_commune_limitrophe_selon_les_besoins(population_min, attendu):
    # Echo (6 250 habitants) n'est couverte que par l'extension de S9 ; aucune autre source.
    seuils = SeuilsZonesBlanches(ratio_capacite_min=0.0, population_besoin_min=population_min)
    zb = evaluer("commune", statuts={"62001": "extension_seule"}, seuils=seuils)
    assert zb.loc["62001", "part_extension"] == 1.0
    assert zb.loc["62001", "criteres"] == attendu


def test_commune_limitrophe_avec_un_marche_de_l_etat():
    zb = evaluer(
        "commune", statuts={"62001": "extension_seule"}, marches=marches(**{"62001": {"nb_marches": 1, "nb_marches_etat": 1, "montant_etat": 85_000.0, "montant_total": 85_000.0}})
    )
    assert zb.loc["62001", "criteres"] == "couverture_limitrophe"
    assert zb.loc["62001", "motif"] == (
        f"Echo : 0,06 ETP pour 6{E}250 habitants, 1 marché de l'État (85{E}000{E}€) ; 1 marché public en tout "
        f"(85{E}000{E}€) ; QPV non renseignés ; grands projets non renseignés. Couverture limitrophe : 100{E}% de la "
        f"population couverte ne l'est que par l'extension du périmètre de la structure S9 (seuil : au moins 50{E}%), "
        "avec des besoins identifiés (marchés de l'État)."
    )


@pytest.mark.parametrize(
    ("seuil", "attendu"),
    [(0.5, "couverture_limitrophe"), (0.5 + 1e-9, "")],
    ids=["au_seuil_signale", "juste_au_dessus_non_signale"],
)
def test_epci_moitie_par_extension_seuil_inclus(seuil, attendu):
    # CC Bravo-Charlie : Bravo en extension, Charlie couverte : 50 % de la population couverte ; 25 000 habitants.
    seuils = SeuilsZonesBlanches(part_extension_min=seuil, ratio_capacite_min=0.0)
    zb = evaluer("epci", statuts={"59002": "extension_seule"}, seuils=seuils)
    assert zb.loc["200000002", "part_extension"] == 0.5
    assert zb.loc["200000002", "criteres"] == attendu


def test_epci_limitrophe_sans_besoin_identifie_n_est_pas_signale():
    # CC Foxtrot : entièrement en extension, mais 6 250 habitants et aucune autre source.
    zb = evaluer("epci", statuts={"62002": "extension_seule"})
    assert zb.loc["200000004", "part_extension"] == 1.0
    assert not zb.loc["200000004", "besoins_identifies"]
    assert zb.loc["200000004", "criteres"] == ""


def test_epci_non_couvert_et_limitrophe():
    # CC Delta-Echo : Delta sans facilitateur (2/3 des habitants), Echo en extension seulement.
    zb = evaluer("epci", statuts={"59004": "non_couvert", "62001": "extension_seule"})
    assert zb.loc["200000003", "part_non_couverte"] == pytest.approx(2 / 3)
    assert zb.loc["200000003", "criteres"] == "non_couvert,couverture_limitrophe"
    assert zb.loc["200000003", "structures_extension"] == "S9"
    assert "au moins 10\u00a0000 habitants" in zb.loc["200000003", "motif"]  # 18 750 habitants


# --- Critère 3 : capacité insuffisante ---------------------------------------------------------


@pytest.mark.parametrize("niveau", ["commune", "epci"])
@pytest.mark.parametrize(
    ("seuil", "signale"),
    [(0.5, False), (0.5 + 1e-9, True)],
    ids=["ratio_egal_au_seuil_suffisant", "juste_sous_le_seuil"],
)
def test_capacite_insuffisante_seuil_strict(niveau, seuil, signale):
    # Alpha / CA Alpha : 0,25 ETP pour 0,5 unité de besoin = 0,5 ETP par unité.
    zb = evaluer(niveau, etp={"59001": 0.25}, seuils=SeuilsZonesBlanches(ratio_capacite_min=seuil))
    code = "59001" if niveau == "commune" else "200000001"
    assert zb.loc[code, "ratio_capacite"] == 0.5
    assert zb.loc[code, "capacite_insuffisante"] is np.bool_(signale)
    assert zb["est_zone_blanche"].sum() == int(signale)  # les autres ont un ratio de 1


def test_motif_de_capacite_insuffisante():
    zb = evaluer("epci", etp={"59001": 0.25}, seuils=SeuilsZonesBlanches(ratio_capacite_min=0.6))
    assert zb.loc["200000001", "motif"] == (
        f"CA Alpha : 0,25 ETP pour 50{E}000 habitants, marchés non renseignés ; QPV non renseignés ; grands projets "
        "non renseignés. Capacité insuffisante : 0,5 ETP par unité de besoin (seuil : 0,6) pour un indice de besoin "
        "de 0,5 unité."
    )


@pytest.mark.parametrize(
    ("part_min", "attendu"),
    [(0.5, "non_couvert"), (0.6, "capacite_insuffisante")],
    ids=["non_couvert_exclut_capacite", "couvert_donc_capacite"],
)
def test_non_couvert_et_capacite_s_excluent(part_min, attendu):
    # CC Bravo-Charlie : Charlie sans facilitateur (50 %), Bravo couverte avec 0 ETP (ratio 0).
    seuils = SeuilsZonesBlanches(part_non_couverte_min=part_min, ratio_capacite_min=0.1)
    zb = evaluer("epci", statuts={"59003": "non_couvert"}, etp={"59002": 0.0}, seuils=seuils)
    assert zb.loc["200000002", "ratio_capacite"] == 0.0
    assert zb.loc["200000002", "criteres"] == attendu


def test_marches_de_l_etat_pesent_dans_la_capacite():
    # Même couverture (ratio 1 partout en population seule) ; Bravo concentre les marchés de l'État.
    source = marches(**{"59002": {"nb_marches": 10, "montant_total": 1e6, "nb_marches_etat": 10, "montant_etat": 1e6}})
    seuils = SeuilsZonesBlanches(ratio_capacite_min=0.5)
    sans = evaluer("commune", seuils=seuils, poids=PoidsBesoin(), marches=None)
    avec = evaluer("commune", seuils=seuils, poids=PoidsBesoin(), marches=source)
    assert sans["criteres"].eq("").all()
    # Bravo : indice 0,4 × 0,125 + 0,3 × 1 = 0,35 (marchés « autres » : aucun, composante retirée), 0,125 ETP.
    assert avec.loc["59002", "indice_besoin"] == pytest.approx(0.35 / 0.7)
    assert avec.loc["59002", "criteres"] == "capacite_insuffisante"
    assert "dont 0,43 au titre des marchés de l'État" in avec.loc["59002", "motif"]


# --- Seuil par défaut --------------------------------------------------------------------------


def test_seuil_de_capacite_par_defaut_moitie_de_la_mediane():
    # Ratios des communes couvertes : Alpha 1, Bravo 2, Charlie 4, Delta 0,5 → médiane 1,5 → seuil 0,75.
    statuts = {"62001": "non_couvert", "62002": "non_couvert"}
    etp = {"59001": 0.5, "59002": 0.25, "59003": 0.5, "59004": 0.0625}
    seuils = seuils_par_defaut(couverture(statuts, etp), besoins_par_commune(referentiel=REF), referentiel=REF, niveau="commune", poids=POPULATION_SEULE)
    assert seuils.ratio_capacite_min == 0.75
    assert seuils.justification.startswith(
        "Seuil de capacité : 0,75 ETP par unité de besoin, soit la moitié du ratio médian (1,5) des 4 communes couvertes"
    )
    zb = evaluer("commune", statuts=statuts, etp=etp, seuils=SeuilsZonesBlanches())  # seuil calculé de même
    assert zb.attrs["seuils"].ratio_capacite_min == 0.75
    assert zb.loc[zb["capacite_insuffisante"]].index.tolist() == ["59004"]
    assert "(seuil : 0,75)" in zb.loc["59004", "motif"]


def test_sans_territoire_couvert_le_seuil_vaut_zero():
    statuts = {c: "non_couvert" for c in REF.communes.index}
    seuils = seuils_par_defaut(couverture(statuts), besoins_par_commune(referentiel=REF), referentiel=REF, niveau="epci")
    assert seuils.ratio_capacite_min == 0.0
    assert "aucun territoire couvert" in seuils.justification


@pytest.mark.parametrize(
    ("seuils", "message"),
    [
        ({"part_non_couverte_min": 0}, "Seuil `part_non_couverte_min` : « 0 » n'est pas valide"),
        ({"part_extension_min": 1.5}, "Seuil `part_extension_min` : « 1.5 » n'est pas valide"),
        ({"ratio_capacite_min": -0.1}, "Seuil `ratio_capacite_min` : « -0.1 » n'est pas valide"),
        ({"population_besoin_min": float("inf")}, "Seuil `population_besoin_min`"),
    ],
    ids=["part_nulle", "part_superieure_a_1", "ratio_negatif", "population_infinie"],
)
def test_seuils_invalides(seuils, message):
    with pytest.raises(ValueError, match=message):
        SeuilsZonesBlanches(**seuils)


def test_niveau_inconnu():
    with pytest.raises(ValueError, match="niveau : « canton » inconnu"):
        evaluer("canton")


# --- Motifs : chiffres à la française ----------------------------------------------------------


def test_motif_complet_marches_etat_d_abord():
    # Exemple de l'issue : « EPCI X : 0 ETP pour 48 312 habitants, 212 marchés de l'État (3,1 M€) dont 9 % … ».
    source = pd.DataFrame(
        {
            "nb_marches": [1015], "montant_total": [12_400_000.0], "nb_marches_etat": [212], "montant_etat": [3_100_000.0],
            "nb_consideration_connue": [1000], "nb_consideration_sociale": [200],
            "nb_consideration_connue_etat": [200], "nb_consideration_sociale_etat": [18],
        },
        index=["59001"],
    )  # fmt: skip
    quartiers = pd.DataFrame({"nb_qpv": [3], "nb_npnru_national": [1], "nb_npnru_regional": [0]}, index=["59001"])
    besoins = besoins_par_commune(referentiel=REF, marches=source, quartiers=quartiers, grands_projets=pd.Series({"59001": "csne"}))
    zb = evaluer_zones_blanches(
        couverture_communes=couverture({"59001": "non_couvert"}), besoins=besoins, referentiel=REF, niveau="epci",
        seuils=SANS_CAPACITE, libelles_projets={"csne": "Canal Seine-Nord Europe"},
    )  # fmt: skip
    assert zb.loc["200000001", "motif"] == (
        f"CA Alpha : 0 ETP pour 50{E}000 habitants, 212 marchés de l'État (3,1{E}M€) dont 9{E}% avec considération "
        f"sociale ; 1{E}015 marchés publics en tout (12,4{E}M€) dont 20{E}% avec considération sociale ; 3 QPV (dont 1 "
        f"NPNRU) ; grand projet : Canal Seine-Nord Europe. Non couvert : 100{E}% de la population sans facilitateur "
        f"(seuil : au moins 50{E}%)."
    )
    assert zb.loc["200000001", "grands_projets"] == "csne"


def test_marches_fournis_mais_aucun_dans_le_territoire():
    zb = evaluer("commune", statuts={"62002": "non_couvert"}, marches=marches(**{"59001": {"nb_marches": 3}}))
    assert "aucun marché public recensé ; QPV non renseignés" in zb.loc["62002", "motif"]


def test_presence_infime_d_etp():
    zb = evaluer("commune", statuts={"62001": "extension_seule"}, etp={"62001": 0.004}, seuils=SeuilsZonesBlanches(ratio_capacite_min=0.5))
    assert zb.loc["62001", "motif"].startswith(f"Echo : moins de 0,01 ETP pour 6{E}250 habitants")


@pytest.mark.parametrize(
    ("montant", "texte"),
    [
        (3_104_000.0, f"3,1{E}M€"),
        (12_000_000.0, f"12{E}M€"),
        (999_600.0, f"1{E}M€"),  # 999,6 k€ s'arrondirait à « 1 000 k€ »
        (412_400.0, f"412{E}k€"),
        (85_000.0, f"85{E}000{E}€"),
        (850.0, f"850{E}€"),
        (float("nan"), "montant non renseigné"),
    ],
    ids=["millions", "millions_ronds", "bascule_k_vers_m", "milliers", "sous_100k", "petit", "nan"],
)
def test_format_montant_court(montant, texte):
    assert format_montant_court(montant) == texte
    # Les motifs écrivent les montants d'une colonne d'un coup : même texte.
    assert _montants_courts(pd.Series([montant])).tolist() == [texte]


def test_montants_courts_vectorises_identiques_a_format_montant_court():
    montants = [0.0, 99_999.4, 99_999.5, 100_000.0, 999_499.0, 999_500.0, 1_000_000.0, 1_049_999.0, 1_050_000.0,
                -412_400.0, 2_675_000.0, 123_456_789.0, None]
    assert _montants_courts(pd.Series(montants, dtype=float)).tolist() == [format_montant_court(m) for m in montants]


@pytest.mark.parametrize("decimales", [0, 2])
def test_formatage_vectorise_identique_a_format_nombre(decimales):
    valeurs = pd.Series([2.675, 0.125, 1234.5, -0.004, 48312.0, 0.5, 1e6 + 0.005, 0.0])
    attendu = [format_nombre(v, decimales, compact=True) for v in valeurs]  # la référence du projet
    assert _n(valeurs, decimales).tolist() == attendu
    assert _n(pd.Series([48312.0, 2.675]), 2).tolist() == [f"48{E}312", "2,68"]


# --- Résumé, libellés --------------------------------------------------------------------------


def test_resume_compte_chaque_critere_et_le_total_une_fois():
    # Foxtrot non couverte ; Echo en extension (besoins : population ≥ 6 000) avec 0,01 ETP ; Alpha 0,25 ETP.
    seuils = SeuilsZonesBlanches(ratio_capacite_min=0.6, population_besoin_min=6000)
    zb = evaluer("commune", statuts={"62002": "non_couvert", "62001": "extension_seule"}, etp={"62001": 0.01, "59001": 0.25}, seuils=seuils)
    assert zb.loc["62001", "criteres"] == "couverture_limitrophe,capacite_insuffisante"
    resume = resume_zones_blanches(zb)
    assert resume.index.tolist() == [*CRITERES, "total"]
    assert resume["nb_territoires"].tolist() == [1, 1, 2, 3]
    assert resume["population"].tolist() == [6250, 6250, 56250, 62500]
    assert resume["etp"].tolist() == pytest.approx([0.0, 0.01, 0.26, 0.26])


def test_libelles_et_references_de_chaque_critere():
    assert set(LIBELLES_CRITERES) == set(REFERENCES_CRITERES) == set(CRITERES)
    assert "non couvert par l'action d'un facilitateur" in REFERENCES_CRITERES["non_couvert"]
    assert "facilitateur « limitrophe »" in REFERENCES_CRITERES["couverture_limitrophe"]
    assert "marchés de l'État" in REFERENCES_CRITERES["capacite_insuffisante"]


# --- Avec le moteur de couverture (jeu minuscule de tests/fixtures.py) -------------------------


@pytest.mark.parametrize(
    ("population_min", "criteres_e4"),
    [(10_000, ""), (1_500, "couverture_limitrophe")],
    ids=["sans_besoin", "besoin_par_la_population"],
)
def test_avec_couverture_calculee(population_min, criteres_e4):
    ref = referentiel_minuscule()
    c = couverture_par_commune(donnees_minuscules(), referentiel=ref)
    seuils = SeuilsZonesBlanches(ratio_capacite_min=0.0, population_besoin_min=population_min)
    zb = evaluer_zones_blanches(couverture_communes=c, besoins=besoins_par_commune(referentiel=ref), referentiel=ref, niveau="epci", seuils=seuils)
    assert zb.loc["E3", "criteres"] == "non_couvert"  # C5 : S3 a 0 ETP
    assert zb.loc["E4", "criteres"] == criteres_e4  # C6 en extension de S2
    assert zb.loc["E4", "etp_extension"] == pytest.approx(1500 / 5500)
    assert zb.loc["E2", "structures"] == "S1,S2"
    assert zb.loc["E1", "indice_besoin"] == pytest.approx(0.04)


# --- Ligne de commande -------------------------------------------------------------------------


def _fichiers(dossier: Path, etp: str = "1") -> dict[str, Path]:
    (dossier / "structures.csv").write_text(
        "id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad\n"
        f"S1;Association Alpha;association;;59;{etp};0;2022,2023,2024\n",
        encoding="utf-8",
    )
    (dossier / "perimetres.csv").write_text(
        "id_structure;niveau;code;role;part_etp\nS1;epci;200000001;principal;\nS1;commune;59002;extension;\n", encoding="utf-8"
    )
    return {"structures": dossier / "structures.csv", "perimetres": dossier / "perimetres.csv"}


def test_ligne_de_commande_ecrit_le_csv(tmp_path, capsys):
    (tmp_path / "decp.json").write_text(
        '{"marches": [{"id": "M1", "acheteur": {"id": "13000000000012"}, "montant": 1500, '
        '"considerationsSociales": ["Clause sociale"], "lieuExecution": {"code": "59003", "typeCode": "Code commune"}}]}',
        encoding="utf-8",
    )
    sortie = tmp_path / "zones.csv"
    code = executer_zones_blanches(
        **_fichiers(tmp_path), decp=tmp_path / "decp.json", qpv=None, npnru=None, niveau="epci", sortie=sortie, referentiel=REF
    )
    assert code == 0
    contenu = sortie.read_bytes()
    assert contenu.startswith(b"\xef\xbb\xbfcode;nom;criteres;motif;population;etp;indice_besoin;")
    lignes = contenu.decode("utf-8-sig").splitlines()
    assert len(lignes) == 5  # en-tête + 4 EPCI
    # Zones blanches d'abord, par population décroissante ; CA Alpha (couverte, ratio élevé) en dernier.
    assert [ligne.split(";")[0] for ligne in lignes[1:]] == ["200000002", "200000003", "200000004", "200000001"]
    assert lignes[1].startswith("200000002;CC Bravo-Charlie;non_couvert,couverture_limitrophe;")
    assert f"1 marché de l'État (1{E}500{E}€) dont 100{E}% avec considération sociale" in lignes[1]
    assert "3 zone(s) blanche(s) sur 4 territoires (epci)" in capsys.readouterr().out


def test_ligne_de_commande_fichier_invalide(tmp_path, capsys):
    sortie = tmp_path / "zones.csv"
    code = executer_zones_blanches(
        **_fichiers(tmp_path, etp="-1"), decp=None, qpv=None, npnru=None, niveau="epci", sortie=sortie, referentiel=REF
    )
    assert code == 1
    assert not sortie.exists()  # un fichier invalide ne change rien
    assert "structures.csv, ligne 2, colonne `etp_facilitateur`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "code_retour", "message"),
    [
        ({"niveau": "region"}, 2, "Niveau « region » inconnu"),
        ({"decp": Path("absent.json")}, 2, "absent.json : fichier introuvable"),
    ],
    ids=["niveau", "decp_absent"],
)
def test_ligne_de_commande_arguments_invalides(tmp_path, capsys, options, code_retour, message):
    arguments = {"decp": None, "qpv": None, "npnru": None, "niveau": "epci", "sortie": tmp_path / "z.csv", **options}
    assert executer_zones_blanches(**_fichiers(tmp_path), **arguments, referentiel=REF) == code_retour
    assert message in capsys.readouterr().err


# --- « Limitrophe » est géométrique (issue 14, point 5) ----------------------------------------


def test_extension_limitrophe_ou_non_depuis_les_perimetres():
    # « faisant l'objet d'une couverture par un facilitateur « limitrophe » du fait de l'extension de son périmètre »
    # (appel, partie B 1). Voisinage écrit à la main : une chaîne Alpha | Bravo | Charlie | Delta | Echo | Foxtrot.
    # S1 (0,6875 ETP) : principal CA Alpha, extensions à Bravo (voisine d'Alpha) et à Foxtrot (loin d'Alpha).
    import dataclasses

    from coverage.modele import DonneesFacilitateurs

    chaine = ["59001", "59002", "59003", "59004", "62001", "62002"]
    ref = dataclasses.replace(REF, voisins=pd.DataFrame({"commune_a": chaine[:-1], "commune_b": chaine[1:]}))
    structures = pd.DataFrame({"id_structure": ["S1"], "nom": ["Une"], "statut": ["association"], "siret": [""],
                               "departement": ["59"], "etp_facilitateur": [0.6875], "etp_coordinateur": [0.0],
                               "financement_pnad": [""]})
    perimetres = pd.DataFrame({"id_structure": ["S1"] * 3, "niveau": ["epci", "commune", "commune"],
                               "code": ["200000001", "59002", "62002"], "role": ["principal", "extension", "extension"],
                               "part_etp": [np.nan] * 3})
    donnees = DonneesFacilitateurs(structures=structures, perimetres=perimetres, dossiers=pd.DataFrame(), demo=False)
    c = couverture_par_commune(donnees, referentiel=ref)
    assert c["statut"].tolist() == ["couvert", "extension_seule", "non_couvert", "non_couvert", "non_couvert",
                                    "extension_non_limitrophe"]
    assert c.loc["62002", "etp"] == pytest.approx(0.0625)  # 6 250 / 68 750 des 0,6875 ETP : ses ETP restent affichés
    besoins = besoins_par_commune(referentiel=ref)
    zb = evaluer_zones_blanches(couverture_communes=c, besoins=besoins, referentiel=ref, niveau="commune",
                                seuils=SANS_CAPACITE, poids=POPULATION_SEULE)
    # Bravo (12 500 habitants ≥ 10 000 : besoins identifiés) : couverte seulement par l'extension limitrophe → critère 2.
    assert zb.loc["59002", "criteres"] == "couverture_limitrophe"
    # Foxtrot : l'extension ne touche pas Alpha → pas « limitrophe » ; comptée non couverte → critère 1, motif qui le dit.
    assert zb.loc["62002", "criteres"] == "non_couvert"
    assert zb.loc["62002", "part_non_couverte"] == 1.0
    assert zb.loc["62002", "motif"] == (
        f"Foxtrot : 0,06 ETP pour 6{E}250 habitants, marchés non renseignés ; QPV non renseignés ; grands projets non "
        f"renseignés. Non couvert : 100{E}% de la population sans facilitateur (seuil : au moins 50{E}%). Dont 100{E}% "
        "dans la seule extension non limitrophe de la structure S1 : elle ne touche pas le périmètre principal, ce "
        "n'est pas un facilitateur « limitrophe » au sens de l'appel."
    )
    # Chiffres clés : Charlie, Delta, Echo sans facilitateur et Foxtrot en extension non limitrophe = 4 non couvertes.
    from coverage.territoires.couverture import agreger_couverture, chiffres_cles

    agregat = agreger_couverture(c, referentiel=ref, niveau="commune")
    assert chiffres_cles(agregat)["non_couverts"] == 4
    assert agregat.loc["62002", "population_couverte"] == 0  # Foxtrot n'entre pas dans la population couverte
    assert agregat.loc["62002", "part_extension_non_limitrophe"] == 1.0
    # Sans table de voisinage (REF), la même extension serait dite limitrophe : c'est bien la géométrie qui décide.
    sans = couverture_par_commune(donnees, referentiel=REF)
    assert sans.loc["62002", "statut"] == "extension_seule"


def test_capacite_sans_les_etp_d_une_extension_non_limitrophe():
    """CC Delta-Echo : Delta couverte (0,125 ETP, son indice), Echo seulement par l'extension non limitrophe de S9
    (0,0625 ETP). Echo compte non couverte (1/3 de la population, sous le seuil de 50 %) : le critère de capacité
    s'applique, avec les seuls ETP de Delta. Ratio = 0,125 / 0,1875 = 0,667 (et non 1,0 avec les ETP d'Echo)."""
    c = couverture()
    c.loc["62001", ["statut", "etp", "etp_principal", "etp_extension", "structures"]] = ["extension_non_limitrophe", 0.0625, 0.0,
                                                                                       0.0625, "S9"]
    c["etp_non_limitrophe"] = 0.0
    c.loc["62001", "etp_non_limitrophe"] = 0.0625
    besoins = besoins_par_commune(referentiel=REF)
    zb = evaluer_zones_blanches(couverture_communes=c, besoins=besoins, referentiel=REF, niveau="epci",
                                seuils=SeuilsZonesBlanches(ratio_capacite_min=0.8), poids=POPULATION_SEULE)
    ligne = zb.loc["200000003"]
    assert ligne["part_non_couverte"] == pytest.approx(1 / 3)
    assert ligne["etp"] == pytest.approx(0.1875) and ligne["etp_non_limitrophe"] == pytest.approx(0.0625)
    assert ligne["ratio_capacite"] == pytest.approx(0.125 / 0.1875)
    assert ligne["criteres"] == "capacite_insuffisante"
    assert "Capacité insuffisante : 0,67 ETP par unité de besoin (sans les 0,06 ETP d'extension non limitrophe) (seuil : 0,8)" \
        in ligne["motif"]
    # Sans la colonne (extension comptée à tort comme capacité), le ratio serait 1,0 : pas signalé.
    sans = evaluer_zones_blanches(couverture_communes=c.drop(columns="etp_non_limitrophe"), besoins=besoins, referentiel=REF,
                                  niveau="epci", seuils=SeuilsZonesBlanches(ratio_capacite_min=0.8), poids=POPULATION_SEULE)
    assert sans.loc["200000003", "ratio_capacite"] == pytest.approx(1.0)
    assert not sans.loc["200000003", "capacite_insuffisante"]
