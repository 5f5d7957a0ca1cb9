"""The timeline layout (pure): windows of local days that are 23 or 25 hours long across a change
of offset, bars at the wall-clock hand-off times, the hours a time restriction leaves out,
overlapping bars in lanes, and the final row merged per person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tocsin.oncall import restrictions
from tocsin.oncall.plans import Plan, PlannedOverride, PlannedRotation
from tocsin.oncall.rotations import Rotation
from tocsin.web.schedule_timeline import EXCLUDED, TO, lay_out
from tocsin.web.schedule_window import window_for

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NAMES = {"ada": "ada", "bob": "bob", "cy": "cy"}


def daily(zone: ZoneInfo, start: datetime, *people: str, restriction: dict | None = None) -> PlannedRotation:
    rotation = Rotation(
        type="daily",
        length=1,
        start=start,
        participants=people,
        zone=zone,
        restriction=restrictions.parse(restriction),
    )
    return PlannedRotation("r1", "days", rotation)


def plan(*rotations: PlannedRotation, overrides: tuple[PlannedOverride, ...] = ()) -> Plan:
    return Plan("s1", True, rotations, overrides)


def test_a_week_across_the_new_york_change_hands_off_at_nine_local_and_its_sunday_is_23_hours():
    week = window_for("week", "2027-03-08", NEW_YORK, datetime(2027, 3, 1, tzinfo=UTC))
    start = datetime(2027, 3, 8, 9, 0, tzinfo=NEW_YORK)

    timeline = lay_out(plan(daily(NEW_YORK, start, "ada", "bob")), week, NAMES)

    assert week.end - week.start == timedelta(hours=167)
    titles = [bar.title for bar in timeline.rows[0].bars]
    assert f"bob · Sat 13 Mar 09:00 {TO} Sun 14 Mar 09:00 (America/New_York)" in titles
    assert f"ada · Sun 14 Mar 09:00 {TO} Mon 15 Mar 09:00 (America/New_York)" in titles
    sunday, monday_after = timeline.ticks[6].x, 100.0
    assert round(monday_after - sunday, 4) == round(100 * 23 / 167, 4)
    assert [tick.label for tick in timeline.ticks] == [
        "Mon 8",
        "Tue 9",
        "Wed 10",
        "Thu 11",
        "Fri 12",
        "Sat 13",
        "Sun 14",
    ]


def test_a_day_view_of_the_25_hour_day_marks_every_three_wall_clock_hours():
    day = window_for("day", "2027-10-31", BERLIN, datetime(2027, 10, 1, tzinfo=UTC))

    timeline = lay_out(plan(), day, NAMES)

    assert day.end - day.start == timedelta(hours=25)
    assert [tick.label for tick in timeline.ticks] == [f"{hour:02}:00" for hour in range(0, 24, 3)]
    assert timeline.ticks[1].x == round(100 * 4 / 25, 4)  # 03:00 comes 4 hours in: 02:xx happens twice
    assert timeline.ticks[2].x == round(100 * 7 / 25, 4)


def test_hours_a_restriction_leaves_out_are_marked_and_no_one_is_on_call_then():
    week = window_for("week", "2027-03-01", BERLIN, datetime(2027, 3, 1, tzinfo=UTC))
    office = {
        "type": "time-of-day",
        "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0},
    }
    start = datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN)

    timeline = lay_out(plan(daily(BERLIN, start, "ada", restriction=office)), week, NAMES)

    bars = timeline.rows[0].bars
    shown = [bar for bar in bars if bar.colour != EXCLUDED]
    left_out = [bar for bar in bars if bar.colour == EXCLUDED]
    assert len(shown) == 7 and shown[0].title == f"ada · Mon 1 Mar 09:00 {TO} Mon 1 Mar 17:00 (Europe/Berlin)"
    assert (
        left_out[0].title
        == f"No one: outside the time restriction · Mon 1 Mar 17:00 {TO} Tue 2 Mar 09:00 (Europe/Berlin)"
    )
    assert [shift.start for shift in timeline.shifts][:2] == ["Mon 1 Mar 09:00", "Tue 2 Mar 09:00"]


def test_overlapping_overrides_take_two_lanes_and_the_final_row_merges_a_persons_stretch():
    week = window_for("week", "2027-03-01", BERLIN, datetime(2027, 3, 1, tzinfo=UTC))
    start = datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN)
    at = datetime(2027, 3, 2, 9, 0, tzinfo=BERLIN)  # ada's turn ends, bob's begins
    overrides = (
        PlannedOverride("o1", "o1", "ada", at, at + timedelta(hours=4), frozenset()),
        PlannedOverride("o2", "o2", "cy", at + timedelta(hours=2), at + timedelta(hours=6), frozenset()),
    )

    timeline = lay_out(plan(daily(BERLIN, start, "ada", "bob"), overrides=overrides), week, NAMES)

    assert timeline.rows[1].name == "Overrides" and timeline.rows[1].lanes == 2
    final = timeline.shifts
    assert (final[0].name, final[0].start, final[0].end) == ("ada", "Mon 1 Mar 09:00", "Tue 2 Mar 13:00")
    assert ("cy", "Tue 2 Mar 11:00", "Tue 2 Mar 15:00") in [(s.name, s.start, s.end) for s in final]
    assert timeline.rows[2].lanes == 2


def test_the_month_view_begins_on_the_first_and_moves_by_whole_months():
    month = window_for("month", "2027-02-17", BERLIN, datetime(2027, 1, 1, tzinfo=UTC))

    assert (month.first_day, month.days) == (date(2027, 2, 1), 28)
    assert (month.previous, month.following) == (date(2027, 1, 1), date(2027, 3, 1))


def test_without_a_start_the_week_holding_today_is_shown_from_its_monday():
    week = window_for("", None, BERLIN, datetime(2027, 3, 25, 23, 30, tzinfo=UTC))  # Friday 00:30 in Berlin

    assert (week.view, week.first_day) == ("week", date(2027, 3, 22))
