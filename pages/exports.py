"""Exports : diaporama du comité, classeur des tableaux et couches pour QGIS."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import exports as ui_exports
from dashboard.app import fiche as ui_fiche

dep = ui.current_departement()
bundle = ui.guarded(ui_fiche.cached_bundle, dep, ui.workspace_signature())

st.title("Exports")
st.caption(
    f"Fichiers produits par l'application, sans accès à Internet. Situation au "
    f"{bundle.today:%d/%m/%Y}. Données : {ui.plain(bundle.source)}."
)
for kind in ui_exports.EXPORTS:
    ui_exports.export_block(bundle, kind)
st.info("La fiche PDF d'un EPCI ou d'une instance se prépare depuis la page « Fiche territoire ».")
