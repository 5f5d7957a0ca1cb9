"""Delivery destinations: which are down (and when to probe them), and where each message goes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_destination",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("down_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_probe_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_outbox_destination")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_key", sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_destination_key"), ["destination_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_destination_key"))
        batch_op.drop_column("destination_key")
    op.drop_table("outbox_destination")
