"""Lecture des DECP au format JSON consolidé (schémas 2019 et 2024).

Deux chemins : une lecture rapide par Apache Arrow quand le fichier a les types du schéma, sinon
une lecture Python par fenêtres qui tolère les écarts de type et situe chaque erreur.
"""

from __future__ import annotations

import codecs
import gc
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from coverage.sources.decp.modele import erreur_fichier
from coverage.sources.limites import exiger_utf8_json, message_json, verifier_profondeur_json

_FENETRE_JSON = 8 << 20  # octets décodés à la fois
_RE_DEBUT_JSON = re.compile(rb'\A\s*(?:\{\s*"marches"\s*:\s*(?:\{\s*"marche"\s*:\s*)?)?\[')
_RE_CONCESSIONS = re.compile(rb'\A\s*,\s*"contrat-concession"\s*:\s*\[')
_RE_SEPARATEURS_JSON = re.compile(r"[\s,]*")

CHAMPS_JSON = (
    "id", "acheteur_siret", "acheteur_nom", "nature", "objet", "code_cpv", "procedure", "montant",
    "date_notification", "lieu_code", "lieu_type", "considerations_sociales",
)  # fmt: skip


def _objet(valeur: object) -> dict:
    if isinstance(valeur, dict):
        return valeur
    if isinstance(valeur, list) and valeur and isinstance(valeur[0], dict):
        return valeur[0]
    return {}


def _joindre_considerations(valeur: object) -> str | None:
    """`("Clause sociale", "Critère social")` → `"Clause sociale, Critère social"` ; None si vide."""
    if valeur is None:
        return None
    if isinstance(valeur, tuple | list):
        textes = [str(v).strip() for v in valeur if v is not None and str(v).strip()]
        return ", ".join(textes) if textes else None
    texte = str(valeur).strip()
    return texte or None


def _extraire(r: object, _dict: type = dict, _list: type = list) -> tuple:
    """Les champs utiles d'un marché (ou d'un contrat de concession) du JSON, dans l'ordre de `CHAMPS_JSON`.

    Les considérations sociales restent brutes (tuple, chaîne ou None) : elles sont jointes plus
    tard, une fois par valeur distincte. Appelée une fois par marché : écrite pour la vitesse.
    """
    if type(r) is not _dict:
        return (None,) * len(CHAMPS_JSON)
    g = r.get
    acheteur = g("acheteur")
    nature = g("nature")
    if acheteur is None:
        acheteur = g("autoriteConcedante")
        if acheteur is not None and nature is None:
            nature = "Contrat de concession"
    if type(acheteur) is _dict:
        siret, nom = acheteur.get("id"), acheteur.get("nom")
    else:
        siret, nom = acheteur, None
    lieu = g("lieuExecution")
    if type(lieu) is not _dict:
        lieu = _objet(lieu)
    montant = g("montant")
    if montant is None:
        montant = g("valeurGlobale")
    sociales = g("considerationsSociales")
    if type(sociales) is _dict:
        sociales = sociales.get("considerationSociale", sociales.get("considerationsSociale"))
    if type(sociales) is _list:
        sociales = tuple(sociales)
    return (
        g("id"), siret, nom, nature, g("objet"), g("codeCPV"), g("procedure"), montant,
        g("dateNotification") or g("dateSignature"), lieu.get("code"), lieu.get("typeCode"), sociales,
    )  # fmt: skip


def _lieu_json(contenu: bytes, position: int) -> str:
    avant = contenu[:position]
    ligne = avant.count(b"\n") + 1
    colonne = position - (avant.rfind(b"\n") + 1) + 1
    return f"ligne {ligne}, colonne {colonne}"


def _lire_tableau_json(contenu: bytes, debut: int, nom_fichier: str) -> tuple[list[tuple], int]:
    """Lit, enregistrement par enregistrement, le tableau JSON qui commence à l'octet `debut` (après `[`).

    Le texte est décodé par fenêtres de quelques Mo : le fichier n'est jamais converti en entier
    en chaîne Python ni en objets (un DECP national dépasse le gigaoctet une fois décodé).
    Rend les enregistrements extraits et l'octet qui suit le `]` fermant.
    """
    decodeur_json = json.JSONDecoder()
    decodeur = codecs.getincrementaldecoder("utf-8")(errors="strict")
    lus: list[tuple] = []
    extraire = _extraire
    separateurs = _RE_SEPARATEURS_JSON.match
    taille = len(contenu)
    fin_lue = debut
    tampon = ""
    i = 0
    octets_avant_tampon = debut  # octets consommés avant le début de `tampon` (position approchée)

    def lire_suite() -> str:
        nonlocal fin_lue
        morceau = contenu[fin_lue : fin_lue + _FENETRE_JSON]
        fin_lue += len(morceau)
        try:
            return decodeur.decode(morceau, final=fin_lue >= taille)
        except UnicodeDecodeError as exc:
            raise erreur_fichier(nom_fichier, "fichier illisible : le JSON doit être encodé en UTF-8.") from exc

    while True:
        i = separateurs(tampon, i).end()
        if i >= len(tampon):
            if fin_lue >= taille:
                raise erreur_fichier(nom_fichier, "JSON invalide : le tableau des marchés n'est pas fermé (fichier tronqué ?).")
            octets_avant_tampon += len(tampon[:i].encode("utf-8"))
            tampon, i = lire_suite(), 0
            continue
        if tampon[i] == "]":
            consommes = len(tampon[: i + 1].encode("utf-8"))
            return lus, octets_avant_tampon + consommes
        try:  # imbrication déjà bornée (`verifier_profondeur_json`, dans `lire_json`) : pas de récursion profonde
            objet, j = decodeur_json.raw_decode(tampon, i)
        except json.JSONDecodeError as exc:
            if fin_lue < taille:  # enregistrement coupé par la fenêtre : lire la suite
                octets_avant_tampon += len(tampon[:i].encode("utf-8"))
                tampon, i = tampon[i:] + lire_suite(), 0
                continue
            position = octets_avant_tampon + len(tampon[: exc.pos].encode("utf-8"))
            raise erreur_fichier(
                nom_fichier,
                f"JSON invalide ({_lieu_json(contenu, position)}, marché n° {len(lus) + 1}) : {message_json(exc)}.",
            ) from exc
        lus.append(extraire(objet))
        i = j


