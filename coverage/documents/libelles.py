"""Libellés français des colonnes et des codes, en un seul endroit, pour les tableaux lus par des personnes.

Les pages (`ui.presentation.tableau`) et les exports XLSX « pour les personnes » passent par
`pour_personnes()` ; les CSV gardent les noms de colonnes et les codes pour la ligne de commande.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from coverage.espace import Decision, SourceVersion
from coverage.financement.allocation_commune import StatutFinancement
from coverage.modele import Niveau, Periode, Role, Statut, StatutCouverture
from coverage.territoires.grands_projets import TypeProjet
from coverage.territoires.zones_blanches import LIBELLES_CRITERES

FUSEAU = "Europe/Paris"

LIBELLES_COLONNES: dict[str, str] = {
    "code": "Code", "id": "N°", "nom": "Nom", "id_structure": "Identifiant", "nom_structure": "Structure", "statut": "Statut",
    "region": "Région", "departement": "Département", "epci": "EPCI", "commune": "Commune", "role": "Rôle",
    "population": "Population", "population_couverte": "Population couverte", "part_population_couverte": "Part couverte",
    "population_couverte_principal": "Population couverte (périmètre principal)", "etp": "ETP",
    "etp_pour_100k_hab": "ETP pour 100 000 hab.", "nb_structures": "Structures", "part_non_couvert": "Part non couverte",
    "part_extension_seule": "Part couverte par extension seulement", "part_couvert": "Part couverte (principal)",
    "part_extension_non_limitrophe": "Part en extension non limitrophe seulement (non couverte)",
    "source_version": "Origine", "etp_principal": "ETP du périmètre principal", "etp_extension": "ETP d'extensions",
    "etp_non_limitrophe": "ETP d'extensions non limitrophes (hors capacité)",
    "etp_territoire": "ETP sur le territoire", "etp_facilitateur": "ETP de la structure", "nb_communes": "Communes",
    "id_dossier": "Dossier", "etp_demandes": "ETP demandés", "cout_annuel_total": "Coût annuel",
    "montant_aap_demande": "Montant demandé", "montant_max_aap": "Maximum finançable", "montant_attribue": "Montant attribué",
    "etp_finances": "ETP financés", "statut_financement": "Financement", "explication": "Explication", "eligible": "Éligible",
    "plafond_limitant": "Plafond limitant", "motifs": "Motifs", "alertes": "Alertes", "rang": "Rang",
    "decision": "Décision", "decision_libelle": "Décision", "etp_retenus": "ETP retenus", "montant_retenu": "Montant retenu",
    "motif": "Motif", "auteur": "Auteur", "date_decision": "Date", "horodatage": "Date", "version": "Version",
    "comite": "Comité", "libelle": "Libellé", "source": "Source", "demo": "Démonstration", "active": "Active",
    "nb_perimetres": "Périmètres", "nb_dossiers": "Dossiers", "id_version": "Version des données", "id_origine": "Copie de",
    "criteres": "Critères", "indice_besoin": "Indice de besoin", "ratio_capacite": "ETP par unité de besoin",
    "nb_marches_etat": "Marchés de l'État", "montant_etat": "Montant État (€ HT)",
    "part_consideration_sociale": "Part avec considération sociale", "type": "Type",
    # bilans des structures (campagne suivante : Simulation, Comité)
    "bilan_annee": "Dernier bilan annuel", "bilan_heures_par_etp": "Heures / ETP (bilan)",
    "bilan_heures_par_etp_etat": "Heures / ETP État (bilan)", "bilan_signalement": "Signalement du bilan",
    "annee": "Année", "statut_convention": "Statut de la convention", "territoire": "Territoire", "statut_intermediaire": "Bilan intermédiaire", "statut_annuel": "Bilan annuel", "structures": "Structures",
    "bilans_annuels": "Bilans annuels", "intermediaires_seuls": "Intermédiaire seul", "etp_subventionnes": "ETP subventionnés",
    "heures_par_etp_total": "Heures / ETP", "heures_par_etp_etat": "Heures / ETP (État)", "part_heures_etat": "Part État des heures",
    "evolution_heures": "Évolution des heures", "part_heures_porteur": "Part des heures du porteur",
    # enveloppes régionales (Simulation)
    "enveloppe": "Enveloppe", "utilisee": "Attribué", "restante": "Reste", "nb_finances": "Financés",
    # avant / après (Simulation, Couverture)
    "periode": "Période", "echeance": "Échéance", "date_remise": "Remis le", "jours_retard": "Jours de retard",
    "commentaire": "Commentaire", "niveau": "Niveau", "part_etp": "Part des ETP", "nb_bilans": "Bilans", "actif": "Actif",
    "cle": "Clé de répartition", "montant_total": "Total",
    "heures_insertion_total": "Heures d'insertion", "heures_insertion_etat": "Heures d'insertion (État)",
    "marches_accompagnes_total": "Marchés accompagnés", "marches_accompagnes_etat": "Marchés accompagnés (État)",
    "montant_marches_ht_total": "Montant des marchés (€ HT)", "montant_marches_ht_etat": "Montant des marchés État (€ HT)",
    "acheteurs_accompagnes_total": "Acheteurs accompagnés", "acheteurs_accompagnes_etat": "Acheteurs accompagnés (État)",
    "heures_clausees_porteur": "Heures clausées du porteur", "heures_annee_precedente": "Heures de l'année précédente",
    "contacts_acheteurs": "Contacts acheteurs", "beneficiaires_etp": "Bénéficiaires (ETP)",
    "beneficiaires_nombre": "Bénéficiaires", "structures_inclusives_mobilisees": "Structures inclusives mobilisées",
    "territoires_concernes": "Territoires concernés",
    # grands projets
    "id_projet": "Projet", "indicatif": "Emprise indicative", "mention": "Mention", "nb_epci": "EPCI",
    "departements": "Départements", "nb_communes_non_couvertes": "Communes non couvertes",
    "population_non_couverte": "Population non couverte", "nb_communes_extension_seule": "Communes couvertes par extension seulement",
    "nb_zones_blanches": "Communes en zone blanche", "zb_non_couvert": "Zone blanche : non couvert",
    "zb_couverture_limitrophe": "Zone blanche : couverture limitrophe seule",
    "zb_capacite_insuffisante": "Zone blanche : capacité insuffisante", "alerte": "Alerte", "alerte_motif": "Motif de l'alerte",
    # indicateurs, sources
    "indicateur": "Indicateur", "unite": "Unité", "calcul": "Calcul", "paquet": "Paquet", "fichier": "Fichier",
    "contenu": "Contenu", "licence": "Licence", "sha256": "Empreinte SHA-256", "fichiers": "Fichiers",
    # impact d'une allocation, placements suggérés
    "critere": "Critère", "resolues": "Résolues", "nouvelles": "Nouvelles", "population_resolue": "Population sortie de zone blanche",
    "etp_avant": "ETP avant", "etp_apres": "ETP après", "etp_ajoutes": "ETP ajoutés", "etp_actuels": "ETP actuels",
    "part_couverte_avant": "Part couverte avant", "part_couverte_apres": "Part couverte après",
    "etp_pour_100k_avant": "ETP pour 100 000 hab. avant", "etp_pour_100k_apres": "ETP pour 100 000 hab. après",
    "population_nouvellement_couverte": "Population nouvellement couverte",
    "population_non_couverte_apres": "Population non couverte après", "besoin_couvert": "Besoin couvert",
    "montant_a": "Montant (scénario A)", "montant_b": "Montant (scénario B)", "montant_difference": "Différence (B − A)",
    "avant": "Avant", "apres": "Après", "difference": "Différence",
}

LIBELLES_VALEURS: dict[str, dict[str, str]] = {
    "statut": {**{s.value: s.libelle for s in StatutCouverture}, **{s.value: s.libelle for s in Statut}},
    "role": {r.value: r.libelle for r in Role},
    "decision": {d.value: d.libelle for d in Decision},
    "type": {t.value: t.libelle for t in TypeProjet},
    "criteres": LIBELLES_CRITERES,
    "periode": {p.value: p.libelle for p in Periode},
    "statut_financement": {s.value: s.libelle for s in StatutFinancement},
    "statut_a": {s.value: s.libelle for s in StatutFinancement},
    "statut_b": {s.value: s.libelle for s in StatutFinancement},
    "niveau": {n.value: n.libelle for n in Niveau},
    "source_version": {v.value: v.libelle for v in SourceVersion},
}

Genre = Literal["euros", "pourcentage", "nombre", "date", "texte"]


def genre_colonne(nom: str) -> Genre:
    """Comment présenter une colonne, d'après son nom machine (conventions du modèle)."""
    if nom.startswith(("montant", "cout", "enveloppe", "cofinancement", "autres_financements")) or nom in ("utilisee", "restante"):
        return "euros"
    if nom.startswith(("part_", "evolution_")):
        return "pourcentage"
    if nom in ("horodatage",) or nom.startswith("date"):
        return "date"
    if nom.startswith(("etp", "population", "nb_", "indice", "ratio", "heures", "bilan_heures", "marches_", "acheteurs_",
                           "beneficiaires_", "contacts_", "structures_", "jours_")) or nom in (
            "structures", "bilans_annuels", "intermediaires_seuls", "territoires_concernes"):
        return "nombre"
    return "texte"


