"""After an import: does Tocsin put the same people on call as Opsgenie over the next 14 days?

For each imported schedule that Tocsin has (by name), Opsgenie's final timeline (rotations with
overrides applied; one request per schedule) is laid beside Tocsin's shifts from its on-call
service, both cut at every moment either of them changes. Each stretch where the two sets of
people differ is a disagreement; consecutive stretches with the same difference are one."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tocsin import clock
from tocsin.db import Database
from tocsin.errors import TocsinError
from tocsin.importer.opsgenie_reader import OpsgenieReader, OpsgenieUnavailable
from tocsin.importer.opsgenie_source import Json
from tocsin.importer.opsgenie_source_schedules import instant, read_timeline
from tocsin.oncall import service as oncall
from tocsin.oncall.wallclock import zone_named

WEEKS = 2

People = frozenset[str]
Period = tuple[datetime, datetime, str]


@dataclass(frozen=True)
class Disagreement:
    start: datetime
    end: datetime
    opsgenie: People
    tocsin: People


@dataclass
class ScheduleCheck:
    schedule: str
    timezone: str
    start: datetime
    end: datetime
    disagreements: list[Disagreement] = field(default_factory=list)
    problem: str | None = None
    """Why the check could not be made (then ``disagreements`` says nothing)."""

    @property
    def agrees(self) -> bool:
        return self.problem is None and not self.disagreements

    def lines(self) -> list[str]:
        days = (self.end - self.start).days
        if self.problem is not None:
            return [f"warning: on-call check: {self.schedule}: not checked: {self.problem}"]
        if self.agrees:
            return [f"on-call check: {self.schedule} agrees with Opsgenie for the next {days} days"]
        zone = zone_named(self.timezone)
        return [
            f"warning: on-call check: {self.schedule}, {_when(d.start, zone)} to {_when(d.end, zone)}: "
            f"Opsgenie says {_names(d.opsgenie)}, Tocsin says {_names(d.tocsin)}"
            for d in self.disagreements
        ]


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


def _names(people: People) -> str:
    return ", ".join(sorted(people)) if people else "nobody"


def _recipient(recipient: Json) -> str:
    # A user's forwarding rule puts someone else in their place in Opsgenie's final timeline;
    # the schedule itself names the person forwarding (Tocsin forwards outside schedules too).
    forwarded = recipient.get("forwardedFrom")
    if isinstance(forwarded, dict) and (forwarded.get("name") or forwarded.get("username")):
        recipient = forwarded
    kind = str(recipient.get("type") or "user")
    name = str(recipient.get("name") or recipient.get("username") or recipient.get("id") or "?")
    return name.lower() if kind == "user" else f"{kind} {name}"


def opsgenie_periods(timeline: Json) -> list[Period]:
    """Every period of Opsgenie's final timeline (all rotations): (start, end, who)."""
    periods = []
    for rotation in (timeline.get("finalTimeline") or {}).get("rotations") or []:
        for period in rotation.get("periods") or []:
            start, end = instant(period.get("startDate")), instant(period.get("endDate"))
            if start is not None and end is not None and start < end:
                periods.append((start, end, _recipient(period.get("recipient") or {})))
    return periods


def tocsin_periods(db: Database, schedule_id: str, start: datetime, end: datetime) -> list[Period]:
    with db.read_session() as session:
        shifts = oncall.timeline(session, schedule_id, start, end)
        names = oncall.usernames(session, [shift.user_id for shift in shifts])
    return [(shift.start, shift.end, names.get(shift.user_id, shift.user_id).lower()) for shift in shifts]


def _at(periods: list[Period], moment: datetime) -> People:
    return frozenset(who for begins, ends, who in periods if begins <= moment < ends)


def compare(theirs: list[Period], ours: list[Period], start: datetime, end: datetime) -> list[Disagreement]:
    """Where the two answers differ within ``[start, end)``."""
    moments = {start, end} | {edge for b, e, _ in theirs + ours for edge in (b, e) if start < edge < end}
    found: list[Disagreement] = []
    for begins, ends in itertools.pairwise(sorted(moments)):
        opsgenie, tocsin = _at(theirs, begins), _at(ours, begins)
        if opsgenie == tocsin:
            continue
        last = found[-1] if found else None
        if last and last.end == begins and (last.opsgenie, last.tocsin) == (opsgenie, tocsin):
            found[-1] = Disagreement(last.start, ends, opsgenie, tocsin)
        else:
            found.append(Disagreement(begins, ends, opsgenie, tocsin))
    return found


def check_schedule(
    db: Database, reader: OpsgenieReader, source: Json, start: datetime
) -> ScheduleCheck | None:
    """None when Tocsin has no schedule of that name (it was not, or not yet, imported)."""
    name = str(source.get("name") or "")
    with db.read_session() as session:
        schedule = oncall.find_schedule(session, name, "name")
        if schedule is None:
            return None
        schedule_id, here, zone = schedule.id, schedule.name, schedule.timezone
    end = start + timedelta(weeks=WEEKS)
    result = ScheduleCheck(here, zone, start, end)
    try:
        timeline = read_timeline(reader, str(source.get("id")), start, WEEKS)
    except (OpsgenieUnavailable, TocsinError) as problem:
        result.problem = f"Opsgenie's timeline could not be read ({problem})"
        return result
    begins, ends = instant(timeline.get("startDate")), instant(timeline.get("endDate"))
    if (begins is not None and begins > start) or (ends is not None and ends < end):
        result.problem = (
            f"Opsgenie's timeline covers {timeline.get('startDate')} to {timeline.get('endDate')}, "
            "not the whole 14 days"
        )
        return result
    result.disagreements = compare(
        opsgenie_periods(timeline), tocsin_periods(db, schedule_id, start, end), start, end
    )
    return result


def check(db: Database, reader: OpsgenieReader, schedules: list[Json]) -> list[ScheduleCheck]:
    """Compare each schedule Tocsin has with Opsgenie, from Tocsin's now for 14 days."""
    start = clock.now().replace(microsecond=0)  # Opsgenie's dates have whole seconds
    return [found for source in schedules if (found := check_schedule(db, reader, source, start)) is not None]
