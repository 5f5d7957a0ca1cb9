"""Rotation time math: hand-offs on the schedule's wall clock, gaps, end dates, restrictions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tocsin.errors import InvalidInput
from tocsin.oncall import restrictions
from tocsin.oncall.rotations import Rotation, RotationShift, next_boundary, on_call_at, shifts
from tocsin.oncall.wallclock import to_instant, zone_named

BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rotation(kind: str, start: datetime, *people: str | None, zone: ZoneInfo = UTC_ZONE, **extra) -> Rotation:
    length = extra.pop("length", 1)
    restriction = restrictions.parse(extra.pop("restriction", None))
    return Rotation(kind, length, start, tuple(people), zone, restriction=restriction, **extra)


def hand_offs(found: list[RotationShift]) -> list[tuple[str, datetime]]:
    return [(shift.user_id, shift.start) for shift in found]


# Monday 16 March 2026, 09:00 in Berlin (CET, UTC+1). Summer time starts Sunday 29 March and
# ends Sunday 25 October 2026.
BERLIN_WEEKLY = rotation("weekly", utc(2026, 3, 16, 8), "ada", "bob", "cy", zone=BERLIN)


def test_weekly_hand_off_stays_at_nine_local_across_the_march_change():
    found = shifts(BERLIN_WEEKLY, utc(2026, 3, 16), utc(2026, 4, 13))
    assert hand_offs(found) == [
        ("ada", utc(2026, 3, 16, 8)),  # 09:00 CET
        ("bob", utc(2026, 3, 23, 8)),  # 09:00 CET
        ("cy", utc(2026, 3, 30, 7)),  # 09:00 CEST
        ("ada", utc(2026, 4, 6, 7)),  # 09:00 CEST
    ]
    assert found[1].end - found[1].start == timedelta(hours=167)  # the week that loses an hour


def test_weekly_hand_off_stays_at_nine_local_across_the_october_change():
    found = shifts(BERLIN_WEEKLY, utc(2026, 10, 19, 7), utc(2026, 11, 2))
    assert hand_offs(found) == [("bob", utc(2026, 10, 19, 7)), ("cy", utc(2026, 10, 26, 8))]
    assert found[0].end - found[0].start == timedelta(hours=169)
    assert on_call_at(BERLIN_WEEKLY, utc(2026, 10, 26, 7, 59)) == "bob"
    assert on_call_at(BERLIN_WEEKLY, utc(2026, 10, 26, 8)) == "cy"


def test_next_boundary_is_the_next_hand_off_in_local_time():
    assert next_boundary(BERLIN_WEEKLY, utc(2026, 3, 24)) == utc(2026, 3, 30, 7)
    assert next_boundary(BERLIN_WEEKLY, utc(2026, 3, 1)) == utc(2026, 3, 16, 8)


def test_nobody_is_on_call_before_the_first_hand_off():
    assert on_call_at(BERLIN_WEEKLY, utc(2026, 3, 16, 7, 59)) is None
    assert shifts(BERLIN_WEEKLY, utc(2026, 3, 1), utc(2026, 3, 16, 8)) == []


def test_daily_rotation_with_length_three_changes_every_third_day():
    daily = rotation("daily", utc(2026, 1, 5), "ada", "bob", length=3)
    assert hand_offs(shifts(daily, utc(2026, 1, 5), utc(2026, 1, 14))) == [
        ("ada", utc(2026, 1, 5)),
        ("bob", utc(2026, 1, 8)),
        ("ada", utc(2026, 1, 11)),
    ]


def test_hourly_rotation_counts_real_hours_through_a_change_of_offset():
    hourly = rotation("hourly", utc(2026, 3, 29, 0), "ada", "bob", zone=BERLIN, length=2)
    found = shifts(hourly, utc(2026, 3, 29, 0), utc(2026, 3, 29, 6))
    assert [(s.user_id, s.start, s.end) for s in found] == [
        ("ada", utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)),
        ("bob", utc(2026, 3, 29, 2), utc(2026, 3, 29, 4)),
        ("ada", utc(2026, 3, 29, 4), utc(2026, 3, 29, 6)),
    ]


def test_a_hand_off_time_skipped_by_the_clocks_happens_when_they_jump():
    # 02:30 does not exist in Berlin on 29 March 2026: the clocks go from 02:00 to 03:00 CEST.
    daily = rotation("daily", utc(2026, 3, 27, 1, 30), "ada", "bob", zone=BERLIN)
    assert hand_offs(shifts(daily, utc(2026, 3, 28, 1, 30), utc(2026, 3, 31))) == [
        ("bob", utc(2026, 3, 28, 1, 30)),  # 02:30 CET
        ("ada", utc(2026, 3, 29, 1, 0)),  # the jump, 03:00 CEST
        ("bob", utc(2026, 3, 30, 0, 30)),  # 02:30 CEST
    ]


def test_a_hand_off_time_that_happens_twice_is_the_first_one():
    assert to_instant(datetime(2026, 10, 25, 2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)  # CEST
    daily = rotation("daily", utc(2026, 10, 24, 0, 30), "ada", "bob", zone=BERLIN)
    assert hand_offs(shifts(daily, utc(2026, 10, 25, 0, 30), utc(2026, 10, 27))) == [
        ("bob", utc(2026, 10, 25, 0, 30)),
        ("ada", utc(2026, 10, 26, 1, 30)),  # 02:30 CET
    ]


def test_a_none_participant_is_a_gap_with_no_one_on_call():
    gapped = rotation("daily", utc(2026, 1, 5), "ada", None, "bob")
    assert on_call_at(gapped, utc(2026, 1, 6, 12)) is None
    assert hand_offs(shifts(gapped, utc(2026, 1, 5), utc(2026, 1, 8))) == [
        ("ada", utc(2026, 1, 5)),
        ("bob", utc(2026, 1, 7)),
    ]


def test_no_one_is_on_call_from_the_end_date_on():
    ending = rotation("daily", utc(2026, 1, 5), "ada", "bob", end=utc(2026, 1, 6, 12))
    assert on_call_at(ending, utc(2026, 1, 6, 11, 59)) == "bob"
    assert on_call_at(ending, utc(2026, 1, 6, 12)) is None
    assert next_boundary(ending, utc(2026, 1, 6, 6)) == utc(2026, 1, 6, 12)
    assert next_boundary(ending, utc(2026, 1, 7)) is None
    assert shifts(ending, utc(2026, 1, 1), utc(2026, 2, 1))[-1] == RotationShift(
        "bob", utc(2026, 1, 6), utc(2026, 1, 6, 12)
    )


NIGHTS = {"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0}}


def test_time_of_day_restriction_wrapping_midnight_covers_the_nights_only():
    nights = rotation("weekly", utc(2026, 1, 5, 9), "ada", restriction=NIGHTS)
    assert on_call_at(nights, utc(2026, 1, 5, 21, 59)) is None
    assert on_call_at(nights, utc(2026, 1, 5, 22)) == "ada"
    assert on_call_at(nights, utc(2026, 1, 6, 5, 59)) == "ada"
    assert on_call_at(nights, utc(2026, 1, 6, 6)) is None
    assert [(s.start, s.end) for s in shifts(nights, utc(2026, 1, 5), utc(2026, 1, 7))] == [
        (utc(2026, 1, 5, 22), utc(2026, 1, 6, 6)),
        (utc(2026, 1, 6, 22), utc(2026, 1, 7)),
    ]
    assert next_boundary(nights, utc(2026, 1, 6, 12)) == utc(2026, 1, 6, 22)


def test_time_of_day_restriction_is_local_time_and_hand_offs_cut_it():
    days = {
        "type": "time-of-day",
        "restriction": {"startHour": 8, "startMin": 30, "endHour": 17, "endMin": 0},
    }
    daily = rotation("daily", utc(2026, 3, 28, 11), "ada", "bob", zone=BERLIN, restriction=days)
    found = shifts(daily, utc(2026, 3, 28), utc(2026, 3, 30))
    assert [(s.user_id, s.start, s.end) for s in found] == [
        ("ada", utc(2026, 3, 28, 11), utc(2026, 3, 28, 16)),  # hand-off 12:00 CET .. 17:00 CET
        ("ada", utc(2026, 3, 29, 6, 30), utc(2026, 3, 29, 10)),  # 08:30 CEST .. hand-off 12:00 CEST
        ("bob", utc(2026, 3, 29, 10), utc(2026, 3, 29, 15)),  # .. 17:00 CEST
    ]


WORK_WEEK = {
    "type": "weekday-and-time-of-day",
    "restrictions": [
        {"startDay": "monday", "startHour": 9, "startMin": 0, "endDay": "friday", "endHour": 17, "endMin": 0}
    ],
}
WEEKENDS = {
    "type": "weekday-and-time-of-day",
    "restrictions": [
        {"startDay": "friday", "startHour": 18, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 0}
    ],
}


def test_weekday_restriction_is_one_stretch_from_start_day_to_end_day():
    weekdays = rotation("weekly", utc(2026, 1, 5), "ada", restriction=WORK_WEEK)
    assert on_call_at(weekdays, utc(2026, 1, 5, 8, 59)) is None  # Monday before 09:00
    assert on_call_at(weekdays, utc(2026, 1, 7, 3)) == "ada"  # Wednesday night: inside the stretch
    assert on_call_at(weekdays, utc(2026, 1, 9, 17)) is None  # Friday 17:00
    assert on_call_at(weekdays, utc(2026, 1, 10, 12)) is None  # Saturday
    assert [(s.start, s.end) for s in shifts(weekdays, utc(2026, 1, 5), utc(2026, 1, 12))] == [
        (utc(2026, 1, 5, 9), utc(2026, 1, 9, 17))
    ]


def test_weekday_restriction_wraps_over_the_weekend():
    weekends = rotation("daily", utc(2026, 1, 2, 18), "ada", "bob", length=7, restriction=WEEKENDS)
    assert on_call_at(weekends, utc(2026, 1, 4, 3)) == "ada"  # Sunday
    assert on_call_at(weekends, utc(2026, 1, 5, 8)) is None  # Monday 08:00
    assert hand_offs(shifts(weekends, utc(2026, 1, 1), utc(2026, 1, 17))) == [
        ("ada", utc(2026, 1, 2, 18)),
        ("bob", utc(2026, 1, 9, 18)),
        ("ada", utc(2026, 1, 16, 18)),
    ]


def test_shifts_can_keep_their_full_length_past_the_window():
    daily = rotation("daily", utc(2026, 1, 5), "ada", "bob")
    found = shifts(daily, utc(2026, 1, 5, 12), utc(2026, 1, 6, 1), clip=False)
    assert [(s.start, s.end) for s in found] == [
        (utc(2026, 1, 5), utc(2026, 1, 6)),
        (utc(2026, 1, 6), utc(2026, 1, 7)),
    ]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"type": "sometimes"}, "timeRestriction.type"),
        (
            {"type": "time-of-day", "restriction": {"startHour": 25, "endHour": 6}},
            "timeRestriction.restriction.startHour",
        ),
        (
            {"type": "time-of-day", "restriction": {"startHour": 6, "endHour": 6}},
            "timeRestriction.restriction",
        ),
        ({"type": "weekday-and-time-of-day", "restrictions": []}, "timeRestriction.restrictions"),
        (
            {"type": "weekday-and-time-of-day", "restrictions": [{"startDay": "funday", "endDay": "monday"}]},
            "timeRestriction.restrictions[0].startDay",
        ),
    ],
)
def test_malformed_restrictions_name_the_field(document, field):
    with pytest.raises(InvalidInput) as raised:
        restrictions.parse(document)
    assert raised.value.field == field


def test_a_restriction_covering_the_whole_week_is_no_restriction():
    always = {
        "type": "time-of-day",
        "restriction": {"startHour": 0, "startMin": 0, "endHour": 24, "endMin": 0},
    }
    assert restrictions.parse(always) is None


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "Europe/Berlin "])
def test_only_real_iana_time_zones_are_accepted(name):
    with pytest.raises(InvalidInput):
        zone_named(name)
    assert zone_named("America/New_York").key == "America/New_York"
