"""Load test: N simulated users against two replicas behind nginx, on loopback only.

Each simulated user holds one Streamlit session through nginx (its own sticky cookie, so
the users spread over both replicas) and views pages and imports files, until either

- **counts** (``--page-views N --imports M``): exactly N page views and M imports in all
  (``--duration`` is then only a generous cap; a run stopped by it is incomplete, exit 1) —
  what a test uses, so that a slow machine takes longer instead of doing less; or
- **time** (default): ``--duration`` seconds, or ``--max-requests`` page views, for a
  throughput measurement.

Each step is:

- **page view**: a ``rerun_script`` message on the session's websocket
  (``/_stcore/stream``, Streamlit's own protobuf protocol, as the browser sends it when
  one follows a sidebar link), timed until the server's ``script_finished``; the page's
  ``h1`` must be the expected title and no exception element may be sent;
- **import**: every ``--import-every`` page views, an ``operations`` file of ``--rows``
  rows tagged with the user and the attempt, through the data layer
  (``dashboard.intake.imports.import_file`` with an administrateur ``Acteur``) in a worker
  process, against the same PostgreSQL workspace as the replicas: imports of several
  users overlap and must serialise.

At the end the ``operations`` table must equal exactly one of the imported files
(``mixed_rows`` and ``lost_rows`` = 0) and the import log must hold every import.
The report is JSON: throughput (page views/s, imports/s), latency percentiles, errors.

    # everything (throwaway PostgreSQL, demo workspace, replicas, nginx), then stopped:
    make load-test                      # LOAD_ARGS="--users 8 --duration 60"
    # against a set-up already started with deploy/replicas.sh:
    python benchmarks/load_test.py --url http://127.0.0.1:8500 --workspace DIR
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "replicas.sh"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Pages viewed (URL path → expected h1 prefix); the home page weighs more.
PAGES = {
    "": "Isère",
    "donnees": "Données",
    "objectifs": "Objectifs",
    "programmation": "Programmation",
    "habitat_indigne": "Habitat indigne",
    "couverture": "Couverture des plans",
}
WEIGHTS = [3, 2, 1, 1, 1, 1]
MAX_DURATION = 300.0
#: The report gives the latency of the first seconds apart (caches filled as users arrive).
FIRST_SECONDS = 15
MAX_REQUESTS = 20_000

_REFERENCE = None


# ---------------------------------------------------------------- imports (worker processes)
def operations_file(tag: str, rows: int) -> bytes:
    """An ``operations`` CSV whose ids all start with ``tag``."""
    communes = ("38185", "38421", "38151", "38563", "38053")
    body = "".join(f"{tag}-{i};{communes[i % len(communes)]};2023;{i % 7}\n" for i in range(rows))
    return ("id_operation;code_insee;annee;nb_plai\n" + body).encode()


def _worker_init() -> None:
    global _REFERENCE  # one reference per worker process
    from geo.reference import load_reference

    _REFERENCE = load_reference("38")


def run_import(workspace: str, tag: str, rows: int) -> dict:
    """Import one tagged file; returns timing and outcome (never raises)."""
    from dashboard.intake.imports import import_file
    from dashboard.store.permissions import ADMINISTRATEUR, Acteur
    from dashboard.store.workspace import open_workspace

    start, began = time.perf_counter(), time.time()
    try:
        with open_workspace(workspace) as ws:
            report = import_file(
                "operations", operations_file(tag, rows), f"{tag}.csv", ws, _REFERENCE,
                acteur=Acteur(f"{tag.split('-')[0]}@charge.test", ADMINISTRATEUR,
                              nom="test de charge"),
            )  # fmt: skip
        ok = bool(report.imported)
        error = None if ok else (report.refusal or "fichier refusé")
    except Exception as exc:  # reported as an error of the run
        ok, error = False, f"{type(exc).__name__}: {exc}"
    return {"tag": tag, "ok": ok, "error": error, "seconds": time.perf_counter() - start,
            "span": (began, time.time())}


# ---------------------------------------------------------------- page views (websocket)
async def page_view(ws, page: str) -> tuple[float, str | None]:
    """Rerun ``page`` on the session; (seconds, error or None)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    h1, error = None, None
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await ws.recv())
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            what = element.WhichOneof("type")
            if what == "heading" and element.heading.tag == "h1" and h1 is None:
                h1 = element.heading.body
            elif what == "exception" and error is None:
                error = f"exception sur « {page or 'accueil'} » : {element.exception.message}"
        elif kind == "script_finished":
            break
    seconds = time.perf_counter() - start
    if error is None and not (h1 or "").startswith(PAGES[page]):
        error = f"titre inattendu sur « {page or 'accueil'} » : {h1!r}"
    return seconds, error


