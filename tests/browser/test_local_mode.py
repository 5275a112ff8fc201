"""Local mode serves one person (issue 12): the app started on every interface without
``[auth]`` is administrateur for the machine itself only; reached through another
address of the machine, it reads only, under a French banner."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import serve_streamlit

pytestmark = pytest.mark.browser


def _network_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: only picks the interface
        except OSError:
            return None
        address = sock.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory, demo_workspace) -> Iterator[tuple[str, str]]:
    """The demo served on every interface: (loopback URL, network URL)."""
    address = _network_address()
    if address is None:
        pytest.skip("aucune adresse réseau hors boucle locale sur cette machine")
    log = tmp_path_factory.mktemp("streamlit-partout") / "server.log"
    for url in serve_streamlit(demo_workspace, log, address="0.0.0.0"):
        yield url, url.replace("127.0.0.1", address)


@pytest.fixture
def page_on_this_machine(chromium_browser, everywhere):
    """A page allowed to reach the machine's own addresses only."""
    allowed = {"127.0.0.1", everywhere[1].split("/")[2].split(":")[0]}
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000},
                                           locale="fr-FR")
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.split("/")[2].split(":")[0] in allowed
                  or route.request.url.startswith(("data:", "blob:")) else route.abort())
    yield context.new_page()
    context.close()


def _donnees(page, base: str) -> str:
    page.goto(f"{base}/donnees?dep=38", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Données").wait_for(timeout=90_000)
    page.get_by_text("Mode local").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    return page.locator("body").inner_text()


def test_reached_from_the_network_the_local_mode_reads_only(page_on_this_machine, everywhere,
                                                            tmp_path: Path):
    _loopback, network = everywhere
    text = _donnees(page_on_this_machine, network)
    page_on_this_machine.screenshot(path=str(tmp_path / "donnees-reseau.png"), full_page=True)
    assert "Consultation seule." in text
    assert "aucun import ni aucune modification n'est possible" in text
    assert "Mode local consulté depuis le réseau : consultation seule" in text
    assert "Mode local, sans connexion" not in text
    assert "Votre rôle (lecteur) ne permet aucun import" in text
    assert page_on_this_machine.locator("input[type=file]").count() == 0


def test_on_the_machine_itself_the_local_mode_is_administrateur(page_on_this_machine,
                                                                everywhere):
    loopback, _network = everywhere
    text = _donnees(page_on_this_machine, loopback)
    assert "Consultation seule." not in text
    assert "Mode local, sans connexion" in text
    assert "(administrateur)" in text
    uploader = page_on_this_machine.locator("input[type=file]")
    uploader.wait_for(state="attached", timeout=60_000)  # drawn after the banner
    assert uploader.count() == 1
