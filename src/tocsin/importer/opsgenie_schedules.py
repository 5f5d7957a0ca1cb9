"""Opsgenie schedules → Tocsin schedules with their rotations and the overrides still to come.

Rotations keep their type, length, start and end, participants in turn order (Opsgenie's
``none`` placeholder is a gap here too) and their time restriction in either of Opsgenie's
forms. Tocsin's rotations hold users only: a rotation with a team or escalation participant is
left out, with a note, rather than imported with someone missing from its turns. Overrides that
have ended are history and stay behind (a note counts them).

A schedule Tocsin already has (same name, in any case) keeps its settings and rotations; the
import adds the rotations it lacks (by name) and the overrides it lacks (by alias)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, Change, Plan
from tocsin.importer.opsgenie_source import Json
from tocsin.importer.opsgenie_source_schedules import OVERRIDES, instant
from tocsin.names import name_key
from tocsin.oncall import restrictions
from tocsin.oncall import service as oncall
from tocsin.oncall.models import Schedule
from tocsin.oncall.rotations import TYPES
from tocsin.oncall.wallclock import zone_named
from tocsin.teams import service as teams


@dataclass
class WantedRotation:
    name: str
    type: str
    length: int
    start: datetime
    end: datetime | None
    participants: list[str | None]
    """Usernames in turn order; None is a gap."""
    time_restriction: Json | None

    def as_input(self) -> oncall.RotationInput:
        return oncall.RotationInput(
            type=self.type,
            start=self.start,
            participants=[None if p is None else oncall.UserRef(username=p) for p in self.participants],
            length=self.length,
            name=self.name,
            end=self.end,
            time_restriction=self.time_restriction,
        )


@dataclass
class WantedOverride:
    alias: str
    username: str
    start: datetime
    end: datetime
    rotations: list[str]
    """Names of the rotations it replaces; empty for every rotation."""


@dataclass
class WantedSchedule:
    name: str
    description: str
    timezone: str
    enabled: bool
    owner_team: str | None
    rotations: list[WantedRotation] = field(default_factory=list)
    overrides: list[WantedOverride] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _participant(item: Json, usernames: set[str]) -> tuple[str | None, str | None]:
    """(username or None for a gap, why the rotation cannot come over)."""
    kind = str(item.get("type") or "")
    if kind == "none":
        return None, None
    if kind == "user":
        username = str(item.get("username") or item.get("name") or "").strip().lower()
        if username in usernames:
            return username, None
        return None, f"participant {username or item.get('id')!r} is not among the imported users"
    label = item.get("name") or item.get("id")
    return None, (
        f"participant {kind} {label!r}: Tocsin's rotations take turns between users only; "
        "add the people as participants, or notify the team or escalation from a routing rule"
    )


def _rotation(number: int, rotation: Json, usernames: set[str]) -> WantedRotation | str:
    """The rotation as Tocsin will hold it, or why it cannot come over."""
    kind, length = rotation.get("type"), rotation.get("length", 1)
    start, end = instant(rotation.get("startDate")), instant(rotation.get("endDate"))
    if kind not in TYPES:
        return f"type {kind!r}: Tocsin's rotations are {', '.join(TYPES)}"
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        return f"length {length!r} is not a whole number of {kind} turns"
    if start is None or (rotation.get("endDate") and end is None):
        return "its start or end date has no time zone offset"
    participants = []
    for item in rotation.get("participants") or []:
        username, problem = _participant(item, usernames)
        if problem is not None:
            return problem
        participants.append(username)
    if not participants:
        return "it has no participants"
    restriction = rotation.get("timeRestriction") or None
    try:
        restrictions.parse(restriction)
    except InvalidInput as problem:
        return f"time restriction: {problem.message}"
    name = str(rotation.get("name") or "").strip() or f"Rotation-{number}"
    return WantedRotation(name, str(kind), length, start, end, participants, restriction)


def _override(override: Json, rotation_names: dict[str, str], usernames: set[str]) -> WantedOverride | str:
    alias = str(override.get("alias") or "").strip()
    user = override.get("user") or {}
    username = str(user.get("username") or user.get("name") or "").strip().lower()
    start, end = instant(override.get("startDate")), instant(override.get("endDate"))
    if not alias or start is None or end is None:
        return (
            f"override {alias or '(no alias)'!r}: "
            "an alias, a start and an end with a time zone offset are needed"
        )
    if user.get("type", "user") != "user":
        return (
            f"override {alias!r} puts {user.get('type')} {user.get('name')!r} on call; Tocsin's are for users"
        )
    if username not in usernames:
        return f"override {alias!r}: {username or user.get('id')!r} is not among the imported users"
    named = [str(r.get("id")) for r in override.get("rotations") or []]
    rotations = [rotation_names[rotation_id] for rotation_id in named if rotation_id in rotation_names]
    if named and len(rotations) < len(named):
        # Without all its rotations it would cover others, or (with none left) every rotation.
        return f"override {alias!r} replaces a rotation that is not carried over"
    return WantedOverride(alias, username, start, end, rotations)


def wanted(source: Json, usernames: set[str], team_names: set[str], now: datetime) -> WantedSchedule | str:
    """The schedule as Tocsin will hold it, or why it cannot come over at all. ``usernames`` and
    ``team_names`` (lower case): what Tocsin has or this import creates."""
    name = str(source.get("name") or "").strip()
    if not name:
        return "it has no name"
    zone = str(source.get("timezone") or "UTC")
    try:
        zone_named(zone)
    except InvalidInput:
        return f"time zone {zone!r} is not an IANA time zone; its hand-offs would move"
    owner = str((source.get("ownerTeam") or {}).get("name") or "").strip() or None
    want = WantedSchedule(
        name, str(source.get("description") or ""), zone, bool(source.get("enabled", True)), owner
    )
    if owner is not None and owner.lower() not in team_names:
        want.notes.append(f"owner team {owner!r} is not among the imported teams: imported without an owner")
        want.owner_team = None
    rotation_names: dict[str, str] = {}
    for number, rotation in enumerate(source.get("rotations") or [], start=1):
        found = _rotation(number, rotation, usernames)
        label = rotation.get("name") or f"#{number}"
        if isinstance(found, str):
            want.notes.append(f"rotation {label!r} not imported: {found}")
            continue
        want.rotations.append(found)
        rotation_names[str(rotation.get("id"))] = found.name
    past = 0
    for override in source.get(OVERRIDES) or []:
        end = instant(override.get("endDate"))
        if end is not None and end <= now:
            past += 1
            continue
        made = _override(override, rotation_names, usernames)
        if isinstance(made, str):
            want.notes.append(made)
        else:
            want.overrides.append(made)
    if past:
        want.notes.append(
            f"{past} override(s) that have ended: history, which does not change who is on call"
        )
    return want


def _add_override(session: Session, schedule_id: str, override: WantedOverride) -> None:
    oncall.create_override(
        session,
        actor=SYSTEM,
        schedule_id=schedule_id,
        user=oncall.UserRef(username=override.username),
        start=override.start,
        end=override.end,
        rotations=[oncall.NameRef(name=name) for name in override.rotations],
        alias=override.alias,
    )


def _create(want: WantedSchedule) -> Any:
    def run(session: Session) -> None:
        schedule = oncall.create_schedule(
            session,
            actor=SYSTEM,
            name=want.name,
            description=want.description,
            timezone=want.timezone,
            enabled=want.enabled,
            owner_team=oncall.NameRef(name=want.owner_team) if want.owner_team else None,
            rotations=[rotation.as_input() for rotation in want.rotations],
        )
        for override in want.overrides:
            _add_override(session, schedule.id, override)

    return run


def _lacking(
    session: Session, schedule_id: str, want: WantedSchedule
) -> tuple[list[WantedRotation], list[WantedOverride]]:
    have = {rotation.name_key for rotation in oncall.rotations_of(session, schedule_id)}
    aliases = {override.alias for override in oncall.list_overrides(session, schedule_id)}
    return (
        [rotation for rotation in want.rotations if name_key(rotation.name) not in have],
        [override for override in want.overrides if override.alias not in aliases],
    )


def _fill(want: WantedSchedule) -> Any:
    def run(session: Session) -> None:
        schedule = oncall.schedule_named(session, want.name, "name")
        rotations, overrides = _lacking(session, schedule.id, want)
        for rotation in rotations:
            oncall.add_rotation(session, actor=SYSTEM, schedule_id=schedule.id, rotation=rotation.as_input())
        for override in overrides:
            _add_override(session, schedule.id, override)

    return run


def _differences(schedule: Schedule, want: WantedSchedule) -> list[str]:
    """What Tocsin's schedule keeps where Opsgenie's differs (it changes who is on call when)."""
    kept = []
    if schedule.timezone != want.timezone:
        kept.append(f"time zone stays {schedule.timezone!r} (Opsgenie: {want.timezone!r})")
    if schedule.enabled != want.enabled:
        state = "enabled" if schedule.enabled else "disabled"
        kept.append(f"stays {state} (Opsgenie: {'enabled' if want.enabled else 'disabled'})")
    return kept


def plan_schedules(
    session: Session, source_schedules: list[Json], usernames: set[str], team_names: set[str], plan: Plan
) -> None:
    """``usernames`` and ``team_names``: what Tocsin has or the plan creates (in lower case)."""
    now = clock.now()
    team_names = team_names | {team.name.lower() for team in teams.list_teams(session)}
    for source in source_schedules:
        want = wanted(source, usernames, team_names, now)
        if isinstance(want, str):
            plan.add(Change("schedule", str(source.get("name") or source.get("id")), CANNOT, [want]))
            continue
        schedule = oncall.find_schedule(session, want.name, "name")
        if schedule is None:
            details = [
                want.timezone,
                f"{len(want.rotations)} rotation(s)",
                f"{len(want.overrides)} override(s)",
                *([] if want.enabled else ["disabled"]),
                *([f"owner team {want.owner_team}"] if want.owner_team else []),
            ]
            plan.add(Change("schedule", want.name, CREATE, details, want.notes, _create(want)))
            continue
        rotations, overrides = _lacking(session, schedule.id, want)
        additions = [
            *(f"add rotation {rotation.name!r}" for rotation in rotations),
            *(f"add override {override.alias!r}" for override in overrides),
        ]
        plan.add_existing(
            "schedule", want.name, additions, _differences(schedule, want), want.notes, _fill(want)
        )
