"""The presentation mode on a projector, in Debian's chromium: every screen fits the window
at 1920×1080 and 1366×768 with no text cut, and the keys of a presentation clicker
(→ PageDown Space, ← PageUp, Home End, Escape) move through the deck."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.exports.bundle import load_bundle
from dashboard.exports.presentation import screens
from tests.browser.layout import LAYOUT, settle

pytestmark = pytest.mark.browser

#: Screenshots of a run, looked at by hand (the README shows two of them).
SHOTS = Path("/tmp/presentation-screens")

def _screen(page) -> int:
    return int(re.search(r"ecran=(\d+)", page.url).group(1)) if "ecran=" in page.url else 1


@pytest.fixture(scope="module")
def deck(demo_workspace) -> list:
    return screens(load_bundle("38", demo_workspace))


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_every_screen_fits_the_window_with_nothing_cut(streamlit_url, chromium_browser, deck,
                                                       size):  # fmt: skip
    width, height = size
    context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                           locale="fr-FR")  # fmt: skip
    page = context.new_page()
    SHOTS.mkdir(exist_ok=True)
    problems = {}
    try:
        for n, screen in enumerate(deck, start=1):
            page.goto(f"{streamlit_url}/presentation?dep=38&ecran={n}",
                      wait_until="domcontentloaded")  # fmt: skip
            settle(page, screen.title)
            layout = page.evaluate(LAYOUT)
            page.screenshot(path=str(SHOTS / f"{width}x{height}-{n:02d}.png"))
            assert layout["title"] == screen.title
            if layout["overflow"] > 2 or layout["cut"]:
                problems[f"{n} {screen.title}"] = (layout["overflow"], layout["cut"][:5])
            if layout["valueSize"] is not None:  # key figures twice their labels at least
                assert layout["valueSize"] >= 2 * layout["labelSize"] - 0.5, (n, layout)
    finally:
        context.close()
    assert problems == {}


def test_clicker_keys_move_through_the_deck_and_escape_leaves(streamlit_url, chromium_browser,
                                                              deck):  # fmt: skip
    context = chromium_browser.new_context(viewport={"width": 1920, "height": 1080},
                                           locale="fr-FR")  # fmt: skip
    page = context.new_page()
    try:
        page.goto(f"{streamlit_url}/presentation?dep=38", wait_until="domcontentloaded")
        settle(page, deck[0].title)
        for key, wanted in (("ArrowRight", 2), ("PageDown", 3), ("Space", 4), ("PageUp", 3),
                            ("ArrowLeft", 2), ("End", len(deck)), ("Home", 1)):  # fmt: skip
            page.keyboard.press(key)
            settle(page, deck[wanted - 1].title)
            assert _screen(page) == wanted, key
            counter = page.locator(".st-key-counter").inner_text()
            assert counter.strip() == f"{wanted} / {len(deck)}"
        page.keyboard.press("ArrowLeft")  # on the first screen: nothing happens
        page.wait_for_timeout(1500)
        assert _screen(page) == 1
        page.keyboard.press("Escape")
        page.get_by_role("heading", name=re.compile("carte du plan")).wait_for(timeout=90_000)
        assert page.locator(".st-key-next").count() == 0
        page.keyboard.press("ArrowRight")  # the keys act on the presentation only
        page.wait_for_timeout(1500)
        assert page.get_by_role("heading", name=re.compile("carte du plan")).count() == 1
    finally:
        context.close()
