"""Scénarios du simulateur : enregistrer, nommer, dupliquer, comparer, restaurer, exporter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.espace import ConflitEdition, ElementIntrouvable
from coverage.espace.permissions import PermissionRefusee
from coverage.documents.exports import exporter_xlsx
from coverage.documents.format import format_euros, format_nombre
from coverage.documents.libelles import pour_personnes
from ui import etat
from ui.ecritures import afficher_conflit, clic, noter_clic, version_vue
from ui.texte import texte
from coverage.territoires.couverture import ecarts
from ui.presentation import barres_appariees
from ui.presentation import tableau as afficher_tableau
from ui.acces import champ_auteur

CLES_REGLAGES = {"region": "simulation_region", "enveloppe": "simulation_enveloppe", "mode": "simulation_mode",
                 "financement_partiel": "simulation_partiel", "financer_prioritaires": "simulation_ignorer_priorite",
                 "enveloppes": "simulation_enveloppes"}


def appliquer_restauration() -> None:
    """À appeler avant de créer les widgets : recopie les réglages d'un scénario restauré."""
    a_restaurer = st.session_state.pop("simulation_a_restaurer", None)
    if a_restaurer:
        for nom, cle in CLES_REGLAGES.items():
            if nom not in a_restaurer:  # scénario enregistré avant l'ajout de ce réglage
                continue
            valeur = a_restaurer[nom]
            if nom == "financer_prioritaires":
                valeur = not valeur  # l'interrupteur dit « ignorer la priorité »
            st.session_state[cle] = int(valeur) if nom == "enveloppe" else valeur


def _resultats(resultat, entrees) -> dict[str, pd.DataFrame]:
    voulues = ["nom_structure", "statut", "etp_demandes", "cout_annuel_total", "montant_aap_demande", "motifs"]
    ajout = [c for c in voulues if c not in resultat.lignes.columns]  # jamais de colonnes doublées `_x`/`_y`
    lignes = resultat.lignes.merge(entrees.dossiers[["id_dossier", *ajout]], on="id_dossier", how="left")
    region = resultat.lignes.groupby("region").agg(nb_dossiers=("id_dossier", "size"), montant_attribue=("montant_attribue", "sum"),
                                                   etp_finances=("etp_finances", "sum")).reset_index()
    return {"dossiers": lignes, "synthese_region": region}


def _synthese(dossiers: pd.DataFrame) -> dict[str, float]:
    finances = dossiers[dossiers["montant_attribue"] > 0]
    return {"montant": float(finances["montant_attribue"].sum()), "etp": float(finances["etp_finances"].sum()),
            "dossiers": int(len(finances))}


