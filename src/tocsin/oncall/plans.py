"""A schedule's shifts and on-call sets over time, from its rotations and overrides (pure).

Everyone on call in any rotation is on call (cumulative). While an override is active, its user
is on call and the rotations it covers (all of them when it names none) contribute no one, even
where such a rotation has a gap or is outside its time restriction. A disabled schedule has no
one on call.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tocsin.oncall import rotations
from tocsin.oncall.rotations import Rotation

HORIZONS = (timedelta(days=8), timedelta(days=64), timedelta(days=400))
"""How far to look for the moment an on-call set changes, widening only when nothing is found."""


@dataclass(frozen=True)
class PlannedRotation:
    id: str
    name: str
    rotation: Rotation


@dataclass(frozen=True)
class PlannedOverride:
    id: str
    alias: str
    user_id: str
    start: datetime
    end: datetime
    rotation_ids: frozenset[str]
    """The rotations it replaces; empty for all of them."""

    def covers(self, rotation_id: str) -> bool:
        return not self.rotation_ids or rotation_id in self.rotation_ids


@dataclass(frozen=True)
class Plan:
    """What decides a schedule's on-call: loaded once, then asked about any instant."""

    schedule_id: str
    enabled: bool
    rotations: tuple[PlannedRotation, ...]
    overrides: tuple[PlannedOverride, ...]


@dataclass(frozen=True)
class Shift:
    user_id: str
    start: datetime
    end: datetime
    schedule_id: str
    rotation_id: str | None = None
    rotation_name: str | None = None
    override_alias: str | None = None
    order: int = 0
    """Where the source stands in the schedule: rotations in order, then overrides."""

    @property
    def source(self) -> str:
        return "override" if self.override_alias is not None else "rotation"


@dataclass(frozen=True)
class OnCall:
    user_ids: list[str]
    until: datetime | None = None
    """When it changes (None: not within the next year or so)."""
    since: datetime | None = None
    """When this set of people came on call (None: not within the last year or so)."""


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    user_ids: tuple[str, ...] = field(default=())


def plan_shifts(plan: Plan, start: datetime, end: datetime, *, clip: bool = True) -> list[Shift]:
    """Every shift overlapping ``[start, end)``, by start time."""
    if not plan.enabled or start >= end:
        return []
    found: list[Shift] = []
    for order, planned in enumerate(plan.rotations):
        covering = _joined([(o.start, o.end) for o in plan.overrides if o.covers(planned.id)])
        for piece in rotations.shifts(planned.rotation, start, end, clip=False):
            for begins, ends in _without(piece.start, piece.end, covering):
                found.append(
                    Shift(
                        piece.user_id, begins, ends, plan.schedule_id, planned.id, planned.name, order=order
                    )
                )
    for number, override in enumerate(plan.overrides, start=len(plan.rotations)):
        found.append(
            Shift(
                override.user_id,
                override.start,
                override.end,
                plan.schedule_id,
                override_alias=override.alias,
                order=number,
            )
        )
    kept = [shift for shift in found if shift.end > start and shift.start < end]
    if clip:
        kept = [_clipped(shift, start, end) for shift in kept]
    return sorted(kept, key=lambda shift: (shift.start, shift.order, shift.end, shift.user_id))


def _clipped(shift: Shift, start: datetime, end: datetime) -> Shift:
    if shift.start >= start and shift.end <= end:
        return shift
    return Shift(
        shift.user_id,
        max(shift.start, start),
        min(shift.end, end),
        shift.schedule_id,
        shift.rotation_id,
        shift.rotation_name,
        shift.override_alias,
        shift.order,
    )


