"""Ce qui est propre au moteur PostgreSQL : choix par l'adresse, migrations, pannes, deux instances.

Le reste du cahier des charges (versions, scénarios, décisions, conflits, tout ou rien, écritures
concurrentes) est dans tests/test_espace.py et tests/test_espace_conflits.py, qui tournent sur les
deux moteurs.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import psycopg
import pytest

from coverage.espace import ConflitEdition, EspaceIndisponible, ouvrir_espace, resoudre_cible
from coverage.espace.migrations import _MIGRATIONS, VERSION_SCHEMA
from coverage.espace.migrations_postgres import MIGRATIONS_POSTGRES
from coverage.espace.postgres import EspacePostgres, decrire_adresse
from tests.test_espace import donnees

RACINE_DEPOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def base_pg(serveur_postgres):
    """Une base vide sur le serveur de test, supprimée à la fin."""
    url = serveur_postgres.creer_base()
    yield url
    serveur_postgres.supprimer_base(url)


def test_memes_migrations_que_sqlite():
    assert sorted(MIGRATIONS_POSTGRES) == [m.numero for m in _MIGRATIONS]


def test_adresse_postgres_choisie_par_la_variable(base_pg, monkeypatch):
    monkeypatch.setenv("FACILITATEURS_ESPACE", base_pg)
    assert resoudre_cible() == base_pg
    espace = ouvrir_espace(initialiser_avec=donnees)
    try:
        assert isinstance(espace, EspacePostgres)
        assert espace.version_schema() == VERSION_SCHEMA
        assert espace.lister_versions()["id"].tolist() == [1]
        with psycopg.connect(base_pg) as cx:
            assert cx.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [(1,), (2,)]
    finally:
        espace.fermer()


def test_base_d_un_schema_plus_recent_refusee(base_pg):
    EspacePostgres(base_pg).fermer()
    with psycopg.connect(base_pg, autocommit=True) as cx:
        cx.execute("INSERT INTO schema_version VALUES (99, 'futur', '2030-01-01T00:00:00+00:00')")
    with pytest.raises(RuntimeError, match="schéma 99, plus récent"):
        EspacePostgres(base_pg)


def test_serveur_injoignable_message_en_francais_sans_mot_de_passe(tmp_path):
    url = f"postgresql://agent:motdepasse-secret@/espace?host={tmp_path}"  # aucun serveur sur ce socket
    with pytest.raises(EspaceIndisponible, match=r"Le serveur PostgreSQL de l'espace de travail \(agent@.*/espace\) ne "
                                                 r"répond pas ou refuse la connexion depuis 1 s") as panne:
        EspacePostgres(url, delai_attente_s=1)
    assert "motdepasse-secret" not in str(panne.value)
    assert "motdepasse" not in decrire_adresse(url)


def test_base_absente(serveur_postgres):
    with pytest.raises(EspaceIndisponible, match="Vérifiez que le serveur tourne, que la base existe"):
        EspacePostgres(serveur_postgres.url("base_qui_n_existe_pas"), delai_attente_s=1)


def test_verrou_tenu_trop_longtemps_par_une_autre_instance(base_pg):
    espace = ouvrir_espace(base_pg, initialiser_avec=donnees, delai_attente_s=0.5)
    try:
        with psycopg.connect(base_pg, autocommit=True) as autre:
            autre.execute("BEGIN")
            autre.execute("SELECT pg_advisory_xact_lock(hashtextextended('facilitateurs:versions', 0))")
            with pytest.raises(EspaceIndisponible, match=r"est occupée : une écriture attend depuis plus de 0\.5 s"):
                espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Alice", libelle="Import", source="import",
                                           base_version=1)
            autre.execute("ROLLBACK")
        assert espace.lister_versions()["id"].tolist() == [1]
        # Le verrou d'un autre dossier ne gêne pas une décision : verrous par dossier.
        with psycopg.connect(base_pg, autocommit=True) as autre:
            autre.execute("BEGIN")
            autre.execute("SELECT pg_advisory_xact_lock(hashtextextended('facilitateurs:decision:84:D002', 0))")
            assert espace.enregistrer_decision(comite="84", id_dossier="D001", decision="ajourne", motif="Pièces",
                                               auteur="Alice", version_attendue=None) == 1
            autre.execute("ROLLBACK")
    finally:
        espace.fermer()


# --------------------------------------------------------------------------------------------
# Deux instances de l'application sur la même base
# --------------------------------------------------------------------------------------------


def _decider_en_meme_temps(url: str, auteur: str, barriere, resultats) -> None:
    """Processus fils : lit la décision en vigueur (aucune), attend l'autre, puis décide."""
    espace = ouvrir_espace(url)
    lue = espace.decisions_courantes("84")
    version_lue = int(lue["version"].iloc[0]) if len(lue) else None
    barriere.wait(timeout=120)
    try:
        espace.enregistrer_decision(comite="84", id_dossier="D001", decision="refuse", motif=f"Décision de {auteur}",
                                    auteur=auteur, version_attendue=version_lue)
        resultats.put((auteur, "enregistrée"))
    except ConflitEdition as conflit:
        resultats.put((auteur, str(conflit)))
    finally:
        espace.fermer()


