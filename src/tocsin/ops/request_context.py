"""What the log knows of the request being served: its id, and who acted once that is known.

One mutable record per request in a context variable: the handler may run in a worker thread
(a copy of the request's context), and what it notes there must reach the access log line the
request's own task writes at the end."""

from __future__ import annotations

from collections.abc import MutableMapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from tocsin.actors import Actor


@dataclass
class RequestRecord:
    request_id: str
    actor: str | None = None
    """The user, API key or integration (or chat handle) that acted."""
    via: str | None = None
    """The channel it acted through: API, web, Mattermost…"""


_current: ContextVar[RequestRecord | None] = ContextVar("tocsin_request", default=None)


def begin(request_id: str) -> Token[RequestRecord | None]:
    return _current.set(RequestRecord(request_id=request_id))


def end(token: Token[RequestRecord | None]) -> None:
    _current.reset(token)


def current() -> RequestRecord | None:
    return _current.get()


def note_actor(actor: Actor) -> None:
    """Record who acts in the request being served (nothing outside a request)."""
    note(actor.username or actor.name, via=actor.channel)


def note(name: str, *, via: str) -> None:
    """Record who acts (a username, an API key's or integration's name) and through what."""
    record = _current.get()
    if record is not None:
        record.actor = name
        record.via = via


def add_request_id(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
    """The structlog processor that gives every line written while serving a request its id."""
    record = _current.get()
    if record is not None:
        event_dict.setdefault("request_id", record.request_id)
    return event_dict
