"""Rôles et territoires : chaque écriture du magasin est contrôlée, même appelée directement."""

from __future__ import annotations

import pytest

from coverage.espace import ouvrir_espace
from coverage.espace.permissions import (
    Action, EspaceControle, PermissionRefusee, Role, UTILISATEUR_LOCAL, Utilisateur, lire_roles, peut, verifier,
)

# Somme (80) est en Hauts-de-France (32) ; l'Ain (01) en Auvergne-Rhône-Alpes (84).
REGIONS = {"80": "32", "59": "32", "01": "84"}
NATIONAL = Utilisateur("dgefp@emploi.gouv.fr", Role.NATIONAL)
DREETS_32 = Utilisateur("alice@dreets.gouv.fr", Role.DREETS, "32")
DDETS_80 = Utilisateur("bob@ddets-80.gouv.fr", Role.DDETS, "80")
COORD_32 = Utilisateur("carole@coord.fr", Role.COORDINATEUR, "32")
LECTEUR = Utilisateur("dan@exemple.fr", Role.LECTURE)


@pytest.fixture
def depot(tmp_path):
    return ouvrir_espace(tmp_path / "espace.sqlite")


def _decider(espace, comite="32", auteur="Nom saisi"):
    return espace.enregistrer_decision(comite=comite, id_dossier="D1", decision="refuse", motif="Hors délai", auteur=auteur,
                                       version_attendue=0)


def test_ddets_ne_peut_pas_decider_meme_par_un_appel_force(depot):
    espace = EspaceControle(depot, DDETS_80, region_du_departement=REGIONS)
    with pytest.raises(PermissionRefusee, match="bob@ddets-80.gouv.fr \\(DDETS 80\\) ne peut pas enregistrer une décision de comité"):
        _decider(espace)
    assert depot.decisions_courantes("32").empty  # rien n'est écrit


def test_dreets_decide_pour_sa_region_seulement_et_l_auteur_est_son_identite(depot):
    espace = EspaceControle(depot, DREETS_32, region_du_departement=REGIONS)
    _decider(espace, auteur="Quelqu'un d'autre")
    assert depot.decisions_courantes("32")["auteur"].tolist() == ["alice@dreets.gouv.fr"]
    with pytest.raises(PermissionRefusee, match="pour la région 84 : votre région est la 32"):
        _decider(espace, comite="84")
    with pytest.raises(PermissionRefusee, match="réservé à la DGEFP"):
        _decider(espace, comite="national")
    assert depot.decisions_courantes("84").empty and depot.decisions_courantes("national").empty


def test_le_national_decide_partout(depot):
    espace = EspaceControle(depot, NATIONAL)
    _decider(espace, comite="national")
    _decider(espace, comite="84")
    assert depot.decisions_courantes("national")["auteur"].tolist() == ["dgefp@emploi.gouv.fr"]


def test_en_mode_local_le_nom_saisi_est_garde(depot):
    _decider(EspaceControle(depot, UTILISATEUR_LOCAL), auteur="Alice")
    assert depot.decisions_courantes("32")["auteur"].tolist() == ["Alice"]


def test_un_appel_positionnel_ne_contourne_pas_le_controle(depot):
    with pytest.raises(TypeError, match="par mot-clé"):
        EspaceControle(depot, DREETS_32).enregistrer_decision("84", "D1")


@pytest.mark.parametrize(
    ("utilisateur", "portee", "permis"),
    [
        (DREETS_32, "region:32", True),
        (DREETS_32, "departement:80", True),  # la Somme est dans sa région
        (DREETS_32, "departement:01", False),
        (DREETS_32, "france", False),
        (DDETS_80, "departement:80", True),
        (DDETS_80, "departement:59", False),
        (DDETS_80, "region:32", False),
        (COORD_32, "region:32", False),
        (LECTEUR, "departement:80", False),
        (NATIONAL, "france", True),
    ],
    ids=["dreets_region", "dreets_departement_de_sa_region", "dreets_autre_region", "dreets_france", "ddets_son_departement",
         "ddets_voisin", "ddets_region", "coordinateur", "lecture", "national_france"],
)
def test_portee_des_imports(utilisateur, portee, permis):
    assert peut(utilisateur, Action.IMPORTER, portee, region_du_departement=REGIONS) is permis


@pytest.mark.parametrize(
    ("utilisateur", "action", "permis"),
    [(COORD_32, Action.SCENARIO, True), (DDETS_80, Action.SCENARIO, True), (LECTEUR, Action.SCENARIO, False),
     (DREETS_32, Action.ENVELOPPES, False), (NATIONAL, Action.ENVELOPPES, True), (DREETS_32, Action.RESTAURER, False),
     (DREETS_32, Action.BESOINS, True), (DDETS_80, Action.BESOINS, False)],
    ids=["coordinateur_scenario", "ddets_scenario", "lecture_scenario", "dreets_enveloppes", "national_enveloppes",
         "dreets_restaure", "dreets_besoins", "ddets_besoins"],
)
def test_autres_actions(utilisateur, action, permis):
    assert peut(utilisateur, action) is permis


