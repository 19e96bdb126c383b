"""Tests de l'espace de travail persistant (coverage/espace/) : versions, scénarios, décisions.

Le cahier des charges du magasin : chaque test qui prend la fixture `espace` (ou `nouvelle_cible`)
tourne sur les deux moteurs, SQLite et PostgreSQL (serveur de test démarré par conftest.py).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from coverage.espace import versions as module_versions
from coverage.espace import (
    CHEMIN_PAR_DEFAUT,
    VERSION_SCHEMA,
    ConflitEdition,
    DepotEspace,
    ElementIntrouvable,
    EspaceSQLite,
    ouvrir_espace,
    resoudre_chemin,
)
from coverage.modele import DonneesFacilitateurs

# --------------------------------------------------------------------------------------------
# Petites données faites à la main
# --------------------------------------------------------------------------------------------


def donnees(*, etp_s1: float = 1.5, avec_dossier: bool = True, demo: bool = True) -> DonneesFacilitateurs:
    """Deux structures, trois lignes de périmètre (dont une en Corse), un dossier (ou aucun)."""
    structures = pd.DataFrame(
        {
            "id_structure": ["S1", "S2"],
            "nom": ["Maison de l'emploi de l'Ain", "PLIE d'Ajaccio"],
            "statut": ["association", "collectivite"],
            "siret": ["73282932000074", None],
            "departement": ["01", "2A"],
            "etp_facilitateur": [etp_s1, 0.5],
            "etp_coordinateur": [0.0, np.nan],
            "financement_pnad": ["2022,2023,2024", ""],
        }
    )
    perimetres = pd.DataFrame(
        {
            "id_structure": ["S1", "S1", "S2"],
            "niveau": ["epci", "commune", "commune"],
            "code": ["200042935", "01004", "2A004"],  # 2A004 : code corse, lettre dans le code
            "role": ["principal", "extension", "principal"],
            "part_etp": [np.nan, 0.25, np.nan],
        }
    )
    dossiers = pd.DataFrame(
        {
            "id_dossier": ["D001"] if avec_dossier else [],
            "id_structure": ["S1"] if avec_dossier else [],
            "etp_demandes": [1.0] if avec_dossier else [],
            "montant_aap_demande": [28_000.0] if avec_dossier else [],
            "dossier_complet": [True] if avec_dossier else [],
        }
    ).astype({"id_dossier": "str", "id_structure": "str", "etp_demandes": "float64", "dossier_complet": "bool"})
    return DonneesFacilitateurs(structures, perimetres, dossiers, demo=demo, source="fichiers de test")


def assert_donnees_egales(obtenu: DonneesFacilitateurs, attendu: DonneesFacilitateurs) -> None:
    for nom in ("structures", "perimetres", "dossiers"):
        assert_frame_equal(getattr(obtenu, nom), getattr(attendu, nom))
    assert (obtenu.demo, obtenu.source) == (attendu.demo, attendu.source)


class HorlogeFixe:
    """Horloge réglable : les tests fixent l'instant avant chaque écriture."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant


@pytest.fixture
def horloge() -> HorlogeFixe:
    return HorlogeFixe(datetime(2025, 7, 4, 8, 0, tzinfo=UTC))


@pytest.fixture
def espace(nouvelle_cible, horloge: HorlogeFixe) -> DepotEspace:
    """Un espace amorcé avec les données de démonstration (version 1), à 08:00 UTC le 4 juillet 2025.

    Sur les deux moteurs (fixture `nouvelle_cible` de conftest.py : SQLite et PostgreSQL)."""
    return ouvrir_espace(nouvelle_cible(), initialiser_avec=donnees, horloge=horloge)


def cible_de(espace) -> str:
    """Adresse pour rouvrir le même espace (dans un autre processus) : fichier SQLite ou URL PostgreSQL."""
    return str(espace.chemin) if isinstance(espace, EspaceSQLite) else espace.url


@contextmanager
def connexion_brute(espace):
    """Une connexion directe à la base, hors du magasin (pour vérifier ce que la base elle-même refuse)."""
    if isinstance(espace, EspaceSQLite):
        cx = sqlite3.connect(espace.chemin)
        try:
            yield cx, sqlite3.IntegrityError
        finally:
            cx.close()
    else:
        import psycopg

        with psycopg.connect(espace.url, autocommit=True) as cx:
            yield cx, psycopg.errors.RaiseException


# --------------------------------------------------------------------------------------------
# Création, chemin, schéma
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parametre", "environnement", "attendu"),
    [
        ("/tmp/explicite.sqlite", "/tmp/env.sqlite", Path("/tmp/explicite.sqlite")),
        (None, "/tmp/env.sqlite", Path("/tmp/env.sqlite")),
        (None, "", CHEMIN_PAR_DEFAUT),
        (None, None, CHEMIN_PAR_DEFAUT),
    ],
    ids=["parametre-prioritaire", "variable-environnement", "variable-vide", "defaut"],
)
def test_resoudre_chemin(monkeypatch, parametre, environnement, attendu):
    if environnement is None:
        monkeypatch.delenv("FACILITATEURS_ESPACE", raising=False)
    else:
        monkeypatch.setenv("FACILITATEURS_ESPACE", environnement)
    assert resoudre_chemin(parametre) == attendu


