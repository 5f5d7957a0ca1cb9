"""Setting up bot mode through /v2/integrations: Mattermost's serverUrl, botToken and channelId,
Slack's botToken and channel; the token is taken and never shown back (only whether it is set);
what is missing or malformed is refused saying what to give; an empty botToken goes back to the
incoming webhook."""

from __future__ import annotations

from typing import Any

from tests.integrations.test_api_slack_hipchat import SLACK_SECRET
from tests.integrations.test_mattermost_setup import refused, stored
from tocsin.integrations.chat_bots import bot_of

SERVER = "http://127.0.0.1:8065"
MM_TOKEN = "9xuqwrwgstrb3mzrxb83nb357a"
MM_CHANNEL = "4xp9fdt77pncbef59f4k1qe83o"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_CHANNEL = "C0123456789"


def mattermost_bot(**fields: Any) -> dict[str, Any]:
    return {
        "name": "MM bot",
        "type": "Mattermost",
        "serverUrl": SERVER,
        "botToken": MM_TOKEN,
        "channelId": MM_CHANNEL,
        **fields,
    }


def slack_bot(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Slack bot",
        "type": "Slack",
        "slackSigningSecret": SLACK_SECRET,
        "botToken": SLACK_TOKEN,
        "channel": SLACK_CHANNEL,
        **fields,
    }


def test_a_mattermost_bot_needs_no_webhook_and_its_token_is_never_shown(api, create_integration, db):
    created = create_integration(mattermost_bot())

    assert created["botTokenSet"] is True
    assert (created["serverUrl"], created["channelId"]) == (SERVER, MM_CHANNEL)
    read = api.get(f"/v2/integrations/{created['id']}")
    for answer in (str(created), read.text, api.get("/v2/integrations").text):
        assert MM_TOKEN not in answer
    bot = bot_of(stored(db, created["id"]))
    assert bot is not None and (bot.server_url, bot.token, bot.channel) == (SERVER, MM_TOKEN, MM_CHANNEL)


def test_a_slack_bot_takes_its_token_and_channel(api, create_integration, db):
    created = create_integration(slack_bot())

    assert created["botTokenSet"] is True and created["channel"] == SLACK_CHANNEL
    assert SLACK_TOKEN not in api.get(f"/v2/integrations/{created['id']}").text
    bot = bot_of(stored(db, created["id"]), slack_api_url="https://slack.example/api")
    assert bot is not None and (bot.server_url, bot.token) == ("https://slack.example/api", SLACK_TOKEN)


def test_missing_or_malformed_bot_settings_are_refused_saying_what_to_give(api):
    assert "serverUrl" in refused(api, mattermost_bot(serverUrl=None))
    assert "channelId" in refused(api, mattermost_bot(channelId=None))
    assert "Bot Accounts" in refused(api, mattermost_bot(botToken="not a token"))
    assert "View Info" in refused(api, mattermost_bot(channelId="ops-alerts"))
    assert "xoxb-" in refused(api, slack_bot(botToken="xoxp-user-token-123456"))
    assert "not its name" in refused(api, slack_bot(channel="#ops-alerts"))
    assert "bot token" in refused(api, slack_bot(botToken=None))
    assert "channelId" in refused(api, slack_bot(channelId=MM_CHANNEL, channel=None))
    assert "no serverUrl" in refused(api, slack_bot(serverUrl=SERVER))
    assert "no bot mode" in refused(
        api, {"name": "hook", "type": "Webhook", "url": SERVER, "botToken": MM_TOKEN}
    )
    assert "10.1.2.3" in refused(api, mattermost_bot(serverUrl="http://10.1.2.3:8065"))
    assert "http:// or https://" in refused(api, mattermost_bot(serverUrl="ftp://mattermost.example"))


def test_a_mattermost_integration_without_webhook_or_bot_is_told_it_needs_one(api):
    message = refused(api, {"name": "MM", "type": "Mattermost"})
    assert "Mattermost URL" in message


def test_an_empty_bot_token_goes_back_to_the_incoming_webhook_and_a_patch_keeps_the_token(
    api, create_integration, db
):
    created = create_integration(mattermost_bot(url=f"{SERVER}/hooks/xb8sj1ka6py3dmqbg6gm4kzhnr"))
    moved = api.patch(f"/v2/integrations/{created['id']}", json={"channelId": "a" * 26})
    assert moved.status_code == 200, moved.text
    bot = bot_of(stored(db, created["id"]))
    assert bot is not None and (bot.token, bot.channel) == (MM_TOKEN, "a" * 26)

    off = api.patch(f"/v2/integrations/{created['id']}", json={"botToken": ""})
    assert off.status_code == 200, off.text
    assert off.json()["data"]["botTokenSet"] is False and "channelId" not in off.json()["data"]
    assert bot_of(stored(db, created["id"])) is None


def test_turning_the_bot_off_needs_the_webhook_url(api, create_integration):
    created = create_integration(mattermost_bot())
    off = api.patch(f"/v2/integrations/{created['id']}", json={"botToken": ""})
    assert off.status_code == 422 and "Mattermost URL" in off.json()["message"]
