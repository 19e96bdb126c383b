"""Ce qui sort de l'application : formats français, exports CSV/XLSX/GeoPackage, procès-verbal PDF.

`format` et `exports` sont des feuilles (n'importent que `coverage.modele`), utilisables partout ;
`proces_verbal` peut importer tout le domaine sauf la ligne de commande.
"""
