"""Bot mode on a saved Mattermost or Slack integration's edit page: turned on, its channel moved
with the token kept (it is never written back into the page), a bad value shown next to its
field with nothing changed, and turned off again (back to the incoming webhook)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.pages import log_in
from tests.web.test_integration_bot_form import MM_CHANNEL, MM_TOKEN, SERVER, SLACK_TOKEN
from tests.web.test_integration_edit import add, edit_fields, only
from tests.web.test_integration_edit import ops as ops  # fixture: team ops, and admin
from tests.web.test_integration_edit import settings as settings  # fixture: loopback allowed
from tests.web.test_integration_pages import HOOK, SLACK_HOOK, SLACK_SECRET
from tocsin.integrations import configuration
from tocsin.integrations.chat_bots import bot_of

OTHER_CHANNEL = "8zq4m1k5r7c9e3t6y2u0i4o8pa"


def _edit(http: TestClient, integration_id: str, **changed: str):
    _, fields = edit_fields(http, integration_id)
    return http.post(f"/settings/integrations/{integration_id}/edit", data=fields | changed)


def test_bot_mode_is_turned_on_moved_and_stopped_from_the_edit_page(http: TestClient, db, ops) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")

    started = _edit(http, chat_id, server_url=SERVER, bot_token=MM_TOKEN, bot_channel=MM_CHANNEL)
    assert started.status_code == 303, started.text
    bot = bot_of(only(db))
    assert bot is not None and (bot.server_url, bot.token, bot.channel) == (SERVER, MM_TOKEN, MM_CHANNEL)

    page, _ = edit_fields(http, chat_id)
    assert "<legend>Bot mode (on)</legend>" in page and MM_TOKEN not in page
    assert f'value="{MM_CHANNEL}"' in page and "Stop bot mode" in page

    moved = _edit(http, chat_id, bot_channel=OTHER_CHANNEL)  # the token left empty: kept
    assert moved.status_code == 303, moved.text
    bot = bot_of(only(db))
    assert bot is not None and (bot.token, bot.channel) == (MM_TOKEN, OTHER_CHANNEL)

    stopped = _edit(http, chat_id, stop_bot="on")
    assert stopped.status_code == 303, stopped.text
    assert bot_of(only(db)) is None and configuration.url_of(only(db)) == HOOK


def test_a_bad_bot_value_is_shown_next_to_its_field_and_nothing_changes(http: TestClient, db, ops) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    _edit(http, chat_id, server_url=SERVER, bot_token=MM_TOKEN, bot_channel=MM_CHANNEL)

    bad = _edit(http, chat_id, bot_channel="ops-alerts")

    assert bad.status_code == 422
    assert (
        '<p class="error" id="bot_channel-error" role="alert">the channel id is the 26-character ID'
        in bad.text
    )
    assert MM_TOKEN not in bad.text
    bot = bot_of(only(db))
    assert bot is not None and bot.channel == MM_CHANNEL


def test_a_channel_without_a_token_asks_for_the_token(http: TestClient, db, ops) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")

    refused = _edit(http, chat_id, server_url=SERVER, bot_channel=MM_CHANNEL)

    assert refused.status_code == 422
    assert 'id="bot_token-error" role="alert">give the bot token too' in refused.text
    assert bot_of(only(db)) is None


def test_a_slack_integration_takes_a_bot_from_its_edit_page(http: TestClient, db, ops) -> None:
    slack_id = add(db, "Slack", "slack", url=SLACK_HOOK, slack_signing_secret=SLACK_SECRET)
    log_in(http, "admin@example.com")
    page, _ = edit_fields(http, slack_id)
    assert 'name="server_url"' not in page  # Slack's bot calls Slack's Web API

    saved = _edit(http, slack_id, bot_token=SLACK_TOKEN, bot_channel="C0123456789")

    assert saved.status_code == 303, saved.text
    bot = bot_of(only(db))
    assert bot is not None and (bot.token, bot.channel) == (SLACK_TOKEN, "C0123456789")
