"""Le programme linéaire de l'optimisation : variables, une fonction par famille de contraintes, objectif.

Tableaux et index seulement (pas de solveur ici) : `construire_modele` rassemble les dossiers
candidats et les groupes de communes ; `contraintes` rend la matrice creuse et ses bornes, chaque
famille écrite par sa fonction, dont la docstring donne l'inégalité et l'unité ; `objectif` et
`bornes` complètent le modèle que `coverage.financement.optimisation` passe à HiGHS.

Montants en centimes (entiers) : l'enveloppe est respectée au centime près, sans arrondi qui
la dépasse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from coverage.financement.allocation_commune import montant_minimum


@dataclass(frozen=True)
class Modele:
    """Le programme linéaire : tableaux et index, rien d'autre (construit par `construire_modele`).

    Variables, dans cet ordre :
    - z[dossier] ∈ {0, 1} : le dossier est financé (n variables binaires) ;
    - x[dossier] ∈ [0, 1] : part du montant maximal attribuée (n variables continues), seulement
      si le financement partiel est permis ; sinon x = z (pas de variables en plus) ;
    - y[groupe] ∈ [0, 1] : le groupe de communes est couvert (m variables continues ; elles valent
      0 ou 1 à l'optimum puisque y ≤ somme de binaires et que l'objectif pousse y vers le haut).

    Un « groupe » rassemble les communes couvertes exactement par les mêmes dossiers candidats
    (son poids est la somme de leurs poids) : même modèle, beaucoup moins de lignes.
    """

    n: int
    m: int
    partiel: bool
    centimes: np.ndarray  # montant maximal de chaque dossier candidat [centimes, entiers]
    minimum: np.ndarray  # montant qui finance 0,5 ETP du dossier (au centime supérieur) [centimes]
    etp: np.ndarray  # ETP demandés de chaque dossier candidat
    valeur_postes: np.ndarray  # valeur des postes maintenus si le dossier est financé en totalité (unité des poids)
    regions: np.ndarray
    incidence: sparse.csr_matrix  # groupes × dossiers, 1 si le dossier couvre le groupe
    poids_groupes: np.ndarray  # poids de chaque groupe (unité des poids)
    rang: np.ndarray  # rang de priorité (1 = premier)
    fixes: np.ndarray  # dossiers imposés (financés en totalité)
    interdits: np.ndarray  # dossiers exclus (priorité PNAD : les structures prioritaires d'abord)

    @property
    def n_variables(self) -> int:
        return self.n * (2 if self.partiel else 1) + self.m

    @property
    def col_z(self) -> int:
        return 0

    @property
    def col_x(self) -> int:
        """Première colonne des parts x (celle de z quand le financement partiel est exclu)."""
        return self.n if self.partiel else 0

    @property
    def col_y(self) -> int:
        return self.n * (2 if self.partiel else 1)


def _groupes_de_communes(
    communes_par_dossier: pd.DataFrame, ids_candidats: pd.Index, poids_communes: pd.Series
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Regroupe les communes de poids > 0 couvertes par les mêmes dossiers.

    La signature d'une commune est la somme (modulo 2^64) de deux hachages aléatoires fixes
    des dossiers qui la couvrent : deux communes ont la même signature si et seulement si elles
    sont couvertes par le même ensemble de dossiers (à une probabilité de collision près de
    l'ordre de 10^-29 pour 35 000 communes). Tout est vectorisé.

    Returns
    -------
    incidence : csr_matrix (groupes × dossiers candidats), valeurs 1.
    poids_groupes : np.ndarray, somme des poids des communes du groupe.
    """
    cpd = communes_par_dossier[["id_dossier", "commune"]].astype(str).drop_duplicates()
    colonne = ids_candidats.get_indexer(cpd["id_dossier"])
    poids = poids_communes.set_axis(poids_communes.index.astype(str)).astype(float)
    poids_ligne = poids.reindex(cpd["commune"]).fillna(0.0).to_numpy()
    garde = (colonne >= 0) & (poids_ligne > 0)
    colonne, communes = colonne[garde], cpd["commune"].to_numpy()[garde]
    if len(colonne) == 0:
        return sparse.csr_matrix((0, len(ids_candidats))), np.zeros(0)
    commune_idx, codes = pd.factorize(communes)  # hachage : bien plus rapide qu'un tri de chaînes
    poids_commune = poids.reindex(codes).to_numpy()
    alea = np.random.default_rng(20250715)
    hachages = alea.integers(0, np.iinfo(np.int64).max, size=(2, len(ids_candidats)), dtype=np.int64).astype(np.uint64)
    signature = np.zeros((len(codes), 2), dtype=np.uint64)
    for k in range(2):
        np.add.at(signature[:, k], commune_idx, hachages[k, colonne])
    groupe_de_commune, _ = pd.factorize(pd.MultiIndex.from_arrays([signature[:, 0], signature[:, 1]]))
    m = int(groupe_de_commune.max()) + 1
    poids_groupes = np.bincount(groupe_de_commune, weights=poids_commune, minlength=m)
    cle = np.unique(groupe_de_commune[commune_idx].astype(np.int64) * len(ids_candidats) + colonne)  # paires distinctes
    incidence = sparse.csr_matrix(
        (np.ones(len(cle)), (cle // len(ids_candidats), cle % len(ids_candidats))), shape=(m, len(ids_candidats))
    )
    return incidence, poids_groupes


def construire_modele(
    base: pd.DataFrame,
    communes_par_dossier: pd.DataFrame,
    poids_communes: pd.Series,
    *,
    financement_partiel: bool,
    etp_minimum: float,
    valeur_etp_maintenu: float,
    fixes: np.ndarray,
    interdits: np.ndarray,
) -> tuple[Modele, np.ndarray]:
    """Modèle sur les dossiers candidats ; renvoie aussi leurs positions dans `base`.

    `fixes` et `interdits` sont alignés sur `base` ; `valeur_etp_maintenu` (unité des poids par
    ETP) valorise les postes que le dossier maintient (`etp_maintenus` de `base`).
    """
    positions = np.flatnonzero(base["candidat"].to_numpy())
    candidats = base.iloc[positions]
    incidence, poids_groupes = _groupes_de_communes(communes_par_dossier, pd.Index(candidats["id_dossier"]), poids_communes)
    centimes = candidats["centimes_max"].to_numpy(dtype=np.int64)
    etp = candidats["etp_demandes"].to_numpy(dtype=float)
    modele = Modele(
        n=len(candidats),
        m=len(poids_groupes),
        partiel=financement_partiel,
        centimes=centimes,
        minimum=montant_minimum(centimes, etp, etp_minimum),
        etp=etp,
        valeur_postes=valeur_etp_maintenu * candidats["etp_maintenus"].to_numpy(dtype=float),
        regions=candidats["region"].to_numpy(),
        incidence=incidence,
        poids_groupes=poids_groupes,
        rang=candidats["rang"].to_numpy(dtype=float),
        fixes=np.asarray(fixes, dtype=bool)[positions],
        interdits=np.asarray(interdits, dtype=bool)[positions],
    )
    return modele, positions


def _contrainte_enveloppe(modele: Modele, enveloppe_centimes: int) -> tuple[sparse.csr_matrix, float]:
    """Enveloppe nationale : somme_i centimes_max_i · x_i ≤ enveloppe   [centimes]."""
    a = sparse.csr_matrix(
        (modele.centimes.astype(float), (np.zeros(modele.n, dtype=int), modele.col_x + np.arange(modele.n))),
        shape=(1, modele.n_variables),
    )
    return a, np.array([float(enveloppe_centimes)])


def _contraintes_regionales(modele: Modele, enveloppes_centimes: Mapping[str, int]) -> tuple[sparse.csr_matrix, np.ndarray] | None:
    """Enveloppes régionales : pour chaque région r listée,
    somme_{i de la région r} centimes_max_i · x_i ≤ enveloppe_r   [centimes].

    Les régions absentes du dictionnaire n'ont pas de contrainte régionale.
    """
    regions = [r for r in sorted(enveloppes_centimes) if (modele.regions == r).any()]
    if not regions:
        return None
    ligne = pd.Index(regions).get_indexer(modele.regions)
    garde = ligne >= 0
    a = sparse.csr_matrix(
        (modele.centimes[garde].astype(float), (ligne[garde], modele.col_x + np.flatnonzero(garde))),
        shape=(len(regions), modele.n_variables),
    )
    return a, np.array([float(enveloppes_centimes[r]) for r in regions])


def _contraintes_couverture(modele: Modele) -> tuple[sparse.csr_matrix, np.ndarray] | None:
    """Couverture : pour chaque groupe g, y_g − somme_{i couvre g} z_i ≤ 0   [sans unité].

    Un groupe n'est compté couvert (y_g = 1) que si au moins un dossier qui le couvre est
    financé ; deux dossiers sur les mêmes communes ne les comptent qu'une fois (y_g ≤ 1).
    """
    if modele.m == 0:
        return None
    a = sparse.hstack(
        [
            -modele.incidence,
            sparse.csr_matrix((modele.m, modele.col_y - modele.n)),
            sparse.identity(modele.m, format="csr"),
        ],
        format="csr",
    )
    return a, np.zeros(modele.m)


def _contraintes_financement_partiel(modele: Modele) -> tuple[sparse.csr_matrix, np.ndarray] | None:
    """Financement partiel semi-continu, en ETP financés etp_i = etp_max_i · x_i :
    etp_minimum · z_i ≤ etp_max_i · x_i ≤ etp_max_i · z_i   [ETP],
    écrit en centimes pour que le montant arrondi respecte le minimum :
    minimum_i · z_i − centimes_max_i · x_i ≤ 0   [centimes]  (minimum_i : 0,5 ETP, au centime supérieur)
    x_i − z_i ≤ 0   [part du montant maximal].

    Un dossier non retenu (z = 0) reçoit 0 ; un dossier retenu reçoit au moins 0,5 ETP.
    """
    if not modele.partiel or modele.n == 0:
        return None
    n = modele.n
    i = np.arange(n)
    lignes = np.concatenate([i, i, n + i, n + i])
    colonnes = np.concatenate([modele.col_z + i, modele.col_x + i, modele.col_z + i, modele.col_x + i])
    valeurs = np.concatenate([modele.minimum.astype(float), -modele.centimes.astype(float), -np.ones(n), np.ones(n)])
    a = sparse.csr_matrix((valeurs, (lignes, colonnes)), shape=(2 * n, modele.n_variables))
    return a, np.zeros(2 * n)


def contraintes(
    modele: Modele, *, enveloppe_centimes: int, enveloppes_regionales_centimes: Mapping[str, int]
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Toutes les familles de contraintes, empilées : A · v ≤ b (pas de borne basse)."""
    familles = [
        _contrainte_enveloppe(modele, enveloppe_centimes),
        _contraintes_regionales(modele, enveloppes_regionales_centimes),
        _contraintes_couverture(modele),
        _contraintes_financement_partiel(modele),
    ]
    familles = [f for f in familles if f is not None]
    return sparse.vstack([f[0] for f in familles], format="csr"), np.concatenate([f[1] for f in familles])


def bornes(modele: Modele) -> tuple[np.ndarray, np.ndarray]:
    """0 ≤ z, x, y ≤ 1 ; dossiers imposés : z_i = x_i = 1 ; dossiers exclus : z_i = x_i = 0."""
    bas, haut = np.zeros(modele.n_variables), np.ones(modele.n_variables)
    for col in {modele.col_z, modele.col_x}:
        bas[col + np.flatnonzero(modele.fixes)] = 1.0
        haut[col + np.flatnonzero(modele.interdits)] = 0.0
    return bas, haut


def objectif(modele: Modele) -> np.ndarray:
    """Coefficients à minimiser (milp minimise) :
    − somme_g poids_g · y_g − somme_i valeur_postes_i · x_i − ε · somme_i s_i · x_i,

    valeur_postes_i = valeur d'un ETP maintenu × ETP maintenus du dossier (unité des poids : garder
    les postes déjà financés compte, pas seulement la population nouvellement couverte) ;
    s_i = (montant_max_i / total des montants) · (1 + (n − rang_i + 1) / n) : à couverture égale, on
    préfère dépenser l'enveloppe, et la dépenser sur les dossiers les mieux classés. ε est
    choisi pour que le terme secondaire total reste sous 0,001 × min(1, plus petit poids de
    groupe) : avec des poids entiers (populations), deux couvertures différentes diffèrent d'au
    moins 1, le terme secondaire ne peut donc pas faire perdre de couverture (à l'écart relatif
    toléré par le solveur près, `OptionsSolveur.mip_rel_gap`).
    """
    c = np.zeros(modele.n_variables)
    c[modele.col_y : modele.col_y + modele.m] = -modele.poids_groupes
    if modele.n:
        c[modele.col_x : modele.col_x + modele.n] -= modele.valeur_postes
        s = (modele.centimes / max(float(modele.centimes.sum()), 1.0)) * (1.0 + (modele.n - modele.rang + 1) / modele.n)
        valeurs = np.concatenate([modele.poids_groupes, modele.valeur_postes])
        positifs = valeurs[valeurs > 0]
        echelle = 1e-3 * min(1.0, positifs.min()) if len(positifs) else 1.0
        epsilon = echelle / max(s.sum(), 1e-12)
        c[modele.col_x : modele.col_x + modele.n] -= epsilon * s
    return c
