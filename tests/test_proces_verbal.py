"""Procès-verbal PDF du comité (coverage/documents/proces_verbal.py), relu avec pypdf.

Mêmes dossiers et décisions que tests/test_comite.py (montants calculés à la main dans son
en-tête) ; la carte est une vraie carte statique de la région 84 dessinée depuis le référentiel.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from coverage.financement.comite import dossiers_du_comite, synthese_comite
from coverage.documents.proces_verbal import MENTION_FICTIVE, generer_proces_verbal
from coverage.modele import StatutCouverture
from geo.carte_classes import COULEURS_STATUT
from geo.carte_statique import carte_region_png, couches_par_defaut
from tests.test_comite import decisions, evalues, structures

COMITE = "Comité régional de sélection — Auvergne-Rhône-Alpes"
SEANCE = dt.date(2025, 9, 15)


def historique(courantes: pd.DataFrame) -> pd.DataFrame:
    """DB d'abord ajourné par Paul Durand (version 1), puis retenu (version 2, décision en vigueur)."""
    db_v1 = courantes[courantes["id_dossier"] == "DB"].assign(
        version=1, decision="ajourne", motif="Attestation AVE manquante.", etp_retenus=np.nan, montant_retenu=np.nan,
        auteur="Paul Durand", horodatage="2025-09-15T07:40:00+00:00",
    )
    versions = courantes.assign(version=np.where(courantes["id_dossier"] == "DB", 2, 1))
    return pd.concat([db_v1, versions], ignore_index=True).sort_values(["id_dossier", "version"], ignore_index=True)


@pytest.fixture(scope="module")
def carte() -> bytes:
    couches = couches_par_defaut()
    epci = couches["epci"]
    codes = epci.index[(epci["region"] == "84").to_numpy()]
    ind = pd.DataFrame({"statut": np.where(np.arange(len(codes)) % 2 == 0, "couvert", "non_couvert")}, index=codes)
    return carte_region_png("84", indicateurs=ind, titre="Auvergne-Rhône-Alpes", dpi=60, couches=couches, donnees_fictives=True)


def generer(carte: bytes, *, courantes: pd.DataFrame | None = None, donnees_fictives: bool = True) -> bytes:
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    courantes = decisions() if courantes is None else courantes
    return generer_proces_verbal(
        comite_libelle=COMITE,
        date_comite=SEANCE,
        dossiers=d,
        decisions=courantes,
        historique=historique(courantes),
        synthese=synthese_comite(d, courantes, enveloppe_disponible=150_000.0, zones_blanches_resolues=2),
        carte_png=carte,
        donnees_fictives=donnees_fictives,
    )


def textes(pdf: bytes) -> list[str]:
    """Texte de chaque page, espaces insécables et retours à la ligne ramenés à une espace."""
    lecteur = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", p.extract_text().replace("\u00a0", " ").replace("\u202f", " ")) for p in lecteur.pages]


@pytest.fixture(scope="module")
def pdf(carte) -> bytes:
    return generer(carte)


def test_un_vrai_pdf_pagine(pdf):
    assert pdf.startswith(b"%PDF-")
    pages = textes(pdf)
    assert len(pages) >= 3  # page de garde, décisions, contrôles, historique
    for numero, texte in enumerate(pages, start=1):
        assert f"Page {numero} / {len(pages)}" in texte


def test_page_de_garde(pdf):
    garde = textes(pdf)[0]
    for attendu in (
        "Procès-verbal du comité de sélection",
        COMITE,
        "Séance du 15/09/2025",
        "Dossiers examinés 5 (dont 4 éligibles",
        "Dossiers retenus 3",
        "Dossiers retenus partiellement 1",
        "Dossiers refusés 1",
        "Enveloppe disponible 150 000 €",
        "Enveloppe engagée 113 946 € (76,0 % de l'enveloppe)",  # 28 000 + 29 473 + 27 000 + 29 473
        "Reste disponible 36 054 €",
        "ETP financés 4 ETP (sur 5,4 ETP demandés)",
        "Part de l'État dans le coût des postes financés 51,7 %",  # (113 946 + 5 000) / 230 000
        "Zones blanches résolues 2",
    ):
        assert attendu in garde, attendu


