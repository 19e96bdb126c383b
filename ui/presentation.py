"""Couche de présentation partagée par les pages : états des règles, tableaux pour les personnes."""

from __future__ import annotations

# Respectée / non respectée : une couleur ET un mot (jamais un seul pictogramme).
_BADGES = {
    True: ":green-badge[:material/check_circle: Respectée]",
    False: ":red-badge[:material/cancel: Non respectée]",
    None: ":gray-badge[:material/info: Pour information]",
}


def badge_regle(respectee: bool | None) -> str:
    """Pastille Markdown de l'état d'une règle de l'appel."""
    return _BADGES[respectee]
