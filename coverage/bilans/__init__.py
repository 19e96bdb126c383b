"""Les bilans des structures financées (appel, partie D « Conventionnement ») : rapport intermédiaire et annuel.

`validation` (fichiers `bilans` et `bilans_repartitions`), `echeances` (reçu, en retard, manquant),
`consolidation` (indicateurs par département, région, France), `campagne` (dernier bilan annuel d'un
dossier et signalements), `donnees` (bilans de démonstration), `commande` (`python -m coverage bilans`),
`documentation` (dimensions de docs/bilans.md) ; les exports XLSX/PDF sont dans `coverage.documents`. Peut importer `coverage.modele`, `coverage.sources`,
`coverage.territoires`, `coverage.espace`, `coverage.financement` et les feuilles
`coverage.documents.format` / `coverage.documents.exports` ; jamais les pages ni la ligne de commande.
"""
