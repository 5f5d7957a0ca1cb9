"""A bulk command in bot mode: ``/genie ackall`` on many alerts edits each alert's card in place
(no thread reply per alert) and leaves one summary post in the bot's channel."""

from __future__ import annotations

import re

from tests.chat.test_bot_mode_mattermost import CHANNEL, fields_of, readable
from tests.chat.test_bot_mode_mattermost import bot_integration as bot_integration
from tests.chat.test_bot_mode_mattermost import fake_mattermost as fake_mattermost
from tests.chat.test_bot_mode_mattermost import token as token
from tests.chat.test_mattermost_delivery import alerts as alerts
from tests.integrations.conftest import engine as engine
from tests.integrations.conftest import settings as settings
from tocsin.chat.dispatch import answer
from tocsin.chat.requests import ChatIdentity, ChatRequest
from tocsin.db import Database
from tocsin.integrations.models import Integration

COUNT = 12


def _genie(db: Database, integration_id: str, text: str) -> str:
    asked = ChatRequest(
        identity=ChatIdentity("Mattermost", "team1", "acme", "u1", "ann"), text=text, channel_id=CHANNEL
    )
    with db.write_session() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        return answer(session, integration=integration, request=asked, base_url="https://tocsin.test").text


def test_ackall_edits_every_card_and_posts_one_summary(db, alerts, bot_integration, fake_mattermost, engine):
    for number in range(COUNT):
        alerts.create(f"Queue {number} stuck")
    engine.tick()
    cards = fake_mattermost.cards(CHANNEL)
    assert len(cards) == COUNT

    reply = _genie(db, bot_integration, "ackall")
    for _ in range(4):
        engine.tick()

    assert f"acknowledged {COUNT} open alerts" in readable(reply)
    assert all(readable(fields_of(card)["Status"]).startswith("Acknowledged") for card in cards)
    assert [len(card.edits) for card in cards] == [1] * COUNT
    assert all(fake_mattermost.thread(card) == [] for card in cards)
    [summary] = [post for post in fake_mattermost.posts(CHANNEL) if post not in cards]
    text = re.sub(r"\[(#\d+)\]\([^)]*\)", r"\1", readable(summary.text))  # links: their text
    first_ten = ", ".join(f"#{n}" for n in range(1, 11))
    assert text == f"`@ann` (Mattermost) acknowledged {COUNT} alerts: {first_ten} … and 2 more"


def test_a_single_ack_still_replies_in_the_cards_thread(db, alerts, bot_integration, fake_mattermost, engine):
    alerts.create("Disk full")
    engine.tick()
    [card] = fake_mattermost.cards(CHANNEL)

    _genie(db, bot_integration, "ack 1")
    for _ in range(3):
        engine.tick()

    assert readable(fields_of(card)["Status"]).startswith("Acknowledged")
    assert len(fake_mattermost.thread(card)) == 1
    assert fake_mattermost.posts(CHANNEL) == [card, *fake_mattermost.thread(card)]
