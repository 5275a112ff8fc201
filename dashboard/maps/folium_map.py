"""Leaflet map of a département, served entirely by the app (no CDN).

Builds a :class:`folium.Map` whose JavaScript and CSS point at the app's own static
folder (served under ``/app/static/``, where the Streamlit layer copies Leaflet from the
``xstatic-leaflet`` package). No Streamlit import here: the page calls :func:`build_map`
and hands the result to ``st_folium``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

import folium
import geopandas as gpd
import jinja2
from folium.elements import JSCSSMixin

from dashboard.maps.topology import build_topology
from geo.reference import EPCI_NATURES, POPULATION_MILLESIME

#: Where the app serves its static folder (:mod:`dashboard.app.assets`).
STATIC_URL = "/app/static"
LEAFLET_JS = f"{STATIC_URL}/leaflet/leaflet.js"
LEAFLET_CSS = f"{STATIC_URL}/leaflet/leaflet.css"
MAP_CSS = f"{STATIC_URL}/territoires-map.css"

#: Base maps: label → (tile URL template, attribution). "Aucun fond" draws no tiles.
BASEMAPS: dict[str, tuple[str, str] | None] = {
    "Aucun fond de carte": None,
    "IGN Plan IGN v2": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
        "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        "© IGN – Plan IGN v2",
    ),
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© contributeurs OpenStreetMap",
    ),
}
DEFAULT_BASEMAP = "Aucun fond de carte"
#: Layers of the default view. The commune mesh (≈ 60 % of the bytes) is one click away.
DEFAULT_LAYERS = ("epci", "instances")

LAYER_LABELS = {
    "communes": "Communes",
    "epci": "EPCI",
    "instances": "Instances locales",
}

#: Qualitative palette of the instances, one colour each and distinct side by side: Paul
#: Tol's « muted » and Okabe-Ito colours (chosen for colour-blind readers), strong enough
#: to tell apart under the map's opacity; the legend names every colour.
INSTANCE_PALETTE = [
    "#0072b2", "#e69f00", "#117733", "#cc6677", "#88ccee", "#999933", "#882255",
    "#44aa99", "#f0e442", "#332288", "#d55e00", "#aa4499", "#ddcc77", "#56b4e9",
]  # fmt: skip


def _compact_json() -> None:
    """Serialise embedded GeoJSON without spaces and with UTF-8 text, not ``\\u`` escapes.

    folium renders data through Jinja's ``tojson`` filter; its policies are shared by all
    folium templates. This only changes the bytes sent, not the data.
    """
    env = folium.GeoJson._template.environment
    env.policies["json.dumps_kwargs"] = {
        "sort_keys": False,
        "separators": (",", ":"),
        "ensure_ascii": False,
    }


_compact_json()


def short_epci_name(nom: str) -> str:
    """« Communauté de communes du Trièves » → « CC du Trièves », for tooltips."""
    for long, short in (
        ("Communauté de communes ", "CC "),
        ("Communauté d'agglomération ", "CA "),
        ("Communauté urbaine ", "CU "),
    ):
        if nom.startswith(long):
            return short + nom[len(long) :]
    return nom


def _escaped(values: Iterable[object]) -> list[str]:
    return [html.escape("" if v is None else str(v)) for v in values]


def _instance_colours(codes: Iterable[str]) -> dict[str, str]:
    return {c: INSTANCE_PALETTE[i % len(INSTANCE_PALETTE)] for i, c in enumerate(sorted(codes))}


def new_map(bounds: tuple[float, float, float, float], height: int) -> folium.Map:
    """An empty Leaflet map over ``bounds`` (minx, miny, maxx, maxy in degrees), no tiles.

    Only Leaflet and the app's CSS, served by the app: no jQuery, Bootstrap or Font Awesome
    from CDNs (folium's defaults).
    """
    minx, miny, maxx, maxy = bounds
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None, height=height,
        zoom_snap=0.25, zoom_delta=0.5,
    )  # fmt: skip
    FrenchControls().add_to(fmap)
    # Fractional zoom lets fit_bounds fill the frame instead of falling a whole level short.
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS), ("territoires_css", MAP_CSS)]
    return fmap


def add_outline(fmap: folium.Map, shape: gpd.GeoDataFrame, name: str = "Sélection") -> None:
    """Outline ``shape`` in red (Marianne) on top of the map, not clickable."""
    folium.GeoJson(
        shape[["geometry"]],
        name=name,
        style_function=lambda _f: {"fill": False, "color": "#e1000f", "weight": 4},
        interactive=False,
    ).add_to(fmap)


def build_map(
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    instances: gpd.GeoDataFrame | None = None,
    layers: Iterable[str] = ("communes", "epci", "instances"),
    basemap: str = DEFAULT_BASEMAP,
    highlight: tuple[str, str] | None = None,
    height: int = 620,
    millesime: int = POPULATION_MILLESIME,
) -> folium.Map:
    """Map of a département with toggleable communes, EPCI and instance layers.

    Parameters
    ----------
    communes, epci, instances : GeoDataFrame
        Display layers in EPSG:4326 (see :class:`dashboard.maps.territory.Territory`).
    layers : iterable of str
        Layers shown, among ``communes``, ``epci``, ``instances``.
    basemap : str
        A key of :data:`BASEMAPS`; the default draws no tiles, so the map is readable
        offline.
    highlight : (level, code), optional
        A territory outlined in red and zoomed to (``("epci", "200040715")``).
    height : int
        Height in pixels.
    millesime : int
        Millésime of the populations, said in the tooltips
        (:attr:`geo.reference.Reference.millesime`).

    Returns
    -------
    folium.Map
        With every JS/CSS asset pointing at the app's static folder.
    """
    layers = list(layers)
    minx, miny, maxx, maxy = communes.total_bounds
    fmap = new_map(communes.total_bounds, height)

    tiles = BASEMAPS.get(basemap)
    if tiles is not None:
        folium.TileLayer(tiles=tiles[0], attr=tiles[1], name=basemap, max_zoom=18).add_to(fmap)

    shown = [name for name in ("communes", "instances", "epci") if name in layers]
    if instances is None or instances.empty:
        shown = [name for name in shown if name != "instances"]
    if shown:
        add_topology_layers(fmap, communes, epci, instances, shown, millesime)
    if highlight is not None:
        _add_highlight(fmap, communes, epci, instances, highlight)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    if "instances" in shown:
        # Each instance's colour, named; the layer control holds the top-right corner.
        colours = _instance_colours(instances["instance_code"])
        names = instances.sort_values("instance_nom")
        Legend("Instances locales", [(str(r.instance_nom), colours[r.instance_code])
                                     for r in names.itertuples()],
               position=emptiest_corner(communes, corners=INSTANCE_LEGEND_CORNERS),
               fit=None if highlight else (minx, miny, maxx, maxy)).add_to(fmap)  # fmt: skip
    return fmap


def _add_highlight(
    fmap: folium.Map,
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    instances: gpd.GeoDataFrame | None,
    highlight: tuple[str, str],
) -> None:
    level, code = highlight
    if level == "commune":
        shape = communes[communes["code_insee"] == code]
    elif level == "epci":
        shape = epci[epci["siren"] == code]
    elif instances is not None and not instances.empty:
        shape = instances[instances["instance_code"] == code]
    else:
        return
    if not shape.empty:
        add_outline(fmap, shape)


TOPO_JS = f"{STATIC_URL}/territoires-topo.js"
def tooltip_labels(millesime: int = POPULATION_MILLESIME) -> dict[str, list[str]]:
    """Tooltip headers of each layer (the population's millésime is the reference's)."""
    pop = f"Population {millesime}"
    return {
        "communes": ["Commune", "Code INSEE", pop, "EPCI", "Instance"],
        "epci": ["EPCI", "SIREN", "Nature", f"{pop} (dans le dép.)", "Communes"],
        "instances": ["Instance", "Code", pop, "Communes"],
    }
_LEVELS = {"communes": "commune", "epci": "epci", "instances": "instance"}


def _json(data: object) -> str:
    """Compact JSON, serialised once when the element is built, not at every render.

    Safe inside ``<script>``: user text in it is HTML-escaped upstream, and ``</`` is
    escaped here anyway."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


class TopologyData(JSCSSMixin, folium.MacroElement):
    """The topology of the map layers, written once in the page as a JS variable."""

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.json }};
        {% endmacro %}
        """
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "Topology"
        self.json = _json(data)
        self.default_js = [("leaflet", LEAFLET_JS), ("territoires_topo", TOPO_JS)]


class PointLayer(JSCSSMixin, folium.FeatureGroup):
    """Circles drawn on one canvas by ``territoires-topo.js``: thousands of points cost
    one element, not one Leaflet marker (and one Jinja render) each.

    Parameters
    ----------
    points : DataFrame
        ``lat``, ``lng``, ``radius`` (pixels), ``colour`` and ``tooltip`` (HTML, escaped).
    name : str
        Name in the layer control.
    opacity : float
        Fill opacity.
    show : bool
        Shown when the map opens.
    fill : str, optional
        Fill colour when it differs from the outline colour.
    """

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({});
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        territoiresTopo.addPoints({{ this.get_name() }}, {{ this.json }}, {{ this.style }});
        {% endmacro %}
        """
    )

    def __init__(self, points, name: str, opacity: float = 0.7, show: bool = True,
                 fill: str | None = None) -> None:  # fmt: skip
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointLayer"
        columns = {
            "lat": [round(float(v), 5) for v in points["lat"]],
            "lng": [round(float(v), 5) for v in points["lng"]],
            "r": [round(float(v), 1) for v in points["radius"]],
            "c": [str(v) for v in points["colour"]],
            "t": [str(v) for v in points["tooltip"]],
        }
        self.json = _json(columns)
        self.style = _json({"fillOpacity": opacity, "fillColor": fill, "weight": 1})
        self.default_js = [("leaflet", LEAFLET_JS), ("territoires_topo", TOPO_JS)]