def test_chemin_par_defaut_dans_data_a_la_racine_du_depot():
    racine = Path(__file__).resolve().parents[1]
    assert CHEMIN_PAR_DEFAUT == racine / "data" / "espace.sqlite"


def test_ouvrir_espace_suit_la_variable_d_environnement(tmp_path, monkeypatch):
    monkeypatch.setenv("FACILITATEURS_ESPACE", str(tmp_path / "depuis_env" / "base.sqlite"))
    espace = ouvrir_espace()
    assert espace.chemin == tmp_path / "depuis_env" / "base.sqlite"
    assert espace.chemin.exists()


def test_creation_schema_wal_et_version(tmp_path):
    chemin = tmp_path / "sous" / "dossier" / "espace.sqlite"  # dossier parent créé au besoin
    espace = ouvrir_espace(chemin)
    assert chemin.exists()
    assert espace.version_schema() == VERSION_SCHEMA == 4  # 1 : schéma initial ; 2 : fichiers de besoins ; 3 : bilans ; 4 : enveloppes
    assert espace.est_vide()
    with sqlite3.connect(chemin) as cx:
        assert cx.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cx.execute("SELECT version FROM schema_version").fetchall() == [(1,), (2,), (3,), (4,)]
    with pytest.raises(ElementIntrouvable, match="aucune version des données"):
        espace.version_active()


def test_reouverture_ne_reamorce_pas(nouvelle_cible):
    appels: list[int] = []

    def demo() -> DonneesFacilitateurs:
        appels.append(1)
        return donnees()

    cible = nouvelle_cible()
    ouvrir_espace(cible, initialiser_avec=demo)
    espace = ouvrir_espace(cible, initialiser_avec=demo)
    assert len(appels) == 1
    assert espace.lister_versions()["id"].tolist() == [1]
    assert espace.version_schema() == VERSION_SCHEMA


def test_amorcage_concurrent_une_seule_fois(espace):
    """Deux processus ouvrent une base vide en même temps : le second amorçage, arrivé après, n'écrit rien."""
    second = espace._enregistrer_version(
        donnees(), auteur="initialisation automatique", libelle="Démo", source="demo", base_version=0, seulement_si_vide=True
    )
    assert second is None
    assert espace.lister_versions()["id"].tolist() == [1]


def test_base_d_un_schema_plus_recent_refusee(tmp_path):
    chemin = tmp_path / "e.sqlite"
    ouvrir_espace(chemin)
    with sqlite3.connect(chemin) as cx:
        cx.execute("INSERT INTO schema_version VALUES (99, 'futur', '2030-01-01T00:00:00+00:00')")
    with pytest.raises(RuntimeError, match="schéma 99, plus récent"):
        ouvrir_espace(chemin)


def test_implemente_le_protocole(espace):
    assert isinstance(espace, DepotEspace)


def test_horodatage_converti_en_utc(nouvelle_cible):
    heure_de_paris = timezone(timedelta(hours=2))
    horloge = HorlogeFixe(datetime(2025, 7, 4, 10, 30, tzinfo=heure_de_paris))
    espace = ouvrir_espace(nouvelle_cible(), initialiser_avec=donnees, horloge=horloge)
    assert espace.lister_versions()["horodatage"].tolist() == ["2025-07-04T08:30:00+00:00"]


def test_horloge_sans_fuseau_refusee(nouvelle_cible):
    horloge = HorlogeFixe(datetime(2025, 7, 4, 10, 30))
    with pytest.raises(ValueError, match="fuseau horaire"):
        ouvrir_espace(nouvelle_cible(), horloge=horloge)


# --------------------------------------------------------------------------------------------
# Versions des données
# --------------------------------------------------------------------------------------------


def test_amorcage_avec_les_donnees_de_demo(espace):
    versions = espace.lister_versions()
    attendu = pd.DataFrame(
        {
            "id": [1],
            "horodatage": ["2025-07-04T08:00:00+00:00"],
            "auteur": ["initialisation automatique"],
            "libelle": ["Données de démonstration (fictives)"],
            "source": ["demo"],
            "demo": [True],
            "active": [True],
            "nb_structures": [2],
            "nb_perimetres": [3],
            "nb_dossiers": [1],
        }
    )
    assert_frame_equal(versions, attendu)
    assert espace.version_active() == 1
    assert_donnees_egales(espace.charger_version(), donnees())


