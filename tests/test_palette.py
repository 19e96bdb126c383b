"""Couleurs lisibles par les daltoniens : couvert / extension seulement / non couvert (et les catégories
de zones blanches) restent distincts quand on simule une deutéranopie ou une protanopie.

Vérification documentée : chaque couleur est passée par la matrice de Machado, Oliveira et Fernandes
(2009, sévérité 1) en RVB linéaire, puis comparée aux autres en CIELAB ; l'écart ΔE*ab de chaque paire
doit rester ≥ 20 (deux couleurs « nettement différentes » se situent au-delà de 10).
"""

import itertools

import numpy as np
import pytest

from geo.carte import categories_couverture
from ui.cartes_avant_apres import CATEGORIES_ZB

MACHADO = {
    "vision normale": np.eye(3),
    "deutéranopie": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "protanopie": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
}
ECART_MINIMAL = 20.0


def _lab(hexa: str, matrice: np.ndarray) -> np.ndarray:
    srvb = np.array([int(hexa[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    lineaire = np.where(srvb <= 0.04045, srvb / 12.92, ((srvb + 0.055) / 1.055) ** 2.4)
    lineaire = np.clip(matrice @ lineaire, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lineaire
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_l_ancien_rouge_et_l_ancien_vert_se_confondent_en_protanopie():
    """Le contrôle sait échouer : l'ancienne paire rouge « erreur » / vert « succès » (#CE0500, #18753C)
    reste distincte en vision normale mais passe sous le seuil en protanopie."""
    normal = np.linalg.norm(_lab("#CE0500", MACHADO["vision normale"]) - _lab("#18753C", MACHADO["vision normale"]))
    protan = np.linalg.norm(_lab("#CE0500", MACHADO["protanopie"]) - _lab("#18753C", MACHADO["protanopie"]))
    assert normal > 60 and protan < ECART_MINIMAL


@pytest.mark.parametrize("vision", list(MACHADO))
@pytest.mark.parametrize("palette", [
    {k: c for k, (c, _) in categories_couverture().items()},
    {k: c for k, (c, _) in CATEGORIES_ZB.items()},
], ids=["couverture", "zones_blanches"])
def test_palette_distincte_pour_chaque_vision(palette, vision):
    for (a, ca), (b, cb) in itertools.combinations(palette.items(), 2):
        ecart = float(np.linalg.norm(_lab(ca, MACHADO[vision]) - _lab(cb, MACHADO[vision])))
        assert ecart >= ECART_MINIMAL, f"{a} ({ca}) et {b} ({cb}) : ΔE {ecart:.1f} en {vision}"
