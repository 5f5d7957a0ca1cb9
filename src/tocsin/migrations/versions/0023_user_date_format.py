"""How pages write dates and times for each person (language-neutral formats, ISO by default).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("date_format", sa.String(length=24), server_default="iso", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("date_format")