def test_import_d_une_version(espace, horloge):
    horloge.instant = datetime(2025, 7, 4, 9, 15, tzinfo=UTC)
    importees = donnees(etp_s1=2.0, avec_dossier=False, demo=False)
    identifiant = espace.enregistrer_version(
        importees, auteur="Alice (DREETS 84)", libelle="Import structures.xlsx + perimetres.csv", source="import",
        base_version=1,
    )
    assert identifiant == 2
    assert espace.version_active() == 2
    versions = espace.lister_versions()
    assert versions["id"].tolist() == [2, 1]  # la plus récente en premier
    assert versions["active"].tolist() == [True, False]
    assert versions.loc[0, ["horodatage", "auteur", "libelle", "source"]].tolist() == [
        "2025-07-04T09:15:00+00:00",
        "Alice (DREETS 84)",
        "Import structures.xlsx + perimetres.csv",
        "import",
    ]
    assert versions.loc[0, ["demo", "nb_structures", "nb_perimetres", "nb_dossiers"]].tolist() == [False, 2, 3, 0]
    assert_donnees_egales(espace.charger_version(), importees)
    assert_donnees_egales(espace.charger_version(1), donnees())  # l'ancienne reste lisible


def test_restaurer_une_version_anterieure(espace, horloge):
    espace.enregistrer_version(donnees(etp_s1=3.0), auteur="Alice", libelle="Modification des ETP", source="modification",
                               base_version=1)
    horloge.instant = datetime(2025, 7, 5, 14, 0, tzinfo=UTC)
    espace.restaurer_version(1, auteur="Bob", base_version=2)
    assert espace.version_active() == 1
    assert_donnees_egales(espace.charger_version(), donnees())
    assert espace.lister_versions()["active"].tolist() == [False, True]
    journal = espace.historique_activations()
    assert journal[["id_version", "auteur", "motif", "horodatage"]].values.tolist() == [
        [1, "initialisation automatique", "enregistrement", "2025-07-04T08:00:00+00:00"],
        [2, "Alice", "enregistrement", "2025-07-04T08:00:00+00:00"],
        [1, "Bob", "restauration", "2025-07-05T14:00:00+00:00"],
    ]


def test_restaurer_une_version_inconnue(espace):
    with pytest.raises(ElementIntrouvable, match="La version 7 des données n'existe pas"):
        espace.restaurer_version(7, auteur="Bob", base_version=1)
    assert len(espace.historique_activations()) == 1


def test_charger_une_version_inconnue(espace):
    with pytest.raises(ElementIntrouvable, match="La version 3 des données n'existe pas"):
        espace.charger_version(3)


def test_echec_au_milieu_de_l_ecriture_ne_change_rien(espace, monkeypatch):
    """Tout ou rien : la version et la table des structures sont insérées, puis l'écriture des dossiers échoue."""
    inserer = module_versions._inserer_table_version
    tables_ecrites: list[str] = []

    def inserer_puis_panne(cx, id_version, nom_table, blob, nb_lignes):
        if nom_table == "dossiers":
            raise OSError("disque plein (simulé)")
        inserer(cx, id_version, nom_table, blob, nb_lignes)
        tables_ecrites.append(nom_table)

    monkeypatch.setattr(module_versions, "_inserer_table_version", inserer_puis_panne)
    with pytest.raises(OSError, match="disque plein"):
        espace.enregistrer_version(donnees(etp_s1=9.0), auteur="Alice", libelle="Import raté", source="import", base_version=1)
    assert tables_ecrites == ["structures", "perimetres"]  # la panne est bien survenue en cours d'écriture
    assert espace.version_active() == 1
    assert espace.lister_versions()["id"].tolist() == [1]
    assert_donnees_egales(espace.charger_version(), donnees())
    monkeypatch.undo()
    reussie = espace.enregistrer_version(donnees(), auteur="Alice", libelle="Import réussi", source="import",
                                         base_version=1)
    # SQLite annule aussi le numéro ; PostgreSQL ne réutilise jamais un numéro tiré (suite non transactionnelle).
    assert reussie == (2 if isinstance(espace, EspaceSQLite) else 3)
    assert espace.lister_versions()["id"].tolist() == [reussie, 1]
    assert espace.verifier_integrite() == "ok"


def test_table_impossible_a_enregistrer_ne_change_rien(espace):
    mauvaise = donnees()
    dossiers = pd.DataFrame({"id_dossier": ["D001", "D002"], "etp_demandes": pd.Series([1.0, "un"], dtype=object)})
    with pytest.raises(ValueError, match="La table « dossiers » ne peut pas être enregistrée"):
        espace.enregistrer_version(
            DonneesFacilitateurs(mauvaise.structures, mauvaise.perimetres, dossiers),
            auteur="Alice",
            libelle="Import",
            source="import",
            base_version=1,
        )
    assert espace.lister_versions()["id"].tolist() == [1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"auteur": "  ", "libelle": "Import", "source": "import"}, "L'auteur est obligatoire"),
        ({"auteur": "Alice", "libelle": "", "source": "import"}, "Le libellé de la version est obligatoire"),
        ({"auteur": "Alice", "libelle": "Import", "source": "fichier"}, "Source de version inconnue : 'fichier'"),
    ],
    ids=["auteur-vide", "libelle-vide", "source-inconnue"],
)
def test_version_invalide_refusee(espace, arguments, message):
    with pytest.raises(ValueError, match=message):
        espace.enregistrer_version(donnees(), **arguments, base_version=1)
    assert espace.lister_versions()["id"].tolist() == [1]


