"""The programme page in Debian's chromium: a click on an action opens its fiche, whose link
can be shared; nothing is fetched from outside."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_click_an_action_opens_its_fiche(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/programme?dep=38", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Programme d'actions").wait_for(timeout=90_000)
    page.get_by_role("button", name="4.2", exact=True).click()
    page.get_by_role("heading", name="Fiche action 4.2").wait_for(timeout=60_000)
    assert "action=4.2" in page.url
    page.get_by_text("Calendrier d'exécution").wait_for(timeout=30_000)
    # the table is drawn on a canvas: the warning under it says what is late
    page.get_by_text("1 jalon(s) en retard au 31/12/2024").wait_for(timeout=30_000)
    # the shared link opens the same fiche
    page.goto(f"{streamlit_url}/programme?dep=38&action=1.4", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Fiche action 1.4").wait_for(timeout=90_000)
    page.get_by_text("Déclarés, en attente de la décision du comité").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/programme-fiche-action.png", full_page=True)
    assert page.blocked_requests == []  # type: ignore[attr-defined]


def test_programme_page_screenshot(streamlit_url, offline_page):
    page = offline_page
    page.goto(f"{streamlit_url}/programme?dep=38", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Programme d'actions").wait_for(timeout=90_000)
    page.get_by_text("Prévention des expulsions").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="1.1", exact=True).wait_for(timeout=60_000)
    page.screenshot(path="/tmp/programme.png", full_page=True)
    assert page.get_by_role("button", name="1.1", exact=True).count() == 1
