"""Shared fixtures: the real Isère reference, a live Streamlit server and Debian's chromium.

Backends: by default every workspace is a SQLite file. With
``TERRITOIRES_TEST_DATABASE_URL`` set (``scripts/postgres-test-server.sh`` does it), the
whole suite runs on PostgreSQL instead: a fresh database is created for the session and
every workspace directory gets its own schema in it (``TERRITOIRES_DATABASE_SCHEMA=@dossier``),
so tests stay as isolated as with one SQLite file per folder, subprocesses included.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Server URL for a PostgreSQL run (empty: SQLite).
TEST_DATABASE_URL = os.environ.get("TERRITOIRES_TEST_DATABASE_URL", "")
_SESSION_DATABASE: dict[str, str] = {}


def _admin_engine(url: str):
    import sqlalchemy as sa

    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def pytest_configure(config):  # noqa: ARG001 (pytest hook signature)
    """On PostgreSQL, create the session's database and point every workspace at it."""
    if not TEST_DATABASE_URL:
        return
    import sqlalchemy as sa

    name = f"territoires_test_{os.getpid()}_{int(time.time())}"
    engine = _admin_engine(TEST_DATABASE_URL)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    url = sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    _SESSION_DATABASE.update(name=name, url=url)
    os.environ["TERRITOIRES_DATABASE_URL"] = url
    os.environ["TERRITOIRES_DATABASE_SCHEMA"] = "@dossier"


def pytest_unconfigure(config):  # noqa: ARG001 (pytest hook signature)
    """Drop the session's PostgreSQL database."""
    if not _SESSION_DATABASE:
        return
    engine = _admin_engine(TEST_DATABASE_URL)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{_SESSION_DATABASE["name"]}" WITH (FORCE)')
    engine.dispose()


def pytest_report_header(config):  # noqa: ARG001 (pytest hook signature)
    """Say which backend the workspaces use."""
    if _SESSION_DATABASE:
        return f"espaces de travail : PostgreSQL, base {_SESSION_DATABASE['name']}"
    return "espaces de travail : SQLite"


@pytest.fixture(scope="session")
def backend() -> str:
    """``postgresql`` or ``sqlite``: the backend of every workspace in this run."""
    return "postgresql" if _SESSION_DATABASE else "sqlite"


@pytest.fixture(autouse=True)
def _isolated_workspace(tmp_path, monkeypatch):
    """Never read or write the user's real workspace: point to an empty folder by default.

    Tests that need the demo set ``TERRITOIRES_WORKSPACE`` themselves (``demo_workspace``).
    On SQLite, a ``TERRITOIRES_DATABASE_URL`` of the environment is ignored.
    """
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "espace-vide"))
    if not _SESSION_DATABASE:
        monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
        monkeypatch.delenv("TERRITOIRES_DATABASE_SCHEMA", raising=False)


@pytest.fixture(scope="session")
def isere():
    """The real Isère reference in force (cached on disk after the first build)."""
    from geo.reference import load_reference

    return load_reference("38")


@pytest.fixture(scope="session")
def isere_territory():
    """Display layers of Isère with the demo CLH."""
    from dashboard.maps.territory import build_territory

    return build_territory("38")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_demo(folder: Path) -> Path:
    """Build the Isère demo workspace in ``folder`` with ``territoires demo``, as ``make run``."""
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "demo", "--workspace", str(folder)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return folder


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    """The Isère demo workspace, shared by the session (tests must not write to it)."""
    return build_demo(tmp_path_factory.mktemp("demo-workspace"))


@pytest.fixture(scope="session")
def hostile_workspace(tmp_path_factory) -> Path:
    """The demo with formulas, markdown and HTML in names, labels, titles and comments
    (``tests/hostile.py``), shared by the session (tests must not write to it)."""
    from tests.hostile import build_hostile_workspace

    return build_hostile_workspace(tmp_path_factory.mktemp("hostile-workspace"))


@pytest.fixture
def own_demo_workspace(tmp_path) -> Path:
    """A fresh Isère demo workspace for a test that writes to it."""
    return build_demo(tmp_path / "demo")


def serve_streamlit(workspace: Path, log: Path, address: str = "127.0.0.1") -> Iterator[str]:
    """Run ``streamlit run dashboard/app/main.py`` on ``workspace``; yield its loopback URL.

    ``address`` is the interface it listens on (``0.0.0.0`` to be reached from another
    address of the machine); the URL is always on 127.0.0.1.
    """
    port = _free_port()
    env = {
        **os.environ,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "TERRITOIRES_WORKSPACE": str(workspace),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "dashboard/app/main.py",
                "--server.port", str(port), "--server.address", address,
                "--server.headless", "true",
            ],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            pytest.fail(f"Streamlit n'a pas démarré : {log.read_text()[-2000:]}")
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory, demo_workspace) -> Iterator[str]:
    """Start ``streamlit run dashboard/app/main.py`` on loopback, on the demo workspace."""
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    yield from serve_streamlit(demo_workspace, log)


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's chromium driven by Playwright (never ``playwright install``)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium absent : lancer `make test`, qui l'installe")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def offline_page(chromium_browser):
    """A page whose requests to any non-loopback host are aborted (and recorded)."""
    context = chromium_browser.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    blocked: list[str] = []

    def _route(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if host in ("127.0.0.1", "localhost", "") or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", _route)
    page = context.new_page()
    page.blocked_requests = blocked  # type: ignore[attr-defined]
    yield page
    context.close()


def folium_component_args(at) -> dict:
    """Arguments an AppTest run sent to the streamlit-folium component (script, links…)."""
    import json

    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            if getattr(child, "type", None) == "component_instance" and proto is not None:
                found.append(json.loads(proto.json_args))
            walk(child)

    walk(at._tree)
    assert found, "la carte (composant streamlit-folium) est absente"
    return found[0]
