"""Validation des fichiers d'échange (`structures`, `perimetres`, `dossiers`) contre le modèle et le COG.

Tout ou rien : `ResultatValidation` ne porte les tables typées que s'il n'y a aucune erreur ; l'appelant
remplace alors l'espace de travail en une seule transaction. Un fichier invalide ne change rien.

Chaque problème est un `Probleme` (fichier, ligne du tableur, colonne, valeur, message) dont
`str()` donne la phrase française complète, par exemple :
« perimetres.csv, ligne 3, colonne `code` : code commune « 01999 » inconnu au COG 2026 ;
vouliez-vous dire 01009 (Andert-et-Condon) ? »

Les erreurs bloquent l'import ; les avertissements (code qui a perdu son zéro initial, ancien code
commune remplacé, colonne inconnue ignorée, structure sans périmètre…) sont montrés sans bloquer.
Les contrôles sont vectorisés par colonne ; seule la rédaction des messages parcourt les lignes
en défaut.

Règles de l'appel à projets reprises ici (voir `docs/import.md`) : statuts des porteurs
(associations, collectivités, EPA), périmètre « limitrophe » (rôle `extension`), financement PNAD
2022, 2023, 2024 (`financement_pnad`), dossiers complets (annexe 2), notes du comité sur les
quatre critères (0 à 5).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coverage.documents.format import format_nombre
from coverage.sources.lecture import (
    Probleme,
    TableauBrut,
    colonnes_manquantes,
    convertir_annees,
    convertir_booleens,
    convertir_dates,
    convertir_nombres,
)
from coverage.modele import DOSSIERS, PERIMETRES, STRUCTURES, Colonne, Niveau, Role, Schema, Statut
from geo.reference import NIVEAUX, Referentiel

__all__ = [
    "Probleme",
    "ResultatValidation",
    "TOLERANCE_PART_ETP",
    "VALEURS_PAR_DEFAUT",
    "siret_valide",
    "SIRET_SIEGE_LA_POSTE",
    "valider_dossiers",
    "valider_structures_perimetres",
]

TOLERANCE_PART_ETP = 0.001
"""Écart toléré entre la somme des `part_etp` d'une structure et 1."""

VALEURS_PAR_DEFAUT: dict[str, float | bool] = {
    "etp_coordinateur": 0.0,
    "autres_financements_etat": 0.0,
    "cofinancements": 0.0,
    "derogation_plafond": False,
}
"""Valeur d'une cellule facultative vide, quand elle a un sens métier (pas de financement = 0 €).
Les autres nombres facultatifs vides restent NaN (`part_etp` vide = prorata de la population,
note vide = non notée), les booléens facultatifs vides valent False, les dates NaT, les textes `""`."""

SIREN_LA_POSTE = "356000000"
SIRET_SIEGE_LA_POSTE = "35600000000048"
"""Les SIRET des établissements de La Poste (SIREN 356000000), siège excepté, ne suivent pas la
clé de Luhn : la somme de leurs 14 chiffres est un multiple de 5."""

_NIVEAUX_LIBELLES = {
    "commune": ("commune", "de commune"),
    "epci": ("EPCI", "d'EPCI"),
    "departement": ("département", "de département"),
    "region": ("région", "de région"),
}
_LONGUEURS = {"commune": 5, "epci": 9, "departement": 2, "region": 2}
_FORMATS_CODES = {
    "commune": "code INSEE à 5 caractères, ex. 01001, 2A004, 97411",
    "epci": "SIREN à 9 chiffres, ex. 200042935",
    "departement": "01 à 95, 2A, 2B, 971 à 976",
}


# --------------------------------------------------------------------------------------------
# Résultat
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ResultatValidation:
    """Issue d'une validation : problèmes trouvés et, seulement s'il n'y a aucune erreur, tables typées.

    Attributes
    ----------
    erreurs : problèmes bloquants, triés par fichier puis ligne.
    avertissements : problèmes signalés sans bloquer (valeurs corrigées, colonnes ignorées…).
    structures, perimetres, dossiers : tables typées selon `coverage.modele` (codes en str,
        nombres en float, booléens en bool, dates en datetime64[ns], `financement_pnad` en
        chaîne `2022,2023,2024`), index 0..n-1 dans l'ordre du fichier ; None s'il y a une
        erreur ou si la table n'était pas validée.
    """

    erreurs: tuple[Probleme, ...]
    avertissements: tuple[Probleme, ...]
    structures: pd.DataFrame | None = None
    perimetres: pd.DataFrame | None = None
    dossiers: pd.DataFrame | None = None

    @property
    def valide(self) -> bool:
        """True s'il n'y a aucune erreur (les avertissements n'empêchent pas l'import)."""
        return not self.erreurs

    @property
    def resume(self) -> str:
        """Résumé en une phrase : « 2 erreurs, 1 avertissement »."""
        ne, na = len(self.erreurs), len(self.avertissements)
        return f"{ne} erreur{'s' if ne > 1 else ''}, {na} avertissement{'s' if na > 1 else ''}"


