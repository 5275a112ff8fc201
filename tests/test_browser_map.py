"""The real map in Debian's chromium, with every non-loopback request aborted."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_map_draws_epci_offline_and_click_shows_detail(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/?dep=38", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    paths = frame.locator("path.leaflet-interactive")
    paths.nth(540).wait_for(state="attached", timeout=90_000)
    # 512 communes + 13 instances + 18 EPCI polygons
    assert paths.count() >= 512 + 18
    assert page.blocked_requests == []  # type: ignore[attr-defined]

    # Click in the middle of Grenoble: the top layer is the EPCI, Grenoble-Alpes-Métropole.
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    page.get_by_text("Cliquez sur une commune").wait_for(timeout=30_000)
    # Locate Grenoble on screen through Leaflet itself, then click there.
    point = frame.locator("body").evaluate(
        """() => {
            const m = Object.values(window).find(v => v && v._container && v.latLngToContainerPoint);
            return m.latLngToContainerPoint([45.1885, 5.7245]);
        }"""
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    detail = page.get_by_text("Grenoble-Alpes-Métropole", exact=True).first
    detail.wait_for(timeout=30_000)
    assert page.get_by_text("SIREN 200040715").count() >= 1
