"""Streamlit widgets of the presentation mode: made for a projector and a clicker.

Every screen fits one 1920×1080 (or 1366×768) window without scrolling: heights follow
the window (``vh``), long content is summarised (« … et N autres »). Key figures are at
least twice the size of their labels, labels wrap instead of being cut. The keys
→ / PageDown / Space (next), ← / PageUp (previous), Home / End and Escape (leave) work,
also from a presentation clicker: ``static/presentation-keys.js``, inlined in a
one-pixel frame (``st.iframe``, no network).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.app.common import current_departement, workspace_signature
from dashboard.app.fiche import cached_bundle
from dashboard.app.plotly_style import LEGEND_TOP, french_figure
from dashboard.app.text import plain
from dashboard.coverage import RULES_BY_ID, SEVERITY_LABELS
from dashboard.coverage.model import severity_rank
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
from dashboard.maps.folium_map import short_epci_name
from dashboard.maps.static import overview_png

#: The home page, where « Quitter » and Escape lead.
HOME_PAGE = Path(__file__).resolve().parents[2] / "pages" / "accueil.py"
KEYS_JS = (Path(__file__).resolve().parent / "static" / "presentation-keys.js").read_text(
    encoding="utf-8"
)
#: Findings listed in full on the coverage screen (the rest are counted).
MAX_FINDINGS = 5
#: Milestones and comments listed on one screen.
MAX_LATE = 7
MAX_COMMENTS = 4

#: Large type and high contrast for a projector; no sidebar and no Streamlit header, the
#: navigation is in the page. Heights in ``vh``: the screen follows the window.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none; }
.block-container { max-width: 1800px; padding: 0.6rem 2.5rem 0.2rem 2.5rem; }
.block-container, .block-container p, .block-container li {
  font-size: clamp(1rem, 2.3vh, 1.6rem); color: #000; line-height: 1.35; }
.block-container li { margin-bottom: 0.15rem; }
.block-container h1 { font-size: clamp(1.6rem, 4.4vh, 3rem); color: #000091;
  padding: 0 0 0.2rem 0; }
[data-testid="stMetric"] { border-left: 6px solid #000091; padding-left: 0.8rem; }
.block-container [data-testid="stMetricValue"] p { font-size: clamp(2.4rem, 6.4vh, 4.4rem);
  line-height: 1.1; color: #000; font-weight: 700; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
.block-container [data-testid="stMetricLabel"] p { font-size: clamp(0.9rem, 2.1vh, 1.45rem);
  line-height: 1.25; }
.block-container [data-testid="stMetricDelta"] p { font-size: clamp(0.8rem, 1.8vh, 1.2rem); }
[data-testid="stMetricLabel"] { min-height: 0; margin-bottom: 0.2rem; }
.block-container [data-testid="stCaptionContainer"] p {
  font-size: clamp(0.75rem, 1.6vh, 1.05rem); color: #333; }
.st-key-counter p { font-size: clamp(1.3rem, 3.4vh, 2.3rem); font-weight: 700;
  text-align: center; color: #000091; margin: 0; }
div.st-key-pres-chart { height: calc(100vh - 20rem) !important; min-height: 260px;
  flex: 0 0 auto !important; }
div.st-key-pres-chart-tall { height: calc(100vh - 14rem) !important; min-height: 300px;
  flex: 0 0 auto !important; }
div.st-key-pres-chart-short { height: calc(100vh - 28rem) !important; min-height: 220px;
  flex: 0 0 auto !important; }
div.st-key-pres-chart > div, div.st-key-pres-chart-tall > div,
div.st-key-pres-chart-short > div { flex: 1 1 auto; height: 100%; }
.st-key-pres-map img { max-height: calc(100vh - 14.5rem); width: auto !important;
  max-width: 100%; object-fit: contain; }
</style>
"""
#: Chart type: black, large.
PLOT_FONT = {"size": 18, "color": "#000000"}