def test_deux_instances_decident_sur_le_meme_dossier(base_pg):
    """Deux processus lisent le même dossier (aucune décision), décident en même temps : une seule passe."""
    ouvrir_espace(base_pg, initialiser_avec=donnees).fermer()
    contexte = multiprocessing.get_context("spawn")
    barriere, resultats = contexte.Barrier(2), contexte.Queue()
    processus = [contexte.Process(target=_decider_en_meme_temps, args=(base_pg, auteur, barriere, resultats))
                 for auteur in ("Alice", "Bob")]
    for p in processus:
        p.start()
    issues = dict(resultats.get(timeout=300) for _ in processus)
    for p in processus:
        p.join(timeout=60)
    assert [p.exitcode for p in processus] == [0, 0]
    gagnants = [a for a, issue in issues.items() if issue == "enregistrée"]
    assert len(gagnants) == 1
    (perdant,) = set(issues) - set(gagnants)
    assert issues[perdant].startswith("Conflit d'édition sur le dossier D001 (comité de la région 84) : une décision a "
                                      f"été enregistrée par {gagnants[0]} le ")
    assert "vous n'aviez lu aucune décision" in issues[perdant]
    espace = ouvrir_espace(base_pg)
    try:
        historique = espace.historique_decisions("84", "D001")
        assert historique[["version", "auteur"]].values.tolist() == [[1, gagnants[0]]]
    finally:
        espace.fermer()


def test_un_import_par_une_instance_est_vu_par_l_autre(base_pg):
    premiere = ouvrir_espace(base_pg, initialiser_avec=donnees)
    seconde = ouvrir_espace(base_pg, initialiser_avec=donnees)  # ne réamorce pas
    try:
        assert seconde.version_active() == 1
        premiere.enregistrer_version(donnees(etp_s1=7.0), auteur="Alice", libelle="Import", source="import",
                                     base_version=1)
        assert seconde.version_active() == 2
        assert seconde.charger_version().structures.loc[0, "etp_facilitateur"] == 7.0
    finally:
        premiere.fermer()
        seconde.fermer()


# --------------------------------------------------------------------------------------------
# python -m coverage espace migrer --vers postgresql://…
# --------------------------------------------------------------------------------------------


def _espace_sqlite_rempli(chemin):
    """Un espace SQLite avec de tout : 3 versions dont une restauration, scénarios (dont une copie
    supprimée), décisions avec historique, projets ajoutés, fichiers de besoins."""
    e = ouvrir_espace(chemin, initialiser_avec=donnees)
    e.enregistrer_version(donnees(etp_s1=2.0), auteur="Alice", libelle="Import", source="import", base_version=1)
    e.enregistrer_version(donnees(etp_s1=3.0, avec_dossier=False), auteur="Bob", libelle="Et si", source="modification",
                          base_version=2)
    e.restaurer_version(2, auteur="Chloé", base_version=3)
    s = e.enregistrer_scenario(nom="Base", auteur="Alice", parametres={"enveloppe": 4_500_000.0},
                               resultats={"dossiers": donnees().dossiers}, base_version=2)
    copie = e.dupliquer_scenario(s, "Variante", auteur="Bob")
    e.supprimer_scenario(copie, auteur="Bob")
    v = e.enregistrer_decision(comite="84", id_dossier="D001", decision="retenu", motif="Diagnostic solide",
                               auteur="Alice", version_attendue=None, etp_retenus=1.0, montant_retenu=28_000.0)
    e.enregistrer_decision(comite="84", id_dossier="D001", decision="ajourne", motif="Pièces", auteur="Bob",
                           version_attendue=v)
    e.enregistrer_decision(comite="national", id_dossier="D002", decision="refuse", motif="Hors délai", auteur="DGEFP",
                           version_attendue=None)
    e.enregistrer_projets_utilisateur("- nom: A\n", auteur="Alice", base_version=0)
    f = e.enregistrer_fichier_besoins("decp", nom_fichier="decp.json", contenu=b'{"marches": []}', auteur="Ana",
                                      base_version=0)
    e.enregistrer_fichier_besoins("decp", nom_fichier="decp2.json", contenu=b"[]", auteur="Ana", base_version=f)
    return e


