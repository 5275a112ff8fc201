"""Streamlit widgets of the home page (key figures, detail panel, membership report)."""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd
import streamlit as st

from dashboard.app import common as ui
from dashboard.app.fiche import fiche_button
from dashboard.app.maps import show_map
from dashboard.app.text import plain
from dashboard.formatting import fr_int
from dashboard.intake.demo import DEMO_LABEL
from dashboard.maps.folium_map import build_map
from dashboard.maps.selection import LEVELS, detail, territory_at
from dashboard.maps.territory import Territory
from geo.reference import POPULATION_ABSENTE, SOURCE_GEOGRAPHIE

_LEVEL_OF_LAYER = {"instances": "instance", "epci": "epci", "communes": "commune"}


def show_key_figures(terr: Territory) -> None:
    """Key figures of the département, each with its source and millésime."""
    ref = terr.reference
    natures = ref.epci["nature"].value_counts()
    cols = st.columns(4)
    with cols[0]:
        shown = fr_int(ref.population) if ref.population_disponible else "non disponible"
        st.metric("Population municipale", shown)
        st.caption(ref.source_population)
    if not ref.population_disponible:
        st.warning(POPULATION_ABSENTE[0].upper() + POPULATION_ABSENTE[1:] + ".")
    with cols[1]:
        st.metric("Communes", fr_int(len(ref.communes)))
        st.caption(SOURCE_GEOGRAPHIE)
    with cols[2]:
        detail_natures = ", ".join(f"{fr_int(n)} {k}" for k, n in natures.sort_index().items())
        st.metric("EPCI à fiscalité propre", fr_int(len(ref.epci)))
        st.caption(f"{detail_natures} — {SOURCE_GEOGRAPHIE}")
    with cols[3]:
        st.metric("Instances locales", fr_int(len(terr.instances)))
        st.caption(plain(terr.instances_source))


def clicked_territory(
    terr: Territory, state: dict[str, Any] | None, layers: list[str]
) -> tuple[str, str] | None:
    """(level, code) of the territory the user clicked, from st_folium's returned state.

    Uses the clicked feature's own properties when Leaflet gives them, else the top-most
    visible layer containing the clicked point.
    """
    if not state:
        return None
    feature = state.get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    level, code = props.get("niveau"), props.get("code")
    if level in LEVELS and code:
        import html

        return level, html.unescape(str(code))
    point = state.get("last_object_clicked")
    if not point:
        return None
    for layer in ("instances", "epci", "communes"):
        if layer in layers:
            found = territory_at(terr, _LEVEL_OF_LAYER[layer], point["lat"], point["lng"])
            if found:
                return _LEVEL_OF_LAYER[layer], found
    return None


def department_map(
    terr: Territory, layers: list[str], basemap: str, selected: tuple[str, str] | None
) -> dict | None:
    """The map of the département (cached per view and instances revision), and what
    streamlit-folium returns of the last click."""
    view = ("accueil", terr.reference.departement, ui.workspace_signature(ui.LAYER_KINDS),
            tuple(layers), basemap, selected)  # fmt: skip

    def build() -> folium.Map:
        return build_map(
            terr.communes, terr.epci, terr.instances, layers=layers, basemap=basemap,
            highlight=selected, millesime=terr.reference.millesime,
        )  # fmt: skip

    return show_map(
        view, build, key=f"carte-{terr.reference.departement}", height=620,
        use_container_width=True, returned_objects=["last_object_clicked", "last_active_drawing"],
    )  # fmt: skip


def show_detail(terr: Territory, selection: tuple[str, str] | None) -> None:
    """Detail panel of the selected territory, or a hint when nothing is selected."""
    if selection is None:
        st.info("Cliquez sur une commune, un EPCI ou une instance pour afficher son détail.")
        return
    info = detail(terr, *selection)
    if info is None:
        st.warning("Territoire introuvable dans le référentiel.")
        return
    with st.container(border=True, key="detail-panel"):
        st.subheader(plain(info.nom))
        st.caption(plain(info.subtitle))
        for label, value, source in info.figures:
            shown = fr_int(value) if isinstance(value, int) else value
            st.markdown(f"**{plain(label)}** : {plain(shown)}")
            st.caption(plain(source))
        for note in info.notes:
            st.warning(plain(note))
        if info.members:
            title = "Communes" if info.level == "epci" else "EPCI membres"
            with st.expander(f"{title} ({len(info.members)})"):
                st.dataframe(
                    pd.DataFrame(info.members, columns=["Code", "Nom"]),
                    hide_index=True,
                    width="stretch",
                )
        fiche_button(terr, info.level, info.code)
        if st.button("Effacer la sélection", key="clear-selection"):
            st.session_state.pop("selection", None)
            st.rerun()


def _list_on_demand(key: str, singular: str, plural: str, table: pd.DataFrame) -> None:
    """The rows of ``table`` in an expander, sent to the browser only once it is opened.

    A table (``st.dataframe``) makes the browser load Streamlit's data grid, about half a
    megabyte of script, and the page waits for it before drawing the rest, the map
    included: 1.4 to 1.6 s from navigation to the home map with the two lists shown,
    1.0 to 1.1 s without (``benchmarks/map_draw.py``). The counts stay on the page.
    """
    if table.empty:
        return
    count = len(table)
    box = st.expander(f"Voir la liste ({fr_int(count)} {singular if count == 1 else plural})",
                      key=key, on_change="rerun")  # fmt: skip
    with box:
        if box.open:
            st.dataframe(table, hide_index=True, width="stretch")


def show_report(terr: Territory) -> None:
    """Communes in no instance and EPCI split between instances."""
    report = terr.report
    if report is None:
        st.info(
            "Aucune instance locale n'est définie pour ce département : importez-en une "
            "dans la page « Données »."
        )
        return
    st.subheader("Cohérence des périmètres des instances")
    st.caption(f"Instances : {plain(terr.instances_source)}")
    sans = report.communes_sans_instance
    scindes = report.epci_scindes
    c1, c2 = st.columns(2)
    with c1:
        st.metric("Communes hors de toute instance", fr_int(len(sans)))
        _list_on_demand(
            "rapport-communes", "commune", "communes",
            sans[["code_insee", "nom", "epci_nom"]].rename(
                columns={"code_insee": "Code INSEE", "nom": "Commune", "epci_nom": "EPCI"}
            ),
        )  # fmt: skip
    with c2:
        st.metric("EPCI partagés entre instances", fr_int(len(scindes)))
        _list_on_demand(
            "rapport-epci", "EPCI", "EPCI",
            scindes.assign(instances=scindes["instances"].map(", ".join))[
                ["siren", "nom", "instances", "nb_communes_sans_instance"]
            ].rename(
                columns={
                    "siren": "SIREN",
                    "nom": "EPCI",
                    "instances": "Instances",
                    "nb_communes_sans_instance": "Communes sans instance",
                }
            ),
        )  # fmt: skip
    if DEMO_LABEL in terr.instances_source:
        st.caption(
            "Les CLH de démonstration reprennent un découpage antérieur à la fusion de 2019 "
            "qui a créé la CC Entre Bièvre et Rhône : c'est une anomalie volontaire."
        )
