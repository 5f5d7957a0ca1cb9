"""Log in and out, and a read-only list of open alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.alerts import listing
from tocsin.alerts.json_views import iso
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.errors import InvalidInput
from tocsin.teams import service as teams
from tocsin.web import csrf

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
}


def _path(request: Request, path: str) -> str:
    return f"{request.scope.get('root_path', '')}{path}"


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    context.update(request=request, csrf_token=csrf.token(request), root=request.scope.get("root_path", ""))
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers=SECURITY_HEADERS
    )


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _signed_in_user(request: Request) -> User | None:
    user_id = request.session.get("user_id")
    if not user_id:
        return None
    with _db(request).read_session() as session:
        return accounts.find_user_by_id(session, user_id)


def install(app: FastAPI, settings: Settings) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        target = "/alerts" if request.session.get("user_id") else "/login"
        return RedirectResponse(_path(request, target), status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        return _render(request, "login.html")

    @app.post("/login", include_in_schema=False)
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        if not csrf.is_valid(request, csrf_token):
            return _render(request, "login.html", 400, error="Your session expired; please try again.")

        def check() -> User | None:
            with _db(request).read_session() as session:
                return accounts.authenticate(session, username=username, password=password)

        user = await run_in_threadpool(check)
        if user is None:
            return _render(request, "login.html", 401, error="Wrong username or password.", username=username)
        request.session.clear()
        request.session["user_id"] = user.id
        csrf.rotate(request)
        return RedirectResponse(_path(request, "/alerts"), status_code=303)

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        if not csrf.is_valid(request, csrf_token):
            # Still signed in: show the page that says so (with a fresh form), not the login form.
            return RedirectResponse(_path(request, "/"), status_code=303)
        request.session.clear()
        return RedirectResponse(_path(request, "/login"), status_code=303)

    @app.get("/alerts", include_in_schema=False)
    def open_alerts(request: Request, query: str = "") -> Response:
        user = _signed_in_user(request)
        if user is None:
            return RedirectResponse(_path(request, "/login"), status_code=303)
        with _db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            try:
                alerts, _ = listing.list_alerts(
                    session, scope=actor.scope, query=query, open_only=True, limit=100
                )
                error = None
            except InvalidInput as problem:
                alerts, error = [], problem.message
            rows = [
                {
                    "tiny_id": alert.tiny_id,
                    "priority": alert.priority,
                    "message": alert.message,
                    "acknowledged": alert.acknowledged,
                    "snoozed": alert.snoozed,
                    "count": alert.count,
                    "source": alert.source,
                    "owner": alert.owner,
                    "created_at": iso(alert.created_at),
                }
                for alert in alerts
            ]
        return _render(request, "alerts.html", user=user, alerts=rows, query=query, error=error)
