"""A send connects to the address the outbound check passed, whatever DNS answers next (DNS
rebinding), and still names the host: Host header, and over HTTPS the TLS server name."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from tests.support.http_receiver import HttpReceiver
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.webhook import send_outbound
from tocsin.outbound import IPAddress, OutboundPolicy, Target
from tocsin.outbound_pinning import request_pinned


class RebindingResolver:
    """Answers each address in turn, one per lookup (the last one again after that)."""

    def __init__(self, *answers: str) -> None:
        self.answers = [ipaddress.ip_address(answer) for answer in answers]
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.lookups.append(host)
        index = min(len(self.lookups), len(self.answers)) - 1
        return [self.answers[index]]


def policy_allowing(network: str, resolve: RebindingResolver) -> OutboundPolicy:
    return OutboundPolicy(allowed_networks=(ipaddress.ip_network(network),), resolve=resolve)


def test_a_send_reaches_the_checked_address_not_what_the_name_resolves_to_afterwards():
    # localhost is 127.0.0.1 to the system's resolver; the check was told 127.0.0.2.
    with HttpReceiver(host="127.0.0.2") as checked, HttpReceiver(port=checked.port) as rebound:
        resolve = RebindingResolver("127.0.0.2", "127.0.0.1")
        url = f"http://localhost:{checked.port}/hook"
        answer = asyncio.run(
            send_outbound(policy_allowing("127.0.0.2/32", resolve), "POST", url, timeout=5, content=b"{}")
        )
        assert answer.status_code == 200
        assert [(got.path, got.headers["host"]) for got in checked.received] == [
            ("/hook", f"localhost:{checked.port}")
        ]
        assert rebound.received == []
        assert resolve.lookups == ["localhost"]


def test_a_name_that_resolves_to_a_refused_address_at_send_time_is_not_sent_to():
    with HttpReceiver() as loopback:
        resolve = RebindingResolver("127.0.0.1")
        url = f"http://localhost:{loopback.port}/hook"
        with pytest.raises(PermanentFailure, match="points to a loopback address"):
            asyncio.run(send_outbound(OutboundPolicy(resolve=resolve), "POST", url, timeout=5))
        assert loopback.received == []


def test_the_next_checked_address_is_tried_when_one_refuses_the_connection():
    with HttpReceiver(host="127.0.0.2") as listening:
        # Nothing listens on 127.0.0.3 (the receiver is bound to 127.0.0.2 only).
        target = Target(
            f"http://chat.example:{listening.port}/hook",
            "chat.example",
            listening.port,
            (ipaddress.ip_address("127.0.0.3"), ipaddress.ip_address("127.0.0.2")),
        )

        async def send() -> httpx.Response:
            async with httpx.AsyncClient(trust_env=False) as client:
                return await request_pinned(client, "GET", target, headers={})

        assert asyncio.run(send()).status_code == 200
        assert listening.received[0].headers["host"] == f"chat.example:{listening.port}"


def test_https_is_pinned_to_the_checked_address_with_the_host_name_as_tls_server_name():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    public = ipaddress.ip_address("93.184.215.14")
    target = Target("https://Chat.Example.com/hooks/abc?x=1", "chat.example.com", 443, (public,))

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            return await request_pinned(client, "POST", target, headers={"X-Tocsin": "1"}, content=b"{}")

    assert asyncio.run(send()).status_code == 204
    (request,) = seen
    assert str(request.url) == "https://93.184.215.14/hooks/abc?x=1"
    assert request.headers["host"] == "chat.example.com"
    assert request.headers["x-tocsin"] == "1"
    assert request.extensions["sni_hostname"] == "chat.example.com"


def test_a_host_allowed_by_name_is_reached_by_name():
    with HttpReceiver() as loopback:
        policy = OutboundPolicy.parse("localhost")
        url = f"http://localhost:{loopback.port}/hook"
        assert asyncio.run(send_outbound(policy, "GET", url, timeout=5)).status_code == 200
        assert loopback.received[0].headers["host"] == f"localhost:{loopback.port}"
