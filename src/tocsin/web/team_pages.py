"""Teams: the list of teams, and a team's page: its dashboard (on call now and next, open alerts,
schedules, escalations, routing rules, heartbeats: ``team_dashboard``), its members and its
integrations, from which the team's admins add an integration the team owns.
The forms that change teams are handled in ``team_manage``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.integrations import registry
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams
from tocsin.web.pages import db, flashed, render, signed_in_user, to_login
from tocsin.web.team_dashboard import dashboard


def integration_rows(session: Session, found: Iterable[Integration]) -> list[dict[str, Any]]:
    """What the lists of integrations show of each."""
    names = {team.id: team.name for team in teams.list_teams(session)}
    return [
        {
            "id": integration.id,
            "name": integration.name,
            "type": integration.type,
            "team": names.get(integration.team_id or "", ""),
            "team_id": integration.team_id,
            "enabled": integration.enabled,
        }
        for integration in found
    ]


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/teams", include_in_schema=False)
    def teams_list(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return teams_page(request, user, notice=flashed(request))

    @app.get("/teams/{team_id}", include_in_schema=False)
    def team(request: Request, team_id: str, q: str = "") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return team_page(request, user, team_id, q=q, notice=flashed(request))


def teams_page(
    request: Request,
    user: User,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    entered: dict[str, str] | None = None,
) -> Response:
    with db(request).read_session() as session:
        found = teams.list_teams(session)
        members = teams.members_by_team(session, [team.id for team in found])
        mine = teams.team_ids_of_user(session, user.id)
        rows = [
            {
                "id": team.id,
                "name": team.name,
                "description": team.description,
                "members": len(members[team.id]),
                "mine": team.id in mine,
            }
            for team in found
        ]
        may_create = teams.actor_for_user(session, user, channel="web").manages.everything
    return render(
        request,
        "teams.html",
        status,
        user=user,
        teams=rows,
        may_create=may_create,
        notice=notice,
        error=error,
        entered=entered or {},
    )


def team_page(
    request: Request,
    user: User,
    team_id: str,
    *,
    q: str = "",
    status: int = 200,
    notice: str = "",
    error: str = "",
) -> Response:
    with db(request).read_session() as session:
        team = teams.find_team(session, team_id=team_id)
        if team is None:
            return render(request, "team.html", 404, user=user, team=None)
        actor = teams.actor_for_user(session, user, channel="web")
        members = [
            {"id": member.id, "username": member.username, "full_name": member.full_name, "role": role}
            for member, role in teams.members_of(session, team.id)
        ]
        integrations = integration_rows(
            session, registry.list_integrations(session, actor=actor, team_id=team.id)
        )
        view = {"id": team.id, "name": team.name, "description": team.description}
        board = dashboard(session, actor, user, team)
        manages = actor.manages.covers_team(team.id)
        in_team = {member["id"] for member in members}
        candidates = (
            [
                person.username
                for person in accounts.find_people(session, limit=500)[0]
                if person.id not in in_team
            ]
            if manages
            else []
        )
    return render(
        request,
        "team.html",
        status,
        user=user,
        team=view,
        members=members,
        integrations=integrations,
        may_add=manages,
        manages=manages,
        candidates=candidates,
        kinds=registry.kinds_matching(q),
        q=q,
        notice=notice,
        error=error,
        **board,
    )