class TopologyLayer(folium.FeatureGroup):
    """A toggleable layer drawn from a :class:`TopologyData` by ``territoires-topo.js``."""

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({}).addTo({{ this._parent.get_name() }});
        territoiresTopo.addLayer({{ this.get_name() }}, {{ this.topology.get_name() }},
            {{ this.layer|tojson }}, {{ this.layer_options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, topology: TopologyData, layer: str, name: str, options: dict) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TopologyLayer"
        self.topology = topology
        self.layer = layer
        self.layer_options = options


def add_topology_layers(
    fmap: folium.Map,
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    instances: gpd.GeoDataFrame | None,
    shown: list[str],
    millesime: int = POPULATION_MILLESIME,
) -> None:
    """Add the layers ``shown`` (communes, instances, EPCI, bottom to top) from one
    topology of shared arcs (:mod:`dashboard.maps.topology`)."""
    frames = {"communes": communes, "epci": epci.assign(nom=epci["nom"].map(short_epci_name))}
    if instances is not None and not instances.empty:
        frames["instances"] = instances
    data = TopologyData(build_topology({name: frames[name] for name in frames
                                        if name in shown or name in ("epci", "instances")}))
    data.add_to(fmap)
    filled = "instances" not in shown
    styles = {
        "communes": ({"fillColor": "#eef0f4", "color": "#9aa3b5", "weight": 0.6,
                      "fillOpacity": 0.9}, {"weight": 2, "color": "#000091"}),
        "instances": ({"color": "#3a3a3a", "weight": 1.5, "fillOpacity": 0.55},
                      {"weight": 3, "color": "#000091"}),
        "epci": ({"fillColor": "#cfd6e6", "color": "#000091", "weight": 2,
                  "fillOpacity": 0.25 if filled else 0.0}, {"weight": 4, "color": "#e1000f"}),
    }  # fmt: skip
    for name in shown:
        options = {
            "niveau": _LEVELS[name], "labels": tooltip_labels(millesime)[name],
            "style": styles[name][0], "highlight": styles[name][1],
        }  # fmt: skip
        if name == "instances":
            options["colours"] = {html.escape(str(code)): colour for code, colour in
                                  _instance_colours(instances["instance_code"]).items()}
        if name == "epci":
            options["natures"] = EPCI_NATURES
        TopologyLayer(data, name, LAYER_LABELS[name], options).add_to(fmap)


def map_html(fmap: folium.Map) -> str:
    """The standalone HTML document of a map (used by tests and the benchmark)."""
    return fmap.get_root().render()


class FrenchControls(folium.MacroElement):
    """Zoom buttons titled in French and a metric-only scale (Leaflet's defaults are
    « Zoom in » / « Zoom out » and a scale in miles too). Added right after the map is
    created, so the zoom buttons stay above any legend in the top-left corner."""

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            if (map.zoomControl) { map.removeControl(map.zoomControl); }
            map.zoomControl = L.control.zoom(
                {zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière"}).addTo(map);
            L.control.scale({imperial: false}).addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FrenchControls"


#: Leaflet's control corners, in order of preference when several are as empty.
CORNERS = ("topleft", "topright", "bottomleft", "bottomright")


#: Corners free for the instances' legend on the home map (its layer control is top right).
INSTANCE_LEGEND_CORNERS = ("topleft", "bottomleft", "bottomright")


def emptiest_corner(
    shapes: gpd.GeoDataFrame, width_share: float = 0.45, height_share: float = 0.4,
    corners: tuple[str, ...] = CORNERS,
) -> str:
    """The corner of the shapes' bounding box that they cover least, for the legend.

    A box of ``width_share`` × ``height_share`` of the bounds is laid in each corner and
    the one whose area is least covered wins (Isère leaves its north-east and south-west
    empty; the north-west, where a fixed legend sat, is full). Ties go to the first of
    :data:`CORNERS`.
    """
    import shapely

    if shapes.empty:
        return corners[0]
    minx, miny, maxx, maxy = shapes.total_bounds
    w, h = (maxx - minx) * width_share, (maxy - miny) * height_share
    boxes = {
        "topleft": (minx, maxy - h, minx + w, maxy),
        "topright": (maxx - w, maxy - h, maxx, maxy),
        "bottomleft": (minx, miny, minx + w, miny + h),
        "bottomright": (maxx - w, miny, maxx, miny + h),
    }
    union = shapely.union_all(shapely.make_valid(shapes.geometry.values))
    covered = {c: union.intersection(shapely.box(*boxes[c])).area for c in corners}
    return min(corners, key=lambda c: (round(covered[c] / (w * h), 3), corners.index(c)))


class Legend(folium.MacroElement):
    """A Leaflet control listing classes and colours, drawn inside the map, and the point
    layers (:meth:`add_points`) drawn over it.

    Labels are HTML-escaped here; the control is plain Leaflet, so it needs no extra
    asset (branca's colormaps would pull d3 from a CDN). With ``fit`` (the territory's
    bounds, minx, miny, maxx, maxy), the map is fitted again once the legend is drawn,
    keeping a margin as wide (or as tall, whichever costs less zoom) as the legend on its
    side: the legend never covers the territory.
    """

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "territoires-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            {% if this.fit %}
            var bounds = L.latLngBounds({{ this.fit|tojson }});
            var corner = {{ this.position|tojson }};
            function refit() {
                var el = legend.getContainer(), size = map.getSize();
                var w = el.offsetWidth + 14, h = el.offsetHeight + 14;
                /* Not sized yet (a hidden frame): a later try or the next resize fits it. */
                if (!el.offsetWidth || (size.x < w + 120 && size.y < h + 120)) { return; }
                var across = size.x >= w + 120 ? map.getBoundsZoom(bounds, false, L.point(w, 0))
                                                : -Infinity;
                var down = size.y >= h + 120 ? map.getBoundsZoom(bounds, false, L.point(0, h))
                                             : -Infinity;
                if (!isFinite(across) && !isFinite(down)) { return; }
                var pad = across >= down ? [w, 0] : [0, h];
                var left = corner.indexOf("left") >= 0, top = corner.indexOf("top") >= 0;
                var tl = [left ? pad[0] : 0, top ? pad[1] : 0];
                var br = [left ? 0 : pad[0], top ? 0 : pad[1]];
                map.fitBounds(bounds, {paddingTopLeft: tl, paddingBottomRight: br,
                                       animate: false});
                fitted = true;
            }
            /* The frame and the legend are sized after the first draw: try until it fits
               once (a user's own zoom is then left alone), and again on every resize. */
            var fitted = false;
            [0, 200, 600, 1500, 3000].forEach(function (t) {
                setTimeout(function () { if (!fitted) { refit(); } }, t);
            });
            map.on("resize", refit);
            {% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, title: str, entries: list[tuple[str, str]], note: str = "",
        position: str = "topleft", fit: tuple[float, float, float, float] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self._name = "Legend"
        if position not in CORNERS:
            raise ValueError(f"coin de carte inconnu : {position}")
        self.position = position
        self.fit = None
        if fit is not None:
            minx, miny, maxx, maxy = (float(v) for v in fit)
            self.fit = [[miny, minx], [maxy, maxx]]
        rows = "".join(
            f'<div><i style="background:{html.escape(colour)}"></i>{html.escape(label)}</div>'
            for label, colour in entries
        )
        self._body = f"<b>{html.escape(title)}</b>{rows}"
        self._note = f'<div class="note">{html.escape(note)}</div>' if note else ""
        self._points = ""

    def add_points(self, title: str, entries: list[tuple[str, str]]) -> None:
        """List a point layer: its title and a round swatch per colour."""
        rows = "".join(
            f'<div><i class="dot" style="background:{html.escape(colour)}"></i>'
            f"{html.escape(label)}</div>"
            for label, colour in entries
        )
        self._points += f'<div class="points"><b>{html.escape(title)}</b>{rows}</div>'

    @property
    def html(self) -> str:
        """The control's HTML (every text escaped)."""
        return self._body + self._points + self._note


def legend_of(fmap: folium.Map) -> Legend | None:
    """The :class:`Legend` of a map, if it has one."""
    return next((c for c in fmap._children.values() if isinstance(c, Legend)), None)


def build_category_map(
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    column: str,
    colours: dict[str, str],
    legend_title: str,
    tooltip: list[tuple[str, str]],
    highlight: gpd.GeoDataFrame | None = None,
    legend_note: str = "",
    height: int = 560,
) -> folium.Map:
    """Communes coloured by a categorical ``column``, EPCI outlined, with a legend.

    Parameters
    ----------
    communes : GeoDataFrame
        Display communes (EPSG:4326) with ``code_insee``, ``column`` and the tooltip
        columns. Text values are HTML-escaped before they reach the map.
    colours : dict
        Category → colour; missing categories are grey.
    tooltip : list of (column, alias)
        Columns shown on hover.
    highlight : GeoDataFrame, optional
        Territory outlined in red; the map is then zoomed on it.
    """
    minx, miny, maxx, maxy = communes.total_bounds
    fmap = new_map(communes.total_bounds, height)
    cols = [c for c, _ in tooltip]
    data = gpd.GeoDataFrame(
        {
            "niveau": "commune",
            "code": communes["code_insee"].to_numpy(),
            "categorie": communes[column].astype(str).to_numpy(),
            **{c: _escaped(communes[c].fillna("—")) for c in cols if c != "code"},
        },
        geometry=communes.geometry.to_numpy(),
        crs=communes.crs,
    )
    folium.GeoJson(
        data,
        name=legend_title,
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["categorie"], "#cccccc"),
            "color": "#ffffff", "weight": 0.5, "fillOpacity": 0.85,
        },
        highlight_function=lambda _f: {"weight": 2, "color": "#000091"},
        tooltip=folium.GeoJsonTooltip(
            fields=[c if c != "code_insee" else "code" for c in cols],
            aliases=[a for _, a in tooltip], sticky=True,
        ),
    ).add_to(fmap)  # fmt: skip
    folium.GeoJson(
        epci[["siren", "geometry"]].assign(nom=_escaped(epci["nom"].map(short_epci_name))),
        name="EPCI",
        style_function=lambda _f: {"fill": False, "color": "#000091", "weight": 1.6},
        interactive=False,
    ).add_to(fmap)  # fmt: skip
    bounds = [[miny, minx], [maxy, maxx]]
    if highlight is not None and not highlight.empty:
        add_outline(fmap, highlight)
        hx0, hy0, hx1, hy1 = highlight.total_bounds
        bounds = [[hy0, hx0], [hy1, hx1]]
    Legend(legend_title, list(colours.items()), legend_note, emptiest_corner(epci),
           fit=tuple(epci.total_bounds)).add_to(fmap)  # fmt: skip
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds(bounds)
    return fmap
