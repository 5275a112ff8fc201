"""Two Streamlit replicas behind nginx, sharing one PostgreSQL workspace (issue 7).

``deploy/replicas.sh start`` launches replica A and B on loopback ports and nginx in front
(sticky cookie ``territoires_replique``, ``hash … consistent``). The tests check each
replica's ``/_stcore/health`` through nginx, the stickiness (same cookie → same replica,
shown by the ``X-Replique`` header), and that a file imported on the « Données » page of
replica A is seen by replica B after a rerun, both browsers going through nginx.

Runs on the PostgreSQL pass only (``make test-postgres``, or
``scripts/postgres-test-server.sh .venv/bin/pytest -m replicas``): a SQLite file is not
shared between replicas. Skipped with a reason when nginx cannot be installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, ROOT

pytestmark = pytest.mark.replicas

SCRIPT = ROOT / "deploy" / "replicas.sh"
COOKIE = "territoires_replique"
#: Three instances (each a whole EPCI), so that the table has a row count the demo lacks.
INSTANCES_CSV = (
    "instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
    "RA;Réplique A;clh;;200040715\n"
    "RB;Réplique B;clh;;243800984\n"
    "RC;Réplique C;clh;;200018166\n"
).encode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode()


def _nginx_installed() -> bool:
    return bool(shutil.which("nginx")) or Path("/usr/sbin/nginx").exists()


@dataclass
class Replicas:
    """The running set-up: nginx front URL and each replica's address."""

    front: str
    a: str  # "127.0.0.1:PORT", as nginx reports it in X-Replique
    b: str
    run_dir: Path
    env: dict[str, str]  # TERRITOIRES_DATABASE_URL, _SCHEMA and _WORKSPACE of the replicas


@pytest.fixture(scope="module")
def replicas(backend, tmp_path_factory) -> Iterator[Replicas]:
    """Demo workspace in PostgreSQL, then ``deploy/replicas.sh start``; always stopped."""
    url = os.environ.get("TERRITOIRES_DATABASE_URL", "")
    if backend != "postgresql" or not url.startswith("postgresql"):
        pytest.skip("répliques : passe PostgreSQL seulement (scripts/postgres-test-server.sh)")
    if not _nginx_installed() and os.geteuid() != 0:
        pytest.skip("nginx absent et pas root pour l'installer (apt-get install nginx)")
    base = tmp_path_factory.mktemp("repliques")
    env = {
        **os.environ,
        "TERRITOIRES_DATABASE_URL": url,
        "TERRITOIRES_DATABASE_SCHEMA": "repliques",
        "TERRITOIRES_WORKSPACE": str(base / "espace"),
        "REPLICAS_RUN_DIR": str(base / "run"),
        "REPLICAS_PORT": str(_free_port()),
        "REPLICAS_PORT_A": str(_free_port()),
        "REPLICAS_PORT_B": str(_free_port()),
        "REPLICAS_PYTHON": sys.executable,
    }
    workspace = env["TERRITOIRES_WORKSPACE"]
    demo = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "demo", "--workspace", workspace],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    # Output to a file, not a pipe: the servers started in the background inherit it.
    out = base / "replicas-sh.log"
    try:
        with out.open("w") as log:
            start = subprocess.run([str(SCRIPT), "start"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, check=False, timeout=300)
        if start.returncode != 0 and not _nginx_installed():
            pytest.skip(f"nginx n'a pas pu être installé : {out.read_text()[-500:]}")
        assert start.returncode == 0, out.read_text()
        yield Replicas(
            front=f"http://127.0.0.1:{env['REPLICAS_PORT']}",
            a=f"127.0.0.1:{env['REPLICAS_PORT_A']}",
            b=f"127.0.0.1:{env['REPLICAS_PORT_B']}",
            run_dir=Path(env["REPLICAS_RUN_DIR"]),
            env=env,
        )
    finally:
        with out.open("a") as log:
            subprocess.run([str(SCRIPT), "stop"], cwd=ROOT, env=env, stdout=log,
                           stderr=subprocess.STDOUT, check=False, timeout=120)
        for key in ("REPLICAS_PORT", "REPLICAS_PORT_A", "REPLICAS_PORT_B"):  # all stopped
            with socket.socket() as sock:
                assert sock.connect_ex(("127.0.0.1", int(env[key]))) != 0, f"{key} écoute encore"


def _cookie_for(replicas: Replicas, target: str) -> str:
    """A sticky-cookie value that nginx sends to ``target`` (found by asking nginx)."""
    for _ in range(64):
        value = uuid.uuid4().hex
        _status, headers, _body = _get(f"{replicas.front}/_stcore/health", value)
        if headers["x-replique"] == target:
            return value
    raise AssertionError(f"aucun cookie ne mène à {target}")


def test_each_replica_healthy_through_nginx(replicas):
    for name, addr in (("a", replicas.a), ("b", replicas.b)):
        status, headers, body = _get(f"{replicas.front}/_replique/{name}/_stcore/health")
        assert (status, body, headers["x-replique"]) == (200, "ok", addr)
    status, headers, body = _get(f"{replicas.front}/_stcore/health")
    assert (status, body) == (200, "ok")
    assert headers["x-replique"] in (replicas.a, replicas.b)
    for name in ("a", "b"):  # each replica answered its own health check directly too
        assert (replicas.run_dir / f"replique-{name}.pid").exists()


def test_sessions_are_sticky(replicas):
    # First visit: nginx sets the cookie; later requests carrying it stay on that replica.
    _status, headers, _body = _get(f"{replicas.front}/")
    cookie = headers["set-cookie"].split(";")[0].split("=", 1)[1]
    first = headers["x-replique"]
    seen = {_get(f"{replicas.front}{path}", cookie)[1]["x-replique"]
            for path in ("/", "/donnees", "/_stcore/health", "/_stcore/host-config") * 3}
    assert seen == {first}
    _status, headers, _body = _get(f"{replicas.front}/", cookie)
    assert "set-cookie" not in headers  # the cookie is kept, not replaced
    # Different cookies spread over both replicas.
    spread = {_get(f"{replicas.front}/_stcore/health", uuid.uuid4().hex)[1]["x-replique"]
              for _ in range(32)}
    assert spread == {replicas.a, replicas.b}


def test_load_test_smoke(replicas, tmp_path):
    """``benchmarks/load_test.py``, tiny and bounded by counts: 2 users, exactly 6 page views
    and 4 concurrent imports, however slow the machine (the time cap is only a safety)."""
    out = tmp_path / "charge.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_test.py"), "--url", replicas.front,
         "--workspace", replicas.env["TERRITOIRES_WORKSPACE"], "--users", "2",
         "--page-views", "6", "--imports", "4", "--import-every", "2",
         "--import-workers", "2", "--rows", "200", "--duration", "280", "--timeout", "120",
         "--out", str(out)],
        cwd=ROOT, env=replicas.env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert (report["mode"], report["complete"]) == ("comptes", True)
    assert report["page_views"]["count"] == 6
    assert report["imports"]["count"] == 4
    assert report["errors"]["count"] == 0
    assert report["integrity"]["ok"]
    assert (report["integrity"]["mixed_rows"], report["integrity"]["lost_rows"]) == (0, 0)
    assert report["integrity"]["imports_logged"] == 4


