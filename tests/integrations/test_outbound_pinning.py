"""A send connects to the address the outbound check passed, whatever DNS answers next (DNS
rebinding), and still names the host: Host header, and over HTTPS the TLS server name."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl

import aiohttp
import pytest
import trustme

from tests.support.http_receiver import Answer as ReceiverAnswer
from tests.support.http_receiver import HttpReceiver, Received
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.webhook import send_outbound
from tocsin.outbound import IPAddress, OutboundPolicy, Target
from tocsin.outbound_clients import Answer, new_client
from tocsin.outbound_pinning import ANSWER_BYTES_KEPT, request_pinned


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

        async def send() -> Answer:
            async with new_client(connections=1) as client:
                return await request_pinned(client, "GET", target, headers={}, timeout=5)

        assert asyncio.run(send()).status_code == 200
        assert listening.received[0].headers["host"] == f"chat.example:{listening.port}"


def test_https_is_pinned_to_the_checked_address_with_the_host_name_as_tls_server_name():
    """A real TLS server on 127.0.0.1 whose certificate names chat.example.com only: the request
    reaches it (the certificate is checked against the host name, not the address) and names the
    host in the TLS server name and the Host header."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("chat.example.com").configure_cert(server_context)
    names: list[str | None] = []

    def remember(_connection: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    server_context.sni_callback = remember
    requests: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        requests.append(head + await reader.readexactly(length))
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        writer.close()

    async def send() -> tuple[Answer, Answer | Exception, int]:
        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        client_context = ssl.create_default_context()
        authority.configure_trust(client_context)
        async with (
            server,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_context)) as client,
        ):
            pinned = Target(
                f"https://Chat.Example.com:{port}/hooks/abc?x=1",
                "chat.example.com",
                port,
                (ipaddress.ip_address("127.0.0.1"),),
            )
            first = await request_pinned(
                client, "POST", pinned, headers={"X-Tocsin": "1"}, timeout=5, content=b"{}"
            )
            other = Target(f"https://other.example.com:{port}/", "other.example.com", port, pinned.addresses)
            try:
                second: Answer | Exception = await request_pinned(client, "GET", other, headers={}, timeout=5)
            except aiohttp.ClientError as refused:
                second = refused
            return first, second, port

    first, second, port = asyncio.run(send())
    assert first.status_code == 204
    (request,) = requests
    head = request.decode().lower()
    assert head.startswith("post /hooks/abc?x=1 http/1.1")
    assert f"host: chat.example.com:{port}\r\n" in head and "x-tocsin: 1\r\n" in head
    assert names[0] == "chat.example.com"
    assert isinstance(second, aiohttp.ClientConnectorCertificateError)  # its name is not on the certificate


def test_a_host_allowed_by_name_is_reached_by_name():
    with HttpReceiver() as loopback:
        policy = OutboundPolicy.parse("localhost")
        url = f"http://localhost:{loopback.port}/hook"
        assert asyncio.run(send_outbound(policy, "GET", url, timeout=5)).status_code == 200
        assert loopback.received[0].headers["host"] == f"localhost:{loopback.port}"


def test_an_endless_answer_is_cut_and_the_next_request_still_goes():
    """A destination answering with far more than any chat server says (here 8 MiB, gzip
    compressed to a few KiB) costs at most ANSWER_BYTES_KEPT of memory, and the pooled client
    still works afterwards."""
    huge = gzip.compress(b"x" * (8 * 1024 * 1024))

    def answer(request: Received) -> ReceiverAnswer:
        if request.path == "/bomb":
            return ReceiverAnswer(200, huge, {"Content-Type": "text/plain", "Content-Encoding": "gzip"})
        if request.path == "/big":  # arrives in many pieces, and is read whole
            return ReceiverAnswer(200, b"y" * 300_000, {"Content-Type": "text/plain"})
        return ReceiverAnswer(200, b'{"ok": true}')

    with HttpReceiver(answer) as server:
        loopback = (ipaddress.ip_address("127.0.0.1"),)

        def target(path: str) -> Target:
            return Target(f"http://chat.example:{server.port}{path}", "chat.example", server.port, loopback)

        async def send() -> list[Answer]:
            async with new_client(connections=1) as client:
                return [
                    await request_pinned(client, "GET", target(path), headers={}, timeout=5)
                    for path in ("/bomb", "/ok", "/big")
                ]

        bomb, after, big = asyncio.run(send())
    assert len(bomb.content) == ANSWER_BYTES_KEPT
    assert after.content == b'{"ok": true}'
    assert big.content == b"y" * 300_000


def test_an_empty_url_is_refused_with_a_readable_message_even_when_the_url_is_a_secret() -> None:
    async def send() -> None:
        await send_outbound(OutboundPolicy(), "POST", "", timeout=1.0, shown_as="chat.example")

    with pytest.raises(PermanentFailure) as refused:
        asyncio.run(send())
    assert "chat.example" not in str(refused.value)
    assert str(refused.value).count("an unknown host") <= 1
