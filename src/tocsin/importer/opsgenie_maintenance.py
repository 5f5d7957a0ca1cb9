"""Opsgenie maintenance windows not yet over → Tocsin maintenance windows: description, start and
end, and what each switches on or off (integrations and policies, named by name, as Tocsin gives
them their own ids). A window keeps Opsgenie's start and end; an indefinite one, which has no end,
starts when it is imported. A window that would switch fewer things than in Opsgenie is not
imported (say which instead), and one Tocsin already has (same description, start and end) is
left as it is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present, invalid
from tocsin.importer.opsgenie_source import Json, Source
from tocsin.importer.opsgenie_source_schedules import instant
from tocsin.integrations.models import Integration
from tocsin.maintenance import service as maintenance
from tocsin.maintenance.schemas import MaintenancePayload, MaintenanceTime
from tocsin.names import name_key
from tocsin.policies.models import Policy
from tocsin.teams import service as teams

Target = tuple[str, str, str]
"""(integration or policy, owner team's name or "", name)."""


def targets(source: Source) -> dict[str, Target]:
    """What a window's rules may name, by Opsgenie id."""
    team_names = {str(team.get("id")): str(team.get("name") or "") for team in source.teams}
    found = {str(i.get("id")): ("integration", "", str(i.get("name") or "")) for i in source.integrations}
    for policy in source.policies:
        team = team_names.get(str(policy.get("teamId") or ""), "")
        found[str(policy.get("id"))] = ("policy", team, str(policy.get("name") or ""))
    return found


def _time(window: Json, now: datetime) -> tuple[Json | None, str | None]:
    """The window's time as Tocsin takes it, or why it cannot be."""
    time = window.get("time") or {}
    kind = str(time.get("type") or "")
    start, end = time.get("startDate"), time.get("endDate")
    if kind == "indefinitely":
        begins = instant(start)
        if begins is not None and begins > now:
            return None, "it is an indefinite window that has not started; Tocsin starts one when it is made"
        return {"type": "indefinitely"}, None
    if not (start and end):
        return None, f"its time ({kind or 'no type'}) has no start and end"
    ends = instant(end)
    if ends is not None and ends <= now:
        return None, "it is over"
    return {"type": "schedule", "startDate": start, "endDate": end}, None


def _label(target: Target) -> str:
    kind, team, name = target
    return f"{kind} {name!r}" + (f" of team {team}" if team else "")


def _rules(
    window: Json, known: dict[str, Target], present: Present
) -> tuple[list[tuple[str, Target]], list[str]]:
    rules, reasons = [], []
    for rule in window.get("rules") or []:
        entity = rule.get("entity") or {}
        target = known.get(str(entity.get("id")))
        if target is None:
            what = f"{entity.get('type') or 'something'} {entity.get('id')!r}"
            reasons.append(f"it names {what}, which is not in this account")
            continue
        kind, team, name = target
        here = (
            name_key(name) in present.integrations
            if kind == "integration"
            else (name_key(team), name_key(name)) in present.policies
        )
        if not here:
            reasons.append(f"it switches {_label(target)}, which is neither in Tocsin nor in this import")
            continue
        rules.append((str(rule.get("state") or "disabled"), target))
    return rules, reasons


def _entity_id(session: Session, target: Target) -> str:
    kind, team, name = target
    found: str | None = None
    if kind == "integration":
        found = session.scalar(select(Integration.id).where(Integration.name_key == name_key(name)))
    elif team:
        owner = teams.find_team(session, name=team)
        if owner is not None:
            found = session.scalar(
                select(Policy.id).where(Policy.name_key == name_key(name), Policy.team_id == owner.id)
            )
    else:
        found = session.scalar(
            select(Policy.id).where(Policy.name_key == name_key(name), Policy.team_id.is_(None))
        )
    if found is None:
        raise InvalidInput("rules", f"{_label(target)} is not in Tocsin")
    return str(found)


def _create(description: str, time: Json, rules: list[tuple[str, Target]]) -> Any:
    def run(session: Session) -> None:
        body = {
            "description": description,
            "time": time,
            "rules": [
                {"state": state, "entity": {"type": target[0], "id": _entity_id(session, target)}}
                for state, target in rules
            ],
        }
        maintenance.create_maintenance(session, actor=SYSTEM, payload=MaintenancePayload.model_validate(body))

    return run


def _held(session: Session, description: str, time: Json) -> bool:
    """Tocsin has a window not yet over with this description and time."""
    start, end = instant(time.get("startDate")), instant(time.get("endDate"))
    for window in maintenance.list_maintenance(session, which="non-expired"):
        if window.description != description or (window.end_at is None) != (end is None):
            continue
        if end is None or (window.start_at == start and window.end_at == end):
            return True
    return False


def plan_maintenance(
    session: Session, source: list[Json], known: dict[str, Target], present: Present, plan: Plan
) -> None:
    now = clock.now()
    for window in source:
        description = str(window.get("description") or "")
        label = description or str(window.get("id"))
        time, why = _time(window, now)
        rules, reasons = _rules(window, known, present)
        if why:
            reasons.insert(0, why)
        if not rules and not reasons:
            reasons.append("it switches nothing")
        if reasons or time is None:
            plan.add(Change("maintenance", label, CANNOT, reasons))
            continue
        if _held(session, description, time):
            plan.add(Change("maintenance", label, SAME))
            continue
        try:
            MaintenanceTime.model_validate(time)
        except ValidationError as problem:
            plan.add(Change("maintenance", label, CANNOT, invalid(problem)))
            continue
        when = (
            "from now until cancelled"
            if time["type"] == "indefinitely"
            else f"{time['startDate']} to {time['endDate']}"
        )
        details = [when, *(f"{_label(target)} {state}" for state, target in rules)]
        notes = []
        if time["type"] == "indefinitely" and window.get("status") == "active":
            began = (window.get("time") or {}).get("startDate")
            notes.append(f"its start ({began}): it starts in Tocsin when imported")
        plan.add(Change("maintenance", label, CREATE, details, notes, _create(description, time, rules)))
