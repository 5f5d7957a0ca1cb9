"""REST API under /v2/teams (Opsgenie v2 shapes): teams and their members.

Teams are named by id, or by name with ``identifierType=name`` (``teamIdentifierType`` on the
members sub-resource, as Opsgenie spells it there; either is accepted)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, body, ok
from tocsin.db import Database
from tocsin.teams import service as teams
from tocsin.teams.models import Team

router = APIRouter(prefix="/v2/teams", strict_content_type=False)
Configurer = Annotated[Actor, Depends(configuration)]
IdentifierType = Literal["id", "name"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class UserRef(Payload):
    id: str | None = Field(default=None, max_length=36)
    username: str | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _needs_identifier(self) -> UserRef:
        if not (self.id or self.username):
            raise ValueError("give the user's id or username")
        return self

    @property
    def identifier(self) -> str:
        return self.id or self.username or ""


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class MemberPayload(Payload):
    user: UserRef
    role: Annotated[Literal["admin", "user"], BeforeValidator(_lower)] = "user"


class CreateTeamPayload(Payload):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=teams.DESCRIPTION_MAX)
    members: list[MemberPayload] = Field(default_factory=list)


class UpdateTeamPayload(Payload):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=teams.DESCRIPTION_MAX)
    members: list[MemberPayload] | None = None


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _id_type(
    identifier_type: Annotated[IdentifierType | None, Query(alias="identifierType")] = None,
    team_identifier_type: Annotated[IdentifierType | None, Query(alias="teamIdentifierType")] = None,
) -> str:
    return team_identifier_type or identifier_type or "id"


IdType = Annotated[str, Depends(_id_type)]


def _members(members: list[MemberPayload]) -> list[tuple[str, str]]:
    return [(member.user.identifier, member.role) for member in members]


def _meta(team: Team) -> dict[str, str]:
    return {"id": team.id, "name": team.name}


def team_json(session: Session, team: Team) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "members": [
            {"user": {"id": user.id, "username": user.username}, "role": role}
            for user, role in teams.members_of(session, team.id)
        ],
    }


@router.get("")
def list_teams(request: Request, actor: Configurer) -> JSONBody:
    with _db(request).read_session() as session:
        data = [{**_meta(team), "description": team.description} for team in teams.list_teams(session)]
    return ok(request, data)


@router.post("", status_code=201)
async def create_team(request: Request, payload: CreateTeamPayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        team = teams.create_team(
            session,
            actor=actor,
            name=payload.name,
            description=payload.description,
            members=_members(payload.members),
        )
        return _meta(team)

    return ok(request, await request.app.state.writer.run(create), status=201, result="Created")


@router.get("/{identifier}")
def get_team(request: Request, identifier: str, actor: Configurer, id_type: IdType) -> JSONBody:
    with _db(request).read_session() as session:
        return ok(request, team_json(session, teams.get_team_by_identifier(session, identifier, id_type)))


@router.patch("/{identifier}")
async def update_team(
    request: Request, identifier: str, payload: UpdateTeamPayload, actor: Configurer, id_type: IdType
) -> JSONBody:
    def update(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        teams.update_team(
            session,
            actor=actor,
            team=team,
            name=payload.name,
            description=payload.description,
            members=_members(payload.members) if payload.members is not None else None,
        )
        return _meta(team)

    return ok(request, await request.app.state.writer.run(update), result="Updated")


@router.delete("/{identifier}")
async def delete_team(request: Request, identifier: str, actor: Configurer, id_type: IdType) -> JSONBody:
    def delete(session: Session) -> None:
        teams.delete_team(
            session, actor=actor, team=teams.get_team_by_identifier(session, identifier, id_type)
        )

    await request.app.state.writer.run(delete)
    return JSONBody(body(request, result="Deleted"))


@router.post("/{identifier}/members")
async def add_member(
    request: Request, identifier: str, payload: MemberPayload, actor: Configurer, id_type: IdType
) -> JSONBody:
    def add(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        teams.add_member(session, actor=actor, team=team, user=payload.user.identifier, role=payload.role)
        return _meta(team)

    return ok(request, await request.app.state.writer.run(add), result="Added")


@router.delete("/{identifier}/members/{member_identifier}")
async def remove_member(
    request: Request, identifier: str, member_identifier: str, actor: Configurer, id_type: IdType
) -> JSONBody:
    def remove(session: Session) -> dict[str, str]:
        team = teams.get_team_by_identifier(session, identifier, id_type)
        teams.remove_member(session, actor=actor, team=team, user=member_identifier)
        return _meta(team)

    return ok(request, await request.app.state.writer.run(remove), result="Removed")
