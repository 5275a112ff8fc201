"""Two imports of the same kind at once serialise: the table ends up equal to one file.

Each writer has its own workspace object (its own engine and connections) and slows its
own transaction down between batches, so that without the write lock the two
transactions would overlap and leave a mix of both files (or lose rows).
"""

from __future__ import annotations

import threading
import time

from dashboard.intake.imports import import_file
from dashboard.store import workspace as workspace_module
from dashboard.store.permissions import ADMINISTRATEUR, Acteur
from dashboard.store.workspace import open_workspace

ROWS = 6_000


def _operations(prefix: str, commune: str) -> bytes:
    body = "".join(f"{prefix}-{i};{commune};2023;{i % 9}\n" for i in range(ROWS))
    return ("id_operation;code_insee;annee;nb_plai\n" + body).encode()


def test_concurrent_imports_of_one_kind_never_mix(tmp_path, isere, monkeypatch):
    monkeypatch.setattr(workspace_module, "BATCH_SIZE", 500)  # many batches per import
    target = tmp_path / "ws"
    first = open_workspace(target)
    assert import_file("operations", _operations("INIT", "38185"), "init.csv", first, isere,
                       user="init").imported
    first.close()
    files = {"A": _operations("A", "38185"), "B": _operations("B", "38140")}
    barrier = threading.Barrier(len(files))
    reports: dict[str, object] = {}
    errors: list[BaseException] = []
    spans: dict[str, tuple[float, float]] = {}

    def run(name: str) -> None:
        ws = open_workspace(target)
        start: list[float] = []

        def slow(_done: int, _total: int) -> None:
            if not start:
                start.append(time.monotonic())
            time.sleep(0.02)  # hold the transaction open between batches

        try:
            barrier.wait(timeout=30)
            reports[name] = import_file(
                "operations", files[name], f"{name}.csv", ws, isere, progress=slow,
                acteur=Acteur(f"{name.lower()}@isere.fr", ADMINISTRATEUR),
            )
            spans[name] = (start[0], time.monotonic())
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            ws.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert all(reports[name].imported for name in files)  # serialised, none failed

    ws = open_workspace(target)
    ids = ws.read("operations")["id_operation"].tolist()
    log = ws.history()
    ws.close()
    assert len(ids) == ROWS  # no lost and no doubled rows
    prefixes = {i.split("-")[0] for i in ids}
    assert prefixes in ({"A"}, {"B"}), f"tables mélangées : {prefixes}"
    winner = prefixes.pop()
    assert sorted(ids) == sorted(f"{winner}-{i}" for i in range(ROWS))
    # both writes are in the log, the winner's last
    assert log["fichier"].tolist()[:2] in (["A.csv", "B.csv"], ["B.csv", "A.csv"])
    assert log["fichier"].iloc[0] == f"{winner}.csv"
    # the second writer only began writing once the first had committed
    (a0, a1), (b0, b1) = spans["A"], spans["B"]
    assert a1 <= b0 or b1 <= a0
