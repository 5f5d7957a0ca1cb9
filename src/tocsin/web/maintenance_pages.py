"""``/maintenance``: the maintenance windows that are on or planned (and, on a tab, the past and
cancelled ones), each with its times in the viewer's zone, its status and what it switches, by
name and linked. Those who may configure integrations or policies plan a window for them; a
window is cancelled (while on) or deleted (planned or over) by whoever may change everything it
switches: the rules of the maintenance service the API calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor, may_read_team_config
from tocsin.config import Settings
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.integrations import registry
from tocsin.maintenance import service
from tocsin.maintenance.models import Maintenance
from tocsin.policies import service as policies
from tocsin.teams import service as teams
from tocsin.web import maintenance_form
from tocsin.web.admin_forms import carry_out, refused, sender
from tocsin.web.maintenance_form import MaintenanceFields
from tocsin.web.moments import when
from tocsin.web.pages import db, flash, flashed, redirect, render, signed_in_user, to_login

TABS = {"current": "On and planned", "past": "Past and cancelled"}
STATUS = {"active": "On now", "planned": "Planned", "past": "Over", "cancelled": "Cancelled"}
Form_ = Annotated[str, Form()]


def _link(actor: Actor, entity: service.Entity) -> str:
    if entity.name == "(deleted)" or not may_read_team_config(actor, entity.team_id):
        return ""
    return f"/settings/integrations/{entity.id}" if entity.type == "integration" else f"/policies/{entity.id}"


def _window(session: Session, actor: Actor, viewer: User, window: Maintenance) -> dict[str, Any]:
    rules = service.rules_of(session, window)
    status = service.status_of(window, clock.now())
    may_act = all(actor.manages.covers_team(entity.team_id) for _, entity in rules)
    return {
        "id": window.id,
        "description": window.description,
        "status": status,
        "status_label": STATUS[status],
        "starts": when(window.start_at, viewer),
        "ends": when(window.cancelled_at or window.end_at, viewer),
        "rules": [
            {
                "what": f"{entity.type} {entity.name}",
                "name": entity.name,
                "type": entity.type,
                "switched": maintenance_form.STATES[state],
                "link": _link(actor, entity),
            }
            for state, entity in rules
        ],
        "may_cancel": may_act and status == "active",
        "may_delete": may_act and status != "active",
    }


def choices(session: Session, actor: Actor) -> dict[str, list[dict[str, str]]]:
    """What ``actor`` may switch: the integrations and policies they may configure."""
    integrations = [
        {
            "id": found.id,
            "label": found.name + (f" (team {team})" if (team := _team(session, found.team_id)) else ""),
        }
        for found in registry.list_integrations(session, actor=actor)
        if registry.may_configure(actor, found)
    ]
    scopes: list[str | None] = [None] if actor.manages.everything else []
    scopes += [team.id for team in teams.list_teams(session) if actor.manages.covers_team(team.id)]
    found_policies = [
        {"id": policy.id, "label": f"{policy.name} ({policy.type}, {policies.scope_name(session, scope)})"}
        for scope in scopes
        for policy in policies.list_policies(session, team_id=scope)
    ]
    return {"integrations": integrations, "policies": found_policies}


def _team(session: Session, team_id: str | None) -> str:
    team = teams.find_team(session, team_id=team_id) if team_id else None
    return team.name if team else ""


def maintenance_page(
    request: Request,
    viewer: User,
    *,
    tab: str = "current",
    form: MaintenanceFields | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    tab = tab if tab in TABS else "current"
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, viewer, channel="web")
        found = service.list_maintenance(session, which="non-expired" if tab == "current" else "past")
        windows = [_window(session, actor, viewer, window) for window in found]
        if tab == "past":
            windows.reverse()  # the latest first
        picks = choices(session, actor)
    return render(
        request,
        "maintenance.html",
        status,
        user=viewer,
        tabs=TABS,
        tab=tab,
        windows=windows,
        choices=picks,
        may_plan=bool(picks["integrations"] or picks["policies"]),
        form=form or maintenance_form.fresh(viewer),
        lengths=maintenance_form.LENGTHS,
        errors=errors or {},
        notice=notice,
    )


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/maintenance", include_in_schema=False)
    def maintenance(request: Request, tab: str = "current") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return maintenance_page(request, user, tab=tab, notice=flashed(request))

    @app.post("/maintenance", include_in_schema=False)
    async def plan(request: Request, form: Annotated[MaintenanceFields, Form()]) -> Response:
        def show(viewer: User, status: int, error: str) -> Response:
            return maintenance_page(request, viewer, form=form, errors={"form": error}, status=status)

        user = await sender(request, form.csrf_token, show)
        if isinstance(user, Response):
            return user

        def create(session: Session) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            window = service.create_maintenance(session, actor=actor, payload=form.payload(user))
            return window.description or "The maintenance window"

        try:
            made = await request.app.state.writer.run(create)
        except InvalidInput as problem:
            place = (problem.field or "time").split(".")[0].split("[")[0]
            errors = {place if place in ("description", "rules") else "time": problem.message}
            return await run_in_threadpool(
                maintenance_page, request, user, form=form, errors=errors, status=422
            )
        except PermissionDenied as problem:
            return refused(request, user, problem.message)
        flash(request, f"{made} is planned.")
        return redirect(request, "/maintenance")

    def posted(path: str, done: str) -> None:
        """Cancel or delete a window: ``done`` is the notice, with {window} for its description."""

        @app.post(f"/maintenance/{{window_id}}/{path}", include_in_schema=False)
        async def post(request: Request, window_id: str, csrf_token: Form_ = "") -> Response:
            def show(viewer: User, status: int, error: str) -> Response:
                return maintenance_page(request, viewer, errors={"form": error}, status=status)

            user = await sender(request, csrf_token, show)
            if isinstance(user, Response):
                return user

            def act(session: Session) -> str:
                actor = teams.actor_for_user(session, user, channel="web")
                window = service.get_maintenance(session, window_id)
                shown = window.description or "The window"
                if path == "cancel":
                    service.cancel_maintenance(session, actor=actor, window=window)
                else:
                    service.delete_maintenance(session, actor=actor, window=window)
                return done.format(window=shown)

            notice = await carry_out(request, user, act, lambda status, error: show(user, status, error))
            if isinstance(notice, Response):
                return notice
            flash(request, notice)
            return redirect(request, "/maintenance")

    posted("cancel", "{window} is cancelled: everything it switched counts as before.")
    posted("delete", "{window} is deleted.")
