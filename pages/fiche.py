"""Fiche territoire : un EPCI ou une instance sur une page, avec un lien partageable."""

import streamlit as st

from dashboard import ui, ui_fiche

dep = ui.current_departement()
signature = ui.workspace_signature()
choice = ui_fiche.selector(dep, signature)
if choice is None:
    st.title("Fiche territoire")
    st.info("Choisissez un EPCI ou une instance, ou ouvrez un lien ?territoire=epci:SIREN.")
    st.stop()

fiche = ui_fiche.cached_fiche(dep, choice, signature)
col_main, col_map = st.columns([3, 2], gap="medium")
with col_main:
    ui_fiche.header(fiche)
    ui_fiche.as_of_caption(fiche)
with col_map:
    st.image(ui_fiche.location_png(dep, fiche.level, fiche.code, signature))

st.header("Objectifs et réalisations")
ui_fiche.objectives(fiche)
tab_ops, tab_sig, tab_plh, tab_gaps, tab_cmp = st.tabs(
    ["Opérations PLA-I", "Habitat indigne", "PLH", "Écarts de couverture", "Comparaison"]
)
with tab_ops:
    ui_fiche.operations(fiche)
with tab_sig:
    ui_fiche.signals(fiche)
with tab_plh:
    ui_fiche.plh(fiche)
with tab_gaps:
    ui_fiche.findings(fiche)
with tab_cmp:
    ui_fiche.comparison(fiche)
