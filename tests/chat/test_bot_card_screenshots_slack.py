"""A bot's card in a Slack channel as a person reads it, in Debian's Chromium: before the alert
is acknowledged and after (the same message, updated; who acted is in its thread). Also takes
the screenshots the docs show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.card_screens import show
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
    from playwright.sync_api import Page, expect

    alert_id = alerts.create("Disk full on db-1")
    engine.tick()
    before = channel_page(fake_slack)
    alerts.act(actions.acknowledge, alert_id, via="Slack")
    engine.tick()
    after = channel_page(fake_slack)

    def open_card(page: Page) -> None:
        card = page.locator(".attachment")
        expect(card.locator(".title")).to_have_text("#1 Disk full on db-1")
        expect(card.get_by_role("button")).to_have_text(["Acknowledge", "Close", "Take ownership"])

    def acknowledged_card(page: Page) -> None:
        card = page.locator(".attachment")
        expect(card).to_have_count(1)  # the same message, updated
        expect(card.get_by_role("button")).to_have_text(["Close", "Take ownership"])
        expect(card.locator(".field", has_text="Status")).to_contain_text("Acknowledged by ann@example.com")
        expect(page.locator(".thread")).to_contain_text("acknowledged by ann@example.com via Slack")
        expect(page.locator(".edited")).to_have_count(1)

    show(
        [
            ("slack-bot-card-open", before, open_card),
            ("slack-bot-card-acknowledged", after, acknowledged_card),
        ],
        tmp_path,
    )
