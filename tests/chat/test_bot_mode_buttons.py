"""Buttons of bot-mode cards, with Tocsin served for real beside a fake Mattermost or Slack: a
press is first checked with the platform (is the presser a member of the bot's channel?); a
non-member is told why and nothing changes; a member's press acts, and the card is edited in
place by the engine."""

from __future__ import annotations

from tests.chat import bot_chats, live
from tests.chat.conftest import alert, log_of
from tests.chat.live import CHANNEL, LiveChat, eventually
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.slack import FakeSlack

frozen = live.frozen
on_mattermost, on_slack = bot_chats.on_mattermost, bot_chats.on_slack


def test_mattermost_a_non_member_press_is_refused_and_changes_nothing(
    on_mattermost: LiveChat[FakeMattermost],
) -> None:
    setup = on_mattermost
    tiny_id = setup.raise_alert("Queue stuck")
    assert eventually(lambda: len(setup.fake.cards(CHANNEL)) == 1, timeout=10)
    [card] = setup.fake.cards(CHANNEL)

    click = setup.fake.click(card, "Acknowledge", user="eve")

    assert click.error is None, click.detail
    assert "Only members of this alert's channel may use its buttons" in click.ephemeral_text
    assert click.update is None and "Acknowledge" in card.buttons
    assert not alert(setup.db, tiny_id).acknowledged
    member_checks = setup.fake.api_requests("GET", "/channels/")
    assert [request.path.rsplit("/", 1)[-1] for request in member_checks] == [setup.fake.user("eve").id]


def test_mattermost_a_member_press_acts_and_the_card_is_edited_in_place(
    on_mattermost: LiveChat[FakeMattermost],
) -> None:
    setup = on_mattermost
    setup.fake.join(CHANNEL, "ann")
    tiny_id = setup.raise_alert("Queue stuck")
    assert eventually(lambda: len(setup.fake.cards(CHANNEL)) == 1, timeout=10)
    [card] = setup.fake.cards(CHANNEL)

    click = setup.fake.click(card, "Acknowledge", user="ann")

    assert click.error is None, click.detail
    assert alert(setup.db, tiny_id).acknowledged
    assert "Alert acknowledged by @ann (Mattermost)" in log_of(setup.db, tiny_id)
    assert eventually(lambda: len(card.edits) == 1 and len(setup.fake.thread(card)) == 1, timeout=10)
    assert card.buttons == ["Close", "Take ownership"] and setup.fake.cards(CHANNEL) == [card]
    assert "acknowledged by" in setup.fake.thread(card)[0].text


def test_slack_a_non_member_press_is_refused_and_changes_nothing(on_slack: LiveChat[FakeSlack]) -> None:
    setup = on_slack
    tiny_id = setup.raise_alert("Queue stuck")
    assert eventually(lambda: len(setup.fake.cards(CHANNEL)) == 1, timeout=10)
    [card] = setup.fake.cards(CHANNEL)

    click = setup.fake.click(card, "Acknowledge", user="eve")

    assert "Only members of this alert's channel may use its buttons" in click.ephemeral_text
    assert not click.replaced and "Acknowledge" in card.buttons
    assert not alert(setup.db, tiny_id).acknowledged
    assert len(setup.fake.api_requests("conversations.members")) == 1


def test_slack_a_member_press_acts_and_the_card_is_updated_in_place(on_slack: LiveChat[FakeSlack]) -> None:
    setup = on_slack
    setup.fake.join(CHANNEL, "ann")
    tiny_id = setup.raise_alert("Queue stuck")
    assert eventually(lambda: len(setup.fake.cards(CHANNEL)) == 1, timeout=10)
    [card] = setup.fake.cards(CHANNEL)

    setup.fake.click(card, "Close", user="ann")

    assert alert(setup.db, tiny_id).status == "closed"
    assert eventually(lambda: len(card.edits) == 1 and len(setup.fake.thread(card)) == 1, timeout=10)
    assert card.buttons == [] and setup.fake.cards(CHANNEL) == [card]


def test_mattermost_a_press_mattermost_cannot_vouch_for_is_not_acted_on(
    on_mattermost: LiveChat[FakeMattermost],
) -> None:
    setup = on_mattermost
    setup.fake.join(CHANNEL, "ann")
    tiny_id = setup.raise_alert("Queue stuck")
    assert eventually(lambda: len(setup.fake.cards(CHANNEL)) == 1, timeout=10)
    [card] = setup.fake.cards(CHANNEL)
    setup.fake.down("503")

    click = setup.fake.click(card, "Close", user="ann")

    assert "Tocsin could not ask Mattermost whether you are a member of this alert's channel (HTTP 503" in (
        click.ephemeral_text
    )
    assert "nothing was done" in click.ephemeral_text and alert(setup.db, tiny_id).status == "open"
