"""One label dictionary, years written as years, integer ticks, previews read in French."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.app.data import preview, rows_read
from dashboard.app.plotly_style import french_figure, integer_ticks, year_axis
from dashboard.exports.pdf import STATUT_OPERATION, STATUT_PLAN
from dashboard.indicators.signals import BREAKDOWNS
from dashboard.maps.choropleth import STATUT_COLOURS
from dashboard.programme.actions import ACTION_STATUT_LABELS
from dashboard.store.schemas import (
    ACTION_STATUTS,
    LABELS,
    OPERATION_STATUTS,
    PLAN_STATUTS,
    PROCEDURES,
    VALUE_ALIASES,
    label,
    order_of,
)


def test_every_stored_code_has_a_french_label():
    for field, codes in (("statut_operation", OPERATION_STATUTS), ("statut_plan", PLAN_STATUTS),
                         ("procedure", PROCEDURES), ("statut_action", ACTION_STATUTS)):  # fmt: skip
        assert set(LABELS[field]) == set(codes), field
        assert not any("_" in lab for lab in LABELS[field].values()), field
    assert set(LABELS) <= set(VALUE_ALIASES) | {"statut_signalement", "motif_cloture"}
    assert label("statut_plan", "en_revision") == "en révision"
    assert label("statut_operation", "agreee") == "agréée"
    assert label("procedure", "non_decence") == "Non-décence"
    assert label("statut_plan", None) == "non renseigné"
    assert label("statut_plan", "inconnu") == "inconnu"


def test_the_label_dictionary_is_the_only_one():
    """The exports, the maps, the signals and the programme read the same labels."""
    assert STATUT_OPERATION is LABELS["statut_operation"]
    assert STATUT_PLAN is LABELS["statut_plan"]
    assert BREAKDOWNS["procedure"] is LABELS["procedure"]
    assert ACTION_STATUT_LABELS is LABELS["statut_action"]
    assert {k: lab for k, (lab, _) in STATUT_COLOURS.items()} == LABELS["statut_operation"]
    assert len({c for _, c in STATUT_COLOURS.values()}) == len(STATUT_COLOURS)


def test_order_of_is_stable():
    assert order_of("statut_operation", ["abandonnee", "x", "agreee", "livree", "agreee"]) == [
        "livree", "agreee", "abandonnee", "x",
    ]  # fmt: skip


def test_years_are_categories_in_order_and_counts_have_whole_ticks():
    fig = go.Figure(go.Bar(x=["2021", "2019", "2020"], y=[1500, 2, 3]))
    year_axis(fig, [2021, 2019, 2020])
    french_figure(fig)
    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == ["2019", "2020", "2021"]
    assert not fig.layout.xaxis.separatethousands  # « 2021 », not « 2 021 »
    assert fig.layout.yaxis.separatethousands  # « 1 500 »
    for top, step in ((3, 1), (248.4, 50), (310, 100), (7, 2), (1234, 500)):
        integer_ticks(fig, top, "yaxis2")
        assert fig.layout.yaxis2.dtick == step
        assert fig.layout.yaxis2.range[1] >= top


def test_preview_shows_no_none_and_french_numbers():
    frame = pd.DataFrame({
        "latitude": [45.18, None], "annee": pd.array([2021, None], dtype="Int64"),
        "nb_plai": pd.array([1234, 5], dtype="Int64"), "bailleur": ["Actis", None],
        "date_signalement": [dt.date(2025, 3, 15), None], "valeur": [45.0, 450.0],
    })  # fmt: skip
    shown = preview(frame)
    assert shown.loc[0].tolist() == ["45,18", "2021", "1\u202f234", "Actis", "15/03/2025", "45"]
    assert shown.loc[1].tolist() == ["", "", "5", "", "", "450"]
    assert rows_read(1) == "1 ligne lue"
    assert rows_read(1258) == "1\u202f258 lignes lues"


def test_a_file_read_as_the_wrong_kind_names_the_kind_it_looks_like(isere):
    """The demo's Sisal extract uploaded with the default kind « instances »: beside the
    missing columns, the page says it looks like operations."""
    from dashboard.app.data import likely_kind_hint
    from dashboard.intake.imports import check_file
    from dashboard.intake.parsers import likely_kinds
    from tests.paths import PAGES

    data = (PAGES.parent / "data" / "demo" / "operations_sisal.csv").read_bytes()
    report = check_file("instances", data, "operations_sisal.csv", isere)
    assert not report.valid
    assert any("absente" in m.message for m in report.errors)
    hint = likely_kind_hint(report)
    assert "(operations)" in hint
    assert "Opérations" in hint or "opérations" in hint
    assert likely_kind_hint(check_file("operations", data, "operations_sisal.csv", isere)) == ""
    assert likely_kinds(["colonne inconnue"]) == []
