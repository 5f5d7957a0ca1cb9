"""Who is on call in a fake Opsgenie schedule, worked out from its rotations and overrides.

A small, plain model of Opsgenie's rules, which the importer compares Tocsin's answer with:
- shifts follow each other from the rotation's ``startDate`` in the schedule's time zone, each
  ``length`` days, weeks or hours of wall-clock time, so a 09:00 handoff stays at 09:00 local time
  across a DST change; participants take turns in order (a ``none`` participant is an empty shift);
- a rotation with a ``timeRestriction`` has nobody on call outside it (the shifts go on turning);
- an override with no ``rotations`` makes its user the only one on call for its period; one that
  names rotations replaces those rotations' person wherever they have someone on call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MINUTES_PER_WEEK = 7 * 24 * 60


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant as Opsgenie writes and reads them (``Z`` or an explicit offset)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return value


def _shift_step(rotation: dict[str, Any]) -> timedelta:
    units = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
    return units[rotation["type"]] * int(rotation["length"])


def _shift_index(rotation: dict[str, Any], zone: ZoneInfo, at: datetime) -> int | None:
    """The number of the shift running at ``at`` (counted in wall-clock time), or None."""
    start = parse_instant(rotation["startDate"])
    if at < start or ("endDate" in rotation and at >= parse_instant(rotation["endDate"])):
        return None
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_at = at.astimezone(zone).replace(tzinfo=None)
    return int((local_at - local_start) // _shift_step(rotation))


def _in_restriction(restriction: dict[str, Any] | None, local: datetime) -> bool:
    if not restriction:
        return True
    if restriction["type"] == "time-of-day":
        r = restriction["restriction"]
        minute = local.hour * 60 + local.minute
        begin, end = r["startHour"] * 60 + r["startMin"], r["endHour"] * 60 + r["endMin"]
        return begin <= minute < end if begin < end else minute >= begin or minute < end
    minute = local.weekday() * 24 * 60 + local.hour * 60 + local.minute
    for r in restriction["restrictions"]:
        begin = DAYS.index(r["startDay"]) * 24 * 60 + r["startHour"] * 60 + r["startMin"]
        end = DAYS.index(r["endDay"]) * 24 * 60 + r["endHour"] * 60 + r["endMin"]
        if (begin <= minute < end) if begin < end else (minute >= begin or minute < end % _MINUTES_PER_WEEK):
            return True
    return False


def rotation_participant(rotation: dict[str, Any], zone: ZoneInfo, at: datetime) -> dict[str, Any] | None:
    """The rotation's participant on call at ``at`` before overrides (None: nobody)."""
    index = _shift_index(rotation, zone, at)
    if index is None or not _in_restriction(rotation.get("timeRestriction"), at.astimezone(zone)):
        return None
    participant: dict[str, Any] = rotation["participants"][index % len(rotation["participants"])]
    return None if participant["type"] == "none" else participant


def _override_at(overrides: list[dict[str, Any]], at: datetime) -> list[dict[str, Any]]:
    return [o for o in overrides if parse_instant(o["startDate"]) <= at < parse_instant(o["endDate"])]


def on_call(schedule: dict[str, Any], overrides: list[dict[str, Any]], at: datetime) -> list[dict[str, Any]]:
    """Who is on call at ``at``, in rotation order, without repeats."""
    return [entry["participant"] for entry in on_call_by_rotation(schedule, overrides, at) if entry]


def on_call_by_rotation(
    schedule: dict[str, Any], overrides: list[dict[str, Any]], at: datetime
) -> list[dict[str, Any]]:
    """One entry per rotation that has someone on call: ``{rotation, participant, override}``."""
    zone = ZoneInfo(schedule["timezone"])
    active = _override_at(overrides, at)
    whole = [o for o in active if not o["rotations"]]
    entries: list[dict[str, Any]] = []
    if whole:
        entries.append({"rotation": None, "participant": whole[-1]["user"], "override": True})
        return entries
    seen: set[str] = set()
    for rotation in schedule["rotations"]:
        person = rotation_participant(rotation, zone, at)
        if person is None:
            continue
        override = False
        for o in active:
            if rotation["id"] in {r["id"] for r in o["rotations"]}:
                person, override = o["user"], True
        key = person.get("id") or person.get("name", "")
        if key in seen:
            continue
        seen.add(key)
        entries.append({"rotation": rotation, "participant": person, "override": override})
    return entries