def _lire_marches_json(contenu: bytes, nom_fichier: str) -> tuple[list[tuple], list[tuple]]:
    entete = _RE_DEBUT_JSON.match(contenu[:4096])
    if entete is None:
        return _lire_json_complet(contenu, nom_fichier)
    marches, fin = _lire_tableau_json(contenu, entete.end(), nom_fichier)
    concessions: list[tuple] = []
    suite = _RE_CONCESSIONS.match(contenu[fin : fin + 4096])
    if suite is not None:
        concessions, fin = _lire_tableau_json(contenu, fin + suite.end(), nom_fichier)
    if contenu[fin:].strip(b" \t\r\n}"):
        # Structure inattendue après le tableau (autres clés) : lecture complète, plus lente.
        return _lire_json_complet(contenu, nom_fichier)
    return marches, concessions


def _schema_arrow(*, enveloppe: bool) -> pa.Schema:
    """Schéma Arrow des seuls champs utiles (les autres sont ignorés par le lecteur).

    Un même type d'enregistrement sert aux marchés et aux contrats de concession (champs
    `autoriteConcedante`, `valeurGlobale`, `dateSignature`), comme dans l'ancien schéma où les deux
    se mêlent dans la liste `marches`.
    """
    texte = pa.string()
    identite = pa.struct([pa.field("id", texte), pa.field("nom", texte)])
    contrat = pa.struct(
        [
            pa.field("id", texte),
            pa.field("acheteur", identite),
            pa.field("autoriteConcedante", identite),
            pa.field("nature", texte),
            pa.field("objet", texte),
            pa.field("codeCPV", texte),
            pa.field("procedure", texte),
            pa.field("montant", pa.float64()),
            pa.field("valeurGlobale", pa.float64()),
            pa.field("dateNotification", texte),
            pa.field("dateSignature", texte),
            pa.field("lieuExecution", pa.struct([pa.field("code", texte), pa.field("typeCode", texte)])),
            pa.field("considerationsSociales", pa.struct([pa.field("considerationSociale", pa.list_(texte))])),
        ]
    )
    if not enveloppe:  # `{"marches": [...]}`
        return pa.schema([pa.field("marches", pa.list_(contrat))])
    return pa.schema(
        [pa.field("marches", pa.struct([pa.field("marche", pa.list_(contrat)),
                                        pa.field("contrat-concession", pa.list_(contrat))]))]
    )  # fmt: skip


