"""Integration configuration (outgoing actions, filter, kind settings), policies, heartbeats and
maintenance windows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 07:45:08.720148
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_type", sa.String(length=32), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance")),
    )
    with op.batch_alter_table("maintenance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_end_at"), ["end_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_start_at"), ["start_at"], unique=False)

    op.create_table(
        "heartbeat",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("interval_unit", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("owner_team_id", sa.String(length=36), nullable=True),
        sa.Column("alert_message", sa.String(length=130), nullable=False),
        sa.Column(
            "alert_tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("alert_priority", sa.String(length=2), nullable=False),
        sa.Column("last_ping_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["team.id"], name=op.f("fk_heartbeat_owner_team_id_team"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat")),
    )
    with op.batch_alter_table("heartbeat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_heartbeat_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_heartbeat_owner_team_id"), ["owner_team_id"], unique=False)
    op.create_index("uq_heartbeat_name_lower", "heartbeat", [sa.text("lower(name)")], unique=True)

    op.create_table(
        "maintenance_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("maintenance_id", sa.String(length=36), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["maintenance_id"],
            ["maintenance.id"],
            name=op.f("fk_maintenance_rule_maintenance_id_maintenance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_rule")),
    )
    with op.batch_alter_table("maintenance_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_rule_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_maintenance_rule_maintenance_id"), ["maintenance_id"], unique=False
        )

    op.create_table(
        "policy",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "filter",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "time_restrictions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_policy_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy")),
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "config",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
        batch_op.add_column(
            sa.Column(
                "outgoing_actions",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )
        batch_op.add_column(
            sa.Column(
                "outgoing_filter",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
        batch_op.add_column(
            sa.Column("signing_salt", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.drop_column("signing_salt")
        batch_op.drop_column("outgoing_filter")
        batch_op.drop_column("outgoing_actions")
        batch_op.drop_column("config")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("description")

    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_team_id"))

    op.drop_table("policy")
    with op.batch_alter_table("maintenance_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_rule_maintenance_id"))
        batch_op.drop_index(batch_op.f("ix_maintenance_rule_entity_id"))

    op.drop_table("maintenance_rule")
    with op.batch_alter_table("heartbeat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_heartbeat_owner_team_id"))
        batch_op.drop_index(batch_op.f("ix_heartbeat_expires_at"))

    op.drop_index("uq_heartbeat_name_lower", table_name="heartbeat")
    op.drop_table("heartbeat")
    with op.batch_alter_table("maintenance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_start_at"))
        batch_op.drop_index(batch_op.f("ix_maintenance_end_at"))

    op.drop_table("maintenance")
