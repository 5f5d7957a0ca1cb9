"""Time restrictions of a rotation, in Opsgenie's shape, as windows of the local week.

``{"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0, "endHour": 6,
"endMin": 0}}`` is every day from 22:00 to 06:00 the next morning (an end at or before the start
wraps past midnight). ``{"type": "weekday-and-time-of-day", "restrictions": [{"startDay":
"monday", "startHour": 9, "startMin": 0, "endDay": "friday", "endHour": 17, "endMin": 0}]}`` is
one stretch from Monday 09:00 to Friday 17:00 (an end before the start wraps past Sunday night).
Times are wall times of the schedule's zone; outside the windows the rotation has no one on call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tocsin.errors import InvalidInput
from tocsin.oncall.wallclock import to_instant, wall

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 24 * 60
WEEK = 7 * DAY
TYPES = ("time-of-day", "weekday-and-time-of-day")
FIELD = "timeRestriction"


@dataclass(frozen=True)
class TimeRestriction:
    windows: tuple[tuple[int, int], ...]
    """Minutes of the local week, Monday 00:00 = 0: disjoint ``[start, end)`` pairs sorted by
    start, ``0 <= start < WEEK`` and ``start < end <= start + WEEK`` (the last may run into the
    next week). Never the whole week: that is no restriction at all."""


def parse(document: dict[str, Any] | None) -> TimeRestriction | None:
    """Validate Opsgenie's shape; None when there is no restriction (or it covers every minute)."""
    if document is None:
        return None
    if not isinstance(document, dict):
        raise InvalidInput(FIELD, "timeRestriction must be an object")
    kind = document.get("type")
    if kind == "time-of-day":
        start, end = _clock(document.get("restriction"), f"{FIELD}.restriction")
        length = end - start if end > start else end + DAY - start  # ends the next day
        stretches = [(day * DAY + start, day * DAY + start + length) for day in range(7)]
    elif kind == "weekday-and-time-of-day":
        items = document.get("restrictions")
        if not isinstance(items, list) or not items:
            raise InvalidInput(f"{FIELD}.restrictions", "restrictions must be a non-empty list")
        stretches = [_weekly(item, f"{FIELD}.restrictions[{n}]") for n, item in enumerate(items)]
    else:
        raise InvalidInput(f"{FIELD}.type", f"type must be one of {', '.join(TYPES)}, got {kind!r}")
    return _normalise(stretches)


def _number(item: dict[str, Any], key: str, field: str, high: int) -> int:
    value = item.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise InvalidInput(f"{field}.{key}", f"{key} must be a whole number from 0 to {high}, got {value!r}")
    return value


def _minute(item: dict[str, Any], prefix: str, field: str) -> int:
    hour = _number(item, f"{prefix}Hour", field, 24 if prefix == "end" else 23)
    minute = _number(item, f"{prefix}Min", field, 59)
    if hour == 24 and minute:
        raise InvalidInput(f"{field}.{prefix}Min", "24:00 is the latest time of day")
    return hour * 60 + minute


def _clock(item: Any, field: str) -> tuple[int, int]:
    if not isinstance(item, dict):
        raise InvalidInput(field, "restriction must be an object with startHour, startMin, endHour, endMin")
    start, end = _minute(item, "start", field), _minute(item, "end", field)
    if start == end % DAY and end != DAY:
        raise InvalidInput(
            field, "the restriction starts and ends at the same time; leave it out for all day"
        )
    return start, end


def _day(item: dict[str, Any], key: str, field: str) -> int:
    name = item.get(key)
    if not isinstance(name, str) or name.strip().lower() not in DAYS:
        raise InvalidInput(f"{field}.{key}", f"{key} must be one of {', '.join(DAYS)}, got {name!r}")
    return DAYS.index(name.strip().lower())


def _weekly(item: Any, field: str) -> tuple[int, int]:
    if not isinstance(item, dict):
        raise InvalidInput(field, "each restriction must be an object with startDay, startHour, endDay...")
    start = _day(item, "startDay", field) * DAY + _minute(item, "start", field)
    end = (_day(item, "endDay", field) * DAY + _minute(item, "end", field)) % WEEK
    if start == end:
        raise InvalidInput(field, "the restriction starts and ends at the same moment of the week")
    return start, end if end > start else end + WEEK


def _normalise(stretches: list[tuple[int, int]]) -> TimeRestriction | None:
    covered = bytearray(WEEK)
    for start, end in stretches:
        for minute in range(start, end):
            covered[minute % WEEK] = 1
    if all(covered):
        return None
    first_free = covered.index(0)
    windows: list[tuple[int, int]] = []
    run_start: int | None = None
    for offset in range(WEEK + 1):
        minute = first_free + offset
        on = offset < WEEK and covered[minute % WEEK]
        if on and run_start is None:
            run_start = minute
        elif not on and run_start is not None:
            windows.append((run_start % WEEK, run_start % WEEK + minute - run_start))
            run_start = None
    return TimeRestriction(tuple(sorted(windows)))


def windows(
    restriction: TimeRestriction, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The instants ``[from, to)`` the restriction allows that overlap ``[start, end)``, in order,
    not cut at ``start`` or ``end``. Windows that touch (a wall-time gap swallowed by a change of
    offset) come out as one."""
    pending: tuple[datetime, datetime] | None = None
    for window in _every_window(restriction, zone, start):
        if pending is not None and window[0] <= pending[1]:
            pending = (pending[0], max(pending[1], window[1]))
            continue
        if pending is not None and pending[1] > start:
            yield pending
        if window[0] >= end:
            return
        pending = window


def _every_window(
    restriction: TimeRestriction, zone: ZoneInfo, start: datetime
) -> Iterator[tuple[datetime, datetime]]:
    local = wall(start, zone)
    monday = datetime(local.year, local.month, local.day) - timedelta(days=local.weekday() + 7)
    while True:
        for first, last in restriction.windows:
            begins = to_instant(monday + timedelta(minutes=first), zone)
            ends = to_instant(monday + timedelta(minutes=last), zone)
            if ends > begins:
                yield begins, ends
        monday += timedelta(weeks=1)


def allows(restriction: TimeRestriction, zone: ZoneInfo, at: datetime) -> bool:
    return any(begins <= at for begins, _ in windows(restriction, zone, at, at + timedelta(microseconds=1)))
