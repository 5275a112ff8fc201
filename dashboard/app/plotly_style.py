"""French number formatting and shared layout for every plotly figure of the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Legend above the plot, left-aligned: plotly pushes the top margin to make room for it,
#: so it never covers a bar (a fixed ``y`` above 1 overlaps once it wraps to two rows).
LEGEND_TOP = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"}


def french_figure(fig: go.Figure) -> go.Figure:
    """Decimal comma and a space between thousands, including for 4-digit values.

    Plotly leaves 4-digit ticks unseparated by default (« 1500 »); the app writes
    « 1 500 » everywhere else, so the value axes do too. Year axes are category axes of
    strings (:func:`year_axis`): a year never reads « 2 021 ».
    """
    fig.update_layout(separators=", ")
    fig.for_each_xaxis(lambda ax: ax.update(separatethousands=ax.type != "category"))
    fig.for_each_yaxis(lambda ax: ax.update(separatethousands=ax.type != "category"))
    return fig


def year_axis(fig: go.Figure, years: list[object], axis: str = "x") -> go.Figure:
    """Make ``axis`` a category axis of ``years`` in ascending order, written as years.

    Traces must give their years as strings (``str(annee)``).
    """
    labels = [str(int(y)) for y in sorted({int(y) for y in years})]
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(type="category", categoryorder="array", categoryarray=labels, tickformat="d")
    return fig


def integer_ticks(fig: go.Figure, maximum: float, axis: str = "yaxis2") -> go.Figure:
    """Whole, round ticks on ``axis`` (counts, days) up to ``maximum``: never « 62,1 / 124,2 ».

    The step is 1, 2 or 5 times a power of ten, giving at most six ticks.
    """
    import math

    top = max(float(maximum), 1.0)
    step = 1.0
    while top / step > 5:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 5:
                break
    step = max(1, math.ceil(step))
    fig.update_layout({axis: {"tickmode": "linear", "tick0": 0, "dtick": step,
                              "tickformat": ",d", "range": [0, math.ceil(top / step) * step]}})
    return fig
