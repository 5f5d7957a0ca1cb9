"""Refusing the NUL character in any text a request carries, in one place for every edge.

PostgreSQL cannot store U+0000 in text and fails the statement (a 500, and a sender such as
Alertmanager would retry it forever); SQLite would store it. Both now answer 422 naming the
field, before any handler runs: query parameters, the path, JSON bodies (names and values at
any depth) and form bodies. A body is parsed here only when its bytes hold an encoded NUL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.api.envelope import error

NUL = "\x00"
REASON = "must not contain the NUL character (\\u0000)"


def _in_json(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if NUL in key:
                yield name
            yield from _in_json(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_json(item, f"{where}[{index}]")


def field_in_body(body: bytes, content_type: str) -> str | None:
    """The first field of the body whose name or text holds a NUL, or None."""
    if "json" in content_type and b"\\u0000" in body:
        try:
            return next(_in_json(orjson.loads(body), ""), None) or None
        except orjson.JSONDecodeError:
            return None  # the handler answers 400 for JSON it cannot read
    if "x-www-form-urlencoded" in content_type and b"%00" in body:
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return next((name for name, value in fields if NUL in name or NUL in value), None)
    return None


def field_in_url(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" in query or NUL in query:
        fields = parse_qsl(query, keep_blank_values=True)
        return next((name or "query" for name, value in fields if NUL in name or NUL in value), "query")
    if NUL in unquote(scope.get("path", "")):
        return "path"
    return None


class RejectNul:
    """Wraps ``app`` so that a request carrying a NUL in any text is answered 422 instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        field = field_in_url(scope) if scope["type"] == "http" else None
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if field is None and scope["type"] == "http" and _may_carry_text(content_type):
            messages = await _read_body(receive)
            field = field_in_body(b"".join(m.get("body", b"") for m in messages), content_type)

            async def replay() -> Message:
                return messages.pop(0) if messages else await receive()

            receive = replay
        if field is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        response = error(request, 422, f"{field}: {REASON}", errors={field: REASON})
        await response(scope, request.receive, send)


def _may_carry_text(content_type: str) -> bool:
    return "json" in content_type or "x-www-form-urlencoded" in content_type


async def _read_body(receive: Receive) -> list[Message]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages
