"""Voisinage « limitrophe » : la table des communes voisines (frontière commune) et les extensions.

Faits vérifiés à la main sur la carte (COG 2026) : l'Ain (01) touche le Jura, la Saône-et-Loire,
le Rhône, l'Isère, la Savoie et la Haute-Savoie, pas la Corse-du-Sud ; Lyon et Villeurbanne sont
voisines ; la Métropole de Lyon touche la CC de Miribel et du Plateau (Ain) ; les DROM n'ont aucun
voisin métropolitain ; Ouessant n'a pas de voisin terrestre.
"""

import pandas as pd
import pytest

from geo.reference import FICHIER_VOISINS, DOSSIER_REFERENCE, Referentiel, charger_referentiel, lire_provenance
from geo.voisinage import classer_extensions, sont_voisins, voisins_territoires

REF = charger_referentiel()


def _voisins(niveau: str, code: str) -> set[str]:
    v = voisins_territoires(REF, niveau)
    return set(v.loc[v["code_a"] == code, "code_b"]) | set(v.loc[v["code_b"] == code, "code_a"])


def test_table_committee_petite_et_chargee_par_le_referentiel():
    assert (DOSSIER_REFERENCE / FICHIER_VOISINS).stat().st_size < 300_000  # ≈ 190 Ko pour ≈ 102 000 paires
    assert REF.voisins is not None and list(REF.voisins.columns) == ["commune_a", "commune_b"]
    assert (REF.voisins["commune_a"] < REF.voisins["commune_b"]).all()  # chaque paire une fois, ordonnée
    assert not REF.voisins.duplicated().any()
    assert REF.voisins.stack().isin(REF.communes.index).all()
    assert lire_provenance()["voisinage"]["paires_communes"] == len(REF.voisins)


def test_departements_voisins_de_l_ain():
    assert _voisins("departement", "01") == {"38", "39", "69", "71", "73", "74"}
    assert sont_voisins(REF, "departement", "01", "69")
    assert not sont_voisins(REF, "departement", "01", "2A")  # Corse-du-Sud
    assert _voisins("departement", "2A") == {"2B"}  # la Corse-du-Sud ne touche que la Haute-Corse
    assert _voisins("departement", "75") == {"92", "93", "94"}  # Paris et la petite couronne


@pytest.mark.parametrize("drom", ["971", "972", "973", "974", "976"])
def test_drom_sans_voisin(drom):
    # Chaque DROM est un seul département, séparé de la métropole par la mer (ou par une frontière étrangère).
    assert _voisins("departement", drom) == set()


def test_communes_et_epci_voisins():
    assert sont_voisins(REF, "commune", "69123", "69266")  # Lyon et Villeurbanne
    assert sont_voisins(REF, "commune", "75056", "92012")  # Paris et Boulogne-Billancourt
    assert not sont_voisins(REF, "commune", "69123", "01004")  # Lyon et Ambérieu-en-Bugey
    assert sont_voisins(REF, "epci", "200046977", "240100800")  # Métropole de Lyon / CC de Miribel et du Plateau (01)
    assert not sont_voisins(REF, "epci", "200046977", "200042935")  # Métropole de Lyon / CA Haut-Bugey
    assert _voisins("commune", "29155") == set()  # Ouessant : une île
    assert _voisins("region", "84") == {"24", "27", "75", "76", "93"}  # Auvergne-Rhône-Alpes


def _perimetre(*lignes):
    return pd.DataFrame(lignes, columns=["id_structure", "niveau", "code", "role"])


def test_extension_de_l_ain_a_ajaccio_n_est_pas_limitrophe():
    p = _perimetre(
        ("S1", "departement", "01", "principal"),
        ("S1", "commune", "2A004", "extension"),  # Ajaccio : non limitrophe
        ("S1", "departement", "69", "extension"),  # Rhône : touche l'Ain
        ("S1", "epci", "200046977", "extension"),  # Métropole de Lyon, d'un autre niveau : touche l'Ain
        ("S1", "commune", "01053", "extension"),  # Bourg-en-Bresse : déjà dans l'Ain
        ("S2", "commune", "69123", "principal"),
        ("S2", "commune", "69266", "extension"),  # Villeurbanne, voisine de Lyon
        ("S2", "commune", "01053", "extension"),  # Bourg-en-Bresse : l'Ain de S1 ne compte pas pour S2
    )
    assert classer_extensions(p, referentiel=REF).tolist() == [
        "principal", "non_limitrophe", "limitrophe", "limitrophe", "interieure", "principal", "limitrophe", "non_limitrophe",
    ]


def test_extension_qui_recoupe_le_principal_est_limitrophe():
    # Principal : la Métropole de Lyon ; extension : tout le Rhône, qui la contient et la prolonge.
    p = _perimetre(("S1", "epci", "200046977", "principal"), ("S1", "departement", "69", "extension"))
    assert classer_extensions(p, referentiel=REF).tolist() == ["principal", "limitrophe"]


def test_commune_sans_contour_n_est_pas_jugee():
    # 15031 Celles (rétablie en 2025) n'a pas de contour : ses voisins sont inconnus, rien n'est signalé.
    p = _perimetre(("S1", "departement", "01", "principal"), ("S1", "commune", "15031", "extension"))
    assert classer_extensions(p, referentiel=REF).tolist() == ["principal", "limitrophe"]


def test_referentiel_sans_voisinage_ne_juge_pas():
    sans = Referentiel(
        communes=REF.communes, epci=REF.epci, departements=REF.departements, regions=REF.regions,
        codes_postaux=REF.codes_postaux, anciens_codes=REF.anciens_codes, ept=REF.ept,
    )
    p = _perimetre(("S1", "departement", "01", "principal"), ("S1", "commune", "2A004", "extension"))
    assert classer_extensions(p, referentiel=sans).tolist() == ["principal", "limitrophe"]
    assert voisins_territoires(sans, "departement").empty
