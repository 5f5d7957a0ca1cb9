"""A de-duplication scope per alert: a team-owned integration's alias de-duplicates only
within its team; the unique index of open aliases becomes one per (scope, alias).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.drop_index("uq_alert_open_alias", table_name="alert")
    op.add_column(
        "alert", sa.Column("dedup_scope", sa.String(length=64), server_default="account", nullable=False)
    )
    # Alerts of team-owned integrations (the only ones with an owner team) keep their team's scope.
    op.execute("UPDATE alert SET dedup_scope = 'team:' || owner_team_id WHERE owner_team_id IS NOT NULL")
    op.create_index(
        "uq_alert_open_scope_alias",
        "alert",
        ["dedup_scope", "alias"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    shared = (
        op.get_bind()
        .execute(sa.text("SELECT alias FROM alert WHERE status = 'open' GROUP BY alias HAVING count(*) > 1"))
        .scalars()
        .all()
    )
    if shared:
        # The older schema allows one open alert per alias; merging alerts would lose whose they are.
        raise RuntimeError(
            "cannot downgrade: these aliases are open on more than one alert (one per team); "
            f"close all but one of each first: {', '.join(sorted(shared)[:20])}"
        )
    op.drop_index("uq_alert_open_scope_alias", table_name="alert")
    op.drop_column("alert", "dedup_scope")
    op.create_index(
        "uq_alert_open_alias", "alert", ["alias"], unique=True, sqlite_where=OPEN, postgresql_where=OPEN
    )