def libelle_colonne(nom: str) -> str:
    """Libellé français d'une colonne ; à défaut, son nom sans tirets bas, avec une majuscule."""
    return LIBELLES_COLONNES.get(nom) or str(nom).replace("_", " ").capitalize()


def date_heure(valeur: object) -> str:
    """`25/11/2026 15:35` à l'heure de Paris (un instant sans fuseau est lu en UTC) ; vide si absente.

    >>> date_heure("2026-11-25T14:35:00+00:00")
    '25/11/2026 15:35'
    """
    if valeur is None or (not isinstance(valeur, str) and pd.isna(valeur)) or valeur == "":
        return ""
    try:
        instant = pd.Timestamp(valeur)
    except (ValueError, TypeError):
        return str(valeur)  # déjà écrite pour être lue (« 25/11/2026 à 15:35 »)
    if instant.tzinfo is None:
        if instant == instant.normalize() and not (isinstance(valeur, str) and ("T" in valeur or ":" in valeur)):
            return f"{instant:%d/%m/%Y}"  # une date seule reste une date
        instant = instant.tz_localize("UTC")
    return f"{instant.tz_convert(FUSEAU):%d/%m/%Y %H:%M}"


_LISTES = {"departements": "departement", "regions": "region", "structures": "id_structure"}
"""Colonnes qui listent des codes séparés par des virgules, et la colonne dont elles prennent les noms."""


