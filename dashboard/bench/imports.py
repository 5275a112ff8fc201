"""Benchmark of large imports (issue 14), appended to :data:`dashboard.bench.BENCHES`.

A seeded 300 000-row operations CSV, written as users' spreadsheets write it (cp1252, « ; »,
decimal commas), with 7 columns and with 13 (Sisal-like: unknown columns, free-text
labels, coordinates). Each of the three below runs in a fresh subprocess, so that its peak
memory is its own:

* **ours**, along the two paths users take, each in its own process:
  the page's (:func:`~dashboard.intake.imports.check_file`, then
  :func:`~dashboard.intake.imports.import_file` into a new SQLite workspace, reusing the
  check's report as the « Données » page does) and the command line's
  (``territoires import`` alone, which validates again before writing). The time of
  « check + import » adds the check to the command line's import, its own check included;
  the peak is the larger of the two processes';
* **the row loop** (the baseline, kept here only): the file read with ``csv`` into rows,
  each cell of each row parsed by the same parsers, one dict per row, the rows written by
  SQLAlchemy one parameter dict at a time (what the import did before issue 14);
* **pandas**: ``pandas.read_csv`` of the same file, untyped: the floor of reading it.

Times are wall-clock and CPU (the machine may be shared: CPU time is what the process
itself spent). Peak memory is the subprocess's maximum resident size (``VmHWM``), given
with the size it had before the file was read (Python, pandas, geopandas and the
reference loaded).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.settings import DEFAULT_DEPARTEMENT

#: Rows of the benchmarked file.
FILE_ROWS = 300_000
SEED = 20_261_403
_HEADERS = {
    7: ("N° opération", "Code INSEE commune", "Année de programmation", "Nb PLAI", "Nb PLUS",
        "Nb PLS", "Statut"),
    13: ("N° opération", "Code INSEE commune", "Commune", "Année de programmation",
         "Date de décision", "Nb PLAI", "Nb PLUS", "Nb PLS", "Statut", "Maître d'ouvrage",
         "Libellé", "Latitude", "Longitude"),
}  # fmt: skip


def operations_csv(rows: int, width: int, departement: str = DEFAULT_DEPARTEMENT) -> bytes:
    """A seeded operations CSV of ``rows`` rows and ``width`` (7 or 13) columns, in cp1252
    with « ; », on the communes of ``departement``."""
    from geo.reference import load_reference

    codes = load_reference(departement).communes["code_insee"].astype(str).to_numpy()
    rng = np.random.default_rng(SEED)
    commune = rng.choice(codes, rows)
    year = rng.integers(2015, 2026, rows).astype(str)
    plai, plus, pls = (rng.integers(0, n, rows).astype(str) for n in (40, 60, 20))
    statut = rng.choice(["Agréée", "Programmée", "Livrée", "abandonnée"], rows)
    ids = np.char.add("SISAL-", np.arange(rows).astype(str))
    if width == 7:
        columns = [ids, commune, year, plai, plus, pls, statut]
    else:
        lat = np.char.replace(np.char.mod("%.5f", rng.uniform(44.7, 45.8, rows)), ".", ",")
        lon = np.char.replace(np.char.mod("%.5f", rng.uniform(4.8, 6.3, rows)), ".", ",")
        columns = [
            ids, commune, np.char.add("Commune ", commune), year, np.char.add("15/06/", year),
            plai, plus, pls, statut,
            np.char.add("Bailleur n° ", (np.arange(rows) % 37).astype(str)),
            np.char.add("Résidence n° ", np.arange(rows).astype(str)), lat, lon,
        ]  # fmt: skip
    lines = [";".join(_HEADERS[width])]
    lines += [";".join(row) for row in zip(*(c.tolist() for c in columns), strict=True)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def naive_check(data: bytes, reference: Any) -> tuple[Any, list[tuple[int, str, str]]]:
    """The row loop: every cell of every row parsed on its own, one dict per row.

    Returns the frame of the parsed rows and the errors as (line, header, text).
    """
    import csv
    import io

    import pandas as pd

    from dashboard.intake.parsers import (
        CommuneCodes,
        enum_parser,
        parse_float,
        parse_int,
        parse_year,
        resolve_headers,
    )
    from dashboard.store.schemas import KINDS, coerce_frame

    spec = KINDS["operations"]
    rows = list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";"))
    headers = [h.strip() for h in rows[0]]
    matched, _, _ = resolve_headers("operations", headers)
    communes = CommuneCodes(reference)
    parsers = {}
    for i, name in matched.items():
        col = spec.column(name)
        parsers[i] = (name, {
            "insee": lambda t: communes.resolve(t)[0], "int": parse_int, "year": parse_year,
            "float": parse_float, "enum": enum_parser(col) if col.type == "enum" else str,
        }.get(col.type, str))  # fmt: skip
    records, errors = [], []
    for line, cells in enumerate(rows[1:], start=2):
        record: dict[str, Any] = {}
        for i, (name, parse) in parsers.items():
            text = cells[i].strip() if i < len(cells) else ""
            try:
                record[name] = parse(text) if text else None
            except ValueError as exc:
                errors.append((line, headers[i], str(exc)))
                record[name] = None
        records.append(record)
    return coerce_frame("operations", pd.DataFrame(records)), errors


def naive_import(data: bytes, reference: Any, directory: Path) -> int:
    """The row loop, then one parameter dict per row written by SQLAlchemy."""
    import math

    import pandas as pd
    import sqlalchemy as sa

    from dashboard.store.workspace import BATCH_SIZE, METADATA, Workspace, stored_columns

    frame, errors = naive_check(data, reference)
    if errors:
        raise RuntimeError(f"banc d'essai : fichier invalide ({errors[:3]})")
    columns = stored_columns("operations")

    def value(v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        return v.item() if hasattr(v, "item") else v

    records = [{c: value(v) for c, v in zip(columns, row, strict=True)}
               for row in frame[columns].itertuples(index=False, name=None)]  # fmt: skip
    with Workspace(directory) as ws:
        ws.create(reference.departement)
        table = METADATA.tables["operations"]
        with ws.engine.begin() as conn:
            for start in range(0, len(records), BATCH_SIZE):
                conn.execute(sa.insert(table), records[start : start + BATCH_SIZE])
    return len(records)


#: What one subprocess measures: ``ours`` or ``naive`` on a file, printed as JSON.
_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, sys.argv[4])
import pandas as pd
from dashboard.intake.imports import check_file, import_file
from dashboard.store.workspace import Workspace
from geo.reference import load_reference

mode, path, departement = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
reference = load_reference(departement)
data = path.read_bytes()

def peak():
    # VmHWM: the peak of this process alone (ru_maxrss would count the parent's, kept
    # across fork and exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - wall, time.process_time() - cpu

out = {"baseline_mb": peak()}
with tempfile.TemporaryDirectory() as tmp:
    if mode == "pandas":
        _, out["check_s"], out["check_cpu_s"] = timed(
            lambda: pd.read_csv(path, sep=";", encoding="cp1252", dtype=str))
    elif mode == "page":  # « Données »: the import reuses the report of the check
        report, out["check_s"], out["check_cpu_s"] = timed(
            lambda: check_file("operations", data, path.name, reference, time_limit=None))
        out["valid"] = report.valid
        with Workspace(Path(tmp)) as ws:
            report, out["import_s"], out["import_cpu_s"] = timed(
                lambda: import_file("operations", data, path.name, ws, reference,
                                    checked=report))
        out["rows_written"] = report.rows_written
    elif mode == "cli":  # ``territoires import``: checks again, then writes
        with Workspace(Path(tmp)) as ws:
            report, out["import_s"], out["import_cpu_s"] = timed(
                lambda: import_file("operations", data, path.name, ws, reference))
        out["valid"] = report.valid
        out["rows_written"] = report.rows_written
    else:
        from dashboard.bench.imports import naive_check, naive_import

        (_, errors), out["check_s"], out["check_cpu_s"] = timed(
            lambda: naive_check(data, reference))
        out["valid"] = not errors
        out["rows_written"], out["import_s"], out["import_cpu_s"] = timed(
            lambda: naive_import(data, reference, Path(tmp)))
out["peak_mb"] = peak()
print(json.dumps(out))
"""