@dataclass
class _Releve:
    """Problèmes d'un fichier, au fil des contrôles."""

    fichier: str
    erreurs: list[Probleme] = field(default_factory=list)
    avertissements: list[Probleme] = field(default_factory=list)

    def signaler(
        self,
        masque: pd.Series,
        colonne: str | None,
        valeurs: pd.Series | None,
        message: str | pd.Series | Callable[..., str],
        *,
        avec: tuple[pd.Series, ...] = (),
        avertissement: bool = False,
    ) -> None:
        """Un problème par ligne où `masque` est vrai (index = numéro de ligne du tableur).

        `message` : texte fixe, Series de messages, ou fonction appelée pour chaque ligne en défaut
        seulement, avec la valeur lue, ou avec les valeurs des Series `avec` si elles sont données.
        """
        lignes = masque.index[masque.to_numpy(dtype=bool)]
        if len(lignes) == 0:
            return
        textes = [None] * len(lignes) if valeurs is None else valeurs.loc[lignes].astype("str").tolist()
        if isinstance(message, pd.Series):
            messages = message.loc[lignes].tolist()
        elif callable(message) and avec:
            messages = [message(*v) for v in zip(*(serie.loc[lignes].tolist() for serie in avec), strict=True)]
        elif callable(message):
            messages = [message(v) for v in textes]
        else:
            messages = [message] * len(lignes)
        cible = self.avertissements if avertissement else self.erreurs
        cible.extend(
            Probleme(self.fichier, int(ligne), colonne, texte, texte_message)
            for ligne, texte, texte_message in zip(lignes, textes, messages, strict=True)
        )

    def signaler_fichier(self, message: str, *, ligne: int | None = None, colonne: str | None = None) -> None:
        self.erreurs.append(Probleme(self.fichier, ligne, colonne, None, message))


def _trier(problemes: list[Probleme], schema: Schema) -> tuple[Probleme, ...]:
    """Ordre de lecture du fichier : par ligne, puis par colonne dans l'ordre du schéma."""
    rang = {nom: i for i, nom in enumerate(schema.noms)}
    return tuple(
        sorted(
            problemes,
            key=lambda p: (-1 if p.ligne is None else p.ligne, rang.get(p.colonne or "", len(rang))),
        )
    )


# --------------------------------------------------------------------------------------------
# Contrôles élémentaires
# --------------------------------------------------------------------------------------------


def _nombre_court(x: float) -> str:
    return format_nombre(x, 3, compact=True)


def _dans(valeurs: pd.Series, reference: pd.Index | pd.Series | tuple[str, ...]) -> pd.Series:
    """`valeurs.isin(reference)` par la table de hachage d'un Index (l'`isin` des chaînes Arrow
    parcourt les valeurs de référence en Python : 35 000 codes communes, 0,15 s par appel)."""
    if isinstance(reference, pd.Index) and reference.is_unique:
        index = reference  # table de hachage gardée par l'Index du référentiel d'un appel à l'autre
    else:
        index = pd.Index(pd.unique(np.asarray(reference, dtype=object)))
    return pd.Series(index.get_indexer(valeurs.to_numpy(dtype=object)) >= 0, index=valeurs.index)


def _sans_accents(s: pd.Series) -> pd.Series:
    return s.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)


def _normaliser_enum(s: pd.Series) -> pd.Series:
    """`Collectivité` → `collectivite`, `Extension limitrophe` → `extension_limitrophe`."""
    return _sans_accents(s.str.lower().str.strip()).str.replace(r"[\s\-']+", "_", regex=True)


_ALIAS_ENUMS: dict[tuple[str, ...], dict[str, str]] = {
    tuple(m.value for m in enum): dict(
        zip(
            _normaliser_enum(pd.Series([m.libelle for m in enum], dtype="str")).tolist(),
            [m.value for m in enum],
            strict=True,
        )
    )
    for enum in (Statut, Niveau, Role)
}
"""Libellés français des énumérations acceptés à la place du code (`Périmètre principal` → `principal`)."""


