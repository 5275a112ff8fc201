"""Suivi des déclarations : ce qui attend la décision du comité, les EPCI qui n'ont pas
déclaré pour l'année, toutes les déclarations des délégués et leur état."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import declarations as ui_decl
from dashboard.app import fiche as ui_fiche

dep = ui.current_departement()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, ui.workspace_signature())

st.title("Suivi des déclarations")
st.caption("Les délégués des EPCI déclarent leurs réalisations et leurs commentaires depuis la "
           "fiche de leur EPCI ; chaque déclaration reste « déclarée » jusqu'à ce que le comité "
           "la valide ou la renvoie à revoir avec un motif. Seules les déclarations validées "
           "comptent dans les indicateurs, le diaporama et les bilans.")
declarations = ui_decl.declarations_with_ids(bundle)
shown = ui_decl.mine(declarations)
years = ui_decl.years(declarations, bundle)
annee = st.selectbox("Année", years, index=years.index(bundle.today.year), key="decl-annee")
tab_todo, tab_epci, tab_all = st.tabs(
    ["À valider", "EPCI et déclarations de l'année", "Toutes les déclarations de l'année"]
)
with tab_todo:
    ui_decl.review_panel(shown)
with tab_epci:
    ui_decl.reporting_panel(bundle, declarations, annee)
with tab_all:
    ui_decl.declarations_table(shown[shown["annee"] == annee])
