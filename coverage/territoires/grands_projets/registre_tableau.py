"""Le registre en tableau d'échange CSV ou XLSX (colonnes de `REGISTRE`), une ligne par projet."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd
import shapely
from shapely.geometry import MultiLineString

from coverage.documents.format import format_nombre
from coverage.modele import Colonne, Schema
from coverage.sources.lecture import lire_tableau
from coverage.territoires.grands_projets.modele import FORMES, LARGEUR_MAX_KM, GrandProjet, ProblemeRegistre, TypeProjet, _Lieu
from coverage.territoires.grands_projets.validation import _RE_EPCI, _TEXTES, _Brut, _liste_codes, _texte, _TraceBrute, _valider_tout
from geo.reference import Referentiel, charger_referentiel


REGISTRE = Schema(
    "grands_projets",
    (
        Colonne("id", "texte", True, "Identifiant unique du projet"),
        Colonne("nom", "texte", True, "Nom du projet"),
        Colonne("type", "texte", True, "Type de projet", tuple(t.value for t in TypeProjet)),
        Colonne("periode", "texte", False, "Période du projet, ex. `2022-2032`"),
        Colonne("source", "texte", True, "Source des faits (maître d'ouvrage, décret, site officiel)"),
        Colonne("indicatif", "booleen", False, "`oui` si l'emprise est une approximation"),
        Colonne("forme", "texte", True, "Forme de l'emprise", FORMES),
        Colonne(
            "codes",
            "code",
            False,
            "Territoires : codes INSEE de communes et SIREN d'EPCI séparés par des virgules ; tracé : communes "
            "dans l'ordre, branches séparées par `|`",
        ),
        Colonne(
            "largeur_km",
            "nombre",
            False,
            "Tracé : largeur du corridor en km (une valeur, ou une par branche séparées par `|`)",
            minimum=0,
            maximum=LARGEUR_MAX_KM,
        ),
        Colonne("geometrie_wkt", "texte", False, "Polygone (POLYGON, MULTIPOLYGON) ou ligne dessinée (LINESTRING, MULTILINESTRING) en WKT lon/lat"),
        Colonne("description", "texte", False, "Description du projet"),
        Colonne("avertissement", "texte", False, "Ce que l'emprise a d'approché (affiché avec le projet)"),
    ),
    (
        {
            "id": "canal-seine-nord-europe",
            "nom": "Canal Seine-Nord Europe",
            "type": "transport_fluvial",
            "periode": "2022-2032",
            "source": "Société du Canal Seine-Nord Europe",
            "indicatif": "oui",
            "forme": "trace",
            "codes": "60159,60471,80585,80620,62559,59023",
            "largeur_km": "10",
            "geometrie_wkt": "",
            "description": "",
            "avertissement": "Tracé approché par les villes des ports",
        },
    ),
)
"""Colonnes du tableau d'échange du registre (CSV `;` ou `,`, ou XLSX, feuille `grands_projets`)."""


def _brut_depuis_ligne(ligne: Mapping[str, str], lieu: _Lieu) -> _Brut:
    champs = {
        **{k: k for k in _TEXTES},
        "forme": "forme",
        "communes": "codes",
        "epci": "codes",
        "polygone": "geometrie_wkt",
        "vide_territoires": "codes",
        "vide_trace": "codes",
        "vide_polygone": "geometrie_wkt",
    }
    brut = _Brut(lieu=lieu, textes={k: _texte(ligne.get(k, "")) for k in _TEXTES}, champs=champs)
    forme = _texte(ligne.get("forme", "")).lower()
    if forme == "":
        brut.problemes.append(lieu.probleme(brut.textes["id"] or None, "forme", None, "forme d'emprise manquante (attendu : territoires, trace ou polygone)."))
        return brut
    brut.forme = forme
    codes = _texte(ligne.get("codes", ""))
    wkt = _texte(ligne.get("geometrie_wkt", ""))
    if forme == "territoires" and codes:
        elements = _liste_codes(codes)
        brut.epci = [e for e in elements if _RE_EPCI.match(e)]
        brut.communes = [e for e in elements if not _RE_EPCI.match(e)]
    elif forme == "polygone" and wkt:
        brut.polygone = wkt
    elif forme == "trace":
        branches: list[tuple[list[str] | None, object]] = [(_liste_codes(b), None) for b in codes.split("|") if b.strip()]
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.ShapelyError:
                geom = None
            if isinstance(geom, MultiLineString):
                branches += [(None, g) for g in geom.geoms]
            else:
                branches.append((None, wkt))
        largeurs = [x.strip() for x in _texte(ligne.get("largeur_km", "")).split("|")]
        if len(largeurs) not in (1, len(branches)):
            brut.problemes.append(
                lieu.probleme(
                    brut.textes["id"] or None,
                    "largeur_km",
                    ligne.get("largeur_km"),
                    f"{len(largeurs)} largeurs pour {len(branches)} branches (attendu : une largeur, ou une par branche séparées par `|`).",
                )
            )
            return brut
        for i, (codes_branche, geom) in enumerate(branches):
            brut.traces.append(
                _TraceBrute(
                    largeur=largeurs[i if len(largeurs) > 1 else 0],
                    champ_largeur="largeur_km",
                    codes=codes_branche,
                    champ_codes="codes",
                    ligne=geom,
                    champ_ligne="geometrie_wkt",
                )
            )
    return brut


