"""Chat account links and their one-time link tokens; an ordering key on outbox messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_team_id", sa.String(length=200), nullable=False),
        sa.Column("chat_team_name", sa.String(length=200), nullable=False),
        sa.Column("chat_user_id", sa.String(length=200), nullable=False),
        sa.Column("chat_user_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_chat_account_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_account")),
        sa.UniqueConstraint("platform", "chat_team_id", "chat_user_id", name="uq_chat_account_chat_user"),
        sa.UniqueConstraint("user_id", "platform", "chat_team_id", name="uq_chat_account_user_team"),
    )
    with op.batch_alter_table("chat_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_account_user_id"), ["user_id"], unique=False)

    op.create_table(
        "chat_link_token",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_team_id", sa.String(length=200), nullable=False),
        sa.Column("chat_team_name", sa.String(length=200), nullable=False),
        sa.Column("chat_user_id", sa.String(length=200), nullable=False),
        sa.Column("chat_user_name", sa.String(length=200), nullable=False),
        sa.Column("integration_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_link_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_chat_link_token_token_hash")),
    )
    with op.batch_alter_table("chat_link_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_link_token_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ordering_key", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_ordering_key"), ["ordering_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_ordering_key"))
        batch_op.drop_column("ordering_key")
    op.drop_table("chat_link_token")
    op.drop_table("chat_account")
