"""Integrations: the named doors through which alerts come in (API, Heartbeat) and go out
(Webhook, and the chat platforms Mattermost, HipChat and Slack)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import JSONDocument

INTEGRATION_TYPES = ("API", "Webhook", "Heartbeat", "Mattermost", "HipChat", "Slack")


class Integration(Base):
    __tablename__ = "integration"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    type: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="RESTRICT"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    config: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """What the kind needs: a webhook's ``url`` and ``headers``, its ``customActions``; a chat
    kind's ``url`` (Mattermost's and Slack's incoming webhook, the HipChat server) and
    ``requireUserMatching``; Mattermost's ``commandTokenHash``; Slack's ``slackSigningSecret``;
    HipChat's ``hipchatInstallation`` (what the install callback gave)."""
    outgoing_actions: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    """The alert actions forwarded to the outgoing side ("Create", "Acknowledge", ...)."""
    outgoing_filter: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """Which alerts are forwarded: ``{"type": "match-all"}`` or conditions (tocsin.conditions)."""
    signing_salt: Mapped[str] = mapped_column(String(64), default="")
    """With the server's secret key, derives the secret that signs outgoing requests; a new salt
    rotates it. The secret itself is never stored."""


Index("uq_integration_name_key", Integration.name_key, unique=True)
keep_name_key(Integration.name, Integration.name_key)
