"""Escalations: the list (``/escalations``, by team, each with its rules in one line of words),
an escalation's page with its editor and preview (``escalation_editor``), and deleting one after
a confirmation. What anyone sees and may change is what the API allows them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import NotFound, PermissionDenied, ServerBusy
from tocsin.escalations import service as escalations
from tocsin.escalations.models import EscalationPolicy
from tocsin.teams import service as teams
from tocsin.web import csrf, escalation_editor
from tocsin.web.admin_forms import EXPIRED, refused
from tocsin.web.escalation_form import EscalationFields
from tocsin.web.escalation_words import in_words
from tocsin.web.pages import db, flash, flashed, redirect, render, signed_in_user, to_login, try_later


def policy_rows(session: Session, policies: list[EscalationPolicy]) -> list[dict[str, Any]]:
    """What a list of escalations shows of each: name, team default or not, rules in words."""
    return [
        {
            "id": policy.id,
            "name": policy.name,
            "team_default": policy.is_team_default,
            "words": in_words(escalations.snapshot(session, policy), policy),
        }
        for policy in policies
    ]


def by_team(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The escalations ``actor`` may see, grouped by owner team (by name; those of no team last)."""
    visible = escalations.list_policies(session, actor=actor)
    groups: list[dict[str, Any]] = []
    for team in teams.list_teams(session):
        owned = [policy for policy in visible if policy.owner_team_id == team.id]
        if owned:
            groups.append(
                {"team": {"id": team.id, "name": team.name}, "policies": policy_rows(session, owned)}
            )
    unowned = [policy for policy in visible if policy.owner_team_id is None]
    if unowned:
        groups.append({"team": None, "policies": policy_rows(session, unowned)})
    return groups


def _deletable(request: Request, policy_id: str) -> tuple[User, dict[str, Any]] | Response:
    """The signed-in viewer and what the confirmation shows of the escalation; or the page
    saying they may not (or to log in)."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        policy = escalations.find_policy(session, policy_id)
        if policy is None or not escalations.may_see(actor, policy):
            return render(
                request, "escalation_missing.html", 404, user=user, message=escalation_editor.NOT_YOURS
            )
        if not actor.manages.covers_team(policy.owner_team_id):
            return refused(request, user, f"{user.username} may not change escalation {policy.name}")
        return user, {"id": policy.id, "name": policy.name, "team_default": policy.is_team_default}


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/escalations", include_in_schema=False)
    def escalation_list(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            groups = by_team(session, actor)
            may_create = bool(escalation_editor.owners(session, actor))
        return render(
            request,
            "escalations.html",
            user=user,
            groups=groups,
            may_create=may_create,
            notice=flashed(request),
        )

    @app.get("/escalations/new", include_in_schema=False)
    def new_escalation(request: Request) -> Response:
        return escalation_editor.show(request, None)

    @app.post("/escalations/new", include_in_schema=False)
    def create_escalation(request: Request, form: Annotated[EscalationFields, Form()]) -> Response:
        return escalation_editor.submit(request, None, form)

    @app.get("/escalations/{policy_id}", include_in_schema=False)
    def escalation(request: Request, policy_id: str) -> Response:
        return escalation_editor.show(request, policy_id, notice=flashed(request))

    @app.post("/escalations/{policy_id}", include_in_schema=False)
    def save_escalation(
        request: Request, policy_id: str, form: Annotated[EscalationFields, Form()]
    ) -> Response:
        return escalation_editor.submit(request, policy_id, form)

    @app.get("/escalations/{policy_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, policy_id: str) -> Response:
        found = _deletable(request, policy_id)
        if isinstance(found, Response):
            return found
        user, view = found
        return render(request, "escalation_delete.html", user=user, policy=view)

    @app.post("/escalations/{policy_id}/delete", include_in_schema=False)
    def delete(request: Request, policy_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        found = _deletable(request, policy_id)
        if isinstance(found, Response):
            return found
        user, view = found
        if not csrf.is_valid(request, csrf_token):
            return render(request, "escalation_delete.html", 400, user=user, policy=view, error=EXPIRED)

        def remove(session: Session) -> None:
            actor = teams.actor_for_user(session, user, channel="web")
            escalations.delete_policy(session, actor=actor, policy=escalations.get_policy(session, policy_id))

        try:
            request.app.state.writer.call(remove)
        except PermissionDenied as denied:
            return refused(request, user, denied.message)
        except NotFound:
            return redirect(request, "/escalations")
        except ServerBusy as busy:
            return try_later(
                busy,
                lambda status, error: render(
                    request, "escalation_delete.html", status, user=user, policy=view, error=error
                ),
            )
        flash(request, f"Escalation {view['name']} deleted.")
        return redirect(request, "/escalations")
