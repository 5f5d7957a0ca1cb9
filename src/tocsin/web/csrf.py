"""CSRF protection for forms: each form echoes a token the server can check.

For a signed-in browser the token is derived from its session id (an HMAC with the secret key),
so the cookie carries nothing but that id and the token changes with every login. Before
logging in (the login form) a random token is kept in the signed cookie instead."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

SESSION_ID = "sid"
"""The key of the session id in the signed cookie."""
_ANONYMOUS = "csrf"


def token(request: Request) -> str:
    session_id = request.session.get(SESSION_ID)
    if session_id:
        key = request.app.state.settings.effective_secret_key.encode()
        return hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()
    current = request.session.get(_ANONYMOUS)
    if not current:
        current = secrets.token_urlsafe(32)
        request.session[_ANONYMOUS] = current
    return str(current)


def is_valid(request: Request, submitted: str | None) -> bool:
    if not submitted:
        return False
    has_token = request.session.get(SESSION_ID) or request.session.get(_ANONYMOUS)
    return bool(has_token) and hmac.compare_digest(token(request), submitted)
