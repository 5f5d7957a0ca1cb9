"""In bot mode a button press is checked against the chat platform before it acts: the presser
must be a member of the integration's channel (Mattermost: the channel member API; Slack:
``conversations.members``). A card can be seen outside its channel (a permalink, a shared
message); only the channel's members may act through it. Without a bot (webhook mode) presses
are not checked this way. A card sent to one person as a direct message may be pressed by that
person only (their chat user id is signed into its buttons)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from tocsin.chat.platforms.bot_cards import BotApi
from tocsin.chat.platforms.mattermost_bot import MattermostBotApi
from tocsin.chat.platforms.slack_bot import SlackBotApi
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure, RetryLater, described
from tocsin.integrations.chat_bots import Bot, bot_of
from tocsin.integrations.models import Integration
from tocsin.integrations.webhook import Unreachable
from tocsin.outbound import OutboundPolicy

NOT_A_MEMBER = (
    "Only members of this alert's channel may use its buttons, and {platform} says you are not one; "
    "nothing was done. Ask to be added to the channel, or use /genie."
)
NOT_THE_RECIPIENT = (
    "This alert was sent to someone else directly; only they may use its buttons. "
    "Nothing was done: use /genie."
)


def api_for(bot: Bot, settings: Settings) -> BotApi:
    outbound = OutboundPolicy.from_settings(settings)
    return MattermostBotApi(outbound) if bot.kind == "Mattermost" else SlackBotApi(outbound)


async def refusal_of_press(
    db: Any, settings: Settings, *, integration_id: str, user_id: str, to: str = ""
) -> str | None:
    """Why the press of chat user ``user_id`` on a card of the integration is refused, or None to
    act on it. ``to``: the chat user a card sent directly is for."""
    if to:
        return None if user_id == to else NOT_THE_RECIPIENT

    def read() -> Bot | None:
        with db.read_session() as session:
            integration = session.get(Integration, integration_id)
            return None if integration is None else bot_of(integration, slack_api_url=settings.slack_api_url)

    bot = await run_in_threadpool(read)
    if bot is None:
        return None
    try:
        member = await api_for(bot, settings).is_member(bot, user_id)
    except (PermanentFailure, RetryLater, Unreachable) as error:
        return (
            f"Tocsin could not ask {bot.kind} whether you are a member of this alert's channel "
            f"({described(error)}); nothing was done. Try again, or use /genie."
        )
    return None if member else NOT_A_MEMBER.format(platform=bot.kind)
