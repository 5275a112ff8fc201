"""Static maps drawn by the app itself (matplotlib, no tiles, no network), for exports.

Used by the PDF fiche and the PPTX deck: an image of the département with its instances
and EPCI, a territory highlighted, or a choropleth with a legend.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display on servers
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from dashboard.maps.folium_map import INSTANCE_PALETTE

# Names come from user files: « $…$ » is text, never mathtext (a malformed one would raise).
matplotlib.rcParams["text.parse_math"] = False

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#e1000f"


def _figure(width_in: float, height_in: float):
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    ax.set_axis_off()
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.02)
    return fig, ax


def _to_png(fig, tight: bool = False) -> bytes:
    """The figure as PNG; ``tight``: cropped to what is drawn, a legend outside included."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white",
                **({"bbox_inches": "tight", "pad_inches": 0.08} if tight else {}))  # fmt: skip
    plt.close(fig)
    return buf.getvalue()


def overview_png(
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    instances: gpd.GeoDataFrame | None = None,
    highlight: gpd.GeoDataFrame | None = None,
    title: str = "",
    source: str = "",
    size: tuple[float, float] = (7.0, 7.0),
    legend_fontsize: float = 7.0,
) -> bytes:
    """PNG of the département: instances coloured, EPCI outlined, an optional highlight.

    The instances' legend sits to the right of the map, outside the département (the
    picture widens to hold it): it never covers a territory.

    Parameters
    ----------
    communes, epci, instances : GeoDataFrame
        Display layers (EPSG:4326); drawn in Lambert-93 for true shapes.
    highlight : GeoDataFrame, optional
        Territory outlined in red.
    title, source : str
        Printed above and below the map.
    legend_fontsize : float
        Type size of the legend, in points (its title a point larger).
    """
    crs = "EPSG:2154"
    fig, ax = _figure(*size)
    communes.to_crs(crs).plot(ax=ax, facecolor="#eef0f4", edgecolor="#b5bccb", linewidth=0.2)
    handles = []
    if instances is not None and not instances.empty:
        codes = sorted(instances["instance_code"])
        colours = {c: INSTANCE_PALETTE[i % len(INSTANCE_PALETTE)] for i, c in enumerate(codes)}
        inst = instances.to_crs(crs)
        inst.plot(
            ax=ax,
            color=[colours[c] for c in inst["instance_code"]],
            edgecolor="#3a3a3a",
            linewidth=0.6,
            alpha=0.75,
        )
        handles = [
            Patch(facecolor=colours[row.instance_code], edgecolor="#3a3a3a", label=row.instance_nom)
            for row in inst.sort_values("instance_nom").itertuples()
        ]
    epci.to_crs(crs).boundary.plot(ax=ax, color=BLEU_FRANCE, linewidth=0.9)
    if highlight is not None and not highlight.empty:
        highlight.to_crs(crs).boundary.plot(ax=ax, color=ROUGE_MARIANNE, linewidth=2.2)
    if handles:
        ax.legend(
            handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5),
            fontsize=legend_fontsize, frameon=False, title="Instances locales",
            title_fontsize=legend_fontsize + 1, alignment="left",
        )  # fmt: skip
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    if source:
        fig.text(0.01, 0.005, f"Source : {source}", fontsize=6, color="#555555")
    return _to_png(fig, tight=bool(handles))


def choropleth_png(
    gdf: gpd.GeoDataFrame,
    column: str,
    bins: Sequence[float],
    colours: Sequence[str],
    labels: Sequence[str],
    title: str = "",
    source: str = "",
    outline: gpd.GeoDataFrame | None = None,
    size: tuple[float, float] = (7.0, 7.0),
) -> bytes:
    """PNG choropleth with explicit classes (upper bounds ``bins``) and a legend.

    Territories with no value are drawn hatched grey and listed as « sans donnée ».
    """
    crs = "EPSG:2154"
    fig, ax = _figure(*size)
    data = gdf.to_crs(crs)
    values = data[column]
    missing = values.isna()

    def colour(v: float) -> str:
        for bound, col in zip(bins, colours, strict=False):
            if v <= bound:
                return col
        return colours[-1]

    if (~missing).any():
        data[~missing].plot(
            ax=ax, color=[colour(v) for v in values[~missing]], edgecolor="white", linewidth=0.4
        )
    if missing.any():
        data[missing].plot(ax=ax, facecolor="#f0f0f0", edgecolor="#bbbbbb", hatch="///")
    if outline is not None:
        outline.to_crs(crs).boundary.plot(ax=ax, color=BLEU_FRANCE, linewidth=0.8)
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colours, labels, strict=False)]
    if missing.any():
        handles.append(Patch(facecolor="#f0f0f0", hatch="///", label="sans donnée"))
    # Beside the map, never over the département.
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7,
              frameon=False)  # fmt: skip
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    if source:
        fig.text(0.01, 0.005, f"Source : {source}", fontsize=6, color="#555555")
    return _to_png(fig, tight=True)
