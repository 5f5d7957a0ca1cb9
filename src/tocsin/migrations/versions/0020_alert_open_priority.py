"""A partial index on open alerts' priorities: a metrics scrape counts open alerts per priority
on it alone, however many alerts are stored. Led by priority, and partial: an index starting
with status would lure SQLite's planner away from the open-alias index de-duplication uses.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_alert_open_priority",
        "alert",
        ["priority", "status"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_alert_open_priority", table_name="alert")