def _lire_json_arrow(contenu: bytes) -> tuple[pd.DataFrame, int] | None:
    """Lecture rapide (C++, Apache Arrow) d'un JSON consolidé aux types conformes au schéma.

    Rend None si le fichier sort du cas simple (tableau seul, montant écrit en chaîne, identifiant
    écrit en nombre, considérations sociales en liste, fichier de plus de 2 Go…) : la lecture
    Python, plus lente mais tolérante, prend alors le relais.
    """
    entete = _RE_DEBUT_JSON.match(contenu[:4096])
    if entete is None or not entete.group(0).lstrip().startswith(b"{") or len(contenu) >= 2**31 - 1:
        return None
    enveloppe = b'"marche"' in entete.group(0)
    options = pj.ParseOptions(
        explicit_schema=_schema_arrow(enveloppe=enveloppe), unexpected_field_behavior="ignore",
        newlines_in_values=True,
    )  # fmt: skip
    try:
        table = pj.read_json(
            pa.py_buffer(contenu), read_options=pj.ReadOptions(block_size=len(contenu) + 1), parse_options=options
        )
        if table.num_rows != 1:
            return None
        racine = table.column("marches").combine_chunks()
        if enveloppe:
            marches = pc.list_flatten(pc.struct_field(racine, "marche"))
            concessions = pc.list_flatten(pc.struct_field(racine, "contrat-concession"))
            contrats = pa.concat_arrays([marches, concessions])
        else:
            contrats = pc.list_flatten(racine)
            concessions = pa.array([], type=contrats.type)
    except (pa.ArrowException, ValueError, KeyError):
        return None

    def champ(*chemin: str) -> pa.Array:
        return pc.struct_field(contrats, list(chemin))

    nature = pc.if_else(
        pc.and_(pc.is_null(champ("nature")), pc.is_valid(champ("autoriteConcedante"))),
        pa.scalar("Contrat de concession"),
        champ("nature"),
    )
    colonnes = {
        "id": champ("id"),
        "acheteur_siret": pc.coalesce(champ("acheteur", "id"), champ("autoriteConcedante", "id")),
        "acheteur_nom": pc.coalesce(champ("acheteur", "nom"), champ("autoriteConcedante", "nom")),
        "nature": nature,
        "objet": champ("objet"),
        "code_cpv": champ("codeCPV"),
        "procedure": champ("procedure"),
        "montant": pc.coalesce(champ("montant"), champ("valeurGlobale")),
        "date_notification": pc.coalesce(champ("dateNotification"), champ("dateSignature")),
        "lieu_code": champ("lieuExecution", "code"),
        "lieu_type": champ("lieuExecution", "typeCode"),
        "considerations_sociales": pc.binary_join(champ("considerationsSociales", "considerationSociale"), ", "),
    }
    brut = pd.DataFrame({nom: colonnes[nom].to_pandas() for nom in CHAMPS_JSON})
    brut.insert(0, "ligne", np.arange(1, len(brut) + 1, dtype="int64"))
    return brut, len(concessions)


def lire_json(contenu: bytes, nom_fichier: str) -> tuple[pd.DataFrame, list[str]]:
    avertissements: list[str] = []
    # UTF-8 vérifié d'abord : le lecteur Arrow accepterait un Windows-1252 qui casserait l'export plus tard.
    exiger_utf8_json(contenu, nom_fichier)
    verifier_profondeur_json(contenu, nom_fichier, attendu="un marché DECP n'a que quelques niveaux ; ce n'est pas un fichier DECP")
    rapide = _lire_json_arrow(contenu)
    if rapide is not None:
        brut, nb_concessions = rapide
        if nb_concessions:
            avertissements.append(_message_concessions(nom_fichier, nb_concessions))
        return (brut if len(brut) else pd.DataFrame()), avertissements
    ramasse_miettes = gc.isenabled()
    gc.disable()  # des centaines de milliers de petits objets : le ramasse-miettes ralentirait tout
    try:
        marches, concessions = _lire_marches_json(contenu, nom_fichier)
    finally:
        if ramasse_miettes:
            gc.enable()
    if concessions:
        avertissements.append(_message_concessions(nom_fichier, len(concessions)))
    lignes = marches + concessions
    del marches[:]
    if not lignes:
        return pd.DataFrame(), avertissements
    colonnes = {}
    for nom, valeurs in zip(CHAMPS_JSON, zip(*lignes)):
        tableau = np.empty(len(lignes), dtype=object)
        tableau[:] = valeurs
        colonnes[nom] = tableau
    del lignes
    sociales = pd.Series(colonnes["considerations_sociales"], dtype=object)
    uniques = pd.unique(sociales.dropna())
    colonnes["considerations_sociales"] = sociales.map({v: _joindre_considerations(v) for v in uniques}).to_numpy()
    brut = pd.DataFrame(colonnes, dtype=object)
    brut.insert(0, "ligne", np.arange(1, len(brut) + 1, dtype="int64"))
    return brut, avertissements


def _message_concessions(nom_fichier: str, nombre: int) -> str:
    return (
        f"{nom_fichier} : {nombre} contrat(s) de concession lu(s) avec les marchés ; le schéma 2024 ne leur "
        "donne pas de lieu d'exécution, ils sont comptés parmi les contrats non placés."
    )


def _lire_json_complet(contenu: bytes, nom_fichier: str) -> tuple[list[tuple], list[tuple]]:
    try:
        donnees = json.loads(contenu)
    except UnicodeDecodeError as exc:
        raise erreur_fichier(nom_fichier, "fichier illisible : le JSON doit être encodé en UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise erreur_fichier(nom_fichier, f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {message_json(exc)}.") from exc
    marches: object = donnees
    concessions: object = []
    if isinstance(donnees, dict):
        if "marches" not in donnees:
            raise erreur_fichier(
                nom_fichier,
                "aucun tableau `marches` dans le JSON (attendu : le format des DECP consolidées, "
                '`{"marches": {"marche": [...]}}` ou `{"marches": [...]}`).',
            )
        marches = donnees["marches"]
        if isinstance(marches, dict):
            concessions = marches.get("contrat-concession", [])
            marches = marches.get("marche", [])
    if isinstance(marches, dict):  # un seul marché, comme dans les exemples du schéma
        marches = [marches]
    if isinstance(concessions, dict):
        concessions = [concessions]
    if not isinstance(marches, list) or not isinstance(concessions, list):
        raise erreur_fichier(nom_fichier, "le champ `marches` doit contenir un tableau de marchés.")
    return [_extraire(r) for r in marches], [_extraire(r) for r in concessions]

