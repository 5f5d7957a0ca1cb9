from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime
from tocsin.types import AutoIncrementId, JSONDocument

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
ACCOUNT_SCOPE = "account"


def dedup_scope_of(owner_team_id: str | None) -> str:
    """The de-duplication scope of what a caller owned by ``owner_team_id`` (None: no team)
    creates: its team's own, or the account-wide one. Stored, not derived from the alert's
    ``owner_team_id``, so deleting the team (which clears that column) moves no open alert."""
    return f"team:{owner_team_id}" if owner_team_id else ACCOUNT_SCOPE


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        # The heart of de-duplication: at most one open alert per alias in each de-duplication
        # scope, enforced by the database.
        Index(
            "uq_alert_open_scope_alias",
            "dedup_scope",
            "alias",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_alert_created_at", "created_at"),
        Index("ix_alert_snoozed_until", "snoozed_until"),
        # Open alerts per priority, for metrics. Partial, and led by priority: an index that
        # starts with status tempts SQLite (which keeps no statistics) to scan every open alert
        # for de-duplication instead of looking each alias up (decision 0031).
        Index(
            "ix_alert_open_priority",
            "priority",
            "status",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # The alert list's Open and Acknowledged tabs, newest first, a page at a time (migration 0024).
        Index(
            "ix_alert_open_created",
            "created_at",
            "tiny_id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tiny_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    alias: Mapped[str] = mapped_column(String(512))
    dedup_scope: Mapped[str] = mapped_column(String(64), server_default=ACCOUNT_SCOPE)
    """Where the alias de-duplicates: ``account`` for alerts of global keys and people, or
    ``team:<id>`` for alerts of a team-owned integration (see ``dedup_scope_of``)."""
    message: Mapped[str] = mapped_column(String(130))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    is_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer, default=1)
    last_occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(100), default="")
    owner: Mapped[str] = mapped_column(String(320), default="")
    priority: Mapped[str] = mapped_column(String(2), default="P3")
    entity: Mapped[str] = mapped_column(String(512), default="")
    tags: Mapped[list[str]] = mapped_column(JSONDocument)
    details: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    actions: Mapped[list[str]] = mapped_column(JSONDocument)
    integration_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("integration.id", ondelete="SET NULL"), index=True
    )
    integration_name: Mapped[str] = mapped_column(String(100), default="")
    integration_type: Mapped[str] = mapped_column(String(32), default="")
    owner_team_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("team.id", ondelete="SET NULL"))
    ack_time: Mapped[int | None] = mapped_column(BigInteger)
    close_time: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str] = mapped_column(String(320), default="")
    closed_by: Mapped[str] = mapped_column(String(320), default="")


class AlertResponder(Base):
    """A team, user, escalation or schedule that responds to an alert (or only sees it)."""

    __tablename__ = "alert_responder"
    __table_args__ = (
        Index("ix_alert_responder_ref", "type", "ref_id"),
        # Whether one alert has a given responder: the alert list's team filter (migration 0024).
        Index("ix_alert_responder_alert_type_ref", "alert_id", "type", "ref_id"),
    )

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(36), ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    visible_only: Mapped[bool] = mapped_column(Boolean, default=False)
    """False for ``responders`` (notified), True for ``visibleTo`` (can see it, not notified)."""
    type: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class AlertLog(Base):
    __tablename__ = "alert_log"
    __table_args__ = (
        # An alert's entries in order: its page, and its first entry found in one step however
        # long its log (live updates tell a new alert from a changed one by it).
        Index("ix_alert_log_alert_id_id", "alert_id", "id"),
    )

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(36), ForeignKey("alert.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    type: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(320), default="")
    log: Mapped[str] = mapped_column(Text)


class AlertNote(Base):
    __tablename__ = "alert_note"

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(36), ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    owner: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(Text)


class AlertRecipient(Base):
    """A person the alert is meant to reach, and what happened with them so far."""

    __tablename__ = "alert_recipient"

    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(32), default="pending")
    method: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertRequest(Base):
    """The outcome of an accepted (202) request, served by ``GET /v2/alerts/requests/{id}``."""

    __tablename__ = "alert_request"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    success: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(300))
    alert_id: Mapped[str] = mapped_column(String(36), default="")
    alias: Mapped[str] = mapped_column(String(512), default="")
    integration_id: Mapped[str] = mapped_column(String(36), default="")
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
