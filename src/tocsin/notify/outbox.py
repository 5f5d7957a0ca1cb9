"""The transactional outbox: messages written in the same transaction as the change that
causes them, and delivered later by the engine (never inside the request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin import clock
from tocsin.db import Base, UTCDateTime
from tocsin.types import AutoIncrementId, JSONDocument


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))
    """What kind of message: an alert event for the router ("alert.created"), or a delivery
    to the outside ("notify.email")."""
    destination: Mapped[str] = mapped_column(String(320), default="")
    """Where it goes, for people reading the outbox: an e-mail address, a URL, "router"."""
    alert_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, delivering (claimed by an engine until ``locked_until``), delivered, or dead."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")


def enqueue(session: Session, topic: str, payload: dict[str, Any], *, alert_id: str | None = None) -> None:
    now = clock.now()
    session.add(
        OutboxMessage(
            topic=topic,
            alert_id=alert_id,
            payload=payload,
            state="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            last_error="",
        )
    )
