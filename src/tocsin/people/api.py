"""REST API under /v2/users (Opsgenie v2 shapes): list, create, get, update and delete users.

Contact methods, notification rules and mute of a user live in ``tocsin.notify.api``."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts.json_views import iso
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, body, ok
from tocsin.db import Database
from tocsin.errors import InvalidInput
from tocsin.notify.mute import muted_until
from tocsin.people import service as people
from tocsin.wire_types import MAX_OFFSET

# Keys travel in a header browsers cannot send cross-site, so a body without a Content-Type is
# read as JSON, as Opsgenie does for scripts that leave the header out.
router = APIRouter(prefix="/v2/users", strict_content_type=False)
Configurer = Annotated[Actor, Depends(configuration)]
ROLE_NAMES = {"owner": "Owner", "admin": "Admin", "user": "User"}


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class RoleRef(Payload):
    name: str = Field(min_length=1, max_length=16)
    """Owner, Admin or User (in any case)."""


class CreateUserPayload(Payload):
    username: str = Field(min_length=1, max_length=320)
    full_name: str = Field(default="", alias="fullName", max_length=accounts.FULL_NAME_MAX)
    role: RoleRef = RoleRef(name="User")
    time_zone: str = Field(default="UTC", alias="timeZone", max_length=64)


class UpdateUserPayload(Payload):
    full_name: str | None = Field(default=None, alias="fullName", max_length=accounts.FULL_NAME_MAX)
    role: RoleRef | None = None
    time_zone: str | None = Field(default=None, alias="timeZone", max_length=64)


def database(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def user_json(user: User) -> dict[str, Any]:
    role = ROLE_NAMES.get(user.role, user.role)
    data: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "fullName": user.full_name,
        "role": {"id": role, "name": role},
        "timeZone": user.time_zone,
        "createdAt": iso(user.created_at),
        "blocked": not user.is_active,
        "verified": True,
    }
    until = muted_until(user, clock.now())
    if until is not None:
        data["mutedUntil"] = iso(until)
    return data


def _meta(user: User) -> dict[str, str]:
    return {"id": user.id, "username": user.username}


def _paging(request: Request, total: int, offset: int, limit: int, **params: Any) -> dict[str, str]:
    def page(at: int) -> str:
        query = urlencode({"offset": at, "limit": limit, **params})
        return f"{request.app.state.settings.base_url}/v2/users?{query}"

    paging = {"first": page(0), "last": page(max(0, (total - 1) // limit * limit))}
    if offset + limit < total:
        paging["next"] = page(offset + limit)
    if offset > 0:
        paging["prev"] = page(max(0, offset - limit))
    return paging


@router.get("")
def list_users(
    request: Request,
    actor: Configurer,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    sort: Annotated[str, Query(json_schema_extra={"enum": list(accounts.USER_SORTS)})] = "username",
    order: Literal["asc", "desc"] = "asc",
    query: str | None = None,
) -> JSONBody:
    if query:
        raise InvalidInput("query", "searching users is not supported; list them with offset and limit")
    with database(request).read_session() as session:
        users, total = accounts.list_users(session, offset=offset, limit=limit, sort=sort, order=order)
        data = [user_json(user) for user in users]
    paging = _paging(request, total, offset, limit, sort=sort, order=order)
    return ok(request, data, totalCount=total, paging=paging)


@router.post("", status_code=201)
async def create_user(request: Request, payload: CreateUserPayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, str]:
        user = people.create_user(
            session,
            actor=actor,
            username=payload.username,
            role=payload.role.name,
            password=None,
            full_name=payload.full_name,
            time_zone=payload.time_zone,
        )
        return _meta(user)

    data = await request.app.state.writer.run(create)
    return ok(request, data, status=201, result="Created")


@router.get("/{identifier}")
def get_user(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    with database(request).read_session() as session:
        return ok(request, user_json(accounts.get_user_by_identifier(session, identifier)))


@router.patch("/{identifier}")
async def update_user(
    request: Request, identifier: str, payload: UpdateUserPayload, actor: Configurer
) -> JSONBody:
    def update(session: Session) -> dict[str, str]:
        user = accounts.get_user_by_identifier(session, identifier)
        accounts.update_user(
            session,
            actor=actor,
            user=user,
            full_name=payload.full_name,
            role=payload.role.name if payload.role else None,
            time_zone=payload.time_zone,
        )
        return _meta(user)

    return ok(request, await request.app.state.writer.run(update), result="Updated")


@router.delete("/{identifier}")
async def delete_user(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def delete(session: Session) -> None:
        accounts.delete_user(session, actor=actor, user=accounts.get_user_by_identifier(session, identifier))

    await request.app.state.writer.run(delete)
    return JSONBody(body(request, result="Deleted"))
