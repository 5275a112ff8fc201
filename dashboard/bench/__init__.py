"""``territoires bench``: performance as ratios against naive baselines measured in the same run.

Absolute times depend on the machine; the ratios are what to compare between runs.
Nothing here is asserted by the tests: it is measured and reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from dashboard.bench.coverage import bench_national_coverage
from dashboard.bench.geometry import bench_dissolve, bench_map_payload, bench_reference_load
from dashboard.bench.imports import bench_imports
from dashboard.bench.indicators import bench_indicators
from dashboard.bench.pages import (
    bench_map_cache,
    bench_pages,
    bench_pages_national,
    bench_snapshots,
)
from dashboard.bench.store import IMPORT_ROWS, bench_reader_stall, bench_version_cost
from dashboard.settings import DEFAULT_DEPARTEMENT

#: Benchmarks run by :func:`run_bench`, in order.
BENCHES: list[Callable[[str], dict[str, Any]]] = [
    bench_reference_load,
    bench_map_payload,
    bench_dissolve,
    bench_indicators,
    bench_national_coverage,
    bench_version_cost,
    bench_imports,
    bench_map_cache,
    bench_snapshots,
    bench_pages,
    bench_pages_national,
]


def run_bench(
    departement: str = DEFAULT_DEPARTEMENT, import_rows: int = IMPORT_ROWS
) -> dict[str, Any]:
    """Run every benchmark and return one flat JSON-ready dict.

    ``import_rows``: rows of the large import during which reads are timed
    (:func:`~dashboard.bench.store.bench_reader_stall`).
    """
    results: dict[str, Any] = {"departement": departement, "cpu_count": os.cpu_count(),
                               "load_average_start": _load()}  # fmt: skip
    for bench in BENCHES:
        results.update(bench(departement))
    if "indicators_national_s" in results and "coverage_national_s" in results:
        results["national_indicators_coverage_s"] = round(
            results["indicators_national_s"] + results["coverage_national_s"], 3
        )
    results.update(bench_reader_stall(departement, rows=import_rows))
    results["load_average_end"] = _load()
    return results


def _load() -> list[float]:
    """Load averages over 1, 5 and 15 minutes: how busy the (possibly shared) machine was."""
    return [round(x, 2) for x in os.getloadavg()]
