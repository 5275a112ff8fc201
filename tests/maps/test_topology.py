"""The topology of the map layers: shared arcs, exact adjacency once decoded, compact."""

from __future__ import annotations

import json

import pytest
import shapely

from dashboard.maps.folium_map import short_epci_name
from dashboard.maps.topology import build_topology, decode


@pytest.fixture(scope="module")
def topology(isere_territory):
    t = isere_territory
    return build_topology({
        "communes": t.communes, "epci": t.epci.assign(nom=t.epci["nom"].map(short_epci_name)),
        "instances": t.instances,
    })  # fmt: skip


def test_every_feature_in_order_with_its_properties(topology, isere_territory):
    communes = decode(topology, "communes")
    assert communes["c"].tolist() == isere_territory.communes["code_insee"].tolist()
    assert len(decode(topology, "epci")) == 18
    assert len(decode(topology, "instances")) == 13
    assert communes.loc[communes["c"] == "38185", "n"].item() == "Grenoble"


def test_decoded_communes_are_an_exact_coverage(topology):
    geoms = decode(topology, "communes").geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)  # no overlap, edges shared exactly
    union = shapely.coverage_union_all(geoms)
    assert union.area == pytest.approx(sum(g.area for g in geoms), rel=1e-9)


def test_epci_boundaries_are_the_communes_boundaries(topology, isere_territory):
    communes = decode(topology, "communes")
    epci = decode(topology, "epci")
    siren = isere_territory.communes["epci_siren"].to_numpy()
    for row in epci.itertuples():
        members = communes.geometry.to_numpy()[siren == row.c]
        dissolved = shapely.coverage_union_all(members)
        assert shapely.equals_exact(shapely.normalize(dissolved), shapely.normalize(
            row.geometry), tolerance=1e-9) or dissolved.symmetric_difference(
            row.geometry).area < 1e-12, row.c  # fmt: skip


def test_close_to_the_display_geometry(topology, isere_territory):
    """Quantisation moves a vertex by less than one grid step (~20 m)."""
    decoded = decode(topology, "communes").set_crs(4326).to_crs(2154)
    display = isere_territory.communes.to_crs(2154)
    worst = max(
        a.hausdorff_distance(b)
        for a, b in zip(decoded.geometry, display.geometry, strict=True)
    )
    assert worst < 25


def test_shared_arcs_make_the_three_layers_cheap(topology):
    arcs_only = len(json.dumps(topology["arcs"], separators=(",", ":")))
    total = len(json.dumps(topology, separators=(",", ":"), ensure_ascii=False))
    assert arcs_only > 0.4 * total  # the EPCI and instances reuse the communes' arcs
