"""The configuration version: a counter every policy or maintenance window change bumps, so
processes that cache them see a change with one cheap read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_counter = sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.BigInteger))


def upgrade() -> None:
    op.bulk_insert(_counter, [{"name": "config_version", "value": 0}])


def downgrade() -> None:
    op.execute(_counter.delete().where(_counter.c.name == "config_version"))
