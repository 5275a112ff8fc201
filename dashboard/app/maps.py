"""Maps on the pages: built once per workspace revision and view, then only sent.

Each Streamlit interaction reruns the page. Building a folium map (classes, layers, JSON)
costs far more than sending it, so :func:`show_map` keeps the built map in
``st.cache_resource`` under a key that holds the département, the workspace revision and
every parameter of the view: an import (on any replica) changes the revision, hence the
key. A map is rendered by streamlit-folium at each rerun; its first render adds a few
elements, so the cache renders it once when it is built, and a lock keeps two sessions
from rendering the same map object at the same time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import folium
import streamlit as st
from streamlit_folium import generate_leaflet_string, st_folium

#: Built maps kept in the process (views × workspace revisions).
MAX_MAPS = 64


@dataclass
class CachedMap:
    """A built map and the lock of its renders."""

    fmap: folium.Map
    lock: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 1


@st.cache_resource(max_entries=MAX_MAPS, show_spinner="Préparation de la carte…")
def _built(view: tuple[Hashable, ...], _build: Callable[[], folium.Map]) -> CachedMap:
    del view  # the cache key only; ``_build`` (not hashed) makes the map of that view
    fmap = _build()
    generate_leaflet_string(fmap)  # the first render adds elements; later ones are stable
    return CachedMap(fmap)


def cached_map(view: tuple[Hashable, ...], build: Callable[[], folium.Map]) -> CachedMap:
    """The map of ``view`` (page, département, revision, parameters…), built at most once."""
    return _built(view, build)


def show_map(view: tuple[Hashable, ...], build: Callable[[], folium.Map], **options: Any) -> Any:
    """``st_folium`` of the cached map of ``view``; ``options`` (``key``, ``height``…) go to
    ``st_folium``."""
    cached = cached_map(view, build)
    with cached.lock:
        return st_folium(cached.fmap, **options)
