"""Streamlit helpers shared by the « Carte », « Objectifs », « Programmation PLA-I » and
« Habitat indigne » pages: one cached loader, filters kept in the URL, cached tables.

Numbers come from :func:`dashboard.indicators.payload.compute_all` (the payload of
``territoires indicators --json``), :func:`dashboard.indicators.compute.plai_programming` and
:mod:`dashboard.indicators.signals`, so the pages, the CLI and the exports agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import folium
import pandas as pd
import streamlit as st

from dashboard.app import common as ui
from dashboard.app.fiche import fiche_button
from dashboard.app.maps import show_map
from dashboard.app.plotly_style import LEGEND_TOP, integer_ticks, year_axis
from dashboard.app.text import plain
from dashboard.formatting import fr_int, fr_number, fr_percent
from dashboard.indicators.compute import Prepared, plai_programming, prepare
from dashboard.indicators.facts import LEVEL_LABELS, table_of
from dashboard.indicators.payload import LoadedInputs, compute_all, load_inputs
from dashboard.indicators.signals import signal_breakdown, signal_summary, signal_trend
from dashboard.indicators.status import REGLE_DATE_REFERENCE, au
from dashboard.maps.folium_map import short_epci_name
from dashboard.spreadsheets import XLSX_MIME, frame_csv, frame_xlsx
from geo.reference import SOURCE_GEOGRAPHIE, Reference, load_reference

if TYPE_CHECKING:
    import plotly.graph_objects as go

LEVEL_CHOICES = {"instance": "Instances locales", "epci": "EPCI", "commune": "Communes"}
STATUS_BADGES = {
    "en avance / conforme": ":green-badge[en avance / conforme]",
    "en retard": ":orange-badge[en retard]",
    "très en retard": ":red-badge[très en retard]",
    "à venir": ":blue-badge[à venir]",
    "sans objectif": ":gray-badge[sans objectif]",
}


@dataclass(frozen=True)
class PageData:
    """Inputs of the indicator pages for one département and workspace state."""

    inputs: LoadedInputs
    reference: Reference
    prepared: Prepared

    @property
    def is_demo(self) -> bool:
        """True when the figures are the invented demonstration data."""
        return bool(self.inputs.source_suffix)

    @property
    def source(self) -> str:
        """Where the tables come from (« … — données de démonstration » for the demo)."""
        return self.inputs.source

    def table(self, kind: str) -> pd.DataFrame:
        """A workspace table, empty when absent."""
        return self.inputs.tables.get(kind, pd.DataFrame())


@st.cache_resource(max_entries=4, show_spinner="Chargement des indicateurs…")
def cached_inputs(departement: str, signature: str) -> LoadedInputs:
    """Tables and memberships, reloaded when the workspace changes (only the tables of the
    kinds written: :meth:`dashboard.store.workspace.Workspace.read_many`)."""
    del signature  # only part of the cache key
    return load_inputs(None, departement)


@st.cache_resource(max_entries=4, show_spinner="Chargement des indicateurs…")
def cached_data(departement: str, signature: str) -> PageData:
    """Tables, memberships and :class:`Prepared`, reloaded when the workspace changes."""
    inputs = cached_inputs(departement, signature)
    reference = load_reference(inputs.departement)
    return PageData(inputs, reference, prepare(reference, inputs.memberships, inputs.tables))


@dataclass(frozen=True)
class PageSummary:
    """What the indicator pages show about their data without loading it: source, demo
    label, rows left out, default reference date, years and kinds present."""

    source: str
    is_demo: bool
    warnings: list[str]
    default_date: dt.date
    signal_years: list[int]
    kinds: frozenset[str]
    extra_needs: list[str]
    millesime: int

    def has(self, kind: str) -> bool:
        """Whether the data hold rows of ``kind``."""
        return kind in self.kinds


def _summary_of(data: PageData) -> dict:
    from dashboard.indicators.status import reference_date as default_date

    real = data.table("realisations")
    extra: list[str] = []
    if not real.empty:
        with_objective = set(data.prepared.objectives["indicateur"])
        extra = sorted(set(real["indicateur"].astype(str)) - with_objective)
    table = data.table("signalements")
    years: list[int] = []
    if not table.empty:
        found = pd.to_datetime(table["date_signalement"], errors="coerce").dt.year.dropna()
        years = sorted(int(y) for y in found.unique())
    return {
        "source": data.source, "is_demo": data.is_demo, "warnings": list(data.prepared.warnings),
        "default_date": default_date(data.inputs.tables).isoformat(), "signal_years": years,
        "kinds": sorted(k for k, v in data.inputs.tables.items() if not v.empty),
        "extra_needs": extra, "millesime": int(data.reference.millesime),
    }  # fmt: skip


@st.cache_data(max_entries=8, show_spinner=False)
def _summary(dep: str, sig: str) -> dict:
    return ui.shared(dep, "indicateurs|resume", lambda: _summary_of(cached_data(dep, sig)), sig)


def page_data() -> PageSummary:
    """What the pages show about the data of the current département (computed once per
    data version for every process); stops the page with a message when unavailable."""
    dep = ui.current_departement()
    try:
        raw = _summary(dep, ui.workspace_signature())
    except ValueError as exc:
        ui.other_departement(exc)
        raise  # unreachable: other_departement stops the page
    return PageSummary(
        raw["source"], raw["is_demo"], list(raw["warnings"]),
        dt.date.fromisoformat(raw["default_date"]), list(raw["signal_years"]),
        frozenset(raw["kinds"]), list(raw["extra_needs"]), int(raw["millesime"]),
    )  # fmt: skip


def _key() -> tuple[str, str]:
    return ui.current_departement(), ui.workspace_signature()


#: Kinds the signal tables and maps read: an import of operations leaves them as they are.
SIGNAL_KINDS = ("signalements", "populations", *ui.LAYER_KINDS)


def _signal_key() -> tuple[str, str]:
    return ui.current_departement(), ui.workspace_signature(SIGNAL_KINDS)


def default_date(departement: str) -> dt.date:
    """The reference date of the current data (:func:`dashboard.indicators.status.
    reference_date`), read from the shared summary; ValueError for a workspace of another
    département."""
    return dt.date.fromisoformat(_summary(departement, ui.workspace_signature())["default_date"])


# --------------------------------------------------------------------------- URL filters


def url_choice(
    label: str,
    options: Sequence[str],
    param: str,
    default: str | None = None,
    format_func: Callable[[str], str] = str,
    widget: str = "selectbox",
    container=st,
    help_text: str | None = None,
) -> str:
    """A choice kept in the URL (``?param=value``): read at first run, written back."""
    options = list(options)
    default = default if default in options else options[0]
    wanted = st.query_params.get(param, default)
    index = options.index(wanted) if wanted in options else options.index(default)
    make = container.radio if widget == "radio" else container.selectbox
    extra = {"horizontal": True} if widget == "radio" else {}
    value = make(
        label, options, index=index, format_func=format_func, key=f"ind-{param}", help=help_text,
        **extra,
    )  # fmt: skip
    if value == default:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != value:
        st.query_params[param] = value
    return value


def level_selector(levels: Sequence[str] = ("instance", "epci"), container=st) -> str:
    """Territory level (``?niveau=instance|epci|commune``)."""
    return url_choice("Niveau", levels, "niveau", "instance", LEVEL_CHOICES.get, "radio", container)


def reference_date(container=st) -> dt.date:
    """« Date de référence » of the statuses (``?date=AAAA-MM-JJ``).

    Default: today, or the end of the last year with data when the extracts stop earlier
    (:func:`dashboard.indicators.status.reference_date`), as on the fiches and in the exports.
    """
    today = page_data().default_date
    try:
        initial = dt.date.fromisoformat(st.query_params.get("date", today.isoformat()))
    except ValueError:
        initial = today
    value = container.date_input(
        "Date de référence", initial, format="DD/MM/YYYY", key="ind-date",
        help="Date à laquelle l'attendu à date et les statuts sont calculés ; par défaut, "
        "la fin de la dernière année de données disponibles.",
    )  # fmt: skip
    if value == today:
        st.query_params.pop("date", None)
    else:
        st.query_params["date"] = value.isoformat()
    return value


def data_notice(data: PageSummary, annee_donnees: int | None, as_of: dt.date) -> None:
    """Where the figures come from, up to which year, and the demo label."""
    parts = [f"Source : {plain(data.source)}"]
    if annee_donnees is not None:
        parts.append(f"données disponibles jusqu'en {annee_donnees}")
    parts.append(f"statuts calculés {au(as_of)}")
    st.caption(" ; ".join(parts) + f" ({REGLE_DATE_REFERENCE}, sauf date choisie).")
    if data.is_demo:
        st.info("Chiffres inventés : données de démonstration (géographie et populations réelles).")
    if data.warnings:
        shown = data.warnings[:10]
        more = len(data.warnings) - len(shown)
        st.warning(
            "Lignes non prises en compte (à corriger dans la page « Données ») :\n"
            + "\n".join(f"- {plain(w)}" for w in shown)
            + (f"\n- … et {more} autre(s)" if more > 0 else "")
        )


# --------------------------------------------------------------------------- cached tables


@st.cache_data(max_entries=24, show_spinner="Calcul des indicateurs…")
def _payload(dep: str, sig: str, today: str, level: str, besoin: str, with_balance: bool) -> dict:
    def compute() -> dict:
        data = cached_data(dep, sig)
        # The pages read the objectives and the balance only (signals and the other
        # fields have their own cached tables).
        return compute_all(data.inputs, dt.date.fromisoformat(today), level, besoin,
                           data.prepared, sections=(), with_balance=with_balance)  # fmt: skip

    name = f"indicateurs|{level}|{today}|{besoin}|objectifs" + ("" if with_balance else "|seuls")
    return ui.shared(dep, name, compute, sig)


def indicators(level: str, as_of: dt.date, besoin: str = "population",
               with_balance: bool = True) -> dict:  # fmt: skip
    """``territoires indicators --json --level LEVEL --date AS_OF`` as a dict of frames:
    ``indicators``, ``balance`` (DataFrames; empty with ``with_balance=False``) and the
    texts of the payload."""
    payload = _payload(*_key(), as_of.isoformat(), level, besoin, with_balance)
    return {
        **payload,
        "indicators": pd.DataFrame(payload["indicators"]),
        "balance": pd.DataFrame(payload["balance"]),
    }


@st.cache_data(max_entries=24, show_spinner=False)
def _signals(dep: str, sig: str, kind: str, level: str, annees: tuple[int, int] | None):
    """Keyed on the revision of :data:`SIGNAL_KINDS` only; computed on the current data."""

    def compute() -> dict:  # no Prepared: the tables and memberships are enough
        inputs = cached_inputs(*_key())
        reference = load_reference(inputs.departement)
        table = table_of(inputs.tables, "signalements")
        mem = inputs.memberships
        if kind == "summary":
            frame = signal_summary(
                reference, mem, table, table_of(inputs.tables, "populations"), level,
                annees, inputs.source_suffix,
            )  # fmt: skip
        elif kind == "trend":
            frame = signal_trend(reference, mem, table, level)
        else:
            frame = signal_breakdown(reference, mem, table, kind, level, annees)
        return {"frame": frame}

    return ui.shared(dep, f"signalements|{kind}|{level}|{annees}", compute, sig)["frame"]


def signals(kind: str, level: str, annees: tuple[int, int] | None = None) -> pd.DataFrame:
    """Signals per territory: ``summary``, ``trend``, or a breakdown by ``procedure`` /
    ``statut``."""
    return _signals(*_signal_key(), kind, level, annees)


@st.cache_data(max_entries=24, show_spinner=False)
def _programming(dep: str, sig: str, level: str, by: tuple[str, ...]) -> pd.DataFrame:
    def compute() -> dict:  # no Prepared: the operations and memberships are enough
        inputs = cached_inputs(dep, sig)
        return {"frame": plai_programming(
            load_reference(inputs.departement), inputs.memberships,
            table_of(inputs.tables, "operations"), level, by,
        )}  # fmt: skip

    return ui.shared(dep, f"programmation|{level}|{'-'.join(by)}", compute, sig)["frame"]


def programming(level: str, by: tuple[str, ...]) -> pd.DataFrame:
    """:func:`dashboard.indicators.compute.plai_programming` for the current data."""
    return _programming(*_key(), level, by)


def signal_years(data: PageSummary) -> list[int]:
    """Years of receipt present in the signals."""
    return list(data.signal_years)


# --------------------------------------------------------------------------- display


def french_table(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Columns renamed and formatted the French way (``int``, ``num``, ``pct``, ``txt``)."""
    from dashboard.maps.choropleth import STATUT_COLOURS

    formats = {
        "int": fr_int, "num": fr_number, "pct": fr_percent, "txt": str,
        "statut": lambda v: STATUT_COLOURS.get(v, (str(v),))[0],
    }  # fmt: skip
    out = pd.DataFrame(index=frame.index)
    for col, (label, kind) in columns.items():
        if col in frame:
            out[label] = [
                "–" if v is None or (isinstance(v, float) and pd.isna(v)) else formats[kind](v)
                for v in frame[col]
            ]
    return out.reset_index(drop=True)


