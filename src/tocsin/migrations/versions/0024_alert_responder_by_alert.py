"""An index on alert responders led by the alert, then type and reference: asking whether one
alert has a given team (the alert list's team filter, the visibility rule) reads that alert's
one or two responders. Without it SQLite, which keeps no statistics, answers the question through
the (type, ref_id) index and reads every alert of the team for each alert it looks at.

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alert_responder_alert_type_ref", "alert_responder", ["alert_id", "type", "ref_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_responder_alert_type_ref", table_name="alert_responder")
