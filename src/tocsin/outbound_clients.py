"""Pooled HTTP clients for outbound requests: one ``aiohttp.ClientSession`` per destination
(origin: scheme, host and port), kept with its open connections across sends and engine rounds,
so a post to a chat server does not pay for a new client, TLS context and connection each time.

aiohttp rather than httpx: in a storm the engine sends hundreds of posts a second from the one
interpreter that also takes alerts in, and a pooled httpx request cost 0.5 ms of CPU on one
connection and 1.2 ms with 20 (httpcore's pool checks every connection for every request),
against aiohttp's 0.1 ms (``docs/benchmarks.md``).

The engine makes a ``ClientPool`` current (``using``) while it sends; ``send_outbound`` takes its
client from the current pool, or, outside the engine (a web request answering Slack), from a
client made for that one request. Every client is made the same way: no proxy from the
environment (``trust_env=False``, the outbound check is about where Tocsin connects), no
cookies, connection limits and keep-alive (redirects are never followed: ``request_pinned``).
Connections go to the checked addresses (``outbound_pinning``); the pool keys connections by that
address, so pinning and reuse agree.

A client belongs to the event loop it first ran in: when the pool finds itself in another loop
(the earlier one ended), it starts afresh."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

KEEPALIVE_SECONDS = 30.0


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL: the destination its requests share a client and a health
    record with. A URL's path (a chat hook's secret) is left out."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = 0
    host = (parts.hostname or "").rstrip(".").lower()
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True)
class Answer:
    """What a destination answered, read whole."""

    status_code: int
    headers: Mapping[str, str]
    """Names in any case."""
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def new_client(*, connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_SECONDS),
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class ClientPool:
    """One client per destination, each with at most ``connections`` connections open."""

    def __init__(self, *, connections: int = 20) -> None:
        self.connections = connections
        self._clients: dict[str, aiohttp.ClientSession] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def client(self, url: str) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._clients, self._loop = {}, loop  # those of an ended loop cannot be used (or closed)
        key = origin_of(url)
        found = self._clients.get(key)
        if found is None or found.closed:
            found = self._clients[key] = new_client(connections=self.connections)
        return found

    async def close(self) -> None:
        """Close every client (and its connections); the pool may be used again afterwards."""
        clients, self._clients = list(self._clients.values()), {}
        if self._loop is asyncio.get_running_loop():
            for client in clients:
                await client.close()


CURRENT: ContextVar[ClientPool | None] = ContextVar("tocsin_outbound_pool", default=None)


@contextlib.contextmanager
def using(pool: ClientPool) -> Iterator[None]:
    """Make ``pool`` the one sends started inside this block take their clients from (tasks
    created inside keep it)."""
    token = CURRENT.set(pool)
    try:
        yield
    finally:
        CURRENT.reset(token)


@contextlib.asynccontextmanager
async def client_for(url: str) -> AsyncIterator[aiohttp.ClientSession]:
    """The current pool's client for ``url``'s destination, or a client for this request alone."""
    pool = CURRENT.get()
    if pool is not None:
        yield pool.client(url)
        return
    async with new_client(connections=1) as client:
        yield client
