"""Watchdog episodes: the problems owners were told of, so that each e-mail goes out once.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchdog_episode",
        sa.Column("problem", sa.String(length=32), nullable=False),
        sa.Column("began_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("noticed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("problem", name=op.f("pk_watchdog_episode")),
    )


def downgrade() -> None:
    op.drop_table("watchdog_episode")
