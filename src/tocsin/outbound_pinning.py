"""Sending a request to the addresses the outbound check passed, not to whatever the host name
resolves to a moment later (DNS rebinding: a name that answers a public address to the check and
127.0.0.1 to the connection).

The connection goes to the checked IP address while the request still names the host: the
``Host`` header is the URL's, and over HTTPS the TLS server name (SNI) and the certificate check
are the host name's too (aiohttp's ``server_hostname``). Addresses are tried in the resolver's
order until one accepts the connection, as a client connecting by name would. Redirects are not
followed (a redirect could lead anywhere)."""

from __future__ import annotations

from typing import Any

import aiohttp
from yarl import URL

from tocsin.outbound import IPAddress, Target
from tocsin.outbound_clients import Answer


async def request_pinned(
    client: aiohttp.ClientSession,
    method: str,
    target: Target,
    *,
    headers: dict[str, str],
    timeout: float,
    content: bytes | None = None,
) -> Answer:
    """Send ``method`` to ``target.url`` through one of ``target.addresses`` (by name when the
    host was allowed by name and so has none); the answer, read whole within ``timeout``."""
    url = URL(target.url)
    options: dict[str, Any] = {
        "data": content,
        "allow_redirects": False,
        "timeout": aiohttp.ClientTimeout(total=timeout),
    }
    if not target.addresses:
        return await _answer(client, method, url, headers, options)
    named = {**headers, "Host": url.host_port_subcomponent or ""}
    if url.scheme == "https":
        options["server_hostname"] = url.raw_host

    async def send(address: IPAddress) -> Answer:
        return await _answer(client, method, url.with_host(str(address)), named, options)

    *earlier, final = target.addresses
    for address in earlier:
        try:
            return await send(address)
        except aiohttp.ClientConnectorError:
            continue
    return await send(final)


ANSWER_BYTES_KEPT = 1024 * 1024
"""The most of an answer's body read: chat and webhook answers are small, and a server answering
without end (or a compressed bomb) must not fill the engine's memory."""


async def _answer(
    client: aiohttp.ClientSession, method: str, url: URL, headers: dict[str, str], options: dict[str, Any]
) -> Answer:
    async with client.request(method, url, headers=headers, **options) as response:
        return Answer(response.status, response.headers, await _body(response))


async def _body(response: aiohttp.ClientResponse) -> bytes:
    """The body, or its first ``ANSWER_BYTES_KEPT`` bytes (the connection of a body cut short is
    closed rather than reused)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        chunks.append(chunk)
        size += len(chunk)
        if size >= ANSWER_BYTES_KEPT:
            break
    return b"".join(chunks)[:ANSWER_BYTES_KEPT]
