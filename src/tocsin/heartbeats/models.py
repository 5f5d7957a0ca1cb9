"""Heartbeats and their state: when the last ping came and when silence turns into an alert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import JSONDocument

INTERVAL_UNITS = ("minutes", "hours", "days")


class Heartbeat(Base):
    __tablename__ = "heartbeat"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    interval: Mapped[int] = mapped_column(Integer)
    interval_unit: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="RESTRICT"), index=True
    )
    alert_message: Mapped[str] = mapped_column(String(130))
    alert_tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    alert_priority: Mapped[str] = mapped_column(String(2), default="P3")
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    """When silence becomes an alert; None while disabled."""
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_heartbeat_name_key", Heartbeat.name_key, unique=True)
keep_name_key(Heartbeat.name, Heartbeat.name_key)
