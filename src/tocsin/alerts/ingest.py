"""Creating alerts, with alias de-duplication: the hot path every monitoring tool hits.

De-duplication is decided by the database, never by a read before the write: an UPDATE of the
open alert with that alias, then (if there was none) an INSERT that the partial unique index on
open aliases turns into the same UPDATE when another transaction created the alert in between.
The statements are built once and run with parameters, so each create costs a handful of
pre-compiled statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, literal_column, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tocsin import clock, counters
from tocsin.actors import Actor
from tocsin.alerts import responders as responder_refs
from tocsin.alerts.models import Alert
from tocsin.alerts.responders import Responder
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import add_log, add_note, add_recipients, is_open, store_responders
from tocsin.db import new_id
from tocsin.teams import service as teams

alerts = Alert.__table__
IS_OPEN = is_open()

COUNT_REPEAT = (
    update(alerts)
    .where(alerts.c.alias == bindparam("repeat_alias"), IS_OPEN)
    .values(count=alerts.c.count + 1, last_occurred_at=bindparam("now"), updated_at=bindparam("now"))
    .returning(alerts.c.id, alerts.c.tiny_id, alerts.c.count)
)


def _insert_or_count(dialect: str) -> Insert:
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(alerts)
    return statement.on_conflict_do_update(
        index_elements=[alerts.c.alias],
        # A literal, not a bound parameter: PostgreSQL infers the partial index only from a
        # predicate it can see when planning, and prepared statements hide parameter values.
        index_where=literal_column("status") == literal_column("'open'"),
        set_={
            "count": alerts.c.count + 1,
            "last_occurred_at": statement.excluded.last_occurred_at,
            "updated_at": statement.excluded.updated_at,
        },
    ).returning(alerts.c.id, alerts.c.tiny_id, alerts.c.count)


INSERT_OR_COUNT = {dialect: _insert_or_count(dialect) for dialect in ("postgresql", "sqlite")}


@dataclass(frozen=True)
class CreateOutcome:
    alert_id: str
    alias: str
    tiny_id: int
    count: int
    deduplicated: bool


def create_alert(session: Session, *, payload: CreateAlertPayload, actor: Actor) -> CreateOutcome:
    """Create an alert, or count one more occurrence of the open alert with the same alias."""
    now = clock.now()
    responders = _responders_for(session, payload, actor)
    visible = responder_refs.resolve(session, payload.visible_to, field="visibleTo")
    if payload.alias:
        existing = session.execute(COUNT_REPEAT, {"repeat_alias": payload.alias, "now": now}).first()
        if existing is not None:
            return _deduplicated(session, payload, actor, existing.id, existing.tiny_id, existing.count)

    alert_id = new_id()
    alias = payload.alias or alert_id
    tiny_id = counters.next_value(session, counters.ALERT_TINY_ID)
    row = session.execute(
        INSERT_OR_COUNT[session.get_bind().dialect.name],
        _new_alert_row(payload, actor, alert_id, alias, tiny_id, now),
    ).one()
    if row.id != alert_id:  # another transaction created it first; ours counted as a repeat
        return _deduplicated(session, payload, actor, row.id, row.tiny_id, row.count)

    store_responders(session, alert_id, responders, visible_only=False)
    store_responders(session, alert_id, visible, visible_only=True)
    add_recipients(session, alert_id, responders, now)
    add_log(session, alert_id, f"Alert created by {actor.describe()}", actor, now)
    if payload.note:
        add_note(session, alert_id, payload.note, actor, now)
    return CreateOutcome(alert_id, alias, tiny_id, 1, deduplicated=False)


def _new_alert_row(
    payload: CreateAlertPayload, actor: Actor, alert_id: str, alias: str, tiny_id: int, now: datetime
) -> dict[str, Any]:
    return {
        "id": alert_id,
        "tiny_id": tiny_id,
        "alias": alias,
        "message": payload.message,
        "description": payload.description,
        "status": "open",
        "acknowledged": False,
        "is_seen": False,
        "snoozed": False,
        "snoozed_until": None,
        "count": 1,
        "last_occurred_at": now,
        "created_at": now,
        "updated_at": now,
        "source": payload.source or "",
        "owner": "",
        "priority": payload.priority,
        "entity": payload.entity,
        "tags": payload.tags,
        "details": payload.details,
        "actions": payload.actions,
        "integration_id": actor.integration_id,
        "integration_name": actor.name if actor.integration_id else "",
        "integration_type": actor.integration_type or "",
        "owner_team_id": actor.owner_team_id,
        "ack_time": None,
        "close_time": None,
        "acknowledged_by": "",
        "closed_by": "",
    }


def _responders_for(session: Session, payload: CreateAlertPayload, actor: Actor) -> list[Responder]:
    if actor.owner_team_id:
        # As in Opsgenie: a team integration's alerts go to that team, whatever the request says.
        team = teams.get_team(session, team_id=actor.owner_team_id)
        return [Responder("team", team.id, team.name)]
    return responder_refs.resolve(session, payload.all_responders(), field="responders")


def _deduplicated(
    session: Session, payload: CreateAlertPayload, actor: Actor, alert_id: str, tiny_id: int, count: int
) -> CreateOutcome:
    text = f'Alert is received with same alias. Message: "{payload.message}". Count is increased to {count}'
    add_log(session, alert_id, text, actor, clock.now())
    return CreateOutcome(alert_id, payload.alias or "", tiny_id, count, deduplicated=True)
