"""Identity → author of the writes: local mode or OIDC login, mapped to workspace roles.

Pure functions, testable without Streamlit (the widgets are in :mod:`dashboard.app.auth`).

- **Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``): one person on
  their own machine, no login; they are the local *administrateur*, named after their
  system login, as in the command line.
- **OIDC** (``[auth]`` with ``redirect_uri``, ``cookie_secret``, ``client_id``,
  ``client_secret`` and ``server_metadata_url``, or one sub-section per provider):
  ``st.login``; the e-mail of the logged-in person is looked up in the ``utilisateurs``
  table of the workspace. An unknown e-mail reads only (*lecteur*).
"""

from __future__ import annotations

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


def resolve_acteur(email: str | None, workspace: Workspace, nom: str | None = None) -> Acteur:
    """The author that a logged-in e-mail maps to.

    Parameters
    ----------
    email : str or None
        E-mail given by the OIDC provider (None: nobody is logged in).
    workspace : Workspace
        Where the ``utilisateurs`` table lives.
    nom : str, optional
        Display name from the provider, used for an unknown e-mail.

    Returns
    -------
    Acteur
        The registered user; a *lecteur* for an unknown e-mail or nobody.
    """
    if not email:
        return Acteur(ANONYME, LECTEUR, "non connecté")
    found = workspace.user(email)
    if found is not None:
        return found
    return Acteur(email.strip().lower(), LECTEUR, nom or email)
