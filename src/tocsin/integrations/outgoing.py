"""Which alert actions an integration's outgoing side can forward, and whether any listens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.integrations.models import Integration

ALERT_ACTIONS = (
    "Create",
    "Acknowledge",
    "UnAcknowledge",
    "Close",
    "AddNote",
    "AssignOwnership",
    "TakeOwnership",
    "AddTags",
    "RemoveTags",
    "AddDetails",
    "RemoveDetails",
    "UpdatePriority",
    "UpdateMessage",
    "UpdateDescription",
    "AddResponder",
    "Escalate",
    "Snooze",
    "CustomAction",
)
"""The alert actions an outgoing integration may forward, named as Opsgenie's webhooks name them."""


def any_listening(session: Session) -> bool:
    """Whether some enabled integration forwards alert actions at all. Asked once per write, so
    an installation without outgoing integrations writes no activity events."""
    return (
        session.scalar(
            select(Integration.id)
            .where(Integration.enabled.is_(True), Integration.outgoing_actions != [])
            .limit(1)
        )
        is not None
    )
