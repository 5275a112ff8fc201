"""The real map in Debian's chromium, with every non-loopback request aborted."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

_LATLNG_TO_POINT = """(_el, [lat, lng]) => {
    const m = Object.values(window).find(v => v && v._container && v.latLngToContainerPoint);
    return m.latLngToContainerPoint([lat, lng]);
}"""


_ZOOM = """() => {
    const m = Object.values(window).find(v => v && v._container && v.getZoom);
    return m.getZoom();
}"""


def _map_frame(page):
    """The map iframe, once Streamlit has dropped any stale copy from a previous run."""
    page.wait_for_function(f"document.querySelectorAll('{MAP_FRAME}').length === 1", timeout=60_000)
    return page.frame_locator(MAP_FRAME)


def _map_frame_with_paths(page, count: int, paths: str = "path.leaflet-interactive"):
    """The map iframe that holds at least ``count`` elements ``paths`` (a re-mounted
    component may leave its old frame for a moment: pick the one that is drawn)."""
    found = """([frames, paths, count]) => [...document.querySelectorAll(frames)].findIndex(f => {
        try { return f.contentDocument.querySelectorAll(paths).length >= count; }
        catch (e) { return false; } })"""
    page.wait_for_function(f"(args) => ({found})(args) >= 0", arg=[MAP_FRAME, paths, count],
                           timeout=90_000)  # fmt: skip
    return page.frame_locator(MAP_FRAME).nth(page.evaluate(found, [MAP_FRAME, paths, count]))


def _click_latlng(page, frame, lat: float, lng: float) -> None:
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    point = frame.locator("body").evaluate(_LATLNG_TO_POINT, [lat, lng])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_map_draws_epci_offline_and_click_shows_detail(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/?dep=38", wait_until="domcontentloaded")
    page.get_by_text("Cliquez sur une commune").wait_for(timeout=60_000)
    frame = _map_frame(page)
    paths = frame.locator("path.leaflet-interactive")
    paths.nth(30).wait_for(state="attached", timeout=90_000)
    # Default view: 18 EPCI + 13 demo CLH polygons, Leaflet loaded from the app itself.
    assert paths.count() >= 18 + 13
    assert frame.locator("script[src*='/app/static/leaflet/leaflet.js']").count() >= 1
    page.get_by_text("Cliquez sur une commune").wait_for(timeout=30_000)
    # French controls: zoom titles, a metric-only scale (no miles).
    assert frame.locator("a.leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert frame.locator("a.leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    assert frame.locator(".leaflet-control-zoom").count() == 1
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1
    assert scale.inner_text().endswith(("km", " m"))

    # Click in the middle of Grenoble: the top layer is the EPCI Grenoble-Alpes-Métropole.
    _click_latlng(page, frame, 45.1885, 5.7245)
    page.get_by_text("SIREN 200040715").wait_for(timeout=30_000)
    assert page.get_by_text("Grenoble-Alpes-Métropole", exact=True).count() >= 1
    # The delegate's path: from the map to the fiche.
    link = page.get_by_role("link", name="Voir la fiche : Grenoble-Alpes-Métropole")
    assert link.get_attribute("href").endswith("fiche?dep=38&territoire=epci:200040715")
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_home_lists_of_the_coherence_report_come_when_opened(streamlit_url, offline_page):
    """The report's counts are on the page; its lists are sent only once opened (a data
    grid would make the map wait for half a megabyte of script)."""
    page = offline_page
    page.goto(f"{streamlit_url}/?dep=38", wait_until="domcontentloaded")
    communes = page.get_by_text("Voir la liste (1 commune)", exact=True)
    communes.wait_for(timeout=60_000)
    _map_frame_with_paths(page, 31)
    grids = page.locator('[data-testid="stDataFrame"]')
    assert grids.count() == 0
    communes.click()
    grids.first.wait_for(timeout=30_000)
    assert grids.count() == 1
    # Valencin (38519), outside every demo CLH: the grid's header and its one row (the
    # grid draws on a canvas; its accessible table, off screen, holds the text).
    grid = grids.first.locator('table[role="grid"]')
    grid.wait_for(state="attached", timeout=30_000)
    assert grid.get_attribute("aria-rowcount") == "2"
    cells = [c.text_content() for c in grid.locator('td[role="gridcell"]').all()]
    assert cells[:2] == ["38519", "Valencin"]
    page.get_by_text("Voir la liste (2 EPCI)", exact=True).click()
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stDataFrame\"]')"
                           ".length === 2", timeout=30_000)  # fmt: skip
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_commune_layer_toggle_and_tooltip(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/?dep=38", wait_until="domcontentloaded")
    page.get_by_text("Cliquez sur une commune").wait_for(timeout=60_000)
    frame = _map_frame(page)
    frame.locator("path.leaflet-interactive").nth(30).wait_for(state="attached", timeout=90_000)
    # Turn the commune layer on from the sidebar multiselect.
    page.get_by_label("Couches affichées").click()
    page.get_by_role("option", name="Communes").click()
    page.keyboard.press("Escape")
    # The map component is re-mounted with the new layers: the frame with the communes.
    frame = _map_frame_with_paths(page, 512 + 31)
    # Hovering a commune shows its tooltip with name, code, population and EPCI.
    box = frame.locator(".leaflet-container").bounding_box()
    point = frame.locator("body").evaluate(_LATLNG_TO_POINT, [45.1885, 5.7245])
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=30_000)
    text = tooltip.inner_text()
    assert "Population 2023" in text
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_clicking_a_finding_zooms_the_coverage_map(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/couverture?dep=38", wait_until="domcontentloaded")
    page.get_by_text("Constats", exact=True).wait_for(timeout=90_000)
    frame = _map_frame(page)
    frame.locator("path.leaflet-interactive").nth(500).wait_for(state="attached", timeout=60_000)
    assert frame.locator(".territoires-legend").inner_text().startswith("Programme local")
    zoom_before = frame.locator("body").evaluate(_ZOOM)
    assert frame.locator("path[stroke='#e1000f']").count() == 0
    page.get_by_role(
        "button", name="Voir CA du Pays Voironnais"
    ).first.click()
    frame = _map_frame_with_paths(page, 1, "path[stroke='#e1000f']")
    assert frame.locator("body").evaluate(_ZOOM) > zoom_before
    assert "focus=epci%3A243800984" in page.url or "focus=epci:243800984" in page.url
    # A finding far down the list: its button zooms a map that is still in view.
    last = page.get_by_role("button", name=re.compile("^Voir .* sur la carte$")).last
    last.scroll_into_view_if_needed()
    last.click()
    page.wait_for_timeout(2000)
    box = page.locator(MAP_FRAME).last.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] / 2 <= page.viewport_size["height"]
    assert page.blocked_requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        "",
        "couverture",
        "donnees",
        "carte",
        "objectifs",
        "programmation",
        "habitat_indigne",
        "exports",
    ],
)
def test_pages_request_nothing_outside_loopback(streamlit_url, offline_page, path):
    page = offline_page
    page.goto(f"{streamlit_url}/{path}?dep=38", wait_until="domcontentloaded")
    page.locator("h1").first.wait_for(timeout=90_000)
    page.wait_for_timeout(3000)
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_indicator_choropleth_legend_and_click_shows_detail(streamlit_url, offline_page):
    page = offline_page
    page.goto(
        f"{streamlit_url}/carte?dep=38&niveau=epci&methode=jenks&operations=aucune",
        wait_until="domcontentloaded",
    )
    page.get_by_text("Cliquez sur un territoire").wait_for(timeout=90_000)
    frame = _map_frame(page)
    frame.locator("path.leaflet-interactive").nth(17).wait_for(state="attached", timeout=90_000)
    legend = frame.locator(".territoires-legend")
    legend.wait_for(timeout=30_000)
    assert "seuils naturels de Jenks" in legend.inner_text()
    # Click in the middle of Grenoble: the EPCI Grenoble-Alpes-Métropole.
    _click_latlng(page, frame, 45.1885, 5.7245)
    page.get_by_text("EPCI 200040715").wait_for(timeout=60_000)
    assert page.get_by_text("Grenoble-Alpes-Métropole", exact=True).count() >= 1
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_fiche_by_link_then_presentation_walk(streamlit_url, offline_page):
    page = offline_page
    page.goto(
        f"{streamlit_url}/fiche?dep=38&territoire=epci:200040715", wait_until="domcontentloaded"
    )
    page.get_by_role("heading", name="Grenoble-Alpes-Métropole").wait_for(timeout=90_000)
    page.get_by_text("450\u202f608").first.wait_for(timeout=30_000)
    # The fiche's link is a full address, to copy.
    shown = page.locator('[data-testid="stCode"]').first.inner_text()
    assert shown.strip() == f"{streamlit_url}/fiche?dep=38&territoire=epci:200040715"
    page.goto(f"{streamlit_url}/presentation?dep=38", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Vue d'ensemble du département").wait_for(timeout=90_000)
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=30_000)
    for title in ("Équilibre territorial", "Objectifs PLA-I par instance",
                  "issue des signalements", "Écarts de couverture"):
        page.get_by_role("button", name="Suivant").click()
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    assert "ecran=5" in page.url
    page.get_by_role("button", name="Précédent").click()
    page.get_by_role("heading", name="issue des signalements").wait_for(timeout=60_000)
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_file_uploader_reads_french(streamlit_url, offline_page):
    """Streamlit's own « Upload » / « 200MB per file » are replaced by French texts."""
    page = offline_page
    page.goto(f"{streamlit_url}/donnees?dep=38", wait_until="domcontentloaded")
    zone = page.get_by_test_id("stFileUploaderDropzone")
    zone.wait_for(timeout=90_000)
    probe = """() => { const z = document.querySelector('[data-testid=stFileUploaderDropzone]');
        return [z.querySelector('button p'),
                z.querySelector('[data-testid=stFileUploaderDropzoneInstructions] span')]
            .map(e => [getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content]); }"""
    # The page's style element may land a moment after the widget: wait for it, bounded.
    page.wait_for_function(f"({probe})()[0][0] === '0px'", timeout=30_000)
    shown = page.evaluate(probe)
    assert shown == [["0px", '"Parcourir"'], ["0px", '"ou glisser-déposer le fichier ici"']]
    assert page.get_by_text("Formats acceptés : CSV").is_visible()


