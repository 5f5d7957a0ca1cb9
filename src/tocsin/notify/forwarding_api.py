"""REST API for forwarding rules, in Opsgenie's shapes: ``/v2/forwarding-rules`` (create, list,
get, update with PUT, delete; ``identifierType=id|alias``) and a person's own at
``GET /v2/users/{identifier}/forwarding-rules``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.accounts.models import User
from tocsin.alerts.json_views import iso
from tocsin.api.envelope import JSONBody, ok
from tocsin.notify import forwarding_rules
from tocsin.notify.forwarding_rules import RuleSpec
from tocsin.notify.models import ForwardingRule
from tocsin.notify.user_routes import Configurer, Payload, done, read_user
from tocsin.teams.api import UserRef

router = APIRouter(strict_content_type=False)
IdType = Annotated[Literal["id", "alias"], Query(alias="identifierType")]


class RulePayload(Payload):
    from_user: UserRef = Field(alias="fromUser")
    to_user: UserRef = Field(alias="toUser")
    start_date: AwareDatetime | None = Field(default=None, alias="startDate")
    end_date: AwareDatetime = Field(alias="endDate")
    alias: str | None = Field(default=None, max_length=forwarding_rules.ALIAS_MAX)

    def spec(self) -> RuleSpec:
        return RuleSpec(
            from_user=self.from_user.identifier,
            to_user=self.to_user.identifier,
            start=self.start_date,
            end=self.end_date,
            alias=self.alias,
        )


def rule_json(session: Session, rule: ForwardingRule) -> dict[str, Any]:
    def person(user_id: str) -> dict[str, str]:
        user = session.get(User, user_id)
        return {"id": user_id, "username": user.username if user else ""}

    return {
        "id": rule.id,
        "alias": rule.alias,
        "fromUser": person(rule.from_user_id),
        "toUser": person(rule.to_user_id),
        "startDate": iso(rule.start_at),
        "endDate": iso(rule.end_at),
    }


def _db(request: Request) -> Any:
    return request.app.state.db


@router.post("/v2/forwarding-rules", status_code=201)
async def create_forwarding_rule(request: Request, payload: RulePayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        rule = forwarding_rules.create_rule(session, actor=actor, spec=payload.spec())
        return {"id": rule.id, "alias": rule.alias}

    return done(request, "Created", await request.app.state.writer.run(create), status=201)


@router.get("/v2/forwarding-rules")
def list_forwarding_rules(request: Request, actor: Configurer) -> JSONBody:
    with _db(request).read_session() as session:
        return ok(request, [rule_json(session, rule) for rule in forwarding_rules.list_rules(session)])


@router.get("/v2/forwarding-rules/{identifier}")
def get_forwarding_rule(
    request: Request, identifier: str, actor: Configurer, id_type: IdType = "id"
) -> JSONBody:
    with _db(request).read_session() as session:
        return ok(request, rule_json(session, forwarding_rules.get_rule(session, identifier, id_type)))


@router.put("/v2/forwarding-rules/{identifier}")
async def update_forwarding_rule(
    request: Request, identifier: str, payload: RulePayload, actor: Configurer, id_type: IdType = "id"
) -> JSONBody:
    def update(session: Session) -> dict[str, str]:
        rule = forwarding_rules.get_rule(session, identifier, id_type)
        forwarding_rules.update_rule(session, actor=actor, rule=rule, spec=payload.spec())
        return {"id": rule.id, "alias": rule.alias}

    return done(request, "Updated", await request.app.state.writer.run(update))


@router.delete("/v2/forwarding-rules/{identifier}")
async def delete_forwarding_rule(
    request: Request, identifier: str, actor: Configurer, id_type: IdType = "id"
) -> JSONBody:
    def delete(session: Session) -> None:
        rule = forwarding_rules.get_rule(session, identifier, id_type)
        forwarding_rules.delete_rule(session, actor=actor, rule=rule)

    await request.app.state.writer.run(delete)
    return done(request, "Deleted")


@router.get("/v2/users/{identifier}/forwarding-rules")
def list_user_forwarding_rules(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def read(session: Session, user: User) -> list[dict[str, Any]]:
        return [
            rule_json(session, rule) for rule in forwarding_rules.list_rules(session, from_user_id=user.id)
        ]

    return ok(request, read_user(request, identifier, read))
