"""Benchmarks of the workspace store (issue 12), appended to :data:`dashboard.bench.BENCHES`.

* **Reader stall during a large import.** A 500 000-row write of ``operations``
  (:meth:`~dashboard.store.workspace.Workspace.write`, the transaction of an import) while
  another process reads the workspace in a loop, as the app's pages do; the figure is the
  longest single read. Measured on a SQLite workspace in write-ahead-log mode (ours) and
  with the rollback journal (``delete``, the former mode: the baseline), in the same run.
* **Disk cost of the versions** kept to undo imports: on the Isère demo, the growth of the
  SQLite file (after ``VACUUM``) when each demo file is imported again, which keeps one
  version of the whole table.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.settings import DEFAULT_DEPARTEMENT

#: Rows written by the reader-stall benchmark.
IMPORT_ROWS = 500_000
#: Rows of the table before the large import (what the readers read meanwhile).
BASE_ROWS = 1_000
SEED = 20_260_112
#: Versions written per demo table to measure the cost of one.
VERSION_SAMPLES = 10


def _operations(rows: int, prefix: str) -> pd.DataFrame:
    """A validated-looking operations frame of ``rows`` rows (seeded, Grenoble)."""
    from dashboard.store.schemas import coerce_frame

    rng = np.random.default_rng(SEED)
    frame = pd.DataFrame({
        "id_operation": [f"{prefix}-{i}" for i in range(rows)],
        "code_insee": "38185",
        "annee": rng.integers(2018, 2025, rows),
        "nb_plai": rng.integers(0, 40, rows),
        "nb_plus": rng.integers(0, 60, rows),
        "nb_pls": rng.integers(0, 20, rows),
        "statut": rng.choice(["programmee", "agreee", "livree"], rows),
        "bailleur": rng.choice(["Grenoble Habitat", "Alpes Isère Habitat", "SDH"], rows),
        "libelle": [f"Opération {i}" for i in range(rows)],
        "latitude": rng.uniform(45.1, 45.3, rows),
        "longitude": rng.uniform(5.6, 5.8, rows),
    })
    return coerce_frame("operations", frame)


#: The reading process: the app's read (:meth:`Workspace.count`) in a loop, each read timed,
#: until the stop file appears; prints the (start, seconds) of every read as JSON.
_READER = """
import json, sys, time
from pathlib import Path

sys.path.insert(0, sys.argv[4])  # this code, not another installed copy
from dashboard.store.workspace import Workspace

url, directory, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
reads = []
with Workspace(directory, url=url) as ws:
    ws.count("operations")
    print("pret", flush=True)
    while not stop.exists():
        start = time.perf_counter()
        ws.count("operations")
        reads.append((start, time.perf_counter() - start))
        time.sleep(0.02)
print(json.dumps(reads), flush=True)
"""


def _stall(mode: str, rows: int, tmp: Path) -> dict[str, float]:
    """Longest read while ``rows`` rows are written, with SQLite journal ``mode``."""
    import dashboard
    from dashboard.store.permissions import Acteur
    from dashboard.store.workspace import ImportRecord, Workspace

    directory = tmp / mode
    directory.mkdir()
    url = f"sqlite:///{directory / 'workspace.sqlite'}"
    stop = tmp / f"{mode}.stop"
    admin = Acteur.local("bench")
    big = _operations(rows, "B")
    root = str(Path(dashboard.__file__).resolve().parents[1])
    with Workspace(directory, url=url) as ws:
        ws.journal_mode = mode
        ws.create(DEFAULT_DEPARTEMENT)
        ws.write("operations", _operations(BASE_ROWS, "A"),
                 ImportRecord("operations", "base.csv", "", BASE_ROWS), acteur=admin)
        reader = subprocess.Popen(
            [sys.executable, "-c", _READER, url, str(directory), str(stop), root],
            stdout=subprocess.PIPE, text=True, cwd=root,
        )  # fmt: skip
        try:
            if reader.stdout is None or reader.stdout.readline().strip() != "pret":
                raise RuntimeError("le lecteur du banc d'essai n'a pas démarré")
            time.sleep(0.2)
            start = time.perf_counter()
            ws.write("operations", big, ImportRecord("operations", "gros.csv", "", rows),
                     acteur=admin)
            end = time.perf_counter()
            time.sleep(0.2)
        finally:
            stop.touch()
        output, _ = reader.communicate(timeout=120)
    reads = json.loads(output)
    during = [seconds for began, seconds in reads if began + seconds >= start and began <= end]
    return {"stall": max(during, default=0.0), "write": end - start, "reads": len(during)}


def bench_reader_stall(departement: str = DEFAULT_DEPARTEMENT,
                       rows: int = IMPORT_ROWS) -> dict[str, Any]:
    """Longest read during a ``rows``-row import: WAL against the rollback journal."""
    del departement  # a store benchmark: the same for every département
    with tempfile.TemporaryDirectory() as tmp:
        wal = _stall("wal", rows, Path(tmp))
        rollback = _stall("delete", rows, Path(tmp))
    return {
        "import_reader_stall_rows": rows,
        "import_reader_stall_s": round(wal["stall"], 4),
        "import_reader_stall_naive_s": round(rollback["stall"], 4),
        "import_reader_stall_ratio": round(wal["stall"] / rollback["stall"], 4)
        if rollback["stall"] else None,
        "import_reader_reads": wal["reads"],
        "import_reader_reads_naive": rollback["reads"],
        "import_write_s": round(wal["write"], 3),
        "import_write_naive_s": round(rollback["write"], 3),
        "import_reader_stall_baseline": "journal SQLite par défaut (rollback, delete)",
    }


def bench_version_cost(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Bytes on disk of one kept version of each demo table (Isère demo, SQLite).

    The demo is built, then each table is written back :data:`VERSION_SAMPLES` times as it
    is (each write keeps one version of the whole table); the growth of the file after
    ``VACUUM``, divided by that number, is the cost of one version.
    """
    del departement  # the demo is Isère's
    from dashboard.intake.demo import DEMO_DEPARTEMENT, DEMO_DIR, DEMO_FILES, DEMO_USER
    from dashboard.intake.imports import import_file
    from dashboard.store.permissions import Acteur
    from dashboard.store.workspace import ImportRecord, Workspace
    from geo.reference import load_reference

    reference = load_reference(DEMO_DEPARTEMENT)
    costs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workspace.sqlite"
        url = f"sqlite:///{path}"

        def size() -> int:
            with sqlite3.connect(path) as conn:
                conn.execute("VACUUM")
            return path.stat().st_size

        with Workspace(Path(tmp), url=url) as ws:
            for kind, name in DEMO_FILES:
                data = (DEMO_DIR / name).read_bytes()
                assert import_file(kind, data, name, ws, reference, user=DEMO_USER).imported
        for kind, _ in DEMO_FILES:
            before = size()
            with Workspace(Path(tmp), url=url) as ws:
                table = ws.read(kind)
                for _ in range(VERSION_SAMPLES):
                    ws.write(kind, table, ImportRecord(kind, "bench", "", len(table)),
                             acteur=Acteur.local("bench"))
            costs[f"version_rows_{kind}"] = len(table)
            costs[f"version_bytes_{kind}"] = round((size() - before) / VERSION_SAMPLES)
    return costs
