"""Exports des bilans : classeur XLSX consolidé (une feuille par niveau) et synthèse PDF nationale ou régionale.

La synthèse PDF suit la mise en page du procès-verbal (`coverage.documents.proces_verbal` : A4,
DejaVu Sans, en-tête, mention « Données fictives de démonstration », pages numérotées) :
chiffres clés, remise des bilans, graphiques (heures par ETP triées, année contre année
précédente, distribution des structures), tableau par territoire.
"""

from __future__ import annotations

import io

import pandas as pd
from fpdf.enums import XPos, YPos

from coverage.bilans.consolidation import consolider, indicateurs_structures
from coverage.bilans.echeances import StatutRemise
from coverage.documents.exports import exporter_xlsx
from coverage.documents.format import format_euros, format_nombre, format_pourcentage
from coverage.documents.graphiques_bilans import (
    en_png,
    graphique_annee_precedente,
    graphique_distribution,
    graphique_heures_par_etp,
)
from coverage.documents.proces_verbal import _ENTETES, BLEU, GRIS, POLICE, _DocumentPV
from geo.reference import Referentiel
from PIL import Image

__all__ = ["classeur_consolidation", "synthese_bilans_pdf"]


def classeur_consolidation(
    bilans: pd.DataFrame, structures: pd.DataFrame, suivi: pd.DataFrame, *, referentiel: Referentiel, annee: int
) -> bytes:
    """Classeur XLSX : feuilles `france`, `regions`, `departements` (indicateurs consolidés de `annee`),
    `structures` (bilan retenu de chaque structure) et `remises` (statut de chaque bilan attendu)."""
    feuilles = {
        niveau_feuille: consolider(bilans, structures, referentiel=referentiel, niveau=niveau, annee=annee)
        for niveau_feuille, niveau in (("france", "france"), ("regions", "region"), ("departements", "departement"))
    }
    noms = structures.drop_duplicates("id_structure").set_index("id_structure")[["nom", "departement"]]
    feuilles["structures"] = noms.join(indicateurs_structures(bilans, annee), how="inner").reset_index()
    remises = suivi[suivi["annee"] == annee].copy()
    remises["statut"] = remises["statut"].map(lambda s: StatutRemise(s).libelle)
    feuilles["remises"] = remises
    return exporter_xlsx(feuilles)


def _chiffres_cles(ligne: pd.Series, remises: pd.Series) -> list[tuple[str, str]]:
    def nb(colonne: str, decimales: int = 0) -> str:
        return format_nombre(ligne.get(colonne), decimales)

    return [
        ("Structures avec un bilan (dont intermédiaire seul)", f"{nb('structures')} ({nb('intermediaires_seuls')})"),
        ("ETP subventionnés", nb("etp_subventionnes", 1)),
        ("Heures d'insertion : tous marchés / marchés de l'État", f"{nb('heures_insertion_total')} / {nb('heures_insertion_etat')}"),
        ("Heures par ETP subventionné : tous marchés / État", f"{nb('heures_par_etp_total')} / {nb('heures_par_etp_etat')}"),
        ("Évolution des heures sur un an (structures qui la déclarent)", format_pourcentage(ligne.get("evolution_heures"))),
        ("Marchés accompagnés : tous / État", f"{nb('marches_accompagnes_total')} / {nb('marches_accompagnes_etat')}"),
        ("Montant HT des marchés : tous / État", f"{format_euros(ligne.get('montant_marches_ht_total'))} / "
                                                 f"{format_euros(ligne.get('montant_marches_ht_etat'))}"),
        ("Acheteurs accompagnés : tous / État", f"{nb('acheteurs_accompagnes_total')} / {nb('acheteurs_accompagnes_etat')}"),
        ("Contacts avec des acheteurs", nb("contacts_acheteurs")),
        ("Bénéficiaires (personnes / ETP)", f"{nb('beneficiaires_nombre')} / {nb('beneficiaires_etp', 1)}"),
        ("Bilans attendus : reçus / reçus en retard / en retard / manquants / à venir",
         " / ".join(format_nombre(int(remises.get(s.value, 0))) for s in
                    (StatutRemise.RECU, StatutRemise.RECU_EN_RETARD, StatutRemise.EN_RETARD, StatutRemise.MANQUANT,
                     StatutRemise.A_VENIR))),
    ]


def _tableau(pdf: _DocumentPV, lignes: list[tuple[str, str]], largeurs: tuple[float, float] = (110, 70)) -> None:
    pdf.set_font(POLICE, "", 8.5)
    with pdf.table(col_widths=largeurs, width=sum(largeurs), text_align=("LEFT", "RIGHT"), headings_style=_ENTETES,
                   line_height=4.4, padding=(0.8, 1.5)) as t:
        for libelle, valeur in lignes:
            ligne = t.row()
            ligne.cell(libelle)
            ligne.cell(valeur)


