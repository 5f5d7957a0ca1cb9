"""A schedule's timeline laid out for a window: one row per rotation (its layer as the rotation
alone gives it, with the hours its time restriction leaves out), a row of overrides and the
final "On call" row, each a list of bars with an offset and a width in percent of the window,
in lanes where bars overlap. Pure (a ``Plan`` in, rows out), so any page can draw it as SVG
and the benchmark can time it alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tocsin.oncall import plans, restrictions, rotations
from tocsin.oncall.plans import Plan, PlannedRotation
from tocsin.oncall.wallclock import to_instant, wall
from tocsin.web.schedule_window import Window

COLOURS = 8
"""Colour classes ``person-0`` … ``person-7`` in schedule.css, one per person on the page."""
EXCLUDED = -1
TO = "\u2013"
"""The en dash between the two ends of a stretch of time."""


@dataclass(frozen=True)
class Span:
    """Someone (or, for EXCLUDED, no one) from ``start`` to ``end``."""

    user_id: str
    start: datetime
    end: datetime
    source: str = ""


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    lane: int
    label: str
    colour: int
    """A person's colour class number, or EXCLUDED for hours a restriction leaves out."""
    title: str


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    """"rotation", "overrides" or "final"."""
    bars: list[Bar]
    lanes: int
    rotation_id: str | None = None


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ListedShift:
    name: str
    start: str
    end: str
    start_iso: str
    end_iso: str
    colour: int


@dataclass(frozen=True)
class Timeline:
    rows: list[Row]
    ticks: list[Tick]
    shifts: list[ListedShift]
    """The final row's shifts, in order: what a phone or a screen reader reads."""
    now_x: float | None


def moment_text(at: datetime, window: Window, time_pattern: str) -> str:
    """ "Mon 9 Mar 09:00" on the window's wall clock."""
    local = at.astimezone(window.zone)
    return f"{local:%a} {local.day} {local:%b} {local.strftime(time_pattern)}"


def lay_out(
    plan: Plan,
    window: Window,
    names: dict[str, str],
    *,
    rotation_names: Sequence[tuple[str, str]] = (),
    time_pattern: str = "%H:%M",
    now: datetime | None = None,
) -> Timeline:
    """The rows for ``plan`` in ``window``. ``rotation_names``: (id, name) of every rotation in
    order, those without participants (and so not in the plan) included; ``names``: who is who."""
    colours = _colours(plan)
    planned = {rotation.id: rotation for rotation in plan.rotations}
    order = list(rotation_names) or [(rotation.id, rotation.name) for rotation in plan.rotations]
    drawn = _Drawing(window, names, colours, time_pattern)
    rows = [
        Row(name, "rotation", *drawn.bars(_layer(planned[rotation_id], window)), rotation_id=rotation_id)
        if rotation_id in planned
        else Row(name, "rotation", [], 1, rotation_id=rotation_id)
        for rotation_id, name in order
    ]
    overrides = [
        Span(override.user_id, override.start, override.end, "override")
        for override in plan.overrides
        if override.end > window.start and override.start < window.end
    ]
    rows.append(Row("Overrides", "overrides", *drawn.bars(overrides)))
    final = _merged(plans.plan_shifts(plan, window.start, window.end, clip=False))
    rows.append(Row("On call", "final", *drawn.bars(final)))
    shown_now = now is not None and window.start <= now < window.end
    return Timeline(
        rows=rows,
        ticks=ticks(window, time_pattern),
        shifts=[drawn.listed(span) for span in final],
        now_x=window.x(now) if shown_now and now is not None else None,
    )


