"""Serving under a path prefix (``TOCSIN_ROOT_PATH``), with or without a proxy that strips it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class PathPrefix:
    """Requests may arrive as ``/prefix/v2/alerts`` (direct, or a proxy that keeps the prefix)
    or as ``/v2/alerts`` (a proxy that strips it). Both are handed on the way ASGI describes a
    mounted app: ``root_path`` is the prefix and ``path`` includes it. Routes and mounts then
    match the same way in both cases, and URLs the app builds carry the prefix."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.prefix and scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if path == self.prefix:
                path += "/"
            elif not path.startswith(self.prefix + "/"):
                path = self.prefix + path
            scope = {**scope, "path": path, "raw_path": path.encode(), "root_path": self.prefix}
        await self.app(scope, receive, send)
