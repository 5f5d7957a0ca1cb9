"""Bot mode on Slack, through the engine and a fake Slack's Web API on loopback: the card is
posted once (``chat.postMessage``) and edited in place (``chat.update``) on every change, each
follow-up is a reply in its thread (``thread_ts``); a rate limit is waited out as Slack asks, and
a refusal (HTTP 200, ``ok: false``) is explained on the alert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.chat.test_mattermost_delivery import alerts as alerts  # fixture: alerts acted on by the cast
from tests.fakes import slack
from tests.fakes.slack import FakeSlack, Message
from tests.integrations.conftest import engine as engine  # an engine ticked by hand
from tests.support.chat_integration import LOOPBACK, add_chat_integration
from tocsin.alerts import actions
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations.chat_bots import BotChanges
from tocsin.integrations.configuration import Changes
from tocsin.notify.outbox import OutboxMessage

fake_slack = slack.fake_slack


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fake_slack: FakeSlack) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
        outbound_allow=LOOPBACK,
        slack_api_url=fake_slack.api_url,
    )


@pytest.fixture
def token(fake_slack: FakeSlack) -> str:
    return fake_slack.new_bot("tocsin")


@pytest.fixture
def bot_integration(db: Database, settings: Settings, fake_slack: FakeSlack, token: str) -> str:
    changes = Changes(
        slack_signing_secret=fake_slack.signing_secret,
        bot=BotChanges(token=token, channel=fake_slack.channel_id()),
    )
    return add_chat_integration(db, settings, "Slack", changes)[0]


def fields_of(message: Message) -> dict[str, str]:
    blocks = message.attachments[0]["blocks"]
    fields = next(block["fields"] for block in blocks if block.get("fields"))
    return dict(field["text"].lstrip("*").split("*\n", 1) for field in fields)


def readable(text: str) -> str:
    return text.replace("\u200b", "")


def states(db: Database) -> list[str]:
    with db.read_session() as session:
        query = select(OutboxMessage.state).where(OutboxMessage.topic == "slack.post")
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_the_card_is_posted_once_and_updated_in_place_with_each_change_in_its_thread(
    db, alerts, bot_integration, fake_slack, token, engine
):
    alert_id = alerts.create("Disk full on db-1")
    engine.tick()
    [card] = fake_slack.cards()
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert fields_of(card)["Status"] == "Open"

    alerts.act(actions.acknowledge, alert_id)
    alerts.act(actions.add_alert_note, alert_id, note="rebooting")
    engine.tick()
    assert fake_slack.cards() == [card] and len(card.edits) == 2
    assert readable(fields_of(card)["Status"]).startswith("Acknowledged by ann@example.com")
    assert card.buttons == ["Close", "Take ownership"]

    alerts.act(actions.close, alert_id, who="lead")
    engine.tick()
    assert fake_slack.cards() == [card] and card.buttons == []
    replies = [readable(message.text) for message in fake_slack.thread(card)]
    assert len(replies) == 3, replies
    assert "acknowledged by ann@example.com" in replies[0]
    assert "added a note" in replies[1] and "rebooting" in replies[1]
    assert "closed by lead@example.com" in replies[2]
    methods = [request.path.removeprefix("/api/") for request in fake_slack.api_requests()]
    assert methods == ["chat.postMessage"] + ["chat.update", "chat.postMessage"] * 3
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in fake_slack.api_requests())
    assert states(db) == ["delivered"] * 4


def test_a_rate_limit_is_waited_out_and_the_edits_arrive_in_order(
    db, alerts, bot_integration, fake_slack, engine, frozen_clock
):
    fake_slack.rate_limit(1, retry_after=30)
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert fake_slack.posts(None) == [] and states(db) == ["pending", "pending"]

    frozen_clock.advance(timedelta(seconds=10))
    engine.tick()
    assert fake_slack.posts(None) == []  # Slack asked for 30 seconds
    frozen_clock.advance(timedelta(seconds=25))
    engine.tick()
    [card] = fake_slack.cards()
    assert card.buttons == ["Close", "Take ownership"]
    assert len(fake_slack.thread(card)) == 1 and states(db) == ["delivered", "delivered"]


def test_while_slack_is_down_the_card_and_its_edits_wait_and_then_arrive_in_order(
    db, alerts, bot_integration, fake_slack, engine, frozen_clock
):
    fake_slack.down("refuse")
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    alerts.act(actions.close, alert_id)
    engine.tick()
    assert fake_slack.posts(None) == []

    fake_slack.up()
    for _ in range(5):
        frozen_clock.advance(timedelta(minutes=1))
        engine.tick()
    [card] = fake_slack.cards()
    assert card.buttons == []
    replies = [readable(message.text) for message in fake_slack.thread(card)]
    assert len(replies) == 2 and "acknowledged" in replies[0] and "closed" in replies[1]
    assert states(db) == ["delivered"] * 3


def test_a_wrong_token_is_explained_on_the_alert(db, alerts, bot_integration, fake_slack, token, engine):
    fake_slack.revoke(token)
    alert_id = alerts.create()
    engine.tick()

    assert states(db) == ["dead"]
    assert alerts.logs(alert_id)[-1] == (
        "Slack bot ops-chat gave up posting Create: Slack refused chat.postMessage: invalid_auth "
        "(the bot token is wrong; save the app's Bot User OAuth Token (xoxb-...) in Tocsin)"
    )


def test_a_bot_not_invited_to_the_channel_is_told_so(db, alerts, bot_integration, fake_slack, engine):
    fake_slack.leave("ops-alerts", "tocsin")
    alert_id = alerts.create()
    engine.tick()
    assert states(db) == ["dead"]
    assert (
        "not_in_channel (the bot is not in the channel; invite it (/invite @bot))"
        in alerts.logs(alert_id)[-1]
    )


def test_an_integration_without_a_bot_token_keeps_posting_through_its_webhook(
    db, settings, alerts, fake_slack, engine
):
    changes = Changes(url=fake_slack.new_hook(), slack_signing_secret=fake_slack.signing_secret)
    add_chat_integration(db, settings, "Slack", changes)
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert [message.source for message in fake_slack.posts()] == ["webhook", "webhook"]
    assert fake_slack.api_requests() == []