def _context(browser, replicas: Replicas, cookie: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.add_cookies([{"name": COOKIE, "value": cookie, "url": replicas.front}])

    def _route(route):
        url = route.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if host in ("127.0.0.1", "localhost", "") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", _route)
    return context


def _instances_metric(page) -> str:
    """Value of the « Instances locales » key figure of the home page."""
    metric = page.locator('[data-testid="stMetric"]', has_text="Instances locales")
    metric.wait_for(timeout=90_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.browser
def test_import_on_replica_a_is_seen_on_replica_b_after_rerun(replicas, chromium_browser,
                                                               tmp_path):
    assert Path(CHROMIUM).exists() or shutil.which("chromium")
    cookie_a, cookie_b = _cookie_for(replicas, replicas.a), _cookie_for(replicas, replicas.b)
    ctx_a = _context(chromium_browser, replicas, cookie_a)
    ctx_b = _context(chromium_browser, replicas, cookie_b)
    try:
        # Replica B, through nginx: the home page caches the map layers (13 demo CLH)…
        page_b = ctx_b.new_page()
        response = page_b.goto(f"{replicas.front}/", wait_until="domcontentloaded")
        assert response is not None
        assert response.headers["x-replique"] == replicas.b
        assert _instances_metric(page_b) == "13"
        # … and the « Données » page shows the demo's instances table (62 rows).
        response = page_b.goto(f"{replicas.front}/donnees", wait_until="domcontentloaded")
        assert response is not None
        assert response.headers["x-replique"] == replicas.b
        page_b.get_by_role("heading", name="Données").wait_for(timeout=90_000)
        page_b.get_by_role("tab", name="Tables").click()
        before = page_b.get_by_text(" lignes.").first.inner_text(timeout=60_000)
        assert before != "3 lignes."

        # Replica A, through nginx: upload and import three instances (websocket + upload
        # both go through nginx to A, thanks to the cookie).
        page_a = ctx_a.new_page()
        response = page_a.goto(f"{replicas.front}/donnees", wait_until="domcontentloaded")
        assert response is not None
        assert response.headers["x-replique"] == replicas.a
        page_a.get_by_role("heading", name="Données").wait_for(timeout=90_000)
        upload = tmp_path / "instances-replique-a.csv"
        upload.write_bytes(INSTANCES_CSV)
        page_a.locator("input[type=file]").set_input_files(str(upload))
        page_a.wait_for_function(
            """() => [...document.querySelectorAll('button')].some(
                b => b.innerText.includes("Importer dans l'espace") && !b.disabled)""",
            timeout=90_000,
        )
        page_a.get_by_role("button", name="Importer dans l'espace de travail").click()
        page_a.get_by_text(re.compile(r"Import réussi \(n° \d+\) : 3 lignes écrites")).wait_for(
            timeout=90_000)

        # Replica B, same session, after a rerun (the « R » shortcut): the new table.
        page_b.locator("h1").first.click()
        deadline = time.monotonic() + 60
        while page_b.get_by_text("3 lignes.", exact=True).count() == 0:
            assert time.monotonic() < deadline, "la réplique B ne voit pas l'import fait sur A"
            page_b.keyboard.press("r")
            page_b.wait_for_timeout(1_000)
        # The cached map layers of B follow too: three instances on its home page.
        response = page_b.goto(f"{replicas.front}/", wait_until="domcontentloaded")
        assert response is not None
        assert response.headers["x-replique"] == replicas.b
        assert _instances_metric(page_b) == "3"
    finally:
        ctx_a.close()
        ctx_b.close()
    # Websocket and upload went through nginx (a websocket is logged once it closes).
    access = replicas.run_dir / "nginx-access.log"
    deadline = time.monotonic() + 10
    while "/_stcore/stream" not in access.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "/_stcore/stream" in access.read_text()
    assert "/_stcore/upload_file" in access.read_text()
