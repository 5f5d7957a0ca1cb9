"""Bot mode on the add form of a Mattermost or Slack integration: the server URL, bot token and
channel are taken with the rest, the token is never written back into a page, and what is wrong
is shown next to its field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.pages import log_in
from tests.web.test_integration_pages import SLACK_SECRET, all_integrations, open_chat_form
from tests.web.test_integration_pages import ops as ops  # fixture: team ops, and admin
from tests.web.test_integration_pages import settings as settings  # fixture: loopback allowed
from tocsin.integrations.chat_bots import bot_of

SERVER = "http://127.0.0.1:8065"
MM_TOKEN = "9xuqwrwgstrb3mzrxb83nb357a"
MM_CHANNEL = "4xp9fdt77pncbef59f4k1qe83o"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"


def test_a_mattermost_bot_is_added_without_a_webhook_and_its_token_is_not_shown(http: TestClient, db, ops):
    log_in(http, "admin@example.com")
    page, fields, _ = open_chat_form(http, "Mattermost")
    assert "<legend>Bot mode (optional)</legend>" in page and 'name="server_url"' in page

    response = http.post(
        "/settings/integrations/new",
        data=fields
        | {"name": "mm-bot", "server_url": SERVER, "bot_token": MM_TOKEN, "bot_channel": MM_CHANNEL},
    )

    assert response.status_code == 303, response.text
    [saved] = all_integrations(db)
    bot = bot_of(saved)
    assert bot is not None and (bot.server_url, bot.token, bot.channel) == (SERVER, MM_TOKEN, MM_CHANNEL)
    shown = http.get(response.headers["location"]).text
    assert "<dt>Bot token</dt><dd>set</dd>" in shown and MM_TOKEN not in shown
    assert f"channel {MM_CHANNEL} on {SERVER}" in shown


def test_a_bad_bot_setting_is_shown_next_to_its_field_and_nothing_is_stored(http: TestClient, db, ops):
    log_in(http, "admin@example.com")
    _, fields, _ = open_chat_form(http, "Mattermost")

    bad_channel = http.post(
        "/settings/integrations/new",
        data=fields
        | {"name": "mm-bot", "server_url": SERVER, "bot_token": MM_TOKEN, "bot_channel": "ops-alerts"},
    )
    assert bad_channel.status_code == 422
    assert (
        '<p class="error" id="bot_channel-error" role="alert">the channel id is the 26-character ID'
        in bad_channel.text
    )
    assert MM_TOKEN not in bad_channel.text

    private = http.post(
        "/settings/integrations/new",
        data=fields
        | {
            "name": "mm-bot",
            "server_url": "https://10.1.2.3",
            "bot_token": MM_TOKEN,
            "bot_channel": MM_CHANNEL,
        },
    )
    assert (
        private.status_code == 422 and 'id="server_url-error" role="alert">https://10.1.2.3' in private.text
    )
    assert all_integrations(db) == []


def test_a_slack_bot_is_added_with_its_channel(http: TestClient, db, ops):
    log_in(http, "admin@example.com")
    page, fields, _ = open_chat_form(http, "Slack")
    assert 'name="server_url"' not in page

    response = http.post(
        "/settings/integrations/new",
        data=fields
        | {
            "name": "slack-bot",
            "slack_signing_secret": SLACK_SECRET,
            "bot_token": SLACK_TOKEN,
            "bot_channel": "C0123456789",
        },
    )

    assert response.status_code == 303, response.text
    [saved] = all_integrations(db)
    bot = bot_of(saved)
    assert bot is not None and (bot.token, bot.channel) == (SLACK_TOKEN, "C0123456789")
