"""The one check every outbound request passes (webhooks, chat servers; e-mail aside), so that
Tocsin cannot be made to reach addresses inside its own network: loopback, private, link-local,
CGNAT, multicast, reserved and unspecified addresses are refused unless the administrator allows
them with ``TOCSIN_OUTBOUND_ALLOW`` (CIDRs or host names, comma-separated).

URLs are checked when an integration is saved and again before each send, since what a name
resolves to may change in between."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, replace
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


def _kind_of(address: IPAddress) -> str | None:
    """What makes an address internal ("loopback", "private"...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _kind_of(address.ipv4_mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("CGNAT", isinstance(address, ipaddress.IPv4Address) and address in CGNAT),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    return next((kind for kind, applies in checks if applies), None)


def _shown(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _suggested_range(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
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


@dataclass(frozen=True)
class OutboundPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()

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
        target = self._parse(url)
        if target.host in self.allowed_hosts:
            return target
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise OutboundRefused(f"{url}: cannot resolve host {target.host!r} ({error})") from error
        self._check_addresses(url, _addresses(infos))
        return target

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
            raise OutboundRefused(
                f"{url} points to a {kind} address ({_shown(address)}); "
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
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            candidates.append(address.ipv4_mapped)
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


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [literal]
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused(f"cannot resolve host {host!r} ({error})") from error
