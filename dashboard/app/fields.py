"""Streamlit helpers of the page « Autres champs du plan »: eviction prevention, DALO,
priority allocations, SIAO and FSL by territory (map, trend, table).

Numbers come from :func:`dashboard.indicators.fields.field_table`, the same function as
the ``autres_champs`` of ``territoires indicators --json`` and the exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd
import streamlit as st

from dashboard.app import common as ui
from dashboard.app import indicators as ind
from dashboard.app.indicators import _key, cached_data, url_choice
from dashboard.app.maps import show_map
from dashboard.app.plotly_style import french_figure
from dashboard.app.text import plain
from dashboard.formatting import fr_euros, fr_int, fr_number, fr_percent
from dashboard.indicators.fields import (
    FIELDS,
    HEADLINES,
    POUR_HABITANTS,
    field_table,
    per_inhabitants_column,
)
from dashboard.maps.choropleth import DEFAULT_METHOD, METHODS

#: Field shown when the URL names none.
DEFAULT_FIELD = "expulsions"


@dataclass(frozen=True)
class FieldPage:
    """A page of the plan's other fields: its title, what it covers, its fields."""

    title: str
    caption: str
    kinds: tuple[str, ...]


#: The pages of the fields (``pages/acces_logement.py``, ``pages/prevention_expulsions.py``,
#: ``pages/autres_champs.py``). The FSL belongs to both families: access aid, and the
#: maintenance aid that prevents evictions.
FIELD_PAGES = {
    "acces": FieldPage(
        "Accès au logement des publics prioritaires",
        "Recours et relogements DALO, attributions de l'accord collectif et du contingent "
        "préfectoral, demandes et orientations du SIAO, aides du Fonds de solidarité pour le "
        "logement.",
        ("dalo", "attributions_prioritaires", "siao", "fsl"),
    ),
    "expulsions": FieldPage(
        "Prévention des expulsions",
        "Étapes de la procédure d'expulsion locative, du commandement de payer à l'expulsion "
        "effective, saisines et issues de la CCAPEX, aides au maintien du FSL.",
        ("expulsions", "fsl"),
    ),
    "tous": FieldPage(
        "Autres champs du plan",
        "Accès au logement des publics prioritaires (DALO, accords collectifs, SIAO), "
        "prévention des expulsions (CCAPEX) et Fonds de solidarité pour le logement.",
        tuple(FIELDS),
    ),
}


@st.cache_data(max_entries=24, show_spinner=False)
def _table(dep: str, sig: str, kind: str, level: str) -> pd.DataFrame:
    def compute() -> dict:
        data = cached_data(dep, sig)
        frame = field_table(data.reference, data.inputs.memberships, data.inputs.tables, kind,
                            ("departement", level), data.inputs.source_suffix)  # fmt: skip
        return {"frame": frame, "attrs": dict(frame.attrs)}

    out = ui.shared(dep, f"champs|{kind}|{level}", compute, sig)
    frame = out["frame"].copy()
    frame.attrs.update(out["attrs"])
    return frame


def table(kind: str, level: str) -> pd.DataFrame:
    """The field table of ``kind`` for the département and ``level``."""
    return _table(*_key(), kind, level)


def field_choice(present: list[str]) -> str:
    """The field (``?champ=expulsions``), among those with data."""
    return url_choice("Champ du plan", present, "champ", DEFAULT_FIELD,
                      lambda k: FIELDS[k].label)  # fmt: skip


def year_choice(frame: pd.DataFrame) -> int:
    """The year shown (``?annee=2024``), the latest by default."""
    years = sorted({int(y) for y in frame["annee"]}, reverse=True)
    return int(url_choice("Année", [str(y) for y in years], "annee"))


def of_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows of one year of a field table (its attrs kept)."""
    out = frame[frame["annee"] == year]
    out.attrs.update(frame.attrs)
    return out


def columns_of(kind: str) -> dict[str, tuple[str, str]]:
    """Displayed columns of a field: name → (French label, format)."""
    field = FIELDS[kind]
    out: dict[str, tuple[str, str]] = {}
    for m in field.measures:
        fmt = "eur" if m.unit == "euros" else "num" if not m.additive else "int"
        out[m.code] = (m.label, fmt)
        if m.per_inhabitants:
            out[per_inhabitants_column(m.code)] = (
                f"{m.label} pour {fr_int(POUR_HABITANTS)} hab.", "num2")
    for r in field.rates:
        out[r.code] = (r.label, "pct")
    return out


def indicator_choice(kind: str, frame: pd.DataFrame) -> str:
    """The column mapped (``?mesure=``), among those with at least one value."""
    columns = {c: label for c, (label, _f) in columns_of(kind).items()
               if c in frame and frame[c].notna().any()}  # fmt: skip
    # A rate compares territories of different sizes: a chain rate, else a rate per 1 000.
    preferred = [r.code for r in FIELDS[kind].rates] + [
        per_inhabitants_column(m.code) for m in FIELDS[kind].measures if m.per_inhabitants]
    default = next((c for c in preferred if c in columns), next(iter(columns)))
    return url_choice("Indicateur cartographié", list(columns), "mesure", default, columns.get)


def formatter(fmt: str):
    """French formatter of a display format."""
    return {"int": fr_int, "num": fr_number, "num2": lambda v: fr_number(v, 2),
            "pct": fr_percent, "eur": fr_euros, "txt": str}[fmt]


def french_table(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Territory, year, coverage and every column of the field, formatted the French way."""
    columns = {"territoire_nom": ("Territoire", "txt"), "annee": ("Année", "txt"),
               "couverture": ("Population couverte", "pct"), **columns_of(kind)}
    out = pd.DataFrame(index=frame.index)
    for col, (label, fmt) in columns.items():
        if col in frame:
            show = formatter(fmt)
            out[label] = ["–" if v is None or (isinstance(v, float) and pd.isna(v))
                          else show(v) for v in frame[col]]  # fmt: skip
    return out.reset_index(drop=True)