def downloads(table: pd.DataFrame, stem: str, sheet: str) -> None:
    """CSV (``;``, UTF-8 with BOM, for French Excel) and XLSX of a table."""
    c1, c2 = st.columns(2)
    # Files are built only when clicked (a callable), and the click does not rerun the page.
    c1.download_button("Télécharger le tableau (CSV)", partial(frame_csv, table), f"{stem}.csv",
                       "text/csv", on_click="ignore")
    c2.download_button(
        "Télécharger le tableau (XLSX)", partial(frame_xlsx, table, sheet), f"{stem}.xlsx",
        XLSX_MIME, on_click="ignore",
    )  # fmt: skip


# --------------------------------------------------------------------------- objectives


def indicator_choice(table: pd.DataFrame, container=st) -> str:
    """Indicator (``?indicateur=plai``), labelled with the catalogue's libellé."""
    labels = dict(zip(table["indicateur"], table["libelle"], strict=False))
    return url_choice(
        "Indicateur", sorted(labels), "indicateur", "plai", lambda c: labels.get(c, c),
        container=container,
    )  # fmt: skip


def period_choice(table: pd.DataFrame, indicateur: str, container=st) -> str:
    """Plan period or one year (``?periode=2021-2026`` or ``?periode=2023``)."""
    periods = table.loc[table["indicateur"] == indicateur, "periode"].astype(str).unique()
    multi = sorted(p for p in periods if "-" in p)
    years = sorted(p for p in periods if "-" not in p)
    options = multi + years or ["–"]
    return url_choice(
        "Période ou année", options, "periode", options[0],
        lambda p: f"période {p}" if "-" in p else f"année {p}", container=container,
    )  # fmt: skip