def _par_valeur(serie: pd.Series, traduire) -> pd.Series:
    """`serie.map(traduire)`, mais `traduire` appelé une fois par valeur distincte (34 875 communes, 13 codes)."""
    try:
        rangs, distinctes = pd.factorize(serie, use_na_sentinel=True)
    except TypeError:  # valeurs non hachables (listes)
        return serie.map(traduire)
    traduites = np.empty(len(distinctes) + 1, dtype=object)
    traduites[:-1] = [traduire(v) for v in distinctes]
    manquantes = serie[rangs == -1]
    traduites[-1] = traduire(manquantes.iloc[0]) if len(manquantes) else None
    return pd.Series(traduites[rangs], index=serie.index, dtype=object)


def _valeurs(nom: str, serie: pd.Series, noms: dict[str, pd.Series]) -> pd.Series:
    if genre_colonne(nom) == "date":
        return _par_valeur(serie, date_heure)
    if nom in LIBELLES_VALEURS:
        table = LIBELLES_VALEURS[nom]
        return _par_valeur(serie, lambda v: ", ".join(table.get(p.strip(), p.strip()) for p in v.split(","))
                           if isinstance(v, str) else ("" if v is None or pd.isna(v) else v))
    if pd.api.types.is_bool_dtype(serie):  # « Oui » / « Non » plutôt qu'une case à cocher ou TRUE/FALSE
        return serie.astype(object).map({True: "Oui", False: "Non"}).fillna("")
    if nom in _LISTES and _LISTES[nom] in noms and not pd.api.types.is_numeric_dtype(serie):  # « 59, 60 » → « Nord (59), Oise (60) »
        table = noms[_LISTES[nom]]
        return _par_valeur(serie, lambda v: ", ".join(f"{table.get(c.strip(), '')} ({c.strip()})".strip() for c in v.split(",") if c.strip())
                         if isinstance(v, str) else "")
    if nom in noms:  # le nom à côté du code : « Auvergne-Rhône-Alpes (84) »
        return _par_valeur(serie, lambda c: f"{noms[nom].get(c, '')} ({c})".strip() if isinstance(c, str) and c else "")
    if serie.dtype == object or pd.api.types.is_string_dtype(serie):
        return serie.map(lambda v: "" if v is None or (not isinstance(v, (list, tuple, set)) and pd.isna(v)) else v)
    return serie


