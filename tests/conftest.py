"""Configuration commune : un espace de travail SQLite jetable pour toute la session de tests.

Les AppTest et les serveurs Streamlit lancés par les tests navigateur héritent de la variable
d'environnement : ils n'écrivent jamais dans `data/espace.sqlite`.
"""

import os
import tempfile
from pathlib import Path

_DOSSIER = tempfile.mkdtemp(prefix="facilitateurs-tests-")
os.environ["FACILITATEURS_ESPACE"] = str(Path(_DOSSIER) / "espace.sqlite")
