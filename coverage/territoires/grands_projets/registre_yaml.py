"""Le registre en YAML (`data/grands_projets.yaml`) : lecture, écriture atomique, ajout d'un projet."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from coverage.sources.limites import verifier_profondeur_yaml
from coverage.sources.problemes import ErreurLecture
from coverage.territoires.grands_projets.modele import FICHIER_REGISTRE, ErreurRegistre, GrandProjet, _Lieu
from coverage.territoires.grands_projets.validation import _TEXTES, _Brut, _TraceBrute, _liste_codes, _texte, _valider_tout
from geo.reference import MILLESIME, Referentiel, charger_referentiel


_LIGNE = "__ligne__"
_CHAMPS_YAML = (
    "id", "nom", "type", "periode", "source", "indicatif", "description", "avertissement",
    "territoires", "trace", "traces", "polygone",
)  # fmt: skip


class _ChargeurYaml(yaml.BaseLoader):
    """Toutes les valeurs en chaînes (`01001` n'est pas lu comme un nombre octal) et la ligne de chaque objet."""


def _objet_avec_ligne(chargeur: yaml.BaseLoader, noeud: yaml.MappingNode) -> dict:
    objet = chargeur.construct_mapping(noeud, deep=True)
    objet[_LIGNE] = noeud.start_mark.line + 1
    return objet


_ChargeurYaml.add_constructor("tag:yaml.org,2002:map", _objet_avec_ligne)


def _champs_yaml() -> dict[str, str | None]:
    return {
        **{k: k for k in _TEXTES},
        "forme": None,  # l'emprise manquante ou en double porte sur l'entrée entière
        "communes": "territoires.communes",
        "epci": "territoires.epci",
        "polygone": "polygone",
        "vide_territoires": "territoires",
        "vide_trace": "trace",
        "vide_polygone": "polygone",
    }


def _brut_depuis_objet(objet: Mapping, lieu: _Lieu) -> _Brut:
    """Une entrée YAML (ou un projet re-sérialisé) en entrée brute."""
    ident = _texte(objet.get("id")) if isinstance(objet.get("id"), str) else ""
    brut = _Brut(lieu=lieu, textes={}, champs=_champs_yaml())
    for cle in objet:
        if cle != _LIGNE and cle not in _CHAMPS_YAML:
            brut.problemes.append(lieu.probleme(ident or None, str(cle), None, f"champ inconnu (champs attendus : {', '.join(_CHAMPS_YAML)})."))
    for cle in _TEXTES:
        valeur = objet.get(cle)
        if isinstance(valeur, (dict, list)):
            brut.problemes.append(lieu.probleme(ident or None, cle, None, "une valeur simple est attendue, pas une liste ni un objet."))
            valeur = None
        brut.textes[cle] = _texte(valeur)
    if "territoires" in objet:
        terr = objet["territoires"]
        if not isinstance(terr, Mapping):
            brut.problemes.append(lieu.probleme(ident or None, "territoires", None, "objet attendu avec `communes` et/ou `epci` (listes de codes)."))
            brut.communes = []
        else:
            for cle in terr:
                if cle not in ("communes", "epci", _LIGNE):
                    brut.problemes.append(lieu.probleme(ident or None, f"territoires.{cle}", None, "champ inconnu (attendu : communes, epci)."))
            brut.communes = _liste_codes(terr.get("communes")) if "communes" in terr else None
            brut.epci = _liste_codes(terr.get("epci")) if "epci" in terr else None
            if brut.communes is None and brut.epci is None:
                brut.communes = []
    traces: list[tuple[object, str]] = []
    if "trace" in objet or "traces" in objet:
        brut.formes_vues.add("trace")
    if "trace" in objet:
        traces.append((objet["trace"], "trace"))
    if "traces" in objet:
        if isinstance(objet["traces"], list):
            traces += [(t, f"traces[{i}]") for i, t in enumerate(objet["traces"], start=1)]
        else:
            brut.problemes.append(lieu.probleme(ident or None, "traces", None, "liste de tracés attendue (chacun avec `communes` ou `ligne`, et `largeur_km`)."))
    for t, nom in traces:
        if not isinstance(t, Mapping):
            brut.problemes.append(lieu.probleme(ident or None, nom, None, "objet attendu avec `communes` (ou `ligne`) et `largeur_km`."))
            continue
        for cle in t:
            if cle not in ("communes", "ligne", "largeur_km", _LIGNE):
                brut.problemes.append(lieu.probleme(ident or None, f"{nom}.{cle}", None, "champ inconnu (attendu : communes ou ligne, largeur_km)."))
        if ("communes" in t) == ("ligne" in t):
            brut.problemes.append(lieu.probleme(ident or None, nom, None, "donnez soit `communes` (liste ordonnée de codes INSEE), soit `ligne` (WKT), pas les deux."))
            continue
        brut.traces.append(
            _TraceBrute(
                largeur=t.get("largeur_km"),
                champ_largeur=f"{nom}.largeur_km",
                codes=_liste_codes(t["communes"]) if "communes" in t else None,
                champ_codes=f"{nom}.communes",
                ligne=t.get("ligne"),
                champ_ligne=f"{nom}.ligne",
            )
        )
    if "polygone" in objet:
        brut.polygone = objet["polygone"] if objet["polygone"] not in (None, "") else ""
    return brut


def projets_depuis_yaml(
    texte: str, *, nom_fichier: str = "grands_projets.yaml", referentiel: Referentiel | None = None
) -> list[GrandProjet]:
    """Lit un registre YAML (texte) et le valide.

    Le texte est soit une liste de projets, soit un objet avec une clé `projets` (et,
    facultativement, `version`, `millesime`, `description`). Toutes les valeurs sont lues comme
    du texte : `01001` garde son zéro, `indicatif: true` ou `oui`, `largeur_km: 7,5` ou `7.5`.

    Raises
    ------
    ErreurRegistre
        Avec un problème par erreur trouvée (ligne du fichier, projet, champ).
    """
    referentiel = referentiel or charger_referentiel()
    fichier = _Lieu(nom_fichier)
    try:
        verifier_profondeur_yaml(texte, nom_fichier)  # avant la construction des objets, récursive
    except ErreurLecture as exc:
        raise ErreurRegistre([fichier.probleme(None, None, None, exc.probleme.message)]) from exc
    try:
        donnees = yaml.load(texte, Loader=_ChargeurYaml)  # noqa: S506 — chargeur dérivé de BaseLoader : que des chaînes
    except yaml.YAMLError as exc:
        marque = getattr(exc, "problem_mark", None)
        lieu = _Lieu(nom_fichier, ligne=marque.line + 1 if marque else None)
        message = (
            "YAML illisible : vérifiez l'indentation (les champs d'un projet alignés sous `id`, deux espaces "
            "par niveau), les guillemets et les crochets fermés sur cette ligne ou la précédente."
        )
        raise ErreurRegistre([lieu.probleme(None, None, None, message)]) from exc
    if donnees in (None, ""):
        return []
    if isinstance(donnees, Mapping):
        inconnues = [k for k in donnees if k not in ("projets", "version", "millesime", "description", _LIGNE)]
        if inconnues:
            raise ErreurRegistre(
                [fichier.probleme(None, k, None, "clé inconnue au premier niveau (attendu : projets, version, millesime, description).") for k in inconnues]
            )
        donnees = donnees.get("projets") or []
    if not isinstance(donnees, list):
        raise ErreurRegistre([fichier.probleme(None, "projets", None, "une liste de projets est attendue.")])
    bruts, problemes = [], []
    for i, objet in enumerate(donnees, start=1):
        if not isinstance(objet, Mapping):
            problemes.append(_Lieu(nom_fichier, position=f"projet n° {i}").probleme(None, None, None, "un objet est attendu (id, nom, type…), pas une valeur simple."))
            continue
        bruts.append(_brut_depuis_objet(objet, _Lieu(nom_fichier, ligne=objet.get(_LIGNE))))
    return _valider_tout(bruts, referentiel, problemes)


def charger_registre(chemin: str | Path | None = None, *, referentiel: Referentiel | None = None) -> list[GrandProjet]:
    """Charge et valide le registre YAML (par défaut `data/grands_projets.yaml`).

    Examples
    --------
    >>> projets = charger_registre()
    >>> projets[0].forme
    'trace'
    """
    chemin = Path(chemin) if chemin else FICHIER_REGISTRE
    return projets_depuis_yaml(chemin.read_text(encoding="utf-8"), nom_fichier=chemin.name, referentiel=referentiel)


class _ListeEnLigne(list):
    """Liste écrite sur une ligne (`[a, b]`) dans le YAML."""


class _Ecrivain(yaml.SafeDumper):
    pass


_Ecrivain.add_representer(_ListeEnLigne, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _nombre_yaml(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _objet_depuis_projet(p: GrandProjet) -> dict:
    objet: dict[str, object] = {"id": p.id, "nom": p.nom, "type": p.type.value}
    if p.periode:
        objet["periode"] = p.periode
    objet["source"] = p.source
    objet["indicatif"] = p.indicatif
    for cle in ("avertissement", "description"):
        if getattr(p, cle):
            objet[cle] = getattr(p, cle)
    if p.forme == "territoires":
        terr = {}
        if p.communes:
            terr["communes"] = _ListeEnLigne(p.communes)
        if p.epci:
            terr["epci"] = _ListeEnLigne(p.epci)
        objet["territoires"] = terr
    elif p.forme == "polygone":
        objet["polygone"] = p.polygone
    else:
        traces = [
            {"communes": _ListeEnLigne(t.communes), "largeur_km": _nombre_yaml(t.largeur_km)}
            if t.communes
            else {"ligne": t.ligne, "largeur_km": _nombre_yaml(t.largeur_km)}
            for t in p.traces
        ]
        if len(traces) == 1:
            objet["trace"] = traces[0]
        else:
            objet["traces"] = traces
    return objet


def projets_vers_yaml(projets: Sequence[GrandProjet]) -> str:
    """Écrit des projets au format du registre YAML (relu à l'identique par `projets_depuis_yaml`)."""
    entete = (
        "# Registre des grands projets (format : docs/grands_projets.md).\n"
        f"# Codes INSEE des communes et SIREN des EPCI du {MILLESIME} ; géométries en lon/lat (EPSG:4326).\n"
    )
    corps = yaml.dump(
        {"version": 1, "millesime": MILLESIME, "projets": [_objet_depuis_projet(p) for p in projets]},
        Dumper=_Ecrivain,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=110,
    )
    return entete + corps


def valider_projet(projet: GrandProjet, *, referentiel: Referentiel | None = None, nom_fichier: str = "projet saisi") -> None:
    """Contrôle un projet construit en mémoire avec les mêmes règles que le registre.

    Raises
    ------
    ErreurRegistre
    """
    referentiel = referentiel or charger_referentiel()
    objet = yaml.load(yaml.dump(_objet_depuis_projet(projet), Dumper=_Ecrivain, allow_unicode=True), Loader=_ChargeurYaml)  # noqa: S506
    objet.pop(_LIGNE, None)
    _valider_tout([_brut_depuis_objet(objet, _Lieu(nom_fichier))], referentiel)


def ajouter_projet(
    registre: Sequence[GrandProjet],
    projet: GrandProjet,
    *,
    referentiel: Referentiel | None = None,
    remplacer: bool = False,
) -> list[GrandProjet]:
    """Nouvelle liste avec le projet ajouté à la fin (ou remplaçant celui de même id si `remplacer`).

    Raises
    ------
    ErreurRegistre
        Projet invalide, ou identifiant déjà utilisé sans `remplacer=True`.
    """
    valider_projet(projet, referentiel=referentiel)
    existants = [p.id for p in registre]
    if projet.id in existants:
        if not remplacer:
            raise ErreurRegistre(
                [_Lieu("registre").probleme(projet.id, "id", projet.id, f"identifiant « {projet.id} » déjà utilisé : choisissez-en un autre.")]
            )
        return [projet if p.id == projet.id else p for p in registre]
    return [*registre, projet]


def ecrire_registre_yaml(projets: Sequence[GrandProjet], chemin: str | Path, *, referentiel: Referentiel | None = None) -> None:
    """Valide les projets puis écrit le registre YAML (écriture atomique : tout ou rien).

    Raises
    ------
    ErreurRegistre
        Un projet invalide ou un identifiant en double : le fichier n'est pas touché.
    """
    texte = projets_vers_yaml(projets)
    projets_depuis_yaml(texte, nom_fichier=Path(chemin).name, referentiel=referentiel)  # même validation qu'à la lecture
    chemin = Path(chemin)
    descripteur, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.", suffix=".tmp")
    try:
        with os.fdopen(descripteur, "w", encoding="utf-8") as f:
            f.write(texte)
        os.replace(temporaire, chemin)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise
