"""REST API for a team's routing rules, in Opsgenie's shapes, under
``/v2/teams/{identifier}/routing-rules`` (``teamIdentifierType=id|name``): list, create, get,
update (PATCH), delete, and ``POST …/{ruleId}/change-order``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field, StrictInt
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.api.envelope import JSONBody, body, ok
from tocsin.escalations import service as escalations
from tocsin.oncall import service as oncall
from tocsin.routing import service as routing
from tocsin.routing.models import RoutingRule
from tocsin.teams import service as teams
from tocsin.teams.api import Configurer, IdType, Payload

router = APIRouter(prefix="/v2/teams/{identifier}/routing-rules", strict_content_type=False)


class Notify(Payload):
    type: str = Field(max_length=16)
    id: str | None = Field(default=None, max_length=36)
    name: str | None = Field(default=None, max_length=200)


class RulePayload(Payload):
    name: str = Field(default="", max_length=routing.NAME_MAX)
    order: StrictInt | None = Field(default=None, ge=0)
    criteria: dict[str, Any] | None = None
    timezone: str = Field(default="UTC", max_length=64)
    time_restriction: dict[str, Any] | None = Field(default=None, alias="timeRestriction")
    notify: Notify

    def spec(self) -> routing.RuleSpec:
        return routing.RuleSpec(
            name=self.name,
            criteria=self.criteria,
            timezone=self.timezone,
            time_restriction=self.time_restriction,
            notify_type=self.notify.type,
            notify_ref=self.notify.id or self.notify.name,
            order=self.order,
        )


class OrderPayload(Payload):
    order: StrictInt = Field(ge=0)


def rule_json(session: Session, rule: RoutingRule, order: int) -> dict[str, Any]:
    notify: dict[str, Any] = {"type": rule.notify_type}
    if rule.notify_type == "escalation" and rule.notify_id:
        policy = escalations.find_policy(session, rule.notify_id)
        notify |= {"id": rule.notify_id, "name": policy.name if policy else ""}
    elif rule.notify_type == "schedule" and rule.notify_id:
        schedule = oncall.find_schedule(session, rule.notify_id)
        notify |= {"id": rule.notify_id, "name": schedule.name if schedule else ""}
    shown: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "isDefault": rule.is_default,
        "order": order,
        "criteria": rule.criteria,
        "timezone": rule.timezone,
        "notify": notify,
    }
    if rule.time_restriction:
        shown["timeRestriction"] = rule.time_restriction
    return shown


def _db(request: Request) -> Any:
    return request.app.state.db


@router.get("")
def list_routing_rules(request: Request, identifier: str, actor: Configurer, id_type: IdType) -> JSONBody:
    with _db(request).read_session() as session:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        rules = routing.list_rules(session, actor=actor, team=team)
        return ok(request, [rule_json(session, rule, order) for order, rule in enumerate(rules)])


@router.post("", status_code=201)
async def create_routing_rule(
    request: Request, identifier: str, payload: RulePayload, actor: Configurer, id_type: IdType
) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        return {"id": routing.create_rule(session, actor=actor, team=team, spec=payload.spec()).id}

    return ok(request, await request.app.state.writer.run(create), status=201, result="Created")


@router.get("/{rule_id}")
def get_routing_rule(
    request: Request, identifier: str, rule_id: str, actor: Configurer, id_type: IdType
) -> JSONBody:
    with _db(request).read_session() as session:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        rule = routing.get_rule(session, actor=actor, team=team, rule_id=rule_id)
        order = [each.id for each in routing.rules_of(session, team)].index(rule.id)
        return ok(request, rule_json(session, rule, order))


@router.patch("/{rule_id}")
async def update_routing_rule(
    request: Request, identifier: str, rule_id: str, payload: RulePayload, actor: Configurer, id_type: IdType
) -> JSONBody:
    def update(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        rule = routing.update_rule(session, actor=actor, team=team, rule_id=rule_id, spec=payload.spec())
        return {"id": rule.id}

    return ok(request, await request.app.state.writer.run(update), result="Updated")


@router.post("/{rule_id}/change-order")
async def change_routing_rule_order(
    request: Request, identifier: str, rule_id: str, payload: OrderPayload, actor: Configurer, id_type: IdType
) -> JSONBody:
    def move(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        routing.move_rule(session, actor=actor, team=team, rule_id=rule_id, order=payload.order)
        return {"id": rule_id}

    return ok(request, await request.app.state.writer.run(move), result="Changed")


@router.delete("/{rule_id}")
async def delete_routing_rule(
    request: Request, identifier: str, rule_id: str, actor: Configurer, id_type: IdType
) -> JSONBody:
    def delete(session: Session) -> None:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        routing.delete_rule(session, actor=actor, team=team, rule_id=rule_id)

    await request.app.state.writer.run(delete)
    return JSONBody(body(request, result="Deleted"))
