"""Forwarding rules: for a period, one person's notifications go to another.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forwarding_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("from_user_id", sa.String(length=36), nullable=False),
        sa.Column("to_user_id", sa.String(length=36), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_user_id"],
            ["user_account.id"],
            name=op.f("fk_forwarding_rule_from_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"],
            ["user_account.id"],
            name=op.f("fk_forwarding_rule_to_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwarding_rule")),
        sa.UniqueConstraint("alias", name=op.f("uq_forwarding_rule_alias")),
    )
    with op.batch_alter_table("forwarding_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forwarding_rule_from_user_id"), ["from_user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("forwarding_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forwarding_rule_from_user_id"))
    op.drop_table("forwarding_rule")
