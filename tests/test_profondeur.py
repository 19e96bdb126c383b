"""Imbrication des JSON et YAML déposés : une limite explicite (`Limites.profondeur_json`, 64 niveaux par
défaut), vérifiée avant toute analyse, jamais par l'épuisement de la pile de Python.

DECP (JSON, les deux lectures : Arrow et Python), registre des grands projets (GeoJSON et YAML) :
64 niveaux passent, 65 sont refusés avec la ligne et la colonne du premier niveau de trop.
"""

from __future__ import annotations

import sys

import pytest

from coverage.sources.decp.lecture_json import lire_json
from coverage.sources.lecture import ErreurLecture
from coverage.sources.limites import Limites, charger_json, verifier_profondeur_json
from coverage.territoires.grands_projets import ErreurRegistre
from coverage.territoires.grands_projets.registre_yaml import projets_depuis_yaml
from tests.fixtures import referentiel_minuscule

# `{"marches": [{"id": "M1", "acheteur": {"id": "21590350100017"}, "montant": 1000.0, "x": ` : 3 niveaux ouverts
# (objet racine, tableau des marchés, marché) ; le champ `x` en ajoute autant qu'il a de `[`.
DEBUT = '{"marches": [{"id": "M1", "acheteur": {"id": "21590350100017"}, "montant": MONTANT, "x": '


def _decp(niveaux_x: int, *, montant: str = "1000.0") -> bytes:
    debut = DEBUT.replace("MONTANT", montant)
    return (debut + "[" * niveaux_x + "]" * niveaux_x + "}]}").encode()


@pytest.mark.parametrize("montant", ["1000.0", '"1000"'], ids=["lecture-arrow", "lecture-python"])
def test_decp_64_niveaux_lu_65_refuse(montant):
    brut, _ = lire_json(_decp(61, montant=montant), "decp.json")  # 3 + 61 = 64 niveaux : la limite, acceptée
    assert brut["id"].tolist() == ["M1"]
    colonne = len(DEBUT.replace("MONTANT", montant)) + 62  # le 62e `[` du champ x ouvre le 65e niveau
    with pytest.raises(ErreurLecture, match=rf"decp\.json : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne {colonne}\) : "
                                            r"un marché DECP n'a que quelques niveaux ; ce n'est pas un fichier DECP\."):
        lire_json(_decp(62, montant=montant), "decp.json")


def test_decp_100000_niveaux_sans_epuiser_la_pile():
    assert sys.getrecursionlimit() < 100_000  # sans la limite, l'analyseur de Python lèverait RecursionError
    with pytest.raises(ErreurLecture, match=r"JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne \d+\)"):
        lire_json(_decp(100_000), "decp.json")


def test_crochets_dans_les_chaines_et_guillemets_echappes_ne_comptent_pas():
    # 70 `[` dans une chaîne, un guillemet échappé puis encore des `[` dans la même chaîne : 3 niveaux seulement.
    contenu = ('{"a": "' + "[" * 70 + '\\"' + "[" * 70 + '", "b": [[1]]}').encode()
    verifier_profondeur_json(contenu, "f.json", limites=Limites(profondeur_json=3))
    # Une barre oblique inverse échappée ferme bien la chaîne : les `[` qui suivent comptent.
    with pytest.raises(ErreurLecture, match=r"plus de 3 niveaux \(ligne 1, colonne 20\)"):
        verifier_profondeur_json(b'{"a": "\\\\", "b": [[[1]]]}', "f.json", limites=Limites(profondeur_json=3))


def test_limite_reglable_et_morceaux():
    # La limite est un champ de `Limites` (variable COUVERTURE_LIMITE_PROFONDEUR_JSON au démarrage).
    assert Limites.depuis_environnement({"COUVERTURE_LIMITE_PROFONDEUR_JSON": "5"}).profondeur_json == 5
    verifier_profondeur_json(b"[[[[[]]]]]", "f.json", limites=Limites(profondeur_json=5))
    with pytest.raises(ErreurLecture, match=r"f\.json : JSON imbriqué sur plus de 4 niveaux \(ligne 3, colonne 3\)"):
        verifier_profondeur_json(b"[\n[\n[[[]]]]]", "f.json", limites=Limites(profondeur_json=4))


def test_registre_geojson_64_niveaux_lu():
    entete = '{"type": "FeatureCollection", "features": '  # 1 niveau
    assert charger_json((entete + "[" * 63 + "]" * 63 + "}").encode(), "r.geojson") == {
        "type": "FeatureCollection", "features": _imbrique(62)}


def _imbrique(n: int) -> list:
    valeur: list = []
    for _ in range(n):
        valeur = [valeur]
    return valeur


@pytest.mark.parametrize(("niveaux", "refuse"), [(62, False), (63, True), (100_000, True)], ids=["64", "65", "100000"])
def test_registre_yaml(niveaux, refuse):
    # La liste des projets (1) et le projet (2), puis `niveaux` crochets dans le champ `territoires`.
    texte = "- id: p1\n  territoires: " + "[" * niveaux + "]" * niveaux + "\n"
    with pytest.raises(ErreurRegistre) as erreur:
        projets_depuis_yaml(texte, nom_fichier="projets.yaml", referentiel=referentiel_minuscule())
    message = str(erreur.value)
    if refuse:  # le 63e `[` de la ligne 2 (colonne 16 + 63 - 1) ouvre le 65e niveau
        assert "projets.yaml : YAML imbriqué sur plus de 64 niveaux (ligne 2, colonne 78)" in message, message
    else:  # lu : le registre est refusé pour son contenu (nom, type…), pas pour son imbrication
        assert "imbriqué" not in message and "nom" in message, message
