"""Initial schema: accounts, teams, API integrations, alerts, request records, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
JSONDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AutoIncrementId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = sa.text("status = 'open'")


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), primary_key=True)


def _alert_fk() -> sa.Column:
    return sa.Column("alert_id", sa.String(36), sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "user_account",
        _id(),
        sa.Column("username", sa.String(320), nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "team",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("uq_team_name_lower", "team", [sa.text("lower(name)")], unique=True)
    op.create_table(
        "team_member",
        sa.Column("team_id", sa.String(36), sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_index("ix_team_member_user_id", "team_member", ["user_id"])
    op.create_table(
        "api_key",
        _id(),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("rights", JSONDocument, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("user_account.id", ondelete="SET NULL")),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "integration",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(36), sa.ForeignKey("team.id", ondelete="RESTRICT")),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("key_hash", sa.String(64), unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("uq_integration_name_lower", "integration", [sa.text("lower(name)")], unique=True)
    op.create_index("ix_integration_team_id", "integration", ["team_id"])

    op.create_table(
        "counter",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(
        sa.table("counter", sa.column("name"), sa.column("value")), [{"name": "alert_tiny_id", "value": 0}]
    )

    op.create_table(
        "alert",
        _id(),
        sa.Column("tiny_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("alias", sa.String(512), nullable=False),
        sa.Column("message", sa.String(130), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acknowledged", sa.Boolean, nullable=False),
        sa.Column("is_seen", sa.Boolean, nullable=False),
        sa.Column("snoozed", sa.Boolean, nullable=False),
        sa.Column("snoozed_until", Timestamp),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last_occurred_at", Timestamp, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(320), nullable=False),
        sa.Column("priority", sa.String(2), nullable=False),
        sa.Column("entity", sa.String(512), nullable=False),
        sa.Column("tags", JSONDocument, nullable=False),
        sa.Column("details", JSONDocument, nullable=False),
        sa.Column("actions", JSONDocument, nullable=False),
        sa.Column("integration_id", sa.String(36), sa.ForeignKey("integration.id", ondelete="SET NULL")),
        sa.Column("integration_name", sa.String(100), nullable=False),
        sa.Column("integration_type", sa.String(32), nullable=False),
        sa.Column("owner_team_id", sa.String(36), sa.ForeignKey("team.id", ondelete="SET NULL")),
        sa.Column("ack_time", sa.BigInteger),
        sa.Column("close_time", sa.BigInteger),
        sa.Column("acknowledged_by", sa.String(320), nullable=False),
        sa.Column("closed_by", sa.String(320), nullable=False),
    )
    op.create_index(
        "uq_alert_open_alias", "alert", ["alias"], unique=True, sqlite_where=OPEN, postgresql_where=OPEN
    )
    op.create_index("ix_alert_created_at", "alert", ["created_at"])
    op.create_index("ix_alert_snoozed_until", "alert", ["snoozed_until"])
    op.create_index("ix_alert_integration_id", "alert", ["integration_id"])

    op.create_table(
        "alert_responder",
        sa.Column("id", AutoIncrementId, primary_key=True, autoincrement=True),
        _alert_fk(),
        sa.Column("visible_only", sa.Boolean, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_alert_responder_alert_id", "alert_responder", ["alert_id"])
    op.create_index("ix_alert_responder_ref", "alert_responder", ["type", "ref_id"])
    for table, text_column in (("alert_log", "log"), ("alert_note", "note")):
        columns = [
            sa.Column("id", AutoIncrementId, primary_key=True, autoincrement=True),
            _alert_fk(),
            sa.Column("created_at", Timestamp, nullable=False),
            sa.Column("owner", sa.String(320), nullable=False),
            sa.Column(text_column, sa.Text, nullable=False),
        ]
        if table == "alert_log":
            columns.append(sa.Column("type", sa.String(32), nullable=False))
        op.create_table(table, *columns)
        op.create_index(f"ix_{table}_alert_id", table, ["alert_id"])
    op.create_table(
        "alert_recipient",
        sa.Column("alert_id", sa.String(36), sa.ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_alert_recipient_user_id", "alert_recipient", ["user_id"])
    op.create_table(
        "alert_request",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(300), nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("alias", sa.String(512), nullable=False),
        sa.Column("integration_id", sa.String(36), nullable=False),
        sa.Column("processed_at", Timestamp, nullable=False),
    )
    op.create_index("ix_alert_request_processed_at", "alert_request", ["processed_at"])

    op.create_table(
        "outbox",
        sa.Column("id", AutoIncrementId, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("alert_id", sa.String(36)),
        sa.Column("payload", JSONDocument, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("delivered_at", Timestamp),
        sa.Column("last_error", sa.Text, nullable=False),
    )
    op.create_index("ix_outbox_alert_id", "outbox", ["alert_id"])
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "outbox",
        "alert_request",
        "alert_recipient",
        "alert_note",
        "alert_log",
        "alert_responder",
        "alert",
        "counter",
        "integration",
        "api_key",
        "team_member",
        "team",
        "user_account",
    ):
        op.drop_table(table)
