"""Log in and out, and each page group's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts import web_sessions
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import ServerBusy, TooManyRequests
from tocsin.ops import request_context
from tocsin.web import (
    alert_actions,
    alert_list,
    alert_page,
    chat_links,
    csrf,
    escalation_pages,
    heartbeat_pages,
    home_page,
    integration_pages,
    live_pages,
    maintenance_pages,
    oidc_pages,
    password_link_pages,
    people_pages,
    policy_pages,
    profile,
    profile_availability,
    profile_contacts,
    profile_details,
    profile_rules,
    profile_security,
    rotation_pages,
    schedule_routes,
    settings_hub,
    team_manage,
)
from tocsin.web.pages import (
    HERE,
    address_of,
    db,
    redirect,
    render,
    safe_next,
    session_token,
    try_later,
)

DEACTIVATED = "This account is deactivated. Ask a Tocsin administrator to reactivate it."


def install(app: FastAPI, settings: Settings) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    integration_pages.install(app, settings)
    chat_links.install(app, settings)
    profile.install(app, settings)
    profile_security.install(app, settings)
    profile_contacts.install(app, settings)
    profile_details.install(app, settings)
    profile_availability.install(app, settings)
    profile_rules.install(app, settings)
    home_page.install(app, settings)
    alert_list.install(app, settings)
    live_pages.install(app, settings)  # before alert_page: /alerts/live is not an alert
    alert_page.install(app, settings)
    alert_actions.install(app, settings)
    oidc_pages.install(app, settings)
    people_pages.install(app, settings)
    password_link_pages.install(app, settings)
    team_manage.install(app, settings)
    settings_hub.install(app, settings)
    rotation_pages.install(app, settings)
    policy_pages.install(app, settings)
    maintenance_pages.install(app, settings)
    schedule_routes.install(app, settings)
    escalation_pages.install(app, settings)
    heartbeat_pages.install(app, settings)
    login_options = oidc_pages.login_page_options(settings)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "") -> Response:
        return render(request, "login.html", next=safe_next(next) if next else "", **login_options)

    @app.post("/login", include_in_schema=False)
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        if not csrf.is_valid(request, csrf_token):
            return render(
                request, "login.html", 400, error="Your session expired; please try again.", next=next,
                **login_options,
            )  # fmt: skip

        throttles = request.app.state.throttles
        address = address_of(request)

        def show_login(status: int, error: str) -> Response:
            return render(
                request, "login.html", status, error=error, username=username, next=next, **login_options
            )

        wait = throttles.login_wait_seconds(username=username, address=address)
        if wait:
            return try_later(TooManyRequests("Too many failed logins.", retry_after=wait), show_login)

        def check() -> User | None:
            with db(request).read_session() as session:
                return accounts.authenticate(session, username=username, password=password)

        try:
            user = await run_in_threadpool(check)
        except ServerBusy as busy:
            return try_later(busy, show_login)
        if user is None:
            throttles.login_failed(username=username, address=address)
            return show_login(401, "Wrong username or password.")
        if not user.is_active:
            return show_login(403, DEACTIVATED)
        if not settings.password_login and user.role != "owner":
            # Only owners keep their password, so that no outage of the provider locks everyone out.
            label = settings.oidc_button_label
            return show_login(403, f"Sign in with {label}: only owners may log in with a password.")

        def begin(session: Session) -> str:
            return web_sessions.start_session(
                session, user_id=user.id, user_agent=request.headers.get("user-agent", ""), address=address
            )

        token = await request.app.state.writer.run(begin)
        request_context.note(user.username, via="web")
        request.session.clear()
        request.session[csrf.SESSION_ID] = token
        return redirect(request, safe_next(next))

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        if not csrf.is_valid(request, csrf_token):
            # Still signed in: show the page that says so (with a fresh form), not the login form.
            return redirect(request, "/")
        token = session_token(request)
        if token:
            await request.app.state.writer.run(lambda session: web_sessions.end_session(session, token))
        request.session.clear()
        return redirect(request, "/login")
