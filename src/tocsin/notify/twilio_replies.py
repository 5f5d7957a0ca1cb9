"""Texts people send to Tocsin's number: ``ack 12`` and ``close 12`` act on alert #12 as the
person whose verified phone number sent them, under the same rules as the API and chat; the
number may be left out when one open alert was paged to them in the last day. STOP and START
(Twilio's opt-out keywords) switch that number's contact methods off and on again; Twilio
answers those itself. Anything else gets a one-line answer saying what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.models import Alert, AlertRecipient
from tocsin.alerts.service import AlertRef
from tocsin.chat.results import by_tiny_id, run_on_one
from tocsin.notify.models import PHONE_METHODS, ContactMethod
from tocsin.notify.twilio_texts import gsm7
from tocsin.ops import request_context
from tocsin.teams.service import actor_for_user

OPT_OUT = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN = frozenset({"start", "yes", "unstop"})
LATELY = timedelta(hours=24)
"""How recent a page must be for a reply without the alert's number to mean it."""
HOW = "Reply 'ack 12' or 'close 12' (12: the alert's number)."
CHANNEL = "SMS"
_REPLY = re.compile(
    r"^'?\s*(?P<verb>ack|acknowledge|a|close|c)\s*(?:#\s*)?(?P<tiny>\d{1,9})?\s*'?[.!]?$", re.IGNORECASE
)


def _acknowledge(session: Session, ref: AlertRef, actor: Actor) -> ActionOutcome:
    return actions.acknowledge(session, ref=ref, actor=actor)


def _close(session: Session, ref: AlertRef, actor: Actor) -> ActionOutcome:
    return actions.close(session, ref=ref, actor=actor)


VERBS = {"a": ("acknowledged", _acknowledge), "c": ("closed", _close)}


@dataclass(frozen=True)
class Reply:
    text: str
    acted: bool = False
    """The text changed an alert (other answers only say what to do)."""


def answer(session: Session, *, sender: str, body: str, now: datetime) -> Reply | None:
    """What to text back to ``sender`` for ``body`` (None: nothing)."""
    text = body.strip()
    if text.lower() in OPT_OUT | OPT_IN:
        _switch(session, sender, enabled=text.lower() in OPT_IN)
        return None
    users = _owners(session, sender)
    if not users:
        return Reply(
            "Tocsin: this number is not a verified phone number of anyone in Tocsin. "
            "Add and verify it on your profile to answer pages."
        )
    if len(users) > 1:
        return Reply("Tocsin: this number is verified for several people; answer on Tocsin's web page.")
    user = users[0]
    matched = _REPLY.match(text)
    if matched is None:
        return Reply(f"Tocsin did not understand that. {HOW}")
    done, action = VERBS[matched["verb"][0].lower()]
    closing = action is _close
    tiny = int(matched["tiny"]) if matched["tiny"] else _only_alert_paged_lately(session, user, now, closing)
    if tiny is None:
        return Reply(f"Tocsin: which alert? {HOW}")
    actor = actor_for_user(session, user, channel=CHANNEL)
    request_context.note_actor(actor)
    result = run_on_one(session, f"#{tiny}", by_tiny_id(tiny), actor, action)
    if result.changed:
        alert = session.scalar(select(Alert).where(Alert.tiny_id == tiny))
        about = f": {gsm7(alert.message)[:100]}" if alert is not None else ""
        return Reply(f"Tocsin: you {done} #{tiny}{about}", acted=True)
    if result.hidden:  # short, for a text message
        return Reply(f"Tocsin: #{tiny} has no responder you belong to; ask an admin.")
    return Reply(f"Tocsin: #{tiny} {result.problem}.")


def _owners(session: Session, number: str) -> list[User]:
    """The active people whose verified SMS or voice contact this number is."""
    return list(
        session.scalars(
            select(User)
            .join(ContactMethod, ContactMethod.user_id == User.id)
            .where(
                ContactMethod.method.in_(PHONE_METHODS),
                ContactMethod.address == number,
                ContactMethod.verified_at.is_not(None),
                User.deactivated_at.is_(None),  # a deactivated person answers no page
            )
            .distinct()
        )
    )


def _switch(session: Session, number: str, *, enabled: bool) -> None:
    session.execute(
        update(ContactMethod)
        .where(ContactMethod.method.in_(PHONE_METHODS), ContactMethod.address == number)
        .values(enabled=enabled)
    )


def _only_alert_paged_lately(session: Session, user: User, now: datetime, closing: bool) -> int | None:
    """The tinyId of the one alert ``user`` was paged about lately that is still open (and, unless
    ``closing``, unacknowledged), if there is exactly one."""
    query = (
        select(Alert.tiny_id)
        .join(AlertRecipient, AlertRecipient.alert_id == Alert.id)
        .where(
            AlertRecipient.user_id == user.id,
            AlertRecipient.state.in_(("notified", "action")),
            AlertRecipient.updated_at >= now - LATELY,
            Alert.status == "open",
        )
        .limit(2)
    )
    if not closing:
        query = query.where(Alert.acknowledged.is_(False))
    found = list(session.scalars(query))
    return found[0] if len(found) == 1 else None
