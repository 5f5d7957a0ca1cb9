"""Chat account links (a chat user of a chat team <-> one Tocsin user) and the one-time tokens
of the connect and disconnect links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id


class ChatAccount(Base):
    """A chat user linked to a Tocsin user. Not tied to an integration: links outlive the
    integration they were made through."""

    __tablename__ = "chat_account"
    __table_args__ = (
        UniqueConstraint("platform", "chat_team_id", "chat_user_id", name="uq_chat_account_chat_user"),
        UniqueConstraint("user_id", "platform", "chat_team_id", name="uq_chat_account_user_team"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    """"Mattermost", "HipChat", "Slack"."""
    chat_team_id: Mapped[str] = mapped_column(String(200))
    chat_team_name: Mapped[str] = mapped_column(String(200), default="")
    chat_user_id: Mapped[str] = mapped_column(String(200))
    chat_user_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatLinkToken(Base):
    """A connect or disconnect link: one use, until ``expires_at``. Only its hash is stored."""

    __tablename__ = "chat_link_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    """"connect" or "disconnect"."""
    platform: Mapped[str] = mapped_column(String(32))
    chat_team_id: Mapped[str] = mapped_column(String(200))
    chat_team_name: Mapped[str] = mapped_column(String(200), default="")
    chat_user_id: Mapped[str] = mapped_column(String(200))
    chat_user_name: Mapped[str] = mapped_column(String(200), default="")
    integration_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChatReplayGuard(Base):
    """A chat request or button already seen, kept until it could no longer be accepted anyway:
    a signed request (Slack signature, HipChat JWT) is taken once; a button is bound to the first
    channel and post it was pressed from. Shared by every Tocsin node on the database."""

    __tablename__ = "chat_replay_guard"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    """What was seen (``<kind>:<sha256>``), never the secret itself."""
    bound_to: Mapped[str] = mapped_column(String(400), default="")
    """For a button, the channel and post it was first pressed from."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
