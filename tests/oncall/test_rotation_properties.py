"""Properties of rotation math over random rotations, zones (with and without DST, with 30-minute
shifts) and windows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.oncall import restrictions
from tocsin.oncall.rotations import Rotation, next_boundary, on_call_at, shifts

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
]
DAYS = list(restrictions.DAYS)

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=UTC)
)
hours = st.integers(min_value=0, max_value=23)
minutes = st.sampled_from([0, 30])

time_of_day = st.builds(
    lambda sh, sm, eh, em: {
        "type": "time-of-day",
        "restriction": {"startHour": sh, "startMin": sm, "endHour": eh, "endMin": em},
    },
    hours,
    minutes,
    hours,
    minutes,
).filter(
    lambda d: (
        (d["restriction"]["startHour"], d["restriction"]["startMin"])
        != (d["restriction"]["endHour"], d["restriction"]["endMin"])
    )
)
weekly_item = st.fixed_dictionaries(
    {
        "startDay": st.sampled_from(DAYS),
        "startHour": hours,
        "startMin": minutes,
        "endDay": st.sampled_from(DAYS),
        "endHour": hours,
        "endMin": minutes,
    }
).filter(lambda i: (i["startDay"], i["startHour"], i["startMin"]) != (i["endDay"], i["endHour"], i["endMin"]))
weekday_and_time = st.lists(weekly_item, min_size=1, max_size=3).map(
    lambda items: {"type": "weekday-and-time-of-day", "restrictions": items}
)


@st.composite
def rotations(draw: st.DrawFn) -> Rotation:
    start = draw(instants)
    ends = draw(st.booleans())
    return Rotation(
        type=draw(st.sampled_from(["daily", "weekly", "hourly"])),
        length=draw(st.integers(min_value=1, max_value=4)),
        start=start,
        participants=tuple(
            draw(st.lists(st.sampled_from(["ada", "bob", "cy", None]), min_size=1, max_size=4))
        ),
        zone=ZoneInfo(draw(st.sampled_from(ZONES))),
        end=start + timedelta(hours=draw(st.integers(min_value=1, max_value=2000))) if ends else None,
        restriction=restrictions.parse(draw(st.none() | time_of_day | weekday_and_time)),
    )


def union(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@settings(max_examples=150, deadline=None)
@given(rotation=rotations(), window_start=instants, days=st.integers(min_value=1, max_value=40))
def test_shifts_never_overlap_and_tile_exactly_the_allowed_time(rotation, window_start, days):
    window_end = window_start + timedelta(days=days)
    found = shifts(rotation, window_start, window_end)
    for earlier, later in itertools.pairwise(found):
        assert earlier.end <= later.start  # at most one participant at any instant
    for shift in found:
        assert window_start <= shift.start < shift.end <= window_end

    # With everyone present, the shifts cover exactly the rotation's life inside the window,
    # as allowed by the restriction.
    everyone = Rotation(
        rotation.type,
        rotation.length,
        rotation.start,
        tuple(p or "gap" for p in rotation.participants),
        rotation.zone,
        rotation.end,
        rotation.restriction,
    )
    low = max(window_start, rotation.start)
    high = window_end if rotation.end is None else min(window_end, rotation.end)
    expected: list[tuple[datetime, datetime]] = []
    if low < high:
        if rotation.restriction is None:
            expected = [(low, high)]
        else:
            windows = restrictions.windows(rotation.restriction, rotation.zone, low, high)
            expected = [(max(s, low), min(e, high)) for s, e in windows]
    assert union([(s.start, s.end) for s in shifts(everyone, window_start, window_end)]) == union(expected)


@settings(max_examples=150, deadline=None)
@given(
    rotation=rotations(), at=instants, offsets=st.lists(st.integers(min_value=0, max_value=10**6), max_size=5)
)
def test_who_is_on_call_matches_the_shifts_and_holds_until_the_next_boundary(rotation, at, offsets):
    boundary = next_boundary(rotation, at)
    horizon = boundary if boundary is not None else at + timedelta(days=30)
    found = shifts(rotation, at, horizon)
    holder = on_call_at(rotation, at)
    if holder is None:
        assert found == []
    else:
        assert found and found[0].user_id == holder and found[0].start == at and found[0].end == horizon
    for offset in offsets:
        moment = at + (horizon - at) * (offset / 10**6)
        if moment < horizon:
            assert on_call_at(rotation, moment) == holder
