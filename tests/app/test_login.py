"""Identity: local mode, OIDC login gate and e-mail → role, with AppTest's fake user."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.intake.imports import import_file
from dashboard.store.auth import auth_configured, local_request, providers, resolve_acteur
from dashboard.store.permissions import ADMINISTRATEUR, DELEGUE_EPCI, LECTEUR, Acteur
from dashboard.store.workspace import open_workspace
from tests.paths import ROOT

APP = ROOT / "dashboard" / "app" / "main.py"
DONNEES = ROOT / "pages" / "donnees.py"
METRO, GRESIVAUDAN = "200040715", "200018166"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "pas-un-vrai-secret",
    "client_id": "territoires",
    "client_secret": "pas-un-vrai-secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}
DELEGUE = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)


def test_auth_configured_variants():
    assert not auth_configured(None)
    assert not auth_configured({})
    assert not auth_configured({"auth": {"redirect_uri": "x"}})
    assert auth_configured({"auth": AUTH})
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert auth_configured({"auth": {**shared, "keycloak": provider}})
    assert providers({"auth": {**shared, "keycloak": provider}}) == ["keycloak"]
    assert providers({"auth": AUTH}) == [None]


@pytest.fixture
def workspace_with_users(tmp_path, monkeypatch, isere):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "ws"))
    ws = open_workspace()
    data = b"territoire_type;territoire_code;indicateur;annee;valeur\n" \
           b"epci;200018166;contingent_attributions;2023;7\n"
    assert import_file("realisations", data, "base.csv", ws, isere).imported
    ws.save_user(Acteur.local("admin"), DELEGUE)
    yield ws
    ws.close()


def test_resolve_acteur(workspace_with_users):
    ws = workspace_with_users
    assert resolve_acteur("Delegue@Metro.fr", ws, email_verified=True) == DELEGUE
    unknown = resolve_acteur("curieux@example.org", ws, "Curieux", email_verified=True)
    assert (unknown.role, unknown.nom) == (LECTEUR, "Curieux")
    assert resolve_acteur(None, ws, email_verified=None).role == LECTEUR


@pytest.mark.parametrize("claim", [False, None, "false", "", "yes", 1])
def test_an_unverified_email_only_reads(workspace_with_users, claim):
    found = resolve_acteur("delegue@metro.fr", workspace_with_users, "Denis", email_verified=claim)
    assert found.role == LECTEUR
    assert found.identifiant == "delegue@metro.fr"


@pytest.mark.parametrize("claim", [True, "true", "True"])
def test_a_verified_email_gets_its_role(workspace_with_users, claim):
    assert resolve_acteur("delegue@metro.fr", workspace_with_users,
                          email_verified=claim) == DELEGUE


@pytest.mark.usefixtures("workspace_with_users")
def test_logged_in_with_an_unverified_email_reads_only():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "delegue@metro.fr", "name": "Denis",
               "email_verified": False}
    at.run()
    assert not at.exception
    assert at.session_state["acteur"].role == LECTEUR
    assert "n'a pas vérifié votre adresse" in " ".join(w.value for w in at.warning)


@pytest.mark.parametrize(
    ("remote_ip", "headers"),
    [
        (None, {}),
        ("127.0.0.1", {"host": "127.0.0.1:8501"}),
        ("::1", {"host": "[::1]:8501"}),
        ("::ffff:127.0.0.1", {"host": "localhost:8501"}),
        (None, {"host": "localhost", "x-forwarded-for": "127.0.0.1"}),  # nginx of the replicas
        (None, {"forwarded": 'for="[::1]";proto=http'}),
    ],
)
def test_local_requests(remote_ip, headers):
    assert local_request(remote_ip, headers)


@pytest.mark.parametrize(
    ("remote_ip", "headers"),
    [
        ("192.0.2.7", {}),
        ("10.1.2.3", {"host": "127.0.0.1:8501"}),
        ("2001:db8::1", {}),
        (None, {"x-forwarded-for": "203.0.113.9, 127.0.0.1"}),  # a proxy on the machine
        (None, {"x-real-ip": "203.0.113.9"}),
        (None, {"forwarded": "for=192.0.2.60;proto=http"}),
        (None, {"forwarded": "for=unknown"}),
        (None, {"host": "plan.example.gouv.fr"}),  # a name of the machine on the network
    ],
)
def test_remote_requests(remote_ip, headers):
    assert not local_request(remote_ip, headers)


def test_an_internal_error_of_a_page_is_a_french_message():
    def script():
        from dashboard.app.common import run_page

        class Broken:
            def run(self):
                raise RuntimeError("/srv/territoires/secret.py ligne 12")

        run_page(Broken())

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Une erreur interne empêche d'afficher cette page")
    assert "/srv" not in message
    assert "RuntimeError" not in message


def test_local_mode_without_secrets():
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Mode local, sans connexion" in captions
    assert at.session_state["acteur"].role == ADMINISTRATEUR


def test_login_gate_when_oidc_is_configured():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.metric  # the pages are not shown before login


def test_logged_in_delegue_sees_role_and_is_refused_other_epci(workspace_with_users):
    at = AppTest.from_file(str(DONNEES), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "delegue@metro.fr", "name": "Denis",
               "email_verified": True}
    at.run()
    assert not at.exception
    # whatever the page shows, the import of another EPCI's rows is refused by the data layer
    data = (b"territoire_type;territoire_code;indicateur;annee;valeur\n"
            b"epci;200018166;contingent_attributions;2024;99\n")
    at.selectbox(key="donnees_kind").set_value("realisations").run()
    at.get("file_uploader")[0].upload("autre_epci.csv", data, "text/csv").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Denis Délégué (délégué EPCI)" in captions
    import_button = next(b for b in at.button if b.label.startswith("Importer"))
    import_button.click().run()
    errors = " ".join(e.value for e in at.error)
    assert "ligne 2 (epci 200018166)" in errors
    frame = workspace_with_users.read("realisations")
    assert frame["valeur"].tolist() == [7.0]
    assert workspace_with_users.history()["role"].tolist()[0] == ADMINISTRATEUR  # no new write