def lire_registre_tableau(contenu: bytes, nom_fichier: str, *, referentiel: Referentiel | None = None) -> list[GrandProjet]:
    """Lit un registre en tableau CSV ou XLSX (colonnes de `REGISTRE`), une ligne par projet.

    `forme` : `territoires` (`codes` : communes et EPCI mêlés, un SIREN a 9 chiffres), `trace`
    (`codes` : communes dans l'ordre, branches séparées par `|` ; ou `geometrie_wkt` :
    LINESTRING/MULTILINESTRING ; `largeur_km`), `polygone` (`geometrie_wkt`). Un code commune à
    4 chiffres a perdu son zéro initial : `1001` est lu `01001`.

    Raises
    ------
    ErreurLecture
        Fichier illisible ou colonne obligatoire absente.
    ErreurRegistre
        Un problème par erreur, avec la ligne du tableur (en-tête = ligne 1) et la colonne.
    """
    referentiel = referentiel or charger_referentiel()
    tableau = lire_tableau(contenu, nom_fichier=nom_fichier, schema=REGISTRE)
    bruts = [
        _brut_depuis_ligne(ligne, _Lieu(tableau.libelle, ligne=int(numero), terme="colonne"))
        for numero, ligne in zip(tableau.donnees.index, tableau.donnees.to_dict("records"), strict=True)
    ]
    problemes = [
        ProblemeRegistre(p.fichier, p.ligne, p.colonne, p.valeur, p.message, terme="colonne") for p in tableau.erreurs
    ]
    return _valider_tout(bruts, referentiel, problemes)


def _echapper(texte: str) -> str:
    """Une cellule commençant par = + - @ serait lue comme une formule par le tableur."""
    return "'" + texte if texte[:1] in ("=", "+", "-", "@") else texte


def _ligne_tableau(p: GrandProjet) -> dict[str, str]:
    codes, wkt, largeurs = "", "", ""
    if p.forme == "territoires":
        codes = ",".join([*p.communes, *p.epci])
    elif p.forme == "polygone":
        wkt = p.polygone or ""
    else:
        par_communes = [t for t in p.traces if t.communes]
        par_ligne = [t for t in p.traces if not t.communes]
        codes = "|".join(",".join(t.communes) for t in par_communes)
        lignes = [shapely.from_wkt(t.ligne) for t in par_ligne]
        if len(lignes) == 1:
            wkt = shapely.to_wkt(lignes[0], rounding_precision=6, trim=True)
        elif lignes:
            wkt = shapely.to_wkt(MultiLineString(lignes), rounding_precision=6, trim=True)
        valeurs = [format_nombre(t.largeur_km, 3, compact=True).replace("\u00a0", "") for t in [*par_communes, *par_ligne]]
        largeurs = valeurs[0] if len(set(valeurs)) == 1 else "|".join(valeurs)
    return {
        "id": p.id,
        "nom": p.nom,
        "type": p.type.value,
        "periode": p.periode,
        "source": p.source,
        "indicatif": "oui" if p.indicatif else "non",
        "forme": p.forme,
        "codes": codes,
        "largeur_km": largeurs,
        "geometrie_wkt": wkt,
        "description": p.description,
        "avertissement": p.avertissement,
    }


def exporter_registre_tableau(projets: Sequence[GrandProjet], *, format: Literal["csv", "xlsx"] = "csv") -> bytes:
    """Le registre en tableau (colonnes de `REGISTRE`), relu à l'identique par `lire_registre_tableau`.

    CSV : séparateur `;`, UTF-8 avec BOM (ouvert tel quel par Excel). XLSX : feuille
    `grands_projets`, toutes les cellules en texte (les codes gardent leurs zéros).
    """
    lignes = [{k: _echapper(v) for k, v in _ligne_tableau(p).items()} for p in projets]
    table = pd.DataFrame(lignes, columns=REGISTRE.noms, dtype="str")
    if format == "csv":
        return table.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")
    if format == "xlsx":
        import openpyxl  # import local : seul l'export XLSX en a besoin

        classeur = openpyxl.Workbook()
        feuille = classeur.active
        feuille.title = REGISTRE.nom
        feuille.append(REGISTRE.noms)
        for ligne in table.itertuples(index=False):
            feuille.append(list(ligne))
        for cellule in feuille[1]:
            cellule.font = openpyxl.styles.Font(bold=True)
        sortie = io.BytesIO()
        classeur.save(sortie)
        return sortie.getvalue()
    raise ValueError(f"format « {format} » inconnu (attendu : csv ou xlsx).")
