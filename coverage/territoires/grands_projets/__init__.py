"""Registre des grands projets et calcul de leur empreinte territoriale.

L'appel à projets (partie B, « Sur les grands projets ») : « Des grands projets de rénovation
urbaine, de réhabilitation (Bassin minier), de transports (Canal Seine Nord), Ligne TGV,
s'accompagnent d'un potentiel fort de développement des marchés réservés et des clauses sociales
d'insertion. Ils nécessitent un effort de mise à disposition de facilitateurs le temps du
projet ». Ce paquet dit, pour chaque grand projet, quelles communes et quels EPCI il touche, et
ce que le réseau des facilitateurs y offre. Il n'importe du domaine que `coverage.modele`,
`coverage.documents.format` et `coverage.sources.lecture` (comme toute la salle `territoires`).

Où vit quoi :

- `modele.py` : `GrandProjet`, `Trace`, `TypeProjet`, les erreurs (`ErreurRegistre`) et les
  constantes (`LARGEUR_MAX_KM`, `PART_SURFACE_MIN`, `CRITERES_ZONE_BLANCHE`).
- `validation.py` : la validation commune à tous les formats (une seule forme d'emprise, codes
  du COG 2026, largeurs, géométries en lon/lat) ; un fichier qui contient une erreur lève
  `ErreurRegistre`, qui liste tous les problèmes en français (fichier, ligne, projet, champ), et
  rien n'est chargé ni écrit.
- Les formats du registre, un module chacun : `registre_yaml.py` (`data/grands_projets.yaml` :
  `charger_registre`, `projets_depuis_yaml`, `projets_vers_yaml`, `ecrire_registre_yaml`,
  `valider_projet`, `ajouter_projet`), `registre_tableau.py` (CSV/XLSX : `REGISTRE`,
  `lire_registre_tableau`, `exporter_registre_tableau`), `registre_geojson.py`
  (`lire_registre_geojson`, `projet_depuis_geojson`, `exporter_registre_geojson`), `dessin.py`
  (`projet_depuis_dessin`, dessin sur la carte), `npnru.py` (`projets_npnru`).
- `geometrie.py` : la surface de l'emprise (`geometrie_empreinte`, `axe_projet`) ; un tracé est un
  `LineString` entre les points des communes (ou dessiné), élargi de `largeur_km / 2` de part et
  d'autre en Lambert-93 (EPSG:2154) ou dans la projection UTM officielle du DROM.
- `empreintes.py` : les communes touchées (`empreintes`, `empreinte`) ; une commune est touchée
  quand le corridor (ou le polygone) en recouvre au moins `PART_SURFACE_MIN` de la surface ; les
  territoires sont développés en communes par la table du COG.
- `bilan.py` : par projet, la population, les structures présentes, les ETP, la couverture, les
  zones blanches touchées et une alerte motivée en français (`bilan_projets`), et les EPCI
  traversés (`epci_du_projet`).
- `tableaux.py` : le registre en tableau et en couche pour les pages (`tableau_registre`,
  `carte_projets`).

`from coverage.territoires.grands_projets import …` donne toute l'API publique ci-dessous.
"""

from coverage.territoires.grands_projets.bilan import COLONNES_BILAN, bilan_projets, epci_du_projet
from coverage.territoires.grands_projets.dessin import projet_depuis_dessin
from coverage.territoires.grands_projets.empreintes import COLONNES_EMPREINTE, empreinte, empreintes
from coverage.territoires.grands_projets.geometrie import axe_projet, geometrie_empreinte
from coverage.territoires.grands_projets.modele import (
    CRITERES_ZONE_BLANCHE,
    FICHIER_REGISTRE,
    LARGEUR_MAX_KM,
    LIBELLES_FORMES,
    PART_SURFACE_MIN,
    ErreurRegistre,
    GrandProjet,
    ProblemeRegistre,
    Trace,
    TypeProjet,
)
from coverage.territoires.grands_projets.npnru import projets_npnru
from coverage.territoires.grands_projets.registre_geojson import (
    exporter_registre_geojson,
    lire_registre_geojson,
    projet_depuis_geojson,
)
from coverage.territoires.grands_projets.registre_tableau import REGISTRE, exporter_registre_tableau, lire_registre_tableau
from coverage.territoires.grands_projets.registre_yaml import (
    ajouter_projet,
    charger_registre,
    ecrire_registre_yaml,
    projets_depuis_yaml,
    projets_vers_yaml,
    valider_projet,
)
from coverage.territoires.grands_projets.tableaux import carte_projets, tableau_registre

__all__ = [
    "COLONNES_BILAN",
    "COLONNES_EMPREINTE",
    "CRITERES_ZONE_BLANCHE",
    "FICHIER_REGISTRE",
    "LARGEUR_MAX_KM",
    "LIBELLES_FORMES",
    "PART_SURFACE_MIN",
    "REGISTRE",
    "ErreurRegistre",
    "GrandProjet",
    "ProblemeRegistre",
    "Trace",
    "TypeProjet",
    "ajouter_projet",
    "axe_projet",
    "bilan_projets",
    "carte_projets",
    "charger_registre",
    "ecrire_registre_yaml",
    "empreinte",
    "empreintes",
    "epci_du_projet",
    "exporter_registre_geojson",
    "exporter_registre_tableau",
    "geometrie_empreinte",
    "lire_registre_geojson",
    "lire_registre_tableau",
    "projet_depuis_dessin",
    "projet_depuis_geojson",
    "projets_depuis_yaml",
    "projets_npnru",
    "projets_vers_yaml",
    "tableau_registre",
    "valider_projet",
]
