"""The outgoing side of integrations: which kinds send alerts out (and under which outbox topic),
which alert actions they may forward, and whether any integration listens at all."""

from __future__ import annotations

from collections.abc import Iterable
from weakref import WeakKeyDictionary

from sqlalchemy import Text, cast, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tocsin import config_version
from tocsin.errors import InvalidInput
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

DEFAULT_ACTIONS = ("Create", "Acknowledge", "UnAcknowledge", "Close", "AddNote", "AssignOwnership")
"""Forwarded when an integration that sends does not say: the life of an alert, not every edit."""

CHAT_DEFAULT_ACTIONS = (*DEFAULT_ACTIONS, "TakeOwnership", "UpdatePriority")
"""A chat channel also hears who took an alert and when its priority changed."""


def default_actions(kind: str) -> tuple[str, ...]:
    return DEFAULT_ACTIONS if kind == "Webhook" else CHAT_DEFAULT_ACTIONS


SENDERS: dict[str, str] = {
    "Webhook": "webhook.send",
    "Mattermost": "mattermost.post",
    "HipChat": "hipchat.post",
    "Slack": "slack.post",
}
"""Integration kind -> the outbox topic of its deliveries."""

RECEIVERS = frozenset({"API", "Heartbeat"})
"""Kinds whose key is used to send alerts in (and which therefore get a key)."""


def sends(kind: str) -> bool:
    return kind in SENDERS


def checked_actions(actions: Iterable[str], *, field: str = "outgoing.actions") -> list[str]:
    """The actions, in Opsgenie's spelling (any case accepted), without repeats; unknown ones are
    refused naming the known ones."""
    known = {name.lower(): name for name in ALERT_ACTIONS}
    found: list[str] = []
    for action in actions:
        name = known.get(str(action).strip().lower())
        if name is None:
            raise InvalidInput(
                field, f"unknown alert action {action!r}; known actions: {', '.join(ALERT_ACTIONS)}"
            )
        if name not in found:
            found.append(name)
    return found


_LISTENING = (
    select(Integration.id)
    .where(Integration.enabled.is_(True), func.length(cast(Integration.outgoing_actions, Text)) > 2)
    .limit(1)
)
_listening: WeakKeyDictionary[Engine | Connection, tuple[int, bool]] = WeakKeyDictionary()
"""Per database: the configuration version and whether anyone listened then."""


def any_listening(session: Session) -> bool:
    """Whether some enabled integration forwards alert actions at all. Asked once per write, so
    an installation without outgoing integrations writes no activity events. (The JSON text of
    an empty list is "[]" on both databases: longer means some action is listed.) The answer is
    kept until the configuration version moves (every change of an integration bumps it)."""
    seen = config_version.seen(session)
    bind = session.get_bind()
    kept = _listening.get(bind)
    if kept is not None and kept[0] == seen.version and not seen.changed_here:
        return kept[1]
    listening = session.connection().execute(_LISTENING).first() is not None
    if not seen.changed_here:
        _listening[bind] = (seen.version, listening)
    return listening