def test_decisions_motifs_et_controles(pdf):
    tout = " ".join(textes(pdf))
    for ident in ("DA", "DB", "DD", "DE", "DF"):
        assert re.search(rf"\b{ident}\b", tout), ident
    assert "DX" not in tout  # dossier d'une autre région
    for motif in decisions()["motif"]:
        assert motif in tout, motif
    for attendu in (
        "Décisions du comité",
        "Contrôle des règles de l'appel, dossier par dossier",
        # Règle du plafond par ETP, non respectée par la demande de DB
        "Aide AAP ≤ plafond par ETP Non respectée",
        "Montant demandé 35 000 € > 29 473 € × 1 ETP = 29 473 €",
        # Règle des 80 % pour la collectivité DD
        "80 % × 40 000 € − 5 000 € d'autres financements de l'État = 27 000 €",
        # DE : moins de 0,5 ETP, bloquante
        "Non respectée (bloquante)",
        "Capacité réelle de mise en œuvre 4/5",
        "Retenu partiellement : 1 ETP, 29 473 €",
        "enregistrée par Claire Martin le 15/09/2025 à 10:05, version 1",
    ):
        assert attendu in tout, attendu


def test_historique_garde_la_version_modifiee(pdf):
    annexe = next(t for t in textes(pdf) if "Annexe : historique des décisions" in t)
    assert "Attestation AVE manquante." in annexe  # motif de la version 1 de DB
    assert "Paul Durand" in annexe
    assert "15/09/2025 à 09:40" in annexe  # 07:40 UTC, heure d'été de Paris
    assert "Paramètres de la campagne appliqués" in " ".join(textes(pdf))


def test_mention_donnees_fictives_sur_chaque_page(pdf, carte):
    assert all(MENTION_FICTIVE in t for t in textes(pdf))
    reelles = textes(generer(carte, donnees_fictives=False))
    assert not any(MENTION_FICTIVE in t for t in reelles)


def test_carte_integree_non_vide(pdf, carte):
    premiere = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(premiere.images) == 1
    image = premiere.images[0].image.convert("RGB")
    assert image.size == Image.open(io.BytesIO(carte)).size  # pleine résolution
    t = np.asarray(image)
    assert float(np.mean(np.any(t < 250, axis=-1))) > 0.05
    assert len(np.unique(t.reshape(-1, 3), axis=0)) > 10
    teinte = COULEURS_STATUT[StatutCouverture.NON_COUVERT].lstrip("#")
    rouge = np.all(t == np.frombuffer(bytes.fromhex(teinte), dtype=np.uint8), axis=-1)  # EPCI « non couvert »
    assert rouge.sum() > 100


def test_refuse_si_des_decisions_manquent(carte):
    incompletes = decisions(DB=(None, "", 0, 0), DE=(None, "", 0, 0))
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    with pytest.raises(ValueError, match=r"2 dossiers sans décision : DB, DE\. Enregistrez une décision motivée"):
        generer_proces_verbal(
            comite_libelle=COMITE,
            date_comite=SEANCE,
            dossiers=d,
            decisions=incompletes,
            historique=incompletes,
            synthese=synthese_comite(d, incompletes, enveloppe_disponible=150_000.0),
            carte_png=carte,
            donnees_fictives=True,
        )


def test_refuse_une_carte_illisible():
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    with pytest.raises(ValueError, match="n'est pas une image lisible"):
        generer_proces_verbal(
            comite_libelle=COMITE,
            date_comite=SEANCE,
            dossiers=d,
            decisions=decisions(),
            historique=decisions(),
            synthese=synthese_comite(d, decisions(), enveloppe_disponible=150_000.0),
            carte_png=b"pas une image",
            donnees_fictives=True,
        )


