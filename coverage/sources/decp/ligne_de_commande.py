"""`python -m coverage decp` : indicateurs de marchés d'un fichier DECP écrits en CSV."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.sources.decp.indicateurs import indicateurs_marches
from coverage.sources.decp.lecture import lire_decp_fichier
from coverage.sources.decp.modele import OBJECTIF_PNAD
from coverage.sources.decp.placement import contrats_non_places, placer_contrats, resume_placement
from coverage.sources.lecture import ErreurLecture
from geo.reference import NiveauGeo

_PAR_NIVEAU = {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région"}


def executer_decp(fichier: Path, sortie: Path, *, niveau: NiveauGeo = "commune", sirens_etat: Iterable[str] = ()) -> int:
    """`python -m coverage decp --fichier FICHIER --sortie SORTIE.csv [--niveau epci]`.

    Lit le fichier DECP, place les marchés, écrit les indicateurs des territoires qui ont au moins
    un marché dans `sortie` (CSV `;`, virgule décimale, UTF-8 avec BOM : s'ouvre tel quel dans un
    tableur français) et la liste des marchés non placés dans `<sortie>_non_places.csv`, puis
    affiche un résumé en français.

    Returns
    -------
    int
        0 si tout s'est bien passé, 1 si le fichier n'a pas pu être lu ou la sortie écrite.
    """
    from geo.reference import charger_referentiel

    fichier, sortie = Path(fichier), Path(sortie)
    try:
        lus = lire_decp_fichier(fichier, sirens_etat=sirens_etat)
    except ErreurLecture as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    referentiel = charger_referentiel()
    places = placer_contrats(lus.contrats, referentiel=referentiel)
    indicateurs = indicateurs_marches(places, referentiel=referentiel, niveau=niveau)
    indicateurs = indicateurs[indicateurs["nb_marches"] > 0]
    indicateurs.insert(0, "nom", referentiel.table(niveau)["nom"].reindex(indicateurs.index))
    non_places = contrats_non_places(places)
    chemin_non_places = sortie.with_name(f"{sortie.stem}_non_places.csv")
    try:
        sortie.parent.mkdir(parents=True, exist_ok=True)
        from coverage.documents.exports import exporter_csv  # formules échappées : les objets et ids viennent de tiers

        sortie.write_bytes(exporter_csv(indicateurs.round(4)))
        chemin_non_places.write_bytes(exporter_csv(non_places.round(2)))
    except OSError as exc:
        print(f"Erreur : impossible d'écrire {exc.filename} ({exc.strerror}).", file=sys.stderr)
        return 1

    resume = resume_placement(places)
    connues = places["a_consideration_sociale"].notna()
    part = places.loc[connues, "a_consideration_sociale"].astype(bool).mean() if connues.any() else np.nan
    etat = places["type_acheteur"] == "etat"
    lignes = [
        f"{fichier.name} : {format_nombre(lus.nb_contrats)} marchés lus"
        + (f" ({format_nombre(lus.doublons)} doublons retirés)" if lus.doublons else "") + ".",
        f"Montant total : {format_euros(places['montant'].sum())} HT ; État : {format_nombre(int(etat.sum()))} marchés, "
        f"{format_euros(places.loc[etat, 'montant'].sum())} HT.",
        f"Considération sociale : {format_pourcentage(part)} des {format_nombre(int(connues.sum()))} marchés renseignés "
        f"(objectif PNAD : {format_pourcentage(OBJECTIF_PNAD)}).",
        "Placement :",
    ]  # fmt: skip
    for niveau_placement, ligne in resume.iterrows():
        if ligne["nb_marches"]:
            lignes.append(f"  - {ligne['libelle']} : {format_nombre(ligne['nb_marches'])} ({format_pourcentage(ligne['part'])})")
    if len(non_places):
        lignes.append(f"{format_nombre(len(non_places))} marchés non placés, listés dans {chemin_non_places} ; motifs :")
        motifs = non_places["motif_non_place"].str.replace(r" : « .* »$| \(.*\)$", "", regex=True).value_counts()
        for motif, nb in motifs.head(8).items():
            lignes.append(f"  - {motif} : {format_nombre(nb)}")
    for message in lus.avertissements[:10]:
        lignes.append(f"Avertissement : {message}")
    if len(lus.avertissements) > 10:
        lignes.append(f"… et {len(lus.avertissements) - 10} autres avertissements.")
    lignes.append(f"Indicateurs par {_PAR_NIVEAU[niveau]} ({format_nombre(len(indicateurs))} territoires) écrits dans {sortie}.")
    print("\n".join(lignes))
    return 0