def _joined(holes: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The same stretches of time as ``holes``, as disjoint ones in order."""
    joined: list[tuple[datetime, datetime]] = []
    for begins, ends in sorted(holes):
        if joined and begins <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], ends))
        else:
            joined.append((begins, ends))
    return joined


def _without(
    start: datetime, end: datetime, holes: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` less the disjoint, ordered ``holes`` (from ``_joined``)."""
    pieces = []
    # The first hole that may reach into [start, end): the last one starting before ``start``.
    first = max(bisect.bisect_left(holes, (start,)) - 1, 0)
    for hole_start, hole_end in holes[first:]:
        if hole_start >= end:
            break
        if hole_end <= start:
            continue
        if start < hole_start:
            pieces.append((start, hole_start))
        start = max(start, hole_end)
    if start < end:
        pieces.append((start, end))
    return pieces


def segments(shifts: list[Shift], start: datetime, end: datetime) -> list[Segment]:
    """``[start, end)`` cut where the on-call set changes; consecutive equal sets are one segment."""
    changes: dict[datetime, list[tuple[int, Shift]]] = {}
    for shift in shifts:
        changes.setdefault(max(shift.start, start), []).append((1, shift))
        changes.setdefault(min(shift.end, end), []).append((-1, shift))
    active: Counter[tuple[int, str]] = Counter()
    found: list[Segment] = []
    moments = sorted({start, end, *changes})
    for begins, ends in itertools.pairwise(moments):
        for delta, shift in changes.get(begins, []):
            active[(shift.order, shift.user_id)] += delta
        user_ids = tuple(dict.fromkeys(user for (_, user), count in sorted(active.items()) if count > 0))
        if found and set(found[-1].user_ids) == set(user_ids):
            found[-1] = Segment(found[-1].start, ends, found[-1].user_ids)
        else:
            found.append(Segment(begins, ends, user_ids))
    return found


def _segments_around(plan: Plan, start: datetime, end: datetime) -> list[Segment]:
    return segments(plan_shifts(plan, start, end), start, end)


def people_at(plan: Plan, at: datetime) -> list[str]:
    """Who is on call at ``at`` (without looking for when that changes)."""
    return list(_segments_around(plan, at, at + timedelta(microseconds=1))[-1].user_ids)


def current(plan: Plan, at: datetime) -> OnCall:
    """Who is on call at ``at``, since when, and until when that set stays the same."""
    since = until = None
    for horizon in HORIZONS:
        now = _segments_around(plan, at - horizon, at + timedelta(microseconds=1))[-1]
        since = _after(now.start, at - horizon)
        if since is not None:
            break
    for horizon in HORIZONS:
        until = _before(_segments_around(plan, at, at + horizon)[0].end, at + horizon)
        if until is not None:
            break
    return OnCall(list(now.user_ids), until=until, since=since)


def _wanted(exact: bool) -> Callable[[Segment], bool]:
    return (lambda segment: True) if exact else (lambda segment: bool(segment.user_ids))


def following(plan: Plan, at: datetime, *, exact: bool = False) -> OnCall:
    """The set after the one on call at ``at``: the very next one if ``exact`` (it may be no one),
    else the next that has someone on call."""
    wanted = _wanted(exact)
    for horizon in HORIZONS:
        found = _segments_around(plan, at, at + horizon)
        segment = next((segment for segment in found[1:] if wanted(segment)), None)
        if segment is not None and (segment.end < at + horizon or horizon == HORIZONS[-1]):
            until = _before(segment.end, at + horizon)
            return OnCall(list(segment.user_ids), until=until, since=segment.start)
    return OnCall([])


def preceding(plan: Plan, at: datetime, *, exact: bool = False) -> OnCall:
    """The set before the one on call at ``at`` (see :func:`following`)."""
    wanted = _wanted(exact)
    for horizon in HORIZONS:
        found = _segments_around(plan, at - horizon, at + timedelta(microseconds=1))
        segment = next((segment for segment in reversed(found[:-1]) if wanted(segment)), None)
        if segment is not None and (segment.start > at - horizon or horizon == HORIZONS[-1]):
            since = _after(segment.start, at - horizon)
            return OnCall(list(segment.user_ids), until=segment.end, since=since)
    return OnCall([])


def _before(moment: datetime, limit: datetime) -> datetime | None:
    return moment if moment < limit else None


def _after(moment: datetime, limit: datetime) -> datetime | None:
    return moment if moment > limit else None