def _attendu_nombre(colonne: Colonne) -> tuple[str, str]:
    """(« un nombre d'ETP », « nombre entre 0 et 50 ») pour les messages."""
    if colonne.nom == "part_etp":
        objet = "une part d'ETP"
    elif colonne.nom.startswith("etp"):
        objet = "un nombre d'ETP"
    elif colonne.nom.startswith("note"):
        objet = "une note"
    elif "(€)" in colonne.description:
        objet = "un montant en euros"
    else:
        objet = "un nombre"
    if colonne.minimum is not None and colonne.maximum is not None:
        attendu = f"nombre entre {_nombre_court(colonne.minimum)} et {_nombre_court(colonne.maximum)}"
    elif colonne.minimum == 0:
        attendu = "nombre positif ou nul"
    elif colonne.minimum is not None:
        attendu = f"nombre supérieur ou égal à {_nombre_court(colonne.minimum)}"
    else:
        attendu = "nombre, ex. 1 234,5"
    if colonne.type == "entier":
        attendu = attendu.replace("nombre", "nombre entier", 1)
    return objet, attendu


def siret_valide(sirets: pd.Series) -> pd.Series:
    """Vrai pour un SIRET de 14 chiffres dont la clé de Luhn est juste.

    Exception : les établissements de La Poste (SIREN 356000000), hormis le siège
    (35600000000048, clé de Luhn), ont une clé propre : la somme de leurs 14 chiffres est un
    multiple de 5.

    Parameters
    ----------
    sirets : chaînes, espaces déjà retirés.

    Examples
    --------
    >>> siret_valide(pd.Series(["73282932000074", "73282932000075", "35600000049837"])).tolist()
    [True, False, True]
    """
    s = sirets.astype("str")
    format_ok = s.str.fullmatch(r"\d{14}").to_numpy(dtype=bool)
    chiffres = np.zeros((len(s), 14), dtype=np.int64)
    if format_ok.any():
        octets = np.frombuffer("".join(s[format_ok].tolist()).encode("ascii"), dtype=np.uint8)
        chiffres[format_ok] = (octets - ord("0")).reshape(-1, 14)
    doubles = chiffres.copy()
    doubles[:, 0::2] *= 2  # en partant de la droite, un chiffre sur deux (14 chiffres : rangs pairs)
    doubles = np.where(doubles > 9, doubles - 9, doubles)
    luhn = doubles.sum(axis=1) % 10 == 0
    la_poste = (s.str.startswith(SIREN_LA_POSTE) & (s != SIRET_SIEGE_LA_POSTE)).to_numpy(dtype=bool)
    cle_ok = np.where(la_poste, chiffres.sum(axis=1) % 5 == 0, luhn)
    return pd.Series(format_ok & cle_ok, index=sirets.index)


def _verifier_siret(brut: pd.Series, releve: _Releve, colonne: str) -> pd.Series:
    siret = brut.str.replace(r"[\s.\u00a0\u202f]", "", regex=True)
    renseigne = siret != ""
    format_ok = siret.str.fullmatch(r"\d{14}")
    releve.signaler(
        renseigne & ~format_ok,
        colonne,
        brut,
        lambda v: f"« {v} » n'est pas un SIRET valide (attendu : 14 chiffres).",
    )
    releve.signaler(
        renseigne & format_ok & ~siret_valide(siret),
        colonne,
        brut,
        lambda v, s: f"« {v} » n'est pas un SIRET valide : sa clé de contrôle "
        + (
            "est fausse (La Poste : somme des chiffres multiple de 5)"
            if s.startswith(SIREN_LA_POSTE)
            else "(Luhn) est fausse"
        )
        + " ; vérifiez le numéro.",
        avec=(brut, siret),
    )
    return siret


# --------------------------------------------------------------------------------------------
# Codes géographiques
# --------------------------------------------------------------------------------------------


def _noms(referentiel: Referentiel, niveau: str, codes: pd.Series) -> pd.Series:
    table = referentiel.table(niveau)
    return codes.map(table["nom"]).fillna("").astype("str")