def rows_for(table: pd.DataFrame, indicateur: str, periode: str, level: str) -> pd.DataFrame:
    """Indicator rows of one level, indicator and period, sorted by name."""
    keep = (
        (table["indicateur"] == indicateur)
        & (table["periode"].astype(str) == periode)
        & (table["territoire_type"] == level)
    )
    return table[keep].sort_values("territoire_nom").reset_index(drop=True)


def objective_chart(rows: pd.DataFrame, unit: str) -> None:
    """Plotly bars per territory: objective, realised and expected to date."""
    shown = rows[["territoire_nom", "objectif", "attendu_a_date", "realise"]]
    ui.show_figure("objectifs", _objective_figure, shown, unit, key="objectifs-barres")


def _objective_figure(rows: pd.DataFrame, unit: str) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for col, name, colour in (
        ("objectif", "Objectif", "#c9d3e8"),
        ("attendu_a_date", "Attendu à date", "#8d9cc4"),
        ("realise", "Réalisé", "#000091"),
    ):
        fig.add_trace(
            go.Bar(
                x=rows["territoire_nom"].map(short_epci_name), y=rows[col], name=name,
                marker_color=colour,
                customdata=[fr_int(v) for v in rows[col]],
                hovertemplate="%{x}<br>" + name + " : %{customdata}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        barmode="group", height=420, yaxis_title=unit, separators=", ",
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend=LEGEND_TOP,
    )  # fmt: skip
    return fig


def trajectory_chart(tables: list[pd.DataFrame], indicateur: str, code: str, periode: str) -> None:
    """Cumulative realised by year against the linear objective of the period.

    ``tables`` are indicator tables (e.g. of the level and of the département) searched
    for ``code``.
    """
    table = pd.concat(tables, ignore_index=True)

    if "-" not in periode:
        st.caption("Choisissez une période pluriannuelle pour voir la trajectoire.")
        return
    start, end = (int(y) for y in periode.split("-"))
    mine = table[(table["indicateur"] == indicateur) & (table["territoire_code"] == code)]
    whole = mine[mine["periode"] == periode]
    yearly = mine[mine["periode"].astype(str).str.len() == 4].copy()
    yearly["annee"] = yearly["periode"].astype(int)
    yearly = yearly[(yearly["annee"] >= start) & (yearly["annee"] <= end)].sort_values("annee")
    last = yearly["annee_donnees"].dropna()
    if not last.empty:
        yearly = yearly[yearly["annee"] <= int(last.iloc[0])]
    total = (float(whole["objectif"].iloc[0])
             if not whole.empty and pd.notna(whole["objectif"].iloc[0]) else None)  # fmt: skip
    ui.show_figure("trajectoire", _trajectory_figure, yearly[["annee", "realise"]], total,
                   start, end, key="objectifs-trajectoire")  # fmt: skip


def _trajectory_figure(yearly: pd.DataFrame, total: float | None, start: int,
                       end: int) -> go.Figure:  # fmt: skip
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=yearly["annee"].astype(str), y=yearly["realise"].cumsum(), name="Réalisé cumulé",
            mode="lines+markers", line={"color": "#000091", "width": 3},
        )
    )  # fmt: skip
    if total is not None:
        years = list(range(start, end + 1))
        fig.add_trace(
            go.Scatter(
                x=[str(y) for y in years],
                y=[total * (i + 1) / len(years) for i in range(len(years))],
                name="Objectif linéaire", mode="lines", line={"color": "#e1000f", "dash": "dash"},
            )
        )  # fmt: skip
    fig.update_layout(
        height=360, separators=", ", legend=LEGEND_TOP,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )  # fmt: skip
    year_axis(fig, list(range(start, end + 1)))
    return fig


