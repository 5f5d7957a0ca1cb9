from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import AutoIncrementId, JSONDocument

CONDITIONS = ("if-not-acked", "if-not-closed")
RECIPIENT_TYPES = ("user", "team", "schedule")
NOTIFY_TYPES = ("default", "next", "previous", "users", "admins")


class EscalationPolicy(Base):
    __tablename__ = "escalation_policy"
    __table_args__ = (
        # A team has at most one default escalation: the one its alerts follow.
        Index(
            "uq_escalation_policy_team_default",
            "owner_team_id",
            unique=True,
            sqlite_where=text("is_team_default"),
            postgresql_where=text("is_team_default"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    is_team_default: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_wait_minutes: Mapped[int | None] = mapped_column(Integer)
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)
    repeat_reset_recipient_states: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_close_alert_after_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_escalation_policy_name_key", EscalationPolicy.name_key, unique=True)
keep_name_key(EscalationPolicy.name, EscalationPolicy.name_key)


class EscalationRule(Base):
    """After ``delay_minutes``, if the condition still holds, notify the recipient."""

    __tablename__ = "escalation_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    policy_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("escalation_policy.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(16))
    notify_type: Mapped[str] = mapped_column(String(16), default="default")
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    recipient_type: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str] = mapped_column(String(36))


class AlertEscalation(Base):
    """An alert following a policy, as the policy was when the alert started following it."""

    __tablename__ = "alert_escalation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    alert_id: Mapped[str] = mapped_column(String(36), ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[str] = mapped_column(String(36))
    policy_name: Mapped[str] = mapped_column(String(100))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    """The rules and repeat settings, copied so later edits of the policy do not change it."""
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    round: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="active")
    """active, stopped (closed, or moved to another policy) or completed (every rule fired)."""
    stopped_reason: Mapped[str] = mapped_column(String(200), default="")


class AlertEscalationStep(Base):
    """One rule of one round, due at a moment; the engine fires it once."""

    __tablename__ = "alert_escalation_step"
    __table_args__ = (
        Index(
            "ix_alert_escalation_step_due",
            "due_at",
            sqlite_where=text("fired_at IS NULL"),
            postgresql_where=text("fired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    alert_escalation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alert_escalation.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    rule_position: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(200), default="")
