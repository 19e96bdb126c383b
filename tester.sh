#!/usr/bin/env bash
# Lance tous les tests (unitaires, AppTest de chaque page, tests navigateur dans Chromium).
# Installe d'abord ce qu'il faut sur une machine neuve : paquets pip, Chromium et PostgreSQL de Debian.
set -euo pipefail
cd "$(dirname "$0")"
source outils/environnement.sh
preparer_venv requirements-dev.txt
preparer_chromium
preparer_postgresql
exec .venv/bin/python -m pytest "$@"
