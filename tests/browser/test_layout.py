"""Every page at 1440×900 in Debian's chromium, as the comité's laptop shows it: nothing wider
than the window, no text cut by its box, no raw code or year printed as a number, a legend
on every map; and the pages of a département without a workspace keep their title and
offer a way forward."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.layout import LAYOUT, settle

pytestmark = pytest.mark.browser

#: Screenshots of a run, to look at by hand.
SHOTS = Path("/tmp/page-shots")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

#: (URL, title, maps drawn on the page)
PAGES = [
    ("/?dep=38", "Isère — carte du plan", 1),
    ("/carte?dep=38", "Carte des indicateurs", 1),
    ("/objectifs?dep=38", "Objectifs territorialisés et réalisations", 0),
    ("/programmation?dep=38", "Programmation PLA-I", 0),
    ("/habitat_indigne?dep=38", "Habitat indigne : signalements", 1),
    ("/acces_logement?dep=38", "Accès au logement des publics prioritaires", 1),
    ("/prevention_expulsions?dep=38", "Prévention des expulsions", 1),
    ("/autres_champs?dep=38&champ=siao", "Autres champs du plan", 1),
    ("/couverture?dep=38", "Couverture des plans", 1),
    ("/programme?dep=38", "Programme d'actions", 0),
    ("/declarations?dep=38", "Suivi des déclarations", 0),
    ("/bilans?dep=38", "Bilans annuels d'exécution", 0),
    ("/fiche?dep=38&territoire=epci:200040715", None, 0),  # situation maps are images
    ("/fiche?dep=38", None, 0),
    ("/exports?dep=38", "Exports", 0),
    ("/donnees?dep=38", "Données", 0),
]

#: Codes that have a French label, and years printed as numbers (« 2 021 »).
RAW = re.compile(
    r"\b(agreee|programmee|livree|en_vigueur|proroge|echu|non_decence|insalubrite|a_engager|"
    r"PLH_OBLIGATION|PLH_PERIOD|INSTANCE_SPLITS_EPCI|COMMUNE_OUTSIDE_INSTANCES|"
    r"PLH_PDALHPD_OBJECTIVE|PDH_SECTORS|PERIMETER_TOPOLOGY|None|nan)\b"
)
#: Round counts (« 2 000 », « 2 020 ») are left out: a year axis shows the years between.
YEAR_AS_NUMBER = re.compile(r"\b2[\u00a0\u202f ]0(1[5-9]|2[1-9]|3[1-9])\b")

#: Per map frame: drawn shapes, and whether it has a legend.
MAPS = f"""() => [...document.querySelectorAll('{MAP_FRAME}')].map(f => {{
    try {{ const d = f.contentDocument;
           return {{paths: d.querySelectorAll('path.leaflet-interactive').length,
                    legend: !!d.querySelector('.territoires-legend')}}; }}
    catch (e) {{ return null; }} }})"""


@pytest.fixture(scope="module")
def laptop(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 900},
                                           locale="fr-FR")  # fmt: skip
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("path", "title", "maps"), PAGES, ids=[p for p, _, _ in PAGES])
def test_page_fits_1440x900_with_nothing_cut_and_no_raw_code(streamlit_url, laptop, path, title,
                                                             maps):  # fmt: skip
    page = laptop
    page.goto(f"{streamlit_url}{path}", wait_until="domcontentloaded")
    settle(page, title)
    if maps:
        page.wait_for_function(f"() => ({MAPS})().some(m => m && m.paths > 0)", timeout=90_000)
        page.wait_for_timeout(1000)
    layout = page.evaluate(LAYOUT)
    SHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"
    page.screenshot(path=str(SHOTS / f"1440x900-{name}.png"), full_page=True)
    assert layout["title"].strip(), "page sans titre"
    assert layout["wide"] <= 2, f"page plus large que la fenêtre de {layout['wide']} px"
    assert layout["cut"] == []
    assert RAW.findall(layout["text"]) == []
    assert [t for t in layout["svgText"] if YEAR_AS_NUMBER.search(t)] == []
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert not re.search(r"\bView\b|\bmore\b", sidebar), sidebar  # every page listed, in French
    drawn = [m for m in page.evaluate(MAPS) if m and m["paths"]]
    assert len(drawn) >= maps
    assert all(m["legend"] for m in drawn), drawn


@pytest.mark.parametrize("path", ["/carte", "/objectifs", "/couverture", "/programme",
                                  "/fiche", "/exports"])  # fmt: skip
def test_a_departement_without_workspace_keeps_its_title_and_a_way_forward(streamlit_url, laptop,
                                                                          path):  # fmt: skip
    page = laptop
    page.goto(f"{streamlit_url}{path}?dep=2A", wait_until="domcontentloaded")
    settle(page)
    page.get_by_text("créez-lui un espace de travail").wait_for(timeout=60_000)
    layout = page.evaluate(LAYOUT)
    assert layout["title"].strip() not in ("", "Isère — carte du plan")
    main = page.locator('[data-testid="stMain"]')
    link = main.get_by_role("link", name="Carte du département (2A)")
    assert link.count() == 1
    with page.context.expect_page() as opened:  # a link button opens a new tab
        link.click()
    home = opened.value
    home.get_by_role("heading", name=re.compile("Corse-du-Sud — carte du plan")).wait_for(
        timeout=90_000)
    home.close()
