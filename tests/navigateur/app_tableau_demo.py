"""Petite application Streamlit : un tableau passé par `ui.presentation.tableau` et, pour comparaison, le même
affiché avec les formats de colonne de Streamlit (qui suivent la langue du navigateur). Tests navigateur.

Lancement : `streamlit run tests/navigateur/app_tableau_demo.py` depuis la racine.
"""

import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from ui.presentation import tableau  # noqa: E402

TABLE = pd.DataFrame({"nom": ["Structure A", "Structure B"], "montant_attribue": [47_754.0, 1_234_567.5],
                      "part_population_couverte": [0.973, 0.05], "etp": [1.25, 12.0]})

st.subheader("Présentation commune")
tableau(TABLE)
st.subheader("Formats de colonne du navigateur")
st.dataframe(TABLE, hide_index=True, column_config={
    "montant_attribue": st.column_config.NumberColumn(format="euro"),
    "part_population_couverte": st.column_config.NumberColumn(format="percent")})
