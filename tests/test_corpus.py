"""Le corpus de fichiers hostiles (`tests/corpus/`) passé par la ligne de commande et par le chemin
d'import de la page Données : chaque fichier est refusé par une phrase en français qui nomme le
fichier (et la ligne quand il y en a une), sans trace Python, sans toucher l'espace de travail, en
un temps borné (mesuré, jamais attendu).

Les gros fichiers (bombes de décompression, million de lignes, 10 000 codes inconnus…) sont
fabriqués au moment du test par `tests/corpus/generer.py` dans un dossier temporaire.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coverage.cli import main
from coverage.espace import ouvrir_espace
from coverage.sources.donnees import importer_fichiers
from coverage.sources.fichiers_besoins import verifier_fichier_besoins
from coverage.sources.lecture import ErreurLecture
from coverage.territoires.grands_projets import ErreurRegistre
from coverage.territoires.grands_projets.registre_geojson import lire_registre_geojson
from geo.reference import charger_referentiel
from tests.corpus.generer import GENERES, generer

RACINE = Path(__file__).resolve().parent.parent
CORPUS = RACINE / "tests" / "corpus"
APPUI = CORPUS / "appui"
DUREE_MAX_S = 30.0  # borne large (machine partagée) ; sur un poste libre, chaque fichier répond en moins de 10 s

# Fichier → motif attendu dans le message (nom du fichier compris ; ligne quand le défaut en a une).
ATTENDUS: dict[str, str] = {
    # Fichiers d'échange : structures
    "structures/vide.csv": r"vide\.csv : le fichier est vide\.",
    "structures/blancs.csv": r"blancs\.csv : le fichier est vide\.",
    "structures/bom_seul.csv": r"bom_seul\.csv : le fichier est vide\.",
    "structures/entete_seule.csv": r"entete_seule\.csv : aucune ligne de données",
    "structures/binaire.csv": r"binaire\.csv : fichier illisible : il contient des données binaires",
    "structures/classeur_renomme.csv": r"classeur_renomme\.csv : fichier illisible : son contenu est un classeur Excel",
    "structures/octets_hors_windows_1252.csv": r"octets_hors_windows_1252\.csv : fichier illisible : ce n'est pas un texte en UTF-8 ni en Windows-1252",
    "structures/guillemet_non_ferme.csv": r"guillemet_non_ferme\.csv, ligne 3 : guillemet ouvert \(ligne 3 du fichier texte\) et jamais fermé",
    "structures/colonne_en_double.csv": r"colonne_en_double\.csv : la colonne `nom` figure deux fois dans l'en-tête \(colonnes 2 et 9\)",
    "structures/colonne_manquante.csv": r"colonne_manquante\.csv, ligne 1, colonne `etp_facilitateur` : colonne obligatoire `etp_facilitateur` absente",
    "structures/trop_de_valeurs.csv": r"trop_de_valeurs\.csv, ligne 3 : 10 valeurs pour 8 colonnes d'en-tête",
    "structures/etp_negatif.csv": r"etp_negatif\.csv, ligne 2, colonne `etp_facilitateur` : « -1 » n'est pas un nombre d'ETP valide",
    "structures/etp_infini.csv": r"etp_infini\.csv, ligne 2, colonne `etp_facilitateur` : « 1e309 » n'est pas un nombre d'ETP valide",
    "structures/etp_nan_inf.csv": r"etp_nan_inf\.csv, ligne 2, colonne `etp_coordinateur` : « inf » n'est pas un nombre d'ETP valide",
    "structures/etp_separateur_arabe.csv": r"etp_separateur_arabe\.csv, ligne 2, colonne `etp_facilitateur` : « ٣٫٥ » n'est pas un nombre",
    "structures/siret_chiffres_arabes.csv": r"siret_chiffres_arabes\.csv, ligne 2, colonne `siret` : « ٩٦٨٧٩٣٠٤٢٠٠٠١٩ » n'est pas un SIRET valide",
    "structures/statut_markdown.csv": r"statut_markdown\.csv, ligne 2, colonne `statut` : « !\[p\]\(http://exemple\.invalid/p\.png\)",
    "structures/separateur_barre.csv": r"separateur_barre\.csv, ligne 1, colonne `id_structure` : colonne obligatoire",
    "structures/entete_vide.csv": r"entete_vide\.csv : la ligne 1 doit contenir les noms de colonnes ; elle est vide\.",
    "structures/annees_en_chiffres_pleine_chasse_fausses.csv": r"annees_en_chiffres_pleine_chasse_fausses\.csv, ligne 2, colonne `financement_pnad` : « ２０２２,９９ »",
    "structures/departement_inconnu.csv": r"departement_inconnu\.csv, ligne 2, colonne `departement` : code département « 99 » inconnu au COG 2026",
    "structures/identifiant_double.csv": r"identifiant_double\.csv, ligne 3, colonne `id_structure` : identifiant « S0001 » déjà utilisé ligne 2",
    "structures/fins_de_ligne_cr.csv": r"fins_de_ligne_cr\.csv, ligne 2, colonne `etp_facilitateur` : « x » n'est pas un nombre d'ETP valide",
    "structures/utf16_sans_bom.csv": r"utf16_sans_bom\.csv : fichier illisible : il contient des données binaires",
    "structures/sep_indique_faux.csv": r"sep_indique_faux\.csv, ligne 1, colonne `id_structure` : colonne obligatoire",
    "structures/structures.pdf": r"structures\.pdf : extension « \.pdf » non reconnue",
    "structures/structures.xls": r"structures\.xls : le format Excel 97-2003 \(\.xls\) n'est pas pris en charge",
    "structures/sans_extension": r"sans_extension : extension « \(aucune\) » non reconnue",
    "structures/formule_nom.csv": r"formule_nom\.csv, ligne 2, colonne `etp_facilitateur` : « -2 » n'est pas un nombre d'ETP valide",
    "structures/tronque.xlsx": r"tronque\.xlsx : fichier illisible : ce n'est pas un classeur \.xlsx valide",
    "structures/texte_renomme.xlsx": r"texte_renomme\.xlsx : fichier illisible : ce n'est pas un classeur \.xlsx valide",
    "structures/ole_mot_de_passe.xlsx": r"ole_mot_de_passe\.xlsx : fichier illisible : classeur protégé par mot de passe",
    "structures/xml_mal_forme.xlsx": r"xml_mal_forme\.xlsx : fichier illisible : le contenu XML d'une feuille est mal formé",
    "structures/formule_sans_valeur.xlsx": r"formule_sans_valeur\.xlsx, ligne 2, colonne `etp_facilitateur` : formule « =SUM\(A1:A2\) » sans valeur calculée",
    "structures/feuille_vide.xlsx": r"feuille_vide\.xlsx : le fichier est vide\.",
    "structures/zip_vide.xlsx": r"zip_vide\.xlsx : fichier illisible : ce n'est pas un classeur \.xlsx valide",
    "structures/sans_classeur.xlsx": r"sans_classeur\.xlsx : fichier illisible : ce n'est pas un classeur \.xlsx valide",
    "structures/cellule_trop_longue.xlsx": r"cellule_trop_longue\.xlsx, ligne 2 : la cellule n° 2 compte 40\u202f000 caractères \(au plus 32\u202f767\)",
    "structures/trop_volumineux.csv": r"trop_volumineux\.csv : fichier trop volumineux \(101 Mo ; au plus 100 Mo\)",
    "structures/premiere_ligne_200_kio.csv": r"premiere_ligne_200_kio\.csv, ligne 1 : la cellule n° 1 compte 204\u202f800 caractères",
    "structures/six_cents_colonnes.csv": r"six_cents_colonnes\.csv, ligne 1 : 608 colonnes \(au plus 500\)",
    "structures/un_million_de_lignes.csv": r"un_million_de_lignes\.csv, ligne 1000002 : plus de 1\u202f000\u202f000 lignes de données",
    "structures/bombe_sharedstrings.xlsx": r"bombe_sharedstrings\.xlsx : classeur trop volumineux une fois décompressé \(400 Mo ; .* « xl/sharedStrings\.xml »",
    # Périmètres
    "perimetres/code_inconnu_nom.csv": r"code_inconnu_nom\.csv, ligne 3, colonne `code` : code commune « Bourg en Bress » inconnu au COG 2026 ; vouliez-vous dire 01053 \(Bourg-en-Bresse\) \?",
    "perimetres/niveau_faux.csv": r"niveau_faux\.csv, ligne 3, colonne `code` : « 2A » est un code de département \(Corse-du-Sud\), pas un code d'EPCI",
    "perimetres/part_infinie.csv": r"part_infinie\.csv, ligne 2, colonne `part_etp` : « 1e309 » n'est pas une part d'ETP valide",
    "perimetres/code_chiffres_pleine_chasse.csv": r"code_chiffres_pleine_chasse\.csv, ligne 3, colonne `code` : code commune « ０１９９９ » inconnu au COG 2026",
    "perimetres/structure_absente.csv": r"structure_absente\.csv, ligne 4, colonne `id_structure` : structure « S9999 » absente",
    "perimetres/mille_noms_inconnus.csv": r"mille_noms_inconnus\.csv, ligne 1001, colonne `code` : code commune « Ville inconnue numero 999 » inconnu",
    "perimetres/dix_mille_noms_inconnus.csv": r"dix_mille_noms_inconnus\.csv, ligne 10001, colonne `code` : code commune « Ville inconnue numero 9999 » inconnu",
    # Dossiers
    "dossiers/cout_infini.csv": r"cout_infini\.csv, ligne 2, colonne `cout_annuel_total` : « 1e309 » n'est pas un montant en euros valide \(attendu : nombre entre 0 et 100\xa0000\xa0000\)",
    "dossiers/deux_1e308.csv": r"deux_1e308\.csv, ligne 2, colonne `montant_aap_demande` : « 1e308 » n'est pas un montant en euros valide",
    "dossiers/montant_demesure.csv": r"montant_demesure\.csv, ligne 2, colonne `montant_aap_demande` : « 100000001 » n'est pas un montant en euros valide",
    "dossiers/date_heure_impossible.csv": r"date_heure_impossible\.csv, ligne 2, colonne `date_depot` : « 2025-07-01T25:99 » n'est pas une date valide",
    "dossiers/etp_pleine_chasse_texte.csv": r"etp_pleine_chasse_texte\.csv, ligne 2, colonne `etp_demandes` : « un » n'est pas un nombre d'ETP valide",
    "dossiers/booleen_inconnu.csv": r"booleen_inconnu\.csv, ligne 2, colonne `derogation_plafond` : « peut-être » n'est pas une valeur oui/non reconnue",
    # Marchés publics (DECP)
    "decp/vide.json": r"vide\.json : le fichier est vide\.",
    "decp/tronque.json": r"tronque\.json : JSON invalide \(ligne 1, colonne 250, marché n° 2\) : chaîne ouverte et jamais fermée\.",
    "decp/sans_marches.json": r"sans_marches\.json : aucun tableau `marches` dans le JSON",
    "decp/marches_nombre.json": r"marches_nombre\.json : le champ `marches` doit contenir un tableau de marchés\.",
    "decp/tableau_vide.json": r"tableau_vide\.json : aucun marché dans le fichier",
    "decp/null.json": r"null\.json, ligne 1, colonne `acheteur\.id` : colonne obligatoire `acheteur\.id` absente",
    "decp/windows_1252.json": r"windows_1252\.json : fichier illisible \(ligne 1, colonne 156\) : le JSON doit être encodé en UTF-8",
    # Imbrication bornée à 64 niveaux (`profondeur_json`) avant toute analyse : le 65e `[` est nommé.
    "decp/profond_racine.json": r"profond_racine\.json : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne 65\) : un marché DECP",
    # `{"marches": [{"id": "M1", "montant": ` : 37 caractères et 3 niveaux ; le 62e `[` ouvre le 65e niveau (colonne 99).
    "decp/profond_montant.json": r"profond_montant\.json : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne 99\)",
    "decp/gzip_tronque.json.gz": r"gzip_tronque\.json\.gz : fichier compressé \(gzip\) tronqué : la fin manque\.",
    "decp/faux_gzip.json.gz": r"faux_gzip\.json\.gz : fichier compressé \(gzip\) illisible ou tronqué\.",
    "decp/octets_au_hasard.json": r"octets_au_hasard\.json, ligne 1, colonne `acheteur\.id` : colonne obligatoire",
    "decp/csv_sans_colonnes.csv": r"csv_sans_colonnes\.csv, ligne 1, colonne `acheteur\.id` : colonne obligatoire `acheteur\.id` absente",
    "decp/csv_entete_seule.csv": r"csv_entete_seule\.csv : aucun marché dans le fichier",
    "decp/json_en_csv.csv": r"json_en_csv\.csv, ligne 1, colonne `acheteur\.id` : colonne obligatoire",
    "decp/erreur_au_milieu.json": r"erreur_au_milieu\.json : JSON invalide \(ligne 1, colonne 174, marché n° 2\) : nom de champ entre guillemets doubles attendu\.",
    "decp/bombe.json.gz": r"bombe\.json\.gz : fichier compressé trop volumineux une fois décompressé \(plus de 64 Mo",
    "decp/csv_entete_200_kio.csv": r"csv_entete_200_kio\.csv, ligne 1 : la ligne d'en-tête dépasse 64 Kio",
    "decp/profond_100000.json": r"profond_100000\.json : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne 82\)",  # 20 + 62
    # Contours des QPV et liste NPNRU
    "qpv/crs_inconnu.geojson": r"crs_inconnu\.geojson : système de coordonnées « urn:ogc:def:crs:EPSG::99999 » inconnu",
    "qpv/sans_quartier.geojson": r"sans_quartier\.geojson : aucun quartier dans le fichier\.",
    "qpv/sans_code.geojson": r"sans_code\.geojson, colonne `code_qp` : colonne du code de quartier absente",
    "qpv/json_invalide.geojson": r"json_invalide\.geojson : fichier illisible : formats acceptés pour les contours des QPV",
    "qpv/hors_de_france.geojson": r"hors_de_france\.geojson : contours hors de France",
    "qpv/vide.geojson": r"vide\.geojson : le fichier est vide\.",
    "qpv/texte.gpkg": r"texte\.gpkg : fichier illisible : formats acceptés pour les contours des QPV",
    "npnru/vide.csv": r"vide\.csv : le fichier est vide\.",
    "npnru/sans_colonnes.csv": r"sans_colonnes\.csv, ligne 1, colonne `code_qpv` : colonne obligatoire `code_qpv` absente",
    "npnru/guillemet_non_ferme.csv": r"guillemet_non_ferme\.csv, ligne 2 : guillemet ouvert \(ligne 2 du fichier texte\) et jamais fermé",
    # Registre des grands projets (GeoJSON)
    # `{"type": "FeatureCollection", "features": ` fait 42 caractères : le 64e `[` (65e niveau) est en colonne 106.
    "registre/profond.geojson": r"profond\.geojson : fichier GeoJSON illisible : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne 106\)",
    "registre/windows_1252.geojson": r"windows_1252\.geojson : fichier GeoJSON illisible \(ligne 1, colonne 111\) : le JSON doit être encodé en UTF-8",
    "registre/profond_100000.geojson": r"profond_100000\.geojson : fichier GeoJSON illisible : JSON imbriqué sur plus de 64 niveaux \(ligne 1, colonne 106\)",
}

VERSIONNES = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.parent != APPUI
                    and p.parent != CORPUS)  # fmt: skip


def test_le_corpus_compte_au_moins_60_fichiers_tous_attendus():
    assert len(VERSIONNES) + len(GENERES) >= 60
    assert set(VERSIONNES) | set(GENERES) == set(ATTENDUS)


@pytest.fixture(scope="module")
def generes(tmp_path_factory) -> dict[str, Path]:
    return generer(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def referentiel():
    return charger_referentiel()


def _chemin(nom: str, generes: dict[str, Path]) -> Path:
    return generes[nom] if nom in GENERES else CORPUS / nom


def _arguments(nom: str, chemin: Path, sortie: Path) -> list[str] | None:
    famille = nom.split("/")[0]
    s, p = str(APPUI / "structures.csv"), str(APPUI / "perimetres.csv")
    return {
        "structures": ["valider", str(chemin), p],
        "perimetres": ["valider", s, str(chemin)],
        "dossiers": ["valider", s, p, "--dossiers", str(chemin)],
        "decp": ["decp", "--fichier", str(chemin), "--sortie", str(sortie)],
        "qpv": ["zones-blanches", "--structures", s, "--perimetres", p, "--qpv", str(chemin), "--sortie", str(sortie)],
        "npnru": ["zones-blanches", "--structures", s, "--perimetres", p, "--qpv", str(APPUI / "qpv.geojson"),
                  "--npnru", str(chemin), "--sortie", str(sortie)],  # fmt: skip
    }.get(famille)


@pytest.mark.parametrize("nom", sorted(ATTENDUS))
def test_ligne_de_commande(nom, generes, tmp_path):
    chemin = _chemin(nom, generes)
    sortie = tmp_path / "sortie.csv"
    arguments = _arguments(nom, chemin, sortie)
    if arguments is None:
        pytest.skip("pas de commande pour ce format (registre : chemin d'import seulement)")
    erreurs, sorties = io.StringIO(), io.StringIO()
    debut = time.perf_counter()
    with contextlib.redirect_stderr(erreurs), contextlib.redirect_stdout(sorties):
        code = main(arguments)
    duree = time.perf_counter() - debut
    texte = erreurs.getvalue()
    assert code == 1, (code, texte[:500])
    assert re.search(ATTENDUS[nom], texte), texte[:1000]
    assert "Traceback" not in texte + sorties.getvalue()
    assert not sortie.exists()  # rien d'écrit
    assert duree < DUREE_MAX_S, f"{nom} : {duree:.1f} s"


def _empreinte(chemin: Path) -> str:
    """Empreinte de la base et de ses fichiers annexes (journal WAL) s'il y en a."""
    fichiers = sorted(chemin.parent.glob(chemin.name + "*"))
    return hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in fichiers)).hexdigest()


