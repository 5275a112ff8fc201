"""Snapshots: figures computed once per data version, read by every process and replica.

The « replicas » are separate Python processes on the same workspace (SQLite file, or the
PostgreSQL schema of the folder in a PostgreSQL run).
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pandas as pd
import pytest

from dashboard.intake.imports import import_file
from dashboard.store.snapshots import pack, unpack
from dashboard.store.workspace import open_workspace
from tests.paths import ROOT

OPS = b"id_operation;code_insee;annee;nb_plai\nOP1;38185;2022;4\nOP2;38563;2023;2\n"
OPS_2 = b"id_operation;code_insee;annee;nb_plai\nOP9;38185;2024;7\n"


@pytest.fixture
def folder(tmp_path, isere):
    target = tmp_path / "ws"
    with open_workspace(target) as ws:
        assert import_file("operations", OPS, "ops.csv", ws, isere).imported
    return target


def _total(folder) -> dict:
    """What a page would compute: the PLA-I total of the operations table."""
    with open_workspace(folder) as ws:
        ops = ws.read("operations")
    return {"total": int(ops["nb_plai"].sum()), "frame": ops}


def test_pack_keeps_frames_and_values():
    frame = pd.DataFrame({"code": ["38185", None], "n": [1, 2],
                          "date": [pd.Timestamp("2024-01-02").date(), None]})  # fmt: skip
    back = unpack(pack({"frame": frame, "values": {"a": [1, "é"]}, "n": 3}))
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert back["values"] == {"a": [1, "é"]}
    assert back["n"] == 3


def test_computed_once_then_read(folder):
    calls = []

    def compute() -> dict:
        calls.append(1)
        return _total(folder)

    with open_workspace(folder) as ws:
        first = ws.shared("38", "total", compute)
        second = ws.shared("38", "total", compute)
    assert first["total"] == second["total"] == 6
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first["frame"], second["frame"])


_REPLICA = """
import sys
from dashboard.store.workspace import open_workspace
with open_workspace(sys.argv[1]) as ws:
    ops = ws.read("operations")
    ws.shared("38", "total", lambda: {"total": int(ops["nb_plai"].sum()), "par": "A"})
"""


def test_a_second_replica_reads_what_the_first_computed(folder):
    proc = subprocess.run([sys.executable, "-c", _REPLICA, str(folder)], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr

    def never() -> dict:
        raise AssertionError("recalculé alors que la réplique A l'a déjà calculé")

    with open_workspace(folder) as ws:
        value = ws.shared("38", "total", never)
    assert value == {"total": 6, "par": "A"}


def test_a_stale_snapshot_is_never_served_after_a_write(folder, isere):
    with open_workspace(folder) as ws:
        assert ws.shared("38", "total", lambda: _total(folder))["total"] == 6
        assert import_file("operations", OPS_2, "ops2.csv", ws, isere).imported
        assert ws.shared("38", "total", lambda: _total(folder))["total"] == 7


def test_a_failed_import_leaves_the_snapshot_in_force(folder, isere):
    with open_workspace(folder) as ws:
        ws.shared("38", "total", lambda: _total(folder))
        bad = b"id_operation;code_insee;annee;nb_plai\nOP1;99999;2022;4\n"
        assert not import_file("operations", bad, "bad.csv", ws, isere).imported

        def never() -> dict:
            raise AssertionError("un import refusé ne change pas la version des données")

        assert ws.shared("38", "total", never)["total"] == 6


def test_concurrent_requests_compute_once(folder):
    calls: list[int] = []
    results: list[dict] = []
    barrier = threading.Barrier(4)

    def compute() -> dict:
        calls.append(1)
        return _total(folder)

    def ask() -> None:
        barrier.wait(timeout=30)
        with open_workspace(folder) as ws:
            results.append(ws.shared("38", "total", compute))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 4
    assert len(calls) == 1
    assert {r["total"] for r in results} == {6}


def test_another_departement_is_computed_not_stored(folder):
    with open_workspace(folder) as ws:
        ws.shared("73", "total", lambda: {"total": 1})
        assert ws.snapshot_names() == []


def test_only_the_last_revisions_are_kept(folder, isere):
    with open_workspace(folder) as ws:
        for i in range(5):
            ws.shared("38", "total", lambda: _total(folder))
            data = f"id_operation;code_insee;annee;nb_plai\nX{i};38185;2022;{i + 1}\n".encode()
            assert import_file("operations", data, f"ops{i}.csv", ws, isere).imported
        ws.shared("38", "total", lambda: _total(folder))
        revisions = {revision for revision, _ in ws.snapshot_names()}
    assert len(revisions) == 3


def test_a_snapshot_of_the_previous_code_is_never_served(folder, monkeypatch):
    """An upgraded app whose code changes what a snapshot holds (labels…) bumps
    ``snapshots.FORMAT``: what the previous code stored for the same data is not read."""
    from dashboard.store import snapshots

    with open_workspace(folder) as ws:
        assert ws.shared("38", "libelle", lambda: {"libelle": "peril"}) == {"libelle": "peril"}
        assert ws.shared("38", "libelle", lambda: {"libelle": "Péril"}) == {"libelle": "peril"}
        monkeypatch.setattr(snapshots, "FORMAT", snapshots.FORMAT + "-suivant")
        assert ws.shared("38", "libelle", lambda: {"libelle": "Péril"}) == {"libelle": "Péril"}
