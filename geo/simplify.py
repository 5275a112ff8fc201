"""Display geometry: topology-preserving simplification of the commune coverage."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

#: Default tolerance of :func:`shapely.coverage_simplify` for the département map. GEOS reads it
#: as the square root of an area: triangles under 0.25 km² go, against 15 km² for an
#: average Isère commune, invisible at the zoom of a département.
DISPLAY_TOLERANCE_M = 500.0
#: Coordinates are rounded to this grid (degrees) once back in WGS84: 1e-4° ≈ 8 to 11 m,
#: below one screen pixel up to zoom 13.
DISPLAY_GRID_DEG = 1e-4


def simplify_coverage(
    gdf: gpd.GeoDataFrame,
    metric_crs: str,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
    grid_deg: float = DISPLAY_GRID_DEG,
) -> gpd.GeoDataFrame:
    """Simplify a polygonal coverage for display, keeping shared edges shared.

    Assumes ``gdf`` is a polygonal coverage (communes: no overlaps, edges matching
    exactly). Uses :func:`shapely.coverage_simplify` in ``metric_crs`` so that
    neighbours keep a common edge (plain ``simplify`` would open gaps), then returns
    to EPSG:4326 and snaps coordinates to ``grid_deg`` with
    :func:`shapely.set_precision`, which also keeps the coverage valid.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygonal coverage in any CRS.
    metric_crs : str
        Projected CRS in metres used for the tolerance.
    tolerance_m : float
        Simplification tolerance in metres.
    grid_deg : float
        Precision grid in degrees for the output coordinates.

    Returns
    -------
    GeoDataFrame
        Same rows and columns, simplified geometry, EPSG:4326.
    """
    projected = gdf.to_crs(metric_crs)
    simplified = shapely.coverage_simplify(projected.geometry.to_numpy(), tolerance_m)
    out = projected.copy()
    out.geometry = gpd.GeoSeries(simplified, index=projected.index, crs=metric_crs)
    out = out.to_crs("EPSG:4326")
    # Snapping the whole array at once to one grid keeps shared vertices identical.
    out.geometry = gpd.GeoSeries(
        shapely.set_precision(out.geometry.to_numpy(), grid_deg),
        index=out.index,
        crs="EPSG:4326",
    )
    return out


def coverage_problems(geoms: np.ndarray | gpd.GeoSeries, gap_width: float = 0.0) -> int:
    """Count the invalid edges of a polygonal coverage (overlaps or, with ``gap_width``, gaps).

    Returns 0 for a valid coverage. Uses :func:`shapely.coverage_invalid_edges`.
    """
    arr = geoms.to_numpy() if isinstance(geoms, gpd.GeoSeries) else np.asarray(geoms)
    edges = shapely.coverage_invalid_edges(arr, gap_width=gap_width)
    return int(np.count_nonzero(~shapely.is_empty(edges) & ~shapely.is_missing(edges)))