def _replica_of(front: str, cookie: str) -> str:
    request = urllib.request.Request(f"{front}/_stcore/health",
                                     headers={"Cookie": f"territoires_replique={cookie}"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.headers.get("X-Replique", "?")


class Budget:
    """What the users share: a deadline, a request count and, in count mode, the page views
    and imports still to do (asyncio runs one user at a time: no lock needed)."""

    def __init__(self, duration: float, max_requests: int, page_views: int | None = None,
                 imports: int = 0) -> None:
        self.deadline = time.monotonic() + duration
        self.left = max_requests
        self.views_left = page_views  # None: time mode
        self.imports_left = imports

    @property
    def counted(self) -> bool:
        """Whether the run stops on counts (``--page-views``) rather than on time."""
        return self.views_left is not None

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def take(self) -> bool:
        """One more page view, if the budget allows it."""
        if self.expired() or self.left <= 0 or (self.counted and self.views_left <= 0):
            return False
        self.left -= 1
        if self.counted:
            self.views_left -= 1
        return True

    def take_import(self) -> bool:
        """One more import, if any is left and time remains."""
        if self.expired() or self.imports_left <= 0:
            return False
        self.imports_left -= 1
        return True


def _session(front: str, cookie: str):
    """A Streamlit session through nginx, on the replica that ``cookie`` sticks to."""
    import websockets

    return websockets.connect(
        front.replace("http://", "ws://", 1) + "/_stcore/stream", subprotocols=["streamlit"],
        max_size=None, additional_headers={"Cookie": f"territoires_replique={cookie}"},
        open_timeout=30,
    )  # fmt: skip


async def user(index: int, args, budget: Budget, pool, results: dict) -> None:
    cookie = uuid.uuid4().hex
    results["replicas"].append(await asyncio.to_thread(_replica_of, args.url, cookie))
    rng = random.Random(index)
    loop = asyncio.get_running_loop()
    views = 0
    async with _session(args.url, cookie) as ws:
        just_imported = False
        while True:
            due = views and views % args.import_every == 0 and not just_imported
            # In count mode, the imports still owed once every page view is done.
            owed = budget.counted and budget.views_left == 0
            if (due or owed) and budget.take_import():
                tag = f"U{index}-{len(results['imports'])}"
                results["tags"].append(tag)
                outcome = await loop.run_in_executor(pool, run_import, args.workspace, tag,
                                                     args.rows)
                results["imports"].append(outcome)
                just_imported = True
                continue
            if not budget.take():
                break
            page = rng.choices(list(PAGES), WEIGHTS)[0]
            try:
                seconds, error = await asyncio.wait_for(page_view(ws, page), args.timeout)
            except (TimeoutError, asyncio.TimeoutError):
                seconds, error = args.timeout, f"délai dépassé sur « {page or 'accueil'} »"
            results["views"].append({"page": page, "seconds": seconds, "error": error,
                                     "at": time.perf_counter() - results["started"]})
            views += 1
            just_imported = False
            if args.think:  # reading the page before the next click (0.5 to 1.5 × --think)
                await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": round(statistics.median(ordered), 3), "p95": pick(0.95), "p99": pick(0.99),
            "max": round(ordered[-1], 3)}


def integrity(workspace: str, results: dict, rows: int) -> dict:
    """The operations table equals exactly one imported file; every import is logged."""
    from dashboard.store.workspace import open_workspace

    with open_workspace(workspace) as ws:
        ids = ws.read("operations")["id_operation"].astype(str).tolist()
        log = ws.history()
    succeeded = [r["tag"] for r in results["imports"] if r["ok"]]
    tags = {i.rsplit("-", 1)[0] for i in ids}
    final = next(iter(tags)) if len(tags) == 1 else None
    expected = {f"{final}-{i}" for i in range(rows)} if final in succeeded else set()
    logged = set(log.loc[log["kind"] == "operations", "fichier"].str.removesuffix(".csv"))
    mixed = 0 if len(tags) <= 1 else len(ids) - max(sum(i.startswith(f"{t}-") for i in ids)
                                                       for t in tags)
    return {
        "final_file": f"{final}.csv" if final else None,
        "rows": len(ids),
        "expected_rows": rows,
        "mixed_rows": mixed,
        "lost_rows": len(expected - set(ids)) if expected else rows,
        "extra_rows": len(set(ids) - expected) if expected else len(ids),
        "imports_logged": len(logged & set(succeeded)),
        "imports_succeeded": len(succeeded),
        "ok": bool(expected) and set(ids) == expected and len(ids) == rows
        and set(succeeded) <= logged,
    }


async def warm_up(url: str) -> dict[str, int]:
    """Each page viewed once by one session on each replica (not measured): the room opens
    an application already started, whose caches the first visitors filled."""
    seen: dict[str, int] = {}
    for attempt in range(40):  # cookies until both replicas have been served
        cookie = f"prechauffe-{attempt}"
        replica = await asyncio.to_thread(_replica_of, url, cookie)
        if replica in seen:
            continue
        async with _session(url, cookie) as ws:
            for page in PAGES:
                await asyncio.wait_for(page_view(ws, page), 300)
        seen[replica] = len(PAGES)
        if len(seen) == 2:
            break
    return seen


def replica_memory(run_dir: str | None) -> dict[str, float]:
    """Resident memory (Mo) of each replica, from the pid files of ``deploy/replicas.sh``."""
    found: dict[str, float] = {}
    for pidfile in sorted(Path(run_dir).glob("replique-*.pid")) if run_dir else []:
        try:
            status = Path(f"/proc/{pidfile.read_text().strip()}/status").read_text()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in status.splitlines()
                   if line.startswith("VmRSS:")), None)  # fmt: skip
        if kb is not None:
            found[pidfile.stem.removeprefix("replique-")] = round(kb / 1024, 1)
    return found


