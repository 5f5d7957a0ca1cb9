"""CSRF protection for forms: a random token kept in the signed session, echoed by each form."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request


def token(request: Request) -> str:
    current = request.session.get("csrf")
    if not current:
        current = secrets.token_urlsafe(32)
        request.session["csrf"] = current
    return str(current)


def rotate(request: Request) -> None:
    request.session["csrf"] = secrets.token_urlsafe(32)


def is_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and submitted and hmac.compare_digest(str(expected), submitted))
