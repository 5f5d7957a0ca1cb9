"""Notification rules get criteria: which alerts a rule is for (an Opsgenie filter). Existing
rules keep applying to every alert.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

MATCH_ALL_SQL = '\'{"type": "match-all"}\''
JSONDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("notification_rule") as batch:
        batch.add_column(
            sa.Column("criteria", JSONDocument, nullable=False, server_default=sa.text(MATCH_ALL_SQL))
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_rule") as batch:
        batch.drop_column("criteria")