def test_sauvegarde_sqlite_rouvrable(tmp_path):
    espace = ouvrir_espace(tmp_path / "espace.sqlite", initialiser_avec=donnees)
    espace.enregistrer_version(donnees(etp_s1=4.0), auteur="Alice", libelle="Import", source="import", base_version=1)
    copie = espace.sauvegarder(tmp_path / "sauvegardes" / "copie.sqlite")
    relue = ouvrir_espace(copie)
    assert relue.lister_versions()["id"].tolist() == [2, 1]
    assert_donnees_egales(relue.charger_version(), donnees(etp_s1=4.0))
    assert relue.verifier_integrite() == "ok"


# --------------------------------------------------------------------------------------------
# Décisions des comités
# --------------------------------------------------------------------------------------------


def decider(espace: DepotEspace, **arguments) -> int:
    valeurs = {
        "comite": "84",
        "id_dossier": "D001",
        "decision": "retenu",
        "motif": "Diagnostic solide, porteur financé par le PNAD en 2022, 2023 et 2024",
        "auteur": "Alice",
        "version_attendue": None,
        "etp_retenus": 1.0,
        "montant_retenu": 28_000.0,
    }
    return espace.enregistrer_decision(**(valeurs | arguments))


def test_decision_puis_changement_garde_l_historique(espace, horloge):
    assert decider(espace) == 1
    horloge.instant = datetime(2025, 7, 10, 16, 45, tzinfo=UTC)
    version = decider(
        espace,
        decision="retenu_partiellement",
        motif="Enveloppe régionale insuffisante : 0,5 ETP retenu",
        auteur="Bob",
        version_attendue=1,
        etp_retenus=0.5,
        montant_retenu=14_736.5,
    )
    assert version == 2
    courantes = espace.decisions_courantes("84")
    attendu = pd.DataFrame(
        {
            "comite": ["84"],
            "id_dossier": ["D001"],
            "version": [2],
            "decision": ["retenu_partiellement"],
            "motif": ["Enveloppe régionale insuffisante : 0,5 ETP retenu"],
            "etp_retenus": [0.5],
            "montant_retenu": [14_736.5],
            "auteur": ["Bob"],
            "horodatage": ["2025-07-10T16:45:00+00:00"],
        }
    )
    assert_frame_equal(courantes, attendu)
    historique = espace.historique_decisions("84", "D001")
    assert historique[["version", "decision", "auteur", "montant_retenu"]].values.tolist() == [
        [1, "retenu", "Alice", 28_000.0],
        [2, "retenu_partiellement", "Bob", 14_736.5],
    ]


def test_decision_sans_montant_pour_un_refus(espace):
    decider(espace, id_dossier="D002", decision="refuse", motif="Dossier incomplet", etp_retenus=None, montant_retenu=None)
    decider(espace, id_dossier="D003", decision="ajourne", motif="Pièces attendues", etp_retenus=0, montant_retenu=0)
    courantes = espace.decisions_courantes("84")
    assert courantes["id_dossier"].tolist() == ["D002", "D003"]
    assert courantes["etp_retenus"].isna().all() and courantes["montant_retenu"].isna().all()


def test_comites_independants(espace):
    decider(espace, comite="national", decision="ajourne", motif="Structure nouvelle : avis DGEFP attendu",
            etp_retenus=None, montant_retenu=None)
    decider(espace, comite="84")
    assert espace.decisions_courantes("national")["decision"].tolist() == ["ajourne"]
    assert espace.decisions_courantes("84")["decision"].tolist() == ["retenu"]
    assert espace.decisions_courantes("93").empty
    assert list(espace.decisions_courantes("93").columns) == list(espace.decisions_courantes("84").columns)


def test_conflit_d_edition_puis_rechargement(espace, horloge):
    decider(espace)  # version 1, lue ensuite par Alice et par Bob dans deux navigateurs
    horloge.instant = datetime(2025, 7, 10, 9, 5, tzinfo=UTC)
    decider(espace, decision="refuse", motif="Cofinancement non justifié", auteur="Bob", version_attendue=1,
            etp_retenus=None, montant_retenu=None)
    with pytest.raises(ConflitEdition, match=r"enregistrée par Bob le 10/07/2025 à 09:05 UTC \(version 2\)") as conflit:
        decider(espace, decision="ajourne", motif="À revoir en seconde relève", version_attendue=1,
                etp_retenus=None, montant_retenu=None)
    assert (conflit.value.version_attendue, conflit.value.version_courante, conflit.value.auteur) == (1, 2, "Bob")
    assert espace.historique_decisions("84")["version"].tolist() == [1, 2]  # rien d'écrasé
    # Alice recharge, lit la version 2, et enregistre en connaissance de cause.
    version_lue = int(espace.decisions_courantes("84")["version"].iloc[0])
    assert decider(espace, decision="ajourne", motif="À revoir en seconde relève", version_attendue=version_lue,
                   etp_retenus=None, montant_retenu=None) == 3