def test_montant_non_conforme_signale(carte):
    # DF : 1 ETP retenu pour 30 000 €, au-delà de 29 473 € × 1 ETP.
    courantes = decisions(DF=("retenu_partiellement", "Un ETP, montant arrondi.", 1.0, 30_000.0))
    pages = textes(generer(carte, courantes=courantes))
    assert "Montants au-delà du maximal des règles DF" in pages[0]
    assert "Attention : le montant décidé dépasse le montant maximal" in " ".join(pages)


def test_motif_tres_long_rendu_en_entier(carte):
    # Une ligne de tableau ne peut pas passer d'une page à l'autre : le tableau abrège le motif,
    # le contrôle du dossier et l'annexe le donnent en entier.
    long = " ".join(f"argument{i}" for i in range(400))  # environ 4 000 caractères
    pages = textes(generer(carte, courantes=decisions(DA=("retenu", long, 1.0, 28_000.0))))
    tout = " ".join(pages)
    assert "argument0 argument1" in tout
    assert "argument399" in tout
    assert "(texte intégral : contrôle du dossier)" in tout
    assert "Motif intégral — DA, version 1" in tout


@pytest.mark.parametrize("nom", [" ".join(["Association"] * 2000), "X" * 20_000], ids=["mots", "sans-espace"])
def test_nom_de_structure_tres_long_n_empeche_pas_le_proces_verbal(carte, nom):
    # Un nom de 20 000 caractères faisait échouer fpdf2 (« row too high ») : le tableau l'abrège,
    # le contrôle du dossier le donne en entier.
    s = structures()
    s.loc[s["id_structure"] == "S1", "nom"] = nom
    d = dossiers_du_comite(evalues(), comite="84", structures=s)
    courantes = decisions()
    pdf = generer_proces_verbal(
        comite_libelle=COMITE, date_comite=SEANCE, dossiers=d, decisions=courantes, historique=historique(courantes),
        synthese=synthese_comite(d, courantes, enveloppe_disponible=150_000.0, zones_blanches_resolues=2),
        carte_png=carte, donnees_fictives=True,
    )  # fmt: skip
    tout = " ".join(textes(pdf))
    assert "[…]" in tout
    assert tout.count(nom[:40]) >= 1


def test_proces_verbal_provisoire_liste_les_dossiers_sans_decision(carte):
    incompletes = decisions(DB=(None, "", 0, 0), DE=(None, "", 0, 0))
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    pdf = generer_proces_verbal(
        comite_libelle=COMITE, date_comite=SEANCE, dossiers=d, decisions=incompletes, historique=incompletes,
        synthese=synthese_comite(d, incompletes, enveloppe_disponible=150_000.0), carte_png=carte, donnees_fictives=True,
        provisoire=True, en_attente_national=["DA"],
    )
    pages = textes(pdf)
    assert "Procès-verbal provisoire du comité de sélection" in pages[0]
    assert "Procès-verbal provisoire : 2 dossier(s) sans décision : DB, DE." in pages[0]
    assert "En attente du comité national (structures nouvelles, non encore retenues par le comité technique national ; " \
           "hors conventions) : DA." in pages[0]
    tout = " ".join(pages)
    assert "sans décision" in tout and "(en attente du comité national)" in tout


def test_le_depassement_de_l_enveloppe_regionale_est_dit_en_clair(carte):
    # DA 28 000 + DB 29 473 + DD 27 000 + DF 29 473 = 113 946 € engagés pour 100 000 € : 13 946 € au-delà.
    d = dossiers_du_comite(evalues(), comite="84", structures=structures())
    pdf = generer_proces_verbal(
        comite_libelle=COMITE, date_comite=SEANCE, dossiers=d, decisions=decisions(), historique=historique(decisions()),
        synthese=synthese_comite(d, decisions(), enveloppe_disponible=100_000.0), carte_png=carte, donnees_fictives=True,
    )
    assert ("Dépassement de l'enveloppe : 113 946 € engagés pour 100 000 € disponibles, soit 13 946 € au-delà."
            in textes(pdf)[0])
