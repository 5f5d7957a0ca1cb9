"""Two indexes for the alert list.

- Alert responders led by the alert, then type and reference: asking whether one alert has a
  given team (the list's team filter) reads that alert's one or two responders. Without it
  SQLite, which keeps no statistics, answers through the (type, ref_id) index and reads every
  alert of the team for each alert it looks at.
- Open alerts by creation (partial): the Open and Acknowledged tabs, newest first, walk it and
  stop after a page instead of sorting every open alert. Led by created_at, which
  de-duplication never constrains, so the open-alias index stays its only fit.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alert_responder_alert_type_ref", "alert_responder", ["alert_id", "type", "ref_id"])
    op.create_index(
        "ix_alert_open_created",
        "alert",
        ["created_at", "tiny_id"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_alert_open_created", table_name="alert")
    op.drop_index("ix_alert_responder_alert_type_ref", table_name="alert_responder")
