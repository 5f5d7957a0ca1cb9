"""The chat posts about one alert, per chat integration, as its page lists them: the live card a
bot-mode integration keeps (with a link to it where the platform has permalinks: Mattermost's
``/_redirect/pl/<post id>`` opens the post in whichever team holds it), or the posts an
incoming webhook made, with how many there were and how the last one went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.chat.card_posts import card_posts_of
from tocsin.integrations.chat_bots import bot_of
from tocsin.integrations.models import Integration
from tocsin.integrations.outgoing import SENDERS
from tocsin.notify.outbox import OutboxMessage

CHAT_TOPICS = {topic: kind for kind, topic in SENDERS.items() if kind in ("Mattermost", "Slack", "HipChat")}


@dataclass(frozen=True)
class ChatPost:
    integration: str
    platform: str
    channel: str
    """The channel's id, for a bot's card; "" when the incoming webhook picks it."""
    link: str
    """The post's permalink, or "" when none can be formed."""
    posts: int
    """How many posts went (or wait to go) through the integration about this alert."""
    last_at: datetime | None
    last_outcome: str
    """delivered, failed, waiting or sending: how the last of them went."""


def chat_posts_of(session: Session, alert_id: str) -> list[ChatPost]:
    cards = {card.integration_id: card for card in card_posts_of(session, alert_id)}
    sent = session.execute(
        select(
            OutboxMessage.payload,
            OutboxMessage.state,
            OutboxMessage.created_at,
            OutboxMessage.delivered_at,
        )
        .where(OutboxMessage.alert_id == alert_id, OutboxMessage.topic.in_(sorted(CHAT_TOPICS)))
        .order_by(OutboxMessage.id)
    ).all()
    counts: dict[str, int] = {}
    last: dict[str, tuple[str, datetime]] = {}
    for payload, state, created_at, delivered_at in sent:
        integration_id = str(payload.get("integrationId", ""))
        counts[integration_id] = counts.get(integration_id, 0) + 1
        last[integration_id] = (_outcome(state), delivered_at or created_at)
    wanted = sorted(set(cards) | set(counts))
    integrations = {
        integration.id: integration
        for integration in session.scalars(select(Integration).where(Integration.id.in_(wanted)))
    }
    posts = []
    for integration_id in wanted:
        integration = integrations.get(integration_id)
        if integration is None:
            continue  # the integration was deleted (its card went with it)
        card = cards.get(integration_id)
        outcome, at = last.get(integration_id, ("delivered", card.posted_at if card else None))
        posts.append(
            ChatPost(
                integration=integration.name,
                platform=integration.type,
                channel=card.channel_id if card else "",
                link=_permalink(integration, card.post_id) if card else "",
                posts=max(counts.get(integration_id, 0), 1 if card else 0),
                last_at=at,
                last_outcome=outcome,
            )
        )
    return sorted(posts, key=lambda post: post.integration.lower())


def _permalink(integration: Integration, post_id: str) -> str:
    bot = bot_of(integration)
    if bot is None or integration.type != "Mattermost" or not bot.server_url:
        return ""
    return f"{bot.server_url}/_redirect/pl/{post_id}"


def _outcome(state: str) -> str:
    return {"dead": "failed", "pending": "waiting", "delivering": "sending"}.get(state, state)
