"""Données : importer des extraits, les vérifier, voir l'historique, télécharger les modèles."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app import data as ud

departement = ui.current_departement()
# The handle is closed when the page ends, st.stop() included.
with ud.open_current_workspace() as workspace:
    st.title("Données")
    st.markdown(
        "Importez les extraits des services (Sisal, Signal Logement, plans, objectifs…). "
        "Un fichier comportant une erreur n'est **pas** importé ; un fichier valide remplace "
        "la table de son type en une seule opération. Chaque import est tracé et peut être "
        "annulé (onglet « Historique des imports »)."
    )
    can_import = ud.workspace_banner(workspace, departement)

    tab_import, tab_tables, tab_history, tab_templates = st.tabs(
        ["Importer un fichier", "Tables", "Historique des imports", "Modèles"]
    )
    with tab_import:
        ud.import_panel(workspace, departement, can_import)
    with tab_tables:
        ud.tables_panel(workspace)
    with tab_history:
        ud.history_panel(workspace)
    with tab_templates:
        ud.templates_panel()
