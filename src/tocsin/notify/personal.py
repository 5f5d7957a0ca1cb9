"""What every channel that notifies a person shares (e-mail, SMS, voice calls, push).

A round's messages are prepared together: their people and alerts are read in one query each.
A muted person (or one in their quiet hours) is skipped, and so is a new-alert step whose alert
was acknowledged (or, for an "if not closed" escalation rule, closed) before its turn: a later
step then has nothing to say.
Once sent (or given up) each message about an alert leaves a log line and its person's
recipient state, in one statement each for the round. A channel says how it renders a message
for its person (``render``) and how it sends what it rendered (``send``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.alerts.service import INSERT_LOG, log_row, set_recipients_state
from tocsin.engine.deliveries import Skip
from tocsin.notify import methods, mute, quiet_hours
from tocsin.notify.outbox import Claimed


@dataclass(frozen=True)
class ForPerson:
    """A claimed message with the person it is for and the alert it is about (None for a shift
    notice, which names no alert)."""

    message: Claimed
    user: User
    alert: Alert | None

    @property
    def payload(self) -> dict[str, Any]:
        return self.message.payload


@dataclass
class _Mutes:
    """What the round's skips for muted people write: log lines (in order) and recipient states."""

    logs: list[dict[str, object]] = field(default_factory=list)
    pairs: set[tuple[str, str]] = field(default_factory=set)

    def write(self, session: Session, now: datetime) -> None:
        if self.logs:
            session.connection().execute(INSERT_LOG, self.logs)
        set_recipients_state(session, self.pairs, "muted", now)


class PersonalChannel:
    """The engine's channel for ``notify.<method>`` messages; subclasses render and send."""

    method: str = ""
    topics: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.topics = (methods.topic_of(cls.method),)

    @property
    def by(self) -> str:
        return methods.BY[self.method]

    def render(self, item: ForPerson) -> Any:
        """What ``send`` sends for this message (or a ``Skip``)."""
        raise NotImplementedError

    async def send(self, prepared: Any) -> None:
        raise NotImplementedError

    def prepare(self, session: Session, message: Claimed) -> Any:
        return self.prepare_many(session, [message])[0]

    def prepare_many(self, session: Session, messages: Sequence[Claimed]) -> list[Any]:
        user_ids = {message.payload["userId"] for message in messages}
        alert_ids = {message.payload["alertId"] for message in messages if "alertId" in message.payload}
        users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
        alerts = (
            {alert.id: alert for alert in session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))}
            if alert_ids
            else {}
        )
        now = clock.now()
        mutes = _Mutes()
        prepared = [
            self._prepared(message, users.get(message.payload["userId"]), alerts, now, mutes)
            for message in messages
        ]
        mutes.write(session, now)
        return prepared

    def _prepared(
        self, message: Claimed, user: User | None, alerts: dict[str, Alert], now: datetime, mutes: _Mutes
    ) -> Any:
        payload = message.payload
        if user is None:
            return Skip("the person is gone")
        if "alertId" not in payload:  # about a shift, not an alert
            return self.render(ForPerson(message, user, None))
        alert = alerts.get(payload["alertId"])
        if alert is None:
            return Skip("the alert is gone")
        silenced = _silenced(user, alert, now)
        if silenced is not None:
            text = f"{user.username} not notified {self.by}: {silenced}"
            mutes.logs.append(log_row(alert.id, text, SYSTEM, now))
            mutes.pairs.add((alert.id, user.id))
            return Skip(f"{user.username}: {silenced}")
        if payload["kind"] == "create-alert":
            if alert.status == "closed":
                return Skip("the alert was closed first")
            if alert.acknowledged and payload.get("until", "acknowledged") == "acknowledged":
                return Skip("the alert was acknowledged first")
        return self.render(ForPerson(message, user, alert))

    def delivered(self, session: Session, message: Claimed) -> None:
        self.delivered_many(session, [message])

    def delivered_many(self, session: Session, messages: Sequence[Claimed]) -> None:
        self._record(session, messages, "notified", self._notified)

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        line = f"{methods.SENT_AS[self.method]} to {message.destination} failed: {error}"
        self._record(session, [message], "failed", lambda _: line)

    def _notified(self, message: Claimed) -> str:
        reason = message.payload.get("reason", "")
        because = f" ({reason})" if reason else ""
        return f"Notified {message.destination} {self.by}{because}"

    def _record(
        self, session: Session, messages: Sequence[Claimed], state: str, line: Callable[[Claimed], str]
    ) -> None:
        """A log line for each message about an alert (in order), and its person's state."""
        about_alerts = [message for message in messages if "alertId" in message.payload]
        if not about_alerts:
            return
        now = clock.now()
        session.connection().execute(
            INSERT_LOG,
            [log_row(message.payload["alertId"], line(message), SYSTEM, now) for message in about_alerts],
        )
        pairs = {(message.payload["alertId"], message.payload["userId"]) for message in about_alerts}
        set_recipients_state(session, pairs, state, now, method=self.method)


def _silenced(user: User, alert: Alert, now: datetime) -> str | None:
    """Why the person is to hear nothing now: deactivated since the message was queued, a mute, or
    quiet hours the alert does not override."""
    if not user.is_active:
        return "deactivated"
    muted_until = mute.muted_until(user, now)
    if muted_until is not None:
        return f"muted until {muted_until:%Y-%m-%d %H:%M} UTC"
    quiet_until = quiet_hours.quiet_until(user, now, alert.tags)
    if quiet_until is not None:
        return f"quiet hours until {quiet_until:%H:%M} ({user.time_zone})"
    return None
