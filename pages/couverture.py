"""Couverture des plans : où le PDALHPD, les PLH et le PDH ne s'emboîtent pas."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import coverage as ui_coverage
from dashboard.app import indicators as ui_indicators
from dashboard.indicators.status import REGLE_DATE_REFERENCE, au

dep = ui.current_departement()
terr = ui.territory(dep)
try:
    as_of = ui_indicators.default_date(dep)
    report = ui_coverage.cached_report(dep, ui_coverage.report_signature(), as_of)
except ValueError as exc:  # a workspace of another département: the reference still speaks
    ui.other_departement(exc, lambda: ui_coverage.reference_obligation(terr))
    raise  # unreachable: other_departement stops the page

st.title("Couverture des plans")
st.caption(
    "Écarts entre le PDALHPD, les PLH des EPCI et le PDH, calculés par des règles qui citent "
    f"chacune leur base légale. Données : {ui.plain(report.source)}. Situation "
    f"{au(report.as_of)} ({REGLE_DATE_REFERENCE})."
)
severities, rules = ui_coverage.filters()
focus = ui_coverage.current_focus()

col_map, col_list = st.columns([3, 2], gap="medium")
with col_list:
    st.subheader("Constats")
    by = ui_coverage.grouping()
    shown = ui_coverage.findings_list(report, severities, rules, by)
with col_map:
    ui_coverage.coverage_map(terr, report, focus)

st.subheader("Calendrier des PLH face à la période du PDALHPD")
ui_coverage.timeline(report)
if not shown.empty:
    ui_coverage.downloads(shown)
