"""Qui couvre quoi : couverture des communes par les périmètres, besoins, zones blanches, grands projets.

Peut importer `coverage.modele`, `coverage.sources` (lecture des fichiers de besoins) et les feuilles
`coverage.documents.format` / `coverage.documents.exports` ; jamais `coverage.financement` ni le magasin.
"""
