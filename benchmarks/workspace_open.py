"""Cost of opening the workspace on a page run, PostgreSQL: shared engine vs a new one.

A page run opens the workspace several times (cache key, user's role, tables). With a
server database each new engine means a new connection; the shared engine of
:func:`dashboard.store.database.make_engine` reuses the pool. Both are measured in the same run.

    scripts/postgres-test-server.sh .venv/bin/python benchmarks/workspace_open.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.store import database  # noqa: E402 (after the path set-up)
from dashboard.store.workspace import open_workspace  # noqa: E402

ROUNDS = 100


def main() -> int:
    """Print ``{"naive_ms", "shared_ms", "ratio"}`` for open + revision of one workspace."""
    url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL") or os.environ.get(
        "TERRITOIRES_DATABASE_URL", ""
    )
    if not url.startswith("postgresql"):
        print("TERRITOIRES_TEST_DATABASE_URL : une URL PostgreSQL est nécessaire", file=sys.stderr)
        return 2
    os.environ["TERRITOIRES_DATABASE_URL"] = url
    os.environ[database.SCHEMA_ENV] = database.PER_DIRECTORY
    folder = Path(tempfile.mkdtemp(prefix="bench-open-"))
    ws = open_workspace(folder)
    ws.create("38")

    def naive() -> None:
        # What every handle did before engines were shared: its own engine and pool.
        handle = open_workspace(folder)
        handle._engine = database._server_engine(url, handle.schema)
        handle.revision()
        handle._engine.dispose()

    def shared() -> None:
        with open_workspace(folder) as handle:
            handle.revision()

    results = {}
    for name, func in (("naive", naive), ("shared", shared)):
        func()  # warm-up
        start = time.perf_counter()
        for _ in range(ROUNDS):
            func()
        results[f"{name}_ms"] = round((time.perf_counter() - start) / ROUNDS * 1000, 2)
    results["ratio"] = round(results["shared_ms"] / results["naive_ms"], 3)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
