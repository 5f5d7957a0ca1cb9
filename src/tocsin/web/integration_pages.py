"""Settings > Integrations: the integrations a person may see with the kinds to add, an
integration's page (its settings, Request URL or HipChat's Capabilities URL and installation,
enabling, disabling, deleting), and the routes of the add form (integration_form) and of the team
pages (team_pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import InvalidInput, NotFound, PermissionDenied
from tocsin.integrations import chat_kinds, configuration, outgoing, registry
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams
from tocsin.web import condition_builder, csrf, integration_heartbeats, team_pages
from tocsin.web.heartbeat_form import HeartbeatFields
from tocsin.web.integration_edit import EditSubmitted, edit_form, submit_edit
from tocsin.web.integration_form import Created, Submitted, create, new_form, refused, team_view
from tocsin.web.pages import db, flash, flashed, redirect, render, settings, signed_in_user, to_login


def _integration_view(
    session: Session, integration: Integration, *, configurable: bool, config: Settings
) -> dict[str, Any]:
    chat = chat_kinds.is_chat_kind(integration.type)
    has_url = configurable and integration.type in configuration.URL_KINDS
    return {
        "id": integration.id,
        "name": integration.name,
        "description": integration.description or "",
        "type": integration.type,
        "enabled": integration.enabled,
        "team": team_view(session, integration.team_id),
        "configurable": configurable,
        "url": configuration.url_of(integration) if has_url else "",
        "url_label": f"{integration.type} URL" if chat else "URL",
        "chat": chat,
        "chat_facts": chat_kinds.chat_facts(integration) if chat else [],
        "request_url_label": chat_kinds.request_url_label(integration.type),
        "request_url": (
            chat_kinds.request_url(config.base_url, config.effective_secret_key, integration)
            if chat and configurable
            else ""
        ),
        "sends": outgoing.sends(integration.type),
        "has_key": registry.has_key(integration),
        "signing_secret": (
            registry.signing_secret_of(integration, config.effective_secret_key)
            if configurable and integration.type == "Webhook"
            else ""
        ),
        "actions": list(integration.outgoing_actions),
        "filter_lines": condition_builder.describe(integration.outgoing_filter),
    }


def _integration_page(
    request: Request,
    user: User,
    integration_id: str,
    *,
    status: int = 200,
    new_key: str = "",
    rotated: bool = False,
    confirm: str = "",
    saved: bool = False,
    heartbeat_form: HeartbeatFields | None = None,
    heartbeat_errors: dict[str, str] | None = None,
) -> Response:
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        integration = session.get(Integration, integration_id)
        if integration is None or not registry.may_see(actor, integration):
            return refused(request, user, 404, "There is no such integration, or it is not yours to see.")
        view = _integration_view(
            session,
            integration,
            configurable=registry.may_configure(actor, integration),
            config=settings(request),
        )
        beats = integration_heartbeats.section(
            request,
            session,
            integration=integration,
            actor=actor,
            viewer=user,
            key=new_key,
            form=heartbeat_form,
            errors=heartbeat_errors,
        )
    return render(
        request,
        "integration.html",
        status,
        user=user,
        integration=view,
        new_key=new_key,
        rotated=rotated,
        confirm=confirm,
        saved=saved,
        notice=flashed(request),
        heartbeats=beats,
    )


IntegrationChange = Callable[[Session, Actor, Integration], str | None]
"""What a button on an integration's page does, as the signed-in user's actor; returns what the
answer needs (the team of a deleted integration, a new key)."""


def _enable(enabled: bool) -> IntegrationChange:
    def switch(session: Session, actor: Actor, integration: Integration) -> None:
        registry.set_enabled(session, actor=actor, integration=integration, enabled=enabled)

    return switch


def _delete(session: Session, actor: Actor, integration: Integration) -> str | None:
    registry.delete_integration(session, actor=actor, integration=integration)
    return integration.team_id


def _rotate_key(session: Session, actor: Actor, integration: Integration) -> str:
    return registry.rotate_key(session, actor=actor, integration=integration)


def _change(
    request: Request, integration_id: str, csrf_token: str, act: IntegrationChange
) -> tuple[User, str | None] | Response:
    """Do ``act`` to the integration as the signed-in user: who that is and what ``act`` returned,
    or the page that says why not (nothing changed)."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, csrf_token):
        return refused(request, user, 400, "Your session expired; go back, reload the page and try again.")

    def change(session: Session) -> str | None:
        integration = session.get(Integration, integration_id)
        current = accounts.find_user_by_id(session, user.id)
        actor = teams.actor_for_user(session, current, channel="web") if current else None
        if integration is None or actor is None or not registry.may_see(actor, integration):
            raise NotFound("no such integration")
        return act(session, actor, integration)

    try:
        done = request.app.state.writer.call(change)
    except NotFound:
        return refused(request, user, 404, "There is no such integration, or it is not yours to see.")
    except PermissionDenied as problem:
        return refused(request, user, 403, f"{problem.message}.")
    except InvalidInput as problem:
        return refused(request, user, 422, f"{problem.message}.")
    request.app.state.key_cache.clear()
    return user, done


def _rotate_signing_secret(session: Session, actor: Actor, integration: Integration) -> None:
    registry.rotate_signing_secret(session, actor=actor, integration=integration)


NEW_KEY = "integration_key"
"""A key just made, kept in the (signed) session until the integration's page shows it once."""
CONFIRMED = ("delete", "new-key", "new-signing-secret")
"""The buttons of an integration's page that ask first: GET ``…/{id}/<one of these>`` asks."""


