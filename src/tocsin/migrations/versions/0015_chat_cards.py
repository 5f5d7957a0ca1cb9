"""Chat cards: where each alert's live card is posted, per bot-mode chat integration.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_card",
        sa.Column("integration_id", sa.String(length=36), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("channel_id", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_chat_card_alert_id_alert"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integration.id"],
            name=op.f("fk_chat_card_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", "alert_id", name=op.f("pk_chat_card")),
    )
    with op.batch_alter_table("chat_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_card_alert_id"), ["alert_id"], unique=False)


def downgrade() -> None:
    op.drop_table("chat_card")  # its index goes with it