def headline(frame: pd.DataFrame, kind: str, year: int) -> None:
    """The département's key figures of the year (:data:`HEADLINES`)."""
    dep = frame[(frame["territoire_type"] == "departement") & (frame["annee"] == year)]
    if dep.empty:
        return
    row = dep.iloc[0]
    formats = columns_of(kind)
    shown = [(short, formatter(formats[code][1])(row[code]), formats[code][0])
             for code, short in HEADLINES[kind] if pd.notna(row.get(code))]  # fmt: skip
    cols = st.columns(len(shown) or 1)
    for col, (label, value, full) in zip(cols, shown, strict=False):
        col.metric(label, value, help=full)


def field_map(kind: str, level: str, frame: pd.DataFrame, column: str, year: int,
              method: str) -> None:
    """Territories of ``level`` coloured by ``column`` in ``year``."""
    from dashboard.maps.choropleth import build_choropleth_map, finish_map, level_shapes

    terr = ui.territory(ui.current_departement())
    shapes = level_shapes(terr.communes, terr.epci, terr.instances, level)
    rows = frame[(frame["territoire_type"] == level) & (frame["annee"] == year)]
    label, fmt = columns_of(kind)[column]
    values = rows.set_index("territoire_code")[column]

    def build() -> folium.Map:
        fmap, _ = build_choropleth_map(
            shapes, level, values, label, method, fmt=formatter(fmt),
            note=f"{year} — {frame.attrs.get('source', '')}", palette_name="YlOrRd",
        )  # fmt: skip
        return finish_map(fmap, tuple(shapes.total_bounds))

    show_map(("champs", *_key(), kind, level, column, year, method), build,
             key=f"champ-map-{kind}-{level}-{column}-{year}-{method}", height=520,
             use_container_width=True, returned_objects=[])  # fmt: skip


def trend_chart(kind: str, frame: pd.DataFrame) -> None:
    """The département's counts per year (bars) and its chain rates (lines)."""
    import plotly.graph_objects as go

    dep = frame[frame["territoire_type"] == "departement"].sort_values("annee")
    field = FIELDS[kind]
    fig = go.Figure()
    counts = [m for m in field.measures if m.additive and m.unit != "euros"][:7]
    for m in counts:
        if dep[m.code].notna().any():
            fig.add_trace(go.Bar(x=dep["annee"], y=dep[m.code], name=m.label))
    for r in field.rates:
        if dep[r.code].notna().any():
            fig.add_trace(go.Scatter(x=dep["annee"], y=dep[r.code] * 100, yaxis="y2",
                                     name=f"{r.label} (%)", mode="lines+markers"))
    fig.update_layout(
        barmode="group", height=420, legend={"orientation": "h", "y": -0.2},
        yaxis={"title": counts[0].unit if counts else "", "exponentformat": "none"},
        xaxis={"dtick": 1, "tickformat": "d"},
        yaxis2={"title": "%", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )  # fmt: skip
    st.plotly_chart(french_figure(fig), width="stretch", key=f"champ-tendance-{kind}")


def source_note(frame: pd.DataFrame, kind: str) -> None:
    """Source, population millésime and definitions of the field."""
    st.caption(f"Source : {plain(frame.attrs.get('source', ''))}. Population : "
               f"{plain(frame.attrs.get('source_population', ''))}.")
    with st.expander("Définitions"):
        for code, text in frame.attrs.get("definitions", {}).items():
            label = columns_of(kind).get(code, (code, ""))[0]
            st.markdown(f"- **{plain(label)}** : {plain(text)}")


def field_page(family: str) -> None:
    """The page of a family of fields (:data:`FIELD_PAGES`): choice of field, level and
    classes, key figures of the département, map, trend and table."""
    page = FIELD_PAGES[family]
    data = ind.page_data()
    st.title(page.title)
    st.caption(page.caption)
    present = [k for k in page.kinds if data.has(k)]
    if not present:
        st.info(f"Aucune donnée de ces champs : importez les types {', '.join(page.kinds)} "
                "(page « Données », où des modèles sont proposés).")  # fmt: skip
        st.stop()

    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        kind = field_choice(present)
    with c2:
        level = url_choice("Niveau", ["epci", "instance"], "niveau", "epci",
                           ind.LEVEL_CHOICES.get, "radio")  # fmt: skip
    with c3:
        method = url_choice("Classes", list(METHODS), "methode", DEFAULT_METHOD, METHODS.get)
    frame = table(kind, level)
    c4, c5 = st.columns([1, 2])
    with c4:
        year = year_choice(frame)
    with c5:
        column = indicator_choice(kind, frame)

    st.subheader(f"{FIELDS[kind].label} — département, {year}")
    headline(frame, kind, year)
    st.caption(plain(FIELDS[kind].definition))

    st.subheader(f"Carte par {ind.level_label(level)}")
    field_map(kind, level, frame, column, year, method)
    st.caption("Une donnée d'EPCI ne compte que pour les instances qui contiennent tout "
               "l'EPCI ; les taux pour 1\u202f000 habitants portent sur la population des "
               "communes couvertes par les données.")  # fmt: skip

    st.subheader("Tendance (département)")
    trend_chart(kind, frame)

    st.subheader("Tableau")
    shown = of_year(frame, year)
    st.dataframe(french_table(shown, kind), hide_index=True, width="stretch")
    ind.downloads(shown, f"{kind}_{level}_{year}", FIELDS[kind].label[:31])
    source_note(frame, kind)