def status_badges(rows: pd.DataFrame) -> None:
    """One badge per territory with its status."""
    items = [
        f"**{plain(r.territoire_nom)}** {STATUS_BADGES.get(r.statut, plain(r.statut))}"
        for r in rows.itertuples(index=False)
    ]
    cols = st.columns(3)
    for i, item in enumerate(items):
        cols[i % 3].markdown(item)


INDICATOR_DISPLAY = {
    "territoire_nom": ("Territoire", "txt"), "territoire_code": ("Code", "txt"),
    "periode": ("Période", "txt"), "objectif": ("Objectif", "int"),
    "realise": ("Réalisé", "int"), "taux": ("Taux de réalisation", "pct"),
    "attendu_a_date": ("Attendu à date", "int"), "statut": ("Statut", "txt"),
    "programme": ("Programmé (PLA-I)", "int"), "source": ("Source", "txt"),
}  # fmt: skip

PROGRAMMING_DISPLAY = {
    "territoire_nom": ("Territoire", "txt"), "annee": ("Année", "txt"),
    "statut": ("Statut", "statut"), "bailleur": ("Bailleur", "txt"),
    "nb_operations": ("Opérations", "int"), "nb_plai": ("PLA-I", "int"),
    "nb_plus": ("PLUS", "int"), "nb_pls": ("PLS", "int"),
}  # fmt: skip