async def _sample_memory(peak: dict[str, float]) -> None:
    """Keep in ``peak`` the largest resident memory seen of each replica (every second)."""
    while True:
        for name, mb in replica_memory(os.environ.get("REPLICAS_RUN_DIR")).items():
            peak[name] = max(mb, peak.get(name, 0.0))
        await asyncio.sleep(1.0)


async def run(args) -> dict:
    results: dict = {"views": [], "imports": [], "tags": [], "replicas": []}
    warmed = await warm_up(args.url) if args.warm_up else {}
    results["started"] = time.perf_counter()
    budget = Budget(args.duration, args.max_requests, args.page_views,
                    args.imports if args.page_views is not None else args.max_imports)
    ctx = __import__("multiprocessing").get_context("spawn")
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.import_workers, mp_context=ctx,
                                                initializer=_worker_init) as pool:
        peak: dict[str, float] = {}
        sampler = asyncio.create_task(_sample_memory(peak))
        await asyncio.gather(*(user(i, args, budget, pool, results) for i in range(args.users)))
        sampler.cancel()
    elapsed = time.perf_counter() - started
    views, imports = results["views"], results["imports"]
    errors = [v["error"] for v in views if v["error"]] + [i["error"] for i in imports if i["error"]]
    spans = [i["span"] for i in imports]
    overlapping = sum(any(a < d and c < b for j, (c, d) in enumerate(spans) if j != k)
                      for k, (a, b) in enumerate(spans))
    replicas: dict[str, int] = {}
    for name in results["replicas"]:
        replicas[name] = replicas.get(name, 0) + 1
    ok_views = [v["seconds"] for v in views if not v["error"]]
    first = [v["seconds"] for v in views if not v["error"] and v["at"] < FIRST_SECONDS]
    later = [v["seconds"] for v in views if not v["error"] and v["at"] >= FIRST_SECONDS]
    by_page: dict[str, list[float]] = {page: [] for page in PAGES}
    for v in views:
        if not v["error"]:
            by_page[v["page"]].append(v["seconds"])
    ok_imports = [i["seconds"] for i in imports if i["ok"]]
    complete = None
    if budget.counted:  # every page view and import asked for was done before the cap
        complete = (len(views), len(imports)) == (args.page_views, args.imports)
    return {
        "users": args.users, "think_s": args.think, "duration_s": round(elapsed, 1),
        "url": args.url,
        "mode": "comptes" if budget.counted else "durée", "complete": complete,
        "users_per_replica": replicas,
        "warm_up_views": warmed,
        "page_views": {"count": len(views), "per_s": round(len(views) / elapsed, 2),
                       "latency_s": _percentiles(ok_views),
                       f"latency_s_first_{FIRST_SECONDS}_s": _percentiles(first),
                       "latency_s_after": _percentiles(later),
                       "latency_s_by_page": {page or "accueil": _percentiles(by_page[page])
                                             for page in PAGES}},
        "replica_memory_mb": {"peak": peak,
                              "end": replica_memory(os.environ.get("REPLICAS_RUN_DIR"))},
        "imports": {"count": len(imports), "rows_each": args.rows,
                    "per_s": round(len(imports) / elapsed, 3),
                    "overlapping_others": overlapping,
                    "latency_s": _percentiles(ok_imports)},
        "errors": {"count": len(errors), "first": sorted(set(errors))[:10]},
        "integrity": integrity(args.workspace, results, args.rows) if imports else None,
    }