def section(reglages, *, version: int, allouer, entrees) -> None:
    """`version` : la version des données affichée ; un scénario est calculé et enregistré sur celle que
    l'utilisateur avait sous les yeux, et refusé si une autre version est devenue active entre-temps."""
    e = etat.espace()
    base = version_vue("simulation_scenario", version)
    st.markdown("Un scénario garde les réglages et le résultat de l'allocation, avec son auteur et sa date, "
                "sur la version des données où il a été calculé.")
    with st.form("simulation_form_scenario"):
        c1, c2 = st.columns(2)
        nom = c1.text_input("Nom du scénario", placeholder="ex. Priorités 4,5 M€ — comité de juillet")
        auteur = champ_auteur(conteneur=c2)
        if st.form_submit_button("Enregistrer les réglages en cours comme scénario", type="primary"):
            if not nom.strip() or not auteur.strip():
                st.error("Le nom du scénario et votre nom sont obligatoires.")
            else:
                resultat = allouer(reglages, version=base)
                try:
                    ident = e.enregistrer_scenario(nom=nom.strip(), auteur=auteur.strip(), parametres=reglages.en_dict(),
                                                   resultats=_resultats(resultat, entrees(reglages, base)), base_version=base)
                    st.success(f"Scénario n° {ident} « {texte(nom.strip())} » enregistré.")
                except ConflitEdition as conflit:
                    afficher_conflit(conflit, cle="simulation_scenario")
                except ValueError as erreur:
                    st.error(texte(erreur))
    liste = e.lister_scenarios()
    if liste.empty:
        st.info("Aucun scénario enregistré pour l'instant.")
        return
    afficher_tableau(liste.drop(columns=["supprime"], errors="ignore"))
    noms = liste.set_index("id")["nom"]
    choix = st.selectbox("Scénario", list(noms.index), format_func=lambda i: f"n° {i} — {noms[i]}", key="simulation_scenario_choix")
    scenario = e.charger_scenario(int(choix))
    vue = version_vue(f"simulation_scenario_{int(choix)}", scenario.version)  # le scénario tel que l'utilisateur l'a vu
    c1, c2, c3, c4 = st.columns(4)
    auteur = champ_auteur(key="simulation_scenario_auteur", conteneur=c4)
    if c1.button("Restaurer ses réglages"):
        st.session_state["simulation_a_restaurer"] = scenario.parametres
        st.rerun()
    c5, c6 = st.columns([3, 1])
    nouveau_nom = c5.text_input("Nouveau nom", key="simulation_scenario_nouveau_nom", placeholder=noms[choix])
    for colonne, action, libelle, possible in ((c2, "dupliquer", "Dupliquer", bool(auteur.strip())),
                                               (c3, "supprimer", "Supprimer", bool(auteur.strip())),
                                               (c6, "renommer", "Renommer", bool(auteur.strip() and nouveau_nom.strip()))):
        colonne.button(libelle, disabled=not possible, key=f"simulation_scenario_{action}", on_click=noter_clic,
                       args=(f"simulation_scenario_{action}",))
    for action in ("dupliquer", "supprimer", "renommer"):
        if clic(f"simulation_scenario_{action}"):
            _modifier_scenario(e, action, int(choix), nom=noms[choix], nouveau_nom=nouveau_nom.strip(), auteur=auteur.strip(),
                               base=vue)
    parametres = pd.DataFrame({"parametre": list(scenario.parametres), "valeur": [str(v) for v in scenario.parametres.values()]})
    st.download_button("Exporter ce scénario (XLSX)", on_click="ignore", key="simulation_scenario_xlsx",
                       file_name=f"scenario_{choix}.xlsx", data=lambda: exporter_xlsx(
                           {nom: pour_personnes(t, referentiel=etat.referentiel(), structures=etat.noms_structures()) for nom, t in
                            {**scenario.resultats, "parametres": parametres}.items()},
                           donnees_fictives=etat.donnees_actives().demo))

    st.markdown("#### Comparer deux scénarios")
    c1, c2 = st.columns(2)
    a = c1.selectbox("Scénario A", list(noms.index), format_func=lambda i: f"n° {i} — {noms[i]}", key="simulation_cmp_a")
    b = c2.selectbox("Scénario B", list(noms.index), index=min(1, len(noms) - 1), format_func=lambda i: f"n° {i} — {noms[i]}",
                     key="simulation_cmp_b")
    sa, sb = e.charger_scenario(int(a)), e.charger_scenario(int(b))
    for col, s in ((c1, sa), (c2, sb)):
        t = _synthese(s.resultats["dossiers"])
        col.metric("Attribué", format_euros(t["montant"], centimes=False))
        col.caption(f"{t['dossiers']} dossiers financés, {format_nombre(t['etp'], decimales=2)} ETP — "
                    f"mode {s.parametres.get('mode')}, enveloppe {format_euros(s.parametres.get('enveloppe', 0), centimes=False)}")
    _comparer(sa.resultats["dossiers"], sb.resultats["dossiers"])


def _comparer(da: pd.DataFrame, db: pd.DataFrame) -> None:
    """Dossiers financés différemment (A, B, différence, du plus grand écart au plus petit), puis montants par région."""
    tous = pd.concat([da, db]).drop_duplicates("id_dossier").set_index("id_dossier")
    noms = tous["nom_structure"] if "nom_structure" in tous.columns else None
    diff = ecarts(da.set_index("id_dossier")["montant_attribue"], db.set_index("id_dossier")["montant_attribue"], noms=noms,
                  tolerance=0.005)
    afficher_tableau(diff.rename(columns={"nom": "nom_structure", "avant": "montant_a", "apres": "montant_b",
                                          "difference": "montant_difference"}).rename_axis("id_dossier"), index=True)
    st.caption(f"{len(diff)} dossier(s) financé(s) différemment.")
    if "region" in da.columns and "region" in db.columns:  # un scénario importé sans région : pas de barres
        regions = etat.referentiel().regions["nom"]
        par_region = pd.DataFrame({"avant": da.groupby("region")["montant_attribue"].sum(),
                                   "apres": db.groupby("region")["montant_attribue"].sum()}).fillna(0.0)
        par_region = par_region[(par_region["avant"] > 0) | (par_region["apres"] > 0)]
        barres_appariees(par_region.assign(nom=regions.reindex(par_region.index).fillna(pd.Series(par_region.index, index=par_region.index))),
                         titre="Montant attribué (€)", format_axe=",.0f", series=("Scénario A", "Scénario B"))


def _modifier_scenario(e, action: str, id: int, *, nom: str, nouveau_nom: str, auteur: str, base: int) -> None:  # noqa: ANN001
    """Duplique, supprime ou renomme le scénario `id` tel que l'utilisateur l'a vu (`base`) ; conflit : message et « Recharger »."""
    try:
        if action == "dupliquer":
            e.dupliquer_scenario(id, f"{nom} (copie {pd.Timestamp.now():%d/%m %H:%M:%S})", auteur=auteur, base_version=base)
        elif action == "supprimer":
            e.supprimer_scenario(id, auteur=auteur, base_version=base)
        else:
            e.renommer_scenario(id, nouveau_nom, auteur=auteur, base_version=base)
    except ConflitEdition as conflit:
        afficher_conflit(conflit, cle=f"simulation_scenario_{action}")
    except (ValueError, ElementIntrouvable, PermissionRefusee) as erreur:
        st.error(texte(erreur))
    else:
        st.rerun()
