"""The OpenAPI document, with the error answers every operation really gives.

FastAPI documents only the success status and its own validation error (whose body it describes
as ``{"detail": [...]}``, which Tocsin never sends). Every ``/v1``/``/v2`` operation also answers
with Opsgenie's error object: 401 and 403 (keys and rights), 422 (invalid input), 429 (the key's
rate limit, ``TOCSIN_API_RATE_LIMIT``), 404 when the
path names something, 400 and 415 when it takes a body (malformed JSON, wrong content type) and
409 when it changes something (a clash with what is stored, or an alert action refused).
Documenting them here keeps clients, and the schemathesis run in the tests, in step with the server."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

API_PREFIXES = ("/v1/", "/v2/")
CHANGING_METHODS = {"post", "put", "patch", "delete"}
ERROR_DESCRIPTIONS = {
    "400": "The body is not valid JSON",
    "401": "No key, or a key that is unknown or disabled",
    "403": "The key lacks the right for this operation",
    "404": "Nothing found under the identifier in the path",
    "409": "The change clashes with what is stored, or the alert action is refused",
    "415": "The body is not sent as JSON",
    "422": "A field is missing or invalid; the message and errors name it",
    "429": "The key made more requests than its rate limit allows; retry after Retry-After seconds",
}


class ErrorBody(BaseModel):
    """Opsgenie's error object."""

    message: str
    took: float
    requestId: str
    code: int | None = None
    errors: dict[str, str] | None = None


def error_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["401", "403", "422", "429"]
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        statuses.append("404")
    if "requestBody" in operation:
        statuses += ["400", "415"]
    if method in CHANGING_METHODS:
        statuses.append("409")
    return sorted(statuses)


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith(API_PREFIXES):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                described = responses.get(status, {})
                responses[status] = {
                    "description": described.get("description") or ERROR_DESCRIPTIONS[status],
                    "content": error_content,
                }
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = document_errors(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