def test_migrer_copie_tout_et_verifie_les_comptes(tmp_path, base_pg, capsys):
    from pandas.testing import assert_frame_equal

    from coverage.cli import main
    from tests.test_espace import assert_donnees_egales

    source = _espace_sqlite_rempli(tmp_path / "espace.sqlite")
    assert main(["espace", "migrer", "--depuis", str(tmp_path / "espace.sqlite"), "--vers", base_pg]) == 0
    sortie = capsys.readouterr().out
    assert "Copie de l'espace SQLite" in sortie
    assert "versions des données                         3 →         3  identique" in sortie
    assert "décisions des comités (historique)           3 →         3  identique" in sortie
    assert "Copie vérifiée : 9 tables" in sortie and "mêmes comptes des deux côtés" in sortie

    copie = ouvrir_espace(base_pg)
    try:
        assert_frame_equal(copie.lister_versions(), source.lister_versions())
        assert_frame_equal(copie.historique_activations(), source.historique_activations())
        for version in (1, 2, 3):
            assert_donnees_egales(copie.charger_version(version), source.charger_version(version))
        assert_frame_equal(copie.lister_scenarios(inclure_supprimes=True), source.lister_scenarios(inclure_supprimes=True))
        assert_frame_equal(copie.historique_scenarios(), source.historique_scenarios())
        assert_frame_equal(copie.charger_scenario(1).resultats["dossiers"], source.charger_scenario(1).resultats["dossiers"])
        for comite in ("84", "national"):
            assert_frame_equal(copie.historique_decisions(comite), source.historique_decisions(comite))
        assert copie.projets_utilisateur() == source.projets_utilisateur()
        assert copie.fichier_besoins_actif("decp") == source.fichier_besoins_actif("decp")
        # Les numéros continuent après ceux copiés.
        assert copie.enregistrer_version(donnees(), auteur="Alice", libelle="Après la copie", source="import",
                                         base_version=2) == 4
        # Une seconde copie dans la même base est refusée : on ne fusionne jamais deux espaces.
        assert main(["espace", "migrer", "--depuis", str(tmp_path / "espace.sqlite"), "--vers", base_pg]) == 1
        assert "contient déjà un espace de travail" in capsys.readouterr().err
        assert copie.lister_versions()["id"].tolist() == [4, 3, 2, 1]
    finally:
        copie.fermer()


def test_migrer_l_espace_de_demonstration(tmp_path, base_pg, capsys):
    from coverage.cli import main
    from coverage.sources.donnees import donnees_demo
    from geo.reference import charger_referentiel

    ref = charger_referentiel()
    demo = ouvrir_espace(tmp_path / "demo.sqlite", initialiser_avec=lambda: donnees_demo(ref))
    assert main(["espace", "migrer", "--depuis", str(tmp_path / "demo.sqlite"), "--vers", base_pg]) == 0
    assert "Copie vérifiée" in capsys.readouterr().out
    copie = ouvrir_espace(base_pg)
    try:
        attendu, obtenu = demo.charger_version(), copie.charger_version()
        assert (len(obtenu.structures), len(obtenu.perimetres), len(obtenu.dossiers)) == (
            len(attendu.structures), len(attendu.perimetres), len(attendu.dossiers))
    finally:
        copie.fermer()


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--vers", "data/autre.sqlite"], 2, "--vers doit être une adresse postgresql://"),
        (["--depuis", "absent.sqlite", "--vers", "postgresql://x@/y?host=/nulle/part"], 1, "Espace SQLite introuvable"),
    ],
    ids=["vers-pas-postgres", "source-absente"],
)
def test_migrer_arguments_invalides(arguments, code, message, capsys):
    from coverage.cli import main

    assert main(["espace", "migrer", *arguments]) == code
    assert message in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Déploiement : rôle propriétaire (schéma) et rôle de l'application (droits minimaux), tels que documentés
