from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import JSONDocument

ROTATION_TYPES = ("daily", "weekly", "hourly")


class Schedule(Base):
    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    owner_team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_schedule_name_key", Schedule.name_key, unique=True)
keep_name_key(Schedule.name, Schedule.name_key)


class Rotation(Base):
    """Participants taking turns: each period (``length`` hours, days or weeks from the hand-off
    time ``start_date``, counted in the schedule's time zone) the next one is on call."""

    __tablename__ = "rotation"
    __table_args__ = (Index("uq_rotation_schedule_id_name_key", "schedule_id", "name_key", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("schedule.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    """Unique within the schedule."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(16))
    length: Mapped[int] = mapped_column(Integer, default=1)
    start_date: Mapped[datetime] = mapped_column(UTCDateTime())
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_restriction: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """Opsgenie's shape: ``{"type": "time-of-day", "restriction": {...}}`` or
    ``{"type": "weekday-and-time-of-day", "restrictions": [...]}``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


keep_name_key(Rotation.name, Rotation.name_key)


class RotationParticipant(Base):
    __tablename__ = "rotation_participant"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rotation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("rotation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    """"user", or "none" for a gap in the rotation."""
    user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )


class ScheduleOverride(Base):
    """For a time range, a user is on call in place of whoever the rotations say."""

    __tablename__ = "schedule_override"
    __table_args__ = (UniqueConstraint("schedule_id", "alias"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("schedule.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[datetime] = mapped_column(UTCDateTime())
    end_date: Mapped[datetime] = mapped_column(UTCDateTime())
    rotation_ids: Mapped[list[str]] = mapped_column(JSONDocument)
    """The rotations it replaces; empty for all of them."""
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeed(Base):
    """A secret, revocable address where a calendar app reads a schedule's or a user's shifts."""

    __tablename__ = "calendar_feed"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    """"schedule" or "user"."""
    ref_id: Mapped[str] = mapped_column(String(36), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
