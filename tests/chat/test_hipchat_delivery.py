"""Alert activity posted into a HipChat room through the engine: the add-on installed from the
fake HipChat, which checks every notification as HipChat did. A new alert is a card, the rest
follow in order; a revoked token is renewed; a refusal is a dead letter logged on the alert; an
integration installed nowhere sends nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.people import actor_of
from tests.chat.conftest import alert, log_of, raise_alert
from tests.fakes.hipchat import FakeHipChat
from tests.fakes.hipchat_setup import add_hipchat
from tests.integrations.conftest import engine as engine  # fixtures: an engine ticked by hand,
from tests.integrations.conftest import settings as settings  # with loopback allowed outbound
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.notify.outbox import OutboxMessage


@pytest.fixture
def fake(http: TestClient) -> Iterator[FakeHipChat]:
    with FakeHipChat(sender=http) as running:
        yield running


@pytest.fixture
def installed(db: Database, settings: Settings, fake: FakeHipChat, cast: dict[str, str]) -> str:
    """The Capabilities URL of an integration installed in the room ops-alerts."""
    _, url = add_hipchat(db, settings, fake)
    assert fake.install(url, room="ops-alerts").installed
    return url


class Alerts:
    """Alerts for team ops, acted on by the cast through the services (by their tinyId)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, message: str = "Disk full on db-1", priority: str = "P1") -> int:
        return raise_alert(self.db, message, priority=priority)

    def act(self, action, tiny_id: int, who: str = "ann", **arguments) -> None:
        with self.db.write_session() as session:
            actor = actor_of(session, who, "HipChat")
            action(session, ref=AlertRef(str(tiny_id), "tiny"), actor=actor, **arguments)


@pytest.fixture
def alerts(db: Database, cast: dict[str, str]) -> Alerts:
    return Alerts(db)


def states(db: Database) -> list[str]:
    with db.read_session() as session:
        query = select(OutboxMessage.state).where(OutboxMessage.topic == "hipchat.post")
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_a_new_alert_is_a_card_and_its_life_follows_in_order(fake, installed, alerts, engine, db) -> None:
    tiny_id = alerts.create()
    alert_id = alert(db, tiny_id).id
    engine.tick()
    alerts.act(actions.acknowledge, tiny_id)
    alerts.act(actions.close, tiny_id, who="lead")
    engine.tick()

    card, acked, closed = fake.wait_for_posts(3, channel="ops-alerts")
    assert (card.color, card.notify, card.sender, card.source) == ("red", True, "Tocsin", "notification")
    assert card.text.startswith("#1 Disk full on db-1\nPriority P1 · Open")
    assert "/genie ack 1" in card.text
    assert f'<a href="http://tocsin.test/alerts/{alert_id}">' in card.html
    assert card.card is not None
    assert (card.card["style"], card.card["title"]) == ("application", "#1 Disk full on db-1")
    assert card.card["url"] == f"http://tocsin.test/alerts/{alert_id}"
    attributes = {item["label"]: item["value"] for item in card.card["attributes"]}
    assert attributes["Priority"] == {"label": "P1", "style": "lozenge-error"}
    assert attributes["Status"] == {"label": "Open", "style": "lozenge-error"}
    assert attributes["Responders"]["label"] == "ops"
    readable = [post.text.replace("\u200b", "") for post in (acked, closed)]
    assert readable == [
        "#1 Disk full on db-1 acknowledged by ann@example.com via HipChat",
        "#1 Disk full on db-1 closed by lead@example.com via HipChat",
    ]
    assert [post.color for post in (acked, closed)] == ["green", "green"]
    assert states(db) == ["delivered"] * 3


def test_priorities_have_their_colours_and_only_urgent_ones_notify(fake, installed, alerts, engine) -> None:
    for priority in ("P2", "P3", "P4", "P5"):
        alerts.create(message=f"a {priority} alert", priority=priority)
    engine.tick()

    posts = fake.wait_for_posts(4, channel="ops-alerts")
    by_priority = {post.text.split("\n")[0].split(" ")[2]: (post.color, post.notify) for post in posts}
    assert by_priority == {
        "P2": ("red", True),
        "P3": ("yellow", False),
        "P4": ("purple", False),
        "P5": ("gray", False),
    }


def test_a_revoked_token_is_renewed_once_and_the_notification_sent(
    fake, installed, alerts, engine, db
) -> None:
    alerts.create(message="first")
    engine.tick()
    fake.revoke_tokens()
    alerts.create(message="second")
    engine.tick()

    assert sorted(post.text.split("\n")[0] for post in fake.wait_for_posts(2)) == ["#1 first", "#2 second"]
    token_requests = [r for r in fake.requests if r.path == "/v2/oauth/token"]
    assert len(token_requests) == 3  # the install's proof, the first notification's, the renewal
    assert states(db) == ["delivered", "delivered"]


def test_a_refused_notification_is_a_dead_letter_logged_on_the_alert(
    fake, installed, alerts, engine, db
) -> None:
    fake.refuse(400, "message: length must be between 1 and 10000")
    tiny_id = alerts.create()
    engine.tick()

    assert fake.posts() == [] and states(db) == ["dead"]
    logged = log_of(db, tiny_id)[-1]
    assert logged.startswith("HipChat ops-room gave up posting Create: HTTP 400 from ")
    assert logged.endswith("/notification: message: length must be between 1 and 10000")

    alerts.act(actions.acknowledge, tiny_id)  # a dead one holds back none after it
    engine.tick()
    assert states(db) == ["dead", "delivered"]


def test_while_hipchat_is_down_notifications_wait_and_arrive_in_order(
    fake, installed, alerts, engine, db, frozen_clock
) -> None:
    fake.down()
    alerts.act(actions.acknowledge, alerts.create())
    engine.tick()
    assert states(db) == ["pending", "pending"]

    fake.up()
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    posts = fake.wait_for_posts(2)
    assert posts[0].card is not None and "acknowledged" in posts[1].text
    assert states(db) == ["delivered", "delivered"]


def test_an_integration_installed_nowhere_sends_nothing(fake, db, settings, alerts, engine, cast) -> None:
    add_hipchat(db, settings, fake)
    alerts.create()
    engine.tick()
    assert fake.posts() == [] and states(db) == ["delivered"]
    with db.read_session() as session:
        query = select(OutboxMessage.last_error).where(OutboxMessage.topic == "hipchat.post")
        note = session.scalars(query).one()
    assert note == "not sent: integration ops-room is not installed in a HipChat room"
