"""Tocsin served for real (uvicorn, with its engine, allowed to reach loopback) beside a fake chat
platform, for the live tests of every platform:

    with live_chat(database_url, tmp_path, FakeSlack()) as setup:
        setup.add_integration("Slack", Changes(url=setup.fake.new_hook(), ...))
        tiny_id = setup.raise_alert("Disk full on db1")
        setup.genie(f"ack {tiny_id}")"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import frozen_at
from tests.fakes.chat_server import FakeChatServer
from tests.support.chat_integration import LOOPBACK, add_chat_integration
from tests.support.factories import make_integration, make_user
from tests.support.server import LiveServer, live_settings
from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations.configuration import Changes

CHANNEL = "ops-alerts"

FakeT = TypeVar("FakeT", bound=FakeChatServer[Any])


@dataclass
class LiveChat(Generic[FakeT]):
    settings: Settings
    server: LiveServer
    db: Database
    fake: FakeT
    api_key: str
    """The key of a Prometheus integration, to send alerts in through the API."""
    request_url: str = ""
    """The chat integration's Request URL, once ``add_integration`` made it."""
    integration_id: str = ""

    def add_integration(self, type: str, changes: Changes, name: str = "ops-chat") -> str:
        """The chat integration of the fake; its Request URL."""
        self.integration_id, self.request_url = add_chat_integration(
            self.db, self.settings, type, changes, name
        )
        return self.request_url

    def raise_alert(self, message: str) -> int:
        """Send an alert in through the API; its tiny id."""
        answer = httpx.post(
            f"{self.server.url}/v2/alerts",
            json={"message": message, "priority": "P1"},
            headers={"Authorization": f"GenieKey {self.api_key}"},
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        with self.db.read_session() as session:  # created before the answer: the newest alert
            return int(session.scalar(select(func.max(Alert.tiny_id))))

    def genie(self, text: str, user: str = "bob") -> Any:
        return self.fake.slash(self.request_url, text, user=user)  # type: ignore[attr-defined]

    def raise_card(self, message: str) -> tuple[int, Any]:
        """An alert sent in, the first in the channel: its tiny id and the card the engine posted."""
        tiny_id = self.raise_alert(message)
        return tiny_id, self.fake.wait_for_posts(1, channel=CHANNEL)[0]

    def life_of_an_alert(self, message: str) -> tuple[int, Any]:
        """An alert sent in, then acknowledged, noted and closed with ``/genie`` by bob, each
        told in the channel by the engine's posts (the answers go to bob alone): its tiny id and
        the card the engine posted first."""
        tiny_id, card = self.raise_card(message)
        for command in (f"ack {tiny_id}", f"note rebooting now to {tiny_id}", f"close {tiny_id}"):
            self.genie(command)
        self.fake.wait_for_posts(4, channel=CHANNEL)
        return tiny_id, card

    def posted(self, source: str) -> list[Any]:
        """The posts in the channel that came from ``source`` ("webhook": the engine's cards)."""
        return [post for post in self.fake.posts(channel=CHANNEL) if post.source == source]

    def wait_out_backoffs(self, frozen: clock.FrozenClock, source: str, count: int) -> list[Any]:
        """Move Tocsin's clock past every retry backoff until ``count`` posts from ``source`` are
        in the channel (or the backoffs are spent); those posts."""
        for _ in range(8):
            frozen.advance(timedelta(minutes=16))
            if eventually(lambda: len(self.posted(source)) == count, timeout=2):
                break
        return self.posted(source)


@contextmanager
def live_chat(
    database_url: str,
    tmp_path: Path,
    fake: FakeT,
    settings_of: Callable[[FakeT], dict[str, Any]] | None = None,
) -> Iterator[LiveChat[FakeT]]:
    """Tocsin served with an admin ada@example.com and a Prometheus integration, and ``fake``
    started beside it; ``settings_of`` gives settings that depend on the started fake."""
    settings = live_settings(database_url, str(tmp_path))
    settings = settings.model_copy(update={"outbound_allow": LOOPBACK, "engine_tick_seconds": 0.05})
    fake.start()
    settings = settings.model_copy(update=settings_of(fake) if settings_of else {})
    db = Database(database_url)
    try:
        make_user(db, "ada@example.com", role="admin")
        _, api_key = make_integration(db, "prometheus")
        with fake, LiveServer(settings) as server:
            yield LiveChat(settings, server, db, fake, api_key)
    finally:
        db.dispose()


def assert_follow_ups(read: list[str], platform: str) -> None:
    """The follow-ups of ``life_of_an_alert`` as a person reads them: the ack, the note and the
    close, by bob on ``platform``."""
    assert len(read) == 3, read
    assert f"acknowledged by @bob ({platform})" in read[0]
    assert "added a note" in read[1] and "rebooting now" in read[1]
    assert f"closed by @bob ({platform})" in read[2]


def eventually(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def frozen() -> Iterator[clock.FrozenClock]:
    """Tocsin's clock stopped at the real time (Slack signs with it); outage tests move it past the
    retry backoffs."""
    with frozen_at(datetime.now(UTC).replace(microsecond=0)) as stopped:
        yield stopped
