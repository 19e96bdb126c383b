"""Les problèmes trouvés dans un fichier de l'utilisateur, et l'erreur qui refuse un fichier illisible.

Feuille du paquet `sources` : n'importe rien du domaine. `coverage.sources.lecture` les réexporte.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Probleme:
    """Un problème trouvé dans un fichier de l'utilisateur.

    Attributes
    ----------
    fichier : nom du fichier tel que déposé (avec la feuille pour un classeur à plusieurs feuilles).
    ligne : numéro de ligne dans le tableur (en-tête = 1), None pour un problème de fichier.
    colonne : nom de la colonne (normalisé), None si le problème porte sur la ligne entière.
    valeur : la valeur lue dans la cellule, telle quelle (None si sans objet).
    message : la phrase qui décrit le problème et ce qui est attendu, sans le lieu.

    `str(probleme)` donne la phrase complète, par exemple
    « structures.csv, ligne 12, colonne `etp_facilitateur` : « -1 » n'est pas un nombre d'ETP
    valide (attendu : nombre entre 0 et 50). »
    """

    fichier: str
    ligne: int | None
    colonne: str | None
    valeur: str | None
    message: str

    def __str__(self) -> str:
        lieu = self.fichier
        if self.ligne is not None:
            lieu += f", ligne {self.ligne}"
        if self.colonne is not None:
            lieu += f", colonne `{self.colonne}`"
        return f"{lieu} : {self.message}"


class ErreurLecture(ValueError):
    """Le fichier ne peut pas être lu ; `problemes` disent pourquoi (messages en français).

    `probleme` est le premier ; il y en a plusieurs quand plusieurs colonnes obligatoires manquent.
    """

    def __init__(self, *problemes: Probleme) -> None:
        super().__init__("\n".join(str(p) for p in problemes))
        self.problemes = problemes
        self.probleme = problemes[0]


def erreur_fichier(nom_fichier: str, message: str, *, ligne: int | None = None, colonne: str | None = None) -> ErreurLecture:
    """`ErreurLecture` d'un seul problème, sur le fichier entier ou sur une ligne."""
    return ErreurLecture(Probleme(nom_fichier, ligne, colonne, None, message))
