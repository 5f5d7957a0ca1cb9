"""Where each alert's live card is, per bot-mode chat integration: the post the card was posted
as (Mattermost's post id; Slack's channel and ``ts``), so later changes edit it in place and
follow-ups go into its thread. One card per integration and alert; it goes with either."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.db import Base, UTCDateTime


class ChatCard(Base):
    __tablename__ = "chat_card"

    integration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("integration.id", ondelete="CASCADE"), primary_key=True
    )
    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    channel_id: Mapped[str] = mapped_column(String(200))
    """The channel the card is in (Slack's ``chat.update`` needs its id)."""
    post_id: Mapped[str] = mapped_column(String(200))
    """Mattermost's post id; Slack's message ``ts``."""
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


def card_post(session: Session, integration_id: str, alert_id: str) -> ChatCard | None:
    return session.get(ChatCard, (integration_id, alert_id))


def remember_card_post(
    session: Session, *, integration_id: str, alert_id: str, channel_id: str, post_id: str, now: datetime
) -> None:
    """Record where the card was posted (a card posted again, after its channel changed,
    replaces the record)."""
    found = card_post(session, integration_id, alert_id)
    if found is None:
        session.add(
            ChatCard(
                integration_id=integration_id,
                alert_id=alert_id,
                channel_id=channel_id,
                post_id=post_id,
                posted_at=now,
            )
        )
    else:
        found.channel_id, found.post_id, found.posted_at = channel_id, post_id, now
    session.flush()


def card_posts_of(session: Session, alert_id: str) -> list[ChatCard]:
    return list(session.scalars(select(ChatCard).where(ChatCard.alert_id == alert_id)))
