"""Engine ticks: when each running engine last ticked, for readiness and the watchdog.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_tick",
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("holder", name=op.f("pk_engine_tick")),
    )


def downgrade() -> None:
    op.drop_table("engine_tick")
