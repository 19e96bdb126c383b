"""Identifiants des fichiers d'échange : SIRET (clé de Luhn, règle de La Poste) et codes géographiques
au COG (zéro initial perdu, anciens codes, code d'un autre niveau, suggestion du code le plus proche).
"""

from __future__ import annotations

import difflib
import time

import numpy as np
import pandas as pd

from coverage.sources.limites import LIMITES, Limites
from coverage.sources.releve import Releve, dans, sans_accents
from geo.reference import NIVEAUX, Referentiel

SIREN_LA_POSTE = "356000000"
SIRET_SIEGE_LA_POSTE = "35600000000048"
"""Les SIRET des établissements de La Poste (SIREN 356000000), siège excepté, ne suivent pas la
clé de Luhn : la somme de leurs 14 chiffres est un multiple de 5."""

NIVEAUX_LIBELLES = {
    "commune": ("commune", "de commune"),
    "epci": ("EPCI", "d'EPCI"),
    "ept": ("EPT", "d'EPT"),
    "departement": ("département", "de département"),
    "region": ("région", "de région"),
}
LONGUEURS_CODES = {"commune": 5, "epci": 9, "ept": 9, "departement": 2, "region": 2}
FORMATS_CODES = {
    "commune": "code INSEE à 5 caractères, ex. 01001, 2A004, 97411",
    "epci": "SIREN à 9 chiffres, ex. 200042935",
    "ept": "SIREN à 9 chiffres d'un des 11 EPT de la Métropole du Grand Paris, ex. 200057867, ou 217500016 pour Paris",
    "departement": "01 à 95, 2A, 2B, 971 à 976",
}


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
    format_ok = s.str.fullmatch(r"[0-9]{14}").to_numpy(dtype=bool)  # ASCII : `\d` accepterait `１`
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


def verifier_siret(brut: pd.Series, releve: Releve, colonne: str) -> pd.Series:
    siret = brut.str.replace(r"[\s.\u00a0\u202f]", "", regex=True)
    renseigne = siret != ""
    format_ok = siret.str.fullmatch(r"[0-9]{14}")
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


def noms_territoires(referentiel: Referentiel, niveau: str, codes: pd.Series) -> pd.Series:
    table = referentiel.table(niveau)
    return codes.map(table["nom"]).fillna("").astype("str")


class Suggestions:
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
            self._noms[niveau] = sans_accents(self.referentiel.table(niveau)["nom"].astype("str").str.lower())
        return self._noms[niveau]

    def proche(self, valeur: str, niveau: str) -> str | None:
        """`"01009 (Andert-et-Condon)"` ou None."""
        table = self.referentiel.table(niveau)
        if sum(c.isalpha() for c in valeur) >= 3:  # un nom plutôt qu'un code (2A004 n'a qu'une lettre)
            noms = self._noms_sans_accents(niveau)
            cible = sans_accents(pd.Series([valeur.lower()], dtype="str")).iloc[0]
            proches = difflib.get_close_matches(cible, noms.tolist(), n=1, cutoff=0.6)
            if not proches:
                return None
            code = noms.index[noms.to_numpy() == proches[0]][0]
        elif niveau in ("commune", "epci", "ept"):
            proches = difflib.get_close_matches(
                valeur, self._candidats(niveau, valeur[:2] if niveau == "commune" else ""), n=1, cutoff=0.6
            )
            if not proches:
                return None
            code = proches[0]
        else:
            return None
        return f"{code} ({table.at[code, 'nom']})"


ARRONDISSEMENTS_MUNICIPAUX: dict[str, str] = {
    **{f"751{i:02d}": "75056" for i in range(1, 21)},  # Paris
    **{f"132{i:02d}": "13055" for i in range(1, 17)},  # Marseille
    **{f"6938{i}": "69123" for i in range(1, 10)},  # Lyon
}
"""Arrondissement municipal de Paris, Lyon ou Marseille → code INSEE de sa commune (COG)."""


class _BudgetSuggestions:
    """Borne le travail de difflib : au plus `limites.suggestions` suggestions et
    `limites.secondes_suggestions` secondes par niveau d'une colonne ; au-delà, le code inconnu
    est signalé sans suggestion (10 000 noms inconnus ne coûtent plus des minutes)."""

    def __init__(self, limites: Limites) -> None:
        self.restantes = limites.suggestions
        self.fin = time.monotonic() + limites.secondes_suggestions

    def suggerer(self, suggestions: Suggestions, valeur: str, niveau: str) -> str | None:
        if self.restantes <= 0 or time.monotonic() > self.fin:
            return None
        self.restantes -= 1
        return suggestions.proche(valeur, niveau)


