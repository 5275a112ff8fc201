"""Identity → author of the writes: local mode or OIDC login, mapped to workspace roles.

Pure functions, testable without Streamlit (the widgets are in :mod:`dashboard.app.auth`).

- **Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``): one person on
  their own machine, no login; they are the local *administrateur*, named after their
  system login, as in the command line. Only a request from the machine itself
  (:func:`local_request`) gets that role: the app reached from another address without
  ``[auth]`` (``streamlit run`` with ``--server.address 0.0.0.0``, a proxy) reads only.
- **OIDC** (``[auth]`` with ``redirect_uri``, ``cookie_secret``, ``client_id``,
  ``client_secret`` and ``server_metadata_url``, or one sub-section per provider):
  ``st.login``; the e-mail of the logged-in person is looked up in the ``utilisateurs``
  table of the workspace. An unknown e-mail, or one that the provider has not verified
  (claim ``email_verified`` not true), reads only (*lecteur*).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from dashboard.store.permissions import LECTEUR, Acteur
from dashboard.store.workspace import Workspace, current_user

#: Keys that a provider needs, in ``[auth]`` itself or in ``[auth.<provider>]``.
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SHARED_KEYS = ("redirect_uri", "cookie_secret")
ANONYME = "anonyme"


def auth_section(secrets: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the secrets, None when absent or empty."""
    if not secrets:
        return None
    section = secrets.get("auth")
    return section if isinstance(section, Mapping) and section else None


def auth_configured(secrets: Mapping[str, Any] | None) -> bool:
    """Whether OIDC login is configured (else the app runs in local mode).

    ``[auth]`` must hold ``redirect_uri`` and ``cookie_secret``, and the provider keys
    either directly or in at least one ``[auth.<provider>]`` sub-section.
    """
    section = auth_section(secrets)
    if section is None or not all(section.get(k) for k in SHARED_KEYS):
        return False
    if all(section.get(k) for k in PROVIDER_KEYS):
        return True
    return any(
        isinstance(sub, Mapping) and all(sub.get(k) for k in PROVIDER_KEYS)
        for sub in section.values()
    )


def providers(secrets: Mapping[str, Any] | None) -> list[str | None]:
    """Named providers (``[auth.<name>]``), or ``[None]`` for the default one."""
    section = auth_section(secrets) or {}
    named = [k for k, v in section.items() if isinstance(v, Mapping)]
    return named or [None]


def local_acteur(login: str | None = None) -> Acteur:
    """The local-mode administrateur, named after the system login."""
    return Acteur.local(login or current_user())


def email_is_verified(claim: object) -> bool:
    """Whether the OIDC claim ``email_verified`` says true (a boolean or the text « true »)."""
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


def resolve_acteur(
    email: str | None, workspace: Workspace, nom: str | None = None, *, email_verified: object
) -> Acteur:
    """The author that a logged-in e-mail maps to.

    Parameters
    ----------
    email : str or None
        E-mail given by the OIDC provider (None: nobody is logged in).
    workspace : Workspace
        Where the ``utilisateurs`` table lives.
    nom : str, optional
        Display name from the provider, used for an unknown e-mail.
    email_verified : object
        The provider's ``email_verified`` claim: anything but true (absent included) makes
        the person a *lecteur*, whatever the role registered for that e-mail — anyone may
        open an account with someone else's address at some providers.

    Returns
    -------
    Acteur
        The registered user; a *lecteur* for an unknown or unverified e-mail, or nobody.
    """
    if not email:
        return Acteur(ANONYME, LECTEUR, "non connecté")
    if not email_is_verified(email_verified):
        return Acteur(email.strip().lower(), LECTEUR, nom or email)
    found = workspace.user(email)
    if found is not None:
        return found
    return Acteur(email.strip().lower(), LECTEUR, nom or email)


#: Host names of the machine itself.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost",
                            "ip6-loopback"})
#: Headers where a proxy on the machine names the client it forwards.
FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
#: Who reads the local mode from another address.
RESEAU = "accès réseau"


def _loopback_address(text: str) -> bool:
    text = text.strip().strip('"').strip()
    if text.startswith("["):  # [::1]:8501
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 127.0.0.1:8501
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text.lower() in LOOPBACK_NAMES
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _forwarded_clients(name: str, value: str) -> list[str]:
    if name != "forwarded":  # X-Forwarded-For: client, proxy1, … ; X-Real-IP: client
        return [part for part in value.split(",") if part.strip()]
    clients = []  # Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]"
    for element in value.split(","):
        for pair in element.split(";"):
            key, _, found = pair.partition("=")
            if key.strip().lower() == "for":
                clients.append(found)
    return clients


def local_request(remote_ip: str | None, headers: Mapping[str, str]) -> bool:
    """Whether a request comes from the machine itself, so that the local mode may serve it.

    Parameters
    ----------
    remote_ip : str or None
        Address of the connection (``st.context.ip_address``: None on loopback).
    headers : mapping
        Request headers, names in lower case (values of a repeated header joined by ``,``).

    Returns
    -------
    bool
        False when the connection, a client named by a forwarding proxy (``X-Forwarded-For``,
        ``X-Real-IP``, ``Forwarded``) or the ``Host`` the browser asked for is not a
        loopback address or name.
    """
    if remote_ip is not None and not _loopback_address(remote_ip):
        return False
    for name in FORWARDING_HEADERS:
        value = headers.get(name)
        if value and not all(_loopback_address(c) for c in _forwarded_clients(name, value)):
            return False
    host = headers.get("host")
    return not host or _loopback_address(host)


def network_reader(remote_ip: str | None) -> Acteur:
    """Who the local mode serves when reached from another address: a *lecteur*."""
    return Acteur(RESEAU, LECTEUR, f"accès réseau ({remote_ip})" if remote_ip else RESEAU)
