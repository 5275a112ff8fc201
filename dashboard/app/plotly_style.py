"""French number formatting for every plotly figure of the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go


def french_figure(fig: go.Figure) -> go.Figure:
    """Decimal comma and a space between thousands, including for 4-digit values.

    Plotly leaves 4-digit ticks unseparated by default (« 1500 »); the app writes
    « 1 500 » everywhere else, so the axes do too.
    """
    fig.update_layout(separators=", ")
    fig.update_xaxes(separatethousands=True)
    fig.update_yaxes(separatethousands=True)
    return fig
