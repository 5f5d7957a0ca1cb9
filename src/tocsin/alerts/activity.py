"""Alert activity for integrations that forward it: every action on an alert leaves an
``alert.activity`` event in the outbox (in the action's transaction); the engine's forwarder
sends it to each outgoing integration whose actions and filter take it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.integrations import outgoing
from tocsin.notify import outbox

TOPIC = "alert.activity"
SUMMARY_TOPIC = "alert.activity_summary"
_SUMMARIZED = "tocsin.activity.summarized"


def event(alert_id: str, action: str, actor: Actor, **extra: Any) -> dict[str, Any]:
    return outbox.row(
        TOPIC,
        {
            "alertId": alert_id,
            "action": action,
            "by": actor.describe(),
            "byUserId": actor.user_id,
            "source": {"name": actor.display_name, "type": actor.channel},
            **extra,
        },
        destination="router",
        alert_id=alert_id,
        # One alert's events are forwarded one at a time, in order (several engines could
        # otherwise enqueue a chat channel's posts about it in another order).
        ordering_key=f"activity:{alert_id}",
    )


def record(session: Session, alert_id: str, action: str, actor: Actor, **extra: Any) -> None:
    if outgoing.any_listening(session):
        if session.info.get(_SUMMARIZED):
            extra["summarized"] = True
        outbox.enqueue_many(session, [event(alert_id, action, actor, **extra)])


@contextmanager
def summarized(session: Session) -> Iterator[None]:
    """Changes made inside are one command's changes to many alerts: their events say so, and
    chat channels, which would otherwise read a post per alert, are told once by the summary
    ``record_summary`` leaves."""
    session.info[_SUMMARIZED] = True
    try:
        yield
    finally:
        session.info.pop(_SUMMARIZED, None)


def record_summary(session: Session, alert_ids: list[str], action: str, actor: Actor) -> None:
    """One event for ``action`` done by ``actor`` to every alert of ``alert_ids`` (in order)."""
    if alert_ids and outgoing.any_listening(session):
        row = outbox.row(
            SUMMARY_TOPIC,
            {
                "alertIds": alert_ids,
                "action": action,
                "by": actor.describe(),
                "byUserId": actor.user_id,
                "source": {"name": actor.display_name, "type": actor.channel},
            },
            destination="router",
            alert_id=alert_ids[0],
        )
        outbox.enqueue_many(session, [row])


def record_many(session: Session, events: Iterable[tuple[str, str, Actor]]) -> None:
    """(alert id, action, actor) triples, written in one statement when anyone listens."""
    rows = list(events)
    if rows and outgoing.any_listening(session):
        outbox.enqueue_many(session, [event(alert_id, action, actor) for alert_id, action, actor in rows])