@st.cache_data(max_entries=32, show_spinner=False)
def _overview_png(departement: str, signature: str, instance_code: str | None) -> bytes:
    """The département map of a screen (an instance in red), drawn once per data version,
    its legend beside the map in type readable from the back of the room."""
    terr = cached_bundle(departement, signature).territory
    shape = None
    if instance_code is not None:
        shape = terr.instances[terr.instances["instance_code"] == instance_code]
    return overview_png(terr.communes, terr.epci, terr.instances, highlight=shape,
                        size=(11.0, 7.0), legend_fontsize=11.0)  # fmt: skip


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
    """First / previous / counter / next / last / quit, at the top of every screen, and the
    keys (→ PageDown Space, ← PageUp, Home End, Escape) bound to these buttons."""
    cols = st.columns([1, 1.4, 2.2, 1.4, 1, 1.2], vertical_alignment="center")
    last = len(deck) - 1
    cols[0].button("◀◀ Début", on_click=_go, args=(0,), disabled=index == 0, key="first",
                   width="stretch", help="Touche Début")  # fmt: skip
    cols[1].button("◀ Précédent", on_click=_go, args=(index - 1,), disabled=index == 0,
                   key="prev", width="stretch", help="Touches ← ou Page précédente")  # fmt: skip
    with cols[2].container(key="counter"):
        st.markdown(f"{index + 1} / {len(deck)}")
    cols[3].button("Suivant ▶", on_click=_go, args=(index + 1,), disabled=index == last,
                   key="next", width="stretch",
                   help="Touches →, Page suivante ou Espace (télécommande)")  # fmt: skip
    cols[4].button("Fin ▶▶", on_click=_go, args=(last,), disabled=index == last, key="last",
                   width="stretch", help="Touche Fin")  # fmt: skip
    if cols[5].button("Quitter", key="quit", width="stretch",
                      help="Touche Échap : revenir à la carte du département"):  # fmt: skip
        st.switch_page(HOME_PAGE, query_params={"dep": current_departement()})
    st.iframe(f"<!doctype html><script>{KEYS_JS}</script>", height=1)


def _chart(fig: go.Figure, key: str, room: str = "") -> None:
    """A plotly chart filling the height the window leaves it (no fixed pixel height):
    ``room`` is ``tall`` (nothing else on the screen) or ``short`` (key figures above)."""
    fig.update_layout(font=PLOT_FONT, plot_bgcolor="white", autosize=True, height=None)
    # Tick labels and axis titles take the room they need: nothing cut at the edges.
    fig.update_xaxes(automargin=True, title_standoff=8)
    fig.update_yaxes(automargin=True)
    with st.container(key=f"pres-chart-{room}" if room else "pres-chart"):
        st.plotly_chart(french_figure(fig), width="stretch", height="stretch", key=key,
                        theme=None, config={"displayModeBar": False})  # fmt: skip


def _footer(bundle: ExportBundle, source: str) -> None:
    demo = " — données de démonstration" if bundle.is_demo and "démonstration" not in source else ""
    st.caption(f"Source : {plain(source)}{demo}. Situation au {bundle.today:%d/%m/%Y}.")


def _map(png: bytes) -> None:
    with st.container(key="pres-map"):
        st.image(png)


def overview(bundle: ExportBundle) -> None:
    """The département, its instances and EPCI, and its key figures."""
    terr = bundle.territory
    ref = terr.reference
    c1, c2 = st.columns([3, 1])
    with c1:
        _map(_overview_png(bundle.departement, workspace_signature(), None))
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
    names = [short_epci_name(str(n)) for n in rows["territoire_nom"]]
    fig.add_bar(y=names, x=rows["part_besoin"] * 100, name="Part de la population",
                orientation="h", marker_color="#b8c4e0")  # fmt: skip
    fig.add_bar(y=names, x=rows["part_realise"] * 100, name="Part des PLA-I financés",
                orientation="h", marker_color="#000091")  # fmt: skip
    fig.update_layout(barmode="group", xaxis_title="% du département", legend=LEGEND_TOP,
                      margin={"t": 10, "l": 10, "r": 20, "b": 10})  # fmt: skip
    # Names in full: the axis takes the room its longest name needs.
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=names[::-1])
    _chart(fig, "pres-balance")
    if index is not None:
        st.markdown(f"**Indice de dissimilarité : {fr_number(index)} %** — part des PLA-I "
                    "qu'il faudrait déplacer pour que chaque instance reçoive sa part de la "
                    "population (0 % : répartition proportionnelle).")  # fmt: skip
    if len(rows):
        _footer(bundle, str(rows["source"].iloc[0]))


def objectives(bundle: ExportBundle) -> None:
    """PLA-I objective, expected to date and realised, per instance."""
    rows = plai_by_instance(bundle)
    names = [short_epci_name(str(n)) for n in rows["territoire_nom"]]
    fig = go.Figure()
    fig.add_bar(y=names, x=rows["objectif"], name="Objectif de la période",
                orientation="h", marker_color="#d5dbe8")  # fmt: skip
    fig.add_bar(y=names, x=rows["attendu_a_date"], name="Attendu à date",
                orientation="h", marker_color="#8fb3e0")  # fmt: skip
    fig.add_bar(y=names, x=rows["realise"], name="Financés", orientation="h",
                marker_color="#000091")  # fmt: skip
    fig.update_layout(barmode="group", legend=LEGEND_TOP, xaxis_title="logements PLA-I",
                      margin={"t": 10, "l": 10, "r": 20, "b": 10})  # fmt: skip
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=names[::-1])
    _chart(fig, "pres-objectives", "tall")
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
    names = [short_epci_name(str(n)) for n in inst["territoire_nom"]]
    fig = go.Figure()
    for col, name, colour in (("nb_resolus", "Résolus", "#2e8540"),
                              ("nb_clos_sans_resolution", "Clos sans résolution", "#f08a24"),
                              ("nb_en_cours", "En cours", "#8d9cc4")):  # fmt: skip
        fig.add_bar(y=names, x=inst[col], name=name, orientation="h", marker_color=colour)
    fig.update_layout(barmode="stack", margin={"t": 10, "l": 10, "r": 20, "b": 10},
                      legend={**LEGEND_TOP, "traceorder": "normal"})  # fmt: skip
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=names[::-1])
    _chart(fig, "pres-signals", "short")
    _footer(bundle, f"{dep['source']}. {DEFINITION_ISSUES}")


