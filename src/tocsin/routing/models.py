from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, new_id
from tocsin.types import JSONDocument


class RoutingRule(Base):
    """One of a team's ordered routing rules. The team's default rule (``is_default``, always
    last, its id the team's id) is stored only once it has been changed."""

    __tablename__ = "routing_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(String(36), ForeignKey("team.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    time_restriction: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    notify_type: Mapped[str] = mapped_column(String(16))
    """escalation, schedule, none, or team-default (the team's default escalation, or all its
    members when it has none: what a team with no routing rules does)."""
    notify_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
