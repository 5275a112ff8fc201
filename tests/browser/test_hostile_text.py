"""Pages of a demo whose user strings are markdown and HTML (issue 12), in chromium: no
request leaves the machine, no image or script comes from a name, and the names read
as written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import serve_streamlit
from tests.hostile import FORMULA, HTML, INSTANCE_NAMES, MARKDOWN_IMAGE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory, hostile_workspace) -> Iterator[str]:
    log = tmp_path_factory.mktemp("streamlit-hostile") / "server.log"
    yield from serve_streamlit(hostile_workspace, log)


@pytest.fixture(scope="module")
def instance_screens(hostile_workspace) -> list[int]:
    """Numbers (1-based) of the presentation screens of the instances with hostile names."""
    from dashboard.exports.bundle import load_bundle
    from dashboard.exports.presentation import screens

    deck = screens(load_bundle("38", hostile_workspace))
    hostile = set(INSTANCE_NAMES.values())
    return [i + 1 for i, s in enumerate(deck) if s.title in hostile]


def _visit(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator("h1").first.wait_for(timeout=90_000)
    page.wait_for_timeout(2500)
    assert page.blocked_requests == [], url  # type: ignore[attr-defined]
    foreign = page.evaluate(
        """() => [...document.querySelectorAll('img, script, iframe, source, link, a')]
                 .map(e => e.src || e.href || '').filter(u => u.includes('exemple.invalid'))"""
    )
    assert foreign == [], url


PATHS = ["", "carte", "objectifs", "programmation", "habitat_indigne", "couverture",
         "couverture?grouper=territoire", "exports", "donnees", "autres_champs?champ=siao"]


@pytest.mark.parametrize("path", PATHS)
def test_pages_fetch_nothing_from_user_text(hostile_url, offline_page, path):
    sep = "&" if "?" in path else "?"
    _visit(offline_page, f"{hostile_url}/{path}{sep}dep=38")


@pytest.mark.parametrize("code", ["MAT", "TRI", "VER", "SGR"])
def test_fiche_title_reads_as_written(hostile_url, offline_page, code):
    _visit(offline_page, f"{hostile_url}/fiche?dep=38&territoire=instance:{code}")
    title = offline_page.locator("h1").first.inner_text().replace("\u2060", "")
    assert title.strip() == INSTANCE_NAMES[code]


def test_presentation_screens_of_hostile_instances(hostile_url, offline_page, instance_screens):
    assert len(instance_screens) == len(INSTANCE_NAMES)
    shown = []
    for number in instance_screens:
        _visit(offline_page, f"{hostile_url}/presentation?dep=38&ecran={number}")
        shown.append(offline_page.locator("h1").first.inner_text().replace("\u2060", "").strip())
    assert MARKDOWN_IMAGE in shown
    assert HTML in shown


def test_table_download_is_built_on_click_and_neutralises_formulas(hostile_url, offline_page):
    """The CSV of the « Objectifs » table is built only when clicked (a deferred callable,
    no rerun): the file arrives whole, for French Excel, with hostile names kept as text."""
    _visit(offline_page, f"{hostile_url}/objectifs?dep=38")
    button = offline_page.get_by_role("button", name="Télécharger le tableau (CSV)")
    button.wait_for(timeout=90_000)
    with offline_page.expect_download(timeout=90_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) > 1
    assert len(rows[0]) > 1
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells  # the instance's name, kept as text
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert offline_page.blocked_requests == []  # type: ignore[attr-defined]
