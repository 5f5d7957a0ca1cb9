"""What each form of an alert's page asks for, read from its fields and checked with a message that
says what to fix, then done through the same service function the API's action calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.models import PRIORITIES
from tocsin.alerts.schemas import (
    DESCRIPTION_MAX,
    DETAILS_MAX_CHARS,
    MESSAGE_MAX,
    NOTE_MAX,
    TAG_MAX,
    TAGS_MAX,
    Ref,
    ResponderRef,
)
from tocsin.alerts.service import AlertRef
from tocsin.errors import InvalidInput
from tocsin.escalations.next_rule import escalate_to_next
from tocsin.web.moments import zone_of

Fields = Mapping[str, str]
Act = Callable[[Session, AlertRef, Actor, Fields, User], ActionOutcome]

SNOOZE_PRESETS = {
    "15m": ("15 min", timedelta(minutes=15)),
    "1h": ("1 h", timedelta(hours=1)),
    "4h": ("4 h", timedelta(hours=4)),
}
TOMORROW_MORNING = "tomorrow-09"
RESPONDER_TYPES = ("user", "team", "escalation", "schedule")
NAME_MAX = 320
DETAIL_KEY_MAX = 200


def text(fields: Fields, name: str) -> str:
    return str(fields.get(name, "")).strip()


def _note(fields: Fields) -> str | None:
    note = text(fields, "note")
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", f"A note is at most {NOTE_MAX} characters")
    return note or None


def _name(fields: Fields, name: str, what: str) -> str:
    value = text(fields, name)
    if not value:
        raise InvalidInput(name, f"Give {what}")
    if len(value) > NAME_MAX:
        raise InvalidInput(name, f"{what.capitalize()} is at most {NAME_MAX} characters")
    return value


def snooze_end(fields: Fields, viewer: User, now: datetime) -> datetime:
    """The end the form picked: a preset, 09:00 tomorrow in the viewer's time zone, or the
    custom moment (read in the viewer's time zone)."""
    preset = text(fields, "preset")
    if preset in SNOOZE_PRESETS:
        return now + SNOOZE_PRESETS[preset][1]
    zone = zone_of(viewer)
    if preset == TOMORROW_MORNING:
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(9), tzinfo=zone)
    given = text(fields, "until")
    if not given:
        raise InvalidInput("until", "Pick a preset or give the time the snooze ends")
    try:
        end = datetime.fromisoformat(given)
    except ValueError:
        raise InvalidInput("until", "Give the end as a date and time, like 2026-12-08T09:30") from None
    end = end.replace(tzinfo=zone) if end.tzinfo is None else end
    if end <= now:
        raise InvalidInput("until", "The snooze must end in the future")
    return end


def tags_of(fields: Fields) -> list[str]:
    tags = list(dict.fromkeys(tag.strip() for tag in text(fields, "tags").split(",") if tag.strip()))
    if not tags:
        raise InvalidInput("tags", "Give at least one tag (separate several with commas)")
    if len(tags) > TAGS_MAX:
        raise InvalidInput("tags", f"Give at most {TAGS_MAX} tags at once")
    long = [tag for tag in tags if len(tag) > TAG_MAX]
    if long:
        raise InvalidInput("tags", f"A tag is at most {TAG_MAX} characters ({long[0][:20]}… is longer)")
    return tags


def detail_of(fields: Fields) -> dict[str, str]:
    key, value = text(fields, "key"), str(fields.get("value", ""))
    if not key:
        raise InvalidInput("key", "Give the detail's key")
    if len(key) > DETAIL_KEY_MAX:
        raise InvalidInput("key", f"A detail's key is at most {DETAIL_KEY_MAX} characters")
    if len(key) + len(value) > DETAILS_MAX_CHARS:
        raise InvalidInput("value", f"Details of an alert hold at most {DETAILS_MAX_CHARS} characters")
    return {key: value}


def message_of(fields: Fields) -> str:
    message = text(fields, "message")
    if not message:
        raise InvalidInput("message", "The message cannot be empty")
    if len(message) > MESSAGE_MAX:
        raise InvalidInput("message", f"The message is at most {MESSAGE_MAX} characters")
    return message


