"""The posts a Mattermost channel gets about an alert: a card with buttons when it is created, a
short line for each thing that happens after, outside text escaped, everything within limits.

Each action below runs through the alert service as people do it; the post is built from the
activity event it leaves, right after, as the forwarder builds it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.accounts.people import actor_of
from tests.chat.rendered_text import mentions
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.actors import Actor
from tocsin.alerts import actions, ingest
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload, Ref
from tocsin.alerts.service import AlertRef
from tocsin.chat import buttons
from tocsin.chat.alert_card import card_of, post_for_event
from tocsin.chat.markdown import POST_TEXT_LIMIT
from tocsin.chat.platforms.mattermost_posts import LAYOUT, attachment
from tocsin.db import Database
from tocsin.integrations.models import Integration
from tocsin.integrations.outgoing import ALERT_ACTIONS
from tocsin.notify.outbox import OutboxMessage

BASE = "http://tocsin.test"
KEY = "test-secret"
LIFETIME = timedelta(hours=24)


class Channel:
    """A Mattermost integration forwarding everything, and the alerts it hears of."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.prometheus, _ = make_integration(db, "Prometheus")
        with db.write_session() as session:
            integration = Integration(
                name="ops-chat",
                type="Mattermost",
                config={"url": "https://chat.example.com/hooks/abc"},
                outgoing_actions=list(ALERT_ACTIONS),
                outgoing_filter={"type": "match-all"},
                created_at=clock.now(),
            )
            session.add(integration)
            session.flush()
            self.integration_id = integration.id

    def create(self, **fields: Any) -> str:
        with self.db.write_session() as session:
            teams = [{"type": "team", "name": "ops"}, {"type": "team", "name": "db"}]
            payload = CreateAlertPayload.model_validate(
                {"message": "Disk full on db-1", "responders": teams, **fields}
            )
            return ingest.create_alert(session, payload=payload, actor=self.prometheus).alert_id

    def act(
        self, action: Callable[..., Any], alert_id: str, by: str | Actor, **arguments: Any
    ) -> dict[str, Any]:
        """Run ``action`` on the alert as ``by`` (a person of the cast, through Mattermost, or
        an actor); the post about it."""
        with self.db.write_session() as session:
            actor = by if isinstance(by, Actor) else actor_of(session, by, "Mattermost")
            action(session, ref=AlertRef(alert_id), actor=actor, **arguments)
        return self.last_post()

    def last_post(self) -> dict[str, Any]:
        with self.db.read_session() as session:
            event = session.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.topic == "alert.activity")
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            ).one()
            alert = session.get(Alert, event["alertId"])
            assert alert is not None
            return post_for_event(
                LAYOUT,
                session,
                alert,
                self.integration(session),
                event,
                base_url=BASE,
                secret_key=KEY,
                button_lifetime=LIFETIME,
            )

    def card(self, alert_id: str) -> dict[str, Any]:
        with self.db.read_session() as session:
            alert = session.get(Alert, alert_id)
            assert alert is not None
            card = card_of(
                session,
                alert,
                base_url=BASE,
                secret_key=KEY,
                button_lifetime=LIFETIME,
                integration=self.integration(session),
            )
            return attachment(card)

    def integration(self, session: Session) -> Integration:
        found = session.get(Integration, self.integration_id)
        assert found is not None
        return found


@pytest.fixture
def channel(db: Database, cast: dict[str, str], frozen_clock: Any) -> Channel:
    return Channel(db)


def test_a_new_alert_is_a_card_with_its_priority_colour_fields_and_buttons(channel, frozen_clock):
    alert_id = channel.create(
        priority="P1",
        description="/var at 98% on db-1",
        tags=["db", "disk"],
        source="prometheus",
        responders=[{"type": "team", "name": "ops"}, {"type": "user", "username": "bob@example.com"}],
    )
    post = channel.last_post()
    assert (post["username"], post["text"]) == ("Tocsin", "")
    (card,) = post["attachments"]
    assert card["fallback"] == "[P1] #1 Disk full on db-1"
    assert card["color"] == "#D00000"
    assert (card["title"], card["title_link"]) == ("#1 Disk full on db-1", f"{BASE}/alerts/{alert_id}")
    assert card["text"] == "/var at 98% on db-1"
    assert card["fields"] == [
        {"title": "Priority", "value": "P1", "short": True},
        {"title": "Status", "value": "Open", "short": True},
        {"title": "Responders", "value": "ops, bob@example.com", "short": True},
        {"title": "Tags", "value": "db, disk", "short": True},
        {"title": "Source", "value": "prometheus", "short": True},
    ]
    assert card["footer"] == "Tocsin · ops-chat"
    assert [(button["id"], button["name"], button["style"]) for button in card["actions"]] == [
        ("ack", "Acknowledge", "primary"),
        ("close", "Close", "danger"),
        ("own", "Take ownership", "default"),
    ]
    for button in card["actions"]:
        assert button["type"] == "button"
        assert button["integration"]["url"] == f"{BASE}/chat/mattermost/actions"
        context = button["integration"]["context"]
        pressed = buttons.verify(KEY, context, frozen_clock.now() + LIFETIME)
        expires_at = frozen_clock.now() + LIFETIME
        assert pressed == buttons.ButtonPress(button["id"], alert_id, channel.integration_id, expires_at)
        assert int(context["expires"]) == int(expires_at.timestamp())


