"""A bot's card in a Slack channel as a person reads it, in Debian's Chromium: before the alert
is acknowledged and after (the same message, updated; who acted is in its thread). Also takes
the screenshots the docs show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.card_screens import acknowledged_by_ann, an_open_card, show
from tests.chat.test_bot_mode_slack import bot_integration as bot_integration
from tests.chat.test_bot_mode_slack import fake_slack as fake_slack
from tests.chat.test_bot_mode_slack import settings as settings
from tests.chat.test_bot_mode_slack import token as token
from tests.chat.test_mattermost_delivery import alerts as alerts
from tests.fakes.slack_view import channel_page
from tests.integrations.conftest import engine as engine
from tocsin.alerts import actions

pytestmark = pytest.mark.browser


def test_the_card_before_and_after_acknowledgement(
    alerts, bot_integration, fake_slack, engine, tmp_path: Path
) -> None:
    alert_id = alerts.create("Disk full on db-1")
    engine.tick()
    before = channel_page(fake_slack)
    alerts.act(actions.acknowledge, alert_id, via="Slack")
    engine.tick()
    after = channel_page(fake_slack)

    show(
        [
            ("slack-bot-card-open", before, an_open_card),
            ("slack-bot-card-acknowledged", after, acknowledged_by_ann("Slack")),
        ],
        tmp_path,
    )
