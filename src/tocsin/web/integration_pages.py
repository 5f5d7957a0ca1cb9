"""Settings > Integrations: the integrations a person may see with the kinds to add, an
integration's page (its settings, Request URL or HipChat's Capabilities URL and installation,
enabling, disabling, deleting), and the routes of the add form (integration_form) and of the team
pages (team_pages)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import NotFound, PermissionDenied
from tocsin.integrations import chat_kinds, configuration, outgoing, registry
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams
from tocsin.web import condition_builder, csrf, team_pages
from tocsin.web.integration_edit import EditSubmitted, edit_form, submit_edit
from tocsin.web.integration_form import Created, Submitted, create, new_form, refused, team_view
from tocsin.web.pages import db, redirect, render, settings, signed_in_user, to_login


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
        "actions": list(integration.outgoing_actions),
        "filter_lines": condition_builder.describe(integration.outgoing_filter),
    }


def _integration_page(
    request: Request,
    user: User,
    integration_id: str,
    *,
    new_key: str = "",
    confirm_delete: bool = False,
    saved: bool = False,
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
    return render(
        request,
        "integration.html",
        user=user,
        integration=view,
        new_key=new_key,
        confirm_delete=confirm_delete,
        saved=saved,
    )


def _change(request: Request, integration_id: str, csrf_token: str, *, enabled: bool | None) -> Response:
    """Enable or disable (``enabled``), or delete (None) the integration, as the signed-in user."""
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
        if enabled is None:
            registry.delete_integration(session, actor=actor, integration=integration)
        else:
            registry.set_enabled(session, actor=actor, integration=integration, enabled=enabled)
        return integration.team_id

    try:
        team_id = request.app.state.writer.call(change)
    except NotFound:
        return refused(request, user, 404, "There is no such integration, or it is not yours to see.")
    except PermissionDenied as problem:
        return refused(request, user, 403, f"{problem.message}.")
    request.app.state.key_cache.clear()
    if enabled is not None:
        return redirect(request, f"/settings/integrations/{integration_id}")
    return redirect(request, f"/teams/{team_id}" if team_id else "/settings/integrations")


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
        return _integration_page(request, user, integration_id, saved=bool(saved))

    @app.get("/settings/integrations/{integration_id}/edit", include_in_schema=False)
    def edit_integration(request: Request, integration_id: str) -> Response:
        return edit_form(request, integration_id)

    @app.post("/settings/integrations/{integration_id}/edit", include_in_schema=False)
    def save_integration(
        request: Request, integration_id: str, form: Annotated[EditSubmitted, Form()]
    ) -> Response:
        return submit_edit(request, integration_id, form)

    @app.get("/settings/integrations/{integration_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, integration_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return _integration_page(request, user, integration_id, confirm_delete=True)

    @app.post("/settings/integrations/{integration_id}/delete", include_in_schema=False)
    def delete(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        return _change(request, integration_id, csrf_token, enabled=None)

    @app.post("/settings/integrations/{integration_id}/enable", include_in_schema=False)
    def enable(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        return _change(request, integration_id, csrf_token, enabled=True)

    @app.post("/settings/integrations/{integration_id}/disable", include_in_schema=False)
    def disable(request: Request, integration_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        return _change(request, integration_id, csrf_token, enabled=False)