class _Drawing:
    def __init__(self, window: Window, names: dict[str, str], colours: dict[str, int], pattern: str):
        self.window, self.names, self.colours, self.pattern = window, names, colours, pattern
        self.texts: dict[datetime, str] = {}

    def text(self, at: datetime) -> str:
        """``moment_text``, once per moment: neighbouring shifts share their ends."""
        found = self.texts.get(at)
        if found is None:
            found = self.texts[at] = moment_text(at, self.window, self.pattern)
        return found

    def when(self, span: Span) -> str:
        return f"{self.text(span.start)} {TO} {self.text(span.end)}"

    def bars(self, spans: Iterable[Span]) -> tuple[list[Bar], int]:
        """The bars of ``spans`` and how many lanes they need (at least one)."""
        lane_ends: list[datetime] = []
        found = []
        zone = self.window.zone_name
        for span in sorted(spans, key=lambda span: (span.start, span.end)):
            lane = next((n for n, ends in enumerate(lane_ends) if ends <= span.start), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(span.end)
            lane_ends[lane] = span.end
            x = self.window.x(span.start)
            if span.user_id:
                name = self.names.get(span.user_id, "?")
                colour = self.colours.get(span.user_id, 0)
                title = f"{name} · {self.when(span)} ({zone})"
            else:
                name, colour = "", EXCLUDED
                title = f"No one: outside the time restriction · {self.when(span)} ({zone})"
            found.append(Bar(x, round(self.window.x(span.end) - x, 4), lane, name, colour, title))
        return found, max(len(lane_ends), 1)

    def listed(self, span: Span) -> ListedShift:
        return ListedShift(
            name=self.names.get(span.user_id, "?"),
            start=self.text(span.start),
            end=self.text(span.end),
            start_iso=span.start.isoformat(),
            end_iso=span.end.isoformat(),
            colour=self.colours.get(span.user_id, 0),
        )


def _colours(plan: Plan) -> dict[str, int]:
    """Each person a colour, in the order they appear in the schedule (the same whatever the window)."""
    order: dict[str, int] = {}
    people = [p for rotation in plan.rotations for p in rotation.rotation.participants]
    for user_id in [*people, *(override.user_id for override in plan.overrides)]:
        if user_id is not None and user_id not in order:
            order[user_id] = len(order) % COLOURS
    return order


def _layer(planned: PlannedRotation, window: Window) -> list[Span]:
    """The rotation alone: its shifts, and the hours its restriction leaves out while it runs."""
    rotation = planned.rotation
    spans = [
        Span(shift.user_id, shift.start, shift.end, "rotation")
        for shift in rotations.shifts(rotation, window.start, window.end, clip=False)
    ]
    if rotation.restriction is None:
        return spans
    low = max(window.start, rotation.start)
    high = window.end if rotation.end is None else min(window.end, rotation.end)
    if low >= high:
        return spans
    allowed = restrictions.windows(rotation.restriction, rotation.zone, low, high)
    gap_start = low
    for begins, ends in allowed:
        if begins > gap_start:
            spans.append(Span("", gap_start, min(begins, high)))
        gap_start = max(gap_start, ends)
    if gap_start < high:
        spans.append(Span("", gap_start, high))
    return spans


def _merged(shifts: list[plans.Shift]) -> list[Span]:
    """One span per person while they are on call without a break (a rotation's shift running
    into their own override is one stretch)."""
    by_person: dict[str, list[Span]] = {}
    for shift in sorted(shifts, key=lambda shift: (shift.start, shift.end)):
        mine = by_person.setdefault(shift.user_id, [])
        if mine and shift.start <= mine[-1].end:
            last = mine[-1]
            mine[-1] = Span(last.user_id, last.start, max(last.end, shift.end), last.source)
        else:
            mine.append(Span(shift.user_id, shift.start, shift.end, shift.source))
    return sorted((span for spans in by_person.values() for span in spans), key=lambda s: (s.start, s.end))


def ticks(window: Window, time_pattern: str) -> list[Tick]:
    """Marks along the top: every 3 hours of the wall clock for a day, else each local day."""
    if window.view == "day":
        day = wall(window.start, window.zone).replace(hour=0, minute=0)
        moments = [to_instant(day + timedelta(hours=hours), window.zone) for hours in range(0, 24, 3)]
        labels = [moment.astimezone(window.zone).strftime(time_pattern) for moment in moments]
    else:
        moments = [window.day_start(day) for day in window.local_days()]
        short = window.view == "month"
        labels = [str(day.day) if short else f"{day:%a} {day.day}" for day in window.local_days()]
    return [Tick(window.x(moment), label) for moment, label in zip(moments, labels, strict=True)]
