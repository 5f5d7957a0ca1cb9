"""Recognising the caller from ``Authorization: GenieKey <key>`` and deciding what it may call.

Two kinds of keys exist, as in Opsgenie: integration keys (global or team-owned) create and act
on alerts; account-level API keys carry access rights and may read alerts, but acting on alerts
needs an integration key (Opsgenie answers 403 code 40301 in that case, and so do we)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from tocsin import clock
from tocsin.accounts import apikeys
from tocsin.actors import EVERYTHING, NOTHING, Actor
from tocsin.db import Database
from tocsin.errors import AuthenticationFailed, PermissionDenied
from tocsin.integrations import service as integrations
from tocsin.ops import request_context
from tocsin.secrets_util import hash_key

NEEDS_INTEGRATION = "To perform this action, use an API key from an API integration."


@dataclass(frozen=True)
class Caller:
    actor: Actor
    from_integration: bool
    rights: frozenset[str]


def _header_key(request: Request) -> str | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "geniekey" and key.strip() else None


def _key_from(request: Request) -> str:
    key = _header_key(request)
    if key:
        return key
    if request.query_params.get("apiKey"):
        return request.query_params["apiKey"].strip()
    raise AuthenticationFailed("Could not authenticate: send the header 'Authorization: GenieKey <key>'")


def _lookup(db: Database, key: str) -> Caller:
    with db.read_session() as session:
        integration = integrations.find_by_secret(session, key)
        if integration is not None:
            if not integration.enabled:
                raise AuthenticationFailed(
                    f"Could not authenticate: integration {integration.name} is disabled"
                )
            return Caller(
                integrations.actor_for(integration), True, frozenset({"read", "create-update", "delete"})
            )
        api_key = apikeys.find_by_secret(session, key)
        if api_key is not None and api_key.enabled:
            manages = EVERYTHING if "configuration" in api_key.rights else NOTHING
            actor = Actor(name=api_key.name, channel="API", scope=EVERYTHING, manages=manages)
            return Caller(actor, False, frozenset(api_key.rights))
    raise AuthenticationFailed("Could not authenticate")


class KeyCache:
    """Recently recognised keys, so a busy sender costs no database read per request.

    Entries live a couple of seconds: a key disabled or deleted elsewhere (the CLI, another
    process) is refused within that time, and at once in this process after ``clear()``.

    No lock: requests read and fill it from the event loop thread, and every operation is a
    single dict operation (atomic in CPython), so a ``clear()`` from a worker thread is safe too.
    A lookup that started before a ``clear()`` does not put its (possibly stale) answer back."""

    SECONDS = 2.0
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Caller, float]] = {}
        self.generation = 0
        """Counts ``clear()`` calls; a lookup hands back the one it started in to ``put``."""

    def get(self, key_hash: str) -> Caller | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[1] <= clock.now().timestamp():
            return None
        return entry[0]

    def put(self, key_hash: str, found: Caller, *, generation: int) -> None:
        if generation != self.generation:
            return  # cleared while it was looked up: the answer may predate the change
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries = {}
        self._entries[key_hash] = (found, clock.now().timestamp() + self.SECONDS)

    def clear(self) -> None:
        self.generation += 1
        self._entries = {}


async def caller(request: Request) -> Caller:
    key = _key_from(request)
    cache: KeyCache = request.app.state.key_cache
    key_hash = hash_key(key)
    found = cache.get(key_hash)
    if found is None:
        generation = cache.generation
        found = await run_in_threadpool(_lookup, request.app.state.db, key)
        cache.put(key_hash, found, generation=generation)
    request_context.note_actor(found.actor)
    request.app.state.throttles.api_request(key_hash)
    return found


def recognised_alert_writer(request: Request) -> Actor | None:
    """``alert_writer``'s actor when this process recognised the request's key a moment ago and it
    is an integration's (the request is then counted against the key's rate limit, which may
    refuse it); None when the full check must decide (no key, a key not seen lately, not an
    integration's)."""
    key = _header_key(request)
    if key is None:
        return None
    key_hash = hash_key(key)
    found = request.app.state.key_cache.get(key_hash)
    if found is None or not found.from_integration:
        return None
    request_context.note_actor(found.actor)
    request.app.state.throttles.api_request(key_hash)
    return found.actor


async def alert_reader(request: Request) -> Actor:
    found = await caller(request)
    if "read" not in found.rights:
        raise PermissionDenied(f"API key {found.actor.name} does not have the read access right")
    return found.actor


async def alert_writer(request: Request) -> Actor:
    found = await caller(request)
    if not found.from_integration:
        raise PermissionDenied(NEEDS_INTEGRATION)
    return found.actor


OPERATION_RIGHTS = {"GET": "read", "HEAD": "read", "DELETE": "delete"}


async def configuration(request: Request) -> Actor:
    """A caller of the configuration API (users, teams, schedules, escalations...). Account keys
    need the configuration right plus the right for the operation (read, create-update, delete);
    integration keys may configure what they manage (a team key: its team's). Services decide
    what each caller may change through ``Actor.manages``."""
    found = await caller(request)
    if found.from_integration:
        return found.actor
    needed = OPERATION_RIGHTS.get(request.method, "create-update")
    missing = [right for right in ("configuration", needed) if right not in found.rights]
    if missing:
        raise PermissionDenied(f"API key {found.actor.name} lacks the {' and '.join(missing)} access right")
    return found.actor
