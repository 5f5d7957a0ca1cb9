from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime


class EngineLease(Base):
    """Who runs a job that only one engine may run at a time, and until when (renewed each tick)."""

    __tablename__ = "engine_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EngineTick(Base):
    """When each running engine last finished a tick's start: what readiness and the watchdog read
    to tell that deliveries and escalations still run. An engine that stops removes its row."""

    __tablename__ = "engine_tick"

    holder: Mapped[str] = mapped_column(String(200), primary_key=True)
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime())
