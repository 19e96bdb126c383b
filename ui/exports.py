"""Boutons d'export (CSV, XLSX, GeoPackage) d'une table de territoires, formules échappées."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from coverage.documents.exports import exporter_csv, exporter_geopackage, exporter_xlsx
from coverage.documents.libelles import pour_personnes
from ui import etat


def boutons_export(table: pd.DataFrame, geometries: gpd.GeoDataFrame | None, *, nom: str, cle: str) -> None:
    """Trois boutons de téléchargement de la sélection courante.

    Les exports sont produits à la demande (au clic), pas à chaque exécution de la page ; pendant la
    démonstration, chacun dit dans le fichier que les données sont fictives.
    """
    fictif = etat.donnees_actives().demo
    sortie = table.reset_index().rename(columns={"index": "code"})
    c1, c2, c3 = st.columns(3)
    c1.download_button("Exporter en CSV", data=lambda: exporter_csv(sortie, donnees_fictives=fictif), file_name=f"{nom}.csv", mime="text/csv",
                       on_click="ignore", key=f"{cle}_csv", icon=":material/download:")
    # CSV : noms de colonnes et codes pour la ligne de commande ; XLSX : libellés pour les personnes.
    c2.download_button("Exporter en XLSX", data=lambda: exporter_xlsx({nom[:31]: pour_personnes(sortie, referentiel=etat.referentiel(), structures=etat.noms_structures())},
                                                                      donnees_fictives=fictif),
                       file_name=f"{nom}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{cle}_xlsx", on_click="ignore",
                       icon=":material/table:")
    if geometries is not None:
        gdf = gpd.GeoDataFrame(table.join(geometries, how="inner"), geometry="geometry", crs=4326).reset_index()
        c3.download_button("Exporter en GeoPackage (QGIS)", data=lambda: exporter_geopackage(gdf, couche=nom, donnees_fictives=fictif),
                           file_name=f"{nom}.gpkg", mime="application/geopackage+sqlite3", key=f"{cle}_gpkg", on_click="ignore",
                           icon=":material/layers:")
