"""The generated Leaflet HTML: local assets only, escaped text, the expected layers."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard.app.assets import LEAFLET_DIR, install_static_assets
from dashboard.maps.folium_map import DEFAULT_LAYERS, build_map, map_html, short_epci_name
from dashboard.maps.territory import build_territory
from geo.perimeters import combine_memberships

CDN_HOSTS = ("jsdelivr", "unpkg", "cdnjs", "bootstrapcdn", "code.jquery", "d3js.org", "googleapis")


def _external_urls(html: str) -> list[str]:
    return [u for u in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if "://" in u]


def test_default_map_uses_no_cdn(isere_territory):
    t = isere_territory
    html = map_html(build_map(t.communes, t.epci, t.instances, layers=DEFAULT_LAYERS))
    for host in CDN_HOSTS:
        assert host not in html
    assert _external_urls(html) == []
    assert "/app/static/leaflet/leaflet.js" in html
    assert "/app/static/leaflet/leaflet.css" in html


def test_static_assets_are_installed():
    folder = install_static_assets()
    assert folder == LEAFLET_DIR
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (folder / "images" / "marker-icon.png").exists()


def test_layers_and_tooltips(isere_territory):
    t = isere_territory
    fmap = build_map(t.communes, t.epci, t.instances)
    html = map_html(fmap)
    assert html.count("L.geoJson(") == 3
    assert "Population 2023" in html
    assert "CC Le Grésivaudan" in html  # short EPCI names, UTF-8 text
    assert "Grenoble-Alpes-Métropole" in html


def test_user_text_is_escaped_in_tooltips(isere):
    """An instance name typed by a user never reaches the tooltip as markup."""
    rows = pd.DataFrame(
        [
            {
                "instance_code": "X<1>",
                "instance_nom": '<img src=x onerror="alert(1)">Trièves & co',
                "instance_type": "clh",
                "epci_siren": "200030658",
            }
        ]
    )
    t = build_territory("38", combine_memberships(isere, rows), source="test")
    html = map_html(build_map(t.communes, t.epci, t.instances, layers=["instances"]))
    assert "<img src=x" not in html
    assert 'onerror=\\"alert' not in html
    payload = re.search(r"_add\((\{.*?\})\);", html, re.S)
    assert payload is not None
    data = json.loads(payload.group(1))
    names = [f["properties"]["nom"] for f in data["features"]]
    assert names == ["&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Trièves &amp; co"]


def test_basemap_none_draws_no_tiles_and_osm_is_optional(isere_territory):
    t = isere_territory
    html = map_html(build_map(t.communes, t.epci, t.instances, layers=["epci"]))
    assert "L.tileLayer(" not in html
    html = map_html(
        build_map(t.communes, t.epci, t.instances, layers=["epci"], basemap="OpenStreetMap")
    )
    assert "tile.openstreetmap.org" in html


@pytest.mark.parametrize(
    ("nom", "court"),
    [
        ("Communauté de communes du Trièves", "CC du Trièves"),
        ("Communauté d'agglomération Vienne Condrieu", "CA Vienne Condrieu"),
        ("Grenoble-Alpes-Métropole", "Grenoble-Alpes-Métropole"),
    ],
)
def test_short_epci_name(nom, court):
    assert short_epci_name(nom) == court


def test_highlight_outlines_the_selection(isere_territory):
    t = isere_territory
    html = map_html(build_map(t.communes, t.epci, t.instances, highlight=("epci", "200040715")))
    assert html.count("L.geoJson(") == 4
    assert "#e1000f" in html


def test_legend_goes_to_the_emptiest_corner(isere):
    """Isère fills the north-west of its bounding box: the legend must not sit there."""
    from shapely import box, union_all

    from dashboard.maps.folium_map import CORNERS, Legend, emptiest_corner, map_html, new_map

    corner = emptiest_corner(isere.epci)
    assert corner != "topleft"
    minx, miny, maxx, maxy = isere.epci.total_bounds
    w, h = (maxx - minx) * 0.45, (maxy - miny) * 0.4
    boxes = {
        "topleft": box(minx, maxy - h, minx + w, maxy),
        "topright": box(maxx - w, maxy - h, maxx, maxy),
        "bottomleft": box(minx, miny, minx + w, miny + h),
        "bottomright": box(maxx - w, miny, maxx, miny + h),
    }
    land = union_all(isere.epci.geometry.values)
    share = {c: land.intersection(boxes[c]).area / boxes[c].area for c in CORNERS}
    assert share[corner] == min(share.values())
    assert share["topleft"] > 0.5 > 0.1 > share[corner]
    fmap = new_map(tuple(isere.epci.total_bounds), 400)
    Legend("Titre", [("a", "#000000")], position=corner).add_to(fmap)
    assert f'L.control({{position: "{corner}"}})' in map_html(fmap)
