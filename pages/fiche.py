"""Fiche territoire : un EPCI ou une instance sur une page, avec un lien partageable."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import declarations as ui_decl
from dashboard.app import fiche as ui_fiche
from dashboard.app import programme as ui_programme

dep = ui.current_departement()
signature = ui.workspace_signature()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, signature)
ref = ui_fiche.selector(bundle, signature, ui_decl.default_territory())
if ref is None:
    ui_fiche.pick(bundle)
    st.stop()

fiche = ui_fiche.cached_fiche(dep, signature, ref.key, bundle, ref)
col_main, col_map = st.columns([3, 2], gap="medium")
with col_main:
    ui_fiche.header(bundle, fiche)
    ui_fiche.pdf_download(bundle, fiche)
with col_map:
    st.image(ui_fiche.location_png(dep, ref.key, signature))

st.header("Objectifs et réalisations")
ui_fiche.objectives(fiche)
labels = ["Opérations PLA-I", "Habitat indigne", "Autres champs du plan", "PLH",
          "Écarts de couverture", "Comparaison", "Actions du plan", "Commentaires"]
entry = ui_decl.can_enter(ref)
tabs = st.tabs([*labels, "Déclarer"] if entry else labels)
tab_ops, tab_sig, tab_fields, tab_plh, tab_gaps, tab_cmp, tab_act, tab_com = tabs[:8]
with tab_ops:
    ui_fiche.operations(bundle, fiche)
with tab_sig:
    ui_fiche.signals(fiche)
with tab_fields:
    ui_fiche.other_fields(fiche)
with tab_plh:
    ui_fiche.plh(bundle, fiche)
with tab_gaps:
    ui_fiche.findings(fiche)
with tab_cmp:
    ui_fiche.comparison(bundle, fiche)
with tab_act:
    ui_programme.territory_actions(bundle, fiche)
with tab_com:
    ui_programme.territory_comments(fiche)
    ui_decl.territory_declarations(bundle, ref)
if entry:
    with tabs[8]:
        ui_decl.entry_forms(bundle, ref)
