"""Settings > Heartbeats: the heartbeats a person may see (team, interval, last ping, state) with a
form to create one, and a heartbeat's page (the command that pings it, its settings to edit,
enable, disable, delete after a confirmation). Every change goes through the heartbeats service
the API calls, so the same limits and permissions hold: a team's admins change its heartbeats,
administrators every one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServerBusy
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.models import Heartbeat
from tocsin.teams import service as teams
from tocsin.web import admin_forms, csrf, heartbeat_form, heartbeat_rows
from tocsin.web.heartbeat_form import HeartbeatFields
from tocsin.web.pages import (
    db,
    flash,
    flashed,
    redirect,
    render,
    settings,
    signed_in_user,
    to_login,
    try_later,
)

NOT_YOURS = "There is no such heartbeat, or it is not yours to see."
EXPIRED = "Your session expired; reload the page and try again."
T = TypeVar("T")
HeartbeatChange = Callable[[Session, Actor, Heartbeat, HeartbeatFields], str]
"""A change a form on a heartbeat's page makes; returns the notice saying what was done."""
Shown = Callable[[int, dict[str, str]], Response]
"""Draws the page a form is on again, with an answer status and errors by field."""


def list_page(
    request: Request,
    user: User,
    *,
    form: HeartbeatFields | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        shown = heartbeat_rows.rows(session, heartbeats.list_heartbeats(session, actor=actor), user)
        owners = heartbeat_form.owner_choices(session, user)
    return render(
        request,
        "heartbeats.html",
        status,
        user=user,
        heartbeats=shown,
        owners=owners,
        form=form or HeartbeatFields(owner_team=owners[0][0] if owners else ""),
        errors=errors or {},
        notice=flashed(request),
        **heartbeat_form.choices(),
    )


def heartbeat_page(
    request: Request,
    user: User,
    name: str,
    *,
    form: HeartbeatFields | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    confirm_delete: bool = False,
) -> Response:
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        heartbeat = heartbeats.find_heartbeat(session, name)
        if heartbeat is None or not heartbeats.may_see(actor, heartbeat):
            return render(request, "heartbeat.html", 404, user=user, missing=NOT_YOURS)
        [row] = heartbeat_rows.rows(session, [heartbeat], user)
        configurable = actor.manages.covers_team(heartbeat.owner_team_id)
        owners = heartbeat_form.owner_choices(session, user) if configurable else []
        form = form or heartbeat_form.form_of(heartbeat)
    return render(
        request,
        "heartbeat.html",
        status,
        user=user,
        heartbeat=row,
        configurable=configurable,
        owners=owners,
        form=form,
        errors=errors or {},
        notice=flashed(request),
        confirm_delete=confirm_delete,
        ping_command=heartbeat_rows.ping_command(settings(request).base_url, row["name"]),
        **heartbeat_form.choices(),
    )


def attempt(request: Request, user: User, change: Callable[[Session], T], show: Shown) -> T | Response:
    """Run ``change`` in a write transaction: its result, or the answer to a refusal (the form
    again with what to fix next to its field, 403 for what ``user`` may not do)."""
    try:
        return request.app.state.writer.call(change)  # type: ignore[no-any-return]
    except PermissionDenied as refusal:
        return admin_forms.refused(request, user, refusal.message)
    except (InvalidInput, Conflict) as problem:
        message = admin_forms.sentence(problem.message)
        return show(
            422 if isinstance(problem, InvalidInput) else 409, {heartbeat_form.field_of(problem): message}
        )
    except NotFound:
        return show(404, {"form": NOT_YOURS})
    except ServerBusy as busy:
        return try_later(busy, lambda status, message: show(status, {"form": message}))


def _sender(
    request: Request, csrf_token: str, show: Callable[[User, int, dict[str, str]], Response]
) -> User | Response:
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, csrf_token):
        return show(user, 400, {"form": EXPIRED})
    return user


