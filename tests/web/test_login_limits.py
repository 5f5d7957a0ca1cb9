"""Failed logins are limited per client address and per account (429 with Retry-After, and the
login page says when to try again), and password hashing runs a bounded number at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_user
from tests.web.conftest import web_settings
from tests.web.pages import csrf_token_in
from tocsin.accounts import passwords
from tocsin.app import build
from tocsin.clock import FrozenClock
from tocsin.config import Settings

ADA = "ada@example.com"
RIGHT = "correct horse"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return web_settings(database_url, tmp_path).model_copy(
        update={"login_failures_per_address": "3/minute", "login_failures_per_account": "5/minute"}
    )


@pytest.fixture(autouse=True)
def hashing_turns_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Applications built here with other hashing settings change the process's bound; undo it."""
    monkeypatch.setattr(passwords, "_turns", passwords.hashing_turns())


@pytest.fixture
def ada(db) -> str:
    return make_user(db, ADA, password=RIGHT)


class Server:
    """One running application, reached from as many client addresses as a test wants."""

    def __init__(self, settings: Settings) -> None:
        self.app = build(settings, run_engine=False)
        self._stack = ExitStack()
        self._clients: dict[str, TestClient] = {}
        self.client("192.0.2.1")

    def client(self, address: str) -> TestClient:
        """A browser at ``address`` (the first one also runs the application's lifespan)."""
        if address not in self._clients:
            client = TestClient(
                self.app, base_url="http://tocsin.test", follow_redirects=False, client=(address, 50000)
            )
            self._clients[address] = self._stack.enter_context(client) if not self._clients else client
        return self._clients[address]

    def log_in(self, address: str, password: str, username: str = ADA, **headers: str):
        client = self.client(address)
        token = csrf_token_in(client.get("/login").text)
        return client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            headers=headers,
        )

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    running = Server(settings)
    yield running
    running.close()


def test_wrong_passwords_then_the_right_one_is_refused_until_the_window_passes(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    for _ in range(3):
        assert server.log_in("192.0.2.1", "wrong horse").status_code == 401

    refused = server.log_in("192.0.2.1", RIGHT)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Too many failed logins. Try again in 1 minute." in refused.text
    frozen_clock.advance(timedelta(seconds=30))
    later = server.log_in("192.0.2.1", RIGHT)
    assert (later.status_code, later.headers["retry-after"]) == (429, "30")
    assert "Try again in 30 seconds." in later.text
    frozen_clock.advance(timedelta(seconds=30))
    assert server.log_in("192.0.2.1", RIGHT).status_code == 303


def test_the_login_page_keeps_the_username_when_it_says_to_wait(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    for _ in range(3):
        server.log_in("192.0.2.1", "wrong horse")

    refused = server.log_in("192.0.2.1", RIGHT)

    assert f'value="{ADA}"' in refused.text
    assert 'role="alert"' in refused.text


def test_another_address_can_log_in_while_one_floods(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    answers = [server.log_in("192.0.2.1", f"guess {number}").status_code for number in range(50)]

    assert answers == [401] * 3 + [429] * 47
    assert server.log_in("198.51.100.7", RIGHT).status_code == 303


def test_failures_from_many_addresses_lock_the_account_only_for_the_window(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    for number in range(5):
        assert server.log_in(f"203.0.113.{number}", "wrong horse").status_code == 401

    locked = server.log_in("198.51.100.7", RIGHT)
    assert locked.status_code == 429
    assert server.log_in("198.51.100.7", RIGHT, username="bob@example.com").status_code == 401
    frozen_clock.advance(timedelta(minutes=1))
    assert server.log_in("198.51.100.7", RIGHT).status_code == 303


def test_an_ipv6_client_is_limited_by_its_whole_64(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    for host in range(1, 4):
        assert server.log_in(f"2001:db8:1:2::{host}", "wrong horse").status_code == 401

    assert server.log_in("2001:db8:1:2::99", RIGHT).status_code == 429
    assert server.log_in("2001:db8:1:3::1", RIGHT).status_code == 303


def test_x_forwarded_for_is_ignored_unless_the_settings_trust_it(
    server: Server, ada: str, frozen_clock: FrozenClock
) -> None:
    for number in range(3):
        server.log_in("192.0.2.1", "wrong horse", **{"X-Forwarded-For": f"203.0.113.{number}"})

    assert server.log_in("192.0.2.1", RIGHT, **{"X-Forwarded-For": "203.0.113.200"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    settings: Settings, ada: str, frozen_clock: FrozenClock
) -> None:
    proxied = Server(settings.model_copy(update={"trust_forwarded_for": True}))
    try:
        for _ in range(3):
            proxied.log_in("192.0.2.1", "wrong horse", **{"X-Forwarded-For": "forged, 203.0.113.9"})

        flooding = proxied.log_in("192.0.2.1", RIGHT, **{"X-Forwarded-For": "203.0.113.200, 203.0.113.9"})
        other = proxied.log_in("192.0.2.1", RIGHT, **{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    finally:
        proxied.close()

    assert flooding.status_code == 429
    assert other.status_code == 303


def test_a_login_that_gets_no_hashing_turn_is_answered_503_with_retry_after(
    settings: Settings, ada: str
) -> None:
    busy = Server(
        settings.model_copy(update={"password_hash_concurrency": 2, "password_hash_wait_seconds": 0})
    )
    turns = passwords.hashing_turns()
    try:
        with turns.turn(), turns.turn():
            refused = busy.log_in("192.0.2.1", RIGHT)
        assert busy.log_in("192.0.2.1", RIGHT).status_code == 303
    finally:
        busy.close()

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert "The server is busy checking other passwords. Try again in 1 second." in refused.text