def test_conflit_si_aucune_decision_lue_mais_une_existe(espace):
    decider(espace, auteur="Bob")
    with pytest.raises(ConflitEdition, match="vous n'aviez lu aucune décision"):
        decider(espace, version_attendue=None)
    with pytest.raises(ConflitEdition, match="vous n'aviez lu aucune décision"):
        decider(espace, version_attendue=0)


def test_conflit_si_version_lue_inexistante(espace):
    with pytest.raises(ConflitEdition, match="aucune décision n'est enregistrée alors que vous aviez lu la version 4"):
        decider(espace, version_attendue=4)


@pytest.mark.parametrize("motif", ["", "   \n", None], ids=["vide", "espaces", "absent"])
def test_motif_obligatoire(espace, motif):
    message = "Le motif est obligatoire pour enregistrer la décision « Refusé » sur le dossier D001"
    with pytest.raises(ValueError, match=message):
        decider(espace, decision="refuse", motif=motif, etp_retenus=None, montant_retenu=None)
    assert espace.historique_decisions("84").empty


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"decision": "retenu_partiellement", "montant_retenu": None},
            "montant_retenu est obligatoire pour une décision « Retenu partiellement »",
        ),
        ({"decision": "retenu", "etp_retenus": None}, "etp_retenus est obligatoire pour une décision « Retenu »"),
        ({"etp_retenus": 0.0}, "etp_retenus : 0.0 n'est pas un nombre d'ETP valide"),
        ({"etp_retenus": 51.0}, "etp_retenus : 51.0 n'est pas un nombre d'ETP valide"),  # ETP_MAX = 50
        ({"montant_retenu": -1.0}, "montant_retenu : -1.0 n'est pas un montant valide"),
        ({"montant_retenu": float("nan")}, "montant_retenu est obligatoire"),
        (
            {"decision": "refuse", "etp_retenus": 1.0, "montant_retenu": None},
            "etp_retenus : 1.0 — une décision « Refusé » n'accorde ni ETP ni montant",
        ),
        ({"decision": "accepte"}, "Décision inconnue : 'accepte'"),
        ({"comite": "Auvergne"}, "Comité inconnu : 'Auvergne'"),
        ({"id_dossier": " "}, "L'identifiant du dossier est obligatoire"),
        ({"auteur": ""}, "L'auteur est obligatoire"),
    ],
    ids=[
        "partiel-sans-montant",
        "retenu-sans-etp",
        "etp-nul",
        "etp-au-dela-de-50",
        "montant-negatif",
        "montant-nan",
        "refus-avec-etp",
        "decision-inconnue",
        "comite-inconnu",
        "dossier-vide",
        "auteur-vide",
    ],
)
def test_decision_invalide_refusee(espace, arguments, message):
    with pytest.raises(ValueError, match=message):
        decider(espace, **arguments)
    assert espace.historique_decisions("84").empty


def test_historique_des_decisions_en_ajout_seul(espace):
    decider(espace)
    with connexion_brute(espace) as (cx, erreur_de_la_base):
        with pytest.raises(erreur_de_la_base, match="ajout seul : modification interdite"):
            cx.execute("UPDATE decisions SET decision = 'refuse'")
        with pytest.raises(erreur_de_la_base, match="ajout seul : suppression interdite"):
            cx.execute("DELETE FROM decisions")
    assert espace.decisions_courantes("84")["decision"].tolist() == ["retenu"]


# --------------------------------------------------------------------------------------------
# Scénarios
# --------------------------------------------------------------------------------------------


def resultats_scenario() -> dict[str, pd.DataFrame]:
    dossiers = pd.DataFrame(
        {
            "id_dossier": ["D001", "D002", "D003"],
            "region": ["84", "94", "04"],  # 94 : Corse ; 04 : La Réunion
            "eligible": [True, True, False],
            "regle_bloquante": [None, None, "etp_minimum"],
            "montant_max_aap": [28_000.0, 14_736.5, 0.0],
            "montant_alloue": [28_000.0, 14_736.5, np.nan],
            "rang": pd.array([1, 2, None], dtype="Int64"),
        }
    )
    synthese = pd.DataFrame(
        {"nb_dossiers": [1, 1, 1], "montant_alloue": [28_000.0, 14_736.5, 0.0]},
        index=pd.Index(["04", "84", "94"], name="region"),
    )
    return {"dossiers": dossiers, "synthese_regions": synthese}