def verifier_codes(
    brut: pd.Series,
    niveaux: pd.Series,
    releve: Releve,
    *,
    colonne: str,
    referentiel: Referentiel,
    colonne_niveau: str | None = None,
    limites: Limites = LIMITES,
) -> pd.Series:
    """Normalise les codes d'une colonne selon le niveau de chaque ligne et signale les problèmes.

    Zéro initial perdu (`1001` → `01001`, `1` → `01`), ancien code commune (`01340` → `01015`) et
    arrondissement municipal de Paris, Lyon ou Marseille (`75105` → `75056`) sont corrigés avec un
    avertissement ; code inconnu, ou code d'un autre niveau, est une erreur.
    Les lignes sans niveau valide (`niveaux` vide) ne sont pas contrôlées ici. Les suggestions
    (« vouliez-vous dire ») sont bornées par `limites.suggestions` et `limites.secondes_suggestions`.

    Returns
    -------
    pd.Series
        Codes normalisés (str), `""` pour une cellule vide ou un code en erreur.
    """
    texte = brut.str.upper().str.replace(r"^(\d+)[.,]0+$", r"\1", regex=True)  # 1001,0 (export tableur)
    suggestions = Suggestions(referentiel)
    normalise = pd.Series("", index=brut.index, dtype="str")
    renseigne = texte != ""
    for niveau in NIVEAUX:
        ici = renseigne & (niveaux == niveau)
        if not ici.any():
            continue
        table = referentiel.table(niveau)
        libelle, libelle_de = NIVEAUX_LIBELLES[niveau]
        codes = texte[ici]
        direct = dans(codes, table.index)
        chiffres = codes.str.fullmatch(r"\d+")
        longueur = LONGUEURS_CODES[niveau]
        completes = codes.where(~chiffres | (codes.str.len() >= longueur), codes.str.zfill(longueur))
        zero = ~direct & (completes != codes) & dans(completes, table.index)
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
            ancien = reste & dans(completes, anciens.index)
            remplaces = completes[ancien].map(anciens).astype("str")
            releve.signaler(
                ancien,
                colonne,
                brut,
                lambda v, c, r, n: (
                    (f"code commune « {v} » lu comme « {c} » (zéro initial perdu), " if c != v else f"« {v} » est un ")
                    + f"ancien code commune : remplacé par {r} ({n}), commune en vigueur au {referentiel.millesime}."
                ),
                avec=(texte, completes, remplaces, noms_territoires(referentiel, "commune", remplaces)),
                avertissement=True,
            )
            trouves = trouves.where(~ancien, remplaces.reindex(trouves.index))
            reste = reste & ~ancien
            connus = [a for a, c in ARRONDISSEMENTS_MUNICIPAUX.items() if c in table.index]
            arrondissement = reste & completes.isin(connus)
            communes = completes[arrondissement].map(ARRONDISSEMENTS_MUNICIPAUX).astype("str")
            releve.signaler(
                arrondissement,
                colonne,
                brut,
                lambda v, r, n: (
                    f"« {v} » est un arrondissement municipal : lu comme la commune {n} ({r}), seul niveau "
                    f"communal du {referentiel.millesime} pour la couverture."
                ),
                avec=(brut, communes, noms_territoires(referentiel, "commune", communes)),
                avertissement=True,
            )
            trouves = trouves.where(~arrondissement, communes.reindex(trouves.index))
            reste = reste & ~arrondissement
        if reste.any():
            lignes = reste[reste].index
            messages = []
            budget = _BudgetSuggestions(limites)
            for valeur, ecrit in zip(texte[lignes], brut[lignes], strict=True):  # lignes en défaut seulement
                autres = [
                    f"{NIVEAUX_LIBELLES[n][1]} ({referentiel.table(n).at[valeur, 'nom']})"
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
                    suggestion = budget.suggerer(suggestions, valeur, niveau)
                    message = f"code {libelle} « {ecrit} » inconnu au {referentiel.millesime}"
                    if suggestion:
                        message += f" ; vouliez-vous dire {suggestion} ?"
                    elif niveau == "region":
                        message += f" (codes de région : {', '.join(sorted(referentiel.regions.index))})."
                    else:
                        message += f" (attendu : {FORMATS_CODES[niveau]})."
                messages.append(message)
            releve.signaler(reste, colonne, brut, pd.Series(messages, index=lignes, dtype="object"))
        normalise.loc[codes.index] = trouves.astype("str")
    return normalise
