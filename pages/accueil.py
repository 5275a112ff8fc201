"""Accueil : carte du département, couches, chiffres clés et détail du territoire cliqué."""

import streamlit as st

from dashboard.app import common as ui
from dashboard.app.home import (
    clicked_territory,
    department_map,
    show_detail,
    show_key_figures,
    show_report,
)
from dashboard.maps.folium_map import (
    BASEMAPS,
    DEFAULT_BASEMAP,
    DEFAULT_LAYERS,
    LAYER_LABELS,
)
from geo.reference import SOURCE_GEOGRAPHIE

dep = ui.current_departement()
terr = ui.territory(dep)
ref = terr.reference

st.title(f"{ui.plain(ref.departement_nom)} — carte du plan")
show_key_figures(terr)

with st.sidebar:
    # No instance in this département's data: no layer that would draw nothing.
    offered = [k for k in LAYER_LABELS if k != "instances" or not terr.instances.empty]
    layers = st.multiselect(
        "Couches affichées",
        offered,
        default=[k for k in DEFAULT_LAYERS if k in offered],
        format_func=LAYER_LABELS.get,
        key="layers",
    )
    basemap = st.selectbox(
        "Fond de carte",
        list(BASEMAPS),
        index=list(BASEMAPS).index(DEFAULT_BASEMAP),
        help="Les fonds IGN et OpenStreetMap demandent un accès à Internet ; "
        "sans fond, la carte reste lisible.",
    )


@st.fragment
def map_and_detail() -> None:
    """Map and detail panel rerun together on a click, without the rest of the page."""
    col_map, col_detail = st.columns([3, 2], gap="medium")
    selected = st.session_state.get("selection")
    with col_map:
        state = department_map(terr, layers, basemap, selected)
        ui.source_caption(
            f"{SOURCE_GEOGRAPHIE} (contours simplifiés pour l'affichage)",
            terr.instances_source,
        )
    clicked = clicked_territory(terr, state, layers)
    if clicked is not None and clicked != selected:
        st.session_state["selection"] = clicked
        st.rerun(scope="fragment")
    with col_detail:
        show_detail(terr, st.session_state.get("selection"))


map_and_detail()
show_report(terr)
