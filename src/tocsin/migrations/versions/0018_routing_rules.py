"""Team routing rules: which escalation or schedule a team's alerts go to, by conditions and time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "routing_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("criteria", JSON, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("time_restriction", JSON, nullable=True),
        sa.Column("notify_type", sa.String(length=16), nullable=False),
        sa.Column("notify_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_routing_rule_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
    )
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_rule_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rule_team_id"))
    op.drop_table("routing_rule")
