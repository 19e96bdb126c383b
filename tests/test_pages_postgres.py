"""L'application entière sur un espace PostgreSQL (`FACILITATEURS_ESPACE=postgresql://… ./lancer.sh`).

Chaque page tourne par AppTest sur une base PostgreSQL neuve, amorcée avec la démonstration ; un
import fait par une autre instance de l'application (un autre objet espace, comme un autre serveur
derrière le répartiteur) est vu à l'exécution suivante de la page.
"""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coverage.espace import ouvrir_espace

RACINE = Path(__file__).resolve().parent.parent
PAGES = sorted(str(p.relative_to(RACINE)) for p in (RACINE / "pages").glob("*.py"))


@pytest.fixture
def app_sur_postgres(serveur_postgres, monkeypatch):
    from ui import etat

    url = serveur_postgres.creer_base("application")
    monkeypatch.setenv("FACILITATEURS_ESPACE", url)
    etat.magasin.clear()
    st.cache_data.clear()  # les calculs sont indexés par numéro de version : repartir de zéro
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=180)
    at.run()
    try:
        yield at, url
    finally:
        espace = etat.magasin()
        monkeypatch.undo()
        etat.magasin.clear()
        st.cache_data.clear()
        espace.fermer()
        serveur_postgres.supprimer_base(url)


def _etp(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["ETP de facilitateurs"]


def test_chaque_page_sur_postgres_et_import_d_une_autre_instance(app_sur_postgres):
    at, url = app_sur_postgres
    from ui import etat

    assert type(etat.magasin()).__name__ == "EspacePostgres"
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not [e.value for e in at.error if "espace de travail" in e.value], page

    at.switch_page("pages/couverture.py")
    at.run()
    assert _etp(at) == "599,5"
    autre_instance = ouvrir_espace(url)
    try:
        donnees = autre_instance.charger_version()
        structures = donnees.structures.copy()
        structures.loc[structures["id_structure"] == "S0001", "etp_facilitateur"] += 6.0
        autre_instance.enregistrer_version(donnees.__class__(structures, donnees.perimetres, donnees.dossiers,
                                                             demo=donnees.demo, source=donnees.source),
                                           auteur="Bob (autre instance)", libelle="Import", source="import",
                                           base_version=autre_instance.version_active())
    finally:
        autre_instance.fermer()
    at.run()  # exécution suivante : la nouvelle version est lue
    assert _etp(at) == "605,5"
