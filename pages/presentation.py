"""Mode présentation : un écran par sujet pour le comité, navigation sans barre latérale."""

import streamlit as st

from dashboard import ui, ui_presentation

st.markdown(ui_presentation.PRESENTATION_CSS, unsafe_allow_html=True)
dep = ui.current_departement()
deck = ui_presentation.cached_deck(dep, ui.workspace_signature())
index = ui_presentation.current_index(deck)
ui_presentation.navigation(deck, index)
ui_presentation.show(deck, index)
