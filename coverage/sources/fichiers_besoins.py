"""Vérification d'un fichier de besoins déposé (DECP, contours QPV, liste NPNRU), avant qu'il soit gardé.

Le chemin d'import de la page Données (rubrique Besoins) : le fichier est relu comme l'application
le relira ; s'il est invalide, `ErreurLecture` dit pourquoi et rien n'est gardé.
"""

from __future__ import annotations

from typing import Literal

from coverage.documents.format import format_nombre
from coverage.sources.decp import lire_decp, placer_contrats
from coverage.sources.qpv import lire_npnru, lire_qpv
from geo.reference import Referentiel

TypeBesoins = Literal["decp", "qpv", "npnru"]


def verifier_fichier_besoins(type_: TypeBesoins, contenu: bytes, nom_fichier: str, *, referentiel: Referentiel) -> str:
    """Relit le fichier ; rend un résumé en une phrase, ou lève `ErreurLecture` (message en français).

    Examples
    --------
    >>> verifier_fichier_besoins("npnru", b"", "npnru.csv", referentiel=ref)  # doctest: +SKIP
    Traceback (most recent call last):
    ErreurLecture: npnru.csv : le fichier est vide.
    """
    if type_ == "decp":
        lus = lire_decp(contenu, nom_fichier=nom_fichier)
        places = placer_contrats(lus.contrats, referentiel=referentiel)
        non_places = int((places["niveau_placement"] == "non_place").sum())
        return (f"{format_nombre(lus.nb_contrats)} marchés lus, {lus.doublons} doublons retirés, "
                f"{format_nombre(non_places)} non placés.")  # fmt: skip
    if type_ == "qpv":
        return f"{format_nombre(len(lire_qpv(contenu, nom_fichier, referentiel=referentiel)))} lignes quartier × commune."
    if type_ == "npnru":
        return f"{format_nombre(len(lire_npnru(contenu, nom_fichier)))} quartiers NPNRU."
    raise ValueError(f"Type de fichier de besoins inconnu : « {type_} » (attendu : decp, qpv, npnru).")
