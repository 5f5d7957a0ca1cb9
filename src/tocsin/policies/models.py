"""Policies, global or per team, in order. ``type`` is "alert" (modifies an incoming alert) or
"notification" (suppresses, delays or auto-closes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id, partial_index
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import JSONDocument

POLICY_TYPES = ("alert", "notification")


class Policy(Base):
    __tablename__ = "policy"
    __table_args__ = (
        # Names are unique within a scope (global, or one team) across both types. Two partial
        # indexes, because a unique index sees every NULL team_id as different.
        partial_index("uq_policy_global_name_key", "name_key", where="team_id IS NULL", unique=True),
        partial_index(
            "uq_policy_team_id_name_key", "team_id", "name_key", where="team_id IS NOT NULL", unique=True
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    type: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    """None for a global policy; global policies apply before team policies."""
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filter: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    time_restrictions: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    body: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """What the policy does, in its Opsgenie v2 shape (alert fields and ``continue``; or
    ``suppress``, ``delayAction``, ``autoCloseAction``)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


keep_name_key(Policy.name, Policy.name_key)
