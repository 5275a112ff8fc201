"""Choropleth maps of the indicators, served entirely by the app (no Streamlit, no CDN).

Classes come from :mod:`mapclassify` with a method stated in the legend (quantiles by
default, Jenks natural breaks, equal intervals). The legend is the plain-Leaflet
:class:`dashboard.maps.folium_map.Legend` control: branca colormaps are never used, since they
pull d3 from a CDN. Every text reaching the map is HTML-escaped here.
"""

from __future__ import annotations

import html
import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd

from dashboard.formatting import fr_int, fr_number
from dashboard.maps.folium_map import (
    Legend,
    PointLayer,
    _escaped,
    add_outline,
    emptiest_corner,
    legend_of,
    new_map,
    short_epci_name,
)
from dashboard.store.schemas import LABELS

#: Classification methods: code → label stated on screen and in the legend.
METHODS: dict[str, str] = {
    "quantiles": "quantiles (effectifs égaux)",
    "jenks": "seuils naturels de Jenks",
    "egal": "intervalles égaux",
}
DEFAULT_METHOD = "quantiles"
DEFAULT_K = 5
NO_DATA_COLOUR = "#d9d9d9"
NO_DATA_LABEL = "sans donnée"

#: Sequential palettes (ColorBrewer YlOrRd, Blues), 2 to 7 classes.
_PALETTES: dict[str, list[str]] = {
    "YlOrRd": ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    "Blues": ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
}

#: Operation statuses: label and colour of the points.
STATUT_COLOURS: dict[str, tuple[str, str]] = {
    code: (LABELS["statut_operation"][code], colour)
    for code, colour in (("livree", "#33a02c"), ("agreee", "#1f78b4"),
                         ("programmee", "#9e9e9e"), ("abandonnee", "#e31a1c"))
}
_LEVEL_NAMES = {"commune": "Commune", "epci": "EPCI", "instance": "Instance"}


