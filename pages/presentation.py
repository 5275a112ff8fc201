"""Mode présentation : un écran par sujet pour le comité, navigation sans barre latérale."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import fiche as ui_fiche
from dashboard.app import presentation as ui_presentation
from dashboard.exports.presentation import screens

st.markdown(ui_presentation.PRESENTATION_CSS, unsafe_allow_html=True)
dep = ui.current_departement()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, ui.workspace_signature())
deck = screens(bundle)
index = ui_presentation.current_index(deck)
ui_presentation.navigation(deck, index)
ui_presentation.show(bundle, deck, index)