def _confirming(request: Request, integration_id: str, what: str) -> Response:
    """The integration's page asking to confirm ``what`` (one of CONFIRMED)."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    return _integration_page(request, user, integration_id, confirm=what)


def _created(request: Request, outcome: Response | Created) -> Response:
    if not isinstance(outcome, Created):
        return outcome
    user = signed_in_user(request)
    if outcome.key and user is not None:
        return _integration_page(request, user, outcome.integration_id, new_key=outcome.key)
    return redirect(request, f"/settings/integrations/{outcome.integration_id}")


def install(app: FastAPI, config: Settings) -> None:
    team_pages.install(app, config)

    @app.get("/settings/integrations", include_in_schema=False)
    def integrations_page(request: Request, q: str = "") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            rows = team_pages.integration_rows(session, registry.list_integrations(session, actor=actor))
        return render(
            request,
            "integrations.html",
            user=user,
            integrations=rows,
            may_add=actor.manages.everything,
            kinds=registry.kinds_matching(q),
            q=q,
        )

    @app.get("/settings/integrations/new", include_in_schema=False)
    def new_integration(request: Request, type: str = "") -> Response:
        return new_form(request, type, None)

    @app.post("/settings/integrations/new", include_in_schema=False)
    def create_integration(request: Request, form: Annotated[Submitted, Form()]) -> Response:
        return _created(request, create(request, form, None))

    @app.get("/teams/{team_id}/integrations/new", include_in_schema=False)
    def new_team_integration(request: Request, team_id: str, type: str = "") -> Response:
        return new_form(request, type, team_id)

    @app.post("/teams/{team_id}/integrations/new", include_in_schema=False)
    def create_team_integration(
        request: Request, team_id: str, form: Annotated[Submitted, Form()]
    ) -> Response:
        return _created(request, create(request, form, team_id))

    @app.get("/settings/integrations/{integration_id}", include_in_schema=False)
    def integration_page(request: Request, integration_id: str, saved: str = "") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        kept = request.session.pop(NEW_KEY, None)
        key = kept["key"] if isinstance(kept, dict) and kept.get("integration") == integration_id else ""
        return _integration_page(
            request, user, integration_id, saved=bool(saved), new_key=key, rotated=bool(key)
        )

    @app.get("/settings/integrations/{integration_id}/edit", include_in_schema=False)
    def edit_integration(request: Request, integration_id: str) -> Response:
        return edit_form(request, integration_id)

    @app.post("/settings/integrations/{integration_id}/edit", include_in_schema=False)
    def save_integration(
        request: Request, integration_id: str, form: Annotated[EditSubmitted, Form()]
    ) -> Response:
        return submit_edit(request, integration_id, form)

    for what in CONFIRMED:

        def ask(request: Request, integration_id: str, what: str = what) -> Response:
            return _confirming(request, integration_id, what)

        app.add_api_route(
            f"/settings/integrations/{{integration_id}}/{what}", ask, methods=["GET"], include_in_schema=False
        )

    @app.post("/settings/integrations/{integration_id}/delete", include_in_schema=False)
    def delete(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        done = _change(request, integration_id, csrf_token, _delete)
        if isinstance(done, Response):
            return done
        team_id = done[1]
        return redirect(request, f"/teams/{team_id}" if team_id else "/settings/integrations")

    def switch(request: Request, integration_id: str, csrf_token: str, *, enabled: bool) -> Response:
        done = _change(request, integration_id, csrf_token, _enable(enabled))
        if isinstance(done, Response):
            return done
        return redirect(request, f"/settings/integrations/{integration_id}")

    @app.post("/settings/integrations/{integration_id}/enable", include_in_schema=False)
    def enable(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        return switch(request, integration_id, csrf_token, enabled=True)

    @app.post("/settings/integrations/{integration_id}/disable", include_in_schema=False)
    def disable(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        return switch(request, integration_id, csrf_token, enabled=False)

    @app.post("/settings/integrations/{integration_id}/new-key", include_in_schema=False)
    def new_key(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        done = _change(request, integration_id, csrf_token, _rotate_key)
        if isinstance(done, Response):
            return done
        # Shown by the page the browser is sent to, once: reloading it makes no other key.
        request.session[NEW_KEY] = {"integration": integration_id, "key": done[1]}
        return redirect(request, f"/settings/integrations/{integration_id}")

    @app.post("/settings/integrations/{integration_id}/new-signing-secret", include_in_schema=False)
    def new_signing_secret(
        request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        done = _change(request, integration_id, csrf_token, _rotate_signing_secret)
        if isinstance(done, Response):
            return done
        flash(request, "A new signing secret: requests are signed with it from now on.")
        return redirect(request, f"/settings/integrations/{integration_id}")

    @app.post("/settings/integrations/{integration_id}/heartbeats", include_in_schema=False)
    def add_heartbeat(
        request: Request, integration_id: str, form: Annotated[HeartbeatFields, Form()]
    ) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)

        def show(status: int, errors: dict[str, str]) -> Response:
            assert user is not None
            return _integration_page(
                request, user, integration_id, status=status, heartbeat_form=form, heartbeat_errors=errors
            )

        if not csrf.is_valid(request, form.csrf_token):
            return show(400, {"form": "Your session expired; reload the page and try again."})
        done = integration_heartbeats.add_heartbeat(request, user, integration_id, form, show)
        if isinstance(done, Response):
            return done
        flash(request, f"Heartbeat {done} created: ping it with the command below.")
        return redirect(request, f"/settings/integrations/{integration_id}#heartbeats")