def test_priorities_have_their_own_colours(channel):
    colours = {}
    for priority in ("P2", "P3", "P4", "P5"):
        channel.create(message=f"alert {priority}", priority=priority)
        colours[priority] = channel.last_post()["attachments"][0]["color"]
    assert colours == {"P2": "#F06000", "P3": "#F0B000", "P4": "#2A7FD4", "P5": "#808080"}


def test_what_happens_after_is_one_line_each_linking_to_the_alert(channel):
    alert_id = channel.create()
    link = f"[#1]({BASE}/alerts/{alert_id})"
    chat_user = Actor(name="@bob", channel="Mattermost", integration_id=channel.integration_id)
    with channel.db.read_session() as session:
        lead = actor_of(session, "lead", "web")
    texts = [
        channel.act(actions.acknowledge, alert_id, "ann"),
        channel.act(actions.add_alert_note, alert_id, chat_user, note="rebooting db-1 now"),
        channel.act(actions.unacknowledge, alert_id, "ann"),
        channel.act(actions.assign, alert_id, lead, owner=Ref(username="ann@example.com")),
        channel.act(actions.update_priority, alert_id, lead, priority="P1"),
        channel.act(actions.close, alert_id, "ann"),
    ]
    assert all(set(post) == {"username", "text"} and post["username"] == "Tocsin" for post in texts)
    assert [post["text"] for post in texts] == [
        f"{link} Disk full on db-1 acknowledged by ann@example.com via Mattermost",
        f"`@bob` (Mattermost) added a note to {link}: rebooting db-1 now",
        f"{link} Disk full on db-1 unacknowledged by ann@example.com via Mattermost",
        f"owner of {link} is now ann@example.com (set by lead@example.com via web)",
        f"priority of {link} changed from P3 to P1 by lead@example.com via web",
        f"{link} Disk full on db-1 closed by ann@example.com via Mattermost",
    ]


def test_the_card_loses_acknowledge_once_acked_and_every_button_once_closed(channel):
    alert_id = channel.create()
    channel.act(actions.acknowledge, alert_id, "ann")
    acked = channel.card(alert_id)
    assert [button["id"] for button in acked["actions"]] == ["close", "own"]
    status = {"title": "Status", "value": "Acknowledged by ann@example.com", "short": True}
    assert status in acked["fields"]
    assert {"title": "Owner", "value": "ann@example.com", "short": True} in acked["fields"]
    channel.act(actions.close, alert_id, "bob")
    closed = channel.card(alert_id)
    assert "actions" not in closed
    assert {"title": "Status", "value": "Closed by bob@example.com", "short": True} in closed["fields"]


def test_hostile_alert_text_mentions_nobody_links_nowhere_and_fits_a_post(channel):
    alert_id = channel.create(
        message="@channel **deploy** <!here> [x](javascript:alert(1))",
        description="@here please\n# look\n<https://evil.example|click>\n" + "`@all`" * 2000,
        tags=["@all", "<!channel>"],
    )
    card = channel.last_post()["attachments"][0]
    # the title and fallback are shown as text (the title as a link to the alert), not markdown
    assert card["title"] == "#1 @channel **deploy** <\u200b!here> [x](javascript:alert(1))"
    assert card["fallback"] == "[P3] " + card["title"]
    assert card["text"].startswith("`@here` please\n\\# look\n&lt;https://evil.example\\|click&gt;\n")
    assert len(card["text"]) <= 2000 and card["text"].endswith(
        f"… [read all in Tocsin]({BASE}/alerts/{alert_id})"
    )
    note = channel.act(actions.add_alert_note, alert_id, "ann", note="<!channel> " + "@here " * 2000)
    # Mattermost looks for mentions in texts, pretexts and field values, not in titles or fallbacks
    shown = [card["text"], note["text"], *(field["value"] for field in card["fields"])]
    assert [mention for text in shown for mention in mentions(text)] == []
    markdown = orjson.dumps([{**card, "fallback": "", "title": ""}, note]).decode()
    assert "<" not in markdown and "](javascript" not in markdown
    assert len(note["text"]) <= POST_TEXT_LIMIT
