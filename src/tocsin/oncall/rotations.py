"""Who a rotation has on call, and when that changes: pure time math, no database.

A rotation hands off every ``length`` periods from ``start`` (the first hand-off):

- ``hourly`` periods are real elapsed hours;
- ``daily`` and ``weekly`` periods are counted on the wall clock of the schedule's time zone, so a
  Monday 09:00 Europe/Berlin hand-off stays at 09:00 local time on both sides of a change between
  winter and summer time (and the period across the change is an hour shorter or longer).
  Wall times that happen twice or never are read as ``tocsin.oncall.wallclock`` says.

Participants take turns in order (``None`` is a gap: no one is on call that period). Before
``start``, from ``end`` on, and outside the time restriction no one is on call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tocsin.oncall import restrictions
from tocsin.oncall.restrictions import TimeRestriction
from tocsin.oncall.wallclock import to_instant, wall

TYPES = ("daily", "weekly", "hourly")
HOUR = timedelta(hours=1)
RESTRICTION_LOOKAHEAD = timedelta(days=15)


@dataclass(frozen=True)
class Rotation:
    type: str
    length: int
    start: datetime
    participants: tuple[str | None, ...]
    zone: ZoneInfo
    end: datetime | None = None
    restriction: TimeRestriction | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"rotation type must be one of {', '.join(TYPES)}")
        if self.length < 1 or not self.participants:
            raise ValueError("a rotation needs a length of at least 1 and at least one participant")
        if self.start.tzinfo is None or (self.end is not None and self.end.tzinfo is None):
            raise ValueError("rotation dates must be aware datetimes")

    @property
    def step(self) -> timedelta:
        unit = {"hourly": HOUR, "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}[self.type]
        return unit * self.length


@dataclass(frozen=True)
class RotationShift:
    user_id: str
    start: datetime
    end: datetime


def period_start(rotation: Rotation, index: int) -> datetime:
    """When period ``index`` begins (period 0 begins at ``rotation.start``)."""
    if index == 0:
        return rotation.start
    if rotation.type == "hourly":
        return rotation.start + rotation.step * index
    return to_instant(wall(rotation.start, rotation.zone) + rotation.step * index, rotation.zone)


def period_index(rotation: Rotation, at: datetime) -> int:
    """The period ``at`` falls in (negative before the start)."""
    if rotation.type == "hourly":
        return (at - rotation.start) // rotation.step
    index = (wall(at, rotation.zone) - wall(rotation.start, rotation.zone)) // rotation.step
    while period_start(rotation, index + 1) <= at:
        index += 1
    while period_start(rotation, index) > at:
        index -= 1
    return index


def _alive(rotation: Rotation, at: datetime) -> bool:
    return rotation.start <= at and (rotation.end is None or at < rotation.end)


def on_call_at(rotation: Rotation, at: datetime) -> str | None:
    """The participant on call at ``at``, or None (a gap, outside the restriction or the dates)."""
    if not _alive(rotation, at):
        return None
    if rotation.restriction is not None and not restrictions.allows(rotation.restriction, rotation.zone, at):
        return None
    participants = rotation.participants
    return participants[period_index(rotation, at) % len(participants)]


def next_boundary(rotation: Rotation, at: datetime) -> datetime | None:
    """The first instant after ``at`` where the rotation may change hands: a hand-off, an edge of
    the restriction, the start or the end. None once the rotation has ended."""
    if at < rotation.start:
        return rotation.start
    if not _alive(rotation, at):
        return None
    candidates = [period_start(rotation, period_index(rotation, at) + 1)]
    if rotation.end is not None:
        candidates.append(rotation.end)
    if rotation.restriction is not None:
        horizon = at + RESTRICTION_LOOKAHEAD
        for begins, ends in restrictions.windows(rotation.restriction, rotation.zone, at, horizon):
            candidates.append(begins if begins > at else ends)
            break
    return min(candidates)


def shifts(rotation: Rotation, start: datetime, end: datetime, *, clip: bool = True) -> list[RotationShift]:
    """The shifts that overlap ``[start, end)``, in order; a shift is one period of one person,
    cut by the restriction windows. With ``clip=False`` shifts keep their full length."""
    low = max(start, rotation.start)
    high = end if rotation.end is None else min(end, rotation.end)
    if low >= high:
        return []
    allowed: list[tuple[datetime, datetime]] | None = None
    if rotation.restriction is not None:
        allowed = list(restrictions.windows(rotation.restriction, rotation.zone, low, high))
    found: list[RotationShift] = []
    index = period_index(rotation, low)
    begins = period_start(rotation, index)
    while begins < high:
        ends = period_start(rotation, index + 1)
        if rotation.end is not None:
            ends = min(ends, rotation.end)
        user_id = rotation.participants[index % len(rotation.participants)]
        if user_id is not None:
            pieces = [(begins, ends)] if allowed is None else _within(allowed, begins, ends)
            found += [RotationShift(user_id, piece_start, piece_end) for piece_start, piece_end in pieces]
        index, begins = index + 1, ends
    overlapping = [shift for shift in found if shift.end > start and shift.start < end]
    if clip:
        return [RotationShift(s.user_id, max(s.start, start), min(s.end, end)) for s in overlapping]
    return overlapping


def _within(
    allowed: list[tuple[datetime, datetime]], begins: datetime, ends: datetime
) -> list[tuple[datetime, datetime]]:
    return [
        (max(window_start, begins), min(window_end, ends))
        for window_start, window_end in allowed
        if window_end > begins and window_start < ends
    ]
