"""Écritures fondées sur une version périmée (mises à jour perdues) et base inutilisable.

Sur les deux moteurs (fixture `espace` de tests/test_espace.py) ; la base SQLite verrouillée ou
corrompue est propre à SQLite (PostgreSQL : tests/test_espace_postgres.py).

Chaque écriture du magasin dit sur quelle version elle s'appuie : si quelqu'un a écrit entre-temps,
elle est refusée avec un message en français qui propose de recharger, et rien n'est écrit.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from pandas.testing import assert_frame_equal

from coverage.espace import ConflitEdition, EspaceIndisponible, EspaceSQLite, ouvrir_espace
from tests.test_espace import assert_donnees_egales, donnees, espace, horloge  # noqa: F401 (fixtures)

RECHARGER = "Rien n'a été enregistré : rechargez pour repartir des données à jour"


def test_import_d_un_autre_entre_l_affichage_et_l_enregistrement(espace, horloge):
    """Alice affiche la version 1 et modifie ; Bob importe (version 2) ; l'enregistrement d'Alice est refusé."""
    horloge.instant = datetime(2025, 7, 4, 9, 5, tzinfo=UTC)
    espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Bob", libelle="Import de Bob", source="import", base_version=1)
    with pytest.raises(ConflitEdition, match="Conflit d'édition sur les données des facilitateurs : la version en vigueur "
                                             "est la version 2, mise en vigueur par Bob le 04/07/2025 à 09:05 UTC, alors "
                                             "que vous travailliez sur la version 1. " + RECHARGER) as conflit:
        espace.enregistrer_version(donnees(etp_s1=3.0), auteur="Alice", libelle="Et si", source="modification", base_version=1)
    assert (conflit.value.objet, conflit.value.version_attendue, conflit.value.version_courante, conflit.value.auteur) == (
        "donnees", 1, 2, "Bob")
    assert espace.lister_versions()["id"].tolist() == [2, 1]  # l'import de Bob n'a pas disparu
    assert_donnees_egales(espace.charger_version(), donnees(etp_s1=2.0))
    # Alice recharge (version 2) et enregistre en connaissance de cause.
    assert espace.enregistrer_version(donnees(etp_s1=3.0), auteur="Alice", libelle="Et si", source="modification",
                                      base_version=espace.version_active()) == 3


def test_restauration_puis_ecriture_sur_l_ancienne_version_active(espace, horloge):
    espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Bob", libelle="Import", source="import", base_version=1)
    horloge.instant = datetime(2025, 7, 5, 14, 0, tzinfo=UTC)
    espace.restaurer_version(1, auteur="Chloé", base_version=2)
    with pytest.raises(ConflitEdition, match="la version en vigueur est la version 1, mise en vigueur par Chloé le "
                                             "05/07/2025 à 14:00 UTC, alors que vous travailliez sur la version 2"):
        espace.enregistrer_version(donnees(etp_s1=5.0), auteur="Alice", libelle="Saisie", source="modification", base_version=2)
    with pytest.raises(ConflitEdition, match="alors que vous travailliez sur la version 2"):
        espace.restaurer_version(2, auteur="Alice", base_version=2)
    assert espace.historique_activations()["auteur"].tolist() == ["initialisation automatique", "Bob", "Chloé"]


def test_premiere_version_sur_un_espace_deja_amorce(nouvelle_cible):
    """Un import « sur un espace vide » (base 0) alors qu'une version existe : refusé."""
    espace = ouvrir_espace(nouvelle_cible(), initialiser_avec=donnees)
    with pytest.raises(ConflitEdition, match="la version en vigueur est la version 1.*alors que vous n'en aviez lu aucune"):
        espace.enregistrer_version(donnees(), auteur="Alice", libelle="Import", source="import", base_version=None)


@pytest.mark.parametrize("base", [-1, True, 1.5, "1"], ids=["negative", "booleen", "decimale", "texte"])
def test_base_version_invalide(espace, base):
    with pytest.raises(ValueError, match=r"base_version : .* \(attendu : la version lue"):
        espace.enregistrer_version(donnees(), auteur="Alice", libelle="Import", source="import", base_version=base)


