"""Benchmarks of what people wait for: page reruns, cached map HTML, shared snapshots.

Measured on an Isère demo workspace built in a temporary folder, each against the uncached
path measured in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard.bench.timing import timed
from dashboard.settings import DEFAULT_DEPARTEMENT, child_environment

ROOT = Path(__file__).resolve().parents[2]


def bench_map_cache(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """A page rerun renders its map: a map kept built (the pages' cache) against a map
    built again at each rerun, all three layers shown."""
    from dashboard.maps.folium_map import build_map
    from dashboard.maps.territory import build_territory

    terr = build_territory(departement)

    def build() -> object:
        return build_map(terr.communes, terr.epci, terr.instances)

    def render(fmap) -> str:
        return fmap.get_root().render()

    cached_map = build()
    render(cached_map)
    cached, _ = timed(lambda: render(cached_map), 5)
    rebuilt, _ = timed(lambda: render(build()), 5)
    return {
        "map_html_cached_s": round(cached, 4),
        "map_html_rebuilt_s": round(rebuilt, 4),
        "map_html_cached_over_rebuilt": round(cached / rebuilt, 4),
    }


def bench_snapshots(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """After an import, a replica reads the export bundle that another one computed
    (the workspace's snapshots) instead of computing it again."""
    from dashboard.exports.bundle import bundle_from_parts, bundle_parts, load_bundle
    from dashboard.intake.demo import DEMO_DEPARTEMENT, build_demo
    from dashboard.store.workspace import open_workspace

    if departement != DEMO_DEPARTEMENT:
        return {"snapshot_bundle_note": "démonstration de l'Isère seulement"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        build_demo(folder)
        start = time.perf_counter()
        parts = bundle_parts(load_bundle(departement, folder))
        computed = time.perf_counter() - start
        with open_workspace(folder) as ws:
            ws.shared(departement, "bundle", lambda: parts)
            territory = bundle_from_parts(parts).territory
            read, _ = timed(lambda: bundle_from_parts(
                ws.shared(departement, "bundle", lambda: parts), territory), 5)  # fmt: skip
    return {
        "snapshot_bundle_compute_s": round(computed, 3),
        "snapshot_bundle_read_s": round(read, 4),
        "snapshot_bundle_read_over_compute": round(read / computed, 4),
    }


def bench_pages(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Warm reruns of every page (AppTest) against reruns with the caches cleared, on the
    demo workspace, in a child process (the pages read the workspace from the settings)."""
    from dashboard.intake.demo import DEMO_DEPARTEMENT, build_demo

    if departement != DEMO_DEPARTEMENT:
        return {"pages_note": "démonstration de l'Isère seulement"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        build_demo(folder)
        return _page_reruns(folder)


def bench_pages_national(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """The same page reruns on the demo workspace holding the tables of the synthetic
    national workload (:data:`~dashboard.bench.indicators.NATIONAL_OPERATIONS` operations,
    :data:`~dashboard.bench.indicators.NATIONAL_SIGNALS` signals) in its own communes.

    A page shows one département, so this is the national volume that page aggregates,
    harder than any real département's. The tables go in through the users' import path
    (a CSV as the app exports one, checked, then written), in place of the demo's.
    """
    from dashboard.bench.indicators import (
        NATIONAL_OPERATIONS,
        NATIONAL_SIGNALS,
        SEED,
        synthetic_tables,
    )
    from dashboard.intake.demo import DEMO_DEPARTEMENT, build_demo
    from dashboard.intake.imports import import_file
    from dashboard.spreadsheets import frame_csv
    from dashboard.store.workspace import open_workspace
    from geo.reference import load_reference

    if departement != DEMO_DEPARTEMENT:
        return {}
    reference = load_reference(departement)
    tables = synthetic_tables(reference, None, NATIONAL_OPERATIONS, NATIONAL_SIGNALS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "national"
        build_demo(folder)
        with open_workspace(folder) as workspace:
            for kind in ("operations", "signalements"):
                report = import_file(kind, frame_csv(tables[kind]), f"{kind}_national.csv",
                                     workspace, reference, user="bench")  # fmt: skip
                if not report.imported:
                    return {"pages_national_erreur": f"{kind} : import refusé"}
        found = _page_reruns(folder)
    if "pages_erreur" in found:
        return {"pages_national_erreur": found["pages_erreur"]}
    results = {key.replace("page_", "page_national_", 1): value for key, value in found.items()}
    results["pages_national_workload"] = (
        f"démonstration de l'Isère, avec {NATIONAL_OPERATIONS} opérations et "
        f"{NATIONAL_SIGNALS} signalements synthétiques (graine {SEED}) dans ses communes"
    )
    return results


def _page_reruns(folder: Path) -> dict[str, Any]:
    """:func:`dashboard.app.pagebench.page_reruns` on the workspace ``folder``, in a child."""
    env = child_environment(TERRITOIRES_WORKSPACE=str(folder))
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.app.pagebench"], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        return {"pages_erreur": proc.stderr[-500:]}
    return json.loads(proc.stdout)
