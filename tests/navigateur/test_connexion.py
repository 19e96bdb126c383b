"""Connexion OpenID Connect réelle (`st.login`) contre un fournisseur d'identité de test local.

Le fournisseur (`oidc-provider-mock`, PyPI) tourne dans ce processus sur localhost ; l'application
est lancée avec un `secrets.toml` qui le désigne (`[auth]`), un fichier des rôles et un espace de
travail temporaires. Le navigateur fait tout le trajet : bouton « Se connecter », formulaire du
fournisseur, retour sur l'application avec l'identité et le rôle lus dans le fichier des rôles.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coverage.espace import ouvrir_espace
from coverage.espace.permissions import EspaceControle, PermissionRefusee, lire_roles
from tests.navigateur.conftest import RACINE, port_libre, serveur

pytestmark = pytest.mark.navigateur

DELAI_MS = 120_000
ROLES = """identite;role;territoire
dgefp@emploi.gouv.fr;national;
@dreets-hdf.gouv.fr;dreets;32
@ddets-80.gouv.fr;ddets;80
"""
HAUTS_DE_FRANCE = "Comité régional de sélection — Hauts-de-France"
AUVERGNE_RHONE_ALPES = "Comité régional de sélection — Auvergne-Rhône-Alpes"


@pytest.fixture(scope="module")
def deploiement(tmp_path_factory):
    """Fournisseur d'identité local + application avec `[auth]` ; donne (url, chemin de l'espace)."""
    from oidc_provider_mock import run_server_in_thread

    dossier = tmp_path_factory.mktemp("deploiement")
    (dossier / "roles.csv").write_text(ROLES, encoding="utf-8")
    port = port_libre()
    with run_server_in_thread(port=0) as fournisseur:
        secrets = dossier / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "secret-des-cookies-de-test-uniquement"\n'
            'client_id = "facilitateurs-test"\n'
            'client_secret = "secret-du-client-de-test"\n'
            f'server_metadata_url = "http://localhost:{fournisseur.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {"FACILITATEURS_ROLES": str(dossier / "roles.csv"), "FACILITATEURS_ESPACE": str(dossier / "espace.sqlite")}
        with serveur(RACINE / "app.py", port=port, arguments=("--secrets.files", str(secrets)), env=env) as url:
            yield url, dossier / "espace.sqlite"


def _se_connecter(page, url: str, email: str, requetes_bloquees: list[str]) -> None:
    """Tout le trajet de connexion. La page du fournisseur de test demande une feuille de style à un
    CDN (bloquée : elle reste sans style) ; on ne vérifie ensuite que les requêtes de l'application."""
    page.goto(url)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"http://localhost:\d+/oauth2/authorize.*"), timeout=DELAI_MS)
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    # L'adresse est affichée comme du texte (ui.texte) : un gluon invisible suit « @ » pour qu'elle ne devienne pas un lien.
    affichee = re.compile("Connecté : " + re.escape(email).replace("@", "@\u2060?"))
    expect(page.get_by_text(affichee)).to_be_visible(timeout=DELAI_MS)
    requetes_bloquees.clear()


def _choisir_comite(page, libelle: str) -> None:
    page.locator('section[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=libelle).click()


def test_sans_connexion_rien_n_est_montre(deploiement, page):
    url, _ = deploiement
    page.goto(f"{url}/comite")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)


def test_ddets_ne_peut_pas_decider(deploiement, page, requetes_bloquees):
    url, chemin_espace = deploiement
    _se_connecter(page, url, "agent@ddets-80.gouv.fr", requetes_bloquees)
    page.goto(f"{url}/comite")
    expect(page.get_by_role("heading", name=HAUTS_DE_FRANCE)).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_text("Lecture seule").first).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)
    # Un appel forgé au magasin, avec la même identité, est refusé et n'écrit rien.
    moi = lire_roles(ROLES).utilisateur("agent@ddets-80.gouv.fr")
    depot = ouvrir_espace(chemin_espace)
    with pytest.raises(PermissionRefusee, match="ne peut pas enregistrer une décision de comité"):
        EspaceControle(depot, moi).enregistrer_decision(comite="32", id_dossier="D001", decision="retenu", motif="forgé",
                                                        auteur="x", version_attendue=0)
    assert depot.decisions_courantes("32").empty
    assert requetes_bloquees == []


def test_dreets_32_decide_pour_sa_region_pas_pour_la_84(deploiement, page, requetes_bloquees):
    url, chemin_espace = deploiement
    _se_connecter(page, url, "alice@dreets-hdf.gouv.fr", requetes_bloquees)
    page.goto(f"{url}/comite")
    expect(page.get_by_role("heading", name=HAUTS_DE_FRANCE)).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Enregistrer la décision").first).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_label("Votre nom")).to_have_count(0)  # aucun nom libre : l'auteur est l'identité connectée
    page.get_by_text("Refusé", exact=True).first.click()
    page.get_by_label("Motif (obligatoire)").fill("Diagnostic insuffisant")
    page.get_by_role("button", name="Enregistrer la décision").first.click()
    expect(page.get_by_text("Décision en vigueur : Refusé")).to_be_visible(timeout=DELAI_MS)
    assert ouvrir_espace(chemin_espace).decisions_courantes("32")["auteur"].tolist() == ["alice@dreets-hdf.gouv.fr"]
    _choisir_comite(page, AUVERGNE_RHONE_ALPES)
    expect(page.get_by_role("heading", name=AUVERGNE_RHONE_ALPES)).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_text("Lecture seule").first).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)
    assert requetes_bloquees == []


def test_le_national_voit_le_comite_national(deploiement, page, requetes_bloquees):
    url, _ = deploiement
    _se_connecter(page, url, "dgefp@emploi.gouv.fr", requetes_bloquees)
    page.goto(f"{url}/comite")
    expect(page.get_by_role("heading", name="Comité régional de sélection").first).to_be_visible(timeout=DELAI_MS)
    _choisir_comite(page, "Comité technique national (DGEFP, DAE, ANRU, AVE)")
    expect(page.get_by_role("heading", name="Comité technique national (DGEFP, DAE, ANRU, AVE)")).to_be_visible(timeout=DELAI_MS)
    expect(page.get_by_role("button", name="Enregistrer la décision").first).to_be_visible(timeout=DELAI_MS)
    assert requetes_bloquees == []
