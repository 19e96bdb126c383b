"""Lecture et validation des fichiers d'utilisateur : tables d'échange, modèles, DECP, QPV, NPNRU.

N'importe que `coverage.modele` et les feuilles `coverage.documents.format` / `coverage.documents.exports` ;
jamais le magasin (`coverage.espace`) : une source lit et valide, elle n'écrit rien.
"""
