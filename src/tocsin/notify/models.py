"""How each person is reached: contact methods and notification rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.types import JSONDocument

CONTACT_METHODS = ("email", "sms", "voice", "ntfy", "mattermost", "slack")
PHONE_METHODS = ("sms", "voice")
"""Methods whose address is a phone number: verified by a code before they are used."""
MATCH_ALL_SQL = '\'{"type": "match-all"}\''
RULE_ACTIONS = ("create-alert", "acknowledged-alert", "closed-alert", "schedule-start", "schedule-end")


class ContactMethod(Base):
    __tablename__ = "contact_method"
    __table_args__ = (UniqueConstraint("user_id", "method", "address"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the person proved the address theirs (a phone number, by a code sent to it); other
    methods count as verified when added. Unverified contacts are skipped."""

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class ContactVerification(Base):
    """The code sent to prove a contact method is its person's: one at a time per contact."""

    __tablename__ = "contact_verification"

    contact_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("contact_method.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Wrong codes entered so far; at the limit the code stops working."""


class NotificationRule(Base):
    """When to notify a person (new alert, acknowledgement, close, shift start or end)."""

    __tablename__ = "notification_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    action_type: Mapped[str] = mapped_column(String(32))
    notify_before_minutes: Mapped[int | None] = mapped_column(Integer)
    """For schedule-start and schedule-end: how long before the shift changes."""
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    criteria: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=lambda: {"type": "match-all"}, server_default=text(MATCH_ALL_SQL)
    )
    """Which alerts the rule is for, as an Opsgenie filter (``conditions.filters``); schedule
    rules are always match-all."""


class NotificationRuleStep(Base):
    """One message of a rule: which contact method, how long after the event."""

    __tablename__ = "notification_rule_step"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("notification_rule.id", ondelete="CASCADE"), index=True
    )
    contact_method_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("contact_method.id", ondelete="CASCADE"), index=True
    )
    send_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ShiftNotice(Base):
    """A shift start or end a person was already told about, so it is told once."""

    __tablename__ = "shift_notice"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("schedule.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)


class ForwardingRule(Base):
    """While it lasts (``start_at`` ≤ now < ``end_at``), what would notify ``from_user`` notifies
    ``to_user`` instead (Opsgenie's forwarding rules: cover for someone away)."""

    __tablename__ = "forwarding_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    from_user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    to_user_id: Mapped[str] = mapped_column(String(36), ForeignKey("user_account.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
