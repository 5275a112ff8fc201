"""Instance perimeters derived from memberships, on the real Isère reference."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from dashboard.intake.demo import read_demo_instance_rows
from geo.perimeters import (
    MEMBERSHIP_COLUMNS,
    MembershipError,
    combine_memberships,
    dissolve_instances,
    drawing_to_memberships,
    expand_memberships,
    membership_report,
)

EBER = "200085751"  # CC Entre Bièvre et Rhône, formed in 2019
CINC = "243801255"  # CC Collines Isère Nord Communauté


def test_epci_row_expands_to_its_communes(isere):
    rows = pd.DataFrame(
        [
            {
                "instance_code": "T",
                "instance_nom": "Test",
                "instance_type": "clh",
                "epci_siren": "200040715",
            }
        ]
    )
    mem = expand_memberships(rows, isere)
    assert len(mem) == 49
    assert set(mem["instance_code"]) == {"T"}


def test_unknown_codes_are_rejected(isere):
    rows = pd.DataFrame([{"instance_code": "T", "instance_nom": "T", "code_insee": "99999"}])
    with pytest.raises(MembershipError):
        expand_memberships(rows, isere)
    rows = pd.DataFrame([{"instance_code": "T", "instance_nom": "T", "epci_siren": "123456789"}])
    with pytest.raises(MembershipError):
        expand_memberships(rows, isere)


def test_demo_clh_cover_the_departement_but_one_commune(isere):
    mem = expand_memberships(read_demo_instance_rows(), isere)
    assert mem["instance_code"].nunique() == 13
    report = membership_report(mem, isere)
    assert list(report.communes_sans_instance["code_insee"]) == ["38519"]  # Valencin
    split = report.epci_scindes.set_index("siren")
    assert set(split.index) == {EBER, CINC}
    assert split.loc[EBER, "instances"] == ["BVA", "IRH"]
    assert split.loc[CINC, "nb_communes_sans_instance"] == 1
    assert report.communes_multiples.empty
    assert not report.ok


def test_dissolved_instances_match_their_communes(isere):
    mem = expand_memberships(read_demo_instance_rows(), isere)
    inst = dissolve_instances(mem, isere.communes).set_index("instance_code")
    assert inst["population"].sum() == isere.population - int(
        isere.communes.loc[isere.communes["code_insee"] == "38519", "population"].iloc[0]
    )
    assert inst.loc["AGG", "nb_communes"] == 49
    assert inst.is_valid.all()
    # Dissolved perimeters do not overlap each other.
    assert shapely.coverage_is_valid(inst.geometry.to_numpy())
    agg = inst.loc["AGG"].geometry
    union = shapely.union_all(isere.communes[isere.communes["epci_siren"] == "200040715"].geometry)
    assert agg.symmetric_difference(union).area < 1e-9


def test_commune_in_two_instances_is_reported(isere):
    rows = pd.DataFrame(
        [
            {
                "instance_code": "A",
                "instance_nom": "A",
                "instance_type": "clh",
                "code_insee": "38185",
            },
            {
                "instance_code": "B",
                "instance_nom": "B",
                "instance_type": "clh",
                "code_insee": "38185",
            },
        ]
    )
    report = membership_report(expand_memberships(rows, isere), isere)
    assert report.communes_multiples["code_insee"].tolist() == ["38185"]
    assert report.communes_multiples["instances"].iloc[0] == ["A", "B"]


def test_drawing_in_lambert93_becomes_memberships(isere):
    """A perimeter drawn in Lambert-93, shifted by 300 m, is converted by majority of area."""
    mem = expand_memberships(read_demo_instance_rows(), isere)
    drawn = dissolve_instances(mem, isere.communes).to_crs("EPSG:2154")
    drawn["geometry"] = drawn.geometry.translate(xoff=300)
    result = drawing_to_memberships(drawn, isere)
    got = result.memberships.set_index("code_insee")["instance_code"]
    expected = mem.set_index("code_insee")["instance_code"]
    common = got.index.intersection(expected.index)
    agree = (got.loc[common] == expected.loc[common]).mean()
    assert agree > 0.97
    assert len(result.communes_partagees) > 0  # the shift cuts border communes
    assert "38519" in set(result.communes_hors_dessin["code_insee"])


def test_combine_memberships_rows_win_over_drawn_perimeters(isere):
    rows = pd.DataFrame([{"instance_code": "VOI", "instance_nom": "Voiron",
                          "instance_type": "clh", "code_insee": "38563"}])  # fmt: skip
    drawn = pd.DataFrame([
        {"instance_code": "VOI", "instance_nom": "Voiron dessiné", "instance_type": "clh",
         "code_insee": "38185"},
        {"instance_code": "GRE", "instance_nom": "Grenoble", "instance_type": "clh",
         "code_insee": "38185"},
    ])  # fmt: skip
    combined = combine_memberships(isere, rows, drawn)
    assert combined[["instance_code", "code_insee"]].values.tolist() == [
        ["VOI", "38563"], ["GRE", "38185"],
    ]  # fmt: skip
    assert combine_memberships(isere).empty
    assert list(combine_memberships(isere).columns) == MEMBERSHIP_COLUMNS
