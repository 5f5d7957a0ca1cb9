"""``/policies``: the alert and notification policies of one scope (global, or a team's: the
API's ``teamId``) in their order, each with its conditions and what it does in words. Those who
may change the scope's configuration move policies up and down, enable and disable them, delete
them after a confirmation, and create and edit them (``policy_edit``); everything goes through
the service the API calls, with its permission rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor, may_read_team_config
from tocsin.config import Settings
from tocsin.errors import InvalidInput, NotFound, PermissionDenied
from tocsin.policies import service
from tocsin.policies.models import Policy
from tocsin.teams import service as teams
from tocsin.web import policy_edit, policy_words
from tocsin.web.admin_forms import carry_out, sender
from tocsin.web.integration_form import refused
from tocsin.web.pages import db, flash, flashed, redirect, render, signed_in_user, to_login

GLOBAL = ""
NOT_YOURS = "There is no such policy, or it is not yours to see."
KINDS = {"alert": "Alert policies", "notification": "Notification policies"}
Form_ = Annotated[str, Form()]
Change = Callable[[Session, Actor, Policy, str], str]
"""A change made from the list: (session, actor, policy, the direction of a move) → its notice."""


def scopes(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The scopes ``actor`` may read, as (teamId, label): global first, then teams by name."""
    found = [(GLOBAL, "Global")] if may_read_team_config(actor, None) else []
    return found + [
        (team.id, f"Team {team.name}")
        for team in teams.list_teams(session)
        if may_read_team_config(actor, team.id)
    ]


def scope_link(team_id: str | None) -> str:
    return f"/policies?team={team_id}" if team_id else "/policies"


def _row(policy: Policy, last: int) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "description": policy.description,
        "enabled": policy.enabled,
        "position": policy.position,
        "first": policy.position == 0,
        "last": policy.position == last,
        "conditions": policy_words.conditions(policy.filter),
        "when": policy_words.when(policy.time_restrictions),
        "effects": policy_words.effects(policy.type, policy.body or {}),
    }


def policies_page(
    request: Request, user: User, team: str | None, *, status: int = 200, error: str = ""
) -> Response:
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        readable = scopes(session, actor)
        if team is None and not readable:
            return render(request, "policies.html", user=user, scopes=[], team=GLOBAL, sections={})
        if team is None:
            team = readable[0][0]
        if team not in {value for value, _ in readable}:
            if team:
                return refused(
                    request, user, 404, "There is no such team, or its policies are not yours to see."
                )
            return refused(request, user, 403, "Only administrators see and change the global policies.")
        sections = {}
        for kind in KINDS:
            found = service.list_policies(session, team_id=team or None, type=kind, actor=actor)
            sections[kind] = [_row(policy, len(found) - 1) for policy in found]
        may_change = actor.manages.covers_team(team or None)
    return render(
        request,
        "policies.html",
        status,
        user=user,
        error=error,
        scopes=readable,
        team=team,
        kinds=KINDS,
        sections=sections,
        may_change=may_change,
        notice=flashed(request),
    )


def _move(session: Session, actor: Actor, policy: Policy, direction: str) -> str:
    if direction not in ("up", "down"):
        raise InvalidInput("direction", "move a policy up or down")
    target = policy.position - 1 if direction == "up" else policy.position + 1
    service.change_order(session, actor=actor, policy=policy, target_index=max(target, 0))
    return f"{policy.name} moved {direction}: it is number {policy.position + 1} now."


def _switch(session: Session, actor: Actor, policy: Policy, enabled: bool) -> str:
    service.set_enabled(session, actor=actor, policy=policy, enabled=enabled)
    return f"{policy.name} is {'enabled' if enabled else 'disabled'}."


def _delete(session: Session, actor: Actor, policy: Policy) -> str:
    service.delete_policy(session, actor=actor, policy=policy)
    return f"{policy.name} is deleted."


def install(app: FastAPI, settings: Settings) -> None:
    policy_edit.install(app, settings)

    @app.get("/policies", include_in_schema=False)
    def policies(request: Request, team: str | None = None) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return policies_page(request, user, team)

    def posted(path: str, change: Change) -> None:
        """A form on the list that changes one policy: ``change`` does it and says what it did."""

        @app.post(f"/policies/{{policy_id}}/{path}", include_in_schema=False)
        async def post(
            request: Request, policy_id: str, csrf_token: Form_ = "", direction: Form_ = ""
        ) -> Response:
            def show(viewer: User, status: int, error: str) -> Response:
                return policies_page(request, viewer, None, status=status, error=error)

            user = await sender(request, csrf_token, show)
            if isinstance(user, Response):
                return user

            def act(session: Session) -> tuple[str | None, str]:
                actor = teams.actor_for_user(session, user, channel="web")
                policy = service.get_policy(session, policy_id, actor=actor)
                return policy.team_id, change(session, actor, policy, direction)

            done = await carry_out(request, user, act, lambda status, error: show(user, status, error))
            if isinstance(done, Response):
                return done
            flash(request, done[1])
            return redirect(request, scope_link(done[0]))

    posted("move", _move)
    posted("enable", lambda session, actor, policy, _: _switch(session, actor, policy, True))
    posted("disable", lambda session, actor, policy, _: _switch(session, actor, policy, False))
    posted("delete", lambda session, actor, policy, _: _delete(session, actor, policy))

    @app.get("/policies/{policy_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, policy_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            try:
                policy, may_change = policy_edit.stored(session, user, policy_id)
            except (NotFound, PermissionDenied):
                return refused(request, user, 404, NOT_YOURS)
            if not may_change:
                return refused(request, user, 403, policy_edit.not_yours_to_change(session, policy.team_id))
            view = {
                "id": policy.id,
                "name": policy.name,
                "type": policy.type,
                "back": scope_link(policy.team_id),
            }
        return render(request, "policy_delete.html", user=user, policy=view)
