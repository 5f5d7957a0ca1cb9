"""Which client a request comes from, as far as rate limits are concerned."""

from __future__ import annotations

import ipaddress


def client_address(peer: str | None, forwarded_for: str | None, *, trust_forwarded_for: bool) -> str:
    """The peer's address, or (only when the administrator says a proxy writes it) the last
    address in X-Forwarded-For: the one the proxy itself added, which a client cannot forge."""
    if trust_forwarded_for and forwarded_for:
        last = forwarded_for.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return peer or "unknown"


def address_key(address: str) -> str:
    """What one client is: an IPv4 address, or an IPv6 /64 (one host usually holds a whole /64,
    so counting single IPv6 addresses would let it try its luck billions of times)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)
