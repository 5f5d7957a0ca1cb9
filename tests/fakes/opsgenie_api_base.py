"""What the fake Opsgenie's read API is built on: its errors and replies, the table of routes
(a path pattern to the method that answers it) and the helpers every resource uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.fakes.opsgenie_account import OpsgenieAccount


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


Query = dict[str, str]
ROUTES: list[tuple[re.Pattern[str], str]] = []


def route(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(method: Callable[..., Any]) -> Callable[..., Any]:
        ROUTES.append((re.compile(pattern.replace("{}", "([^/]+)") + "$"), method.__name__))
        return method

    return register


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("members", "rotations") and not k.startswith("_k")}


def participant(recipient: dict[str, Any]) -> dict[str, Any]:
    name = recipient.get("username") or recipient.get("name")
    return {"id": recipient.get("id"), "name": name, "type": recipient["type"]}


def kind_of(query: Query, switch: str, allowed: tuple[str, ...] = ("id", "name")) -> str:
    kind = query.get(switch, "id")
    if kind not in allowed:
        raise ApiError(422, f"{switch} should be one of {', '.join(allowed)}")
    return kind


def found_or_404(obj: Any, what: str, identifier: str) -> Any:
    if obj is None:
        raise ApiError(404, f"No {what} exists with identifier [{identifier}]")
    return obj


class ApiBase:
    """``now`` stands for the time of a request where Opsgenie defaults ``date`` to it."""

    def __init__(self, account: OpsgenieAccount, base_url: str, now: datetime) -> None:
        self.account, self.base_url, self.now = account, base_url, now

    def answer(self, path: str, query: Query) -> Reply:
        """The data of a GET (the caller adds ``took``/``requestId``) or an ApiError."""
        for pattern, name in ROUTES:
            match = pattern.match(path)
            if match:
                found = getattr(self, name)(query, *match.groups())
                return found if isinstance(found, Reply) else Reply(200, {"data": found})
        raise ApiError(404, f"Could not find the requested resource: {path}")
