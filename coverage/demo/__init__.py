"""Générateurs déterministes des données fictives de démonstration.

`python -m coverage.demo` écrit structures, périmètres et dossiers (`facilitateurs`) ;
`python -m coverage.demo.besoins` écrit les échantillons DECP, QPV et NPNRU. Peut importer tout le
domaine sauf la ligne de commande.
"""
