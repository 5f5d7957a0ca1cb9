"""Bot mode from the command line: ``tocsin integration create|update`` with ``--server-url``,
``--bot-token`` and ``--bot-channel``; ``show`` says where the bot posts, never its token."""

from __future__ import annotations

from tests.test_cli import Tocsin
from tocsin.integrations import service as integrations
from tocsin.integrations.chat_bots import bot_of

TOKEN = "9xuqwrwgstrb3mzrxb83nb357a"
CHANNEL = "4xp9fdt77pncbef59f4k1qe83o"


def test_a_mattermost_bot_is_set_up_shown_without_its_token_and_turned_off(tocsin: Tocsin, db) -> None:
    chat = Tocsin({**tocsin.environment, "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8"})
    chat.ok("integration", "create", "--type", "mattermost", "--name", "ops-chat", "--server-url",
            "https://10.1.2.3", "--bot-token", TOKEN, "--bot-channel", CHANNEL)  # fmt: skip

    with db.read_session() as session:
        bot = bot_of(integrations.find_integration(session, name="ops-chat"))
        assert bot is not None and (bot.server_url, bot.token, bot.channel) == (
            "https://10.1.2.3",
            TOKEN,
            CHANNEL,
        )
    shown = chat.ok("integration", "show", "ops-chat")
    assert f"Bot mode: on, in channel {CHANNEL} on https://10.1.2.3" in shown and "Bot token: set" in shown
    assert TOKEN not in "\n".join(shown)

    bad = chat("integration", "update", "ops-chat", "--bot-channel", "ops-alerts")
    assert bad.returncode == 1 and bad.stderr.startswith("error: the channel id is the 26-character ID")
    off = chat("integration", "update", "ops-chat", "--bot-token", "")
    assert off.returncode == 1 and "Mattermost URL" in off.stderr  # no webhook to go back to


def test_bot_options_are_for_mattermost_and_slack_only(tocsin: Tocsin) -> None:
    refused = tocsin("integration", "create", "--type", "webhook", "--name", "hook", "--webhook-url",
                     "https://example.com/hook", "--bot-token", TOKEN)  # fmt: skip
    assert refused.returncode == 1
    assert (
        refused.stderr.strip() == "error: --bot-token is for Mattermost and Slack integrations, not Webhook"
    )
    slack = tocsin(
        "integration", "create", "--type", "slack", "--name", "s", "--server-url", "https://x.example"
    )
    assert slack.returncode == 1 and "--server-url is for Mattermost integrations, not Slack" in slack.stderr