SIGNAL_DISPLAY = {
    "territoire_nom": ("Territoire", "txt"), "territoire_code": ("Code", "txt"),
    "nb_signalements": ("Signalements reçus", "int"), "nb_resolus": ("Résolus", "int"),
    "nb_clos_sans_resolution": ("Clos sans résolution", "int"),
    "nb_en_cours": ("En cours", "int"), "population": ("Population", "int"),
    "taux_pour_10000": ("Pour 10\u202f000 hab.", "num"),
    "delai_median_cloture_jours": ("Délai médian de clôture (jours)", "int"),
}  # fmt: skip

BALANCE_DISPLAY = {
    "territoire_nom": ("Territoire", "txt"), "valeur_besoin": ("Besoin", "int"),
    "part_besoin": ("Part du besoin", "pct"), "part_objectif": ("Part de l'objectif", "pct"),
    "part_realise": ("Part du réalisé", "pct"), "indice_equilibre": ("Indice d'équilibre", "num"),
}  # fmt: skip


def need_choice(data: PageSummary, container=st) -> str:
    """Need of the balance (``?besoin=population|signalements|<indicateur importé>``)."""
    options = {"population": "population (par défaut)"}
    if data.has("signalements"):
        options["signalements"] = "signalements reçus"
    for code in data.extra_needs:
        options[code] = f"{code} (valeurs importées)"
    return url_choice(
        "Besoin de référence", list(options), "besoin", "population", options.get,
        container=container,
    )  # fmt: skip


def _per_hundred(value: float | None) -> float | None:
    """An index on 0–100 as a ratio; ``None`` when it could not be computed (no objective here)."""
    return None if value is None or pd.isna(value) else float(value) / 100


def balance_section(balance: pd.DataFrame, indicateur: str) -> pd.DataFrame:
    """Shares of need, objective and realised per territory, dissimilarity and coverage."""
    from dashboard.indicators.balance import DEFINITION_INDICE_EQUILIBRE, EXPLICATION_DISSIMILARITE

    rows = balance[balance["indicateur"] == indicateur]
    if rows.empty:
        st.info("Pas d'équilibre calculable pour cet indicateur à ce niveau.")
        return rows
    terr = rows[rows["territoire_type"] != "departement"].sort_values("territoire_nom")
    dep = rows[rows["territoire_type"] == "departement"].iloc[0]
    c1, c2, c3 = st.columns(3)
    realise, objectif = dep["dissimilarite_realise"], dep["dissimilarite_objectif"]
    c1.metric("Indice de dissimilarité (réalisé)", fr_percent(_per_hundred(realise)))
    c2.metric("Indice de dissimilarité (objectif)", fr_percent(_per_hundred(objectif)))
    c3.metric("Part du réalisé départemental couverte", fr_percent(dep["couverture_realise"]))
    st.caption(EXPLICATION_DISSIMILARITE)
    shares = terr[["territoire_nom", "part_besoin", "part_objectif", "part_realise"]]
    ui.show_figure("equilibre", _balance_figure, shares, key="objectifs-equilibre")
    st.dataframe(french_table(terr, BALANCE_DISPLAY), hide_index=True, width="stretch")
    st.caption(
        f"{DEFINITION_INDICE_EQUILIBRE} Période : {plain(dep['periode'])}. "
        f"Source : {plain(dep['source'])}."
    )
    return rows


