"""What every web page shares: rendering with the security headers and CSRF token, the signed-in
user, paths under the configured prefix, and the redirect to log in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from tocsin import clock
from tocsin.accounts import web_sessions
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.errors import TooManyRequests, TryLater
from tocsin.ops import request_context
from tocsin.throttling.addresses import client_address
from tocsin.web import csrf, watchdog_banner

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates", context_processors=[watchdog_banner.problems])
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


def session_lifetimes(request: Request) -> web_sessions.Lifetimes:
    return web_sessions.Lifetimes.from_settings(settings(request))


def session_token(request: Request) -> str:
    """The id of the browser's web session ("" when it has none)."""
    return str(request.session.get(csrf.SESSION_ID, ""))


def signed_in_user(request: Request) -> User | None:
    """The user whose live session the browser's cookie names, or None."""
    token = session_token(request)
    if not token:
        return None
    with db(request).read_session() as session:
        found = web_sessions.signed_in(session, token, session_lifetimes(request))
    if found is None:
        return None
    if found.needs_touch:  # not waited for: the page does not depend on it
        used_at = clock.now()
        request.app.state.writer.submit(lambda session: web_sessions.touch(session, token, at=used_at))
    request_context.note(found.user.username, via="web")
    return found.user


def address_of(request: Request) -> str:
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        trust_forwarded_for=settings(request).trust_forwarded_for,
    )


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


FLASH = "flash"


def flash(request: Request, notice: str) -> None:
    """A notice for the page the browser is sent to next (after a POST's redirect)."""
    request.session[FLASH] = notice


def flashed(request: Request) -> str:
    """The notice left for this page by the POST before, once."""
    return str(request.session.pop(FLASH, ""))


def wait_in_words(seconds: int) -> str:
    """When a refused action may be tried again, in words: "in 40 seconds", "in 5 minutes"."""
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def try_later(refusal: TryLater, show: Callable[[int, str], Response]) -> Response:
    """The page ``show`` renders for a status and an error, answered 429 (a rate limit) or 503
    (busy) with Retry-After, and saying in words when to try again."""
    status = 429 if isinstance(refusal, TooManyRequests) else 503
    response = show(status, f"{refusal.message} Try again {wait_in_words(refusal.retry_after)}.")
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response