def test_projets_ajoutes_modifies_par_un_autre(espace, horloge):
    espace.enregistrer_projets_utilisateur("- nom: A\n", auteur="Alice", base_version=0)
    horloge.instant = datetime(2025, 7, 6, 12, 0, tzinfo=UTC)
    espace.enregistrer_projets_utilisateur("- nom: A\n- nom: B\n", auteur="Bob", base_version=1)
    with pytest.raises(ConflitEdition, match="Conflit d'édition sur les grands projets ajoutés : la version en vigueur est "
                                             "la version 2, mise en vigueur par Bob le 06/07/2025 à 12:00 UTC, alors que "
                                             "vous travailliez sur la version 1. " + RECHARGER):
        espace.enregistrer_projets_utilisateur("- nom: A\n- nom: C\n", auteur="Alice", base_version=1)
    assert espace.projets_utilisateur() == "- nom: A\n- nom: B\n"  # le projet B de Bob est toujours là
    assert espace.version_projets_utilisateur() == 2


def test_fichier_de_besoins_remplace_par_un_autre(espace, horloge):
    premier = espace.enregistrer_fichier_besoins("decp", nom_fichier="a.json", contenu=b"{}", auteur="Ana", base_version=0)
    second = espace.enregistrer_fichier_besoins("decp", nom_fichier="b.json", contenu=b"[]", auteur="Ben", base_version=premier)
    with pytest.raises(ConflitEdition, match=f"le fichier de besoins DECP : la version en vigueur est la version {second}, "
                                             "mise en vigueur par Ben"):
        espace.enregistrer_fichier_besoins("decp", nom_fichier="c.json", contenu=b"[1]", auteur="Ana", base_version=premier)
    with pytest.raises(ConflitEdition, match="le fichier de besoins DECP"):
        espace.retirer_fichier_besoins("decp", auteur="Ana", base_version=premier)
    assert espace.fichier_besoins_actif("decp") == (second, "b.json", b"[]")
    # Un autre type n'est pas concerné.
    assert espace.enregistrer_fichier_besoins("qpv", nom_fichier="q.geojson", contenu=b"{}", auteur="Ana", base_version=0) > 0


def test_enveloppes_regionales_modifiees_par_un_autre(espace, horloge):
    """La DGEFP affiche la version 1 des enveloppes ; une collègue enregistre la 2 ; l'enregistrement sur la 1 est refusé."""
    assert espace.version_enveloppes(2025) == 0
    assert espace.enregistrer_enveloppes(2025, {"84": 600_000, "32": 400_000}, auteur="Ana", base_version=0) == 1
    horloge.instant = datetime(2025, 7, 7, 10, 30, tzinfo=UTC)
    assert espace.enregistrer_enveloppes(2025, {"84": 700_000, "32": 300_000}, auteur="Ben", base_version=1) == 2
    with pytest.raises(ConflitEdition, match="Conflit d'édition sur les enveloppes régionales 2025 : la version en vigueur est "
                                             "la version 2, mise en vigueur par Ben le 07/07/2025 à 10:30 UTC, alors que "
                                             "vous travailliez sur la version 1. " + RECHARGER) as conflit:
        espace.enregistrer_enveloppes(2025, {"84": 1_000_000}, auteur="Ana", base_version=1)
    assert conflit.value.objet == "enveloppes:2025"
    with pytest.raises(ConflitEdition, match="alors que vous n'en aviez lu aucune"):  # « première » table sur une campagne déjà remplie
        espace.enregistrer_enveloppes(2025, {"84": 1_000_000}, auteur="Ana", base_version=0)
    assert espace.version_enveloppes(2025) == 2
    assert espace.enveloppes_regionales(2025).to_dict() == {"32": 300_000, "84": 700_000}  # la table de Ben est intacte
    assert espace.enregistrer_enveloppes(2026, {"84": 1.0}, auteur="Ana", base_version=0) == 1  # une autre campagne : à part


def test_bilans_importes_remplaces_ou_retires_par_un_autre(espace, horloge):
    from tests.test_bilans_espace import _bilans_valides

    bilans, repartitions = _bilans_valides()
    assert espace.version_bilans() == 0
    premier = espace.enregistrer_bilans(bilans, repartitions, auteur="Ana", libelle="Import a.csv", base_version=0)
    horloge.instant = datetime(2025, 7, 8, 16, 45, tzinfo=UTC)
    second = espace.enregistrer_bilans(bilans.iloc[:1], repartitions, auteur="Ben", libelle="Import b.csv", base_version=premier)
    with pytest.raises(ConflitEdition, match=f"Conflit d'édition sur les bilans importés : la version en vigueur est la version "
                                             f"{second}, mise en vigueur par Ben le 08/07/2025 à 16:45 UTC, alors que vous "
                                             f"travailliez sur la version {premier}"):
        espace.enregistrer_bilans(bilans, repartitions, auteur="Ana", libelle="Import c.csv", base_version=premier)
    with pytest.raises(ConflitEdition, match="Conflit d'édition sur les bilans importés"):
        espace.retirer_bilans(auteur="Ana", base_version=premier)
    assert espace.version_bilans() == second and len(espace.bilans_actifs()[1]) == 1  # l'import de Ben reste actif
    assert espace.lister_imports_bilans()["libelle"].tolist() == ["Import b.csv", "Import a.csv"]
    espace.retirer_bilans(auteur="Ben", base_version=second)
    with pytest.raises(ConflitEdition, match=f"aucune version n'est en vigueur alors que vous travailliez sur la version {second}"):
        espace.enregistrer_bilans(bilans, repartitions, auteur="Ana", libelle="Import c.csv", base_version=second)
    assert espace.bilans_actifs() is None


