"""Tocsin served for real (uvicorn, with its engine) and a fake Mattermost over real HTTP: alerts
posted to the channel by the engine, commands and button clicks coming back, Mattermost going
down and coming back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.chat import live
from tests.chat.conftest import alert, log_of
from tests.chat.genie_world import connect
from tests.chat.live import CHANNEL, LiveChat, assert_follow_ups, live_chat
from tests.chat.rendered_text import copied
from tests.fakes.mattermost import FakeMattermost, Post
from tocsin import clock
from tocsin.chat import buttons
from tocsin.integrations.configuration import Changes

Setup = LiveChat[FakeMattermost]
frozen = live.frozen


@pytest.fixture
def setup(database_url: str, tmp_path: Path, frozen: clock.FrozenClock) -> Iterator[Setup]:
    with live_chat(database_url, tmp_path, FakeMattermost()) as chat:
        fake = chat.fake
        chat.add_integration(
            "Mattermost", Changes(url=fake.new_hook(channel=CHANNEL), command_token=fake.command_token)
        )
        yield chat


def shown(text: str) -> str:
    """Markdown as Mattermost shows it (and a person copies it)."""
    return copied(text)


def fields_of(post: Post) -> dict[str, str]:
    return {field["title"]: field["value"] for field in post.attachments[0].get("fields", [])}


def test_an_alerts_life_is_posted_in_the_channel_in_order(setup: Setup) -> None:
    tiny_id, card = setup.life_of_an_alert("Disk full on db1")

    cards = setup.posted("webhook")
    assert card.attachments[0]["title"] == f"#{tiny_id} Disk full on db1"
    assert card.attachments[0]["title_link"].startswith(f"{setup.server.url}/alerts/")
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert fields_of(card)["Priority"] == "P1"
    assert_follow_ups([shown(post.text) for post in cards[1:]], "Mattermost")


def test_a_click_on_acknowledge_runs_as_the_connected_user_and_updates_the_post(setup: Setup) -> None:
    connect(setup.db, setup.fake, "ada", "ada@example.com")
    tiny_id, card = setup.raise_card("Queue stuck")

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
    tiny_id, card = setup.raise_card("Queue stuck")
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
    assert setup.posted("webhook") == []
    setup.fake.up()
    cards = setup.wait_out_backoffs(frozen, "webhook", 4)
    assert cards[0].attachments[0]["title"] == f"#{tiny_id} Disk full on db1"
    assert ["acknowledged" in cards[1].text, "note" in cards[2].text, "closed" in cards[3].text] == [True] * 3
    assert len(cards) == 4


def test_a_button_pressed_from_another_channel_or_post_than_its_own_is_refused(setup: Setup) -> None:
    tiny_id, card = setup.raise_card("Queue stuck")
    close = card.action("Close")["integration"]  # type: ignore[index]
    assert setup.fake.click(card, "Take ownership", user="ada").error is None  # binds the card to its post

    elsewhere = setup.fake.click_with_context(close["url"], close["context"], channel="random")
    other_post = setup.fake.click_with_context(close["url"], close["context"], channel=CHANNEL)

    assert (elsewhere.status, other_post.status) == (403, 403)
    assert alert(setup.db, tiny_id).status == "open"
    own_post = setup.fake.click_with_context(close["url"], close["context"], channel=CHANNEL, post_id=card.id)
    assert own_post.error is None, own_post.detail
    assert alert(setup.db, tiny_id).status == "closed"
