"""What an alert policy does to an incoming alert, and the log line that says so.

Text fields are replaced by the policy's (placeholders filled from the incoming alert; a field
that comes out empty stays as it was). Tags, actions, details and responders are added to the
alert's own unless the policy says ``ignoreOriginal...``, in which case they replace them.
Results are cut to the limits of the Alert API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.alerts import responders as responder_refs
from tocsin.alerts import schemas as limits
from tocsin.alerts.responders import Responder
from tocsin.alerts.schemas import CreateAlertPayload, Ref
from tocsin.conditions import AlertFacts
from tocsin.errors import TocsinError
from tocsin.policies.templates import render

TEXT_LIMITS = {
    "message": limits.MESSAGE_MAX,
    "alias": limits.ALIAS_MAX,
    "description": limits.DESCRIPTION_MAX,
    "entity": limits.ENTITY_MAX,
    "source": limits.SOURCE_MAX,
}


def modify(
    session: Session,
    name: str,
    body: dict[str, Any],
    payload: CreateAlertPayload,
    responders: list[Responder],
) -> tuple[CreateAlertPayload, list[Responder], str]:
    facts = facts_of(payload, responders)
    update: dict[str, Any] = {}
    changes: list[str] = []
    for field, limit in TEXT_LIMITS.items():
        if field not in body:
            continue
        old = getattr(payload, field) or ""
        new = render(body[field], facts).strip()[:limit]
        if new and new != old:
            update[field] = new
            changes.append(f"{field} changed")
    if body.get("priority") and body["priority"] != payload.priority:
        update["priority"] = body["priority"]
        changes.append(f"priority {payload.priority} → {body['priority']}")
    for field, most, longest in (
        ("tags", limits.TAGS_MAX, limits.TAG_MAX),
        ("actions", limits.ACTIONS_MAX, limits.ACTION_MAX),
    ):
        if field in body:
            given = [render(value, facts).strip()[:longest] for value in body[field]]
            kept = [] if body.get(f"ignoreOriginal{field.title()}") else list(getattr(payload, field))
            new_list = list(dict.fromkeys(value for value in [*kept, *given] if value))[:most]
            if new_list != list(getattr(payload, field)):
                update[field] = new_list
                changes.append(f"{field} now {', '.join(new_list) or 'none'}")
    if "details" in body:
        given_details = {key: render(value, facts) for key, value in body["details"].items()}
        kept_details = {} if body.get("ignoreOriginalDetails") else dict(payload.details)
        details = {**kept_details, **given_details}
        if limits.details_size(details) > limits.DETAILS_MAX_CHARS:
            changes.append("details left as they were (they would exceed the size limit)")
        elif details != payload.details:
            update["details"] = details
            changes.append(f"details set: {', '.join(sorted(given_details)) or 'none kept'}")
    new_responders, said = _responders(session, body, responders)
    changes += said
    text = f"Alert policy '{name}' applied: {'; '.join(changes) if changes else 'nothing to change'}"
    return payload.model_copy(update=update), new_responders, text


def facts_of(payload: CreateAlertPayload, responders: list[Responder]) -> AlertFacts:
    """What conditions see of an incoming alert."""
    return AlertFacts(
        message=payload.message,
        alias=payload.alias or "",
        description=payload.description,
        source=payload.source or "",
        entity=payload.entity,
        tags=list(payload.tags),
        actions=list(payload.actions),
        details=dict(payload.details),
        priority=payload.priority,
        teams=[responder.label for responder in responders if responder.type == "team"],
    )


def _responders(
    session: Session, body: dict[str, Any], responders: list[Responder]
) -> tuple[list[Responder], list[str]]:
    if "responders" not in body:
        return responders, []
    said: list[str] = []
    chosen: dict[tuple[str, str], Responder] = (
        {} if body.get("ignoreOriginalResponders") else {(r.type, r.id): r for r in responders}
    )
    for stored in body["responders"]:
        try:
            found = responder_refs.resolve_one(
                session, Ref(id=stored["id"]), field="responders", type=stored["type"]
            )
        except TocsinError:
            said.append(f"{stored['type']} {stored.get('name') or stored['id']} no longer exists")
            continue
        chosen.setdefault((found.type, found.id), found)
    new = list(chosen.values())
    if [(r.type, r.id) for r in new] != [(r.type, r.id) for r in responders]:
        said.append("responders now " + ", ".join(f"{r.type} {r.label}" for r in new))
    return new, said
