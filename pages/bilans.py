"""Bilans annuels d'exécution : éditions gelées et leurs fichiers, gel d'une année,
comparaison de deux éditions, évaluation de fin de plan."""

import streamlit as st

from dashboard.app import bilans as ui_bilans
from dashboard.app import common as ui
from dashboard.app import fiche as ui_fiche

dep = ui.current_departement()
signature = ui.workspace_signature()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, signature)
frame = ui_bilans.editions()

st.title("Bilans annuels d'exécution")
st.caption("Le comité responsable du plan établit un bilan annuel d'exécution (décret "
           "2017-1565). Chaque bilan gelé garde ses chiffres au 31/12 de son année, les "
           "versions des données dont il vient, et son PDF, son diaporama et son classeur.")
tab_ed, tab_cmp, tab_eval = st.tabs(
    ["Éditions", "Comparer deux éditions", "Évaluation de fin de plan"]
)
with tab_ed:
    ui_bilans.editions_table(frame)
    ui_bilans.downloads(frame)
    period = bundle.plan_period("plai") or ""
    start = int(period[:4]) if period[:4].isdigit() else bundle.today.year
    ui_bilans.freeze_form(dep, start)
with tab_cmp:
    ui_bilans.comparison(frame, signature)
with tab_eval:
    ui_bilans.evaluation_panel(bundle, frame, signature)
