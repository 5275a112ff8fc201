"""The map layers as one TopoJSON topology: shared arcs, quantised, delta-encoded.

Communes, EPCI and instances are all dissolved from the same simplified commune coverage
(:mod:`dashboard.maps.territory`), so every EPCI or instance boundary is a chain of commune
boundaries. A topology stores each boundary once, as an arc, and each polygon as a list of
arc indexes: the three layers cost little more than the communes alone, and neighbours
stay exactly adjacent once decoded (no gap, no overlap). Coordinates are quantised on a
grid of :data:`QUANTIZATION` steps per side of the bounding box (about 15 m in Isère, far
below the 500 m display simplification) and delta-encoded, as TopoJSON prescribes.

The browser decodes it with ``territoires-topo.js`` (served by the app, no CDN).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import topojson

#: Grid steps per side of the bounding box.
QUANTIZATION = 10_000
#: Layer names in the topology, in drawing order (bottom to top).
LAYERS = ("communes", "instances", "epci")


def _text(value: object) -> str:
    """User text, HTML-escaped once here: the browser inserts it as markup."""
    return html.escape("" if value is None else str(value))


def _columns(gdf: gpd.GeoDataFrame, layer: str, index: dict[str, dict[str, int]]) -> dict:
    """Properties of a layer as columns: ``c`` code, ``n`` name, ``p`` population (integer,
    formatted by the browser), ``k`` communes; for communes ``e`` and ``i``, the position of
    their EPCI and instance in those layers (-1: none); for EPCI ``t`` their nature."""
    if layer == "communes":
        instance = gdf["instance_code"] if "instance_code" in gdf else [None] * len(gdf)
        return {
            "c": [str(c) for c in gdf["code_insee"]],
            "n": [_text(n) for n in gdf["nom"]],
            "p": [int(p) for p in gdf["population"]],
            "e": [index["epci"].get(str(e), -1) for e in gdf["epci_siren"]],
            "i": [index["instances"].get(str(i), -1) for i in instance],
        }
    if layer == "epci":
        return {
            "c": [str(c) for c in gdf["siren"]],
            "n": [_text(n) for n in gdf["nom"]],
            "p": [int(p) for p in gdf["population_dep"]],
            "k": [int(k) for k in gdf["nb_communes"]],
            "t": [str(t) for t in gdf["nature"]],
        }
    return {
        "c": [_text(c) for c in gdf["instance_code"]],
        "n": [_text(n) for n in gdf["instance_nom"]],
        "p": [int(p) for p in gdf["population"]],
        "k": [int(k) for k in gdf["nb_communes"]],
    }


def _arcs_of(geometry: dict[str, Any]) -> list:
    """Polygons as lists of rings of arc indexes (a Polygon is a one-part MultiPolygon)."""
    arcs = geometry.get("arcs") or []
    return [arcs] if geometry.get("type") == "Polygon" else arcs


def build_topology(
    layers: dict[str, gpd.GeoDataFrame], quantization: int = QUANTIZATION
) -> dict[str, Any]:
    """One topology holding the given layers (EPSG:4326), with their properties.

    The shape is TopoJSON's, made leaner for the wire: each arc is a flat list
    ``[x0, y0, dx1, dy1, …]`` (quantised, delta-encoded), each object holds ``polygons``
    (per feature, polygons → rings → arc indexes, ``~i`` for a reversed arc) and
    ``properties`` as columns.

    Parameters
    ----------
    layers : dict of GeoDataFrame
        Layer name (``communes``, ``epci``, ``instances``) → display layer of
        :class:`~dashboard.maps.territory.Territory`; empty layers are left out.
    quantization : int
        Grid steps per side of the bounding box.

    Returns
    -------
    dict
        ``{"transform": {"scale", "translate"}, "arcs", "objects": {name: {"polygons",
        "properties"}}}``, features in the order of the input rows.
    """
    names = [n for n in LAYERS if n in layers and not layers[n].empty]
    frames = [layers[n][["geometry"]].reset_index(drop=True) for n in names]
    topo = topojson.Topology(
        frames, object_name=names, prequantize=quantization, topology=True,
        presimplify=False, toposimplify=False,
    ).to_dict()  # fmt: skip
    index = {
        "epci": {str(c): i for i, c in enumerate(layers["epci"]["siren"])}
        if "epci" in names else {},
        "instances": {str(c): i for i, c in enumerate(layers["instances"]["instance_code"])}
        if "instances" in names else {},
    }  # fmt: skip
    objects = {}
    for name in names:
        geometries = topo["objects"][name]["geometries"]
        if len(geometries) != len(layers[name]):  # one geometry per input row, in order
            raise ValueError(f"topologie incomplète pour la couche {name}")
        objects[name] = {
            "polygons": [_arcs_of(g) for g in geometries],
            "properties": _columns(layers[name], name, index),
        }
    arcs = [[value for point in arc for value in point] for arc in topo["arcs"]]
    return {"transform": topo["transform"], "arcs": arcs, "objects": objects}


def decode(topology: dict[str, Any], name: str) -> gpd.GeoDataFrame:
    """Decode one layer of a topology into polygons (EPSG:4326), as the browser does.

    The same arithmetic as ``territoires-topo.js``; for tests and checks.
    """
    import shapely

    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for flat in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in zip(flat[0::2], flat[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes: Iterable[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(part[1:] if points else part)
        return points

    layer = topology["objects"][name]
    geoms = []
    for polygons in layer["polygons"]:
        parts = [shapely.Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polygons]
        geoms.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return gpd.GeoDataFrame(layer["properties"], geometry=geoms, crs="EPSG:4326")
