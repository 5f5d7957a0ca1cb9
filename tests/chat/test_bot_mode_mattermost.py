"""Bot mode on Mattermost, through the engine and a fake Mattermost's REST API on loopback: an
alert's card is posted once by the bot and edited in place on every change (status, owner,
priority, buttons that fit), and each follow-up goes as a reply in the card's thread. Outages are
ridden out in order; a wrong token is explained on the alert. Webhook mode is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.chat.test_mattermost_delivery import alerts as alerts  # fixture: alerts acted on by the cast
from tests.fakes import mattermost
from tests.fakes.mattermost import FakeMattermost, Post
from tests.integrations.conftest import engine as engine  # an engine ticked by hand,
from tests.integrations.conftest import settings as settings  # with loopback allowed outbound
from tests.support.chat_integration import add_chat_integration
from tocsin.alerts import actions, ingest
from tocsin.alerts.schemas import CreateAlertPayload, Ref
from tocsin.chat.card_posts import ChatCard
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import configuration
from tocsin.integrations.chat_bots import BotChanges
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.notify.outbox import OutboxMessage
from tocsin.outbound import OutboundPolicy

fake_mattermost = mattermost.fake_mattermost
CHANNEL = "ops-alerts"


@pytest.fixture
def token(fake_mattermost: FakeMattermost) -> str:
    return fake_mattermost.new_bot("tocsin", channels=(CHANNEL,))


@pytest.fixture
def bot_integration(
    db: Database, settings: Settings, fake_mattermost: FakeMattermost, token: str
) -> Iterator[str]:
    channel = fake_mattermost.channel(CHANNEL)
    changes = Changes(bot=BotChanges(server_url=fake_mattermost.base_url, token=token, channel_id=channel.id))
    integration_id, _ = add_chat_integration(db, settings, "Mattermost", changes)
    yield integration_id


def fields_of(post: Post) -> dict[str, str]:
    return {field["title"]: field["value"] for field in post.attachments[0].get("fields", [])}


def readable(text: str) -> str:
    return text.replace("\u200b", "").replace("\\", "")


def states(db: Database) -> list[str]:
    with db.read_session() as session:
        query = select(OutboxMessage.state).where(OutboxMessage.topic == "mattermost.post")
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_the_card_is_posted_once_and_edited_in_place_with_each_change_in_its_thread(
    db, alerts, bot_integration, fake_mattermost, engine, frozen_clock
):
    alert_id = alerts.create("Disk full on db-1")
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    assert card.author == "tocsin" and card.attachments[0]["title"] == "#1 Disk full on db-1"
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert fields_of(card)["Status"] == "Open" and fields_of(card)["Priority"] == "P3"
    assert fake_mattermost.thread(card) == []

    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert fake_mattermost.cards(CHANNEL) == [card]
    assert readable(fields_of(card)["Status"]) == "Acknowledged by ann@example.com"
    assert card.buttons == ["Close", "Take ownership"]

    alerts.act(actions.add_alert_note, alert_id, note="rebooting")
    alerts.act(actions.update_priority, alert_id, priority="P1")
    alerts.act(actions.assign, alert_id, owner=Ref(username="bob@example.com"))
    alerts.act(actions.close, alert_id, who="lead")
    engine.tick()

    assert fake_mattermost.cards(CHANNEL) == [card]
    assert fields_of(card)["Priority"] == "P1" and readable(fields_of(card)["Owner"]) == "bob@example.com"
    assert readable(fields_of(card)["Status"]) == "Closed by lead@example.com"
    assert card.buttons == []
    replies = [readable(post.text) for post in fake_mattermost.thread(card)]
    assert len(replies) == 5, replies
    assert "acknowledged by ann@example.com via Mattermost" in replies[0]
    assert "added a note" in replies[1] and "rebooting" in replies[1]
    assert "priority of [#1]" in replies[2] and "to P1" in replies[2]
    assert "owner of [#1]" in replies[3] and "bob@example.com" in replies[3]
    assert "closed by lead@example.com via Mattermost" in replies[4]
    assert [request.method for request in fake_mattermost.api_requests()] == ["POST"] + ["PUT", "POST"] * 5
    assert states(db) == ["delivered"] * 6


def test_the_bot_authenticates_with_its_token_and_the_card_is_remembered(
    db, alerts, bot_integration, fake_mattermost, token, engine
):
    alert_id = alerts.create()
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    for request in fake_mattermost.api_requests():
        assert request.headers["authorization"] == f"Bearer {token}"
    with db.read_session() as session:
        remembered = session.get(ChatCard, (bot_integration, alert_id))
        assert remembered is not None
        assert (remembered.post_id, remembered.channel_id) == (card.id, card.channel_id)


def test_an_integration_without_a_bot_token_keeps_posting_through_its_webhook(
    db, settings, alerts, fake_mattermost, engine
):
    hook = fake_mattermost.new_hook(channel=CHANNEL)
    add_chat_integration(db, settings, "Mattermost", Changes(url=hook))
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()

    posts = fake_mattermost.posts(CHANNEL)
    assert [post.source for post in posts] == ["webhook", "webhook"]
    assert posts[0].attachments and posts[1].root_id == "" and "acknowledged" in posts[1].text
    assert fake_mattermost.api_requests() == []


def test_while_mattermost_is_down_the_card_and_its_edits_wait_and_then_arrive_in_order(
    db, alerts, bot_integration, fake_mattermost, engine, frozen_clock
):
    fake_mattermost.down("refuse")
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    alerts.act(actions.close, alert_id)
    engine.tick()
    assert fake_mattermost.posts() == [] and "delivered" not in states(db)

    fake_mattermost.up()
    for _ in range(5):
        frozen_clock.advance(timedelta(minutes=1))
        engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    assert card.buttons == [] and fields_of(card)["Status"].startswith("Closed")
    replies = [readable(post.text) for post in fake_mattermost.thread(card)]
    assert len(replies) == 2 and "acknowledged" in replies[0] and "closed" in replies[1]
    assert [(r.method, r.path.split("/")[3]) for r in fake_mattermost.api_requests()] == [
        ("POST", "posts"),
        ("PUT", "posts"),
        ("POST", "posts"),
        ("PUT", "posts"),
        ("POST", "posts"),
    ]
    assert states(db) == ["delivered"] * 3


def test_a_card_refused_with_503_is_posted_once_mattermost_is_back(
    db, alerts, bot_integration, fake_mattermost, engine, frozen_clock
):
    fake_mattermost.down("503")
    alerts.create()
    engine.tick()
    assert states(db) == ["pending"]
    fake_mattermost.up()
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    assert len(fake_mattermost.cards(CHANNEL)) == 1 and states(db) == ["delivered"]


def test_a_wrong_token_is_explained_on_the_alert(db, alerts, bot_integration, fake_mattermost, token, engine):
    fake_mattermost.revoke(token)
    alert_id = alerts.create()
    engine.tick()

    assert fake_mattermost.posts() == [] and states(db) == ["dead"]
    assert alerts.logs(alert_id)[-1] == (
        "Mattermost bot ops-chat gave up posting Create: "
        f"HTTP 401 from {fake_mattermost.base_url}/api/v4/posts: "
        "Invalid or expired session, please login again. (the bot token is wrong or was revoked; make a new "
        "token for the bot account and save it in Tocsin)"
    )


def test_a_bot_outside_the_channel_is_told_to_join_it(db, alerts, bot_integration, fake_mattermost, engine):
    fake_mattermost.leave(CHANNEL, "tocsin")
    alert_id = alerts.create()
    engine.tick()

    assert states(db) == ["dead"]
    assert "add the bot account to the team and the channel" in alerts.logs(alert_id)[-1]


def test_a_card_deleted_in_mattermost_is_posted_afresh(db, alerts, bot_integration, fake_mattermost, engine):
    alert_id = alerts.create()
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    with fake_mattermost.world.lock:
        fake_mattermost.world.posts.remove(card)

    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    [fresh] = fake_mattermost.cards(CHANNEL)
    assert fresh.id != card.id and fresh.buttons == ["Close", "Take ownership"]
    assert len(fake_mattermost.thread(fresh)) == 1
    with db.read_session() as session:
        assert session.get(ChatCard, (bot_integration, alert_id)).post_id == fresh.id


def test_a_repeated_alert_shows_its_count_on_the_card_at_the_next_change(
    db, alerts, bot_integration, fake_mattermost, engine
):
    def send(message: str) -> str:
        with db.write_session() as session:
            payload = CreateAlertPayload.model_validate(
                {"message": message, "alias": "disk-db-1", "responders": [{"type": "team", "name": "ops"}]}
            )
            return ingest.create_alert(session, payload=payload, actor=alerts.prometheus).alert_id

    alert_id = send("Disk full on db-1")
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    assert "Count" not in fields_of(card)
    assert send("Disk full on db-1") == alert_id
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert fields_of(card)["Count"] == "2" and fake_mattermost.cards(CHANNEL) == [card]


def test_without_create_forwarded_the_first_change_posts_the_card_with_its_reply(
    db, settings, alerts, fake_mattermost, token, engine
):
    channel = fake_mattermost.channel(CHANNEL)
    bot = BotChanges(server_url=fake_mattermost.base_url, token=token, channel_id=channel.id)
    add_chat_integration(
        db, settings, "Mattermost", Changes(bot=bot, outgoing_actions=["Acknowledge", "Close"])
    )
    alert_id = alerts.create()
    engine.tick()
    assert fake_mattermost.posts() == []

    alerts.act(actions.acknowledge, alert_id)
    alerts.act(actions.close, alert_id)
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)
    assert card.buttons == [] and len(card.edits) == 1
    assert [("acknowledged" in r.text, "closed" in r.text) for r in fake_mattermost.thread(card)] == [
        (True, False),
        (False, True),
    ]


def test_after_the_bots_channel_changes_the_next_change_posts_a_new_card_there(
    db, alerts, bot_integration, fake_mattermost, engine
):
    alert_id = alerts.create()
    engine.tick()
    [old] = fake_mattermost.cards(CHANNEL)
    fake_mattermost.join("incidents", "tocsin")
    with db.write_session() as session:
        integration = session.get(Integration, bot_integration)
        changes = Changes(bot=BotChanges(channel_id=fake_mattermost.channel("incidents").id))
        configuration.apply(integration, changes, outbound=OutboundPolicy(), new=False)

    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    [new] = fake_mattermost.cards("incidents")
    assert old.edits == [] and new.buttons == ["Close", "Take ownership"]
    assert len(fake_mattermost.thread(new)) == 1