def _balance_figure(terr: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for col, name, colour in (
        ("part_besoin", "Part du besoin", "#b7b7b7"),
        ("part_objectif", "Part de l'objectif", "#8d9cc4"),
        ("part_realise", "Part du réalisé", "#000091"),
    ):
        fig.add_trace(
            go.Bar(
                x=terr["territoire_nom"].map(short_epci_name), y=terr[col] * 100, name=name,
                marker_color=colour,
                customdata=[fr_percent(v) for v in terr[col]],
                hovertemplate="%{x}<br>" + name + " : %{customdata}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        barmode="group", height=380, yaxis_title="%", separators=", ",
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12},
    )  # fmt: skip
    return fig


# --------------------------------------------------------------------------- map

#: Measures of the « Carte » page: code → (label, format, uses the chosen indicator).
MEASURES: dict[str, tuple[str, str, bool]] = {
    "realise": ("Réalisé", "int", True),
    "taux": ("Taux de réalisation", "pct", True),
    "objectif": ("Objectif", "int", True),
    "programme": ("PLA-I programmés (non encore agréés)", "int", False),
    "indice_equilibre": ("Indice d'équilibre (part du réalisé / part de la population)", "num",
                         True),
    "taux_signalements": ("Signalements pour 10\u202f000 habitants", "num", False),
    "nb_signalements": ("Signalements reçus", "int", False),
}  # fmt: skip
_FORMATS: dict[str, Callable[[float], str]] = {
    "int": fr_int, "num": lambda v: fr_number(v, 1), "pct": lambda v: fr_percent(v, 0),
}  # fmt: skip


def period_years(periode: str) -> tuple[int, int] | None:
    """``"2021-2026"`` → (2021, 2026); ``"2023"`` → (2023, 2023)."""
    try:
        parts = [int(p) for p in periode.split("-")]
    except ValueError:
        return None
    return parts[0], parts[-1]


@dataclass(frozen=True)
class MapValues:
    """Values of one measure per territory code, with their title, format and source."""

    values: pd.Series
    title: str
    fmt: Callable[[float], str]
    source: str
    palette: str = "YlOrRd"


def map_values(
    measure: str, level: str, indicateur: str, periode: str, as_of: dt.date
) -> MapValues:
    """Values of ``measure`` for the territories of ``level`` (see :data:`MEASURES`)."""
    label, kind, uses_indicator = MEASURES[measure]
    fmt = _FORMATS[kind]
    if measure in ("taux_signalements", "nb_signalements"):
        summary = signals("summary", level, period_years(periode))
        col = "taux_pour_10000" if measure == "taux_signalements" else "nb_signalements"
        values = summary.set_index("territoire_code")[col]
        source = str(summary["source"].iloc[0]) if not summary.empty else ""
        return MapValues(values, f"{label}, {periode}", fmt, source, "Blues")
    payload = indicators(level, as_of)
    if measure == "indice_equilibre":
        bal = payload["balance"]
        bal = bal[(bal["indicateur"] == indicateur) & (bal["territoire_type"] == level)]
        source = str(bal["source"].iloc[0]) if not bal.empty else ""
        period = str(bal["periode"].iloc[0]) if not bal.empty else periode
        title = f"{label} — {indicateur}, {period}"
        return MapValues(bal.set_index("territoire_code")[measure], title, fmt, source)
    code = indicateur if uses_indicator else "plai"
    rows = rows_for(payload["indicators"], code, periode, level)
    source = str(rows["source"].iloc[0]) if not rows.empty else ""
    libelle = str(rows["libelle"].iloc[0]) if not rows.empty else code
    title = f"{label} — {libelle}, {periode}" if uses_indicator else f"{label}, {periode}"
    return MapValues(rows.set_index("territoire_code")[measure], title, fmt, source)


def clicked_code(state: dict | None, level: str) -> str | None:
    """Code of the territory clicked on the map (``properties.niveau`` / ``code``)."""
    import html

    feature = (state or {}).get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    if props.get("niveau") == level and props.get("code"):
        return html.unescape(str(props["code"]))
    return None


def map_detail(level: str, code: str, indicateur: str, periode: str, as_of: dt.date) -> None:
    """Detail panel of a clicked territory: objective, realised, signals, balance."""
    payload = indicators(level, as_of)
    rows = rows_for(payload["indicators"], indicateur, periode, level)
    row = rows[rows["territoire_code"] == code]
    summary = signals("summary", level, period_years(periode))
    sig = summary[summary["territoire_code"] == code]
    name = row["territoire_nom"].iloc[0] if not row.empty else None
    if name is None and not sig.empty:
        name = sig["territoire_nom"].iloc[0]
    with st.container(border=True, key="indicateur-detail"):
        st.subheader(plain(name or code))
        st.caption(f"{plain(level_label(level))} {plain(code)}")
        if not row.empty:
            r = row.iloc[0]
            st.markdown(
                f"**{plain(r['libelle'])}, {plain(periode)}** : objectif {fr_int(r['objectif'])}, "
                "réalisé "
                f"{fr_int(r['realise'])}, taux {fr_percent(r['taux'])}, attendu à date "
                f"{fr_int(r['attendu_a_date'])} — "
                f"{STATUS_BADGES.get(r['statut'], plain(r['statut']))}"
            )
            st.caption(f"Source : {plain(r['source'])}")
        else:
            st.markdown(f"Aucune valeur de l'indicateur pour {plain(periode)}.")
        if not sig.empty:
            s = sig.iloc[0]
            st.markdown(
                f"**Signalements** : {fr_int(s['nb_signalements'])} reçus, "
                f"{fr_number(s['taux_pour_10000'], 1)} pour 10\u202f000 habitants, "
                f"{fr_int(s['nb_en_cours'])} en cours"
            )
            st.caption(f"Source : {plain(s['source'])}")
        bal = payload["balance"]
        bal = bal[(bal["indicateur"] == indicateur) & (bal["territoire_code"] == code)]
        if not bal.empty:
            b = bal.iloc[0]
            st.markdown(
                f"**Équilibre** : {fr_percent(b['part_realise'])} du réalisé pour "
                f"{fr_percent(b['part_besoin'])} de la population — indice "
                f"{fr_number(b['indice_equilibre'], 2)}"
            )
            st.caption(f"Période {plain(b['periode'])}. Source : {plain(b['source'])}")
        fiche_button(ui.territory(ui.current_departement()), level, code)


def indicator_map(
    level: str,
    measure: str,
    indicateur: str,
    periode: str,
    as_of: dt.date,
    method: str,
    operations_mode: str,
) -> None:
    """Choropleth, points and density layers, and the detail of the clicked territory."""
    from dashboard.maps.choropleth import (
        add_operations,
        add_signal_density,
        build_choropleth_map,
        finish_map,
        level_shapes,
    )

    terr = ui.territory(ui.current_departement())
    shapes = level_shapes(terr.communes, terr.epci, terr.instances, level)
    if shapes.empty:
        st.info(f"Aucun territoire de niveau {plain(level_label(level))} pour ce département.")
        return
    mv = map_values(measure, level, indicateur, periode, as_of)
    key = "carte-selection"
    selected = st.session_state.get(key)
    selected = selected if selected and selected[0] == level else None

    def build() -> folium.Map:
        fmap, _classes = build_choropleth_map(
            shapes, level, mv.values, mv.title, method, fmt=mv.fmt, note=periode,
            outline=terr.epci if level == "commune" else None,
            highlight=selected[1] if selected else None, palette_name=mv.palette,
        )  # fmt: skip
        ops = cached_data(*_key()).table("operations")
        if operations_mode != "aucune" and not ops.empty:
            years = period_years(periode)
            if years is not None:
                annee = pd.to_numeric(ops["annee"], errors="coerce")
                ops = ops[(annee >= years[0]) & (annee <= years[1])]
            add_operations(fmap, ops, terr.communes, operations_mode)
        density = signals("summary", "commune", period_years(periode))
        add_signal_density(fmap, density, terr.communes)
        return finish_map(fmap, tuple(shapes.total_bounds))

    view = ("carte", *_key(), level, measure, indicateur, periode, as_of.isoformat(), method,
            operations_mode, selected)  # fmt: skip
    col_map, col_detail = st.columns([3, 2], gap="medium")
    with col_map:
        state = show_map(
            view, build, key=f"carte-{level}-{measure}-{method}-{operations_mode}", height=600,
            use_container_width=True,
            returned_objects=["last_active_drawing", "last_object_clicked"],
        )  # fmt: skip
        st.caption(f"Source : {plain(mv.source)} ; {SOURCE_GEOGRAPHIE} (contours simplifiés).")
    code = clicked_code(state, level)
    if code is not None and (level, code) != selected:
        st.session_state[key] = (level, code)
        st.rerun()
    with col_detail:
        if selected is None:
            st.info("Cliquez sur un territoire de la carte pour afficher son détail.")
        else:
            map_detail(level, selected[1], indicateur, periode, as_of)


# --------------------------------------------------------------------------- programming & signals


def year_choice(years: list[int], container=st) -> tuple[int, int] | None:
    """All years or one year (``?annee=2023``); returns the (first, last) years kept."""
    options = ["toutes", *[str(y) for y in years]]
    chosen = url_choice(
        "Années", options, "annee", "toutes",
        lambda y: "toutes les années" if y == "toutes" else y, container=container,
    )  # fmt: skip
    return None if chosen == "toutes" else (int(chosen), int(chosen))


def stacked_bars(
    frame: pd.DataFrame, x: str, stack: str, y: str, key: str, colours: dict[str, str],
    labels: dict[str, str] | None = None, y_title: str = "", horizontal: bool = False,
) -> None:  # fmt: skip
    """Plotly bars of ``y`` per ``x``, stacked by ``stack`` (missing categories in grey).

    Stable order: the stacks in the order of ``colours`` (then the others), years
    ascending, territories by name (top to bottom), other categories by total.
    """
    ui.show_figure("barres_empilees", _stacked_bars_figure, frame, x, stack, y, colours,
                   labels or {}, y_title, horizontal, key=key)  # fmt: skip


def _stacked_bars_figure(
    frame: pd.DataFrame, x: str, stack: str, y: str, colours: dict[str, str],
    labels: dict[str, str], y_title: str, horizontal: bool,
) -> go.Figure:  # fmt: skip
    import plotly.graph_objects as go

    fig = go.Figure()
    rank = {value: i for i, value in enumerate(colours)}
    stacks = sorted(frame[stack].dropna().unique(), key=lambda v: (rank.get(v, len(rank)), str(v)))
    totals = frame.groupby(x)[y].sum()
    if x == "annee" or x == "territoire_nom":
        order = sorted(totals.index, key=str)
    else:
        order = list(totals.sort_values(ascending=False).index)
    names = [short_epci_name(str(v)) for v in order]
    for value in stacks:
        part = frame[frame[stack] == value].groupby(x, as_index=False, sort=False)[y].sum()
        xs, ys = part[x].astype(str).map(short_epci_name), part[y]
        fig.add_trace(
            go.Bar(
                x=ys if horizontal else xs, y=xs if horizontal else ys,
                orientation="h" if horizontal else "v", name=labels.get(value, str(value)),
                marker_color=colours.get(value, "#8d9cc4"),
                customdata=[fr_int(v) for v in ys],
                hovertemplate="%{" + ("y" if horizontal else "x") + "} : %{customdata}<extra>"
                + labels.get(value, str(value)) + "</extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        barmode="stack", separators=", ", legend={**LEGEND_TOP, "traceorder": "normal"},
        height=max(360, 22 * frame[x].nunique()) if horizontal else 380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        **({"xaxis_title": y_title} if horizontal else {"yaxis_title": y_title}),
    )  # fmt: skip
    if horizontal:
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1],
                         automargin=True)  # fmt: skip
    else:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=names)
    return fig


