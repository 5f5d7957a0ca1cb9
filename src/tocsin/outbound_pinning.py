"""Sending a request to the addresses the outbound check passed, not to whatever the host name
resolves to a moment later (DNS rebinding: a name that answers a public address to the check and
127.0.0.1 to the connection).

The connection goes to the checked IP address while the request still names the host: the
``Host`` header is the URL's, and over HTTPS the TLS server name (SNI) and the certificate check
are the host name's too (httpcore's ``sni_hostname`` request extension). Addresses are tried in
the resolver's order until one accepts the connection, as a client connecting by name would."""

from __future__ import annotations

from typing import Any

import httpx

from tocsin.outbound import IPAddress, Target


async def request_pinned(
    client: httpx.AsyncClient, method: str, target: Target, *, headers: dict[str, str], **request: Any
) -> httpx.Response:
    """Send ``method`` to ``target.url`` through one of ``target.addresses`` (by name when the
    host was allowed by name and so has none)."""
    url = httpx.URL(target.url)
    if not target.addresses:
        return await client.request(method, url, headers=headers, **request)
    named = {**headers, "Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}

    async def send(address: IPAddress) -> httpx.Response:
        pinned = url.copy_with(host=str(address))
        return await client.request(method, pinned, headers=named, extensions=extensions, **request)

    *earlier, final = target.addresses
    for address in earlier:
        try:
            return await send(address)
        except httpx.ConnectError:
            continue
    return await send(final)
