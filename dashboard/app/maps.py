"""Maps on the pages: built once per workspace revision and view, then only sent.

Each Streamlit interaction reruns the page. Building a folium map (classes, layers, JSON)
costs far more than sending it, so :func:`show_map` keeps the built map in
``st.cache_resource`` under a key that holds the département, the workspace revision and
every parameter of the view: an import (on any replica) changes the revision, hence the
key. What streamlit-folium sends (the map's script, HTML and header) is rendered once
per cached map too: ``st_folium`` would render it again at every rerun, a tenth of the
CPU of a page view under load. :func:`show_map` sends those parts through
streamlit-folium's own component, with the arguments ``st_folium`` gives it
(``tests/app/test_maps_component.py`` checks that they stay the same).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import branca
import folium
import streamlit as st
import streamlit_folium as sf
from streamlit_folium import generate_leaflet_string

#: Built maps kept in the process (views × workspace revisions).
MAX_MAPS = 64


@dataclass
class CachedMap:
    """A built map and what its component is sent, rendered once."""

    fmap: folium.Map
    #: What the component is sent (:func:`rendered_parts`).
    parts: dict[str, Any]
    #: The component's key for each widget key (a hash of the whole script; two sessions
    #: computing it at once store the same value).
    hashes: dict[str | None, str] = field(default_factory=dict)


@st.cache_resource(max_entries=MAX_MAPS, show_spinner="Préparation de la carte…")
def _built(view: tuple[Hashable, ...], _build: Callable[[], folium.Map]) -> CachedMap:
    del view  # the cache key only; ``_build`` (not hashed) makes the map of that view
    fmap = _build()
    generate_leaflet_string(fmap)  # the first render adds elements; later ones are stable
    return CachedMap(fmap, rendered_parts(fmap))


def cached_map(view: tuple[Hashable, ...], build: Callable[[], folium.Map]) -> CachedMap:
    """The map of ``view`` (page, département, revision, parameters…), built at most once."""
    return _built(view, build)


def rendered_parts(fmap: folium.Map) -> dict[str, Any]:
    """The map's script, HTML, header, bounds and asset links, as ``st_folium`` computes
    them before sending them to its component."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)  # before the script: it alters the map's structure
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    css_links: list[str] = []
    js_links: list[str] = []

    def walk(element):
        if isinstance(element, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):  # as st_folium does
            js_links[:0] = ["https://d3js.org/d3.v4.min.js",
                            "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    southwest, northeast = fmap.get_bounds()
    return {
        "script": script, "header": header, "html": html, "id": sf.get_full_id(fmap),
        "bounds": {"_southWest": {"lat": southwest[0], "lng": southwest[1]},
                   "_northEast": {"lat": northeast[0], "lng": northeast[1]}},
        "zoom": fmap.options.get("zoom"),
        "css_links": list(dict.fromkeys(css_links)), "js_links": list(dict.fromkeys(js_links)),
    }  # fmt: skip


#: The initial value ``st_folium`` gives its component (before any interaction).
_DEFAULTS = ("last_clicked", "last_object_clicked", "last_object_clicked_count",
             "last_object_clicked_tooltip", "last_object_clicked_popup", "all_drawings",
             "last_active_drawing", "bounds", "zoom", "last_circle_radius",
             "last_circle_polygon", "selected_layers", "selected_tags",
             "last_geocoder_result")  # fmt: skip


def show_map(
    view: tuple[Hashable, ...],
    build: Callable[[], folium.Map],
    *,
    key: str,
    height: int = 700,
    use_container_width: bool = False,
    returned_objects: list[str] | None = None,
) -> Any:
    """The cached map of ``view`` in streamlit-folium's component, as ``st_folium(fmap,
    key=…, height=…, use_container_width=…, returned_objects=…)`` shows it, without
    rendering it again."""
    cached = cached_map(view, build)
    parts = cached.parts
    if key not in cached.hashes:
        cached.hashes[key] = sf.generate_js_hash(parts["script"], key, False)
    hash_key = cached.hashes[key]
    initial = {"bounds": parts["bounds"], "zoom": parts["zoom"]}
    default = {name: initial.get(name) for name in _DEFAULTS
               if returned_objects is None or name in returned_objects}  # fmt: skip

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=parts["script"], header=parts["header"], html=parts["html"], id=parts["id"],
        key=hash_key, height=height, width=None if use_container_width else 500,
        returned_objects=returned_objects, default=default, zoom=None, center=None,
        feature_group=None, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=parts["css_links"], js_links=parts["js_links"], on_change=on_change,
        wrap_longitude=False,
    )  # fmt: skip
