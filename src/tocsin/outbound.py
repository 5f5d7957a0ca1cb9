"""The one check every outbound request passes (webhooks, chat servers; e-mail aside), so that
Tocsin cannot be made to reach addresses inside its own network: loopback, private, link-local,
CGNAT, multicast, reserved and unspecified addresses are refused unless the administrator allows
them with ``TOCSIN_OUTBOUND_ALLOW`` (CIDRs or host names, comma-separated).

URLs are checked when an integration is saved and again before each send, since what a name
resolves to may change in between; the send then connects to the addresses that were checked
(``tocsin.outbound_pinning``), so a name cannot answer one address to the check and another to
the connection (DNS rebinding)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from tocsin.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CGNAT = ipaddress.ip_network("100.64.0.0/10")
SETTING = "TOCSIN_OUTBOUND_ALLOW"


class OutboundRefused(InvalidInput):
    """A URL Tocsin will not send to; the message says why and how to allow it."""

    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(field, message)


NAT64 = ipaddress.ip_network("64:ff9b::/96")
"""The well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 address reached."""
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
"""Local-use NAT64 (RFC 8215): translated by a gateway inside the network, to anything."""
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
"""SIIT's IPv4-translated addresses (RFC 2765), ``::ffff:0:a.b.c.d``."""


def _last_32_bits(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _embedded(address: IPAddress) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries and reaches (through a tunnel, a translator or a
    dual stack), and how it carries it; None when it carries none."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]  # the client, whose bits the property un-inverts
    if address in NAT64:
        return "NAT64", _last_32_bits(address)
    if address in IPV4_TRANSLATED:
        return "IPv4-translated", _last_32_bits(address)
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return "IPv4-compatible", _last_32_bits(address)
    return None


def _own_kind(address: IPAddress) -> str | None:
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("CGNAT", isinstance(address, ipaddress.IPv4Address) and address in CGNAT),
        ("local-use NAT64", isinstance(address, ipaddress.IPv6Address) and address in NAT64_LOCAL),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    return next((kind for kind, applies in checks if applies), None)


def _kind_of(address: IPAddress) -> str | None:
    """What makes an address internal ("loopback", "6to4-embedded private"...), or None for a
    public one. An IPv6 address that carries an IPv4 address is as internal as the address it
    carries; the mapped, 6to4 and well-known NAT64 forms of a public IPv4 address are public
    (a DNS64 resolver answers the NAT64 form for every IPv4-only host)."""
    embedded = _embedded(address)
    if embedded is None:
        return _own_kind(address)
    how, inner = embedded
    inner_kind = _own_kind(inner)
    if inner_kind is not None:
        return inner_kind if how == "IPv4-mapped" else f"{how}-embedded {inner_kind}"
    if how in ("IPv4-mapped", "6to4", "NAT64"):
        return None
    return _own_kind(address)


def _shown(address: IPAddress) -> str:
    embedded = _embedded(address)
    if embedded is None:
        return str(address)
    if embedded[0] == "IPv4-mapped":
        return f"::ffff:{embedded[1]}"
    return f"{address}, which reaches {embedded[1]}"


def _suggested_range(address: IPAddress) -> str:
    embedded = _embedded(address)
    if embedded is not None and _own_kind(embedded[1]) is not None:
        address = embedded[1]
    for network in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"):
        if address in ipaddress.ip_network(network):
            return network
    return f"{address}/{address.max_prefixlen}"


def _parse_allowed(text: str) -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            if "/" in item or not item.replace(".", "").replace("-", "").isalnum():
                raise InvalidInput(
                    "outbound_allow", f"{SETTING}: {item!r} is neither a CIDR nor a host name"
                ) from None
            hosts.add(item.lower().rstrip("."))
    return tuple(networks), frozenset(hosts)


@dataclass(frozen=True)
class Target:
    """A URL that passed the check, split into what a sender needs."""

    url: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...] = ()
    """The addresses the check resolved the host to and passed: a sender connects to these and
    does not ask DNS again (whose next answer could be internal). Empty when the administrator
    allowed the host by name, which is then reached by name."""


Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


