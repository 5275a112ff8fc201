"""Fixtures of the indicator tests: the demo CLH memberships on the real Isère reference."""

from __future__ import annotations

import pytest

from dashboard.intake import demo
from geo.perimeters import expand_memberships


@pytest.fixture(scope="module")
def memberships(isere):
    """Memberships of the demo CLH (commune by commune)."""
    return expand_memberships(demo.read_demo_instance_rows(), isere)