def pour_personnes(table: pd.DataFrame, *, referentiel=None, index: bool = False, structures: pd.Series | None = None) -> pd.DataFrame:
    """Table prête à lire : libellés de colonnes, codes traduits, dates à l'heure de Paris, aucune cellule « None »/« nan ».

    Parameters
    ----------
    table : table aux noms de colonnes machine (ceux du modèle et des exports CSV).
    referentiel : geo.reference.Referentiel, optional
        Pour écrire le nom des régions, départements, EPCI et communes à côté de leur code.
    structures : pd.Series, optional
        Nom des structures indexé par `id_structure` : une table qui n'a que l'identifiant d'une
        structure (sans colonne `nom`/`nom_structure`) montre « Nom (S0001) » dans une colonne « Structure ».
    index : bool
        Garder l'index comme première colonne (code d'un territoire, id d'un dossier…).

    Example
    -------
    >>> pour_personnes(pd.DataFrame({"statut": ["non_couvert"], "montant_attribue": [1.5]})).columns.tolist()
    ['Statut', 'Montant attribué']
    """
    t = table.reset_index().rename(columns={"index": "code"}) if index else table.reset_index(drop=True)
    noms = {}
    if referentiel is not None:
        noms = {"region": referentiel.regions["nom"], "departement": referentiel.departements["nom"],
                "epci": referentiel.epci["nom"], "commune": referentiel.communes["nom"]}
    libelles = [libelle_colonne(str(c)) for c in t.columns]
    if structures is not None:
        noms["id_structure"] = structures
        if "structures" in t.columns and not pd.api.types.is_numeric_dtype(t["structures"]):
            libelles[list(t.columns).index("structures")] = "Noms des structures"
    if "id_structure" in t.columns and {"nom", "nom_structure"} & set(t.columns):
        noms.pop("id_structure", None)  # le nom est déjà dans la table
    elif "id_structure" in noms and "id_structure" in t.columns:
        libelles[list(t.columns).index("id_structure")] = "Structure"
    sortie = pd.DataFrame({c: _valeurs(str(c), t[c], noms) for c in t.columns}, index=t.index)
    sortie.columns = _sans_doublons(libelles)
    sortie.attrs = {}
    return sortie


def _sans_doublons(libelles: list[str]) -> list[str]:
    vus: dict[str, int] = {}
    sortie = []
    for lib in libelles:
        vus[lib] = vus.get(lib, 0) + 1
        sortie.append(lib if vus[lib] == 1 else f"{lib} ({vus[lib]})")
    return sortie
