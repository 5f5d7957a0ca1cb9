"""An index on alerts' (status, priority): a metrics scrape counts open alerts per priority on
it alone, however many alerts are stored.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alert_status_priority", "alert", ["status", "priority"])


def downgrade() -> None:
    op.drop_index("ix_alert_status_priority", table_name="alert")
