"""Display simplification keeps the commune coverage valid."""

from __future__ import annotations

import numpy as np
import shapely

from geo.simplify import DISPLAY_TOLERANCE_M, coverage_problems, simplify_coverage


def test_simplified_coverage_has_no_gap_nor_overlap(isere):
    simplified = simplify_coverage(isere.communes, isere.metric_crs())
    assert len(simplified) == len(isere.communes)
    assert simplified.is_valid.all()
    assert not simplified.is_empty.any()
    assert shapely.coverage_is_valid(simplified.geometry.to_numpy())
    # No gap wider than 1 m between neighbours once back in Lambert-93.
    assert coverage_problems(simplified.to_crs("EPSG:2154").geometry, gap_width=1.0) == 0
    # The département keeps its area (within 0.5 %) and loses vertices.
    before = isere.communes.to_crs("EPSG:2154").area.sum()
    after = simplified.to_crs("EPSG:2154").area.sum()
    assert abs(after - before) / before < 0.005
    n_before = shapely.get_num_coordinates(isere.communes.geometry.to_numpy()).sum()
    n_after = shapely.get_num_coordinates(simplified.geometry.to_numpy()).sum()
    assert n_after < n_before * 0.7


def test_plain_simplify_would_open_gaps(isere):
    """Why coverage_simplify: per-polygon simplify breaks shared edges."""
    projected = isere.communes.to_crs("EPSG:2154")
    naive = projected.geometry.simplify(DISPLAY_TOLERANCE_M)
    assert coverage_problems(naive, gap_width=1.0) > 0


def test_precision_is_reduced(isere):
    simplified = simplify_coverage(isere.communes, isere.metric_crs())
    coords = shapely.get_coordinates(simplified.geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, 4), atol=1e-9)
