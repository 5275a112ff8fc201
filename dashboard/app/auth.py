"""Streamlit side of the identity: login gate, sidebar badge, the author of the session.

The rules themselves are enforced by the workspace (:mod:`dashboard.store.permissions`); this
module only finds out who is there. See :mod:`dashboard.store.auth` for the two modes: the
local mode serves as administrateur only a request from the machine itself (address and
headers from ``st.context``); from another address it reads only, under a banner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.app.text import plain
from dashboard.store.auth import (
    RESEAU,
    auth_configured,
    email_is_verified,
    local_acteur,
    local_request,
    network_reader,
    providers,
    resolve_acteur,
)
from dashboard.store.permissions import LECTEUR, ROLE_LABELS, Acteur
from dashboard.store.workspace import open_workspace

SESSION_KEY = "acteur"
NETWORK_BANNER = (
    "**Consultation seule.** Cette application tourne en mode local, sans connexion : elle "
    "ne sert en administrateur que la personne assise devant la machine qui la fait tourner. "
    "Vous l'atteignez depuis une autre adresse : vous pouvez tout consulter, mais aucun import "
    "ni aucune modification n'est possible. Pour un accès partagé, l'administrateur configure "
    "la connexion (section [auth] de .streamlit/secrets.toml, voir le README)."
)
UNVERIFIED_BANNER = (
    "**Consultation seule.** Votre fournisseur d'identité n'a pas vérifié votre adresse "
    "électronique (email_verified) : votre rôle ne s'applique qu'une fois l'adresse vérifiée."
)


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


def _request() -> tuple[str | None, dict[str, str]]:
    """Remote address and headers of this session's connection (lower-case names)."""
    try:
        context = st.context
        headers = {name.lower(): ", ".join(context.headers.get_all(name))
                   for name in context.headers}
        remote_ip = context.ip_address
    except Exception:  # no connection (a bare script run): nothing says it is remote
        return None, {}
    # Streamlit gives None on loopback; AppTest, a stand-in object.
    return (remote_ip if isinstance(remote_ip, str) else None), headers


def resolve_session_acteur() -> Acteur:
    """Who uses this session, without drawing anything (pages may call it directly)."""
    if not auth_configured(_secrets()):
        remote_ip, headers = _request()
        if local_request(remote_ip, headers):
            return local_acteur()
        return network_reader(remote_ip)
    with open_workspace() as workspace:
        if not _user_attr("is_logged_in"):
            return resolve_acteur(None, workspace, email_verified=None)
        return resolve_acteur(_user_attr("email"), workspace, _user_attr("name"),
                              email_verified=_user_attr("email_verified"))


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
        if acteur.role == LECTEUR and not email_is_verified(_user_attr("email_verified")):
            st.warning(UNVERIFIED_BANNER)
    elif acteur.identifiant == RESEAU:
        st.sidebar.caption("Mode local consulté depuis le réseau : consultation seule")
        st.warning(NETWORK_BANNER)
    else:
        st.sidebar.caption(f"Mode local, sans connexion : {plain(acteur.identifiant)} "
                           "(administrateur)")
    return acteur


def session_acteur() -> Acteur:
    """The author of this session (set by :func:`require_acteur`, else resolved now)."""
    acteur = st.session_state.get(SESSION_KEY)
    return acteur if isinstance(acteur, Acteur) else resolve_session_acteur()
