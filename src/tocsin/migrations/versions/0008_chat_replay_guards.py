"""Chat replay guards: signed chat requests already taken, and the post each button is bound to.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_replay_guard",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("bound_to", sa.String(length=400), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_chat_replay_guard")),
    )
    with op.batch_alter_table("chat_replay_guard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_replay_guard_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("chat_replay_guard")  # its index goes with it