class _Suggestions:
    """Le code le plus proche d'un code inconnu (difflib), sur les codes ou, si l'on a écrit un nom,
    sur les noms ; les listes de candidats sont préparées une fois par niveau (et par département
    pour les communes)."""

    def __init__(self, referentiel: Referentiel) -> None:
        self.referentiel = referentiel
        self._codes: dict[tuple[str, str], list[str]] = {}
        self._noms: dict[str, pd.Series] = {}

    def _candidats(self, niveau: str, prefixe: str) -> list[str]:
        if (niveau, prefixe) not in self._codes:
            codes = self.referentiel.table(niveau).index.astype("str")
            if niveau == "commune":
                meme_departement = codes[codes.str.startswith(prefixe)]
                codes = meme_departement if len(meme_departement) else codes
            self._codes[niveau, prefixe] = codes.tolist()
        return self._codes[niveau, prefixe]

    def _noms_sans_accents(self, niveau: str) -> pd.Series:
        if niveau not in self._noms:
            self._noms[niveau] = _sans_accents(self.referentiel.table(niveau)["nom"].astype("str").str.lower())
        return self._noms[niveau]

    def proche(self, valeur: str, niveau: str) -> str | None:
        """`"01009 (Andert-et-Condon)"` ou None."""
        table = self.referentiel.table(niveau)
        if sum(c.isalpha() for c in valeur) >= 3:  # un nom plutôt qu'un code (2A004 n'a qu'une lettre)
            noms = self._noms_sans_accents(niveau)
            cible = _sans_accents(pd.Series([valeur.lower()], dtype="str")).iloc[0]
            proches = difflib.get_close_matches(cible, noms.tolist(), n=1, cutoff=0.6)
            if not proches:
                return None
            code = noms.index[noms.to_numpy() == proches[0]][0]
        elif niveau in ("commune", "epci"):
            proches = difflib.get_close_matches(
                valeur, self._candidats(niveau, valeur[:2] if niveau == "commune" else ""), n=1, cutoff=0.6
            )
            if not proches:
                return None
            code = proches[0]
        else:
            return None
        return f"{code} ({table.at[code, 'nom']})"


def _verifier_codes(
    brut: pd.Series,
    niveaux: pd.Series,
    releve: _Releve,
    *,
    colonne: str,
    referentiel: Referentiel,
    colonne_niveau: str | None = None,
) -> pd.Series:
    """Normalise les codes d'une colonne selon le niveau de chaque ligne et signale les problèmes.

    Zéro initial perdu (`1001` → `01001`, `1` → `01`) et ancien code commune (`01340` → `01015`)
    sont corrigés avec un avertissement ; code inconnu, ou code d'un autre niveau, est une erreur.
    Les lignes sans niveau valide (`niveaux` vide) ne sont pas contrôlées ici.

    Returns
    -------
    pd.Series
        Codes normalisés (str), `""` pour une cellule vide ou un code en erreur.
    """
    texte = brut.str.upper().str.replace(r"^(\d+)[.,]0+$", r"\1", regex=True)  # 1001,0 (export tableur)
    suggestions = _Suggestions(referentiel)
    normalise = pd.Series("", index=brut.index, dtype="str")
    renseigne = texte != ""
    for niveau in NIVEAUX:
        ici = renseigne & (niveaux == niveau)
        if not ici.any():
            continue
        table = referentiel.table(niveau)
        libelle, libelle_de = _NIVEAUX_LIBELLES[niveau]
        codes = texte[ici]
        direct = _dans(codes, table.index)
        chiffres = codes.str.fullmatch(r"\d+")
        longueur = _LONGUEURS[niveau]
        completes = codes.where(~chiffres | (codes.str.len() >= longueur), codes.str.zfill(longueur))
        zero = ~direct & (completes != codes) & _dans(completes, table.index)
        trouves = codes.where(~zero, completes).where(direct | zero, "")
        releve.signaler(
            zero,
            colonne,
            brut,
            lambda v, c, libelle=libelle: (
                f"code {libelle} « {v} » lu comme « {c} » (zéro initial perdu, sans doute par le tableur)."
            ),
            avec=(brut, completes),
            avertissement=True,
        )
        reste = ~direct & ~zero
        if niveau == "commune" and reste.any():
            anciens = referentiel.anciens_codes.drop_duplicates("ancien_code").set_index("ancien_code")["commune"]
            ancien = reste & _dans(completes, anciens.index)
            remplaces = completes[ancien].map(anciens).astype("str")
            releve.signaler(
                ancien,
                colonne,
                brut,
                lambda v, c, r, n: (
                    (f"code commune « {v} » lu comme « {c} » (zéro initial perdu), " if c != v else f"« {v} » est un ")
                    + f"ancien code commune : remplacé par {r} ({n}), commune en vigueur au {referentiel.millesime}."
                ),
                avec=(texte, completes, remplaces, _noms(referentiel, "commune", remplaces)),
                avertissement=True,
            )
            trouves = trouves.where(~ancien, remplaces.reindex(trouves.index))
            reste = reste & ~ancien
        if reste.any():
            lignes = reste[reste].index
            messages = []
            for valeur, ecrit in zip(texte[lignes], brut[lignes], strict=True):  # lignes en défaut seulement
                autres = [
                    f"{_NIVEAUX_LIBELLES[n][1]} ({referentiel.table(n).at[valeur, 'nom']})"
                    for n in NIVEAUX
                    if n != niveau and valeur in referentiel.table(n).index
                ]
                if autres:
                    message = f"« {ecrit} » est un code {' ou '.join(autres)}, pas un code {libelle_de}"
                    message += (
                        f" : vérifiez la colonne `{colonne_niveau}` (ici « {niveau} »)."
                        if colonne_niveau
                        else "."
                    )
                else:
                    suggestion = suggestions.proche(valeur, niveau)
                    message = f"code {libelle} « {ecrit} » inconnu au {referentiel.millesime}"
                    if suggestion:
                        message += f" ; vouliez-vous dire {suggestion} ?"
                    elif niveau == "region":
                        message += f" (codes de région : {', '.join(sorted(referentiel.regions.index))})."
                    else:
                        message += f" (attendu : {_FORMATS_CODES[niveau]})."
                messages.append(message)
            releve.signaler(reste, colonne, brut, pd.Series(messages, index=lignes, dtype="object"))
        normalise.loc[codes.index] = trouves.astype("str")
    return normalise


