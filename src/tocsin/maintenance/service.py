"""Creating, changing and ending maintenance windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from tocsin import clock, config_version
from tocsin.actors import Actor, require_to_manage
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.integrations.models import Integration
from tocsin.maintenance.models import Maintenance, MaintenanceRule
from tocsin.maintenance.schemas import EntityRef, MaintenancePayload, MaintenanceTime
from tocsin.names import name_key
from tocsin.policies.models import Policy

DURATIONS = {
    "for-5-minutes": timedelta(minutes=5),
    "for-30-minutes": timedelta(minutes=30),
    "for-1-hour": timedelta(hours=1),
}
LISTS = ("all", "past", "non-expired")


@dataclass(frozen=True)
class Entity:
    type: str
    id: str
    name: str
    team_id: str | None


def status_of(window: Maintenance, now: datetime) -> str:
    """planned, active, past or cancelled, as Opsgenie names them."""
    if window.cancelled_at is not None:
        return "cancelled"
    if now < window.start_at:
        return "planned"
    if window.end_at is not None and window.end_at <= now:
        return "past"
    return "active"


def _window_times(time: MaintenanceTime, now: datetime) -> tuple[datetime, datetime | None]:
    if time.type == "schedule":
        assert time.start_date is not None and time.end_date is not None
        if time.end_date <= now:
            raise InvalidInput("time.endDate", "endDate is in the past; a maintenance window must end later")
        return time.start_date, time.end_date
    if time.type == "indefinitely":
        return now, None
    return now, now + DURATIONS[time.type]


def _found(session: Session, entity_type: str, *, entity_id: str | None, name: str | None) -> Entity | None:
    found: Integration | Policy | None
    if entity_type == "integration":
        found = (
            session.get(Integration, entity_id)
            if entity_id
            else session.scalars(
                select(Integration).where(Integration.name_key == name_key(name or ""))
            ).first()
        )
    else:
        found = (
            session.get(Policy, entity_id)
            if entity_id
            else session.scalars(select(Policy).where(Policy.name_key == name_key(name or ""))).first()
        )
    return Entity(entity_type, found.id, found.name, found.team_id) if found is not None else None


def _entity(session: Session, ref: EntityRef, field: str) -> Entity:
    found = _found(session, ref.type, entity_id=ref.id, name=ref.name)
    if found is None:
        raise InvalidInput(field, f"no {ref.type} {ref.id or ref.name!r}")
    return found


def _rules(session: Session, actor: Actor, payload: MaintenancePayload) -> list[tuple[str, Entity]]:
    rules: list[tuple[str, Entity]] = []
    seen: set[tuple[str, str]] = set()
    for position, rule in enumerate(payload.rules):
        entity = _entity(session, rule.entity, f"rules[{position}].entity")
        if (entity.type, entity.id) in seen:
            raise InvalidInput(f"rules[{position}]", f"{entity.type} {entity.name!r} is listed twice")
        seen.add((entity.type, entity.id))
        require_to_manage(actor, entity.team_id, what=f"{entity.type} {entity.name}")
        rules.append((rule.state, entity))
    return rules


def create_maintenance(session: Session, *, actor: Actor, payload: MaintenancePayload) -> Maintenance:
    now = clock.now()
    start, end = _window_times(payload.time, now)
    rules = _rules(session, actor, payload)
    window = Maintenance(
        description=payload.description,
        start_at=start,
        end_at=end,
        time_type=payload.time.type,
        created_at=now,
    )
    session.add(window)
    session.flush()
    _store_rules(session, window, rules)
    config_version.bump(session)
    return window


def update_maintenance(
    session: Session, *, actor: Actor, window: Maintenance, payload: MaintenancePayload
) -> Maintenance:
    now = clock.now()
    if status_of(window, now) in ("past", "cancelled"):
        raise Conflict(f"maintenance {window.id} is {status_of(window, now)}; it cannot be changed")
    _require_to_manage_rules(session, actor, window)
    start, end = _window_times(payload.time, now)
    rules = _rules(session, actor, payload)
    if status_of(window, now) == "active" and payload.time.type != "schedule":
        start = window.start_at  # an active window keeps its start; the new duration counts from now
    window.description, window.start_at, window.end_at = payload.description, start, end
    window.time_type = payload.time.type
    session.execute(delete(MaintenanceRule).where(MaintenanceRule.maintenance_id == window.id))
    _store_rules(session, window, rules)
    config_version.bump(session)
    return window


def cancel_maintenance(session: Session, *, actor: Actor, window: Maintenance) -> Maintenance:
    """End an active or planned window now; everything it switched counts as before at once."""
    now = clock.now()
    status = status_of(window, now)
    if status in ("past", "cancelled"):
        raise Conflict(f"maintenance {window.id} is already {status}")
    _require_to_manage_rules(session, actor, window)
    window.cancelled_at = now
    config_version.bump(session)
    return window


def delete_maintenance(session: Session, *, actor: Actor, window: Maintenance) -> None:
    _require_to_manage_rules(session, actor, window)
    session.delete(window)
    session.flush()
    config_version.bump(session)


def _store_rules(session: Session, window: Maintenance, rules: list[tuple[str, Entity]]) -> None:
    session.add_all(
        MaintenanceRule(maintenance_id=window.id, entity_type=entity.type, entity_id=entity.id, state=state)
        for state, entity in rules
    )
    session.flush()


def _require_to_manage_rules(session: Session, actor: Actor, window: Maintenance) -> None:
    for _state, entity in rules_of(session, window):
        require_to_manage(actor, entity.team_id, what=f"{entity.type} {entity.name}")


def get_maintenance(session: Session, maintenance_id: str) -> Maintenance:
    window = session.get(Maintenance, maintenance_id)
    if window is None:
        raise NotFound(f"No maintenance with id {maintenance_id}")
    return window


def list_maintenance(session: Session, *, which: str = "non-expired") -> list[Maintenance]:
    if which not in LISTS:
        raise InvalidInput("type", f"type must be one of {', '.join(LISTS)}, got {which!r}")
    now = clock.now()
    query = select(Maintenance).order_by(Maintenance.start_at, Maintenance.created_at)
    ended = or_(
        Maintenance.cancelled_at.is_not(None),
        and_(Maintenance.end_at.is_not(None), Maintenance.end_at <= now),
    )
    if which == "past":
        query = query.where(ended)
    elif which == "non-expired":
        query = query.where(~ended)
    return list(session.scalars(query))


def rules_of(session: Session, window: Maintenance) -> list[tuple[str, Entity]]:
    found = []
    for rule in session.scalars(
        select(MaintenanceRule)
        .where(MaintenanceRule.maintenance_id == window.id)
        .order_by(MaintenanceRule.id)
    ):
        entity = _found(session, rule.entity_type, entity_id=rule.entity_id, name=None) or Entity(
            rule.entity_type, rule.entity_id, "(deleted)", None
        )
        found.append((rule.state, entity))
    return found
