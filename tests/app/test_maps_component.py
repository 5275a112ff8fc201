"""The maps of the pages are sent to streamlit-folium's component rendered once per cached
map (:func:`dashboard.app.maps.show_map`): they must reach the browser exactly as
``st_folium`` would send them, and a newer streamlit-folium that changes that is caught
here."""

from __future__ import annotations

import pytest
import streamlit_folium as sf

from dashboard.app import maps
from dashboard.maps.folium_map import build_map
from dashboard.maps.territory import build_territory


@pytest.fixture(scope="module")
def isere():
    return build_territory("38")


def _sent(monkeypatch, show) -> dict:
    """The arguments the component is called with by ``show()``."""
    calls = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs))
    show()
    assert len(calls) == 1
    sent = calls[0]
    sent.pop("on_change")  # a closure of each call
    return sent


@pytest.mark.parametrize("returned", [["last_object_clicked", "last_active_drawing"], [], None])
def test_show_map_sends_what_st_folium_sends(monkeypatch, isere, returned):
    def build():
        return build_map(isere.communes, isere.epci, isere.instances,
                         layers=["communes", "epci", "instances"], basemap="aucun",
                         highlight=None, millesime=isere.reference.millesime)  # fmt: skip

    options = {"key": "carte-38", "height": 620, "use_container_width": True,
               "returned_objects": returned}  # fmt: skip
    reference = build()
    sf.generate_leaflet_string(reference)  # as the cache does once, when it builds the map
    expected = _sent(monkeypatch, lambda: sf.st_folium(reference, **options))
    view = ("test-composant", tuple(returned or ["tout"]))
    got = _sent(monkeypatch, lambda: maps.show_map(view, build, **options))
    first_script = got["script"]
    # Element ids are random per built map: compare with them made the same.
    ids = {got["id"]: expected["id"]}
    for name in ("script", "header", "html"):
        for mine, theirs in ids.items():
            got[name] = got[name].replace(mine.split("_", 1)[1], theirs.split("_", 1)[1])
    assert got.keys() == expected.keys()
    for name in expected:
        if name not in ("script", "key", "id"):
            assert got[name] == expected[name], name
    assert len(got["script"]) == len(expected["script"])
    assert got["js_links"]
    assert all(not link.startswith("http") for link in got["js_links"])  # served by the app
    # A second rerun sends the same parts without rendering the map again.
    renders = []
    monkeypatch.setattr(maps, "rendered_parts", lambda fmap: renders.append(fmap))
    again = _sent(monkeypatch, lambda: maps.show_map(view, build, **options))
    assert renders == []
    assert again["key"] == got["key"]
    assert again["script"] is first_script  # the same cached parts
