"""Procès-verbal d'un comité de sélection, en PDF (fpdf2), en français, paginé.

Contenu, dans l'ordre :

1. page de garde : comité, date de séance, synthèse (dossiers examinés, décisions par sorte,
   enveloppe disponible et engagée, ETP financés, part de l'État, zones blanches résolues) et
   la carte statique de la région (`geo.carte_statique`, dessinée depuis le référentiel, sans
   tuile ni internet) ;
2. tableau des décisions : un dossier par ligne, demande, montant maximal des règles, décision,
   ETP et montant retenus, motif (texte renvoyé à la ligne) ;
3. contrôle des règles de l'appel, dossier par dossier : chaque règle respectée ou non avec
   son explication chiffrée (`coverage.financement.regles.detail_regles`), les notes du comité sur les
   quatre critères, la décision, son auteur et son heure ;
4. historique des décisions (toutes les versions, auteur, date et heure) et paramètres de la
   campagne.

Pied de page « Page n / N » ; la mention « Données fictives de démonstration » en tête de
chaque page quand les données sont celles de la démonstration.

Police : DejaVu Sans, livrée avec matplotlib (`matplotlib.get_data_path()/fonts/ttf`), intégrée
au PDF (sous-ensemble) : les polices de base du PDF ne connaissent que le latin-1, sans `€`,
`≤`, `œ` ni espace fine ; aucune police n'est ajoutée au dépôt.
"""

from __future__ import annotations

from collections.abc import Sequence

import datetime as dt
import io
import math
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from coverage.financement.comite import CRITERES_COMITE, decisions_manquantes, decisions_par_dossier, horodatage_lisible
from coverage.espace import Decision
from coverage.documents.format import format_date, format_euros, format_nombre, format_pourcentage
from coverage.modele import Statut
from coverage.financement.parametres import PARAMETRES_2025, ParametresCampagne
from coverage.financement.regles import detail_regles, format_etp

__all__ = ["MENTION_FICTIVE", "generer_proces_verbal"]

MENTION_FICTIVE = "Données fictives de démonstration"