def _child(mode: str, path: Path, departement: str) -> dict[str, Any]:
    import dashboard

    root = str(Path(dashboard.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), departement, root],
        capture_output=True, text=True, cwd=root, check=False, timeout=900,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"banc d'essai des imports ({mode}) : {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_imports(departement: str = DEFAULT_DEPARTEMENT, rows: int = FILE_ROWS) -> dict[str, Any]:
    """Check and import of a ``rows``-row operations CSV (7 and 13 columns): ours, the row
    loop and a plain pandas read, each in its own subprocess, in the same run."""
    results: dict[str, Any] = {"import_file_rows": rows}
    with tempfile.TemporaryDirectory() as tmp:
        for width in (7, 13):
            path = Path(tmp) / f"operations_{width}.csv"
            path.write_bytes(operations_csv(rows, width, departement))
            page = _child("page", path, departement)
            cli = _child("cli", path, departement)
            naive = _child("naive", path, departement)
            floor = _child("pandas", path, departement)
            key = f"import_{width}col"
            ours = {**page, "import_s": cli["import_s"], "import_cpu_s": cli["import_cpu_s"],
                    "peak_mb": max(page["peak_mb"], cli["peak_mb"]),
                    "baseline_mb": max(page["baseline_mb"], cli["baseline_mb"]),
                    "valid": page["valid"] and cli["valid"]}
            both = ours["check_s"] + ours["import_s"]
            both_naive = naive["check_s"] + naive["import_s"]
            results.update({
                f"{key}_file_mb": round(path.stat().st_size / 2**20, 1),
                f"{key}_valid": ours["valid"] and naive["valid"],
                f"{key}_rows_written": min(page["rows_written"], cli["rows_written"]),
                f"{key}_page_peak_mb": round(page["peak_mb"]),
                f"{key}_page_import_s": round(page["import_s"], 3),
                f"{key}_cli_peak_mb": round(cli["peak_mb"]),
                f"{key}_pandas_read_s": round(floor["check_s"], 3),
                f"{key}_pandas_read_peak_mb": round(floor["peak_mb"]),
                f"{key}_check_s": round(ours["check_s"], 3),
                f"{key}_check_cpu_s": round(ours["check_cpu_s"], 3),
                f"{key}_check_vs_pandas": round(ours["check_s"] / floor["check_s"], 2),
                f"{key}_check_vs_pandas_cpu": round(ours["check_cpu_s"] / floor["check_cpu_s"], 2),
                f"{key}_import_s": round(ours["import_s"], 3),
                f"{key}_import_cpu_s": round(ours["import_cpu_s"], 3),
                f"{key}_check_import_s": round(both, 3),
                f"{key}_check_import_cpu_s": round(ours["check_cpu_s"] + ours["import_cpu_s"], 3),
                f"{key}_peak_mb": round(ours["peak_mb"]),
                f"{key}_baseline_mb": round(ours["baseline_mb"]),
                f"{key}_naive_check_s": round(naive["check_s"], 3),
                f"{key}_naive_import_s": round(naive["import_s"], 3),
                f"{key}_naive_check_import_s": round(both_naive, 3),
                f"{key}_naive_peak_mb": round(naive["peak_mb"]),
                f"{key}_ratio": round(both / both_naive, 4) if both_naive else None,
            })  # fmt: skip
    results["import_baseline"] = (
        "boucle par ligne (csv, chaque cellule analysée, un dict par ligne, écriture "
        "SQLAlchemy paramètre par paramètre) ; plancher : pandas.read_csv non typé"
    )
    return results


if __name__ == "__main__":
    print(json.dumps(bench_imports(), indent=2, ensure_ascii=False))