#: Points of the legend's box (a 6 × 6 grid) over which a territory is drawn.
_UNDER_LEGEND = """() => {
    const legend = document.querySelector('.territoires-legend');
    if (!legend) return null;
    const r = legend.getBoundingClientRect();
    const covered = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
        const x = r.left + (i + 0.5) * r.width / 6, y = r.top + (j + 0.5) * r.height / 6;
        const under = document.elementsFromPoint(x, y)
            .filter(e => e.matches('path.leaflet-interactive'));
        if (under.length) covered.push([Math.round(x), Math.round(y)]);
    }
    const map = document.querySelector('.leaflet-container').getBoundingClientRect();
    return {covered, text: legend.innerText, legend: [r.left, r.top, r.width, r.height],
            map: [map.width, map.height]};
}"""


@pytest.mark.parametrize(("path", "wanted"), [
    ("/?dep=38", ["Instances locales", "Agglomération grenobloise", "Voironnais-Chartreuse"]),
    ("/carte?dep=38", ["Opérations PLA-I (aire ∝ logements)", "livrée", "agréée"]),
    ("/habitat_indigne?dep=38", ["Signalements par commune (aire ∝ nombre)"]),
], ids=["accueil", "carte", "habitat"])  # fmt: skip
def test_legends_name_every_layer_and_cover_no_territory(streamlit_url, offline_page, path,
                                                         wanted):  # fmt: skip
    page = offline_page
    page.goto(f"{streamlit_url}{path}", wait_until="domcontentloaded")
    frame = _map_frame_with_paths(page, 13)
    frame.locator(".territoires-legend").wait_for(timeout=60_000)
    for _ in range(20):  # the map is fitted again once the legend and the frame are sized
        page.wait_for_timeout(500)
        found = frame.locator("body").evaluate(f"({_UNDER_LEGEND})")
        if not found["covered"]:
            break
    for text in wanted:
        assert text in found["text"]
    assert found["covered"] == [], found
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_other_fields_map_draws_every_epci_offline(streamlit_url, offline_page):
    """« Autres champs du plan »: the 18 EPCI of Isère coloured by the chain rate, with
    its French legend, Leaflet served by the app."""
    page = offline_page
    page.goto(f"{streamlit_url}/autres_champs?dep=38&champ=expulsions&niveau=epci",
              wait_until="domcontentloaded")
    page.get_by_text("Carte par EPCI").wait_for(timeout=90_000)
    frame = _map_frame_with_paths(page, 18)
    assert frame.locator("path.leaflet-interactive").count() >= 18
    legend = frame.locator(".territoires-legend").inner_text()
    assert "Part des assignations suivies d'une expulsion effective" in legend
    assert "%" in legend
    assert page.blocked_requests == []  # type: ignore[attr-defined]
