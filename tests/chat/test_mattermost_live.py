"""Tocsin served for real (uvicorn, with its engine) and a fake Mattermost over real HTTP: alerts
posted to the channel by the engine, commands and button clicks coming back, Mattermost going
down and coming back."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.chat.conftest import alert, log_of
from tests.conftest import frozen_at
from tests.fakes.mattermost import FakeMattermost, Post
from tests.support.factories import make_integration, make_user
from tests.support.server import LiveServer, live_settings
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.alerts.models import Alert
from tocsin.chat import buttons, linking
from tocsin.chat.requests import ChatIdentity
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

LOOPBACK = "127.0.0.0/8"


@dataclass
class Setup:
    server: LiveServer
    fake: FakeMattermost
    db: Database
    request_url: str
    integration_id: str
    api_key: str

    def raise_alert(self, message: str) -> int:
        answer = httpx.post(
            f"{self.server.url}/v2/alerts",
            json={"message": message, "priority": "P1"},
            headers={"Authorization": f"GenieKey {self.api_key}"},
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        with self.db.read_session() as session:  # created before the answer: the newest alert
            return int(session.scalar(select(func.max(Alert.tiny_id))))

    def genie(self, text: str, user: str = "bob"):
        return self.fake.slash(self.request_url, text, user=user)

    def cards(self) -> list[Post]:
        return [post for post in self.fake.posts(channel="ops-alerts") if post.source == "webhook"]


def eventually(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def frozen() -> Iterator[clock.FrozenClock]:
    """Stopped at the real time; the outage test moves it past the retry backoffs."""
    with frozen_at(datetime.now(UTC).replace(microsecond=0)) as stopped:
        yield stopped


@pytest.fixture
def setup(database_url: str, tmp_path: Path, frozen: clock.FrozenClock) -> Iterator[Setup]:
    settings = live_settings(database_url, str(tmp_path))
    settings = settings.model_copy(update={"outbound_allow": LOOPBACK, "engine_tick_seconds": 0.05})
    db = Database(database_url)
    make_user(db, "ada@example.com", role="admin")
    _, api_key = make_integration(db, "prometheus")
    with FakeMattermost() as fake, LiveServer(settings) as server:
        with db.write_session() as session:
            integration, _ = integrations.create_integration(
                session,
                type="Mattermost",
                name="ops-chat",
                changes=Changes(url=fake.new_hook(channel="ops-alerts"), command_token=fake.command_token),
                outbound=OutboundPolicy.parse(LOOPBACK),
            )
            url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
            integration_id = integration.id
        try:
            yield Setup(server, fake, db, url, integration_id, api_key)
        finally:
            db.dispose()


def connect(setup: Setup, chat_user: str, username: str) -> None:
    member = setup.fake.user(chat_user)
    team = setup.fake.team("acme")
    with setup.db.write_session() as session:
        token = linking.issue_link(
            session,
            identity=ChatIdentity("Mattermost", team.id, team.name, member.id, member.username),
            purpose="connect",
        )
    with setup.db.write_session() as session:
        linking.approve(session, token=token, user=accounts.get_user(session, username))


def shown(text: str) -> str:
    """Markdown as Mattermost shows it: escapes gone, zero-width spaces invisible."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def fields_of(post: Post) -> dict[str, str]:
    return {field["title"]: field["value"] for field in post.attachments[0].get("fields", [])}


def test_an_alerts_life_is_posted_in_the_channel_in_order(setup: Setup) -> None:
    tiny_id = setup.raise_alert("Disk full on db1")
    card = setup.fake.wait_for_posts(1, channel="ops-alerts")[0]

    setup.genie(f"ack {tiny_id}")
    setup.genie(f"note rebooting now to {tiny_id}")
    setup.genie(f"close {tiny_id}")
    setup.fake.wait_for_posts(4 + 3, channel="ops-alerts")  # three command answers, in the channel too

    cards = setup.cards()
    assert card.attachments[0]["title"] == f"#{tiny_id} Disk full on db1"
    assert card.attachments[0]["title_link"].startswith(f"{setup.server.url}/alerts/")
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert fields_of(card)["Priority"] == "P1"
    follow_ups = [shown(post.text) for post in cards[1:]]
    assert "acknowledged by @bob (Mattermost)" in follow_ups[0]
    assert "added a note" in follow_ups[1] and "rebooting now" in follow_ups[1]
    assert "closed by @bob (Mattermost)" in follow_ups[2]
    assert len(cards) == 4


def test_a_click_on_acknowledge_runs_as_the_connected_user_and_updates_the_post(setup: Setup) -> None:
    connect(setup, "ada", "ada@example.com")
    tiny_id = setup.raise_alert("Queue stuck")
    card = setup.fake.wait_for_posts(1, channel="ops-alerts")[0]

    click = setup.fake.click(card, "Acknowledge", user="ada")

    assert click.error is None, click.detail
    assert f"#{tiny_id}" in (click.ephemeral_text or "")
    assert "Acknowledge" not in click.post.buttons
    assert fields_of(click.post)["Status"].startswith("Acknowledged")
    assert alert(setup.db, tiny_id).acknowledged_by == "ada@example.com"
    assert "Alert acknowledged by ada@example.com via Mattermost" in log_of(setup.db, tiny_id)


def test_a_forged_or_expired_button_is_refused_and_changes_nothing(
    setup: Setup, frozen: clock.FrozenClock
) -> None:
    tiny_id = setup.raise_alert("Queue stuck")
    card = setup.fake.wait_for_posts(1, channel="ops-alerts")[0]
    action = card.action("Close")
    assert action is not None
    url, context = action["integration"]["url"], action["integration"]["context"]
    other_id = setup.raise_alert("Another")
    other = alert(setup.db, other_id)

    forged = setup.fake.click_with_context(url, {**context, "alert": other.id})
    unsigned = setup.fake.click_with_context(url, {"action": "close", "alert": other.id})
    expired_context = buttons.sign(
        setup.server.settings.effective_secret_key,
        action="close",
        alert_id=other.id,
        integration_id=setup.integration_id,
        expires_at=frozen.now() - timedelta(seconds=1),
    )
    expired = setup.fake.click_with_context(url, expired_context)

    for refused in (forged, unsigned, expired):
        assert refused.error is not None
    assert alert(setup.db, tiny_id).status == "open"
    assert alert(setup.db, other_id).status == "open"


def test_while_mattermost_is_down_commands_still_answer_and_posts_arrive_later_in_order(
    setup: Setup, frozen: clock.FrozenClock
) -> None:
    setup.fake.down(mode="refuse")
    tiny_id = setup.raise_alert("Disk full on db1")

    answers = [setup.genie(f"ack {tiny_id}"), setup.genie(f"note still down to {tiny_id}")]
    setup.genie(f"close {tiny_id}")

    assert [answer.status for answer in answers] == [200, 200]
    assert answers[0].text == f"@bob acknowledged #{tiny_id} Disk full on db1"
    assert setup.cards() == []
    setup.fake.up()
    for _ in range(8):  # past every backoff the failed first post may have been given
        frozen.advance(timedelta(minutes=16))
        if eventually(lambda: len(setup.cards()) == 4, timeout=2):
            break
    cards = setup.cards()
    assert cards[0].attachments[0]["title"] == f"#{tiny_id} Disk full on db1"
    assert ["acknowledged" in cards[1].text, "note" in cards[2].text, "closed" in cards[3].text] == [True] * 3
    assert len(cards) == 4
