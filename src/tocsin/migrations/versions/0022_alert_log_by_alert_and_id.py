"""The alert log's index by alert becomes one by alert and entry: an alert's entries in order, and
its first entry in one step however long its log (PostgreSQL otherwise reads every entry of an
alert repeated for days to find it). On SQLite the old index already ended with the entry's id.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 21:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alert_log_alert_id_id", "alert_log", ["alert_id", "id"])
    op.drop_index("ix_alert_log_alert_id", table_name="alert_log")


def downgrade() -> None:
    op.create_index("ix_alert_log_alert_id", "alert_log", ["alert_id"])
    op.drop_index("ix_alert_log_alert_id_id", table_name="alert_log")
