"""Rendering every failure of the API as an Opsgenie-style JSON object (clients crash otherwise)."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tocsin.api.envelope import error
from tocsin.errors import (
    AlertActionRefused,
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    TryLater,
)
from tocsin.ops.metrics_http import route_template

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    404: "Resource or handler not found",
    405: "Method not allowed",
    415: "Unsupported media type",
}


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "body"


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents at this path. Starlette names only those of the first
    route that matches the path, and one path is often served by several routes (GET and DELETE).
    The most specific paths win: ``/v2/alerts/count`` is not also ``/v2/alerts/{identifier}``, nor
    ``/v2/schedules/{identifier}.ics`` ``/v2/schedules/{identifier}`` (fewer placeholders, then
    more fixed characters)."""
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    matches: dict[tuple[int, int], set[str]] = {}
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            specificity = (template.count("{"), -len(re.sub(r"\{[^/]+?\}", "", template)))
            matches.setdefault(specificity, set()).update(method.upper() for method in operations)
    methods = matches[min(matches)] if matches else set()
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = exc.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error(
            request, 400, "Invalid JSON body: " + str(problems[0].get("ctx", {}).get("error", "")).strip()
        )
    content_type = request.headers.get("content-type", "")
    if (
        content_type
        and "json" not in content_type
        and any(p.get("loc", ())[:1] == ("body",) for p in problems)
    ):
        return error(
            request,
            415,
            f"Send the body as JSON with the header 'Content-Type: application/json' (got {content_type!r})",
        )
    errors: dict[str, str] = {}
    for problem in problems:
        message = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
        if problem.get("type") == "model_attributes_type":
            message = "the request body must be a JSON object"
        errors.setdefault(_field_name(tuple(problem.get("loc", ()))), message)
    summary = "; ".join(f"{field}: {message}" for field, message in errors.items())
    return error(request, 422, summary, errors=errors)


def try_later_headers(request: Request, exc: TryLater) -> dict[str, str]:
    """Retry-After, and for a rate limit the X-RateLimit-* headers Opsgenie's API sends."""
    headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, TooManyRequests):
        period = request.app.state.throttles.api_by_key.period_seconds
        headers.update(
            {
                "X-RateLimit-State": "THROTTLED",
                "X-RateLimit-Reason": "API key rate limit",
                "X-RateLimit-Period-In-Sec": str(period),
            }
        )
    return headers


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        return _validation_error(request, exc)

    @app.exception_handler(InvalidInput)
    async def on_invalid(request: Request, exc: InvalidInput) -> Response:
        errors = {exc.field: exc.message} if exc.field else None
        message = (
            f"{exc.field}: {exc.message}"
            if exc.field and not exc.message.startswith(exc.field)
            else exc.message
        )
        return error(request, 422, message, errors=errors)

    @app.exception_handler(AuthenticationFailed)
    async def on_unauthenticated(request: Request, exc: AuthenticationFailed) -> Response:
        return error(request, 401, exc.message)

    @app.exception_handler(PermissionDenied)
    async def on_forbidden(request: Request, exc: PermissionDenied) -> Response:
        return error(request, 403, exc.message, code=40301)

    @app.exception_handler(NotFound)
    async def on_not_found(request: Request, exc: NotFound) -> Response:
        return error(request, 404, exc.message)

    @app.exception_handler(Conflict)
    async def on_conflict(request: Request, exc: Conflict) -> Response:
        return error(request, 409, exc.message)

    @app.exception_handler(AlertActionRefused)
    async def on_refused(request: Request, exc: AlertActionRefused) -> Response:
        return error(request, 409, exc.message)

    @app.exception_handler(TryLater)
    async def on_try_later(request: Request, exc: TryLater) -> Response:
        status = 429 if isinstance(exc, TooManyRequests) else 503  # ServerBusy: nobody's fault
        return error(request, status, exc.message, headers=try_later_headers(request, exc))

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> Response:
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail
            else HTTP_MESSAGES.get(exc.status_code, "")
        )
        if exc.status_code in HTTP_MESSAGES and exc.detail in ("Not Found", "Method Not Allowed"):
            message = HTTP_MESSAGES[exc.status_code]
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and (methods := allowed_methods(request)):
            headers = {**(headers or {}), "Allow": ", ".join(methods)}
        return error(request, exc.status_code, message or "Request failed", headers=headers)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # The route's template, not the path: paths carry ids and, on some routes, secrets.
        log.exception("unexpected error on %s %s", request.method, route_template(request.scope))
        return error(request, 500, "Internal server error")
