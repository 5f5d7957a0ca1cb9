"""The engine job that turns silence into alerts: every enabled heartbeat whose waiting period
ran out without a ping is marked expired and raises its alert through its team's door."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload, ResponderRef
from tocsin.alerts.service import add_log
from tocsin.errors import TocsinError
from tocsin.heartbeats.door import door_actor, door_for
from tocsin.heartbeats.models import Heartbeat
from tocsin.heartbeats.service import alias_of, every, interval

log = logging.getLogger(__name__)
SOURCE = "Heartbeat"


def expire_due(session: Session, now: datetime | None = None) -> int:
    """Raise the alert of every heartbeat due now; returns how many expired.

    The claim is one UPDATE ... RETURNING: of several engines running it at once, each
    heartbeat goes to exactly one (on PostgreSQL the others wait for the row and then see it
    expired), so no heartbeat ever raises its alert twice for one silence."""
    now = now or clock.now()
    claimed = (
        session.execute(
            update(Heartbeat)
            .where(Heartbeat.enabled.is_(True), Heartbeat.expired.is_(False), Heartbeat.expires_at <= now)
            .values(expired=True, updated_at=now)
            .returning(Heartbeat.id),
            execution_options={"synchronize_session": False},
        )
        .scalars()
        .all()
    )
    for heartbeat_id in claimed:
        heartbeat = session.get(Heartbeat, heartbeat_id)
        if heartbeat is not None:
            raise_alert(session, heartbeat, now)
    return len(claimed)


def raise_alert(session: Session, heartbeat: Heartbeat, now: datetime) -> None:
    door = door_for(session, heartbeat.owner_team_id)
    if not door.enabled:
        log.warning(
            "heartbeat %s expired, but its integration %s is disabled: no alert raised",
            heartbeat.name,
            door.name,
        )
        return
    actor = door_actor(door)
    responders = [ResponderRef(type="team", id=heartbeat.owner_team_id)] if heartbeat.owner_team_id else []
    payload = CreateAlertPayload(
        message=heartbeat.alert_message,
        alias=alias_of(heartbeat.name),
        description=describe_silence(heartbeat),
        tags=heartbeat.alert_tags,
        priority=heartbeat.alert_priority,  # type: ignore[arg-type]
        entity=heartbeat.name,
        source=SOURCE,
        responders=responders,
    )
    try:
        outcome = ingest.create_alert(session, payload=payload, actor=actor)
    except TocsinError as exc:
        log.warning(
            "heartbeat %s expired, but its alert could not be raised: %s", heartbeat.name, exc.message
        )
        return
    add_log(
        session,
        outcome.alert_id,
        f"Heartbeat {heartbeat.name} expired: no ping within {every(heartbeat)}",
        actor,
        now,
    )


def describe_silence(heartbeat: Heartbeat) -> str:
    """The alert's description: how often pings are expected, and when the last one came."""
    started = heartbeat.expires_at - interval(heartbeat) if heartbeat.expires_at else None
    if heartbeat.last_ping_at is None:
        last = "It has never been pinged"
        last += f"; it has been waiting since {_when(started)}." if started else "."
    else:
        last = f"The last ping came at {_when(heartbeat.last_ping_at)}"
        if started and started > heartbeat.last_ping_at:
            last += f"; it was enabled again at {_when(started)}"
        last += "."
    return (
        f"Heartbeat {heartbeat.name} expects a ping at least every {every(heartbeat)}, "
        f"and none came in time. {last}"
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