def change_points(
    schedule: dict[str, Any], overrides: list[dict[str, Any]], start: datetime, end: datetime
) -> list[datetime]:
    """Every instant in [start, end) where the answer may change (a superset: shift handoffs,
    restriction edges and override edges); between two of them nobody new comes on call."""
    zone = ZoneInfo(schedule["timezone"])
    points = {start}
    day: date = (start.astimezone(zone) - timedelta(days=1)).date()
    last: date = (end.astimezone(zone) + timedelta(days=1)).date()
    while day <= last:
        for rotation in schedule["rotations"]:
            first = parse_instant(rotation["startDate"]).astimezone(zone)
            times = [first.time().replace(tzinfo=None)]
            restriction = rotation.get("timeRestriction") or {}
            for r in [restriction.get("restriction"), *restriction.get("restrictions", [])]:
                if r:
                    times += [time(r["startHour"], r["startMin"]), time(r["endHour"], r["endMin"])]
            for moment in times:
                points.add(datetime.combine(day, moment, zone).astimezone(start.tzinfo))
            for edge in ("startDate", "endDate"):
                if edge in rotation:
                    points.add(parse_instant(rotation[edge]))
        day += timedelta(days=1)
    for o in overrides:
        points.update({parse_instant(o["startDate"]), parse_instant(o["endDate"])})
    return sorted(p for p in points if start <= p < end)


def _key(entries: list[dict[str, Any]]) -> list[str]:
    return [str(e["participant"].get("id") or e["participant"].get("name")) for e in entries]


def next_on_call(
    schedule: dict[str, Any], overrides: list[dict[str, Any]], at: datetime, horizon: timedelta
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(next, exactNext)``: exactNext is who is on call at the first change after ``at``
    (possibly nobody); next is the first later set that has someone on call."""
    now = _key(on_call_by_rotation(schedule, overrides, at))
    exact: list[dict[str, Any]] | None = None
    for point in change_points(schedule, overrides, at + timedelta(seconds=1), at + horizon):
        entries = on_call_by_rotation(schedule, overrides, point)
        if _key(entries) == now:
            continue
        if exact is None:
            exact = [e["participant"] for e in entries]
        if entries:
            return [e["participant"] for e in entries], exact
        now = _key(entries)
    return [], exact or []


def _periods(
    rotation: dict[str, Any], who: Any, points: list[datetime], end: datetime
) -> list[dict[str, Any]]:
    periods: list[dict[str, Any]] = []
    for begin, until in zip(points, [*points[1:], end], strict=True):
        found = who(rotation, begin)
        if found is None:
            continue
        person, kind = found
        last = periods[-1] if periods else None
        if last and last["endDate"] == iso(begin) and last["recipient"] == person and last["type"] == kind:
            last["endDate"] = iso(until)
        else:
            periods.append(
                {"startDate": iso(begin), "endDate": iso(until), "type": kind, "recipient": person}
            )
    return periods


def iso(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline(
    schedule: dict[str, Any], overrides: list[dict[str, Any]], start: datetime, end: datetime, final: bool
) -> list[dict[str, Any]]:
    """The rotations of a ScheduleTimeline between start and end: the base one (rotations
    alone) or the final one (with overrides, periods of type ``override``)."""
    zone = ZoneInfo(schedule["timezone"])
    points = change_points(schedule, overrides, start, end)

    def who(rotation: dict[str, Any], at: datetime) -> tuple[dict[str, Any], str] | None:
        person = rotation_participant(rotation, zone, at)
        if final:
            for o in _override_at(overrides, at):
                named = {r["id"] for r in o["rotations"]}
                if not named or (person is not None and rotation["id"] in named):
                    return o["user"], "override"
        return None if person is None else (person, "default")

    return [
        {"id": r["id"], "name": r["name"], "order": float(n), "periods": _periods(r, who, points, end)}
        for n, r in enumerate(schedule["rotations"], start=1)
    ]
