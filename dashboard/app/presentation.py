"""Streamlit widgets of the presentation mode: large type, high contrast, no sidebar."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.app.common import workspace_signature
from dashboard.app.fiche import cached_bundle
from dashboard.app.plotly_style import french_figure
from dashboard.app.text import plain
from dashboard.coverage import RULES_BY_ID, SEVERITY_LABELS
from dashboard.exports.bundle import ExportBundle
from dashboard.exports.presentation import (
    Screen,
    field_by_instance,
    plai_balance,
    plai_by_instance,
    recent_comments,
    signals_by_instance,
)
from dashboard.formatting import fr_date, fr_int, fr_number, fr_percent
from dashboard.maps.static import overview_png

#: Large type and high contrast for a projector; the sidebar is hidden, navigation is in
#: the page itself.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
.block-container { max-width: 1500px; padding-top: 1.5rem; }
.block-container, .block-container p, .block-container li { font-size: 1.45rem; color: #000; }
.block-container h1 { font-size: 3rem; color: #000091; }
[data-testid="stMetricValue"] { font-size: 3.2rem; color: #000; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem; }
.block-container [data-testid="stCaptionContainer"] p { font-size: 1rem; color: #333; }
</style>
"""
PLOT_FONT = {"size": 20, "color": "#000000"}


@st.cache_data(max_entries=32, show_spinner=False)
def _overview_png(departement: str, signature: str, instance_code: str | None) -> bytes:
    """The département map of a screen (an instance in red), drawn once per data version."""
    terr = cached_bundle(departement, signature).territory
    shape = None
    if instance_code is not None:
        shape = terr.instances[terr.instances["instance_code"] == instance_code]
    return overview_png(terr.communes, terr.epci, terr.instances, highlight=shape,
                        size=(8.0, 7.0))  # fmt: skip


def current_index(deck: list[Screen]) -> int:
    """Screen number from ``?ecran=N`` (1-based in the URL), kept within bounds."""
    try:
        wanted = int(st.query_params.get("ecran", "1")) - 1
    except ValueError:
        wanted = 0
    return max(0, min(wanted, len(deck) - 1))


def _go(index: int) -> None:
    st.query_params["ecran"] = str(index + 1)


def navigation(deck: list[Screen], index: int) -> None:
    """Previous / next buttons and the position, at the top of every screen."""
    c1, c2, c3 = st.columns([1, 4, 1])
    c1.button(
        "◀ Précédent", on_click=_go, args=(index - 1,), disabled=index == 0,
        key="prev", width="stretch",
    )  # fmt: skip
    c2.markdown(f"Écran {index + 1} / {len(deck)} — {plain(deck[index].title)}",
                text_alignment="center")
    c3.button(
        "Suivant ▶", on_click=_go, args=(index + 1,),
        disabled=index == len(deck) - 1, key="next", width="stretch",
    )  # fmt: skip


def _footer(bundle: ExportBundle, source: str) -> None:
    demo = " — données de démonstration" if bundle.is_demo and "démonstration" not in source else ""
    st.caption(f"Source : {plain(source)}{demo}. Situation au {bundle.today:%d/%m/%Y}.")


def overview(bundle: ExportBundle) -> None:
    """The département, its instances and EPCI, and its key figures."""
    terr = bundle.territory
    ref = terr.reference
    c1, c2 = st.columns([3, 2])
    c1.image(_overview_png(bundle.departement, workspace_signature(), None))
    with c2:
        st.metric(f"Population municipale {ref.millesime}", fr_int(ref.population))
        st.metric("Communes", fr_int(len(ref.communes)))
        st.metric("EPCI", fr_int(len(ref.epci)))
        st.metric("Instances locales", fr_int(len(terr.instances)))
    _footer(bundle, f"{ref.source_population} ; instances : {terr.instances_source}")


def balance(bundle: ExportBundle) -> None:
    """Share of PLA-I financed against share of population, per instance."""
    rows, index = plai_balance(bundle)
    fig = go.Figure()
    names = rows["territoire_nom"]
    fig.add_bar(y=names, x=rows["part_besoin"] * 100, name="Part de la population",
                orientation="h", marker_color="#b8c4e0")  # fmt: skip
    fig.add_bar(y=names, x=rows["part_realise"] * 100, name="Part des PLA-I financés",
                orientation="h", marker_color="#000091")  # fmt: skip
    fig.update_layout(barmode="group", height=720, font=PLOT_FONT, xaxis_title="%",
                      margin={"t": 10}, plot_bgcolor="white")  # fmt: skip
    st.plotly_chart(french_figure(fig), width="stretch", key="pres-balance", theme=None)
    if index is not None:
        st.markdown(
            f"**Indice de dissimilarité : {fr_number(index)} %.** "
            f"{plain(bundle.payload['explication_equilibre'])}"
        )
    if len(rows):
        _footer(bundle, str(rows["source"].iloc[0]))


