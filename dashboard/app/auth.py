"""Streamlit side of the identity: login gate, sidebar badge, the author of the session.

The rules themselves are enforced by the workspace (:mod:`dashboard.store.permissions`); this
module only finds out who is there. See :mod:`dashboard.store.auth` for the two modes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.app.text import plain
from dashboard.store.auth import auth_configured, local_acteur, providers, resolve_acteur
from dashboard.store.permissions import ROLE_LABELS, Acteur
from dashboard.store.workspace import open_workspace

SESSION_KEY = "acteur"


def _secrets() -> Mapping[str, Any]:
    try:
        return st.secrets.to_dict()
    except Exception:  # no or unreadable secrets.toml (Streamlit's own errors): local mode
        return {}


def _user_attr(name: str) -> Any:
    try:
        return st.user.get(name)
    except Exception:  # st.user is unavailable outside a script run
        return None


def resolve_session_acteur() -> Acteur:
    """Who uses this session, without drawing anything (pages may call it directly)."""
    if not auth_configured(_secrets()):
        return local_acteur()
    with open_workspace() as workspace:
        if not _user_attr("is_logged_in"):
            return resolve_acteur(None, workspace)
        return resolve_acteur(_user_attr("email"), workspace, _user_attr("name"))


def require_acteur() -> Acteur:
    """Entry-point gate: login button when OIDC is configured and nobody is logged in.

    In local mode, or once logged in, shows the person and role in the sidebar, keeps
    the author in the session (``st.session_state["acteur"]``) and returns it.
    """
    secrets = _secrets()
    if auth_configured(secrets) and not _user_attr("is_logged_in"):
        st.title("Territoires du Plan")
        st.info("Connectez-vous pour consulter le tableau de bord du plan.")
        for provider in providers(secrets):
            label = "Se connecter" + (f" avec {provider}" if provider else "")
            if st.button(label, type="primary", key=f"login-{provider}"):
                st.login(provider)
        st.stop()
    acteur = resolve_session_acteur()
    st.session_state[SESSION_KEY] = acteur
    if auth_configured(secrets):
        st.sidebar.caption(f"Connecté : {plain(acteur.nom or acteur.identifiant)} — "
                           f"{ROLE_LABELS[acteur.role]}"
                           + (f" (EPCI {acteur.epci_siren})" if acteur.epci_siren else ""))
        st.sidebar.button("Se déconnecter", on_click=st.logout, key="logout")
    else:
        st.sidebar.caption(f"Mode local, sans connexion : {plain(acteur.identifiant)} "
                           "(administrateur)")
    return acteur


def session_acteur() -> Acteur:
    """The author of this session (set by :func:`require_acteur`, else resolved now)."""
    acteur = st.session_state.get(SESSION_KEY)
    return acteur if isinstance(acteur, Acteur) else resolve_session_acteur()