PARAMETRES = {"enveloppe": 4_500_000.0, "mode": "optimal", "regions": ["84", "94"], "priorite_pnad": True, "note": None}


def test_scenario_enregistre_puis_relu_a_l_identique(espace, horloge):
    identifiant = espace.enregistrer_scenario(
        nom="Enveloppe nationale", auteur="Alice", parametres=PARAMETRES, resultats=resultats_scenario(), base_version=1
    )
    scenario = espace.charger_scenario(identifiant)
    assert (scenario.id, scenario.nom, scenario.auteur, scenario.horodatage, scenario.id_version) == (
        1, "Enveloppe nationale", "Alice", "2025-07-04T08:00:00+00:00", 1,
    )
    assert scenario.parametres == PARAMETRES
    assert list(scenario.resultats) == ["dossiers", "synthese_regions"]
    for nom, table in resultats_scenario().items():
        assert_frame_equal(scenario.resultats[nom], table)
    assert (scenario.id_origine, scenario.supprime) == (None, False)


def test_scenario_rattache_a_la_version_de_calcul(espace, horloge):
    """Un scénario calculé sur la version 1 n'est jamais classé sous la version 2 : il est refusé, on recalcule."""
    horloge.instant = datetime(2025, 7, 4, 9, 30, tzinfo=UTC)
    espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Bob", libelle="Import", source="import", base_version=1)
    with pytest.raises(ConflitEdition, match=r"la version en vigueur est la version 2, mise en vigueur par Bob le "
                                             r"04/07/2025 à 09:30 UTC, alors que vous travailliez sur la version 1\. "
                                             "Rien n'a été enregistré : rechargez") as conflit:
        espace.enregistrer_scenario(nom="A", auteur="Alice", parametres={}, resultats={}, base_version=1)
    assert (conflit.value.objet, conflit.value.version_attendue, conflit.value.version_courante) == ("donnees", 1, 2)
    assert espace.lister_scenarios(inclure_supprimes=True).empty
    recalcule = espace.enregistrer_scenario(nom="A", auteur="Alice", parametres={}, resultats={}, base_version=2)
    assert espace.charger_scenario(recalcule).id_version == 2


def test_dupliquer_renommer_supprimer(espace, horloge):
    original = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres=PARAMETRES, resultats=resultats_scenario(),
                                           base_version=1)
    horloge.instant = datetime(2025, 7, 5, 10, 0, tzinfo=UTC)
    copie = espace.dupliquer_scenario(original, "Base + 2 ETP en Corse", auteur="Bob", base_version=1)
    relu = espace.charger_scenario(copie)
    assert (relu.nom, relu.auteur, relu.horodatage, relu.id_origine) == (
        "Base + 2 ETP en Corse", "Bob", "2025-07-05T10:00:00+00:00", original,
    )
    assert relu.parametres == PARAMETRES
    for nom, table in resultats_scenario().items():
        assert_frame_equal(relu.resultats[nom], table)

    espace.renommer_scenario(copie, "Variante Corse", auteur="Bob", base_version=2)  # version = dernière ligne du journal
    espace.supprimer_scenario(original, auteur="Alice", base_version=1)
    assert espace.lister_scenarios()[["id", "nom"]].values.tolist() == [[copie, "Variante Corse"]]
    tous = espace.lister_scenarios(inclure_supprimes=True)
    assert tous[["id", "nom", "supprime"]].values.tolist() == [[2, "Variante Corse", False], [1, "Base", True]]
    assert tous["id_origine"].tolist() == [1, pd.NA]
    assert espace.charger_scenario(original).supprime  # supprimé mais gardé dans l'historique
    journal = espace.historique_scenarios()
    assert journal[["id_scenario", "action", "auteur", "detail"]].values.tolist() == [
        [1, "creation", "Alice", ""],
        [2, "duplication", "Bob", "copie du scénario 1 « Base »"],
        [2, "renommage", "Bob", "« Base + 2 ETP en Corse » → « Variante Corse »"],
        [1, "suppression", "Alice", "« Base »"],
    ]
    assert espace.historique_scenarios(2)["action"].tolist() == ["duplication", "renommage"]


def test_nom_de_scenario_unique_parmi_les_non_supprimes(espace):
    premier = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres={}, resultats={}, base_version=1)
    with pytest.raises(ValueError, match="Un scénario nommé « Base » existe déjà"):
        espace.enregistrer_scenario(nom="Base", auteur="Bob", parametres={}, resultats={}, base_version=1)
    second = espace.enregistrer_scenario(nom="Autre", auteur="Bob", parametres={}, resultats={}, base_version=1)
    with pytest.raises(ValueError, match="Un scénario nommé « Base » existe déjà"):
        espace.renommer_scenario(second, "Base", auteur="Bob", base_version=2)
    espace.supprimer_scenario(premier, auteur="Alice", base_version=1)
    assert espace.enregistrer_scenario(nom="Base", auteur="Bob", parametres={}, resultats={}, base_version=1) == 3  # nom libéré


