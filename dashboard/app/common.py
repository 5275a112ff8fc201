"""Shared Streamlit widgets and caches (the only dashboard module besides the entrypoint
and page helpers that imports Streamlit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.app.text import plain
from dashboard.formatting import fr_int
from dashboard.intake.loader import DepartementMismatchError
from dashboard.maps.territory import Territory, build_territory
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store.workspace import local_writes, open_workspace
from geo.reference import (
    UnknownDepartementError,
    departement_nom,
    departements,
    normalise_departement,
)

#: Kinds whose writes change the map layers (the instances' perimeters).
LAYER_KINDS = ("instances", "perimetres")


@st.cache_resource(show_spinner="Chargement du référentiel territorial…", max_entries=8)
def _territory(departement: str, instances_revision: str) -> Territory:
    del instances_revision  # only part of the cache key
    return build_territory(departement)


def territory(departement: str) -> Territory:
    """Display layers of a département, cached per process on the département code and on
    the revision of its instances, so that an import of instances — through this process,
    another replica or the CLI — redraws the maps at the next rerun."""
    return _territory(departement, workspace_signature(LAYER_KINDS))


@st.cache_data
def departement_options() -> dict[str, str]:
    """Département code → « 38 – Isère », for the selector."""
    deps = departements()
    return {row.code: f"{row.code} – {row.nom}" for row in deps.itertuples()}


def _departement_from_url() -> str:
    options = departement_options()
    wanted = st.query_params.get("dep", DEFAULT_DEPARTEMENT)
    try:
        wanted = normalise_departement(wanted)
    except (TypeError, ValueError):
        wanted = DEFAULT_DEPARTEMENT
    if wanted not in options:
        st.sidebar.warning(f"Département « {wanted} » inconnu : affichage de l'Isère.")
        wanted = DEFAULT_DEPARTEMENT
    return wanted


def departement_selector() -> str:
    """Sidebar selector of the département, kept in sync with ``?dep=`` in the URL.

    Called once by the entrypoint. A link such as ``/?dep=2A`` opens the app on that
    département; changing the selector rewrites the URL so that it can be shared.
    """
    options = departement_options()
    if "departement" not in st.session_state:
        st.session_state["departement"] = _departement_from_url()
    st.sidebar.selectbox(
        "Département",
        list(options),
        format_func=options.get,
        key="departement",
        help="Le lien de la page (paramètre ?dep=) permet de partager ce choix.",
    )
    dep = st.session_state["departement"]
    if st.query_params.get("dep") != dep:
        st.query_params["dep"] = dep
    return dep


def current_departement() -> str:
    """The département the pages work on (selector value, else ``?dep=``, else Isère)."""
    if "departement" not in st.session_state:
        st.session_state["departement"] = _departement_from_url()
    return st.session_state["departement"]


def workspace_signature(kinds: tuple[str, ...] | None = None) -> str:
    """A key that changes whenever the current workspace is written (for caches); with
    ``kinds``, only when data of those kinds is written.

    Read once per page run (a page asks up to ten times; each is a query under load): the
    page then shows one version of the data throughout, unless this process writes to the
    workspace during the run (an import on the page), which reads it again.
    """
    ctx = get_script_run_ctx()
    memo = getattr(ctx, _REVISIONS, None) if ctx is not None else None
    # ``ctx.cursors`` is a new dict at the start of every run (fragments included).
    if ctx is not None and (memo is None or memo[0] is not ctx.cursors
                            or memo[1] != local_writes()):  # fmt: skip
        memo = (ctx.cursors, local_writes(), {})
        setattr(ctx, _REVISIONS, memo)
    if memo is not None and kinds in memo[2]:
        return memo[2][kinds]
    with open_workspace() as ws:
        value = ws.revision(kinds)
    if memo is not None:
        memo[2][kinds] = value
    return value


#: Attribute of the script run context holding the revisions read during the run.
_REVISIONS = "_territoires_revisions"


def shared(departement: str, name: str, compute: Callable[[], dict], revision: str) -> dict:
    """``compute()`` once per data version for every process and replica: read from the
    workspace's snapshots, computed under a lock by the first process that needs it
    (:meth:`dashboard.store.workspace.Workspace.shared`). Cache the result per process on
    top (``st.cache_data`` / ``st.cache_resource`` keyed on :func:`workspace_signature`).

    ``revision`` is the :func:`workspace_signature` the caller's cache is keyed on, read
    before ``compute`` reads any data: the snapshot is labelled with it."""
    with open_workspace() as ws:
        return ws.shared(departement, name, compute, revision)


#: Title of the page being run (set by :func:`run_page`), shown above the notice of a
#: page stopped by :func:`other_departement`.
_PAGE_TITLE = "_territoires_page_title"


def guarded(func, *args):
    """Call ``func(*args)``; a workspace of another département stops the page politely.

    A workspace belongs to one département: asking another one of it raises ValueError in
    the domain, shown here as a French message rather than a stack trace.
    """
    try:
        return func(*args)
    except ValueError as exc:
        other_departement(exc)
        raise  # unreachable: other_departement stops the page


def other_departement(exc: Exception, reference_view: Callable[[], None] | None = None) -> None:
    """Stop the page of a département the workspace does not hold, with its title, what
    this département can still be shown without a workspace, and how to follow it.

    ``reference_view`` draws what the page can show from the reference alone, under the
    notice."""
    title = st.session_state.get(_PAGE_TITLE)
    if title:
        st.title(title)
    dep = current_departement()
    if isinstance(exc, DepartementMismatchError) and exc.owner:  # no server path shown
        why = (f"l'espace de travail de cette application appartient au département "
               f"{departement_nom(exc.owner)} ({exc.owner}), pas au {exc.asked}")
    else:
        why = str(exc)
    st.warning(f"Données indisponibles pour ce département : {plain(why)}.")
    st.markdown(
        "**Sans espace de travail**, ce département se consulte sur son référentiel en "
        "vigueur : la page « Carte du département » montre ses communes, ses EPCI et leurs "
        "populations légales, et la page « Couverture des plans » dit quels EPCI sont tenus "
        "d'avoir un PLH (CCH, art. L302-1).  \n"
        "**Pour suivre ce département**, créez-lui un espace de travail : lancez "
        "l'application avec `TERRITOIRES_WORKSPACE` pointant vers un dossier vide, puis "
        "importez ses instances, plans et extraits depuis la page « Données » (des modèles "
        "à remplir y sont proposés). Pour revenir aux données de l'espace actuel, choisissez "
        "son département dans la barre latérale."
    )
    shown = quote(dep, safe="")
    left, right, _ = st.columns([1, 1, 2])
    left.link_button(f"Carte du département ({dep})", f"./?dep={shown}")
    right.link_button(f"Couverture des plans ({dep})", f"./couverture?dep={shown}")
    if reference_view is not None:
        reference_view()
    st.stop()


#: Values of ``client.showErrorDetails`` that show errors in full (development).
_DETAILED_ERRORS = ("full", "stacktrace", "true", "True", True)
INTERNAL_ERROR = (
    "Une erreur interne empêche d'afficher cette page. Elle a été consignée dans le journal "
    "du serveur, à {heure} ; rechargez la page, et si l'erreur persiste, signalez-la à "
    "l'administrateur avec cette heure."
)


def run_page(page) -> None:
    """Run the page of ``st.navigation``; an internal error shows a French message.

    Outside development (``client.showErrorDetails`` not ``full``, see
    ``.streamlit/config.toml``), the user sees neither a traceback nor a path of the server:
    the error goes to the server's log, the page says so in French. ``st.stop`` and
    ``st.rerun`` are not errors (they are not ``Exception``).
    """
    import datetime as dt
    import logging

    st.session_state[_PAGE_TITLE] = getattr(page, "title", None)
    try:
        page.run()
    except Exception:
        if st.get_option("client.showErrorDetails") in _DETAILED_ERRORS:
            raise
        logging.getLogger("territoires").exception("erreur interne d'une page")
        st.error(INTERNAL_ERROR.format(heure=dt.datetime.now().strftime("%H:%M:%S")))


@st.cache_resource(max_entries=64, show_spinner=False)
def _built_figure(name: str, _build: Callable[..., Any], args: tuple) -> Any:
    del name  # with ``args``, the cache key (``_build`` is not hashed)
    from dashboard.app.plotly_style import french_figure

    return french_figure(_build(*args))


def show_figure(name: str, build: Callable[..., Any], *args: Any, key: str,
                **chart: Any) -> None:  # fmt: skip
    """``st.plotly_chart`` of ``build(*args)`` in French style, the figure built once per
    distinct ``args`` for every session.

    Building the plotly traces is what a chart costs (about 30 ms each, validated trace by
    trace); the figure is never changed once built, only serialised. ``name`` names the
    builder in the cache key.
    """
    st.plotly_chart(_built_figure(name, build, args), width="stretch", key=key, **chart)


def source_caption(*sources: str) -> None:
    """A small « Source : … » line under a figure."""
    st.caption("Source : " + " ; ".join(plain(s) for s in sources))


def metric(label: str, value: int | float | str, source: str, help_text: str | None = None) -> None:
    """A key figure with its source and millésime right under it."""
    shown = fr_int(value) if isinstance(value, int | float) else value
    st.metric(plain(label), shown, help=help_text)
    st.caption(plain(source))


__all__ = [
    "DEFAULT_DEPARTEMENT",
    "UnknownDepartementError",
    "current_departement",
    "departement_options",
    "departement_selector",
    "metric",
    "plain",
    "run_page",
    "source_caption",
    "territory",
]
