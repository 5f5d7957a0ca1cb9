"""Tocsin served for real beside a fake Mattermost or Slack, with one bot-mode integration whose
bot is a member of the channel ``CHANNEL``: the ``on_mattermost`` and ``on_slack`` fixtures that
bot-mode tests share (a module takes them by naming them at its top level)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat.live import CHANNEL, LiveChat, live_chat
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.slack import FakeSlack
from tocsin import clock
from tocsin.integrations.chat_bots import BotChanges
from tocsin.integrations.configuration import Changes


@pytest.fixture
def on_mattermost(
    database_url: str, tmp_path: Path, frozen: clock.FrozenClock
) -> Iterator[LiveChat[FakeMattermost]]:
    with live_chat(database_url, tmp_path, FakeMattermost()) as chat:
        fake = chat.fake
        bot = BotChanges(
            server_url=fake.base_url,
            token=fake.new_bot(channels=(CHANNEL,)),
            channel_id=fake.channel(CHANNEL).id,
        )
        chat.add_integration("Mattermost", Changes(bot=bot, command_token=fake.command_token))
        yield chat


@pytest.fixture
def on_slack(database_url: str, tmp_path: Path, frozen: clock.FrozenClock) -> Iterator[LiveChat[FakeSlack]]:
    fake = FakeSlack()
    with live_chat(database_url, tmp_path, fake, lambda started: {"slack_api_url": started.api_url}) as chat:
        bot = BotChanges(token=fake.new_bot(channels=(CHANNEL,)), channel=fake.channel_id(CHANNEL))
        changes = Changes(bot=bot, slack_signing_secret=fake.signing_secret)
        fake.interactivity_url = chat.add_integration("Slack", changes, name="ops-slack")
        yield chat