def objectives(bundle: ExportBundle) -> None:
    """PLA-I objective, expected to date and realised, per instance."""
    rows = plai_by_instance(bundle)
    fig = go.Figure()
    fig.add_bar(x=rows["territoire_nom"], y=rows["objectif"], name="Objectif de la période",
                marker_color="#d5dbe8")  # fmt: skip
    fig.add_bar(x=rows["territoire_nom"], y=rows["attendu_a_date"], name="Attendu à date",
                marker_color="#8fb3e0")  # fmt: skip
    fig.add_bar(x=rows["territoire_nom"], y=rows["realise"], name="Financés",
                marker_color="#000091")  # fmt: skip
    fig.update_layout(barmode="group", height=640, font=PLOT_FONT,
                      margin={"t": 10, "b": 190}, plot_bgcolor="white")  # fmt: skip
    st.plotly_chart(french_figure(fig), width="stretch", key="pres-objectives", theme=None)
    if len(rows):
        _footer(bundle, str(rows["source"].iloc[0]))


def signals(bundle: ExportBundle) -> None:
    """Signals per instance: résolus, clos sans résolution and en cours, stacked."""
    from dashboard.indicators.outcomes import DEFINITION_ISSUES

    rows = signals_by_instance(bundle)
    if rows.empty:
        st.info("Aucun signalement importé.")
        return
    dep = rows.iloc[-1]
    c = st.columns(4)
    c[0].metric("Signalements reçus", fr_int(dep["nb_signalements"]))
    c[1].metric("Résolus", fr_int(dep["nb_resolus"]))
    c[2].metric("Clos sans résolution", fr_int(dep["nb_clos_sans_resolution"]))
    c[3].metric("En cours", fr_int(dep["nb_en_cours"]))
    inst = rows.iloc[:-1]
    fig = go.Figure()
    for col, name, colour in (("nb_resolus", "Résolus", "#2e8540"),
                              ("nb_clos_sans_resolution", "Clos sans résolution", "#f08a24"),
                              ("nb_en_cours", "En cours", "#8d9cc4")):  # fmt: skip
        fig.add_bar(y=inst["territoire_nom"], x=inst[col], name=name, orientation="h",
                    marker_color=colour)  # fmt: skip
    fig.update_layout(barmode="stack", height=620, font=PLOT_FONT, margin={"t": 10, "l": 10},
                      plot_bgcolor="white", legend={"orientation": "h", "y": 1.08},
                      yaxis={"automargin": True})  # fmt: skip
    st.plotly_chart(french_figure(fig), width="stretch", key="pres-signals", theme=None)
    st.caption(DEFINITION_ISSUES)
    _footer(bundle, str(dep["source"]))


def gaps(bundle: ExportBundle) -> None:
    """Coverage findings: counts per rule, then the errors in full."""
    frame = bundle.coverage.frame
    counts = frame.groupby(["rule", "severity"]).size().reset_index(name="n")
    cols = st.columns(max(1, min(4, len(counts))))
    for i, row in enumerate(counts.itertuples()):
        cols[i % len(cols)].metric(
            plain(f"{RULES_BY_ID[row.rule].label} ({SEVERITY_LABELS[row.severity]})"),
            fr_int(row.n),
        )
    for row in frame[frame["severity"] != "info"].itertuples():
        st.markdown(f"- **{plain(row.territoire_nom)}** : {plain(row.message)} "
                    f"*({plain(row.article)})*")
    _footer(bundle, f"plans et instances — {bundle.coverage.source}")


def instance(bundle: ExportBundle, code: str) -> None:
    """One instance: its place on the map and its PLA-I figures."""
    terr = bundle.territory
    shape = terr.instances[terr.instances["instance_code"] == code]
    rows = plai_by_instance(bundle)
    mine = rows[rows["territoire_code"] == code]
    c1, c2 = st.columns([3, 2])
    c1.image(_overview_png(bundle.departement, workspace_signature(), code))
    with c2:
        if len(shape):
            st.metric(
                f"Population municipale {terr.reference.millesime}",
                fr_int(shape["population"].iloc[0]),
            )
            st.metric("Communes", fr_int(shape["nb_communes"].iloc[0]))
        if len(mine):
            p = mine.iloc[0]
            st.metric(f"PLA-I financés {plain(p['periode'])}", fr_int(p["realise"]))
            st.metric("Taux d'atteinte", fr_percent(p["taux"]))
            st.markdown(f"Statut : **{plain(p['statut'])}**")
        st.link_button("Ouvrir la fiche", f"./fiche?territoire=instance:{quote(code, safe='')}")
    source = str(mine["source"].iloc[0]) if len(mine) else terr.instances_source
    _footer(bundle, source)