def test_restauration_refusee_a_une_dreets(depot):
    with pytest.raises(PermissionRefusee, match="restaurer une version des données"):
        EspaceControle(depot, DREETS_32).restaurer_version(1, auteur="x")


def test_une_ecriture_sans_regle_est_refusee(depot):
    depot.enregistrer_quelque_chose = lambda **k: None  # une écriture ajoutée sans règle de permission
    with pytest.raises(PermissionRefusee, match="n'a pas de règle de permission"):
        EspaceControle(depot, DREETS_32).enregistrer_quelque_chose


def test_les_lectures_passent(depot):
    assert EspaceControle(depot, LECTEUR).decisions_courantes("32").empty


ROLES = """identite;role;territoire
dgefp.admin@emploi.gouv.fr;national;
@dreets-hdf.gouv.fr;dreets;32
chef@dreets-hdf.gouv.fr;coordinateur;32
@ddets-80.gouv.fr;ddets;80
@exemple.fr;lecture;
"""


def test_fichier_des_roles_adresse_puis_domaine():
    roles = lire_roles(ROLES, codes_valides={"region": {"32", "84"}, "departement": {"80"}})
    assert roles.utilisateur("Alice@DREETS-HDF.gouv.fr") == Utilisateur("alice@dreets-hdf.gouv.fr", Role.DREETS, "32")
    assert roles.utilisateur("chef@dreets-hdf.gouv.fr").role == Role.COORDINATEUR  # l'adresse exacte l'emporte
    assert roles.utilisateur("x@ddets-80.gouv.fr").territoire == "80"
    assert roles.utilisateur("dgefp.admin@emploi.gouv.fr").role == Role.NATIONAL
    assert roles.utilisateur("inconnu@ailleurs.fr") is None


@pytest.mark.parametrize(
    ("texte", "message"),
    [("identite;role;territoire\n@x.fr;chef;\n", "roles.csv, ligne 2, colonne `role` : « chef » inconnu"),
     ("identite;role;territoire\n@x.fr;dreets;\n", "ligne 2, colonne `territoire` : le rôle dreets demande un code region"),
     ("identite;role;territoire\n@x.fr;ddets;99\n", "« 99 » n'est pas un code departement du COG"),
     ("identite;role;territoire\nalice;lecture;\n", "ni une adresse ni un domaine"),
     ("email;role\n", "en-tête attendu")],
    ids=["role_inconnu", "territoire_manquant", "code_inconnu", "identite", "entete"],
)
def test_fichier_des_roles_invalide(texte, message):
    with pytest.raises(ValueError, match=message):
        lire_roles(texte, codes_valides={"region": {"32"}, "departement": {"80"}})


def test_verifier_sans_droit_message_francais():
    with pytest.raises(PermissionRefusee, match="le rôle « lecture » ne permet aucune écriture"):
        verifier(LECTEUR, Action.DECIDER, "32")


def test_enveloppes_versionnees_et_reservees_au_national(depot):
    assert depot.enveloppes_regionales(2025).empty
    national = EspaceControle(depot, NATIONAL)
    assert national.enregistrer_enveloppes(2025, {"84": 600_000, "32": 400_000}, auteur="x", cle="au prorata des ETP", base_version=0) == 1
    assert national.enregistrer_enveloppes(2025, {"84": 700_000, "32": 300_000}, auteur="x", base_version=1) == 2
    assert depot.enveloppes_regionales(2025).to_dict() == {"32": 300_000, "84": 700_000}
    assert depot.enveloppes_regionales(2025, version=1).to_dict() == {"32": 400_000, "84": 600_000}
    historique = depot.historique_enveloppes(2025)
    assert historique[["version", "auteur", "total"]].values.tolist() == [[2, "dgefp@emploi.gouv.fr", 1_000_000], [1, "dgefp@emploi.gouv.fr", 1_000_000]]
    with pytest.raises(PermissionRefusee, match="modifier les enveloppes régionales"):
        EspaceControle(depot, DREETS_32).enregistrer_enveloppes(2025, {"32": 4_500_000}, auteur="x", base_version=2)
    with pytest.raises(ValueError, match="Enveloppe de la région 84 : « -1 »"):
        national.enregistrer_enveloppes(2025, {"84": -1}, auteur="x", base_version=2)
    assert len(depot.historique_enveloppes(2025)) == 2
