"""Changing teams from their pages: create a team (on /teams), rename and describe it, add
members, change a member's role (member or admin) and remove them, and delete the team after a
confirmation page that says what the team still owns (``teams.deletion``, as the API's delete
checks). Who may: the service functions the API calls decide; the pages offer only what the
viewer may do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import InvalidInput, NotFound
from tocsin.teams import deletion
from tocsin.teams import service as teams
from tocsin.teams.models import Team
from tocsin.web.admin_forms import carry_out, sender
from tocsin.web.pages import db, flash, redirect, render, signed_in_user, to_login
from tocsin.web.team_pages import team_page, teams_page

Form_ = Annotated[str, Form()]
Change = Callable[[Session, Actor, Team, dict[str, str]], str]
"""A team form's change; returns the notice that says what was done."""


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/teams", include_in_schema=False)
    async def create_team(
        request: Request, name: Form_ = "", description: Form_ = "", csrf_token: Form_ = ""
    ) -> Response:
        entered = {"name": name, "description": description}

        def show(viewer: User, status: int, error: str) -> Response:
            return teams_page(request, viewer, status=status, error=error, entered=entered)

        user = await sender(request, csrf_token, show)
        if isinstance(user, Response):
            return user

        def create(session: Session) -> tuple[str, str]:
            actor = teams.actor_for_user(session, user, channel="web")
            team = teams.create_team(session, actor=actor, name=name, description=description)
            return team.id, team.name

        done = await carry_out(request, user, create, lambda status, error: show(user, status, error))
        if isinstance(done, Response):
            return done
        flash(request, f"Team {done[1]} created. Add its members here.")
        return redirect(request, f"/teams/{done[0]}")

    def team_form(path: str, change: Change) -> None:
        @app.post(f"/teams/{{team_id}}/{path}", include_in_schema=False)
        async def post(
            request: Request,
            team_id: str,
            name: Form_ = "",
            description: Form_ = "",
            username: Form_ = "",
            user_id: Form_ = "",
            role: Form_ = "user",
            csrf_token: Form_ = "",
        ) -> Response:
            def show(viewer: User, status: int, error: str) -> Response:
                return team_page(request, viewer, team_id, status=status, error=error)

            user = await sender(request, csrf_token, show)
            if isinstance(user, Response):
                return user
            form = {
                "name": name,
                "description": description,
                "username": username,
                "user_id": user_id,
                "role": role,
            }

            def act(session: Session) -> str:
                actor = teams.actor_for_user(session, user, channel="web")
                team = teams.get_team(session, team_id=team_id)
                return change(session, actor, team, form)

            done = await carry_out(request, user, act, lambda status, error: show(user, status, error))
            if isinstance(done, Response):
                return done
            flash(request, done)
            return redirect(request, f"/teams/{team_id}")

    team_form("details", _change_details)
    team_form("members", _add_member)
    team_form("members/role", _change_member_role)
    team_form("members/remove", _remove_member)

    @app.get("/teams/{team_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, team_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return delete_page(request, user, team_id)

    @app.post("/teams/{team_id}/delete", include_in_schema=False)
    async def delete_team(request: Request, team_id: str, csrf_token: Form_ = "") -> Response:
        def show(viewer: User, status: int, error: str) -> Response:
            return delete_page(request, viewer, team_id, status=status, error=error)

        user = await sender(request, csrf_token, show)
        if isinstance(user, Response):
            return user

        def delete(session: Session) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            team = teams.get_team(session, team_id=team_id)
            teams.delete_team(session, actor=actor, team=team)
            return team.name

        done = await carry_out(request, user, delete, lambda status, error: show(user, status, error))
        if isinstance(done, Response):
            return done
        flash(request, f"Team {done} deleted.")
        return redirect(request, "/teams")


def _change_details(session: Session, actor: Actor, team: Team, form: dict[str, str]) -> str:
    teams.update_team(session, actor=actor, team=team, name=form["name"], description=form["description"])
    return f"Team {team.name} saved."


def _add_member(session: Session, actor: Actor, team: Team, form: dict[str, str]) -> str:
    if not form["username"].strip():
        raise InvalidInput("user", "choose the person to add (their e-mail)")
    member = teams.add_member(session, actor=actor, team=team, user=form["username"], role=form["role"])
    return (
        f"{_username(session, member.user_id)} is a member of team {team.name}, as {_role_name(member.role)}."
    )


def _change_member_role(session: Session, actor: Actor, team: Team, form: dict[str, str]) -> str:
    if _role_of(session, team, form["user_id"]) is None:
        raise NotFound(f"{_username(session, form['user_id'])} is not a member of team {team.name}")
    member = teams.add_member(session, actor=actor, team=team, user=form["user_id"], role=form["role"])
    return f"{_username(session, member.user_id)} is now {_role_name(member.role)} of team {team.name}."


def _remove_member(session: Session, actor: Actor, team: Team, form: dict[str, str]) -> str:
    name = _username(session, form["user_id"])
    teams.remove_member(session, actor=actor, team=team, user=form["user_id"])
    return f"{name} is no longer a member of team {team.name}."


def _role_of(session: Session, team: Team, user_id: str) -> str | None:
    return next((role for user, role in teams.members_of(session, team.id) if user.id == user_id), None)


def _username(session: Session, user_id: str) -> str:
    user = accounts.find_user_by_identifier(session, user_id)
    if user is None:
        raise accounts.UnknownUser("user", user_id)
    return user.username


def _role_name(role: str) -> str:
    return "an admin" if role == "admin" else "a member"


def delete_page(
    request: Request, user: User, team_id: str, *, status: int = 200, error: str = ""
) -> Response:
    with db(request).read_session() as session:
        team = teams.find_team(session, team_id=team_id)
        if team is None:
            return render(request, "team.html", 404, user=user, team=None)
        actor = teams.actor_for_user(session, user, channel="web")
        if not actor.manages.covers_team(team.id):
            return render(
                request, "refused.html", 403, user=user, message=f"You may not delete team {team.name}."
            )
        view = {"id": team.id, "name": team.name}
        blockers = deletion.blockers(session, team)
        goes = deletion.goes_with(session, team)
    return render(
        request, "team_delete.html", status, user=user, team=view, blockers=blockers, goes=goes, error=error
    )
