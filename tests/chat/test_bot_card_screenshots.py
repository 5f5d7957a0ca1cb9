"""A bot's card in a Mattermost channel as a person reads it, in Debian's Chromium: before the
alert is acknowledged (Acknowledge, Close and Take ownership buttons) and after (the same post,
edited: the status names who acknowledged, the Acknowledge button is gone, who acted is in its
thread). Also takes the screenshots the docs show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.card_screens import acknowledged_by_ann, an_open_card, show
from tests.chat.test_bot_mode_mattermost import CHANNEL
from tests.chat.test_bot_mode_mattermost import bot_integration as bot_integration
from tests.chat.test_bot_mode_mattermost import fake_mattermost as fake_mattermost
from tests.chat.test_bot_mode_mattermost import token as token
from tests.chat.test_mattermost_delivery import alerts as alerts
from tests.fakes.mattermost_view import channel_page
from tests.integrations.conftest import engine as engine
from tests.integrations.conftest import settings as settings
from tocsin.alerts import actions

pytestmark = pytest.mark.browser


def test_the_card_before_and_after_acknowledgement(
    alerts, bot_integration, fake_mattermost, engine, tmp_path: Path
) -> None:
    alert_id = alerts.create("Disk full on db-1")
    engine.tick()
    before = channel_page(fake_mattermost, CHANNEL)
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    after = channel_page(fake_mattermost, CHANNEL)

    show(
        [
            ("mattermost-bot-card-open", before, an_open_card),
            ("mattermost-bot-card-acknowledged", after, acknowledged_by_ann("Mattermost")),
        ],
        tmp_path,
    )
