"""What every web page shares: rendering with the security headers and CSRF token, the signed-in
user, paths under the configured prefix, and the redirect to log in."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.db import Database
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


def path(request: Request, path: str) -> str:
    return f"{request.scope.get('root_path', '')}{path}"


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    context.update(request=request, csrf_token=csrf.token(request), root=request.scope.get("root_path", ""))
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers=SECURITY_HEADERS
    )


def db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def signed_in_user(request: Request) -> User | None:
    user_id = request.session.get("user_id")
    if not user_id:
        return None
    with db(request).read_session() as session:
        return accounts.find_user_by_id(session, user_id)


def redirect(request: Request, to: str) -> Response:
    return RedirectResponse(path(request, to), status_code=303)


def to_login(request: Request) -> Response:
    """To the login page, which comes back here afterwards."""
    here = request.url.path[len(request.scope.get("root_path", "")) :] or "/"
    if request.url.query:
        here += f"?{request.url.query}"
    if here == safe_next(None):
        return redirect(request, "/login")
    return redirect(request, f"/login?next={quote(here, safe='')}")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/alerts"
    return target
