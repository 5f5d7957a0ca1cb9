"""Opsgenie's response envelope: every body is a JSON object with ``took`` and ``requestId``."""

from __future__ import annotations

import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.ids import new_id


class JSONBody(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class RequestContext:
    """Gives each request an id and a start time, and answers with X-Request-ID/X-Response-Time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_id()
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started"] = started

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-response-time", f"{time.perf_counter() - started:.3f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def request_id(request: Request) -> str:
    return str(request.state.request_id)


def elapsed(request: Request) -> float:
    """Seconds since the request arrived (``RequestContext`` noted when)."""
    return time.perf_counter() - float(request.state.started)


def took(request: Request) -> float:
    return round(elapsed(request), 3)


def body(request: Request, **fields: Any) -> dict[str, Any]:
    return {**fields, "took": took(request), "requestId": request_id(request)}


def ok(request: Request, data: Any, *, status: int = 200, **extra: Any) -> JSONBody:
    return JSONBody(body(request, data=data, **extra), status_code=status)


def accepted(request: Request) -> JSONBody:
    return JSONBody(body(request, result="Request will be processed"), status_code=202)


def error(
    request: Request,
    status: int,
    message: str,
    *,
    code: int | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONBody:
    fields: dict[str, Any] = {"message": message}
    if code is not None:
        fields["code"] = code
    if errors:
        fields["errors"] = errors
    return JSONBody(body(request, **fields), status_code=status, headers=headers)
