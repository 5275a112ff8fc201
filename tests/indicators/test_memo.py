"""Results memoised by the content of their tables: found again for the same content,
computed again for any change, never shared as the same frame object."""

from __future__ import annotations

import pandas as pd

from dashboard.indicators.compute import prepare
from dashboard.indicators.facts import containment, territory_map
from dashboard.indicators.memo import content_key, memoised


def test_same_content_is_found_again_a_change_is_computed_again(memberships):
    calls: list[int] = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return memberships.head(3).copy()

    first = memoised("essai", "38", (memberships,), compute)
    again = memoised("essai", "38", (memberships.copy(),), compute)  # equal, not the same
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)
    again["instance_code"] = "changé"  # the caller's own frame
    assert (memoised("essai", "38", (memberships,), compute)["instance_code"] != "changé").all()
    moved = memberships.copy()
    moved.loc[moved.index[0], "instance_code"] = "AUTRE"
    memoised("essai", "38", (moved,), compute)
    assert len(calls) == 2
    memoised("essai", "01", (memberships,), compute)  # another key
    assert len(calls) == 3


def test_a_cell_that_cannot_be_hashed_is_computed_each_time():
    frame = pd.DataFrame({"liste": [[1, 2], [3]]})
    assert content_key([frame]) is None
    calls: list[int] = []
    for _ in range(2):
        memoised("essai-liste", None, (frame,), lambda: calls.append(1) or 1)
    assert calls == [1, 1]


def test_prepare_gives_the_territories_of_its_memberships(isere, memberships):
    """A second instance layout gives its own territories, not the memoised ones."""
    fewer = memberships[memberships["instance_code"] != memberships["instance_code"].iloc[0]]
    for mem in (memberships, fewer, memberships):
        prep = prepare(isere, mem, {})
        tmap = territory_map(isere, mem)
        pd.testing.assert_frame_equal(prep.tmap, tmap)
        instances = set(prep.names.loc[prep.names["territoire_type"] == "instance",
                                       "territoire_code"])  # fmt: skip
        assert instances == set(mem["instance_code"])
        assert len(containment(tmap)) > 0
