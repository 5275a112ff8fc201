"""Streamlit widgets of the « Programme d'actions » page and of the fiche action.

The numbers come from :class:`dashboard.programme.actions.ProgrammeReport` held by the
export bundle, so that the page, the deck, the presentation and ``territoires actions``
agree. Texts written by users (intitulés, pilotes, comments) are shown escaped
(:func:`plain`), never as markdown.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard.app.text import plain
from dashboard.exports.bundle import ExportBundle, TerritoryRef
from dashboard.exports.fiche import FicheContent
from dashboard.formatting import fr_date, fr_int, fr_number, fr_percent
from dashboard.programme.actions import (
    DEFINITION_AVANCEMENT,
    ETAT_EN_RETARD,
    ProgrammeReport,
)

ALL = "(tous)"
#: Query parameter of a fiche action: ``?action=CODE`` (shareable link).
ACTION_PARAM = "action"
STATUT_COLOURS = {"réalisée": "green", "en cours": "blue", "à engager": "gray",
                  "reportée": "orange", "abandonnée": "gray"}  # fmt: skip


def selected_action() -> str | None:
    """The code of ``?action=CODE``, None when absent."""
    value = st.query_params.get(ACTION_PARAM)
    return str(value) if value else None


def _open(code: str | None) -> None:
    if code:
        st.query_params[ACTION_PARAM] = code
    elif ACTION_PARAM in st.query_params:
        del st.query_params[ACTION_PARAM]


def header(bundle: ExportBundle) -> None:
    """Title, date, source and the key counts of the programme."""
    report = bundle.programme
    st.title("Programme d'actions")
    st.caption(f"Situation au {fr_date(report.today)} (date de référence des indicateurs). "
               f"Source : {report.source}.")  # fmt: skip
    actions = report.actions
    cols = st.columns(5)
    cols[0].metric("Actions", fr_int(len(actions)))
    cols[1].metric("En cours", fr_int(int((actions["statut"] == "en_cours").sum())))
    cols[2].metric("Réalisées", fr_int(int((actions["statut"] == "realisee").sum())))
    cols[3].metric("Actions en retard", fr_int(int(actions["en_retard"].sum())))
    cols[4].metric("Jalons en retard", fr_int(len(report.late_milestones())))


def filters(bundle: ExportBundle) -> pd.DataFrame:
    """Axe, pilote and territoire filters; the actions that pass them."""
    report = bundle.programme
    c1, c2, c3 = st.columns(3)
    axe = c1.selectbox("Axe", [ALL, *report.axes], key="prog-axe")
    pilotes = sorted(set(report.actions["pilote"].astype(str)))
    pilote = c2.selectbox("Pilote", [ALL, *pilotes], key="prog-pilote")
    refs = {r.key: r for r in bundle.epci_refs() + bundle.instance_refs()}
    key = c3.selectbox(
        "Territoire", [ALL, *refs], key="prog-territoire",
        format_func=lambda k: k if k == ALL else
        f"{'EPCI' if k.startswith('epci') else 'Instance'} — {refs[k].nom}",
    )  # fmt: skip
    departemental = c3.checkbox("avec les actions de tout le département", value=True,
                                key="prog-dep",
                                help="Avec un territoire choisi, garder aussi les actions "
                                "qui concernent tout le département.")  # fmt: skip
    ref = refs.get(key)
    return report.filtered(
        axe=None if axe == ALL else axe, pilote=None if pilote == ALL else pilote,
        communes=ref.communes if ref else None, departemental=departemental,
    )  # fmt: skip


def _progress(value: object) -> None:
    if value is None or pd.isna(value):
        st.caption("sans jalon")
    else:
        st.progress(float(value), text=f"avancement {fr_percent(float(value), 0)}")


def by_axe(report: ProgrammeReport, actions: pd.DataFrame) -> None:
    """The actions grouped by axe: code (opens the fiche), intitulé, pilote, status,
    progress, late milestones."""
    if actions.empty:
        st.info("Aucune action ne correspond à ces filtres.")
        return
    for axe in [a for a in report.axes if a in set(actions["axe"])]:
        st.subheader(plain(axe))
        for row in actions[actions["axe"] == axe].itertuples():
            c1, c2, c3, c4 = st.columns([1, 6, 2, 2], vertical_alignment="center")
            c1.button(plain(row.code), key=f"ouvrir-{row.code}", on_click=_open, args=(row.code,),
                      help="Ouvrir la fiche action", width="stretch")  # fmt: skip
            c2.markdown(f"**{plain(row.intitule)}**  \n{plain(row.pilote)} — "
                        f"{plain(row.territoires_libelle)}")  # fmt: skip
            colour = STATUT_COLOURS.get(row.statut_libelle, "gray")
            late = ""
            if row.jalons_en_retard:
                late = f"  \n:red-badge[{fr_int(row.jalons_en_retard)} jalon(s) en retard]"
            elif row.echeance_depassee:
                late = "  \n:red-badge[échéance dépassée]"
            c3.markdown(f":{colour}-badge[{plain(row.statut_libelle)}]{late}")
            with c4:
                _progress(row.avancement)
    st.caption(DEFINITION_AVANCEMENT)


def late_milestones(report: ProgrammeReport) -> None:
    """The milestones late at the reference date, most overdue first."""
    late = report.late_milestones()
    if late.empty:
        st.success(f"Aucun jalon en retard au {fr_date(report.today)}.")
        return
    titles = dict(zip(report.actions["code"], report.actions["intitule"], strict=True))
    table = pd.DataFrame({
        "Action": late["action"],
        "Intitulé de l'action": late["action"].map(titles),
        "Jalon": late["libelle"],
        "Prévu le": late["date_prevue"].map(fr_date),
        "Retard (jours)": late["jours_de_retard"].map(fr_int),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"Jalons non réalisés à leur date prévue, au {fr_date(report.today)}. "
               f"Source : {report.source}.")  # fmt: skip


def _links_table(links: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Action": links["action"],
        "Indicateur": links["libelle"],
        "Territoire": links["territoire_nom"],
        "Période": links["periode"].fillna("–"),
        "Objectif": links["objectif"].map(fr_int),
        "Réalisé": links["realise"].map(lambda v: fr_number(v, 0)),
        "Taux": links["taux"].map(fr_percent),
        "Attendu à date": links["attendu_a_date"].map(fr_int),
        "Statut": links["statut"],
    })  # fmt: skip


def linked_indicators(report: ProgrammeReport, actions: pd.DataFrame) -> None:
    """Progress of the indicators linked to the shown actions."""
    links = report.links[report.links["action"].isin(set(actions["code"]))]
    if links.empty:
        st.info("Aucun indicateur lié à ces actions.")
        return
    st.dataframe(_links_table(links), hide_index=True, width="stretch")
    st.caption("Objectifs et réalisations des indicateurs liés, sur la période du plan (mêmes "
               "chiffres que la page « Objectifs »).")  # fmt: skip


# ------------------------------------------------------------------ fiche action


def _territory_buttons(bundle: ExportBundle, territoires: list[str]) -> None:
    refs: dict[str, TerritoryRef] = {r.key: r for r in bundle.epci_refs() + bundle.instance_refs()}
    shown = [refs[k] for k in territoires if k in refs]
    if not shown:
        return
    cols = st.columns(min(4, len(shown)))
    for i, ref in enumerate(shown):
        cols[i % len(cols)].link_button(f"Fiche {ref.nom}", f"./fiche?territoire={ref.key}",
                                        width="stretch")  # fmt: skip


def fiche_action(bundle: ExportBundle, code: str) -> None:
    """The fiche of one action: what, who, with what, when, how far, and what was said."""
    report = bundle.programme
    st.button("← Programme d'actions", key="retour-programme", on_click=_open, args=(None,))
    row = report.action(code)
    if row is None:
        st.title("Fiche action")
        st.warning(f"Action « {plain(code)} » inconnue du programme. Actions : "
                   + ", ".join(plain(c) for c in report.actions["code"]) + ".")
        return
    st.title(plain(f"Fiche action {row['code']} — {row['intitule']}"))
    demo = f" — {bundle.demo_note}" if bundle.is_demo else ""
    st.caption(f"Axe : {plain(row['axe'])}. Situation au {fr_date(report.today)}. Lien de "
               f"cette fiche : ?action={plain(code)}{demo}")  # fmt: skip
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Statut", row["statut_libelle"])
    c2.metric("Avancement", fr_percent(row["avancement"], 0))
    c3.metric("Jalons en retard", fr_int(row["jalons_en_retard"]))
    c4.metric("Échéance", fr_date(row["date_fin"]),
              help=f"Début de l'action : {fr_date(row['date_debut'])}")  # fmt: skip
    budget = "budget non renseigné" if pd.isna(row["budget"]) else f"{fr_int(row['budget'])} €"
    etp = "ETP non renseignés" if pd.isna(row["etp"]) else f"{fr_number(row['etp'], 1)} ETP"
    st.markdown(f"**Pilote** : {plain(row['pilote'])}  \n"
                f"**Partenaires** : {plain(row['partenaires'] or '–')}  \n"
                f"**Moyens** : {budget} ; {etp}  \n"
                f"**Territoires** : {plain(row['territoires_libelle'])}")  # fmt: skip
    if row["echeance_depassee"]:
        st.error(f"Échéance du {fr_date(row['date_fin'])} dépassée sans que l'action soit "
                 "réalisée.")  # fmt: skip
    _territory_buttons(bundle, list(row["territoires"]))

    st.header("Calendrier d'exécution")
    jalons = report.jalons[report.jalons["action"] == row["code"]]
    if jalons.empty:
        st.info("Aucun jalon pour cette action.")
    else:
        table = pd.DataFrame({
            "Jalon": jalons["libelle"], "Prévu le": jalons["date_prevue"].map(fr_date),
            "Réalisé le": jalons["date_realisee"].map(fr_date), "État": jalons["etat"],
            "Retard (jours)": jalons["jours_de_retard"].map(fr_int),
        })  # fmt: skip
        st.dataframe(table, hide_index=True, width="stretch")
        late = int((jalons["etat"] == ETAT_EN_RETARD).sum())
        if late:
            st.warning(f"{late} jalon(s) en retard au {fr_date(report.today)}.")

    st.header("Indicateurs de résultat")
    links = report.links[report.links["action"] == row["code"]]
    if links.empty:
        st.info("Aucun indicateur lié à cette action.")
    else:
        st.dataframe(_links_table(links).drop(columns="Action"), hide_index=True,
                     width="stretch")  # fmt: skip
        sources = "; ".join(sorted(set(links["source"].astype(str))))
        st.caption(f"Source : {sources}.")

    st.header("Commentaires")
    comments = bundle.comments[bundle.comments["action"] == row["code"]]
    pending = bundle.declarations[(bundle.declarations["kind"] == "commentaires")
                                  & (bundle.declarations["action"] == row["code"])
                                  & (bundle.declarations["statut_validation"] != "valide")]
    show_comments(comments, pending)
    st.caption(f"Situation au {fr_date(report.today)}. {DEFINITION_AVANCEMENT} "
               f"Source : {report.source}.")  # fmt: skip


def show_comments(comments: pd.DataFrame, pending: pd.DataFrame | None = None) -> None:
    """Comments (most recent first), then the declared ones awaiting the comité."""
    if comments.empty and (pending is None or pending.empty):
        st.info("Aucun commentaire.")
        return
    for row in comments.itertuples():
        who = plain(row.auteur or "auteur inconnu")
        action = f" — action {plain(row.action)}" if row.action else ""
        st.markdown(f"**{fr_date(row.date)}** — {plain(row.territoire_nom)} — {who}{action}  \n"
                    f"{plain(row.texte)}")  # fmt: skip
    if pending is not None and not pending.empty:
        st.markdown("**Déclarés, en attente de la décision du comité**")
        for row in pending.itertuples():
            motif = f" — motif : {plain(row.motif_revue)}" if row.motif_revue else ""
            st.markdown(f":orange-badge[{plain(row.statut_libelle)}] {fr_date(row.date)} — "
                        f"{plain(row.auteur or '')} : {plain(row.texte)}{motif}")  # fmt: skip


def territory_actions(bundle: ExportBundle, fiche: FicheContent) -> None:
    """On a territory fiche: the actions naming a territory that shares a commune with it."""
    report = bundle.programme
    mine = fiche.actions
    n_dep = int(report.actions["departemental"].sum())
    if mine.empty:
        st.info("Aucune action du programme ne vise spécialement ce territoire.")
    else:
        table = pd.DataFrame({
            "Action": mine["code"], "Intitulé": mine["intitule"], "Axe": mine["axe"],
            "Pilote": mine["pilote"], "Statut": mine["statut_libelle"],
            "Avancement": mine["avancement"].map(lambda v: fr_percent(v, 0)),
            "Jalons en retard": mine["jalons_en_retard"].map(fr_int),
        })  # fmt: skip
        st.dataframe(table, hide_index=True, width="stretch")
        cols = st.columns(min(4, len(mine)))
        for i, code in enumerate(mine["code"]):
            cols[i % len(cols)].link_button(
                plain(f"Fiche action {code}"), f"./programme?{urlencode({ACTION_PARAM: code})}",
                width="stretch",
            )
    st.caption(f"{n_dep} autre(s) action(s) concernent tout le département (page « Programme "
               f"d'actions »). Situation au {fr_date(report.today)} ; source : {report.source}.")


def territory_comments(fiche: FicheContent) -> None:
    """On a territory fiche: the comments about it, and its declarations awaiting review."""
    show_comments(fiche.comments, fiche.pending_comments)
