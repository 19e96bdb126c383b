#!/usr/bin/env bash
# Démarre l'application sur les données embarquées (aucun accès internet à l'exécution).
# Première fois : crée .venv et installe requirements.txt (PyPI).
set -euo pipefail
cd "$(dirname "$0")"
source outils/environnement.sh
preparer_venv requirements.txt
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
