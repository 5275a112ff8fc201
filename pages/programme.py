"""Programme d'actions : les fiches action par axe, leurs jalons et leurs indicateurs ;
la fiche d'une action par un lien partageable ?action=CODE."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import fiche as ui_fiche
from dashboard.app import programme as ui_programme

dep = ui.current_departement()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, ui.workspace_signature())

code = ui_programme.selected_action()
if code:
    ui_programme.fiche_action(bundle, code)
    st.stop()

ui_programme.header(bundle)
if bundle.programme.actions.empty:
    st.info("Aucun programme d'actions dans l'espace de travail : importez-le sur la page "
            "« Données » (type « actions », puis « jalons »).")
    st.stop()
actions = ui_programme.filters(bundle)
tab_axes, tab_late, tab_ind = st.tabs(
    ["Actions par axe", "Jalons en retard", "Indicateurs liés"]
)
with tab_axes:
    ui_programme.by_axe(bundle.programme, actions)
with tab_late:
    ui_programme.late_milestones(bundle.programme)
with tab_ind:
    ui_programme.linked_indicators(bundle.programme, actions)
