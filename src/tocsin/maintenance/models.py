"""Maintenance windows and the integrations and policies they switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id

ENTITY_TYPES = ("integration", "policy")
RULE_STATES = ("disabled", "enabled")


class Maintenance(Base):
    __tablename__ = "maintenance"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    description: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    """None: until cancelled ("indefinitely")."""
    time_type: Mapped[str] = mapped_column(String(32))
    """As asked: for-5-minutes, for-30-minutes, for-1-hour, indefinitely or schedule."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MaintenanceRule(Base):
    __tablename__ = "maintenance_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    maintenance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("maintenance.id", ondelete="CASCADE"), index=True
    )
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    state: Mapped[str] = mapped_column(String(16), default="disabled")