def status_colours() -> tuple[dict[str, str], dict[str, str]]:
    """Colours and French labels of the operation statuses."""
    from dashboard.maps.choropleth import STATUT_COLOURS

    return (
        {k: c for k, (_, c) in STATUT_COLOURS.items()},
        {k: lab for k, (lab, _) in STATUT_COLOURS.items()},
    )


def signal_rate_map(level: str, annees: tuple[int, int] | None, method: str) -> None:
    """Rate per 10 000 inhabitants by territory, with the signal density per commune."""
    from dashboard.maps.choropleth import (
        add_signal_density,
        build_choropleth_map,
        finish_map,
        level_shapes,
    )

    terr = ui.territory(ui.current_departement())
    shapes = level_shapes(terr.communes, terr.epci, terr.instances, level)
    summary = signals("summary", level, annees)
    span = f"{annees[0]}" if annees and annees[0] == annees[1] else "toutes années"

    def build() -> folium.Map:
        fmap, _ = build_choropleth_map(
            shapes, level, summary.set_index("territoire_code")["taux_pour_10000"],
            "Signalements pour 10\u202f000 habitants", method, fmt=lambda v: fr_number(v, 1),
            note=span, outline=terr.epci if level == "commune" else None, palette_name="Blues",
        )  # fmt: skip
        add_signal_density(fmap, signals("summary", "commune", annees), terr.communes, show=True)
        return finish_map(fmap, tuple(shapes.total_bounds))

    show_map(
        ("signalements", *_signal_key(), level, annees, method), build,
        key=f"signal-map-{level}-{span}-{method}", height=520, use_container_width=True,
        returned_objects=[],
    )  # fmt: skip
    if not summary.empty:
        st.caption(f"Source : {plain(summary['source'].iloc[0])}.")


