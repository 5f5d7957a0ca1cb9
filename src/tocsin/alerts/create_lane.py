"""``POST /v2/alerts`` without FastAPI's routing and dependency solving, for the request that
comes by thousands in an alert storm.

Through the whole stack a create spent four fifths of its event-loop time finding its route
among all the others and solving its dependencies, more than storing the alert took. The lane
takes only the plain case: a JSON body that is a valid create, with the key of an integration
this process recognised a moment ago. It then does what the route does (the same payload model,
the same ``create`` function, the same rate limit and error answers). Everything else (no key, a
key not seen lately, a query string, another content type, a body that does not validate or
holds an encoded NUL) goes on to the route in ``tocsin.alerts.api`` with the body as read, and
the route, which is also the documented operation, answers it as it always has.
"""

from __future__ import annotations

import inspect

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.alerts.api import create
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.api.auth import recognised_alert_writer
from tocsin.ops.metrics_http import ROUTE_KEY

PATH = "/v2/alerts"
BODY_TAKEN = 256 * 1024
"""Bodies longer than this go on to the route (no valid create is half as long): the lane never
holds more of a request than this."""


class CreateLane:
    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_create(scope):
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        payload = _plain_create(scope, body)
        if payload is None:
            await self.app(scope, _Replay(messages, receive), send)
            return
        scope["app"] = self.api
        request = Request(scope, receive)
        response: Response | None
        try:
            actor = recognised_alert_writer(request)
            response = None if actor is None else await create(request, payload, actor)
        except Exception as exc:
            response = await self._error(request, exc)
        if response is None:
            await self.app(scope, _Replay(messages, receive), send)
        else:
            scope[ROUTE_KEY] = PATH  # for the request metrics: the route it stands in for
            await response(scope, receive, send)

    async def _error(self, request: Request, exc: Exception) -> Response:
        """The answer the API's exception handlers give for ``exc``, as on the route."""
        for kind in type(exc).__mro__:
            handler = self.api.exception_handlers.get(kind)
            if handler is not None:
                answer = handler(request, exc)
                return await answer if inspect.isawaitable(answer) else answer
        raise exc


def _is_create(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and not scope.get("query_string")
        and scope["path"] == scope.get("root_path", "") + PATH
    )


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages read, and the whole body (None if it is longer than the lane takes, or the
    client went away)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > BODY_TAKEN:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _plain_create(scope: Scope, body: bytes | None) -> CreateAlertPayload | None:
    """The create the body asks for, if it is one the lane answers as the route would."""
    if not body or b"\\u0000" in body or not _json_or_unstated(scope):
        return None
    try:
        return CreateAlertPayload.model_validate(orjson.loads(body))
    except (orjson.JSONDecodeError, ValidationError):
        return None


def _json_or_unstated(scope: Scope) -> bool:
    """Whether the Content-Type is none (the route reads the body as JSON, as Opsgenie does for
    scripts that leave it out) or ``application/json``; the route answers any other."""
    stated = [value for name, value in scope["headers"] if name == b"content-type"]
    return not stated or stated[0].partition(b";")[0].strip().lower() == b"application/json"


class _Replay:
    """A ``receive`` that gives the messages already read, then the rest from the client."""

    def __init__(self, messages: list[Message], receive: Receive) -> None:
        self._messages = messages
        self._receive = receive

    async def __call__(self) -> Message:
        if self._messages:
            return self._messages.pop(0)
        return await self._receive()