def test_scenario_supprime_ni_renomme_ni_resupprime(espace):
    identifiant = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres={}, resultats={}, base_version=1)
    espace.supprimer_scenario(identifiant, auteur="Alice", base_version=1)
    assert espace.charger_scenario(identifiant).version == 2
    with pytest.raises(ValueError, match="a été supprimé : dupliquez-le pour le reprendre"):
        espace.renommer_scenario(identifiant, "Nouveau", auteur="Alice", base_version=2)
    with pytest.raises(ValueError, match="a été supprimé"):
        espace.supprimer_scenario(identifiant, auteur="Alice", base_version=2)
    assert espace.dupliquer_scenario(identifiant, "Base reprise", auteur="Bob", base_version=2) == 2


@pytest.mark.parametrize(
    ("arguments", "erreur", "message"),
    [
        ({"parametres": {"date": datetime(2025, 7, 4)}}, ValueError, "pas enregistrables en JSON"),
        ({"resultats": {"dossiers": [1, 2]}}, TypeError, "La table « dossiers » doit être un DataFrame"),
        ({"nom": ""}, ValueError, "Le nom du scénario est obligatoire"),
    ],
    ids=["parametres-non-json", "resultat-pas-dataframe", "nom-vide"],
)
def test_scenario_invalide_refuse(espace, arguments, erreur, message):
    valeurs = {"nom": "Base", "auteur": "Alice", "parametres": {}, "resultats": {}, "base_version": 1}
    with pytest.raises(erreur, match=message):
        espace.enregistrer_scenario(**(valeurs | arguments))
    assert espace.lister_scenarios(inclure_supprimes=True).empty


def test_scenario_inconnu(espace):
    with pytest.raises(ElementIntrouvable, match="Le scénario 5 n'existe pas"):
        espace.charger_scenario(5)
    with pytest.raises(ElementIntrouvable, match="Le scénario 5 n'existe pas"):
        espace.dupliquer_scenario(5, "Copie", auteur="Alice", base_version=0)


# --------------------------------------------------------------------------------------------
# Projets ajoutés par les utilisateurs
# --------------------------------------------------------------------------------------------

YAML_V1 = "- nom: Contournement est\n  communes: ['01004', '01053']\n"
YAML_V2 = YAML_V1 + "- nom: Ligne nouvelle\n  communes: ['2A004']\n"


def test_projets_utilisateur_versionnes(espace, horloge):
    assert espace.projets_utilisateur() == ""
    assert espace.enregistrer_projets_utilisateur(YAML_V1, auteur="Alice", base_version=0) == 1
    horloge.instant = datetime(2025, 7, 6, 12, 0, tzinfo=UTC)
    assert espace.enregistrer_projets_utilisateur(YAML_V2, auteur="Bob", base_version=1) == 2
    assert espace.projets_utilisateur() == YAML_V2
    assert espace.projets_utilisateur(1) == YAML_V1
    historique = espace.historique_projets_utilisateur()
    assert historique.values.tolist() == [
        [1, "Alice", "2025-07-04T08:00:00+00:00", len(YAML_V1)],
        [2, "Bob", "2025-07-06T12:00:00+00:00", len(YAML_V2)],
    ]


def test_projets_utilisateur_yaml_illisible(espace):
    espace.enregistrer_projets_utilisateur(YAML_V1, auteur="Alice", base_version=None)
    # Deux « : » sur la ligne 2 ; le second est en colonne 14.
    with pytest.raises(ValueError, match="le texte YAML est illisible à la ligne 2, colonne 14"):
        espace.enregistrer_projets_utilisateur("- nom: A\n  communes: x: y\n", auteur="Bob", base_version=1)
    assert espace.projets_utilisateur() == YAML_V1
    with pytest.raises(ElementIntrouvable, match="La version 9 des projets ajoutés n'existe pas"):
        espace.projets_utilisateur(9)


# --------------------------------------------------------------------------------------------
# Écritures concurrentes
# --------------------------------------------------------------------------------------------

NB_ECRITURES = 50


def _ecrire_decisions(cible: str, auteur: str, barriere) -> None:
    """Processus fils : 50 décisions sur le même dossier, en rechargeant après chaque conflit."""
    espace = ouvrir_espace(cible)
    barriere.wait(timeout=120)
    for i in range(NB_ECRITURES):
        while True:
            courantes = espace.decisions_courantes("84")
            version_lue = int(courantes["version"].iloc[0]) if len(courantes) else None
            try:
                espace.enregistrer_decision(
                    comite="84", id_dossier="D001", decision="ajourne", motif=f"{auteur} n°{i}",
                    auteur=auteur, version_attendue=version_lue,
                )
                break
            except ConflitEdition:
                continue
    getattr(espace, "fermer", lambda: None)()


def _ecrire_versions(cible: str, auteur: str, barriere) -> None:
    """Processus fils : 50 versions des données, chacune fondée sur la version active lue juste avant."""
    espace = ouvrir_espace(cible)
    barriere.wait(timeout=120)
    for i in range(NB_ECRITURES):
        while True:  # chacun part de la version active qu'il vient de lire, et recharge après un conflit
            try:
                espace.enregistrer_version(donnees(etp_s1=float(i)), auteur=auteur, libelle=f"{auteur} n°{i}",
                                           source="modification", base_version=espace.version_active())
                break
            except ConflitEdition:
                continue
    getattr(espace, "fermer", lambda: None)()


def _lancer_deux_processus(fonction, cible: str) -> None:
    contexte = multiprocessing.get_context("spawn")  # deux interpréteurs indépendants, comme deux serveurs
    barriere = contexte.Barrier(2)
    processus = [contexte.Process(target=fonction, args=(cible, auteur, barriere)) for auteur in ("Alice", "Bob")]
    for p in processus:
        p.start()
    for p in processus:
        p.join(timeout=300)  # garde-fou contre un blocage, pas une mesure de durée
    assert [p.exitcode for p in processus] == [0, 0]


def test_deux_processus_decisions_sur_le_meme_dossier(espace):
    _lancer_deux_processus(_ecrire_decisions, cible_de(espace))
    historique = espace.historique_decisions("84", "D001")
    assert historique["version"].tolist() == list(range(1, 2 * NB_ECRITURES + 1))  # ni trou ni doublon
    for auteur in ("Alice", "Bob"):
        motifs = historique.loc[historique["auteur"] == auteur, "motif"].tolist()
        assert motifs == [f"{auteur} n°{i}" for i in range(NB_ECRITURES)]  # toutes, dans l'ordre
    assert espace.verifier_integrite() == "ok"


def test_deux_processus_versions_des_donnees(espace):
    _lancer_deux_processus(_ecrire_versions, cible_de(espace))
    versions = espace.lister_versions()
    assert sorted(versions["id"]) == list(range(1, 2 * NB_ECRITURES + 2))  # la démo + 100 versions
    assert versions["active"].sum() == 1
    for auteur in ("Alice", "Bob"):
        libelles = versions.loc[versions["auteur"] == auteur].sort_values("id")["libelle"].tolist()
        assert libelles == [f"{auteur} n°{i}" for i in range(NB_ECRITURES)]
    assert espace.version_active() == 2 * NB_ECRITURES + 1  # la dernière écrite
    derniere = versions.loc[versions["id"] == espace.version_active(), "libelle"].item()
    assert espace.charger_version().structures.loc[0, "etp_facilitateur"] == float(derniere.split("n°")[1])
    assert len(espace.historique_activations()) == 2 * NB_ECRITURES + 1
    assert espace.verifier_integrite() == "ok"


def test_plusieurs_fils_d_execution_partagent_un_espace(espace):
    """Cas Streamlit : un seul objet espace (st.cache_resource) utilisé par plusieurs sessions."""

    def ecrire(numero: int) -> None:
        for i in range(25):
            while True:
                try:
                    espace.enregistrer_projets_utilisateur(f"# session {numero}, écriture {i}\n", auteur=f"session {numero}",
                                                           base_version=espace.version_projets_utilisateur())
                    break
                except ConflitEdition:
                    continue

    with ThreadPoolExecutor(max_workers=4) as executeur:
        list(executeur.map(ecrire, range(4)))
    historique = espace.historique_projets_utilisateur()
    assert historique["id"].tolist() == list(range(1, 101))
    assert historique["auteur"].value_counts().to_dict() == {f"session {n}": 25 for n in range(4)}
    assert espace.verifier_integrite() == "ok"


def test_fichiers_de_besoins_versionnes(nouvelle_cible):
    e = ouvrir_espace(nouvelle_cible())
    assert e.fichier_besoins_actif("decp") is None
    premier = e.enregistrer_fichier_besoins("decp", nom_fichier="a.json", contenu=b"{}", auteur="Ana", base_version=None)
    second = e.enregistrer_fichier_besoins("decp", nom_fichier="b.json", contenu=b"[1]", auteur="Ben", base_version=premier)
    assert e.fichier_besoins_actif("decp") == (second, "b.json", b"[1]")
    assert len(e.lister_fichiers_besoins()) == 2
    e.retirer_fichier_besoins("decp", auteur="Ana", base_version=second)
    assert e.fichier_besoins_actif("decp") is None
    with pytest.raises(ValueError, match="Type de fichier de besoins inconnu"):
        e.enregistrer_fichier_besoins("sirene", nom_fichier="x", contenu=b"", auteur="Ana", base_version=None)