@pytest.mark.parametrize("action", ["renommer", "supprimer", "dupliquer"])
def test_scenario_renomme_par_un_autre(espace, horloge, action):
    """Alice affiche le scénario « Base » ; Bob le renomme ; l'action d'Alice sur ce qu'elle a vu est refusée."""
    ident = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres={}, resultats={}, base_version=1)
    vue = espace.charger_scenario(ident).version
    horloge.instant = datetime(2025, 7, 9, 11, 15, tzinfo=UTC)
    espace.renommer_scenario(ident, "Base de Bob", auteur="Bob", base_version=vue)
    journal = espace.historique_scenarios()
    faire = {"renommer": lambda b: espace.renommer_scenario(ident, "Base d'Alice", auteur="Alice", base_version=b),
             "supprimer": lambda b: espace.supprimer_scenario(ident, auteur="Alice", base_version=b),
             "dupliquer": lambda b: espace.dupliquer_scenario(ident, "Copie d'Alice", auteur="Alice", base_version=b)}[action]
    with pytest.raises(ConflitEdition, match=f"Conflit d'édition sur le scénario n° {ident} « Base de Bob » : il a été renommé "
                                             "par Bob le 09/07/2025 à 11:15 UTC depuis que vous l'avez affiché. " + RECHARGER):
        faire(vue)
    assert_frame_equal(espace.historique_scenarios(), journal)  # rien n'a été écrit
    assert espace.lister_scenarios(inclure_supprimes=True)[["id", "nom", "supprime"]].values.tolist() == [[ident, "Base de Bob", False]]
    faire(espace.charger_scenario(ident).version)  # après rechargement, l'action passe
    assert len(espace.historique_scenarios()) == len(journal) + 1


def test_scenario_supprime_par_un_autre_puis_renomme(espace, horloge):
    ident = espace.enregistrer_scenario(nom="Base", auteur="Alice", parametres={}, resultats={}, base_version=1)
    vue = espace.charger_scenario(ident).version
    espace.supprimer_scenario(ident, auteur="Bob", base_version=vue)
    with pytest.raises(ConflitEdition, match="« Base » : il a été supprimé par Bob"):
        espace.renommer_scenario(ident, "Nouveau", auteur="Alice", base_version=vue)


# --------------------------------------------------------------------------------------------
# Base verrouillée ou corrompue : un message en français, pas de trace technique
# --------------------------------------------------------------------------------------------


def test_base_verrouillee_par_un_autre_programme(tmp_path):
    chemin = tmp_path / "e.sqlite"
    ouvrir_espace(chemin, initialiser_avec=donnees)
    espace = EspaceSQLite(chemin, delai_attente_s=0.2)
    autre = sqlite3.connect(chemin, isolation_level=None)
    autre.execute("BEGIN EXCLUSIVE")  # un autre programme garde la base verrouillée
    try:
        with pytest.raises(EspaceIndisponible, match=r"La base SQLite de l.espace de travail est verrouillée par un autre programme depuis plus de 0\.2 s.*"
                                                     "Rien n'a été enregistré : réessayez dans un instant"):
            espace.enregistrer_version(donnees(etp_s1=2.0), auteur="Alice", libelle="Import", source="import",
                                       base_version=1)
    finally:
        autre.execute("ROLLBACK")
        autre.close()
    assert espace.lister_versions()["id"].tolist() == [1]


def test_fichier_qui_n_est_pas_une_base(tmp_path):
    chemin = tmp_path / "e.sqlite"
    chemin.write_bytes(b"Ceci est un tableur, pas une base SQLite." * 100)
    with pytest.raises(EspaceIndisponible, match="« e.sqlite » n.est pas une base SQLite lisible.*restaurez la dernière sauvegarde"):
        ouvrir_espace(chemin)
    assert chemin.read_bytes() == b"Ceci est un tableur, pas une base SQLite." * 100  # rien n'a été modifié
