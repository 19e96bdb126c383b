"""L'argent de l'appel : paramètres de campagne, règles, allocation, simulation, comité de sélection.

Peut importer `coverage.modele`, `coverage.territoires`, `coverage.sources`, `coverage.espace` et les
feuilles `coverage.documents.format` / `coverage.documents.exports`.
"""
