"""What a user belongs to, as Opsgenie answers it: ``GET /v2/users/{identifier}/teams`` and
``GET /v2/users/{identifier}/schedules`` (unpaged lists)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from tocsin.accounts import service as accounts
from tocsin.api.envelope import JSONBody, ok
from tocsin.oncall import service as oncall
from tocsin.people.api import Configurer, database
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/users")


@router.get("/{identifier}/teams")
def list_user_teams(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    with database(request).read_session() as session:
        user = accounts.get_user_by_identifier(session, identifier)
        team_ids = teams.team_ids_of_user(session, user.id)
        found = [team for team in teams.list_teams(session) if team.id in team_ids]
        return ok(request, [{"id": team.id, "name": team.name} for team in found])


@router.get("/{identifier}/schedules")
def list_user_schedules(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    with database(request).read_session() as session:
        user = accounts.get_user_by_identifier(session, identifier)
        schedules = oncall.schedules_of_user(session, user.id, actor=actor)
        return ok(request, [{"id": s.id, "name": s.name, "enabled": s.enabled} for s in schedules])