def description_of(fields: Fields) -> str:
    description = str(fields.get("description", "")).replace("\r\n", "\n")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("description", f"The description is at most {DESCRIPTION_MAX} characters")
    return description


def priority_of(fields: Fields) -> str:
    priority = text(fields, "priority").upper()
    if priority not in PRIORITIES:
        raise InvalidInput("priority", f"The priority is one of {', '.join(PRIORITIES)}")
    return priority


def responder_of(fields: Fields) -> ResponderRef:
    kind = text(fields, "type")
    if kind not in RESPONDER_TYPES:
        raise InvalidInput("type", "A responder is a user, team, escalation or schedule")
    name = _name(fields, "name", f"the {kind}'s name")
    if kind == "user":
        return ResponderRef(type="user", username=name)
    return ResponderRef(type=kind, name=name)  # type: ignore[arg-type]


def _kept_note(fields: Fields) -> str:
    note = text(fields, "note")
    if not note:
        raise InvalidInput("note", "Write the note first")
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", f"A note is at most {NOTE_MAX} characters")
    return note


ACTIONS: dict[str, Act] = {
    "acknowledge": lambda s, ref, who, f, me: actions.acknowledge(s, ref=ref, actor=who, note=_note(f)),
    "unacknowledge": lambda s, ref, who, f, me: actions.unacknowledge(s, ref=ref, actor=who, note=_note(f)),
    "close": lambda s, ref, who, f, me: actions.close(s, ref=ref, actor=who, note=_note(f)),
    "snooze": lambda s, ref, who, f, me: actions.snooze(
        s, ref=ref, actor=who, end_time=snooze_end(f, me, clock.now()), note=_note(f)
    ),
    "escalate-next": lambda s, ref, who, f, me: escalate_to_next(s, ref=ref, actor=who),
    "escalate": lambda s, ref, who, f, me: actions.escalate(
        s, ref=ref, actor=who, escalation=Ref(name=_name(f, "escalation", "an escalation")), note=_note(f)
    ),
    "assign": lambda s, ref, who, f, me: actions.assign(
        s, ref=ref, actor=who, owner=Ref(username=_name(f, "owner", "the new owner's name")), note=_note(f)
    ),
    "take-ownership": lambda s, ref, who, f, me: actions.assign(
        s, ref=ref, actor=who, owner=Ref(id=me.id), note=_note(f)
    ),
    "add-responder": lambda s, ref, who, f, me: actions.add_responder(
        s, ref=ref, actor=who, responder=responder_of(f), field="name", note=_note(f)
    ),
    "add-tags": lambda s, ref, who, f, me: actions.add_tags(s, ref=ref, actor=who, tags=tags_of(f)),
    "remove-tag": lambda s, ref, who, f, me: actions.remove_tags(
        s, ref=ref, actor=who, tags=[_name(f, "tag", "the tag to remove")]
    ),
    "add-detail": lambda s, ref, who, f, me: actions.add_details(s, ref=ref, actor=who, details=detail_of(f)),
    "remove-detail": lambda s, ref, who, f, me: actions.remove_details(
        s, ref=ref, actor=who, keys=[_name(f, "key", "the detail's key")]
    ),
    "priority": lambda s, ref, who, f, me: actions.update_priority(
        s, ref=ref, actor=who, priority=priority_of(f)
    ),
    "message": lambda s, ref, who, f, me: actions.update_message(
        s, ref=ref, actor=who, message=message_of(f)
    ),
    "description": lambda s, ref, who, f, me: actions.update_description(
        s, ref=ref, actor=who, description=description_of(f)
    ),
    "note": lambda s, ref, who, f, me: actions.add_alert_note(s, ref=ref, actor=who, note=_kept_note(f)),
    "custom-action": lambda s, ref, who, f, me: actions.execute_custom_action(
        s, ref=ref, actor=who, action=_name(f, "action", "the action to run")
    ),
}
"""Each form's path segment (``POST /alerts/{id}/{action}``) and what it does."""
