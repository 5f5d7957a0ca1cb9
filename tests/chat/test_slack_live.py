"""Tocsin served for real (uvicorn, with its engine) and a fake Slack over real HTTP: alerts posted
to the channel by the engine as Block Kit cards, signed commands and button clicks coming back,
Slack going down and coming back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat import live
from tests.chat.conftest import alert, log_of
from tests.chat.genie_world import connect
from tests.chat.live import CHANNEL, LiveChat, assert_follow_ups, eventually, live_chat
from tests.fakes.slack import FakeSlack, Message
from tocsin import clock
from tocsin.integrations.configuration import Changes

Setup = LiveChat[FakeSlack]
frozen = live.frozen


@pytest.fixture
def setup(database_url: str, tmp_path: Path, frozen: clock.FrozenClock) -> Iterator[Setup]:
    with live_chat(database_url, tmp_path, FakeSlack()) as chat:
        fake = chat.fake
        changes = Changes(url=fake.new_hook(channel=CHANNEL), slack_signing_secret=fake.signing_secret)
        fake.interactivity_url = chat.add_integration("Slack", changes, name="ops-slack")
        yield chat


def fields_of(post: Message) -> dict[str, str]:
    """The card's fields as read: label -> value."""
    blocks = post.attachments[0]["blocks"]
    texts = [item["text"] for block in blocks for item in block.get("fields", [])]
    return dict(text.replace("*", "").split("\n", 1) for text in texts)


def test_an_alerts_life_is_posted_in_the_channel_in_order(setup: Setup) -> None:
    tiny_id, card = setup.life_of_an_alert("Disk full on db1")

    cards = setup.posted("webhook")
    assert card.attachments[0]["color"] == "#D00000"
    assert card.text.startswith(f"#{tiny_id} Disk full on db1")
    assert f"<{setup.server.url}/alerts/" in card.attachments[0]["blocks"][0]["text"]["text"]
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert fields_of(card)["Priority"] == "P1"
    assert_follow_ups([post.text.replace("\u200b", "") for post in cards[1:]], "Slack")


def test_a_click_on_acknowledge_runs_as_the_connected_user_and_replaces_the_card(setup: Setup) -> None:
    connect(setup.db, setup.fake, "ada", "ada@example.com")
    tiny_id, card = setup.raise_card("Queue stuck")

    click = setup.fake.click(card, "Acknowledge", user="ada")

    assert click.error is None, click.detail
    assert click.ephemeral_text == f"@ada acknowledged #{tiny_id} Queue stuck"
    assert click.replaced and "Acknowledge" not in card.buttons
    assert fields_of(card)["Status"].replace("\u200b", "") == "Acknowledged by ada@example.com"
    assert "Alert acknowledged by ada@example.com via Slack" in log_of(setup.db, tiny_id)
    assert alert(setup.db, tiny_id).acknowledged


def test_while_slack_is_down_commands_still_answer_and_posts_arrive_later_in_order(
    setup: Setup, frozen: clock.FrozenClock
) -> None:
    setup.fake.down()
    tiny_id = setup.raise_alert("Disk full on db1")

    answers = [setup.genie(f"ack {tiny_id}"), setup.genie(f"note still down to {tiny_id}")]
    setup.genie(f"close {tiny_id}")

    assert [answer.error for answer in answers] == [None, None]
    assert answers[0].text == f"@bob acknowledged #{tiny_id} Disk full on db1"
    assert eventually(lambda: any(r.path.startswith("/services/") for r in setup.fake.requests), timeout=10)
    assert setup.posted("webhook") == []
    setup.fake.up()
    cards = setup.wait_out_backoffs(frozen, "webhook", 4)
    assert cards[0].text.startswith(f"#{tiny_id} Disk full on db1")
    assert ["acknowledged" in cards[1].text, "note" in cards[2].text, "closed" in cards[3].text] == [True] * 3
    assert len(cards) == 4
