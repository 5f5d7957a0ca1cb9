"""Cutting overrides out of a rotation's shift: joining the overrides first and skipping to the
ones that reach the shift gives what cutting each override out in turn gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tocsin.oncall.plans import _joined, _without

ORIGIN = datetime(2027, 3, 1, tzinfo=UTC)
hours = st.integers(min_value=0, max_value=60)
stretch = st.tuples(hours, st.integers(min_value=1, max_value=12)).map(
    lambda pair: (ORIGIN + timedelta(hours=pair[0]), ORIGIN + timedelta(hours=pair[0] + pair[1]))
)


def cut_one_by_one(start, end, holes):
    pieces = [(start, end)]
    for hole_start, hole_end in holes:
        pieces = [
            part
            for begins, ends in pieces
            for part in (
                [(begins, ends)]
                if hole_end <= begins or hole_start >= ends
                else [(begins, hole_start)] * (begins < hole_start) + [(hole_end, ends)] * (hole_end < ends)
            )
        ]
    return sorted(pieces)


@given(stretch, st.lists(stretch, max_size=8))
def test_joined_holes_cut_the_same_pieces(shift, holes):
    assert _without(*shift, _joined(holes)) == cut_one_by_one(*shift, holes)
