"""REST API under /v2/escalations (Opsgenie v2 shapes; ``teamDefault`` is Tocsin's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, ok
from tocsin.escalations import service
from tocsin.escalations.models import EscalationPolicy
from tocsin.escalations.schemas import EscalationPayload, EscalationUpdate
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/escalations")
Configurer = Annotated[Actor, Depends(configuration)]
IdentifierType = Annotated[Literal["id", "name"], Query(alias="identifierType")]


def escalation_json(session: Session, policy: EscalationPolicy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": policy.id,
        "name": policy.name,
        "description": policy.description,
        "teamDefault": policy.is_team_default,
        "rules": [
            {
                "condition": rule.condition,
                "notifyType": rule.notify_type,
                "delay": {"timeAmount": rule.delay_minutes, "timeUnit": "minutes"},
                "recipient": {
                    "type": rule.recipient_type,
                    "id": rule.recipient_id,
                    ("username" if rule.recipient_type == "user" else "name"): service.recipient_label(
                        session, rule.recipient_type, rule.recipient_id
                    ),
                },
            }
            for rule in service.rules_of(session, policy.id)
        ],
    }
    if policy.owner_team_id:
        team = teams.find_team(session, team_id=policy.owner_team_id)
        data["ownerTeam"] = {"id": policy.owner_team_id, "name": team.name if team else ""}
    data["repeat"] = {
        "waitInterval": policy.repeat_wait_minutes or 0,
        "count": policy.repeat_count,
        "resetRecipientStates": policy.repeat_reset_recipient_states,
        "closeAlertAfterAll": policy.repeat_close_alert_after_all,
    }
    return data


@router.get("")
def list_escalations(request: Request, actor: Configurer) -> JSONBody:
    with request.app.state.db.read_session() as session:
        policies = service.list_policies(session, actor=actor)
        return ok(request, [escalation_json(session, policy) for policy in policies])


@router.post("", status_code=201)
async def create_escalation(request: Request, body: EscalationPayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        policy = service.create_policy(session, actor=actor, payload=body)
        return {"id": policy.id, "name": policy.name}

    data = await request.app.state.writer.run(create)
    return ok(request, data, status=201, result="Created")


@router.get("/{identifier}")
def get_escalation(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    with request.app.state.db.read_session() as session:
        policy = service.get_policy(session, identifier, id_type)
        service.require_to_see(actor, policy)
        return ok(request, escalation_json(session, policy))


@router.patch("/{identifier}")
@router.put("/{identifier}")
async def update_escalation(
    request: Request,
    identifier: str,
    body: EscalationUpdate,
    actor: Configurer,
    id_type: IdentifierType = "id",
) -> JSONBody:
    def change(session: Session) -> dict[str, str]:
        policy = service.get_policy(session, identifier, id_type)
        service.update_policy(session, actor=actor, policy=policy, payload=body)
        return {"id": policy.id, "name": policy.name}

    return ok(request, await request.app.state.writer.run(change), result="Updated")


@router.delete("/{identifier}")
async def delete_escalation(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    def remove(session: Session) -> None:
        service.delete_policy(session, actor=actor, policy=service.get_policy(session, identifier, id_type))

    await request.app.state.writer.run(remove)
    return ok(request, {}, result="Deleted")