async def resolve_with_dns(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` has for TCP, from the system's resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _addresses(infos)


@dataclass(frozen=True)
class OutboundPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()
    resolve: Resolver = field(default=resolve_with_dns, compare=False)
    """How senders resolve host names (tests give their own)."""

    @classmethod
    def parse(cls, allow: str) -> OutboundPolicy:
        networks, hosts = _parse_allowed(allow)
        return cls(networks, hosts)

    @classmethod
    def from_settings(cls, settings: object) -> OutboundPolicy:
        return cls.parse(str(getattr(settings, "outbound_allow", "") or ""))

    def check(self, url: str) -> Target:
        """Refuse ``url`` unless it is http(s), without credentials, and every address its host
        resolves to is public or allowed. Blocks on DNS: senders use ``check_async``."""
        target = self._parse(url)
        if target.host in self.allowed_hosts:
            return target
        self._check_addresses(url, _resolve(target.host, target.port))
        return target

    async def check_async(self, url: str) -> Target:
        """As ``check``, without blocking; the target names the addresses that passed."""
        target = self._parse(url)
        if target.host in self.allowed_hosts:
            return target
        literal = _literal(target.host)
        try:
            addresses = [literal] if literal else await self.resolve(target.host, target.port)
        except (OSError, UnicodeError) as error:
            raise OutboundRefused(f"{url}: cannot resolve host {target.host!r} ({error})") from error
        if not addresses:
            raise OutboundRefused(f"{url}: host {target.host!r} has no address")
        self._check_addresses(url, addresses)
        return replace(target, addresses=tuple(addresses))

    def trusting(self, target: Target) -> OutboundPolicy:
        """This policy, taking ``target``'s host (just checked) as allowed: a service re-checking
        the URL in a database transaction then needs no second DNS lookup."""
        return replace(self, allowed_hosts=self.allowed_hosts | {target.host})

    def _parse(self, url: str) -> Target:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as error:
            raise OutboundRefused(f"{url!r} is not a valid URL ({error})") from error
        if parts.scheme not in ("http", "https"):
            raise OutboundRefused(f"{url!r} must be an http:// or https:// URL")
        if parts.username is not None or parts.password is not None:
            raise OutboundRefused(
                f"{parts.scheme}://{parts.hostname}/...: a URL may not carry a user name or password; "
                "send credentials in headers instead"
            )
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise OutboundRefused(f"{url!r} has no host")
        return Target(url.strip(), host, port or (443 if parts.scheme == "https" else 80))

    def _check_addresses(self, url: str, addresses: Iterable[IPAddress]) -> None:
        for address in addresses:
            kind = _kind_of(address)
            if kind is None or self._allowed(address):
                continue
            article = "an" if kind[0] in "aeiouIU" else "a"
            raise OutboundRefused(
                f"{url} points to {article} {kind} address ({_shown(address)}); "
                f"allow it with {SETTING}={_suggested_range(address)}"
            )

    def allows_host(self, host: str) -> bool:
        """Whether the administrator allowed ``host`` by name or (an IP address) by range."""
        if host in self.allowed_hosts:
            return True
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return self._allowed(address)

    def _allowed(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        embedded = _embedded(address)
        if embedded is not None:
            candidates.append(embedded[1])
        return any(
            candidate.version == network.version and candidate in network
            for candidate in candidates
            for network in self.allowed_networks
        )


def _addresses(infos: Iterable[tuple[object, ...]]) -> list[IPAddress]:
    found = []
    for info in infos:
        sockaddr = info[4]
        assert isinstance(sockaddr, tuple)
        found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return found


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused(f"cannot resolve host {host!r} ({error})") from error
