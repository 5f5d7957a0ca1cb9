"""Alert actions of the v2 API: each applies the change, then answers 202 with a request id."""

# No "from __future__ import annotations" here: the route factory below builds endpoint
# signatures from runtime classes, which FastAPI must be able to see as real annotations.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.api_common import IdentifierType, perform
from tocsin.alerts.schemas import (
    NOTE_MAX,
    SOURCE_MAX,
    USER_MAX,
    ActionPayload,
    AddDetailsPayload,
    AddResponderPayload,
    AddTagsPayload,
    AddTeamPayload,
    AssignPayload,
    DescriptionPayload,
    EscalatePayload,
    MessagePayload,
    NotePayload,
    PriorityPayload,
    ResponderRef,
    SnoozePayload,
)
from tocsin.alerts.service import AlertRef
from tocsin.api.auth import alert_writer
from tocsin.api.envelope import JSONBody
from tocsin.errors import InvalidInput

# Keys travel in a header browsers cannot send cross-site, so a body without a Content-Type is
# read as JSON, as Opsgenie does for scripts that leave the header out.
router = APIRouter(prefix="/v2/alerts", strict_content_type=False)
Writer = Annotated[Actor, Depends(alert_writer)]
UserQuery = Annotated[str | None, Query(max_length=USER_MAX)]
SourceQuery = Annotated[str | None, Query(max_length=SOURCE_MAX)]
NoteQuery = Annotated[str | None, Query(max_length=NOTE_MAX)]
Change = Callable[[Session, AlertRef, Actor, Any], ActionOutcome]


def _body_action(
    method: str, path: str, action: str, payload_type: type[ActionPayload], change: Change
) -> None:
    """Register an action whose input is a JSON body (optional when every field is optional)."""
    body_optional = payload_type is ActionPayload

    if body_optional:

        async def endpoint(
            request: Request,
            identifier: str,
            actor: Writer,
            body: ActionPayload | None = None,
            id_type: IdentifierType = "id",
        ) -> JSONBody:
            return await _apply(request, identifier, id_type, actor, body or ActionPayload(), action, change)

    else:

        async def endpoint(  # type: ignore[misc]
            request: Request,
            identifier: str,
            actor: Writer,
            body: payload_type,  # type: ignore[valid-type]
            id_type: IdentifierType = "id",
        ) -> JSONBody:
            return await _apply(request, identifier, id_type, actor, body, action, change)

    endpoint.__name__ = action
    router.add_api_route(path, endpoint, methods=[method], status_code=202, name=action)


async def _apply(
    request: Request, identifier: str, id_type: str, actor: Actor, payload: Any, action: str, change: Change
) -> JSONBody:
    ref = AlertRef(identifier, id_type)
    return await perform(
        request, action, actor, lambda session, who: change(session, ref, who, payload), user=payload.user
    )


_body_action(
    "POST", "/{identifier}/acknowledge", "Acknowledge", ActionPayload,
    lambda s, ref, who, p: actions.acknowledge(s, ref=ref, actor=who, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/unacknowledge", "UnAcknowledge", ActionPayload,
    lambda s, ref, who, p: actions.unacknowledge(s, ref=ref, actor=who, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/close", "Close", ActionPayload,
    lambda s, ref, who, p: actions.close(s, ref=ref, actor=who, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/snooze", "Snooze", SnoozePayload,
    lambda s, ref, who, p: actions.snooze(s, ref=ref, actor=who, end_time=p.end_time, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/escalate", "Escalate", EscalatePayload,
    lambda s, ref, who, p: actions.escalate(s, ref=ref, actor=who, escalation=p.escalation, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/assign", "AssignOwnership", AssignPayload,
    lambda s, ref, who, p: actions.assign(s, ref=ref, actor=who, owner=p.owner, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/teams", "AddTeam", AddTeamPayload,
    lambda s, ref, who, p: actions.add_responder(
        s, ref=ref, actor=who, responder=ResponderRef(type="team", id=p.team.id, name=p.team.name),
        field="team", note=p.note,
    ),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/responders", "AddResponder", AddResponderPayload,
    lambda s, ref, who, p: actions.add_responder(
        s, ref=ref, actor=who, responder=p.responder, field="responder", note=p.note
    ),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/tags", "AddTags", AddTagsPayload,
    lambda s, ref, who, p: actions.add_tags(s, ref=ref, actor=who, tags=p.tags, note=p.note),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/details", "AddDetails", AddDetailsPayload,
    lambda s, ref, who, p: actions.add_details(s, ref=ref, actor=who, details=p.details, note=p.note),
)  # fmt: skip
_body_action(
    "PUT", "/{identifier}/priority", "UpdatePriority", PriorityPayload,
    lambda s, ref, who, p: actions.update_priority(s, ref=ref, actor=who, priority=p.priority, note=p.note),
)  # fmt: skip
_body_action(
    "PUT", "/{identifier}/message", "UpdateMessage", MessagePayload,
    lambda s, ref, who, p: actions.update_message(s, ref=ref, actor=who, message=p.message, note=p.note),
)  # fmt: skip
_body_action(
    "PUT", "/{identifier}/description", "UpdateDescription", DescriptionPayload,
    lambda s, ref, who, p: actions.update_description(
        s, ref=ref, actor=who, description=p.description, note=p.note
    ),
)  # fmt: skip
_body_action(
    "POST", "/{identifier}/notes", "AddNote", NotePayload,
    lambda s, ref, who, p: actions.add_alert_note(s, ref=ref, actor=who, note=p.note),
)  # fmt: skip


@router.post("/{identifier}/actions/{action_name}", status_code=202)
async def execute_custom_action(
    request: Request,
    identifier: str,
    action_name: str,
    actor: Writer,
    body: ActionPayload | None = None,
    id_type: IdentifierType = "id",
) -> JSONBody:
    payload = body or ActionPayload()
    return await _apply(
        request, identifier, id_type, actor, payload, "ExecuteCustomAction",
        lambda s, ref, who, p: actions.execute_custom_action(
            s, ref=ref, actor=who, action=action_name, note=p.note
        ),
    )  # fmt: skip


def _csv(text: str, field: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values:
        raise InvalidInput(field, f"{field} must list at least one value (comma-separated)")
    return values


Removal = Callable[[Session, AlertRef, Actor, list[str], str | None], ActionOutcome]


def _removal(path: str, action: str, parameter: str, remove: Removal) -> None:
    """Register a DELETE that removes the comma-separated ``parameter`` values (tags, detail keys)."""

    async def endpoint(
        request: Request,
        identifier: str,
        actor: Writer,
        values: Annotated[str, Query(alias=parameter)],
        id_type: IdentifierType = "id",
        user: UserQuery = None,
        source: SourceQuery = None,
        note: NoteQuery = None,
    ) -> JSONBody:
        ref, names = AlertRef(identifier, id_type), _csv(values, parameter)
        return await perform(
            request, action, actor, lambda session, who: remove(session, ref, who, names, note), user=user
        )

    endpoint.__name__ = action
    router.add_api_route(path, endpoint, methods=["DELETE"], status_code=202, name=action)


_removal(
    "/{identifier}/tags", "RemoveTags", "tags",
    lambda s, ref, who, names, note: actions.remove_tags(s, ref=ref, actor=who, tags=names, note=note),
)  # fmt: skip
_removal(
    "/{identifier}/details", "RemoveDetails", "keys",
    lambda s, ref, who, names, note: actions.remove_details(s, ref=ref, actor=who, keys=names, note=note),
)  # fmt: skip


@router.delete("/{identifier}", status_code=202)
async def delete_alert(
    request: Request,
    identifier: str,
    actor: Writer,
    id_type: IdentifierType = "id",
    user: UserQuery = None,
    source: SourceQuery = None,
) -> JSONBody:
    ref = AlertRef(identifier, id_type)
    return await perform(
        request,
        "Delete",
        actor,
        lambda session, who: actions.delete_alert(session, ref=ref, actor=who),
        user=user,
    )
