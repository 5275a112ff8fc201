"""Time from navigation to the map's polygons drawn, in Debian's chromium, warm.

Starts ``streamlit run dashboard/app/main.py`` on loopback on a fresh demo workspace, opens
each page once (the caches fill), then times, ``--rounds`` times per page, from the
navigation to the moment the map's frame holds the page's polygons:

- ``in_app``: a click on the page's link in the sidebar, from the other map page, in the
  same tab: how a committee moves from page to page;
- ``new_tab``: ``page.goto`` of the page's address in a new tab that has settled (the
  address typed or a link opened): the whole of Streamlit's frontend loads again;
- ``new_tab_unsettled``: the same, timed from the tab's creation. The full (not
  « headless shell ») chromium spends about a second of CPU on its own interface in each
  new tab (the omnibox WebUI renderer, seen in a Chrome trace), on the same two cores:
  that is the browser's work, not the app's, and the figure is kept for comparison with
  earlier runs, which measured this way.

Prints a JSON report: median, minimum and maximum of each, and the first (cold) visit.

    .venv/bin/python benchmarks/map_draw.py [--rounds 3] [--out carte.json]

A measurement, not a test: ``make test`` asserts what the maps show, never how fast.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: Page → polygons its map draws at least (the 31 of the home map: 13 instances and 18
#: EPCI; the indicator map: the 13 instances).
PAGES = {"/?dep=38": 31, "/carte?dep=38": 13}
#: Page → its link in the sidebar.
LINKS = {"/?dep=38": "Carte du département", "/carte?dep=38": "Carte des indicateurs"}
#: Whether a map frame holds ``count`` shapes matching ``paths``.
DRAWN = """([frames, count, paths]) => [...document.querySelectorAll(frames)].some(f => {
    try { return f.contentDocument.querySelectorAll(paths).length >= count; }
    catch (e) { return false; } })"""
POLYGONS = "path.leaflet-interactive"
#: The polygons drawn since :data:`MARK` (the frame may be reused from page to page).
NEW_POLYGONS = "path.leaflet-interactive:not([data-avant])"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(workspace: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "TERRITOIRES_WORKSPACE": str(workspace)}  # fmt: skip
    env.pop("TERRITOIRES_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app/main.py", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    sys.exit(f"Streamlit n'a pas démarré : {log.read_text()[-2000:]}")


#: Seconds a new tab is left to settle before it navigates (the browser's own interface).
SETTLE_S = 1.0
#: Marks the polygons drawn so far, so that only the next page's count.
MARK = """([frames, paths]) => document.querySelectorAll(frames).forEach(f => {
    try { f.contentDocument.querySelectorAll(paths).forEach(p => { p.dataset.avant = '1'; }); }
    catch (e) {} })"""


def _draw(context, url: str, count: int, *, settle: bool = True) -> float:
    """Seconds from navigation to ``count`` polygons drawn, in a new tab."""
    page = context.new_page()
    try:
        if settle:
            page.goto("about:blank")
            page.wait_for_timeout(SETTLE_S * 1000)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(f"(args) => ({DRAWN})(args)", arg=[MAP_FRAME, count, POLYGONS],
                               timeout=120_000, polling=20)  # fmt: skip
        return time.perf_counter() - start
    finally:
        page.close()


def _click(page, link: str, count: int) -> float:
    """Seconds from a click on the sidebar's ``link`` to ``count`` new polygons drawn."""
    page.evaluate(MARK, [MAP_FRAME, POLYGONS])
    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    page.wait_for_function(f"(args) => ({DRAWN})(args)", arg=[MAP_FRAME, count, NEW_POLYGONS],
                           timeout=120_000, polling=20)  # fmt: skip
    return time.perf_counter() - start


def _in_app(context, base: str, rounds: int) -> dict[str, list[float]]:
    """Seconds of each click from one map page to the other, in one tab."""
    page = context.new_page()
    try:
        first = next(iter(PAGES))
        page.goto(base + first, wait_until="commit")
        drawn = [MAP_FRAME, PAGES[first], POLYGONS]
        page.wait_for_function(f"(args) => ({DRAWN})(args)", arg=drawn, timeout=120_000)
        times: dict[str, list[float]] = {path: [] for path in PAGES}
        for _ in range(rounds):
            for path in [*list(PAGES)[1:], first]:
                times[path].append(_click(page, LINKS[path], PAGES[path]))
        return times
    finally:
        page.close()


def _stats(values: list[float]) -> dict:
    return {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
            "max_s": round(max(values), 3), "rounds": len(values)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", help="écrit aussi le rapport JSON dans ce fichier")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="territoires-carte-"))
    subprocess.run([sys.executable, "-m", "dashboard.cli", "demo", "--workspace",
                    str(base / "espace")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    proc, url = _serve(base / "espace", base / "streamlit.log")
    report: dict = {"cpu_count": os.cpu_count(), "load_average_start": os.getloadavg()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            context = browser.new_context(viewport={"width": 1440, "height": 900},
                                          locale="fr-FR")  # fmt: skip
            for path, count in PAGES.items():
                cold = _draw(context, url + path, count, settle=False)
                warm = [_draw(context, url + path, count) for _ in range(args.rounds)]
                unsettled = [_draw(context, url + path, count, settle=False)
                             for _ in range(args.rounds)]  # fmt: skip
                report[path] = {"cold_s": round(cold, 3), "new_tab": _stats(warm),
                                "new_tab_unsettled": _stats(unsettled)}  # fmt: skip
            for path, times in _in_app(context, url, args.rounds).items():
                report[path]["in_app"] = _stats(times)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    report["load_average_end"] = os.getloadavg()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
