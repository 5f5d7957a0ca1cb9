"""deploy/nginx/tocsin.conf in Debian's nginx, in front of a real ``tocsin serve``: over TLS, a
request reaches Tocsin with the client's address (not one the client made up) and https; plain
http is sent to https; bodies over the limit and floods of logins stop at nginx."""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from httpx_sse import EventSource

from tests.deploy.nginx import Certificate, Nginx, check, configuration, make_certificate, nginx_binary
from tests.deploy.seen_by_tocsin import client_address, integration_key, scheme
from tests.support.api import ApiClient
from tests.support.factories import make_user
from tests.support.postgres import free_port
from tests.support.processes import Serve
from tests.test_cli import tocsin_environment
from tocsin.db import Database

CLIENT = "127.0.0.2"  # the client's own address on loopback; nginx's is 127.0.0.1


@dataclass
class Proxied:
    url: str
    http_url: str
    certificate: Certificate
    key: str
    database_url: str
    tocsin_url: str

    def client(self, **options: object) -> httpx.Client:
        trust = ssl.create_default_context()
        self.certificate.authority.configure_trust(trust)
        transport = httpx.HTTPTransport(verify=trust, local_address=CLIENT)
        options = {"timeout": 10, **options}
        return httpx.Client(base_url=self.url, transport=transport, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    directory = tmp_path_factory.mktemp("nginx")
    nginx_binary()  # there (or skipped; failed in CI) before Tocsin starts
    environment = tocsin_environment(data_dir=directory / "data")  # the defaults: nginx on this host
    serve = Serve(environment, directory / "logs", "--no-engine")
    nginx = None
    try:
        serve.wait_until_serving()
        certificate = make_certificate(directory)
        https, http = free_port(), free_port()
        main = configuration(directory, certificate, http=http, https=https, tocsin=serve.port)
        nginx = Nginx(main, https)
        database_url = f"sqlite:///{directory / 'data' / 'tocsin.db'}"
        key = integration_key(database_url)
        yield Proxied(
            f"https://127.0.0.1:{https}",
            f"http://127.0.0.1:{http}",
            certificate,
            key,
            database_url,
            serve.url,
        )
    finally:
        if nginx is not None:
            nginx.stop()
        serve.kill()


def test_nginx_accepts_the_configuration_as_shipped(tmp_path: Path) -> None:
    result = check(configuration(tmp_path, make_certificate(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_a_request_through_nginx_reaches_tocsin_with_the_clients_address_and_https(proxied: Proxied) -> None:
    with proxied.client() as client:
        assert client_address(client, proxied.key) == CLIENT
        assert scheme(client) == "https"


def test_an_address_the_client_makes_up_does_not_get_through(proxied: Proxied) -> None:
    with proxied.client(headers={"X-Forwarded-For": "198.51.100.1"}) as client:
        assert client_address(client, proxied.key) == CLIENT


def test_plain_http_is_sent_to_https(proxied: Proxied) -> None:
    answer = httpx.get(f"{proxied.http_url}/alerts?query=status%3Aopen", timeout=10)

    assert answer.status_code == 301
    assert answer.headers["location"] == "https://127.0.0.1/alerts?query=status%3Aopen"


def test_the_answers_carry_hsts_and_the_api_docs_load_through_nginx(proxied: Proxied) -> None:
    with proxied.client() as client:
        page = client.get("/api/docs")
        stylesheet = client.get("/api/docs/assets/swagger-ui.css")

    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert stylesheet.status_code == 200 and stylesheet.headers["content-type"].startswith("text/css")


def test_a_body_over_the_limit_stops_at_nginx(proxied: Proxied) -> None:
    with proxied.client() as client:
        answer = client.post(
            "/v2/alerts",
            headers={"Authorization": f"GenieKey {proxied.key}", "Content-Type": "application/json"},
            content=b'{"message": "' + b"x" * (1024 * 1024 + 1) + b'"}',
        )

    assert answer.status_code == 413
    assert "nginx" in answer.text


def test_a_live_update_passes_through_nginx_at_once(proxied: Proxied) -> None:
    """The stream is not held in nginx's buffers: Tocsin's X-Accel-Buffering turns them off."""
    database = Database(proxied.database_url)
    try:
        make_user(database, "live@example.com", role="admin", password="correct horse")
    finally:
        database.dispose()
    with httpx.Client(base_url=proxied.tocsin_url, timeout=10) as direct:  # nginx's login limit counts not
        form = direct.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        login = {"username": "live@example.com", "password": "correct horse", "csrf_token": token[1]}
        assert direct.post("/login", data=login).status_code == 303
        cookies = dict(direct.cookies)
    browser = proxied.client(timeout=httpx.Timeout(10, read=5), cookies=cookies)
    with browser, browser.stream("GET", "/alerts/live") as stream:
        events = EventSource(stream).iter_sse()
        assert next(events).retry  # the first message, tiny, is already through
        with proxied.client() as api:
            created = ApiClient(api, proxied.key).create(message="Seen through nginx?")
        answered = time.monotonic()
        change = next(events)
        assert time.monotonic() - answered < 1
    assert change.event == "alert" and change.json()["id"] == created["id"]


def test_a_flood_of_logins_stops_at_nginx(proxied: Proxied) -> None:
    # 10 a minute with bursts of 10: the first 11 go through at once, then one every 6 s. More
    # than that are sent so that a slow machine, earning a token meanwhile, still meets the limit.
    with proxied.client() as client:
        answers = [
            client.post("/login", data={"username": "a@example.com", "password": "x"}) for _ in range(20)
        ]
        page = client.get("/login")

    from_nginx = ["<center>nginx" in answer.text for answer in answers]
    assert from_nginx[:11] == [False] * 11, [answer.status_code for answer in answers]
    refused = [answer.status_code for answer, ours in zip(answers, from_nginx, strict=True) if ours]
    assert refused and set(refused) == {429}
    assert page.status_code == 200  # only posts count
