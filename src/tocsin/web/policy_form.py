"""A policy as a form: name, description, enabled, the condition builder, when it applies (always,
or every day between two times in a zone) and what it does, by its type: an alert policy's new
message, alias, description, entity, source, tags, actions, responders, details, priority,
continue and "ignore the original ..."; a notification policy's suppress, delay and auto-close.
The form is read into the API's ``PolicyPayload`` (the same checks as the API), and a stored
policy back into the form."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tocsin.errors import Conflict, InvalidInput
from tocsin.policies.models import Policy
from tocsin.policies.schemas import PolicyPayload
from tocsin.web import condition_builder
from tocsin.web.condition_builder import ConditionFields, ConditionRow
from tocsin.web.integration_form import error_place

TEXTS = ("message", "alias", "description", "entity", "source")
IGNORES = {
    "ignore_original_tags": "ignoreOriginalTags",
    "ignore_original_actions": "ignoreOriginalActions",
    "ignore_original_details": "ignoreOriginalDetails",
    "ignore_original_responders": "ignoreOriginalResponders",
}
UNITS = {"minutes": "minutes", "hours": "hours", "days": "days"}
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")
WHEN = {"always": "At any time", "daily": "Every day between two times"}
KEPT = "as-set"
"""``when`` for restrictions set through the API that the form cannot draw: they stay as they are."""
_PLACES = (
    ("name", "name"),
    ("policyDescription", "policy_description"),
    ("timeRestrictions", "when"),
    ("timeRestriction", "when"),
    ("delayAction", "delay"),
    ("autoCloseAction", "close"),
    ("tags", "tags"),
    ("actions", "actions"),
    ("responders", "responders"),
    ("details", "details"),
    *((name, name) for name in (*TEXTS, "priority")),
)


class PolicyFields(ConditionFields):
    csrf_token: str = ""
    name: str = ""
    policy_description: str = ""
    enabled: str = ""
    when: str = "always"
    from_time: str = ""
    to_time: str = ""
    time_zone: str = "UTC"
    message: str = ""
    alias: str = ""
    description: str = ""
    entity: str = ""
    source: str = ""
    tags: str = ""
    actions: str = ""
    responders: str = ""
    details: str = ""
    priority: str = ""
    continue_on: str = ""
    ignore_original_tags: str = ""
    ignore_original_actions: str = ""
    ignore_original_details: str = ""
    ignore_original_responders: str = ""
    suppress: str = ""
    delay_amount: str = ""
    delay_unit: str = "minutes"
    close_amount: str = ""
    close_unit: str = "hours"

    def payload(self, kind: str, stored_restrictions: dict[str, Any] | None) -> PolicyPayload:
        """The API's payload for this form (checked as the API checks it); the problem as an
        InvalidInput naming the API's field otherwise."""
        document: dict[str, Any] = {
            "type": kind,
            "name": self.name,
            "policyDescription": self.policy_description,
            "enabled": bool(self.enabled),
            "filter": condition_builder.filter_json(self.filter_form()),
            "timeRestrictions": self._restrictions(stored_restrictions),
        }
        document.update(self._alert_fields() if kind == "alert" else self._notification_fields())
        try:
            return PolicyPayload.model_validate(document)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise InvalidInput(field or "effects", str(first["msg"]).removeprefix("Value error, ")) from None

    def _restrictions(self, stored: dict[str, Any] | None) -> dict[str, Any] | None:
        if self.when == KEPT:
            return stored
        if self.when != "daily":
            return None
        start, end = _clock(self.from_time, "from"), _clock(self.to_time, "to")
        return {
            "type": "time-of-day",
            "restriction": {"startHour": start[0], "startMin": start[1], "endHour": end[0], "endMin": end[1]},
            "timeZone": self.time_zone.strip() or "UTC",
        }

    def _alert_fields(self) -> dict[str, Any]:
        found: dict[str, Any] = {name: getattr(self, name) for name in TEXTS if getattr(self, name).strip()}
        for name in ("tags", "actions"):
            items = [item.strip() for item in getattr(self, name).split(",") if item.strip()]
            if items:
                found[name] = items
        if self.responders.strip():
            found["responders"] = _responders(self.responders)
        if self.details.strip():
            found["details"] = _details(self.details)
        if self.priority:
            found["priority"] = self.priority
        if self.continue_on:
            found["continue"] = True
        found.update({wire: True for name, wire in IGNORES.items() if getattr(self, name)})
        return found

    def _notification_fields(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.suppress:
            found["suppress"] = True
        if self.delay_amount.strip():
            duration = _duration(self.delay_amount, self.delay_unit, "delayAction")
            found["delayAction"] = {"delayOption": "for-duration", "duration": duration}
        if self.close_amount.strip():
            found["autoCloseAction"] = {
                "duration": _duration(self.close_amount, self.close_unit, "autoCloseAction")
            }
        return found


def _clock(text: str, which: str) -> tuple[int, int]:
    hour, colon, minute = text.strip().partition(":")
    if not (colon and hour.isdigit() and minute.isdigit()):
        raise InvalidInput("timeRestrictions", f"give the {which} time as hours:minutes, e.g. 08:00")
    return int(hour), int(minute)


def _duration(amount: str, unit: str, field: str) -> dict[str, Any]:
    if not amount.strip().isdigit() or int(amount) < 1:
        raise InvalidInput(field, "give a whole number of minutes, hours or days, at least 1")
    if unit not in UNITS:
        raise InvalidInput(field, "choose minutes, hours or days")
    return {"timeAmount": int(amount), "timeUnit": unit}


def _responders(text: str) -> list[dict[str, str]]:
    """ "team: ops" lines; a user by e-mail, the others by name."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        kind, colon, name = line.partition(":")
        kind = kind.strip().lower()
        if not colon or kind not in RESPONDER_TYPES or not name.strip():
            raise InvalidInput(
                "responders", f"line {number}: write each responder as team: name, user: e-mail, "
                "escalation: name or schedule: name",
            )  # fmt: skip
        found.append({"type": kind, ("username" if kind == "user" else "name"): name.strip()})
    return found


def _details(text: str) -> dict[str, str]:
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip():
            raise InvalidInput("details", f"line {number}: write each detail as key=value")
        found[key.strip()] = value.strip()
    return found


def place_of(problem: InvalidInput | Conflict) -> str:
    """Which field of the form an error belongs next to ("effects": above what the policy does)."""
    place = error_place(problem, {})
    if place != "form" or not isinstance(problem, InvalidInput):
        return place
    field = problem.field or ""
    if field.startswith("filter"):
        return "filter"
    for prefix, name in _PLACES:
        if field == prefix or field.startswith((f"{prefix}.", f"{prefix}[")):
            return name
    return "effects"


def form_of(policy: Policy) -> tuple[PolicyFields, list[ConditionRow]]:
    """The form showing a stored policy, with its condition rows."""
    body = policy.body or {}
    shown = condition_builder.form_of(policy.filter)
    fields: dict[str, Any] = {
        "name": policy.name,
        "policy_description": policy.description,
        "enabled": "on" if policy.enabled else "",
        "filter_type": shown.match,
        **_when_fields(policy.time_restrictions),
        **{name: body[name] for name in TEXTS if name in body},
        "tags": ", ".join(body.get("tags", [])),
        "actions": ", ".join(body.get("actions", [])),
        "responders": "\n".join(
            f"{item['type']}: {item.get('name') or item['id']}" for item in body.get("responders", [])
        ),
        "details": "\n".join(f"{key}={value}" for key, value in body.get("details", {}).items()),
        "priority": body.get("priority", ""),
        "continue_on": "on" if body.get("continue") else "",
        "suppress": "on" if body.get("suppress") else "",
        **{name: "on" for name, wire in IGNORES.items() if body.get(wire)},
    }
    for action, prefix in (("delayAction", "delay"), ("autoCloseAction", "close")):
        if action in body:
            duration = body[action]["duration"]
            fields[f"{prefix}_amount"] = str(duration["timeAmount"])
            fields[f"{prefix}_unit"] = duration.get("timeUnit", "minutes")
    return PolicyFields(**fields), shown.rows or [ConditionRow()]


def _when_fields(document: dict[str, Any] | None) -> dict[str, str]:
    if not document:
        return {"when": "always"}
    if document.get("type") != "time-of-day":
        return {"when": KEPT}
    clock = document["restriction"]
    return {
        "when": "daily",
        "from_time": f"{clock.get('startHour', 0):02d}:{clock.get('startMin', 0):02d}",
        "to_time": f"{clock.get('endHour', 0):02d}:{clock.get('endMin', 0):02d}",
        "time_zone": document.get("timeZone", "UTC"),
    }
