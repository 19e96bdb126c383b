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

from dataclasses import dataclass

import pandas as pd

from coverage.documents.format import format_nombre
from coverage.sources.codes import NIVEAUX_LIBELLES, SIRET_SIEGE_LA_POSTE, siret_valide, verifier_codes, verifier_siret
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
from coverage.sources.releve import Releve, dans, sans_accents, trier_problemes
from geo.reference import NIVEAUX, Referentiel
from geo.voisinage import classer_extensions

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


# --------------------------------------------------------------------------------------------
# Contrôles élémentaires
# --------------------------------------------------------------------------------------------


def _nombre_court(x: float) -> str:
    return format_nombre(x, 3, compact=True)


def _normaliser_enum(s: pd.Series) -> pd.Series:
    """`Collectivité` → `collectivite`, `Extension limitrophe` → `extension_limitrophe`."""
    return sans_accents(s.str.lower().str.strip()).str.replace(r"[\s\-']+", "_", regex=True)


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



# --------------------------------------------------------------------------------------------
# Typage d'un tableau selon son schéma
# --------------------------------------------------------------------------------------------


def _typer(tableau: TableauBrut, schema: Schema, releve: Releve, referentiel: Referentiel) -> pd.DataFrame | None:
    """Contrôle colonne par colonne et convertit ; None si une colonne obligatoire manque.

    Le résultat est indexé par numéro de ligne du tableur ; les valeurs en erreur y sont vides
    (NaN, `""`), les contrôles croisés s'en accommodent.
    """
    releve.erreurs.extend(tableau.erreurs)
    releve.avertissements.extend(tableau.avertissements)
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
            acceptee = dans(valeur, col.valeurs)
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
            types[col.nom] = verifier_siret(brut, releve, col.nom)
        elif col.type == "code":
            if col.nom in NIVEAUX:  # colonne `departement` ou `region` : le niveau est son nom
                niveaux = pd.Series(col.nom, index=brut.index, dtype="str")
                colonne_niveau = None
            else:  # colonne `code` d'un périmètre : le niveau est celui de la ligne
                niveaux = types["niveau"]
                colonne_niveau = "niveau"
            types[col.nom] = verifier_codes(
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
    cles: pd.Series, releve: Releve, *, colonne: str, objet: str
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
    rs, rp = Releve(structures.libelle), Releve(perimetres.libelle)
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
        sans_perimetre = (ts["id_structure"] != "") & ~dans(ts["id_structure"], tp["id_structure"])
        rs.signaler(
            sans_perimetre,
            "id_structure",
            ts["id_structure"],
            lambda v: f"la structure « {v} » n'a aucune ligne dans {perimetres.libelle} : elle ne couvre aucun territoire.",
            avertissement=True,
        )
    erreurs = trier_problemes(rs.erreurs, STRUCTURES) + trier_problemes(rp.erreurs, PERIMETRES)
    avertissements = trier_problemes(rs.avertissements, STRUCTURES) + trier_problemes(rp.avertissements, PERIMETRES)
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
    rp: Releve,
    *,
    brut_part: pd.Series,
    brut_code: pd.Series,
    ts: pd.DataFrame | None,
    fichier_structures: str,
    referentiel: Referentiel,
) -> None:
    ids = tp["id_structure"]
    if ts is not None:
        inconnue = (ids != "") & ~dans(ids, ts["id_structure"])
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
                f"({NIVEAUX_LIBELLES[n][0]} {c}, {referentiel.table(n).at[c, 'nom']}) ligne {p}"
                + (f" (« {b} » est lu comme {c})." if b != c else ".")
            ),
            avec=(cles["id_structure"], cles["niveau"], cles["code"], premiere, brut_code),
        )
    # Une extension prolonge un périmètre principal (le « limitrophe » de l'appel) : pas d'extension sans principal.
    roles = pd.DataFrame({"id": ids, "role": tp["role"], "ligne": tp.index})[(ids != "") & (tp["role"] != "")]
    par_role = roles.groupby("id", sort=False).agg(
        principal=("role", lambda r: (r == "principal").any()), premiere=("ligne", "first"),
        extensions=("ligne", lambda s: ", ".join(map(str, s))),
    )
    for sid, info in par_role[~par_role["principal"]].iterrows():
        rp.erreurs.append(
            Probleme(
                rp.fichier, int(info["premiere"]), "role", "extension",
                f"la structure « {sid} » n'a que des lignes en extension (lignes {info['extensions']}) et aucun "
                "périmètre principal : une extension prolonge un périmètre principal vers un territoire limitrophe ; "
                "ajoutez ses territoires principaux (role = principal).",
            )
        )
    _controler_limitrophes(tp, rp, ts=ts, sans_principal=set(par_role.index[~par_role["principal"].astype(bool)]), referentiel=referentiel)
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