# ---------------------------------------------------------------- set-up (--start)
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_setup(base: Path) -> tuple[dict, str]:
    """Demo workspace in PostgreSQL, then the replicas and nginx; returns (env, front URL)."""
    # A test server first: never load a production database by accident.
    url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL") or os.environ.get(
        "TERRITOIRES_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("TERRITOIRES_DATABASE_URL (PostgreSQL) manque : lancer `make load-test`, "
                 "qui démarre un serveur jetable")
    env = {**os.environ, "TERRITOIRES_DATABASE_URL": url,
           "TERRITOIRES_DATABASE_SCHEMA": os.environ.get("TERRITOIRES_DATABASE_SCHEMA") or
           f"charge_{os.getpid()}",
           "TERRITOIRES_WORKSPACE": str(base / "espace"), "REPLICAS_RUN_DIR": str(base / "run"),
           "REPLICAS_PORT": str(_free_port()), "REPLICAS_PORT_A": str(_free_port()),
           "REPLICAS_PORT_B": str(_free_port()), "REPLICAS_PYTHON": sys.executable}
    subprocess.run([sys.executable, "-m", "dashboard.cli", "demo", "--workspace",
                    env["TERRITOIRES_WORKSPACE"]], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    with (base / "replicas-sh.log").open("w") as log:
        subprocess.run([str(SCRIPT), "start"], cwd=ROOT, env=env, check=True, stdout=log,
                       stderr=subprocess.STDOUT)
    return env, f"http://127.0.0.1:{env['REPLICAS_PORT']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="front nginx déjà démarré (boucle locale seulement)")
    parser.add_argument("--workspace", help="dossier de l'espace de travail (avec --url)")
    parser.add_argument("--start", action="store_true",
                        help="démarre base de démonstration, répliques et nginx, puis les arrête")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0,
                        help="secondes (≤ 300) ; avec --page-views, plafond seulement")
    parser.add_argument("--page-views", type=int,
                        help="s'arrêter après ce nombre de pages vues (et --imports imports)")
    parser.add_argument("--imports", type=int, default=0,
                        help="avec --page-views : nombre d'imports à faire")
    parser.add_argument("--max-requests", type=int, default=2_000)
    parser.add_argument("--import-every", type=int, default=5,
                        help="un import toutes les N pages vues, par utilisateur")
    parser.add_argument("--max-imports", type=int, default=40)
    parser.add_argument("--import-workers", type=int, default=4)
    parser.add_argument("--rows", type=int, default=1_000, help="lignes par fichier importé")
    parser.add_argument("--timeout", type=float, default=60.0, help="délai d'une page vue")
    parser.add_argument("--out", help="écrit aussi le rapport JSON dans ce fichier")
    parser.add_argument("--think", type=float, default=0.0,
                        help="secondes de lecture entre deux pages vues d'un utilisateur "
                             "(moyenne ; 0 : enchaînées sans pause)")
    parser.add_argument("--warm-up", action="store_true",
                        help="chaque page vue une fois par réplique avant la mesure")
    args = parser.parse_args(argv)
    args.duration = min(args.duration, MAX_DURATION)
    args.max_requests = min(args.max_requests, MAX_REQUESTS)
    if not args.start and not (args.url and args.workspace):
        parser.error("--start, ou bien --url et --workspace")
    if args.page_views is not None and (args.page_views < 1 or args.imports < 0):
        parser.error("--page-views ≥ 1 et --imports ≥ 0 attendus")

    base = Path(tempfile.mkdtemp(prefix="territoires-charge-"))
    env = None
    try:
        if args.start:
            env, args.url = _start_setup(base)
            args.workspace = env["TERRITOIRES_WORKSPACE"]
            os.environ["TERRITOIRES_DATABASE_URL"] = env["TERRITOIRES_DATABASE_URL"]
            os.environ["TERRITOIRES_DATABASE_SCHEMA"] = env["TERRITOIRES_DATABASE_SCHEMA"]
            os.environ["REPLICAS_RUN_DIR"] = env["REPLICAS_RUN_DIR"]
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in LOOPBACK:
            parser.error(f"boucle locale seulement : {host} refusé")
        report = asyncio.run(run(args))
    finally:
        if env is not None:
            with (base / "replicas-sh.log").open("a") as log:
                subprocess.run([str(SCRIPT), "stop"], cwd=ROOT, env=env, check=False,
                               stdout=log, stderr=subprocess.STDOUT)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    ok = (report["errors"]["count"] == 0
          and (report["integrity"] is None or report["integrity"]["ok"])
          and report["complete"] is not False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