# --------------------------------------------------------------------------------------------
# Typage d'un tableau selon son schéma
# --------------------------------------------------------------------------------------------


def _typer(tableau: TableauBrut, schema: Schema, releve: _Releve, referentiel: Referentiel) -> pd.DataFrame | None:
    """Contrôle colonne par colonne et convertit ; None si une colonne obligatoire manque.

    Le résultat est indexé par numéro de ligne du tableur ; les valeurs en erreur y sont vides
    (NaN, `""`), les contrôles croisés s'en accommodent.
    """
    releve.erreurs.extend(tableau.erreurs)
    manquantes = colonnes_manquantes(tableau, schema)
    for colonne in tableau.colonnes:
        if colonne not in schema.noms:
            releve.avertissements.append(
                Probleme(
                    releve.fichier,
                    1,
                    colonne,
                    None,
                    f"colonne inconnue, ignorée (colonnes attendues : {', '.join(schema.noms)}).",
                )
            )
    if manquantes:
        releve.erreurs.extend(manquantes)
        return None
    if len(tableau) == 0:
        releve.signaler_fichier("aucune ligne de données (le fichier ne contient que l'en-tête).")
    donnees = tableau.donnees
    types: dict[str, pd.Series] = {}
    for col in schema.colonnes:
        brut = donnees[col.nom] if col.nom in donnees.columns else pd.Series("", index=donnees.index, dtype="str")
        vide = brut == ""
        if col.obligatoire:
            description = col.description if col.description[:2].isupper() else col.description[:1].lower() + col.description[1:]
            releve.signaler(vide, col.nom, None, f"valeur obligatoire manquante ({description}).")
        if col.valeurs:
            valeur = _normaliser_enum(brut)
            alias = _ALIAS_ENUMS.get(col.valeurs, {})
            if alias:  # libellé français écrit en toutes lettres : « Collectivité territoriale »
                valeur = valeur.replace(alias)
            acceptee = _dans(valeur, col.valeurs)
            releve.signaler(
                ~vide & ~acceptee,
                col.nom,
                brut,
                lambda v, col=col: f"« {v} » n'est pas une valeur acceptée (valeurs acceptées : {', '.join(col.valeurs)}).",
            )
            types[col.nom] = valeur.where(acceptee, "")
        elif col.type in ("nombre", "entier"):
            conversion = convertir_nombres(brut)
            nombres = conversion.valeurs
            hors = pd.Series(False, index=brut.index)
            if col.minimum is not None:
                hors |= nombres < col.minimum
            if col.maximum is not None:
                hors |= nombres > col.maximum
            if col.type == "entier":
                hors |= nombres.notna() & (nombres % 1 != 0)
            objet, attendu = _attendu_nombre(col)
            fautif = conversion.invalides | hors
            releve.signaler(
                fautif, col.nom, brut, lambda v, o=objet, a=attendu: f"« {v} » n'est pas {o} valide (attendu : {a})."
            )
            nombres = nombres.where(~fautif)
            if col.nom in VALEURS_PAR_DEFAUT:
                nombres = nombres.where(~conversion.vides, float(VALEURS_PAR_DEFAUT[col.nom]))
            types[col.nom] = nombres.astype("float64")
        elif col.type == "booleen":
            conversion = convertir_booleens(brut)
            releve.signaler(
                conversion.invalides,
                col.nom,
                brut,
                lambda v: f"« {v} » n'est pas une valeur oui/non reconnue (attendu : oui ou non ; 1 ou 0, vrai ou faux acceptés).",
            )
            types[col.nom] = conversion.valeurs.fillna(bool(VALEURS_PAR_DEFAUT.get(col.nom, False))).astype(bool)
        elif col.type == "date":
            conversion = convertir_dates(brut)
            releve.signaler(
                conversion.invalides,
                col.nom,
                brut,
                lambda v: f"« {v} » n'est pas une date valide (attendu : jj/mm/aaaa ou aaaa-mm-jj).",
            )
            types[col.nom] = conversion.valeurs
        elif col.type == "liste_annees":
            conversion = convertir_annees(brut)
            releve.signaler(
                conversion.invalides,
                col.nom,
                brut,
                lambda v: (
                    f"« {v} » n'est pas une liste d'années valide (attendu : années à 4 chiffres séparées "
                    "par des virgules, ex. 2022,2023,2024)."
                ),
            )
            types[col.nom] = conversion.valeurs
        elif col.type == "siret":
            types[col.nom] = _verifier_siret(brut, releve, col.nom)
        elif col.type == "code":
            if col.nom in NIVEAUX:  # colonne `departement` ou `region` : le niveau est son nom
                niveaux = pd.Series(col.nom, index=brut.index, dtype="str")
                colonne_niveau = None
            else:  # colonne `code` d'un périmètre : le niveau est celui de la ligne
                niveaux = types["niveau"]
                colonne_niveau = "niveau"
            types[col.nom] = _verifier_codes(
                brut, niveaux, releve, colonne=col.nom, referentiel=referentiel, colonne_niveau=colonne_niveau
            )
        else:
            types[col.nom] = brut
    return pd.DataFrame(types, index=donnees.index)


