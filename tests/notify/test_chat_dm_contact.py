"""Direct messages on Mattermost and Slack as a contact method, with Tocsin served for real beside
a fake chat server: a notification rule with a ``mattermost`` (or ``slack``) contact sends the
person's linked chat account the alert's card through the bot of a bot-mode integration, its
Acknowledge acts as that person, and only they may press it. A person with no linked account
of the platform cannot add the contact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from tests.accounts.people import Client
from tests.chat import bot_chats, live
from tests.chat.conftest import alert, log_of
from tests.chat.live import CHANNEL, LiveChat, eventually, live_chat
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.slack import FakeSlack
from tests.support.factories import make_user
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.chat import linking
from tocsin.chat.requests import ChatIdentity
from tocsin.integrations.chat_bots import BotChanges
from tocsin.integrations.configuration import Changes
from tocsin.notify import contact_trial, contacts, rules

frozen = live.frozen
on_mattermost, on_slack = bot_chats.on_mattermost, bot_chats.on_slack
ANN = "ann@example.com"


def link_and_page_by(chat: LiveChat[Any], identity: ChatIdentity, method: str) -> None:
    """Ann, her chat account linked, and her rule for new alerts: a direct message there."""
    make_user(chat.db, ANN)
    with chat.db.write_session() as session:
        token = linking.issue_link(session, identity=identity, purpose="connect")
    with chat.db.write_session() as session:
        ann = accounts.get_user(session, ANN)
        linking.approve(session, token=token, user=ann)
        contact = contacts.add_contact(
            session, actor=SYSTEM, user=ann, method=method, to=f"@{identity.user_name}"
        )
        assert contact.address == identity.user_id
        rules.create_rule(
            session,
            actor=SYSTEM,
            user=ann,
            name="Chat",
            action_type="create-alert",
            steps=[rules.StepSpec(method=method, to=identity.user_name)],  # by name, as added
        )


def page_ann(chat: LiveChat[Any], message: str) -> int:
    answer = httpx.post(
        f"{chat.server.url}/v2/alerts",
        json={"message": message, "priority": "P1", "responders": [{"type": "user", "username": ANN}]},
        headers={"Authorization": f"GenieKey {chat.api_key}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    with chat.db.read_session() as session:
        return int(session.scalar(select(Alert.tiny_id).order_by(Alert.tiny_id.desc()).limit(1)))


def test_mattermost_a_rule_sends_the_card_to_the_linked_user_and_acknowledge_acts_as_them(
    on_mattermost: LiveChat[FakeMattermost],
) -> None:
    chat = on_mattermost
    ann = chat.fake.user("ann")
    link_and_page_by(chat, chat.fake.identity("ann"), "mattermost")

    tiny_id = page_ann(chat, "Queue stuck")

    assert eventually(lambda: len(direct_cards(chat.fake)) == 1, timeout=10), log_of(chat.db, tiny_id)
    [card] = direct_cards(chat.fake)
    assert chat.fake.world.channel_by_id(card.channel_id).team is None  # a direct channel
    assert {"Acknowledge", "Close"} <= set(card.buttons)
    [opened] = chat.fake.api_requests("POST", "/channels/direct")
    assert ann.id in opened.body.decode()
    notified = f"Notified @ann ({ann.id}) by a Mattermost direct message (a responder)"
    assert eventually(lambda: notified in log_of(chat.db, tiny_id), timeout=5), log_of(chat.db, tiny_id)

    stranger = chat.fake.click(card, "Acknowledge", user="eve")
    assert "sent to someone else directly" in stranger.ephemeral_text
    assert not alert(chat.db, tiny_id).acknowledged

    click = chat.fake.click(card, "Acknowledge", user="ann")

    assert click.error is None, click.detail
    acknowledged = alert(chat.db, tiny_id)
    assert acknowledged.acknowledged and acknowledged.acknowledged_by == ANN


def direct_cards(fake: FakeMattermost) -> list[Any]:
    return [post for post in fake.cards() if fake.world.channel_by_id(post.channel_id).team is None]


def test_mattermost_without_a_bot_integration_the_failure_is_on_the_alert(
    database_url: str, tmp_path: Path, frozen: clock.FrozenClock
) -> None:
    with live_chat(database_url, tmp_path, FakeMattermost()) as chat:
        link_and_page_by(chat, chat.fake.identity("ann"), "mattermost")
        tiny_id = page_ann(chat, "Queue stuck")
        ann = chat.fake.user("ann")
        failed = (
            f"Mattermost direct message to @ann ({ann.id}) failed: no enabled Mattermost integration "
            "is in bot mode; give one a bot token to send direct messages"
        )
        assert eventually(lambda: any(failed in line for line in log_of(chat.db, tiny_id)), timeout=10)


def test_mattermost_a_test_notification_is_a_line_in_the_direct_channel(
    on_mattermost: LiveChat[FakeMattermost],
) -> None:
    chat = on_mattermost
    link_and_page_by(chat, chat.fake.identity("ann"), "mattermost")
    with chat.db.write_session() as session:
        ann = accounts.get_user(session, ANN)
        [contact] = [
            c for c in contacts.list_contacts(session, actor=SYSTEM, user=ann) if c.method == "mattermost"
        ]
        contact_trial.send_test_notification(
            session,
            actor=SYSTEM,
            user=ann,
            contact_id=contact.id,
            available=contact_trial.testable_methods(chat.settings),
        )

    assert eventually(lambda: len(direct_cards(chat.fake)) == 1, timeout=10)
    [sent] = direct_cards(chat.fake)
    assert sent.text.startswith("A test notification from Tocsin, sent by ")


def test_mattermost_an_account_unlinked_since_is_not_sent_to(on_mattermost: LiveChat[FakeMattermost]) -> None:
    chat = on_mattermost
    link_and_page_by(chat, chat.fake.identity("ann"), "mattermost")
    with chat.db.write_session() as session:
        ann = accounts.get_user(session, ANN)
        [account] = linking.accounts_of(session, ann.id)
        linking.revoke(session, user=ann, account_id=account.id)

    tiny_id = page_ann(chat, "Queue stuck")

    unlinked = f"the Mattermost account {chat.fake.user('ann').id} is no longer linked to {ANN}"
    assert eventually(lambda: any(unlinked in line for line in log_of(chat.db, tiny_id)), timeout=10)
    assert not direct_cards(chat.fake)


def test_mattermost_refusing_the_bot_is_on_the_alert_with_what_to_do(
    database_url: str, tmp_path: Path, frozen: clock.FrozenClock
) -> None:
    with live_chat(database_url, tmp_path, FakeMattermost()) as chat:
        fake = chat.fake
        token = fake.new_bot(channels=(CHANNEL,))
        bot = BotChanges(server_url=fake.base_url, token=token, channel_id=fake.channel(CHANNEL).id)
        chat.add_integration("Mattermost", Changes(bot=bot, command_token=fake.command_token))
        fake.revoke(token)
        link_and_page_by(chat, fake.identity("ann"), "mattermost")

        tiny_id = page_ann(chat, "Queue stuck")

        failed = f"Mattermost direct message to @ann ({fake.user('ann').id}) failed: HTTP 401"
        assert eventually(lambda: any(failed in line for line in log_of(chat.db, tiny_id)), timeout=10)
        [line] = [line for line in log_of(chat.db, tiny_id) if failed in line]
        assert "the bot token is wrong or was revoked" in line
        assert not direct_cards(fake)


def test_slack_a_rule_sends_the_card_to_the_linked_user_and_acknowledge_acts_as_them(
    on_slack: LiveChat[FakeSlack],
) -> None:
    chat = on_slack
    ann = chat.fake.user("ann")
    link_and_page_by(chat, chat.fake.identity("ann"), "slack")

    tiny_id = page_ann(chat, "Queue stuck")

    assert eventually(lambda: len(slack_direct_cards(chat.fake)) == 1, timeout=10), log_of(chat.db, tiny_id)
    [card] = slack_direct_cards(chat.fake)
    assert {"Acknowledge", "Close"} <= set(card.buttons)
    [opened] = chat.fake.api_requests("conversations.open")
    assert ann.id in opened.body.decode()

    click = chat.fake.click(card, "Acknowledge", user="ann")

    assert click.error is None, click.detail
    assert eventually(lambda: alert(chat.db, tiny_id).acknowledged, timeout=5)
    assert alert(chat.db, tiny_id).acknowledged_by == ANN


def slack_direct_cards(fake: FakeSlack) -> list[Any]:
    return [message for message in fake.cards(None) if message.channel.startswith("dm-")]


def test_a_person_with_no_linked_account_is_told_to_connect_first(api: Client, cast: dict[str, str]) -> None:
    for method, platform in (("mattermost", "Mattermost"), ("slack", "Slack")):
        added = api.post(f"/v2/users/{ANN}/contacts", json={"method": method, "to": "ann"})

        assert added.status_code == 422, added.text
        assert f"no linked {platform} account: run /genie connect" in added.text