#: Colours of the outcomes of a signalement (labels of :data:`ISSUES`) and of the procedures.
ISSUE_COLOURS = {"résolu": "#2e8540", "clos sans résolution": "#f08a24", "en cours": "#8d9cc4"}
PROCEDURE_COLOURS = {"Insalubrité": "#6a1b9a", "Péril": "#e1000f", "RSD": "#4f9dd9",
                     "Non-décence": "#000091", "Autre": "#b8a13a",
                     "non renseigné": "#c9ccd6"}  # fmt: skip


def trend_chart(trend: pd.DataFrame) -> None:
    """Signals received per year, closed per year (resolved or not, stacked), and the
    median time to closure."""
    ui.show_figure("tendance_signalements", _trend_figure, trend, key="sig-tendance")


def _trend_figure(trend: pd.DataFrame) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    trend = trend.assign(annee=trend["annee"].astype(int).astype(str))
    fig.add_trace(go.Bar(x=trend["annee"], y=trend["nb_signalements"], name="Reçus",
                         marker_color="#000091", offsetgroup="recus"))  # fmt: skip
    fig.add_trace(go.Bar(x=trend["annee"], y=trend["nb_resolus"], name="Résolus",
                         marker_color=ISSUE_COLOURS["résolu"], offsetgroup="clos"))  # fmt: skip
    fig.add_trace(go.Bar(x=trend["annee"], y=trend["nb_clos_sans_resolution"],
                         name="Clos sans résolution", base=trend["nb_resolus"],
                         marker_color=ISSUE_COLOURS["clos sans résolution"],
                         offsetgroup="clos"))  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=trend["annee"], y=trend["delai_median_cloture_jours"], yaxis="y2",
            name="Délai médian de clôture (jours)", mode="lines+markers",
            line={"color": "#e1000f"},
        )
    )  # fmt: skip
    fig.update_layout(
        barmode="group", height=380, separators=", ", legend=LEGEND_TOP,
        yaxis={"title": "signalements"},
        yaxis2={"title": "jours", "overlaying": "y", "side": "right", "showgrid": False},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )  # fmt: skip
    year_axis(fig, list(trend["annee"]))
    integer_ticks(fig, trend["delai_median_cloture_jours"].max(skipna=True) or 1, "yaxis2")
    return fig


def realised_statuses_note() -> str:
    """Which operation statuses count as realised PLA-I, in French."""
    from dashboard.indicators.facts import STATUTS_REALISES
    from dashboard.maps.choropleth import STATUT_COLOURS

    done = " et ".join(f"{STATUT_COLOURS[s][0]}s" for s in STATUTS_REALISES)
    return (
        f"PLA-I réalisés : opérations {done} ; les opérations seulement programmées sont "
        "comptées à part, les abandonnées nulle part."
    )


def level_label(level: str) -> str:
    """« instance », « EPCI », « commune »."""
    return LEVEL_LABELS.get(level, level)


__all__ = [
    "ISSUE_COLOURS", "LEVEL_CHOICES", "PROCEDURE_COLOURS", "STATUS_BADGES", "PageData",
    "cached_data", "data_notice", "downloads", "french_table", "indicators", "level_label",
    "level_selector", "page_data", "plain", "programming", "reference_date", "signal_years",
    "signals", "url_choice",
]  # fmt: skip