def install(app: FastAPI, config: Settings) -> None:
    @app.get("/heartbeats", include_in_schema=False)
    def heartbeats_list(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return list_page(request, user)

    @app.post("/heartbeats", include_in_schema=False)
    def create(request: Request, form: Annotated[HeartbeatFields, Form()]) -> Response:
        def show(viewer: User, status: int, errors: dict[str, str]) -> Response:
            return list_page(request, viewer, form=form, errors=errors, status=status)

        user = _sender(request, form.csrf_token, show)
        if isinstance(user, Response):
            return user

        def add(session: Session) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            return heartbeats.create_heartbeat(session, actor=actor, payload=form.payload()).name

        done = attempt(request, user, add, lambda status, errors: show(user, status, errors))
        if isinstance(done, Response):
            return done
        flash(
            request,
            f"Heartbeat {done} created: ping it within {form.interval.strip()} {form.interval_unit}.",
        )
        return redirect(request, f"/heartbeats/{quote(done, safe='')}")

    @app.get("/heartbeats/{name}", include_in_schema=False)
    def heartbeat(request: Request, name: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return heartbeat_page(request, user, name)

    @app.get("/heartbeats/{name}/delete", include_in_schema=False)
    def confirm_delete(request: Request, name: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return heartbeat_page(request, user, name, confirm_delete=True)

    def heartbeat_form_route(path: str, change: HeartbeatChange) -> None:
        """A form on a heartbeat's page: ``change(session, actor, heartbeat, form)`` does it and
        says what was done; the page (or the list, once deleted) shows that."""

        @app.post(f"/heartbeats/{{name}}{path}", include_in_schema=False)
        def post(request: Request, name: str, form: Annotated[HeartbeatFields, Form()]) -> Response:
            def show(viewer: User, status: int, errors: dict[str, str]) -> Response:
                return heartbeat_page(
                    request, viewer, name, form=form if path == "" else None, errors=errors, status=status
                )

            user = _sender(request, form.csrf_token, show)
            if isinstance(user, Response):
                return user

            def act(session: Session) -> str:
                actor = teams.actor_for_user(session, user, channel="web")
                found = heartbeats.find_heartbeat(session, name)
                if found is None or not heartbeats.may_see(actor, found):
                    raise NotFound(NOT_YOURS)
                return change(session, actor, found, form)

            done = attempt(request, user, act, lambda status, errors: show(user, status, errors))
            if isinstance(done, Response):
                return done
            flash(request, done)
            return redirect(
                request, "/heartbeats" if path == "/delete" else f"/heartbeats/{quote(name, safe='')}"
            )

    heartbeat_form_route("", _save)
    heartbeat_form_route("/enable", _enable)
    heartbeat_form_route("/disable", _disable)
    heartbeat_form_route("/delete", _delete)


def _save(session: Session, actor: Actor, heartbeat: Heartbeat, form: HeartbeatFields) -> str:
    heartbeats.update_heartbeat(session, actor=actor, heartbeat=heartbeat, payload=form.update())
    return f"Saved heartbeat {heartbeat.name}."


def _enable(session: Session, actor: Actor, heartbeat: Heartbeat, _: HeartbeatFields) -> str:
    heartbeats.set_enabled(session, actor=actor, heartbeat=heartbeat, enabled=True)
    return f"Heartbeat {heartbeat.name} is enabled: it expects a ping within {heartbeats.every(heartbeat)}."


def _disable(session: Session, actor: Actor, heartbeat: Heartbeat, _: HeartbeatFields) -> str:
    heartbeats.set_enabled(session, actor=actor, heartbeat=heartbeat, enabled=False)
    return f"Heartbeat {heartbeat.name} is disabled: no alert is raised until it is enabled again."


def _delete(session: Session, actor: Actor, heartbeat: Heartbeat, _: HeartbeatFields) -> str:
    name = heartbeat.name
    heartbeats.delete_heartbeat(session, actor=actor, heartbeat=heartbeat)
    return f"Heartbeat {name} is deleted. An alert it raised stays open until someone closes it."