def axe(bundle: ExportBundle, name: str) -> None:
    """The actions of one axe: status, progress and what is late."""
    report = bundle.programme
    rows = report.actions[report.actions["axe"] == name]
    for row in rows.itertuples():
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        late = ""
        if row.jalons_en_retard:
            late = f" — :red-badge[{fr_int(row.jalons_en_retard)} jalon(s) en retard]"
        elif row.echeance_depassee:
            late = " — :red-badge[échéance dépassée]"
        c1.markdown(f"**{plain(row.code)}** {plain(row.intitule)}  \n"
                    f"{plain(row.pilote)} — *{plain(row.statut_libelle)}*{late}")  # fmt: skip
        with c2:
            if pd.isna(row.avancement):
                st.markdown("sans jalon")
            else:
                st.progress(float(row.avancement), text=fr_percent(row.avancement, 0))
    _footer(bundle, f"programme d'actions — {report.source}")


def late(bundle: ExportBundle) -> None:
    """The milestones late at the reference date, most overdue first."""
    report = bundle.programme
    rows = report.late_milestones()
    if rows.empty:
        st.markdown(f"Aucun jalon en retard au {fr_date(report.today)}.")
    titles = dict(zip(report.actions["code"], report.actions["intitule"], strict=True))
    for row in rows.head(10).itertuples():
        st.markdown(f"- **{plain(row.action)}** {plain(titles.get(row.action, ''))} : "
                    f"{plain(row.libelle)} — prévu le {fr_date(row.date_prevue)}, "
                    f":red-badge[{fr_int(row.jours_de_retard)} jours de retard]")  # fmt: skip
    if len(rows) > 10:
        st.markdown(f"… et {fr_int(len(rows) - 10)} autres jalons en retard.")
    _footer(bundle, f"jalons du programme d'actions — {report.source}")


def comments(bundle: ExportBundle) -> None:
    """The latest comments of the délégués (validated) and of the comité."""
    for row in recent_comments(bundle).itertuples():
        action = f" — action {plain(row.action)}" if row.action else ""
        st.markdown(f"**{plain(row.territoire_nom)}** ({fr_date(row.date)}{action}) : "
                    f"« {plain(row.texte)} » — *{plain(row.auteur or '')}*")  # fmt: skip
    _footer(bundle, "commentaires des délégués (validés par le comité) et du comité")


def field(bundle: ExportBundle, kind: str) -> None:
    """One other field of the plan: the département's key figures, then per instance."""
    from dashboard.exports.fiche import field_value
    from dashboard.indicators.fields import FIELDS, HEADLINES

    rows, year = field_by_instance(bundle, kind)
    records = bundle.fields[bundle.fields["champ"] == kind]
    units = dict(zip(records["indicateur"], records["unite"], strict=False))
    heads = HEADLINES[kind]
    dep = rows[rows["territoire_type"] == "departement"]
    st.caption(f"Département de {plain(bundle.departement_nom)}, année {year}.")
    if not dep.empty:
        cols = st.columns(len(heads))
        for col, (code, short) in zip(cols, heads, strict=True):
            col.metric(short, field_value(dep.iloc[0][code], units.get(code, "")))
    table = pd.DataFrame({"Territoire": rows["territoire_nom"],
                          "Population couverte": [fr_percent(v) for v in rows["couverture"]]})
    for code, short in heads:
        table[short] = [field_value(v, units.get(code, "")) for v in rows[code]]
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"{plain(FIELDS[kind].definition)} Une donnée d'EPCI ne compte que pour les "
               "instances qui contiennent tout l'EPCI.")
    _footer(bundle, str(records["source"].iloc[0]) if not records.empty else bundle.source)


def show(bundle: ExportBundle, deck: list[Screen], index: int) -> None:
    """Draw screen ``index`` of ``deck``."""
    screen = deck[index]
    st.title(plain(screen.title))
    if screen.kind == "overview":
        overview(bundle)
    elif screen.kind == "balance":
        balance(bundle)
    elif screen.kind == "objectives":
        objectives(bundle)
    elif screen.kind == "signals":
        signals(bundle)
    elif screen.kind == "gaps":
        gaps(bundle)
    elif screen.kind == "axe":
        axe(bundle, screen.code)
    elif screen.kind == "late":
        late(bundle)
    elif screen.kind == "comments":
        comments(bundle)
    elif screen.kind == "field":
        field(bundle, screen.code)
    else:
        instance(bundle, screen.code)
