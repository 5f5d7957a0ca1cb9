"""On PostgreSQL, alerts' tinyIds come from a sequence, carried on from the counter row (which
goes): writers taking tinyIds at once no longer wait for each other's commits. SQLite keeps the
counter row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SEQUENCE = "alert_tiny_id_seq"
_counter = sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.BigInteger))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.schema.CreateSequence(sa.Sequence(SEQUENCE)))
    # The next tinyId is the counter's value + 1 (setval's third argument: whether the value
    # given was already handed out).
    op.execute(
        f"SELECT setval('{SEQUENCE}', GREATEST(value, 1), value > 0) "
        "FROM counter WHERE name = 'alert_tiny_id'"
    )
    op.execute(_counter.delete().where(_counter.c.name == "alert_tiny_id"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "INSERT INTO counter (name, value) SELECT 'alert_tiny_id', "
        f"CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {SEQUENCE}"
    )
    op.execute(sa.schema.DropSequence(sa.Sequence(SEQUENCE)))