def _image(pdf: _DocumentPV, png: bytes, titre: str, hauteur_max: float = 120) -> None:
    with Image.open(io.BytesIO(png)) as image:
        l_px, h_px = image.size
    largeur = pdf.epw
    hauteur = largeur * h_px / l_px
    if hauteur > hauteur_max:
        hauteur, largeur = hauteur_max, hauteur_max * l_px / h_px
    if hauteur > pdf.place_restante():
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - largeur) / 2, w=largeur, h=hauteur, alt_text=titre, title=titre)
    pdf.ln(3)


def synthese_bilans_pdf(
    bilans: pd.DataFrame,
    structures: pd.DataFrame,
    suivi: pd.DataFrame,
    *,
    referentiel: Referentiel,
    annee: int,
    region: str | None = None,
    donnees_fictives: bool,
    seuil_heures_par_etp: float | None = None,
) -> bytes:
    """Synthèse PDF des bilans de `annee`, pour la France (`region=None`) ou une région (code INSEE).

    National : graphiques par région ; régional : par département de la région.
    """
    if region is not None:
        deps = referentiel.departements.index[referentiel.departements["region"] == region]
        structures = structures[structures["departement"].isin(deps)]
        bilans = bilans[bilans["id_structure"].isin(structures["id_structure"])]
        suivi = suivi[suivi["departement"].isin(deps)]
        nom = referentiel.regions.at[region, "nom"]
        ensemble = consolider(bilans, structures, referentiel=referentiel, niveau="region", annee=annee)
        detail = consolider(bilans, structures, referentiel=referentiel, niveau="departement", annee=annee)
        maille = "département"
    else:
        nom = "France"
        ensemble = consolider(bilans, structures, referentiel=referentiel, niveau="france", annee=annee)
        detail = consolider(bilans, structures, referentiel=referentiel, niveau="region", annee=annee)
        maille = "région"
    pdf = _DocumentPV(entete=f"Bilans des facilitateurs de la clause sociale — {nom} — campagne {annee}",
                      donnees_fictives=donnees_fictives)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(POLICE, "B", 17)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(0, 9, f"Synthèse des bilans {annee} — {nom}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.paragraphe("Bilans intermédiaires et annuels remis aux DREETS (appel à projets, partie D « Conventionnement »). "
                   "Chaque structure compte une fois : par son bilan annuel, sinon par son bilan intermédiaire. "
                   "Heures par ETP = somme des heures / somme des ETP subventionnés.", taille=8.5, couleur=GRIS)
    pdf.ln(2)
    remises = suivi[suivi["annee"] == annee]["statut"].value_counts()
    ligne = ensemble.iloc[0] if len(ensemble) else pd.Series(dtype=object)
    _tableau(pdf, _chiffres_cles(ligne, remises))
    pdf.ln(3)
    _image(pdf, en_png(graphique_heures_par_etp(detail, titre=f"Heures d'insertion par ETP subventionné, par {maille}")),
           "Heures par ETP")
    pdf.add_page()
    pdf.titre_section("Année contre année précédente")
    _image(pdf, en_png(graphique_annee_precedente(detail, titre=f"Heures {annee} et {annee - 1}, par {maille}")),
           "Année contre année précédente", hauteur_max=110)
    pdf.titre_section("Distribution des structures")
    par_structure = indicateurs_structures(bilans, annee)
    _image(pdf, en_png(graphique_distribution(par_structure, titre="Structures selon leurs heures par ETP",
                                              seuil=seuil_heures_par_etp)), "Distribution", hauteur_max=80)
    pdf.add_page()
    pdf.titre_section(f"Indicateurs par {maille}")
    _tableau_territoires(pdf, detail)
    return bytes(pdf.output())


def _tableau_territoires(pdf: _DocumentPV, detail: pd.DataFrame) -> None:
    pdf.set_font(POLICE, "", 7.5)
    titres = ("Territoire", "Structures", "ETP", "Heures (État)", "h / ETP (État)", "Évolution", "Marchés (État)")
    with pdf.table(col_widths=(44, 18, 14, 32, 28, 18, 26), width=180, text_align="LEFT", headings_style=_ENTETES,
                   line_height=3.8, padding=(0.8, 1.0), repeat_headings=1) as t:
        entete = t.row()
        for titre in titres:
            entete.cell(titre)
        for r in detail.sort_values("heures_par_etp_total", ascending=False).itertuples(index=False):
            ligne = t.row()
            ligne.cell(f"{r.nom} ({r.code})")
            ligne.cell(format_nombre(r.structures))
            ligne.cell(format_nombre(r.etp_subventionnes, 1))
            ligne.cell(f"{format_nombre(r.heures_insertion_total)} ({format_nombre(r.heures_insertion_etat)})")
            ligne.cell(f"{format_nombre(r.heures_par_etp_total)} ({format_nombre(r.heures_par_etp_etat)})")
            ligne.cell(format_pourcentage(r.evolution_heures))
            ligne.cell(f"{format_nombre(r.marches_accompagnes_total)} ({format_nombre(r.marches_accompagnes_etat)})")
    pdf.set_font(POLICE, "", 9)
