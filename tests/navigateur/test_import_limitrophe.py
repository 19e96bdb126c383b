"""Page Données dans Chromium : l'aperçu d'import avertit d'une extension non limitrophe (issue 14, point 5).

Une structure de l'Ain (CA Haut-Bugey Agglomération, 200042935) étendue à Ajaccio (2A004) : le fichier est
valide (l'aperçu s'affiche), et l'avertissement nomme le fichier, la ligne, la colonne, la structure et
les territoires avec leurs codes. Rien n'est confirmé : l'espace de travail ne change pas.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.navigateur.conftest import ARTEFACTS

pytestmark = pytest.mark.navigateur

DELAI_MS = 90_000
STRUCTURES = (
    "id_structure;nom;statut;siret;departement;etp_facilitateur;etp_coordinateur;financement_pnad\n"
    "S1;Maison de l'emploi du Haut-Bugey;association;;01;2;0;2022,2023,2024\n"
)
PERIMETRES = "id_structure;niveau;code;role;part_etp\nS1;epci;200042935;principal;\nS1;commune;2A004;extension;\n"


def test_apercu_d_import_avertit_d_une_extension_non_limitrophe(serveur_streamlit, page, requetes_bloquees, tmp_path):
    (tmp_path / "structures.csv").write_text(STRUCTURES, encoding="utf-8")
    (tmp_path / "perimetres.csv").write_text(PERIMETRES, encoding="utf-8")
    page.goto(f"{serveur_streamlit}/donnees")
    expect(page.get_by_role("button", name="Vérifier et voir l'aperçu")).to_be_visible(timeout=DELAI_MS)
    for cle, nom in (("donnees_f_structures", "structures.csv"), ("donnees_f_perimetres", "perimetres.csv")):
        page.locator(f".st-key-{cle} input[type=file]").set_input_files(str(tmp_path / nom))
        # le fichier est envoyé au serveur dès qu'il est choisi : attendre qu'il soit listé avant de soumettre
        expect(page.locator(f".st-key-{cle}").get_by_text(nom)).to_be_visible(timeout=DELAI_MS)
    page.get_by_label("Votre nom", exact=False).fill("DDETS test")
    page.get_by_label("Votre nom", exact=False).press("Tab")
    page.get_by_role("button", name="Vérifier et voir l'aperçu").click()
    page.get_by_text("1 avertissement(s)").click(timeout=DELAI_MS)
    # Le texte affiché colle un gluon (U+2060) devant chaque deux-points (`ui.texte`) : on cherche les morceaux entre eux.
    avertissement = page.get_by_role("listitem").filter(has_text="perimetres.csv, ligne 3, colonne `code`")
    expect(avertissement).to_contain_text("extension non limitrophe", timeout=DELAI_MS)
    expect(avertissement).to_contain_text(
        "la structure « S1 » (Maison de l'emploi du Haut-Bugey) étend son périmètre à commune 2A004 (Ajaccio), qui ne "
        "touche pas son périmètre principal (EPCI 200042935 (CA Haut-Bugey Agglomération))."
    )
    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()  # valide : l'aperçu s'affiche
    page.screenshot(path=ARTEFACTS / "import_extension_non_limitrophe.png", full_page=True)
    assert requetes_bloquees == []
