"""API paths answer with or without a trailing slash.

Opsgenie's own Node client (npm ``opsgenie-sdk``) calls collection paths as ``/v2/alerts/`` and
``/v2/alerts/?query=…``. A redirect to the path without the slash breaks it: it does not follow
a 307 for a POST, and clients that do may drop the ``Authorization`` header on the way. So the
one trailing slash of an API path is removed before routing, as if it had never been sent."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

API_ROOTS = ("/v1/", "/v2/")


class TrailingSlash:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            inner = path[len(scope.get("root_path", "")) :]
            if inner.endswith("/") and inner.startswith(API_ROOTS) and len(inner) > len("/v2/"):
                raw: bytes = scope.get("raw_path") or path.encode()
                scope = {**scope, "path": path[:-1], "raw_path": raw[:-1] if raw.endswith(b"/") else raw}
        await self.app(scope, receive, send)
