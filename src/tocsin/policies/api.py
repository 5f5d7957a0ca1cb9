"""REST API under /v2/policies (Opsgenie v2 shapes). ``teamId`` in the query picks a team's
policies; without it, the global ones."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, ok
from tocsin.policies import service
from tocsin.policies.models import Policy
from tocsin.policies.schemas import ChangeOrderPayload, PolicyPayload

router = APIRouter(prefix="/v2/policies")
Configurer = Annotated[Actor, Depends(configuration)]
TeamId = Annotated[str | None, Query(alias="teamId")]


def policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "type": policy.type,
        "policyDescription": policy.description,
        "teamId": policy.team_id,
        "enabled": policy.enabled,
        "order": policy.position,
        "filter": policy.filter or {"type": "match-all"},
        **({"timeRestrictions": policy.time_restrictions} if policy.time_restrictions else {}),
        **policy.body,
    }


def summary_json(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "type": policy.type,
        "order": policy.position,
        "enabled": policy.enabled,
    }


def _list(request: Request, actor: Actor, team: str | None, kind: str) -> JSONBody:
    with request.app.state.db.read_session() as session:
        team_id = service.team_id_of(session, team)
        policies = service.list_policies(session, team_id=team_id, type=kind, actor=actor)
        return ok(request, [summary_json(policy) for policy in policies])


@router.get("/alert")
def list_alert_policies(request: Request, actor: Configurer, team: TeamId = None) -> JSONBody:
    return _list(request, actor, team, "alert")


@router.get("/notification")
def list_notification_policies(request: Request, actor: Configurer, team: TeamId = None) -> JSONBody:
    return _list(request, actor, team, "notification")


@router.post("", status_code=201)
async def create_policy(
    request: Request, body: PolicyPayload, actor: Configurer, team: TeamId = None
) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        policy = service.create_policy(session, actor=actor, payload=body, team_id=team)
        return {"id": policy.id, "name": policy.name}

    data = await request.app.state.writer.run(create)
    return ok(request, data, status=201, result="Created")


@router.get("/{policy_id}")
def get_policy(request: Request, policy_id: str, actor: Configurer, team: TeamId = None) -> JSONBody:
    with request.app.state.db.read_session() as session:
        policy = service.get_policy(
            session, policy_id, team_id=service.team_id_of(session, team), actor=actor
        )
        return ok(request, policy_json(policy))


@router.put("/{policy_id}")
async def update_policy(
    request: Request, policy_id: str, body: PolicyPayload, actor: Configurer, team: TeamId = None
) -> JSONBody:
    def change(session: Session) -> dict[str, str]:
        policy = _found(session, policy_id, team, actor)
        service.update_policy(session, actor=actor, policy=policy, payload=body)
        return {"id": policy.id, "name": policy.name}

    return ok(request, await request.app.state.writer.run(change), result="Updated")


@router.delete("/{policy_id}")
async def delete_policy(request: Request, policy_id: str, actor: Configurer, team: TeamId = None) -> JSONBody:
    def remove(session: Session) -> None:
        service.delete_policy(session, actor=actor, policy=_found(session, policy_id, team, actor))

    await request.app.state.writer.run(remove)
    return ok(request, {}, result="Deleted")


async def _switch(
    request: Request, policy_id: str, team: str | None, actor: Actor, enabled: bool
) -> JSONBody:
    def switch(session: Session) -> dict[str, Any]:
        policy = _found(session, policy_id, team, actor)
        return summary_json(service.set_enabled(session, actor=actor, policy=policy, enabled=enabled))

    data = await request.app.state.writer.run(switch)
    return ok(request, data, result="Enabled" if enabled else "Disabled")


@router.post("/{policy_id}/enable")
async def enable_policy(request: Request, policy_id: str, actor: Configurer, team: TeamId = None) -> JSONBody:
    return await _switch(request, policy_id, team, actor, True)


@router.post("/{policy_id}/disable")
async def disable_policy(
    request: Request, policy_id: str, actor: Configurer, team: TeamId = None
) -> JSONBody:
    return await _switch(request, policy_id, team, actor, False)


@router.post("/{policy_id}/change-order")
async def change_order(
    request: Request, policy_id: str, body: ChangeOrderPayload, actor: Configurer, team: TeamId = None
) -> JSONBody:
    def move(session: Session) -> dict[str, Any]:
        policy = _found(session, policy_id, team, actor)
        return summary_json(
            service.change_order(session, actor=actor, policy=policy, target_index=body.target_index)
        )

    data = await request.app.state.writer.run(move)
    return ok(request, data, result="Changed")


def _found(session: Session, policy_id: str, team: str | None, actor: Actor) -> Policy:
    return service.get_policy(session, policy_id, team_id=service.team_id_of(session, team), actor=actor)
