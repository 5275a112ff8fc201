"""Page reruns measured with Streamlit's AppTest, for ``territoires bench``.

Each page of ``pages/`` runs once (cold), then five times with its caches warm (the rerun
every click causes), then three times with the Streamlit caches cleared before each run
(the uncached path), all in the same run on the same workspace.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
#: Pages measured, with the query parameters of a typical view.
PAGES: tuple[tuple[str, dict[str, str]], ...] = (
    ("accueil.py", {}),
    ("carte.py", {}),
    ("objectifs.py", {}),
    ("programmation.py", {}),
    ("habitat_indigne.py", {}),
    ("couverture.py", {}),
    ("fiche.py", {"territoire": "epci:200040715"}),
    ("presentation.py", {}),
    ("exports.py", {}),
    ("donnees.py", {}),
)


def _run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def page_reruns(warm_runs: int = 5, uncached_runs: int = 3) -> dict[str, Any]:
    """Cold, warm (median) and uncached (median) run times of every page, in seconds."""
    results: dict[str, Any] = {}
    for name, params in PAGES:
        at = AppTest.from_file(str(PAGES_DIR / name), default_timeout=600)
        for key, value in params.items():
            at.query_params[key] = value
        cold = _run(at)
        warm = statistics.median(_run(at) for _ in range(warm_runs))
        uncached = []
        for _ in range(uncached_runs):
            st.cache_data.clear()
            st.cache_resource.clear()
            uncached.append(_run(at))
        page = name.removesuffix(".py")
        results[f"page_{page}_cold_s"] = round(cold, 3)
        results[f"page_{page}_warm_s"] = round(warm, 3)
        results[f"page_{page}_uncached_s"] = round(statistics.median(uncached), 3)
        results[f"page_{page}_warm_over_uncached"] = round(warm / statistics.median(uncached), 3)
        if at.exception:
            results[f"page_{page}_erreur"] = str(at.exception[0].value)
    warm_all = [v for k, v in results.items() if k.endswith("_warm_s")]
    results["page_warm_max_s"] = max(warm_all)
    return results


if __name__ == "__main__":  # ``python -m dashboard.app.pagebench``: JSON on standard output
    import json
    import sys

    json.dump(page_reruns(), sys.stdout, ensure_ascii=False)