# --------------------------------------------------------------------------------------------

SQL_SERVEUR = [
    "CREATE ROLE facilitateurs_proprietaire LOGIN PASSWORD 'changez-moi-1'",
    "CREATE ROLE facilitateurs_application LOGIN PASSWORD 'changez-moi-2'",
    "CREATE DATABASE facilitateurs OWNER facilitateurs_proprietaire ENCODING 'UTF8'",
    "REVOKE CONNECT, TEMPORARY ON DATABASE facilitateurs FROM PUBLIC",
    "GRANT CONNECT ON DATABASE facilitateurs TO facilitateurs_application",
]
SQL_BASE = [
    "ALTER DEFAULT PRIVILEGES FOR ROLE facilitateurs_proprietaire IN SCHEMA public "
    "GRANT SELECT, INSERT, UPDATE ON TABLES TO facilitateurs_application",
    "ALTER DEFAULT PRIVILEGES FOR ROLE facilitateurs_proprietaire IN SCHEMA public "
    "GRANT USAGE, SELECT ON SEQUENCES TO facilitateurs_application",
]


def test_roles_documentes_droits_minimaux(serveur_postgres):
    """Le rôle de l'application lit, ajoute et met à jour, mais ne crée ni n'efface rien ; le schéma est
    créé par le rôle propriétaire. Les instructions sont celles de docs/espace.md, mot pour mot."""
    doc = " ".join((RACINE_DEPOT / "docs" / "espace.md").read_text(encoding="utf-8").split())
    for instruction in SQL_SERVEUR + SQL_BASE:
        assert instruction + ";" in doc, instruction
    with psycopg.connect(serveur_postgres.url(), autocommit=True) as cx:
        for instruction in SQL_SERVEUR:
            cx.execute(instruction)
    base = serveur_postgres.url("facilitateurs")
    try:
        with psycopg.connect(base, autocommit=True) as cx:
            for instruction in SQL_BASE:
                cx.execute(instruction)
        proprietaire = base.replace("postgres@", "facilitateurs_proprietaire@")
        application = base.replace("postgres@", "facilitateurs_application@")
        with pytest.raises(RuntimeError, match="le rôle de l'application n'a pas le droit de créer des tables"):
            EspacePostgres(application)  # schéma pas encore créé
        ouvrir_espace(proprietaire, initialiser_avec=donnees).fermer()
        espace = ouvrir_espace(application)
        try:
            espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Alice", libelle="Import", source="import",
                                       base_version=1)
            espace.enregistrer_decision(comite="84", id_dossier="D001", decision="refuse", motif="Hors délai",
                                        auteur="Alice", version_attendue=None)
            s = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres={}, resultats={}, base_version=2)
            espace.renommer_scenario(s, "Base 2", auteur="Alice")
            f = espace.enregistrer_fichier_besoins("decp", nom_fichier="d.json", contenu=b"[]", auteur="Alice",
                                                   base_version=0)
            espace.retirer_fichier_besoins("decp", auteur="Alice", base_version=f)
            espace.enregistrer_projets_utilisateur("- nom: A\n", auteur="Alice", base_version=0)
            with psycopg.connect(application, autocommit=True) as cx:
                for interdit in ("DELETE FROM versions_donnees", "DROP TABLE decisions", "CREATE TABLE t (x int)"):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        cx.execute(interdit)
        finally:
            espace.fermer()
    finally:
        serveur_postgres.supprimer_base(base)
        with psycopg.connect(serveur_postgres.url(), autocommit=True) as cx:
            cx.execute("DROP ROLE facilitateurs_application")
            cx.execute("DROP ROLE facilitateurs_proprietaire")