POLICE = "DejaVu"
_FICHIERS_POLICE = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Couleurs (système de design de l'État : bleu France, rouge et vert des statuts)
BLEU = (0, 0, 145)
ROUGE = (206, 5, 0)
VERT = (24, 117, 60)
GRIS = (102, 102, 102)
GRIS_FOND = (238, 238, 238)
BLEU_FOND = (227, 227, 253)

_MARGE = 15.0  # mm
_ENTETES = FontFace(emphasis="BOLD", fill_color=BLEU_FOND)


def _dossier_polices() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _DocumentPV(FPDF):
    """A4 portrait, marges de 15 mm, en-tête (comité, mention fictive) et pied de page numéroté."""

    def __init__(self, *, entete: str, donnees_fictives: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.entete = entete
        self.donnees_fictives = donnees_fictives
        dossier = _dossier_polices()
        for style, nom in _FICHIERS_POLICE.items():
            self.add_font(POLICE, style, str(dossier / nom))
        self.set_margins(_MARGE, _MARGE + 4, _MARGE)
        self.set_auto_page_break(True, margin=_MARGE + 2)
        self.set_lang("fr-FR")
        self.set_font(POLICE, "", 10)

    def header(self) -> None:
        if self.donnees_fictives:
            self.set_y(5)
            self.set_font(POLICE, "B", 8)
            self.set_text_color(*ROUGE)
            self.cell(0, 4, MENTION_FICTIVE, align="C")
        self.set_y(9)
        self.set_font(POLICE, "", 7.5)
        self.set_text_color(*GRIS)
        self.cell(0, 4, self.entete, align="L")
        self.set_text_color(0, 0, 0)
        self.set_draw_color(*GRIS)
        self.line(_MARGE, 13.5, self.w - _MARGE, 13.5)
        self.set_y(_MARGE + 4)
        self.set_font(POLICE, "", 9)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(POLICE, "", 8)
        self.set_text_color(*GRIS)
        self.cell(0, 5, f"Page {self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    # -- petits blocs ----------------------------------------------------------------------

    def titre_section(self, texte: str) -> None:
        self.set_font(POLICE, "B", 13)
        self.set_text_color(*BLEU)
        self.multi_cell(0, 7, texte, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(1)
        self.set_font(POLICE, "", 9)

    def paragraphe(self, texte: str, *, taille: float = 9, style: str = "", couleur: tuple[int, int, int] | None = None) -> None:
        self.set_font(POLICE, style, taille)
        if couleur:
            self.set_text_color(*couleur)
        self.multi_cell(0, taille * 0.5, texte, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(0, 0, 0)
        self.set_font(POLICE, "", 9)

    def place_restante(self) -> float:
        return self.page_break_trigger - self.get_y()


# --------------------------------------------------------------------------------------------
# Contrôles
# --------------------------------------------------------------------------------------------


def _check_entrees(dossiers: pd.DataFrame, decisions: pd.DataFrame, carte_png: bytes, *, provisoire: bool = False) -> None:
    manquantes = decisions_manquantes(dossiers, decisions)
    if manquantes and not provisoire:
        pluriel = len(manquantes) > 1
        raise ValueError(
            f"Procès-verbal impossible : {len(manquantes)} dossier{'s' if pluriel else ''} "
            f"sans décision : {', '.join(manquantes)}. Enregistrez une décision motivée pour "
            f"{'chacun' if pluriel else 'ce dossier'} avant d'exporter le procès-verbal (un procès-verbal provisoire "
            "peut être produit à tout moment)."
        )
    if not dossiers["id_dossier"].astype(str).is_unique:
        doublons = dossiers.loc[dossiers["id_dossier"].astype(str).duplicated(), "id_dossier"].astype(str).unique()
        raise ValueError(f"Procès-verbal impossible : identifiants de dossier en double : {', '.join(doublons)}.")
    try:
        Image.open(io.BytesIO(carte_png)).verify()
    except Exception as exc:  # PIL lève plusieurs types selon le défaut
        raise ValueError("Procès-verbal impossible : la carte fournie (`carte_png`) n'est pas une image lisible.") from exc


# --------------------------------------------------------------------------------------------
# Mise en forme des valeurs
# --------------------------------------------------------------------------------------------


def _euros(valeur: object) -> str:
    return format_euros(valeur) if valeur is not None and not pd.isna(valeur) else "—"


def _etp(valeur: object) -> str:
    return format_etp(float(valeur)) if valeur is not None and not pd.isna(valeur) else "—"


def _note(valeur: object) -> str:
    return f"{format_nombre(float(valeur), 1, compact=True)}/5" if valeur is not None and not pd.isna(valeur) else "non notée"


_MOTIF_MAX = 600  # caractères d'un motif dans une cellule de tableau (une ligne ne passe pas d'une page à l'autre)
_NOM_MAX = 160  # caractères d'un nom ou d'un identifiant dans une cellule de tableau (texte intégral : contrôle du dossier)


def _abrege(texte: str, limite: int = _MOTIF_MAX) -> str:
    """Le texte, coupé à un mot près de `limite` caractères et marqué « […] » s'il est plus long."""
    if len(texte) <= limite:
        return texte
    coupe = texte[:limite]
    return (coupe.rsplit(" ", 1)[0] if " " in coupe[limite // 2 :] else coupe) + " […]"


def _texte(valeur: object) -> str:
    return "" if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or valeur is pd.NA else str(valeur)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


_LIBELLES_PLURIEL = {
    Decision.RETENU: "retenus",
    Decision.RETENU_PARTIELLEMENT: "retenus partiellement",
    Decision.AJOURNE: "ajournés",
    Decision.REFUSE: "refusés",
}


def _lignes_synthese(synthese: dict, parametres: ParametresCampagne) -> list[tuple[str, str]]:
    par = synthese.get("par_decision", {})
    lignes = [
        ("Dossiers examinés", f"{synthese['nb_dossiers']} (dont {synthese.get('nb_eligibles', '—')} éligibles aux règles de l'appel)"),
    ]
    lignes += [(f"Dossiers {libelle}", str(par.get(d.value, 0))) for d, libelle in _LIBELLES_PLURIEL.items()]
    lignes += [
        ("Enveloppe disponible", _euros(synthese["enveloppe_disponible"])),
        (
            "Enveloppe engagée",
            _euros(synthese["enveloppe_utilisee"])
            + (
                f" ({format_pourcentage(synthese['part_enveloppe_utilisee'])} de l'enveloppe)"
                if synthese.get("part_enveloppe_utilisee") is not None
                else ""
            ),
        ),
    ]
    if synthese.get("depassement_enveloppe"):
        lignes.append(("Dépassement de l'enveloppe", _euros(-synthese["enveloppe_restante"])))
    else:
        lignes.append(("Reste disponible", _euros(synthese["enveloppe_restante"])))
    lignes += [
        ("ETP financés", f"{_etp(synthese['etp_finances'])} (sur {_etp(synthese['etp_demandes'])} demandés)"),
        ("Dossiers financés", str(synthese.get("nb_finances", "—"))),
        (
            "Part de l'État dans le coût des postes financés",
            format_pourcentage(synthese["part_etat"]) if synthese.get("part_etat") is not None else "—",
        ),
    ]
    if synthese.get("zones_blanches_resolues") is not None:
        lignes.append(("Zones blanches résolues", str(synthese["zones_blanches_resolues"])))
    if synthese.get("non_conformes"):
        lignes.append(("Montants au-delà du maximal des règles", ", ".join(synthese["non_conformes"])))
    lignes.append(("Durée des conventions", f"{parametres.duree_mois} mois"))
    return lignes


def _avis(synthese: dict, manquantes: Sequence[str], en_attente: Sequence[str]) -> list[str]:
    """Ce que la page de garde doit dire en clair : dépassement, dossiers sans décision, attente du national."""
    avis = []
    if synthese.get("depassement_enveloppe"):
        avis.append(f"Dépassement de l'enveloppe : {_euros(synthese['enveloppe_utilisee'])} engagés pour "
                    f"{_euros(synthese['enveloppe_disponible'])} disponibles, soit {_euros(-synthese['enveloppe_restante'])} au-delà.")
    if manquantes:
        avis.append(f"Procès-verbal provisoire : {len(manquantes)} dossier(s) sans décision : {', '.join(manquantes)}.")
    if en_attente:
        avis.append(f"En attente du comité national (structures nouvelles, non encore retenues par le comité technique "
                    f"national ; hors conventions) : {', '.join(en_attente)}.")
    return avis


def _page_de_garde(
    pdf: _DocumentPV,
    *,
    comite_libelle: str,
    date_comite: dt.date,
    synthese: dict,
    carte_png: bytes,
    parametres: ParametresCampagne,
    titre: str = "Procès-verbal du comité de sélection",
    avis: Sequence[str] = (),
) -> None:
    pdf.add_page()
    pdf.set_font(POLICE, "B", 18)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(0, 9, titre, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(POLICE, "B", 12)
    pdf.multi_cell(0, 6.5, comite_libelle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(POLICE, "", 10)
    pdf.multi_cell(
        0,
        5.5,
        f"Appel à projets « facilitateurs de la clause sociale d'insertion » {parametres.annee}\n"
        f"Séance du {format_date(date_comite)}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    pdf.set_font(POLICE, "", 9)
    with pdf.table(
        col_widths=(95, 85),
        width=180,
        text_align=("LEFT", "RIGHT"),
        first_row_as_headings=True,
        headings_style=_ENTETES,
        line_height=4.6,
        padding=(0.8, 1.5),
    ) as table:
        entete = table.row()
        entete.cell("Synthèse")
        entete.cell("")
        for libelle, valeur in _lignes_synthese(synthese, parametres):
            ligne = table.row()
            ligne.cell(libelle)
            ligne.cell(valeur)
    pdf.ln(2)
    for texte in avis:
        pdf.paragraphe(texte, taille=9, style="B", couleur=ROUGE)
    pdf.ln(1)
    with Image.open(io.BytesIO(carte_png)) as image:
        largeur_px, hauteur_px = image.size
    largeur = pdf.epw
    hauteur = largeur * hauteur_px / largeur_px
    place = pdf.place_restante() - 2
    if hauteur > place:
        if place >= 90:  # assez de place : on réduit la carte pour qu'elle tienne sur la page de garde
            hauteur, largeur = place, place * largeur_px / hauteur_px
        else:
            pdf.add_page()
    x = pdf.l_margin + (pdf.epw - largeur) / 2
    pdf.image(
        io.BytesIO(carte_png),
        x=x,
        w=largeur,
        h=hauteur,
        alt_text=f"Carte : {comite_libelle}",
        title="Carte de la région",
    )


def _tableau_decisions(pdf: _DocumentPV, table: pd.DataFrame, *, en_attente: set[str] = frozenset()) -> None:
    pdf.add_page()
    pdf.titre_section("Décisions du comité")
    pdf.paragraphe(
        "Décision en vigueur de chaque dossier, telle qu'enregistrée dans l'espace de travail ; l'historique "
        "des modifications figure en annexe. Montant maximal : le plus grand montant que permettent toutes "
        "les règles de l'appel, montant demandé compris.",
        taille=8.5,
        couleur=GRIS,
    )
    pdf.ln(1)
    pdf.set_font(POLICE, "", 7.5)
    couleurs = {
        Decision.RETENU.value: VERT,
        Decision.RETENU_PARTIELLEMENT.value: VERT,
        Decision.AJOURNE.value: (180, 80, 0),
        Decision.REFUSE.value: ROUGE,
    }
    with pdf.table(
        col_widths=(15, 38, 24, 20, 22, 22, 39),
        width=180,
        text_align="LEFT",
        headings_style=_ENTETES,
        line_height=3.6,
        padding=(0.8, 1.0),
        repeat_headings=1,
    ) as t:
        entete = t.row()
        for titre in ("Dossier", "Structure", "Demande", "Montant maximal", "Décision", "Retenu", "Motif"):
            entete.cell(titre)
        for r in table.itertuples(index=False):
            ligne = t.row()
            ligne.cell(_abrege(str(r.id_dossier), _NOM_MAX))
            ligne.cell(_abrege(_texte(r.nom_structure), _NOM_MAX) + ("\n(structure nouvelle)" if bool(getattr(r, "structure_nouvelle", False)) else ""))
            ligne.cell(f"{_etp(r.etp_demandes)}\n{_euros(r.montant_aap_demande)}")
            ligne.cell(_euros(r.montant_max_aap) if bool(r.eligible) else "inéligible")
            attente = "\n(en attente du comité national)" if str(r.id_dossier) in en_attente else ""
            ligne.cell((r.decision_libelle or "sans décision") + attente,
                       style=FontFace(emphasis="BOLD", color=couleurs.get(r.decision, (0, 0, 0))))
            retenu = f"{_etp(r.etp_retenus)}\n{_euros(r.montant_retenu)}" if r.decision and Decision(r.decision).avec_montant else "—"
            ligne.cell(retenu)
            motif = _texte(r.motif)
            ligne.cell(_abrege(motif) + (" (texte intégral : contrôle du dossier)" if len(motif) > _MOTIF_MAX else ""))
    pdf.set_font(POLICE, "", 9)


def _resultat_regle(respectee: bool | None) -> tuple[str, tuple[int, int, int]]:
    if respectee is True:
        return "Respectée", VERT
    if respectee is False:
        return "Non respectée", ROUGE
    return "Information", GRIS


def _territoires(r: pd.Series) -> str:
    """Zones blanches et grands projets touchés, d'après les colonnes fournies par la page."""
    morceaux = []
    if _texte(r.get("zones_blanches")):
        morceaux.append(f"Zones blanches touchées : {r['zones_blanches']}.")
    elif "couvre_zone_blanche" in r.index and not pd.isna(r["couvre_zone_blanche"]):
        if bool(r["couvre_zone_blanche"]):
            pop = r.get("population_zone_blanche")
            habitants = f" ({format_nombre(float(pop))} habitants)" if pop is not None and not pd.isna(pop) else ""
            morceaux.append(f"Le périmètre touche des zones blanches{habitants}.")
        else:
            morceaux.append("Le périmètre ne touche aucune zone blanche.")
    if _texte(r.get("grands_projets")):
        morceaux.append(f"Grands projets : {r['grands_projets']}.")
    elif "couvre_grand_projet" in r.index and not pd.isna(r["couvre_grand_projet"]):
        morceaux.append("Le périmètre touche un grand projet." if bool(r["couvre_grand_projet"]) else "Aucun grand projet dans le périmètre.")
    return " ".join(morceaux)


def _controles(pdf: _DocumentPV, table: pd.DataFrame, parametres: ParametresCampagne, *, non_conformes: set[str]) -> None:
    pdf.add_page()
    pdf.titre_section("Contrôle des règles de l'appel, dossier par dossier")
    for _, r in table.iterrows():  # un bloc de mise en page par dossier : pas de calcul ici
        if pdf.place_restante() < 70:
            pdf.add_page()
        pdf.set_font(POLICE, "B", 10.5)
        pdf.set_fill_color(*GRIS_FOND)
        pdf.multi_cell(
            0,
            6,
            f"{r['id_dossier']} — {_texte(r['nom_structure'])}",
            fill=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        statut = _texte(r.get("statut"))
        statut = Statut(statut).libelle if statut in set(Statut) else statut
        nouvelle = " ; structure nouvelle (comité technique national)" if bool(r.get("structure_nouvelle", False)) else ""
        pdf.paragraphe(
            f"{statut} ; département {_texte(r.get('departement'))} ; {_etp(r['etp_demandes'])} demandés ; "
            f"coût annuel total {_euros(r['cout_annuel_total'])} ; montant demandé {_euros(r['montant_aap_demande'])} ; "
            f"montant maximal des règles {_euros(r['montant_max_aap']) if bool(r['eligible']) else '0 € (inéligible)'}"
            f"{nouvelle}.",
            taille=8.5,
        )
        territoires = _territoires(r)
        if territoires:
            pdf.paragraphe(territoires, taille=8.5)
        notes = [f"{libelle} {_note(r.get(colonne))}" for colonne, libelle in CRITERES_COMITE.items()]
        total = sum(float(r[c]) for c in CRITERES_COMITE if c in r.index and not pd.isna(r[c]))
        pdf.paragraphe(f"Notes du comité : {' ; '.join(notes)} — total {format_nombre(total, 1, compact=True)}/20.", taille=8.5)
        if not r["decision"]:
            pdf.paragraphe("Décision : aucune à ce jour (procès-verbal provisoire).", taille=8.5, style="B")
            pdf.ln(0.5)
            continue
        decision = Decision(r["decision"])
        retenu = f" : {_etp(r['etp_retenus'])}, {_euros(r['montant_retenu'])}" if decision.avec_montant else ""
        pdf.paragraphe(
            f"Décision : {decision.libelle}{retenu}. Motif : {_texte(r['motif'])} "
            f"(enregistrée par {_texte(r['auteur'])} le {_texte(r['date_decision'])}, version {r['version']}).",
            taille=8.5,
            style="B",
        )
        if str(r["id_dossier"]) in non_conformes:
            pdf.paragraphe(
                "Attention : le montant décidé dépasse le montant maximal que permettent les règles de l'appel "
                "pour les ETP retenus.",
                taille=8.5,
                style="B",
                couleur=ROUGE,
            )
        pdf.ln(0.5)
        pdf.set_font(POLICE, "", 7.5)
        with pdf.table(
            col_widths=(48, 22, 110),
            width=180,
            text_align="LEFT",
            headings_style=_ENTETES,
            line_height=3.5,
            padding=(0.6, 1.0),
        ) as t:
            entete = t.row()
            for titre in ("Règle", "Résultat", "Explication"):
                entete.cell(titre)
            for regle in detail_regles(r, parametres):
                texte, couleur = _resultat_regle(regle.respectee)
                ligne = t.row()
                ligne.cell(regle.libelle)
                ligne.cell(texte + ("\n(bloquante)" if regle.bloquante else ""), style=FontFace(emphasis="BOLD", color=couleur))
                ligne.cell(regle.explication)
        pdf.ln(4)
    pdf.set_font(POLICE, "", 9)


def _historique(pdf: _DocumentPV, historique: pd.DataFrame, parametres: ParametresCampagne) -> None:
    pdf.add_page()
    pdf.titre_section("Annexe : historique des décisions")
    pdf.paragraphe(
        "Toutes les versions enregistrées, dans l'ordre ; une décision modifiée garde ses versions antérieures. "
        "Heures de Paris.",
        taille=8.5,
        couleur=GRIS,
    )
    pdf.ln(1)
    h = historique.sort_values(["id_dossier", "version"], kind="stable")
    dates = horodatage_lisible(h["horodatage"].astype(str)) if len(h) else pd.Series(dtype=object)
    longs: list[tuple[str, str, str]] = []
    pdf.set_font(POLICE, "", 7.5)
    with pdf.table(
        col_widths=(15, 14, 24, 14, 20, 45, 22, 26),
        width=180,
        text_align="LEFT",
        headings_style=_ENTETES,
        line_height=3.5,
        padding=(0.6, 1.0),
        repeat_headings=1,
    ) as t:
        entete = t.row()
        for titre in ("Dossier", "Version", "Décision", "ETP", "Montant", "Motif", "Auteur", "Date et heure"):
            entete.cell(titre)
        for r, date in zip(h.itertuples(index=False), dates.tolist(), strict=True):
            decision = Decision(r.decision)
            ligne = t.row()
            ligne.cell(str(r.id_dossier))
            ligne.cell(str(r.version))
            ligne.cell(decision.libelle)
            ligne.cell(_etp(r.etp_retenus) if decision.avec_montant else "—")
            ligne.cell(_euros(r.montant_retenu) if decision.avec_montant else "—")
            motif = _texte(r.motif)
            if len(motif) > _MOTIF_MAX:
                longs.append((str(r.id_dossier), str(r.version), motif))
                motif = _abrege(motif) + " (texte intégral ci-dessous)"
            ligne.cell(motif)
            ligne.cell(_texte(r.auteur))
            ligne.cell(str(date))
    for ident, version, motif in longs:
        pdf.paragraphe(f"Motif intégral — {ident}, version {version} : {motif}", taille=8)
    pdf.ln(5)
    pdf.titre_section("Paramètres de la campagne appliqués")
    p = parametres
    pdf.paragraphe(
        f"Aide AAP au plus {format_pourcentage(p.taux_max_aap, 0)} du coût annuel total et au plus "
        f"{format_euros(p.plafond_etp)} par ETP (sauf dérogation) ; collectivités territoriales : financements de "
        f"l'État au plus {format_pourcentage(p.taux_max_etat_collectivite, 0)} du coût ; cofinancement attendu d'au "
        f"moins {format_pourcentage(p.taux_min_cofinancement, 0)} ; au moins {format_etp(p.etp_minimum)} par projet ; "
        f"dépôt au plus tard le {format_date(p.date_releve_2)} (CERFA signé jusqu'au "
        f"{format_date(p.date_limite_cerfa_signe)} sur dérogation) ; conventions de {p.duree_mois} mois ; enveloppe "
        f"nationale {format_euros(p.enveloppe_nationale)}.",
        taille=8.5,
    )


# --------------------------------------------------------------------------------------------
# Point d'entrée
# --------------------------------------------------------------------------------------------


def generer_proces_verbal(
    *,
    comite_libelle: str,
    date_comite: dt.date,
    dossiers: pd.DataFrame,
    decisions: pd.DataFrame,
    historique: pd.DataFrame,
    synthese: dict,
    carte_png: bytes,
    parametres: ParametresCampagne = PARAMETRES_2025,
    donnees_fictives: bool,
    provisoire: bool = False,
    en_attente_national: Sequence[str] = (),
) -> bytes:
    """Le procès-verbal du comité, en PDF A4 paginé.

    Parameters
    ----------
    comite_libelle : str
        Nom du comité (`coverage.financement.comite.libelle_comite`).
    date_comite : datetime.date
        Date de la séance.
    dossiers : pandas.DataFrame
        Dossiers du comité (`dossiers_du_comite`) évalués par `evaluer_dossiers` : colonnes du
        schéma `dossiers`, `nom_structure`, `structure_nouvelle`, `eligible`,
        `montant_max_aap`, les quatre notes, et en option `financement_pnad`,
        `zones_blanches` / `couvre_zone_blanche` + `population_zone_blanche`,
        `grands_projets` / `couvre_grand_projet` (territoires touchés par le périmètre).
    decisions : pandas.DataFrame
        Décisions courantes du comité (`EspaceSQLite.decisions_courantes`).
    historique : pandas.DataFrame
        Toutes les versions (`EspaceSQLite.historique_decisions`).
    synthese : dict
        Sortie de `coverage.financement.comite.synthese_comite` sur les mêmes dossiers et décisions.
    carte_png : bytes
        Carte de la région (`geo.carte_statique.carte_region_png`).
    parametres : ParametresCampagne
        Chiffres de la campagne (règles, durée).
    donnees_fictives : bool
        Ajoute « Données fictives de démonstration » en tête de chaque page.
    provisoire : bool
        Procès-verbal provisoire, possible à tout moment : titre « Procès-verbal provisoire », les
        dossiers sans décision sont listés sur la page de garde. Sinon (procès-verbal définitif),
        chaque dossier doit avoir une décision.
    en_attente_national : identifiants des dossiers de structures nouvelles que le comité
        technique national n'a pas (encore) retenus : « en attente du comité national ».

    Returns
    -------
    bytes
        Le fichier PDF.

    Raises
    ------
    ValueError
        Un dossier au moins n'a pas de décision (le message les liste tous), identifiants en
        double, carte illisible.
    """
    _check_entrees(dossiers, decisions, carte_png, provisoire=provisoire)
    table = decisions_par_dossier(dossiers, decisions)
    titre = "Procès-verbal provisoire" if provisoire else "Procès-verbal"
    pdf = _DocumentPV(
        entete=f"{titre} — {comite_libelle} — séance du {format_date(date_comite)}",
        donnees_fictives=donnees_fictives,
    )
    pdf.set_title(f"{titre} — {comite_libelle} — {format_date(date_comite)}")
    pdf.set_subject(f"Appel à projets facilitateurs de la clause sociale d'insertion {parametres.annee}")
    pdf.set_creator("Couverture des facilitateurs de la clause sociale")
    _page_de_garde(
        pdf, comite_libelle=comite_libelle, date_comite=date_comite, synthese=synthese, carte_png=carte_png, parametres=parametres,
        titre=f"{titre} du comité de sélection",
        avis=_avis(synthese, decisions_manquantes(dossiers, decisions) if provisoire else [], [str(i) for i in en_attente_national]),
    )
    _tableau_decisions(pdf, table, en_attente={str(i) for i in en_attente_national})
    _controles(pdf, table, parametres, non_conformes=set(synthese.get("non_conformes", [])))
    _historique(pdf, historique, parametres)
    return bytes(pdf.output())