@pytest.fixture(scope="module")
def espace(tmp_path_factory):
    return ouvrir_espace(tmp_path_factory.mktemp("espace") / "espace.sqlite")


@pytest.mark.parametrize("nom", sorted(ATTENDUS))
def test_chemin_d_import_de_la_page_donnees(nom, generes, referentiel, espace):
    """Ce que fait la page Données : vérifier tout le fichier, n'écrire que s'il est valide."""
    chemin = _chemin(nom, generes)
    famille = nom.split("/")[0]
    base = Path(espace.chemin)
    avant = _empreinte(base)
    debut = time.perf_counter()
    if famille in ("structures", "perimetres", "dossiers"):
        fichiers = {"structures": ((APPUI / "structures.csv").read_bytes(), "structures.csv"),
                    "perimetres": ((APPUI / "perimetres.csv").read_bytes(), "perimetres.csv")}  # fmt: skip
        fichiers[famille] = (chemin.read_bytes(), chemin.name)
        resultat = importer_fichiers(**fichiers, referentiel=referentiel)
        if resultat.valide:
            espace.enregistrer_version(resultat.donnees, auteur="corpus", libelle=nom, source="import",
                                       base_version=espace.version_active())
        messages = "\n".join(str(e) for e in resultat.erreurs)
        assert not resultat.valide
    elif famille == "registre":
        with pytest.raises(ErreurRegistre) as erreur:
            lire_registre_geojson(chemin.read_bytes(), chemin.name, referentiel=referentiel)
        messages = str(erreur.value)
    else:
        with pytest.raises(ErreurLecture) as erreur:
            resume = verifier_fichier_besoins(famille, chemin.read_bytes(), chemin.name, referentiel=referentiel)
            espace.enregistrer_fichier_besoins(famille, nom_fichier=chemin.name, contenu=chemin.read_bytes(), auteur="x",
                                               base_version=0)
            pytest.fail(f"accepté : {resume}")
        messages = str(erreur.value)
    duree = time.perf_counter() - debut
    if famille != "npnru":  # la ligne de commande exige des QPV pour la liste NPNRU ; ici, le fichier seul
        assert re.search(ATTENDUS[nom], messages), messages[:1000]
    else:
        assert chemin.name in messages
    assert _empreinte(base) == avant  # l'espace de travail n'a pas changé d'un octet
    assert duree < DUREE_MAX_S, f"{nom} : {duree:.1f} s"


@pytest.mark.parametrize("nom", ["structures/xml_mal_forme.xlsx", "decp/profond_racine.json", "qpv/crs_inconnu.geojson"])
def test_un_vrai_processus_sans_trace(nom, tmp_path):
    """Dans un processus à part, comme l'utilisateur le lance : code 1, message français, aucune trace."""
    arguments = _arguments(nom, CORPUS / nom, tmp_path / "sortie.csv")
    fini = subprocess.run([sys.executable, "-m", "coverage", *arguments], capture_output=True, text=True, cwd=RACINE,
                          timeout=300, check=False)  # fmt: skip
    assert fini.returncode == 1
    assert re.search(ATTENDUS[nom], fini.stderr) and "Traceback" not in fini.stderr
