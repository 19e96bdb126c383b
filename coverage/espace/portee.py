"""Remplacer une portée (liste de départements) dans les données, et dire avant ce qui change.

`fusionner` : les structures dont le `departement` est dans la portée sont remplacées par celles
du fichier, avec leurs lignes de périmètre ; les dossiers de la portée aussi quand un fichier de
dossiers est fourni. Tout ce qui est hors portée est gardé tel quel (mêmes lignes, mêmes valeurs,
même ordre). `apercu` compare avant et après pour l'écran de confirmation et la ligne de commande.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from coverage.documents.format import format_nombre
from coverage.espace.controles import _check_base
from coverage.modele import DonneesFacilitateurs

__all__ = ["ApercuImport", "apercu", "fusionner"]


def _dans(table: pd.DataFrame, departements: Collection[str]) -> np.ndarray:
    if table.empty or "departement" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table["departement"].astype(str).isin(set(departements)).to_numpy()


def fusionner(actuelle: DonneesFacilitateurs, fichier: DonneesFacilitateurs, *, departements: Collection[str],
              avec_dossiers: bool, source: str = "") -> DonneesFacilitateurs:
    """Les données après import de `fichier` sur la portée `departements`.

    Raises
    ------
    ValueError
        Un identifiant de structure (ou de dossier) du fichier existe déjà hors de la portée.
    """
    s = actuelle.structures
    dedans = _dans(s, departements)
    retirees = set(s.loc[dedans, "id_structure"].astype(str))
    gardees = s[~dedans]
    doublons = sorted(set(gardees["id_structure"].astype(str)) & set(fichier.structures["id_structure"].astype(str)))
    if doublons:
        raise ValueError(f"Import refusé : {len(doublons)} identifiant(s) de structure du fichier existent déjà hors de la portée "
                         f"(département d'une autre portée) : {', '.join(doublons[:10])}.")
    p = actuelle.perimetres
    perimetres = p[~p["id_structure"].astype(str).isin(retirees)]
    d = actuelle.dossiers
    if avec_dossiers:
        garde = ~(_dans(d, departements) | d["id_structure"].astype(str).isin(retirees).to_numpy()) if len(d) else np.zeros(0, bool)
        dossiers_gardes = d[garde]
        doublons = sorted(set(dossiers_gardes["id_dossier"].astype(str)) & set(fichier.dossiers["id_dossier"].astype(str)))
        if doublons:
            raise ValueError(f"Import refusé : {len(doublons)} identifiant(s) de dossier du fichier existent déjà hors de la portée : "
                             f"{', '.join(doublons[:10])}.")
        dossiers = pd.concat([dossiers_gardes, fichier.dossiers], ignore_index=True) if len(dossiers_gardes) else fichier.dossiers
    else:
        presentes = set(fichier.structures["id_structure"].astype(str)) | set(gardees["id_structure"].astype(str))
        dossiers = d[d["id_structure"].astype(str).isin(presentes).to_numpy()] if len(d) else d
    return replace(
        actuelle,
        structures=pd.concat([gardees, fichier.structures], ignore_index=True),
        perimetres=pd.concat([perimetres, fichier.perimetres], ignore_index=True),
        dossiers=dossiers.reset_index(drop=True),
        demo=False,
        source=source or fichier.source,
    )


def _egal(a: object, b: object) -> bool:
    if pd.isna(a) if not isinstance(a, (list, tuple)) else False:
        return bool(pd.isna(b)) if not isinstance(b, (list, tuple)) else False
    return a == b


@dataclass(frozen=True)
class ApercuImport:
    """Ce qu'un import changerait dans la portée (rien n'est écrit)."""

    portee: str
    ajoutees: tuple[str, ...]
    modifiees: dict[str, tuple[str, ...]]  # id_structure → colonnes modifiées
    supprimees: tuple[str, ...]
    perimetres_avant: int
    perimetres_apres: int
    etp_avant: float
    etp_apres: float
    dossiers_avant: int
    dossiers_apres: int

    @property
    def lignes(self) -> list[str]:
        """Le récapitulatif en français, une ligne par rubrique."""
        def liste(ids: Collection[str]) -> str:
            ids = list(ids)
            return (" : " + ", ".join(ids[:20]) + (f" et {len(ids) - 20} autre(s)" if len(ids) > 20 else "")) if ids else ""
        lignes = [
            f"Portée : {self.portee}.",
            f"Structures ajoutées : {len(self.ajoutees)}{liste(self.ajoutees)}.",
            f"Structures modifiées : {len(self.modifiees)}"
            + (" : " + " ; ".join(f"{i} ({', '.join(c)})" for i, c in list(self.modifiees.items())[:20]) if self.modifiees else "") + ".",
            f"Structures retirées : {len(self.supprimees)}{liste(self.supprimees)}.",
            f"Lignes de périmètre dans la portée : {format_nombre(self.perimetres_avant)} avant, {format_nombre(self.perimetres_apres)} après.",
            f"ETP de facilitateurs dans la portée : {format_nombre(self.etp_avant, 2, compact=True)} avant, "
            f"{format_nombre(self.etp_apres, 2, compact=True)} après.",
            f"Dossiers dans la portée : {format_nombre(self.dossiers_avant)} avant, {format_nombre(self.dossiers_apres)} après.",
        ]
        return lignes


def apercu(actuelle: DonneesFacilitateurs, apres: DonneesFacilitateurs, *, departements: Collection[str], portee: str) -> ApercuImport:
    """Compare la portée avant et après : structures ajoutées, modifiées (colonnes), retirées ; périmètres, ETP, dossiers."""
    avant_s = actuelle.structures[_dans(actuelle.structures, departements)].set_index("id_structure")
    apres_s = apres.structures[_dans(apres.structures, departements)].set_index("id_structure")
    ids_avant, ids_apres = list(avant_s.index.astype(str)), list(apres_s.index.astype(str))
    modifiees = {}
    for i in [x for x in ids_apres if x in set(ids_avant)]:
        colonnes = tuple(c for c in apres_s.columns if c in avant_s.columns and not _egal(avant_s.at[i, c], apres_s.at[i, c]))
        avant_p = actuelle.perimetres[actuelle.perimetres["id_structure"] == i].drop(columns="id_structure").reset_index(drop=True)
        apres_p = apres.perimetres[apres.perimetres["id_structure"] == i].drop(columns="id_structure").reset_index(drop=True)
        if not avant_p.astype(str).equals(apres_p.astype(str)):
            colonnes += ("périmètre",)
        if colonnes:
            modifiees[i] = colonnes

    def nb_perimetres(d: DonneesFacilitateurs, ids: Collection[str]) -> int:
        return int(d.perimetres["id_structure"].astype(str).isin(set(ids)).sum())

    return ApercuImport(
        portee=portee,
        ajoutees=tuple(x for x in ids_apres if x not in set(ids_avant)),
        modifiees=modifiees,
        supprimees=tuple(x for x in ids_avant if x not in set(ids_apres)),
        perimetres_avant=nb_perimetres(actuelle, ids_avant),
        perimetres_apres=nb_perimetres(apres, ids_apres),
        etp_avant=float(avant_s["etp_facilitateur"].sum()),
        etp_apres=float(apres_s["etp_facilitateur"].sum()),
        dossiers_avant=int(_dans(actuelle.dossiers, departements).sum()),
        dossiers_apres=int(_dans(apres.dossiers, departements).sum()),
    )


def _vide_comme(fichier: DonneesFacilitateurs) -> DonneesFacilitateurs:
    return replace(fichier, structures=fichier.structures.iloc[0:0], perimetres=fichier.perimetres.iloc[0:0],
                   dossiers=fichier.dossiers.iloc[0:0])


class ImportsPortee:
    """Méthodes du magasin pour les imports à portée (mêlées aux moteurs ; voir `DepotEspace`)."""

    def donnees_ou_vide(self, fichier: DonneesFacilitateurs, version: int | None = None) -> DonneesFacilitateurs:
        """Les données de `version` (la version active par défaut), ou des tables vides si l'espace n'a encore
        aucune version (`version` 0)."""
        if version == 0 or (version is None and self.est_vide()):  # type: ignore[attr-defined]
            return _vide_comme(fichier)
        return self.charger_version(version)  # type: ignore[attr-defined]

    def importer_portee(self, donnees: DonneesFacilitateurs, *, portee: str, departements: Collection[str], auteur: str,
                        libelle_portee: str, avec_dossiers: bool, base_version: int | None) -> int:
        """Remplace la portée par `donnees` (validées) et enregistre une version complète, active.

        La version garde les trois tables entières (la restauration reste possible) ; son libellé
        dit la portée et les fichiers, son auteur est celui qui importe. `portee` (`region:32`…)
        sert au contrôle des permissions (`coverage.espace.permissions`).

        `base_version` est la version sur laquelle l'aperçu a été montré (0 ou None : espace vide) :
        la fusion part de cette version-là, et si une autre version est devenue active depuis
        l'aperçu, rien n'est écrit et `ConflitEdition` est levée (refaire l'aperçu).

        Returns
        -------
        int
            Identifiant de la version enregistrée.
        """
        base = _check_base(base_version)
        apres = fusionner(self.donnees_ou_vide(donnees, base), donnees, departements=departements, avec_dossiers=avec_dossiers)
        libelle = f"Import {libelle_portee} ({portee}) — {donnees.source}"[:500]
        return self.enregistrer_version(apres, auteur=auteur, libelle=libelle, source="import",  # type: ignore[attr-defined]
                                        base_version=base)
