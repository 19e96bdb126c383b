#!/usr/bin/env bash
# Démarre l'application sur les données embarquées (aucun accès internet à l'exécution).
# Première fois : crée .venv et installe requirements.txt (PyPI).
# Écoute sur 127.0.0.1 (ce poste seulement). Sur un serveur, derrière le mandataire inverse du
# service : COUVERTURE_ADRESSE=0.0.0.0 ./lancer.sh (ou l'adresse de l'interface voulue).
set -euo pipefail
cd "$(dirname "$0")"
source outils/environnement.sh
preparer_venv requirements.txt
exec .venv/bin/python -m streamlit run app.py --server.headless true \
    --server.address "${COUVERTURE_ADRESSE:-127.0.0.1}" "$@"
