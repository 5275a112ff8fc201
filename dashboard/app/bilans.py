"""Streamlit widgets of the « Bilans annuels » page: frozen editions, their files, the
freeze button, two editions compared, the end-of-plan evaluation.

The editions are read from the workspace (:mod:`dashboard.store.editions`), so every
replica shows the same files; the comparison and the evaluation are
:mod:`dashboard.programme.editions`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.app import auth as ui_auth
from dashboard.app.text import plain
from dashboard.exports.bilan import FILE_NAMES, MIME, EditionError, freeze_edition
from dashboard.exports.bundle import ExportBundle
from dashboard.formatting import fr_date, fr_int, fr_number, fr_percent
from dashboard.intake.templates import table_xlsx
from dashboard.programme.editions import compare_editions, evaluation
from dashboard.store.editions import canonical_json, list_editions, read_edition
from dashboard.store.permissions import PermissionRefusee, can_review
from dashboard.store.workspace import WorkspaceError, open_workspace

LEVEL_LABELS = {"departement": "Département", "instance": "Instances", "epci": "EPCI"}


@st.cache_data(max_entries=16, show_spinner="Lecture de l'édition…")
def edition_data(edition_id: int, signature: str) -> dict:
    """The JSON of an edition (cached: an edition never changes)."""
    del signature  # only part of the cache key
    with open_workspace() as ws:
        edition = read_edition(ws, edition_id=edition_id, with_files=False)
    return edition.donnees if edition is not None else {}


def editions() -> pd.DataFrame:
    """Every edition, latest year first (:func:`dashboard.store.editions.list_editions`)."""
    with open_workspace() as ws:
        return list_editions(ws)


def current(frame: pd.DataFrame) -> pd.DataFrame:
    """The current edition of each year (not replaced)."""
    return frame[~frame["remplacee"].astype(bool)].reset_index(drop=True)


def editions_table(frame: pd.DataFrame) -> None:
    """The editions with their date, author and fingerprint."""
    if frame.empty:
        st.info("Aucun bilan gelé pour l'instant.")
        return
    table = pd.DataFrame({
        "Année": frame["annee"].astype(str),
        "Chiffres au": frame["date_reference"].map(fr_date),
        "Gelée le": pd.to_datetime(frame["horodatage"]).dt.strftime("%d/%m/%Y %H:%M"),
        "Par": frame["utilisateur"],
        "Empreinte (SHA-256)": frame["sha256"].str[:16],
        "Fichiers": frame["octets"].map(lambda n: f"{fr_number(n / 1e6, 1)} Mo"),
        "État": frame["remplacee"].map({True: "remplacée", False: "en vigueur"}),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Une édition gelée ne change plus : les imports suivants modifient les tables, "
               "pas les bilans. Heure UTC.")  # fmt: skip


def downloads(frame: pd.DataFrame) -> None:
    """The PDF, PPTX, XLSX and JSON of the chosen edition."""
    live = current(frame)
    if live.empty:
        return
    annee = st.selectbox("Édition à télécharger", list(live["annee"]), key="bilan-fichiers")
    row = live[live["annee"] == annee].iloc[0]
    with open_workspace() as ws:
        edition = read_edition(ws, edition_id=int(row["id"]))
    if edition is None:
        return
    cols = st.columns(4)
    for col, fmt in zip(cols, ("pdf", "pptx", "xlsx"), strict=False):
        if fmt in edition.files:
            col.download_button(f"{fmt.upper()}", edition.files[fmt],
                                file_name=FILE_NAMES[fmt].format(annee=annee), mime=MIME[fmt],
                                key=f"bilan-{fmt}-{annee}")  # fmt: skip
    cols[3].download_button("JSON", canonical_json(edition.donnees).encode("utf-8"),
                            file_name=f"bilan_{annee}.json", mime=MIME["json"],
                            key=f"bilan-json-{annee}")  # fmt: skip
    st.caption(f"Édition {edition.id} du bilan {annee}, gelée le "
               f"{edition.horodatage:%d/%m/%Y} par {plain(edition.utilisateur)} ; chiffres au "
               f"{fr_date(edition.date_reference)}.")  # fmt: skip


def freeze_form(departement: str, plan_start: int) -> None:
    """Freeze the bilan of a past year (comité and administrateurs only)."""
    acteur = ui_auth.session_acteur()
    if not can_review(acteur):
        st.caption("Le gel d'un bilan est réservé au comité et aux administrateurs.")
        return
    last = dt.date.today().year - 1
    years = list(range(last, min(plan_start, last) - 1, -1))
    with st.form("geler-bilan"):
        st.markdown("**Geler le bilan d'une année terminée**")
        annee = st.selectbox("Année", years, key="bilan-annee")
        replace = st.checkbox("Remplacer l'édition déjà gelée de cette année (l'ancienne reste "
                              "consultable)", key="bilan-remplacer")  # fmt: skip
        submitted = st.form_submit_button("Geler le bilan", type="primary")
    if not submitted:
        return
    with st.spinner(f"Gel du bilan {annee} : chiffres, PDF, diaporama et classeur…"):
        try:
            edition = freeze_edition(int(annee), acteur, None, departement, replace=replace)
        except (PermissionRefusee, EditionError, WorkspaceError) as exc:
            st.error(str(exc))
            return
    st.success(f"Bilan {edition.annee} gelé (édition {edition.id}, empreinte "
               f"{edition.sha256[:12]}).")  # fmt: skip


def comparison(frame: pd.DataFrame, signature: str) -> None:
    """Two editions year on year: what moved per territory and per action."""
    live = current(frame)
    if len(live) < 2:
        st.info("Il faut deux bilans gelés pour les comparer.")
        return
    years = sorted(live["annee"].astype(int))
    c1, c2, c3 = st.columns(3)
    a = c1.selectbox("Édition de référence", years, index=len(years) - 2, key="cmp-a")
    b = c2.selectbox("Comparée à", years, index=len(years) - 1, key="cmp-b")
    level = c3.selectbox("Niveau", list(LEVEL_LABELS), format_func=LEVEL_LABELS.get,
                         index=1, key="cmp-niveau")  # fmt: skip
    if a == b:
        st.warning("Choisissez deux années différentes.")
        return
    ids = dict(zip(live["annee"].astype(int), live["id"].astype(int), strict=True))
    cmp_ = compare_editions(edition_data(ids[a], signature), edition_data(ids[b], signature))
    moved = cmp_.territories[cmp_.territories["territoire_type"] == level]
    n_moved = int(moved["a_bouge"].sum())
    n_actions = int(cmp_.actions["a_bouge"].sum())
    m1, m2 = st.columns(2)
    m1.metric(f"Lignes territoire × indicateur qui ont bougé ({LEVEL_LABELS[level]})",
              fr_int(n_moved))  # fmt: skip
    m2.metric("Actions dont le statut, l'avancement ou les retards ont changé", fr_int(n_actions))
    st.subheader(f"Par territoire : réalisé et statut, {cmp_.annee_a} → {cmp_.annee_b}")
    only = st.checkbox("Seulement ce qui a bougé", value=True, key="cmp-bouge")
    rows = moved[moved["a_bouge"]] if only else moved
    st.dataframe(pd.DataFrame({
        "Indicateur": rows["libelle"], "Territoire": rows["territoire_nom"],
        "Période": rows["periode"], "Objectif": rows["objectif"].map(fr_int),
        f"Réalisé {cmp_.annee_a}": rows["realise_a"].map(fr_int),
        f"Réalisé {cmp_.annee_b}": rows["realise_b"].map(fr_int),
        "Évolution": rows["evolution"].map(lambda v: f"{'+' if v > 0 else ''}{fr_int(v)}"),
        f"Dans l'année {cmp_.annee_a}": rows["realise_annee_a"].map(fr_int),
        f"Dans l'année {cmp_.annee_b}": rows["realise_annee_b"].map(fr_int),
        f"Statut {cmp_.annee_a}": rows["statut_a"], f"Statut {cmp_.annee_b}": rows["statut_b"],
    }), hide_index=True, width="stretch")  # fmt: skip
    st.subheader(f"Par action, {cmp_.annee_a} → {cmp_.annee_b}")
    acts = cmp_.actions
    st.dataframe(pd.DataFrame({
        "Action": acts["code"], "Intitulé": acts["intitule"],
        f"Statut {cmp_.annee_a}": acts["statut_a"], f"Statut {cmp_.annee_b}": acts["statut_b"],
        f"Avancement {cmp_.annee_a}": acts["avancement_a"].map(lambda v: fr_percent(v, 0)),
        f"Avancement {cmp_.annee_b}": acts["avancement_b"].map(lambda v: fr_percent(v, 0)),
        f"Jalons en retard {cmp_.annee_a}": acts["jalons_en_retard_a"].map(fr_int),
        f"Jalons en retard {cmp_.annee_b}": acts["jalons_en_retard_b"].map(fr_int),
        "A bougé": acts["a_bouge"].map({True: "oui", False: "non"}),
    }), hide_index=True, width="stretch")  # fmt: skip
    st.caption("Chiffres des deux éditions gelées, tels qu'ils ont été arrêtés : aucun import "
               "postérieur ne les modifie.")  # fmt: skip


def evaluation_panel(bundle: ExportBundle, frame: pd.DataFrame, signature: str) -> None:
    """Planned against done over the whole period, and why they differ."""
    live = current(frame)
    frozen = [edition_data(int(i), signature) for i in live["id"]]
    objectives, actions = evaluation(bundle.indicators, bundle.programme, bundle.comments,
                                     frozen)  # fmt: skip
    st.caption(f"Évaluation au {fr_date(bundle.today)} sur toute la période du plan ; statuts "
               f"enregistrés dans {len(frozen)} bilan(s) gelé(s). Source : {bundle.source}.")
    m1, m2 = st.columns(2)
    m1.metric("Objectifs atteints", f"{fr_int(int(objectives['atteint'].sum()))} / "
              f"{fr_int(len(objectives))}")  # fmt: skip
    m2.metric("Actions réalisées sans retard", f"{fr_int(int(actions['atteint'].sum()))} / "
              f"{fr_int(len(actions))}")  # fmt: skip
    st.subheader("Objectifs : prévu et réalisé")
    obj = pd.DataFrame({
        "Indicateur": objectives["libelle"], "Territoire": objectives["territoire_nom"],
        "Période": objectives["periode"], "Prévu": objectives["objectif"].map(fr_int),
        "Réalisé": objectives["realise"].map(fr_int),
        "Taux": objectives["taux"].map(fr_percent), "Écart": objectives["ecart"].map(fr_int),
        "Statut": objectives["statut"], "Statuts des bilans": objectives["statuts_enregistres"],
        "Pourquoi (commentaires)": objectives["commentaires"],
    })  # fmt: skip
    st.dataframe(obj, hide_index=True, width="stretch")
    st.subheader("Actions : prévu et fait")
    act = pd.DataFrame({
        "Action": actions["code"], "Intitulé": actions["intitule"],
        "Échéance": actions["date_fin"].map(fr_date), "Statut": actions["statut_libelle"],
        "Jalons réalisés": [f"{fr_int(r)} / {fr_int(n)}" for r, n in
                            zip(actions["jalons_realises"], actions["nb_jalons"], strict=True)],
        "Écart": actions["ecart"], "Statuts des bilans": actions["statuts_enregistres"],
        "Pourquoi (commentaires)": actions["commentaires"],
    })  # fmt: skip
    st.dataframe(act, hide_index=True, width="stretch")
    st.download_button(
        "Télécharger l'évaluation (XLSX)", _evaluation_xlsx(obj, act),
        file_name="evaluation_pdalhpd.xlsx", mime=MIME["xlsx"], key="evaluation-xlsx",
    )  # fmt: skip


def _evaluation_xlsx(objectives: pd.DataFrame, actions: pd.DataFrame) -> bytes:
    import io

    from openpyxl import load_workbook

    first = load_workbook(io.BytesIO(table_xlsx(objectives, "Objectifs")))
    second = load_workbook(io.BytesIO(table_xlsx(actions, "Actions")))
    sheet = first.create_sheet("Actions")
    for row in second["Actions"].iter_rows(values_only=True):
        sheet.append(list(row))
    buf = io.BytesIO()
    first.save(buf)
    return buf.getvalue()
