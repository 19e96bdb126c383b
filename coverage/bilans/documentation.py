"""Tableau Markdown des dimensions et catégories de `bilans_repartitions` (repris dans docs/bilans.md).

`python -m coverage.bilans.documentation` l'imprime ; un test vérifie que docs/bilans.md le contient
à l'identique.
"""

from __future__ import annotations

from coverage.modele import DIMENSIONS_BILANS


def documentation_dimensions() -> str:
    """Une section par dimension : libellé, unité de `valeur`, passage de l'appel, catégories (code, libellé)."""
    parties = []
    for d in DIMENSIONS_BILANS.values():
        lignes = [f"#### `{d.code}` : {d.libelle}", "", f"Unité de `valeur` : {d.unite}. Source : {d.source}.", "",
                  "| categorie | libellé |", "|---|---|"]
        lignes += [f"| `{code}` | {libelle} |" for code, libelle in d.categories.items()]
        parties.append("\n".join(lignes) + "\n")
    return "\n".join(parties)


if __name__ == "__main__":
    print(documentation_dimensions())