def _premieres_lignes(cles: pd.Series | pd.DataFrame) -> pd.Series:
    """Pour chaque ligne, le numéro de la première ligne portant la même clé."""
    lignes = pd.Series(cles.index, index=cles.index)
    if isinstance(cles, pd.DataFrame):
        return lignes.groupby([cles[c] for c in cles.columns], sort=False).transform("first")
    return lignes.groupby(cles, sort=False).transform("first")


def _doublons(
    cles: pd.Series, releve: _Releve, *, colonne: str, objet: str
) -> None:
    """Erreur sur chaque ligne qui répète un identifiant déjà vu."""
    premiere = _premieres_lignes(cles)
    repete = (cles != "") & cles.duplicated(keep="first")
    releve.signaler(
        repete,
        colonne,
        cles,
        lambda c, p: f"identifiant « {c} » déjà utilisé ligne {p} : chaque {objet} doit avoir un identifiant unique.",
        avec=(cles, premiere),
    )


def _final(table: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    return table[schema.noms].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Structures et périmètres
# --------------------------------------------------------------------------------------------


def valider_structures_perimetres(
    structures: TableauBrut, perimetres: TableauBrut, *, referentiel: Referentiel
) -> ResultatValidation:
    """Valide ensemble les fichiers `structures` et `perimetres` (ils se répondent).

    Contrôles : colonnes obligatoires, cellules obligatoires, valeurs des énumérations (statut,
    niveau, rôle), nombres (ETP entre 0 et 50, part_etp entre 0 et 1), SIRET (14 chiffres, clé
    de Luhn ; règle propre à La Poste), listes d'années, codes au COG du référentiel selon le
    niveau (zéro initial restauré et ancien code commune remplacé avec un avertissement ; code
    inconnu avec une suggestion ; code d'un autre niveau), identifiant de structure en double,
    périmètre d'une structure absente, ligne de périmètre en double (même structure, niveau,
    code), `part_etp` renseignée sur toutes les lignes d'une structure ou sur aucune, et alors de
    somme 1 (à 0,001 près).

    Parameters
    ----------
    structures, perimetres : fichiers lus par `coverage.sources.lecture.lire_tableau`.
    referentiel : géographie de référence (`geo.reference.charger_referentiel()`).

    Returns
    -------
    ResultatValidation
        `structures` et `perimetres` typés seulement s'il n'y a aucune erreur dans les deux.

    Examples
    --------
    >>> r = valider_structures_perimetres(s, p, referentiel=charger_referentiel())  # doctest: +SKIP
    >>> [str(e) for e in r.erreurs]  # doctest: +SKIP
    """
    rs, rp = _Releve(structures.libelle), _Releve(perimetres.libelle)
    ts = _typer(structures, STRUCTURES, rs, referentiel)
    tp = _typer(perimetres, PERIMETRES, rp, referentiel)
    if ts is not None:
        _doublons(ts["id_structure"], rs, colonne="id_structure", objet="structure")
    if tp is not None:
        brut_part = perimetres.donnees.get("part_etp", pd.Series("", index=tp.index, dtype="str"))
        _controler_perimetres(
            tp,
            rp,
            brut_part=brut_part,
            brut_code=perimetres.donnees["code"],
            ts=ts,
            fichier_structures=structures.libelle,
            referentiel=referentiel,
        )
    if ts is not None and tp is not None:
        sans_perimetre = (ts["id_structure"] != "") & ~_dans(ts["id_structure"], tp["id_structure"])
        rs.signaler(
            sans_perimetre,
            "id_structure",
            ts["id_structure"],
            lambda v: f"la structure « {v} » n'a aucune ligne dans {perimetres.libelle} : elle ne couvre aucun territoire.",
            avertissement=True,
        )
    erreurs = _trier(rs.erreurs, STRUCTURES) + _trier(rp.erreurs, PERIMETRES)
    avertissements = _trier(rs.avertissements, STRUCTURES) + _trier(rp.avertissements, PERIMETRES)
    if erreurs:
        return ResultatValidation(erreurs, avertissements)
    return ResultatValidation(
        erreurs,
        avertissements,
        structures=_final(ts, STRUCTURES),
        perimetres=_final(tp, PERIMETRES),
    )


def _controler_perimetres(
    tp: pd.DataFrame,
    rp: _Releve,
    *,
    brut_part: pd.Series,
    brut_code: pd.Series,
    ts: pd.DataFrame | None,
    fichier_structures: str,
    referentiel: Referentiel,
) -> None:
    ids = tp["id_structure"]
    if ts is not None:
        inconnue = (ids != "") & ~_dans(ids, ts["id_structure"])
        rp.signaler(
            inconnue,
            "id_structure",
            ids,
            lambda v: f"structure « {v} » absente du fichier {fichier_structures} : ajoutez-la ou corrigez l'identifiant.",
        )
    # Ligne en double : même structure, même niveau, même code (après normalisation des codes).
    complet = (ids != "") & (tp["niveau"] != "") & (tp["code"] != "")
    cles = tp.loc[complet, ["id_structure", "niveau", "code"]]
    if len(cles):
        premiere = _premieres_lignes(cles)
        double = cles.duplicated(keep="first")
        rp.signaler(
            double,
            "code",
            cles["code"],
            lambda s, n, c, p, b: (
                f"ligne en double : la structure « {s} » a déjà ce territoire "
                f"({_NIVEAUX_LIBELLES[n][0]} {c}, {referentiel.table(n).at[c, 'nom']}) ligne {p}"
                + (f" (« {b} » est lu comme {c})." if b != c else ".")
            ),
            avec=(cles["id_structure"], cles["niveau"], cles["code"], premiere, brut_code),
        )
    # part_etp : sur toutes les lignes d'une structure ou sur aucune ; si toutes, somme = 1.
    # Une part illisible ou hors de [0, 1] est déjà une erreur : sa structure n'est pas recontrôlée.
    renseignee = brut_part != ""
    parts = pd.DataFrame(
        {
            "id": ids,
            "ligne": tp.index,
            "renseignee": renseignee,
            "illisible": renseignee & tp["part_etp"].isna(),
            "part": tp["part_etp"],
        },
        index=tp.index,
    )[ids != ""]
    par_structure = parts.groupby("id", sort=False).agg(
        premiere=("ligne", "first"),
        n=("ligne", "size"),
        renseignees=("renseignee", "sum"),
        illisibles=("illisible", "sum"),
        somme=("part", "sum"),
    )
    propres = par_structure["illisibles"] == 0
    melange = propres & (par_structure["renseignees"] > 0) & (par_structure["renseignees"] < par_structure["n"])
    ecart = (
        propres
        & (par_structure["renseignees"] == par_structure["n"])
        & ((par_structure["somme"] - 1).abs() > TOLERANCE_PART_ETP)
    )
    lignes = parts.groupby("id", sort=False)["ligne"].agg(lambda s: ", ".join(map(str, s)))
    for sid, info in par_structure[melange].iterrows():  # une ligne par structure en défaut
        rp.erreurs.append(
            Probleme(
                rp.fichier,
                int(info["premiere"]),
                "part_etp",
                None,
                f"la structure « {sid} » a une part_etp sur {int(info['renseignees'])} de ses "
                f"{int(info['n'])} lignes (lignes {lignes[sid]}) : renseignez-la sur toutes ses lignes "
                "ou sur aucune (vide : prorata de la population).",
            )
        )
    for sid, info in par_structure[ecart].iterrows():
        rp.erreurs.append(
            Probleme(
                rp.fichier,
                int(info["premiere"]),
                "part_etp",
                None,
                f"les parts d'ETP de la structure « {sid} » totalisent {_nombre_court(info['somme'])} "
                f"(lignes {lignes[sid]}) ; attendu : 1 (à {_nombre_court(TOLERANCE_PART_ETP)} près).",
            )
        )


# --------------------------------------------------------------------------------------------
# Dossiers
# --------------------------------------------------------------------------------------------


def valider_dossiers(
    dossiers: TableauBrut, *, referentiel: Referentiel, structures: pd.DataFrame | None
) -> ResultatValidation:
    """Valide le fichier des dossiers de candidature.

    Contrôles : colonnes et cellules obligatoires, statut, région et département au COG
    (zéro initial restauré avec un avertissement), nombres (ETP entre 0 et 50, montants positifs,
    notes entre 0 et 5), booléens oui/non, date de dépôt, identifiant de dossier en double,
    structure absente du fichier `structures` (si donné : un nouveau porteur y figure avec
    0 ETP). Avertissements : statut différent de celui de la structure, département hors de la
    région d'instruction, plusieurs dossiers pour une même structure.
    Les règles de financement de l'appel (plafonds, 70 %, 80 %, cofinancement) ne sont pas des
    erreurs d'import : le moteur de financement les applique.

    Parameters
    ----------
    dossiers : fichier lu par `coverage.sources.lecture.lire_tableau`.
    referentiel : géographie de référence.
    structures : table typée des structures (celle de l'espace de travail ou d'une validation
        réussie), ou None pour ne pas contrôler `id_structure`.

    Returns
    -------
    ResultatValidation
        `dossiers` typé seulement s'il n'y a aucune erreur.
    """
    rd = _Releve(dossiers.libelle)
    td = _typer(dossiers, DOSSIERS, rd, referentiel)
    if td is not None:
        _doublons(td["id_dossier"], rd, colonne="id_dossier", objet="dossier")
        ids = td["id_structure"]
        if structures is not None:
            connues = structures.drop_duplicates("id_structure").set_index("id_structure")
            inconnue = (ids != "") & ~_dans(ids, connues.index)
            rd.signaler(
                inconnue,
                "id_structure",
                ids,
                lambda v: (
                    f"structure « {v} » absente du fichier des structures : un nouveau porteur doit y "
                    "figurer (avec 0 ETP) et avoir ses lignes de périmètre."
                ),
            )
            if "statut" in connues.columns:
                attendu = ids.map(connues["statut"].astype("str")).fillna("").astype("str")
                different = (td["statut"] != "") & (attendu != "") & (td["statut"] != attendu)
                rd.signaler(
                    different,
                    "statut",
                    td["statut"],
                    lambda s, i, a: (
                        f"statut « {s} » différent de celui de la structure « {i} » dans le fichier des "
                        f"structures (« {a} »)."
                    ),
                    avec=(td["statut"], ids, attendu),
                    avertissement=True,
                )
        region_du_dep = td["departement"].map(referentiel.departements["region"]).fillna("").astype("str")
        hors_region = (td["region"] != "") & (region_du_dep != "") & (region_du_dep != td["region"])
        rd.signaler(
            hors_region,
            "departement",
            td["departement"],
            lambda d, rg, r: f"le département {d} appartient à la région {rg}, pas à la région d'instruction {r}.",
            avec=(td["departement"], region_du_dep, td["region"]),
            avertissement=True,
        )
        premier = _premieres_lignes(ids)
        plusieurs = (ids != "") & ids.duplicated(keep="first")
        rd.signaler(
            plusieurs,
            "id_structure",
            ids,
            lambda i, p: f"la structure « {i} » a déjà un dossier ligne {p}.",
            avec=(ids, premier),
            avertissement=True,
        )
    erreurs, avertissements = _trier(rd.erreurs, DOSSIERS), _trier(rd.avertissements, DOSSIERS)
    if erreurs:
        return ResultatValidation(erreurs, avertissements)
    return ResultatValidation(erreurs, avertissements, dossiers=_final(td, DOSSIERS))