def _territoire(referentiel: Referentiel, niveau: str, code: str) -> str:
    """« commune 2A004 (Ajaccio) »."""
    return f"{NIVEAUX_LIBELLES[niveau][0]} {code} ({referentiel.table(niveau).at[code, 'nom']})"


def _controler_limitrophes(
    tp: pd.DataFrame, rp: Releve, *, ts: pd.DataFrame | None, sans_principal: set[str], referentiel: Referentiel
) -> None:
    """Avertissement sur chaque extension qui ne touche pas le périmètre principal de sa structure.

    L'appel parle d'un facilitateur « limitrophe » dont le périmètre est étendu : une ligne
    `extension` doit toucher (frontière commune, `geo.voisinage`) ou recouper le périmètre
    principal de la même structure, quels que soient les niveaux. Une extension sans contact est
    signalée (l'import se fait : elle ne compte pas comme couverture limitrophe dans les zones
    blanches) ; une extension déjà comprise dans le périmètre principal aussi (elle n'ajoute rien).
    Les structures sans périmètre principal sont déjà en erreur et ne sont pas recontrôlées.
    """
    propres = (tp["id_structure"] != "") & (tp["niveau"] != "") & (tp["code"] != "") & (tp["role"] != "")
    propres &= ~tp["id_structure"].isin(list(sans_principal))
    lignes = tp[propres]
    if not (lignes["role"] == "extension").any():
        return
    statut = classer_extensions(lignes, referentiel=referentiel)
    noms = {} if ts is None else ts.drop_duplicates("id_structure").set_index("id_structure")["nom"].to_dict()
    principaux = lignes[lignes["role"] == "principal"].groupby("id_structure", sort=False).apply(
        lambda g: [_territoire(referentiel, n, c) for n, c in zip(g["niveau"], g["code"], strict=True)], include_groups=False
    )

    def structure(sid: str) -> str:
        nom = noms.get(sid, "")
        return f"la structure « {sid} »" + (f" ({nom})" if nom else "")

    def perimetre_principal(sid: str) -> str:
        liste = principaux[sid]
        texte = ", ".join(liste[:3])
        return texte + (f" et {len(liste) - 3} autre(s) territoire(s)" if len(liste) > 3 else "")

    for ligne in statut.index[statut == "non_limitrophe"]:
        sid, niveau, code = lignes.at[ligne, "id_structure"], lignes.at[ligne, "niveau"], lignes.at[ligne, "code"]
        rp.avertissements.append(Probleme(
            rp.fichier, int(ligne), "code", code,
            f"extension non limitrophe : {structure(sid)} étend son périmètre à {_territoire(referentiel, niveau, code)}, "
            f"qui ne touche pas son périmètre principal ({perimetre_principal(sid)}). L'appel parle d'un facilitateur "
            "« limitrophe » dont le périmètre est étendu à un territoire voisin : vérifiez le code ou le rôle ; "
            "importée telle quelle, cette extension ne compte pas comme couverture limitrophe dans les zones blanches.",
        ))
    for ligne in statut.index[statut == "interieure"]:
        sid, niveau, code = lignes.at[ligne, "id_structure"], lignes.at[ligne, "niveau"], lignes.at[ligne, "code"]
        rp.avertissements.append(Probleme(
            rp.fichier, int(ligne), "role", "extension",
            f"extension déjà comprise dans le périmètre principal : {_territoire(referentiel, niveau, code)} est dans le "
            f"périmètre principal de {structure(sid)} ({perimetre_principal(sid)}) ; cette ligne n'ajoute aucun territoire "
            "(retirez-la, ou mettez role = principal).",
        ))


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
    rd = Releve(dossiers.libelle)
    td = _typer(dossiers, DOSSIERS, rd, referentiel)
    if td is not None:
        _doublons(td["id_dossier"], rd, colonne="id_dossier", objet="dossier")
        ids = td["id_structure"]
        if structures is not None:
            connues = structures.drop_duplicates("id_structure").set_index("id_structure")
            inconnue = (ids != "") & ~dans(ids, connues.index)
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
    erreurs, avertissements = trier_problemes(rd.erreurs, DOSSIERS), trier_problemes(rd.avertissements, DOSSIERS)
    if erreurs:
        return ResultatValidation(erreurs, avertissements)
    return ResultatValidation(erreurs, avertissements, dossiers=_final(td, DOSSIERS))