def gaps(bundle: ExportBundle) -> None:
    """Coverage findings: one figure per rule (with its errors), then the most serious
    findings, one line each; the others are counted and left to « Couverture des plans »."""
    frame = bundle.coverage.frame
    shown = frame[frame["severity"] != "info"]
    if shown.empty:
        st.markdown("Aucun écart de couverture.")
        _footer(bundle, f"plans et instances — {bundle.coverage.source}")
        return
    per_rule = shown.groupby("rule", sort=False)
    order = sorted(per_rule.groups, key=lambda r: (
        min(map(severity_rank, per_rule.get_group(r)["severity"])), -len(per_rule.get_group(r))))
    cols = st.columns(min(4, len(order)))
    for i, rule in enumerate(order):
        group = per_rule.get_group(rule)
        counts = group["severity"].value_counts()
        detail = ", ".join(f"{fr_int(n)} {SEVERITY_LABELS[sev].lower()}{'s' if n > 1 else ''}"
                           for sev, n in sorted(counts.items(),
                                                key=lambda kv: severity_rank(kv[0])))  # fmt: skip
        cols[i % len(cols)].metric(plain(RULES_BY_ID[rule].label), fr_int(len(group)),
                                   delta=detail, delta_color="off",
                                   delta_arrow="off")  # fmt: skip
    ranked = shown.assign(rang=shown["severity"].map(severity_rank)).sort_values(
        ["rang", "territoire_nom"], kind="stable")
    st.markdown("**Constats principaux**")
    for row in ranked.head(MAX_FINDINGS).itertuples():
        st.markdown(f"- **{plain(short_epci_name(str(row.territoire_nom)))}** — "
                    f"{plain(RULES_BY_ID[row.rule].label)} "
                    f"({SEVERITY_LABELS[row.severity].lower()})")  # fmt: skip
    if len(ranked) > MAX_FINDINGS:
        st.markdown(f"… et {fr_int(len(ranked) - MAX_FINDINGS)} autres constats, détaillés "
                    "avec leur base légale sur la page « Couverture des plans ».")  # fmt: skip
    _footer(bundle, f"plans et instances — {bundle.coverage.source}")


def instance(bundle: ExportBundle, code: str) -> None:
    """One instance: its place on the map and its PLA-I figures."""
    terr = bundle.territory
    shape = terr.instances[terr.instances["instance_code"] == code]
    rows = plai_by_instance(bundle)
    mine = rows[rows["territoire_code"] == code]
    c1, c2 = st.columns([3, 1])
    with c1:
        _map(_overview_png(bundle.departement, workspace_signature(), code))
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
    for row in rows.head(MAX_LATE).itertuples():
        st.markdown(f"- **{plain(row.action)}** {plain(titles.get(row.action, ''))} : "
                    f"{plain(row.libelle)} — prévu le {fr_date(row.date_prevue)}, "
                    f"**{fr_int(row.jours_de_retard)} jours de retard**")  # fmt: skip
    if len(rows) > MAX_LATE:
        st.markdown(f"… et {fr_int(len(rows) - MAX_LATE)} autres jalons en retard "
                    "(page « Programme d'actions »).")  # fmt: skip
    _footer(bundle, f"jalons du programme d'actions — {report.source}")


def comments(bundle: ExportBundle) -> None:
    """The latest comments of the délégués (validated) and of the comité."""
    rows = recent_comments(bundle)
    for row in rows.head(MAX_COMMENTS).itertuples():
        action = f" — action {plain(row.action)}" if row.action else ""
        st.markdown(f"**{plain(row.territoire_nom)}** ({fr_date(row.date)}{action}) : "
                    f"« {plain(row.texte)} » — *{plain(row.auteur or '')}*")  # fmt: skip
    if len(rows) > MAX_COMMENTS:
        st.markdown(f"… et {fr_int(len(rows) - MAX_COMMENTS)} autres commentaires récents "
                    "(fiches territoire).")  # fmt: skip
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