def palette(k: int, name: str = "YlOrRd") -> list[str]:
    """``k`` colours (1 to 7) spread over a sequential ColorBrewer palette."""
    colours = _PALETTES[name]
    if k <= 1:
        return [colours[len(colours) // 2]]
    idx = np.linspace(0, len(colours) - 1, min(k, len(colours))).round().astype(int)
    return [colours[i] for i in idx]


@dataclass(frozen=True)
class Classes:
    """Classes of a set of values.

    Attributes
    ----------
    method : str
        A key of :data:`METHODS`.
    bins : list of float
        Upper bound of each class (the last one is the maximum).
    lower : float
        Minimum of the values.
    colours : list of str
        One colour per class.
    labels : list of str
        « 12,5 – 20,0 » per class, formatted with the caller's formatter.
    """

    method: str
    bins: list[float]
    lower: float
    colours: list[str]
    labels: list[str]

    @property
    def method_label(self) -> str:
        """French label of the method."""
        return METHODS[self.method]

    def colour_of(self, value: float | None) -> str:
        """Colour of a value; grey when missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or not self.bins:
            return NO_DATA_COLOUR
        for bound, colour in zip(self.bins, self.colours, strict=True):
            if value <= bound + 1e-9:
                return colour
        return self.colours[-1]

    def legend_entries(self, with_missing: bool = False) -> list[tuple[str, str]]:
        """(label, colour) rows of the legend, plus « sans donnée » when asked."""
        rows = list(zip(self.labels, self.colours, strict=True))
        return [*rows, (NO_DATA_LABEL, NO_DATA_COLOUR)] if with_missing else rows


def classify(
    values: pd.Series | np.ndarray | list[float],
    method: str = DEFAULT_METHOD,
    k: int = DEFAULT_K,
    fmt: Callable[[float], str] = fr_number,
    palette_name: str = "YlOrRd",
) -> Classes:
    """Classes of ``values`` (NaN ignored) by ``method`` with at most ``k`` classes.

    Fewer classes are made when there are fewer distinct values (with ``k`` distinct
    values or fewer, one class per value); an empty input gives no class at all. Each
    label spans the values its class really holds: a class of one value reads « 0 », never
    « 0 – 0 », and the next one starts at its smallest value (« 1 – 11 », not « 0 – 11 »).

    Raises
    ------
    ValueError
        For an unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"Méthode de classification inconnue : {method}")
    y = pd.to_numeric(pd.Series(values, dtype=float), errors="coerce").dropna().to_numpy()
    if y.size == 0:
        return Classes(method, [], float("nan"), [], [])
    distinct = np.unique(y)
    k = max(1, min(k, distinct.size))
    if distinct.size <= k:  # few values (counts at commune level): one class each
        bins = [float(v) for v in distinct]
    else:
        bins = _bins(y, method, k)
        if method == "quantiles" and len(bins) < k:
            # Tied values (many communes at 0) merge quantiles into fewer classes: natural
            # breaks keep k classes, and the legend says so.
            method, bins = "jenks", _bins(y, "jenks", k)
    lower = float(y.min())
    labels = []
    for prev, hi in itertools.pairwise([-math.inf, *bins]):
        held = y[(y > prev + 1e-9) & (y <= hi + 1e-9)]
        lo = float(held.min()) if held.size else hi
        labels.append(fmt(hi) if fmt(lo) == fmt(hi) else f"{fmt(lo)} – {fmt(hi)}")
    return Classes(method, bins, lower, palette(len(bins), palette_name), labels)


def _bins(y: np.ndarray, method: str, k: int) -> list[float]:
    """Upper bounds of ``k`` classes of ``y`` by ``method`` (equal bounds merged)."""
    with warnings.catch_warnings():  # mapclassify warns when it merges equal bins
        warnings.simplefilter("ignore")
        classifier = {
            "quantiles": mapclassify.Quantiles,
            "jenks": mapclassify.FisherJenks,
            "egal": mapclassify.EqualInterval,
        }[method](y, k=k)
    return sorted({float(b) for b in classifier.bins})


def _operation_points(operations: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Operations with coordinates: their own, else the commune's representative point."""
    pts = communes.set_index("code_insee").geometry.representative_point()
    ops = operations.copy()
    ops["code_insee"] = ops["code_insee"].astype(str)
    missing = pd.Series(float("nan"), index=ops.index)
    lat = pd.to_numeric(ops.get("latitude", missing), errors="coerce")
    lng = pd.to_numeric(ops.get("longitude", missing), errors="coerce")
    ops["lat"] = lat.fillna(ops["code_insee"].map(pts.y))
    ops["lng"] = lng.fillna(ops["code_insee"].map(pts.x))
    return ops.dropna(subset=["lat", "lng"])


def add_operations(
    fmap: folium.Map,
    operations: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    mode: str = "points",
) -> None:
    """PLA-I operations as one circle each (``points``) or summed per commune (``communes``).

    One :class:`~dashboard.maps.folium_map.PointLayer` drawn on a canvas (not one element
    per point), circle area proportional to the PLA-I dwellings; points coloured by status.
    """
    ops = _operation_points(operations, communes)
    nb = pd.to_numeric(ops["nb_plai"], errors="coerce").fillna(0)
    ops = ops.assign(nb_plai=nb)
    if mode == "communes":
        kept = ops[ops.get("statut", pd.Series("", index=ops.index)) != "abandonnee"]
        names = communes.set_index("code_insee")["nom"]
        per = kept.groupby("code_insee").agg(
            nb_plai=("nb_plai", "sum"), nb_ops=("nb_plai", "size"), lat=("lat", "mean"),
            lng=("lng", "mean"),
        )  # fmt: skip
        points = pd.DataFrame({
            "lat": per["lat"], "lng": per["lng"],
            "radius": 3 + 1.6 * np.sqrt(per["nb_plai"]),
            "colour": "#000091",
            "tooltip": [
                f"{html.escape(str(names.get(code, code)))} : {fr_int(n)} PLA-I, "
                f"{fr_int(k)} opération(s)"
                for code, n, k in zip(per.index, per["nb_plai"], per["nb_ops"], strict=True)
            ],
        })  # fmt: skip
        PointLayer(points, "PLA-I par commune (opérations non abandonnées)", opacity=0.45
                   ).add_to(fmap)  # fmt: skip
        _legend_points(fmap, "PLA-I par commune (aire ∝ logements)",
                       [("opérations non abandonnées", "#000091")])  # fmt: skip
        return
    statut = ops["statut"].fillna("agreee").astype(str) if "statut" in ops else pd.Series(
        "agreee", index=ops.index)  # fmt: skip
    labels = statut.map(lambda s: STATUT_COLOURS.get(s, (s, ""))[0])
    colours = statut.map(lambda s: STATUT_COLOURS.get(s, ("", "#6a3d9a"))[1])
    libelle = ops["libelle"].fillna("") if "libelle" in ops else pd.Series("", index=ops.index)
    bailleur = (ops["bailleur"].fillna("non renseigné") if "bailleur" in ops
                else pd.Series("non renseigné", index=ops.index))  # fmt: skip
    points = pd.DataFrame({
        "lat": ops["lat"], "lng": ops["lng"], "radius": 3 + 1.2 * np.sqrt(ops["nb_plai"]),
        "colour": colours,
        "tooltip": [
            f"{html.escape(str(li))}<br>{fr_int(n)} PLA-I, {html.escape(la)}, "
            f"{html.escape(str(an))}<br>{html.escape(str(ba))}"
            for li, n, la, an, ba in zip(libelle, ops["nb_plai"], labels, ops["annee"], bailleur,
                                         strict=True)
        ],
    })  # fmt: skip
    PointLayer(points, "Opérations PLA-I (points)", opacity=0.7).add_to(fmap)
    present = set(statut)
    _legend_points(fmap, "Opérations PLA-I (aire ∝ logements)",
                   [(lab, colour) for code, (lab, colour) in STATUT_COLOURS.items()
                    if code in present])  # fmt: skip


def _legend_points(fmap: folium.Map, title: str, entries: list[tuple[str, str]]) -> None:
    legend = legend_of(fmap)
    if legend is not None:
        legend.add_points(title, entries)


def add_signal_density(
    fmap: folium.Map, density: pd.DataFrame, communes: gpd.GeoDataFrame, show: bool = False
) -> None:
    """Signals per commune: circle area ∝ count, tooltip with count and rate per 10 000.

    ``density`` has ``territoire_code`` (INSEE), ``nb_signalements`` and ``taux_pour_10000``
    (:func:`dashboard.indicators.signals.signal_summary` at commune level). One canvas
    layer, hidden by default, listed in the legend. Small, light, outlined circles: the
    choropleth under them stays readable.
    """
    pts = communes.set_index("code_insee").geometry.representative_point()
    names = communes.set_index("code_insee")["nom"]
    rows = density[(density["nb_signalements"] > 0)
                   & density["territoire_code"].astype(str).isin(pts.index)]  # fmt: skip
    codes = rows["territoire_code"].astype(str)
    points = pd.DataFrame({
        "lat": codes.map(pts.y).to_numpy(), "lng": codes.map(pts.x).to_numpy(),
        "radius": (1.5 + 0.9 * np.sqrt(rows["nb_signalements"])).to_numpy(),
        "colour": "#7a0a0f",
        "tooltip": [
            f"{html.escape(str(names.get(c, c)))} : {fr_int(n)} signalement(s), "
            f"{fr_number(r, 1)} pour 10\u202f000 hab."
            for c, n, r in zip(codes, rows["nb_signalements"], rows["taux_pour_10000"],
                               strict=True)
        ],
    })  # fmt: skip
    PointLayer(points, "Signalements par commune (densité)", opacity=0.3, show=show,
               fill="#de2d26").add_to(fmap)  # fmt: skip
    _legend_points(fmap, "Signalements par commune (aire ∝ nombre)",
                   [("signalements déposés", "#de2d26")])  # fmt: skip


def build_choropleth_map(
    shapes: gpd.GeoDataFrame,
    level: str,
    values: pd.Series,
    title: str,
    method: str = DEFAULT_METHOD,
    k: int = DEFAULT_K,
    fmt: Callable[[float], str] = fr_number,
    note: str = "",
    outline: gpd.GeoDataFrame | None = None,
    highlight: str | None = None,
    height: int = 600,
    palette_name: str = "YlOrRd",
) -> tuple[folium.Map, Classes]:
    """Territories of one level coloured by classes of ``values``, with a legend.

    Parameters
    ----------
    shapes : GeoDataFrame
        Display polygons (EPSG:4326) with ``code`` and ``nom`` columns: communes, EPCI or
        instances of :class:`dashboard.maps.territory.Territory`.
    level : str
        ``commune``, ``epci`` or ``instance``; returned in each feature's ``niveau``
        property so that a click identifies the territory.
    values : Series
        Value per territory code; codes absent or NaN are « sans donnée ».
    title, note : str
        Legend title and note (source, period); the method is always added to the note.
    outline : GeoDataFrame, optional
        Non-interactive outlines drawn above (EPCI when the level is the commune).
    highlight : str, optional
        Code of a territory outlined in red.

    Returns
    -------
    (folium.Map, Classes)
        The map (add points with :func:`add_operations` and :func:`add_signal_density`,
        then :func:`finish_map`) and its classes.
    """
    codes = shapes["code"].astype(str)
    vals = codes.map(values.rename(index=str)).astype(float)
    classes = classify(vals, method, k, fmt, palette_name)
    fmap = new_map(tuple(shapes.total_bounds), height)
    data = gpd.GeoDataFrame(
        {
            "niveau": level,
            "code": _escaped(codes),
            "nom": _escaped(shapes["nom"]),
            "valeur": ["–" if math.isnan(v) else html.escape(fmt(v)) for v in vals],
            "couleur": [classes.colour_of(v) for v in vals],
        },
        geometry=shapes.geometry.to_numpy(),
        crs=shapes.crs,
    )
    folium.GeoJson(
        data,
        name=html.escape(title),
        style_function=lambda f: {
            "fillColor": f["properties"]["couleur"], "color": "#ffffff", "weight": 0.7,
            "fillOpacity": 0.85,
        },
        highlight_function=lambda _f: {"weight": 3, "color": "#000091"},
        tooltip=folium.GeoJsonTooltip(
            fields=["nom", "code", "valeur"],
            aliases=[_LEVEL_NAMES.get(level, "Territoire"), "Code", html.escape(title)],
            sticky=True,
        ),
    ).add_to(fmap)  # fmt: skip
    if outline is not None and not outline.empty:
        folium.GeoJson(
            outline[["geometry"]],
            name="Contours des EPCI",
            style_function=lambda _f: {"fill": False, "color": "#000091", "weight": 1.4},
            interactive=False,
        ).add_to(fmap)
    if highlight is not None:
        chosen = shapes[codes == str(highlight)]
        if not chosen.empty:
            add_outline(fmap, chosen)
    full_note = f"Classes : {classes.method_label}."
    if note:
        full_note = f"{note} — {full_note}"
    entries = classes.legend_entries(with_missing=bool(vals.isna().any()))
    Legend(title, entries, full_note, emptiest_corner(shapes), fit=tuple(shapes.total_bounds)
           ).add_to(fmap)  # fmt: skip
    return fmap, classes


def finish_map(fmap: folium.Map, bounds: tuple[float, float, float, float]) -> folium.Map:
    """Add the layer control and fit the map to ``bounds`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def level_shapes(
    communes: gpd.GeoDataFrame, epci: gpd.GeoDataFrame, instances: gpd.GeoDataFrame, level: str
) -> gpd.GeoDataFrame:
    """Display polygons of a level with ``code`` and ``nom`` (EPCI names shortened)."""
    if level == "commune":
        frame = communes.assign(code=communes["code_insee"], nom=communes["nom"])
    elif level == "epci":
        frame = epci.assign(code=epci["siren"], nom=epci["nom"].map(short_epci_name))
    elif level == "instance":
        frame = instances.assign(code=instances["instance_code"], nom=instances["instance_nom"])
    else:
        raise ValueError(f"Niveau de carte inconnu : {level}")
    return gpd.GeoDataFrame(frame[["code", "nom", "geometry"]], crs=frame.crs)
