"""Signed cookie sessions for the web pages only.

API-key routes (``/v1``, ``/v2``), chat platform webhooks and calendar feeds authenticate every
request on its own (a key, a signature, a token in the URL): they never read a session, so they
skip the session layer altogether. They neither decode a cookie a browser happens to send nor
answer with ``Set-Cookie``. Every other path (the pages, ``/chat/link/...``) keeps sessions."""

from __future__ import annotations

from typing import Literal

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

SESSIONLESS_PREFIXES = (
    "/v1/", "/v2/", "/chat/mattermost", "/chat/slack", "/chat/hipchat", "/calendar/", "/webhooks/"
)  # fmt: skip


def route_path(scope: Scope) -> str:
    """The path the routes see: without the ``root_path`` prefix (``tocsin.prefix``) if present."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class PageSessions:
    """Wraps ``app`` in Starlette's ``SessionMiddleware`` except on the sessionless paths."""

    def __init__(
        self, app: ASGIApp, /, *, secret_key: str, session_cookie: str, path: str, same_site: Literal["lax"],
        https_only: bool,
    ) -> None:  # fmt: skip
        self.app = app
        self.with_session = SessionMiddleware(
            app, secret_key, session_cookie=session_cookie, path=path, same_site=same_site,
            https_only=https_only,
        )  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope).startswith(SESSIONLESS_PREFIXES):
            await self.app(scope, receive, send)
        else:
            await self.with_session(scope, receive, send)
