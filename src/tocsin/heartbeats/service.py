"""Heartbeats: a job pings its heartbeat; silence longer than the interval raises an alert
(see ``expiry``), and the next ping closes it.

The waiting period starts at creation, at each ping and when the heartbeat is enabled; a
disabled heartbeat has no expiry (``expires_at`` is None). ``expired`` means "the alarm was
raised and no ping has come since": it stays set through disabling and enabling, so the
ping that finally comes still closes the alert."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import (
    EVERYTHING,
    Actor,
    may_read_team_config,
    require_to_manage,
    require_to_read_team_config,
)
from tocsin.alerts import actions as alert_actions
from tocsin.alerts import service as alert_service
from tocsin.alerts.schemas import MESSAGE_MAX, Ref
from tocsin.alerts.service import AlertRef
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.heartbeats.door import KIND, door_actor, door_for
from tocsin.heartbeats.models import Heartbeat
from tocsin.heartbeats.schemas import HeartbeatPayload, HeartbeatUpdate, check_interval, interval_of
from tocsin.names import name_key
from tocsin.teams import service as teams

log = logging.getLogger(__name__)

ALIAS_PREFIX = "heartbeat-"


def alias_of(name: str) -> str:
    """The alias of the alert a heartbeat raises: stable, so a second expiry while the first
    alert is open only counts on it, and the ping after finds it to close."""
    return ALIAS_PREFIX + name.lower()


def interval(heartbeat: Heartbeat) -> timedelta:
    return interval_of(heartbeat.interval, heartbeat.interval_unit)


def every(heartbeat: Heartbeat) -> str:
    """The interval as people say it: "1 minute", "12 hours"."""
    unit = heartbeat.interval_unit.removesuffix("s") if heartbeat.interval == 1 else heartbeat.interval_unit
    return f"{heartbeat.interval} {unit}"


def list_heartbeats(session: Session, *, actor: Actor | None = None) -> list[Heartbeat]:
    """Every heartbeat by name; with ``actor``, only those it may see."""
    found = list(session.scalars(select(Heartbeat).order_by(Heartbeat.name_key)))
    if actor is None:
        return found
    return [heartbeat for heartbeat in found if may_see(actor, heartbeat)]


def may_see(actor: Actor, heartbeat: Heartbeat) -> bool:
    return may_read_team_config(actor, heartbeat.owner_team_id)


def require_to_see(actor: Actor, heartbeat: Heartbeat) -> None:
    require_to_read_team_config(actor, heartbeat.owner_team_id, what=f"heartbeat {heartbeat.name}")


def find_heartbeat(session: Session, name: str, *, for_update: bool = False) -> Heartbeat | None:
    query = select(Heartbeat).where(Heartbeat.name_key == name_key(name))
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def get_heartbeat(session: Session, name: str) -> Heartbeat:
    heartbeat = find_heartbeat(session, name)
    if heartbeat is None:
        raise NotFound(f"Heartbeat with name {name!r} does not exist")
    return heartbeat


def team_name(session: Session, heartbeat: Heartbeat) -> str | None:
    if heartbeat.owner_team_id is None:
        return None
    team = teams.find_team(session, team_id=heartbeat.owner_team_id)
    return team.name if team else None


def create_heartbeat(session: Session, *, actor: Actor, payload: HeartbeatPayload) -> Heartbeat:
    team_id = _team_id(session, payload.owner_team)
    require_to_manage(actor, team_id, what=_whose(session, team_id))
    existing = find_heartbeat(session, payload.name)
    if existing is not None:
        raise Conflict(f"a heartbeat named {existing.name!r} already exists")
    now = clock.now()
    heartbeat = Heartbeat(
        name=payload.name,
        description=payload.description,
        interval=payload.interval,
        interval_unit=payload.interval_unit,
        enabled=payload.enabled,
        owner_team_id=team_id,
        alert_message=payload.alert_message or f"{payload.name} is expired"[:MESSAGE_MAX],
        alert_tags=payload.alert_tags,
        alert_priority=payload.alert_priority,
        last_ping_at=None,
        expires_at=now + interval_of(payload.interval, payload.interval_unit) if payload.enabled else None,
        expired=False,
        created_at=now,
        updated_at=now,
    )
    session.add(heartbeat)
    door_for(session, team_id)  # there from the start, for people to see, disable or put in maintenance
    session.flush()
    return heartbeat


def update_heartbeat(
    session: Session, *, actor: Actor, heartbeat: Heartbeat, payload: HeartbeatUpdate
) -> Heartbeat:
    require_to_manage(actor, heartbeat.owner_team_id, what=f"heartbeat {heartbeat.name}")
    if payload.name is not None and name_key(payload.name) != heartbeat.name_key:
        raise InvalidInput(
            "name",
            "a heartbeat cannot be renamed (its name is in every ping URL); "
            "create one with the new name and delete this one",
        )
    if "owner_team" in payload.model_fields_set:
        team_id = _team_id(session, payload.owner_team)
        require_to_manage(actor, team_id, what=_whose(session, team_id))
        heartbeat.owner_team_id = team_id
        door_for(session, team_id)
    if payload.description is not None:
        heartbeat.description = payload.description
    if payload.alert_message is not None:
        heartbeat.alert_message = payload.alert_message or f"{heartbeat.name} is expired"[:MESSAGE_MAX]
    if payload.alert_tags is not None:
        heartbeat.alert_tags = payload.alert_tags
    if payload.alert_priority is not None:
        heartbeat.alert_priority = payload.alert_priority
    if payload.interval is not None or payload.interval_unit is not None:
        _change_interval(
            heartbeat,
            payload.interval or heartbeat.interval,
            payload.interval_unit or heartbeat.interval_unit,
        )
    if payload.enabled is not None and payload.enabled != heartbeat.enabled:
        _switch(heartbeat, payload.enabled)
    heartbeat.updated_at = clock.now()
    session.flush()
    return heartbeat


def set_enabled(session: Session, *, actor: Actor, heartbeat: Heartbeat, enabled: bool) -> Heartbeat:
    """Enable (the waiting period starts now) or disable (no expiry until enabled again)."""
    require_to_manage(actor, heartbeat.owner_team_id, what=f"heartbeat {heartbeat.name}")
    if enabled != heartbeat.enabled:
        _switch(heartbeat, enabled)
        heartbeat.updated_at = clock.now()
        session.flush()
    return heartbeat


def delete_heartbeat(session: Session, *, actor: Actor, heartbeat: Heartbeat) -> None:
    """Delete a heartbeat. An alert it raised stays as it is, for people to close."""
    require_to_manage(actor, heartbeat.owner_team_id, what=f"heartbeat {heartbeat.name}")
    session.delete(heartbeat)
    session.flush()


def ping(session: Session, *, name: str, actor: Actor) -> Heartbeat | None:
    """Record a ping of the heartbeat ``name``: its waiting period starts again and, if it had
    expired, its alert is closed. None (and nothing recorded) when no heartbeat has that name."""
    heartbeat = find_heartbeat(session, name, for_update=True)
    if heartbeat is None:
        return None
    if not actor.scope.covers_team(heartbeat.owner_team_id):
        raise PermissionDenied(f"{actor.display_name} may not ping heartbeat {heartbeat.name}")
    now = clock.now()
    heartbeat.last_ping_at = now
    if heartbeat.enabled:
        heartbeat.expires_at = now + interval(heartbeat)
    if heartbeat.expired:
        heartbeat.expired = False
        _close_alert(session, heartbeat)
    session.flush()
    return heartbeat


def _close_alert(session: Session, heartbeat: Heartbeat) -> None:
    # The door's name and channel, but seeing everything: the heartbeat itself knows which alert
    # is its own, even if it changed teams since raising it.
    closer = replace(door_actor(door_for(session, heartbeat.owner_team_id)), scope=EVERYTHING)
    # Found across de-duplication scopes (one per team): raised through the door of the team
    # that owned the heartbeat then, its alert is in that team's scope.
    raised = alert_service.open_alerts_raised_through(
        session, alias=alias_of(heartbeat.name), integration_type=KIND
    )
    if not raised:
        log.info("heartbeat %s pinged again; its alert was already closed", heartbeat.name)
    for alert_id in raised:
        alert_actions.close(
            session, ref=AlertRef(alert_id), actor=closer, note=f"Heartbeat {heartbeat.name} pinged again"
        )


def _switch(heartbeat: Heartbeat, enabled: bool) -> None:
    heartbeat.enabled = enabled
    heartbeat.expires_at = clock.now() + interval(heartbeat) if enabled else None


def _change_interval(heartbeat: Heartbeat, amount: int, unit: str) -> None:
    """A new interval counts from the start of the current waiting period (the last ping, or
    when the heartbeat was created or enabled if no ping came since)."""
    try:
        check_interval(amount, unit)
    except ValueError as exc:
        raise InvalidInput("interval", str(exc)) from exc
    if heartbeat.expires_at is not None:
        started = heartbeat.expires_at - interval(heartbeat)
        heartbeat.expires_at = started + interval_of(amount, unit)
    heartbeat.interval, heartbeat.interval_unit = amount, unit


def _team_id(session: Session, ref: Ref | None) -> str | None:
    if ref is None:
        return None
    team = teams.find_team(session, team_id=ref.id, name=None if ref.id else ref.name)
    if team is None:
        raise InvalidInput("ownerTeam", f"team {ref.name or ref.id!r} does not exist")
    return team.id


def _whose(session: Session, team_id: str | None) -> str:
    if team_id is None:
        return "global heartbeats"
    team = teams.find_team(session, team_id=team_id)
    return f"heartbeats of team {team.name if team else team_id}"
