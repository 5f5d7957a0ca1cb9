"""On-call schedules, escalation policies, contact methods and notification rules, mute, and
the delivery engine's outbox leases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:10:51.452896
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_ref_id"), ["ref_id"], unique=False)

    op.create_table(
        "engine_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_engine_lease")),
    )
    op.create_table(
        "contact_method",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_contact_method_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_method")),
        sa.UniqueConstraint("user_id", "method", "address", name=op.f("uq_contact_method_user_id")),
    )
    with op.batch_alter_table("contact_method", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_method_user_id"), ["user_id"], unique=False)

    op.create_table(
        "escalation_policy",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_team_id", sa.String(length=36), nullable=True),
        sa.Column("is_team_default", sa.Boolean(), nullable=False),
        sa.Column("repeat_wait_minutes", sa.Integer(), nullable=True),
        sa.Column("repeat_count", sa.Integer(), nullable=False),
        sa.Column("repeat_reset_recipient_states", sa.Boolean(), nullable=False),
        sa.Column("repeat_close_alert_after_all", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_team_id"],
            ["team.id"],
            name=op.f("fk_escalation_policy_owner_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policy")),
    )
    with op.batch_alter_table("escalation_policy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_policy_owner_team_id"), ["owner_team_id"], unique=False
        )
        batch_op.create_index(
            "uq_escalation_policy_team_default",
            ["owner_team_id"],
            unique=True,
            sqlite_where=sa.text("is_team_default"),
            postgresql_where=sa.text("is_team_default"),
        )

    op.create_table(
        "notification_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("action_type", sa.String(length=32), nullable=False),
        sa.Column("notify_before_minutes", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_rule_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_rule")),
    )
    with op.batch_alter_table("notification_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_rule_user_id"), ["user_id"], unique=False)

    op.create_table(
        "schedule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("owner_team_id", sa.String(length=36), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["team.id"], name=op.f("fk_schedule_owner_team_id_team"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_owner_team_id"), ["owner_team_id"], unique=False)

    op.create_index("uq_schedule_name_lower", "schedule", [sa.text("lower(name)")], unique=True)
    op.create_index(
        "uq_escalation_policy_name_lower", "escalation_policy", [sa.text("lower(name)")], unique=True
    )
    op.create_table(
        "escalation_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("notify_type", sa.String(length=16), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("recipient_type", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["escalation_policy.id"],
            name=op.f("fk_escalation_rule_policy_id_escalation_policy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_rule")),
    )
    with op.batch_alter_table("escalation_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_rule_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "notification_rule_step",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("contact_method_id", sa.String(length=36), nullable=False),
        sa.Column("send_after_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_method_id"],
            ["contact_method.id"],
            name=op.f("fk_notification_rule_step_contact_method_id_contact_method"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["notification_rule.id"],
            name=op.f("fk_notification_rule_step_rule_id_notification_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_rule_step")),
    )
    with op.batch_alter_table("notification_rule_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_rule_step_contact_method_id"), ["contact_method_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notification_rule_step_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "rotation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("schedule_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "time_restriction", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_rotation_schedule_id_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation")),
    )
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rotation_schedule_id"), ["schedule_id"], unique=False)

    op.create_table(
        "schedule_override",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("schedule_id", sa.String(length=36), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotation_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_schedule_override_schedule_id_schedule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_schedule_override_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_override")),
        sa.UniqueConstraint("schedule_id", "alias", name=op.f("uq_schedule_override_schedule_id")),
    )
    with op.batch_alter_table("schedule_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_override_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_override_user_id"), ["user_id"], unique=False)

    op.create_table(
        "shift_notice",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("schedule_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_shift_notice_schedule_id_schedule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_shift_notice_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "schedule_id", "kind", "at", name=op.f("pk_shift_notice")),
    )
    op.create_table(
        "alert_escalation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("policy_name", sa.String(length=100), nullable=False),
        sa.Column("snapshot", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stopped_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_escalation_alert_id_alert"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_escalation")),
    )
    with op.batch_alter_table("alert_escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_escalation_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "rotation_participant",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rotation_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["rotation.id"],
            name=op.f("fk_rotation_participant_rotation_id_rotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_rotation_participant_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation_participant")),
    )
    with op.batch_alter_table("rotation_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_participant_rotation_id"), ["rotation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rotation_participant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "alert_escalation_step",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("alert_escalation_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rule_position", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_escalation_id"],
            ["alert_escalation.id"],
            name=op.f("fk_alert_escalation_step_alert_escalation_id_alert_escalation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_escalation_step")),
    )
    with op.batch_alter_table("alert_escalation_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_escalation_step_alert_escalation_id"), ["alert_escalation_id"], unique=False
        )
        batch_op.create_index(
            "ix_alert_escalation_step_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("fired_at IS NULL"),
            postgresql_where=sa.text("fired_at IS NULL"),
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("destination", sa.String(length=320), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("muted_until", sa.DateTime(timezone=True), nullable=True))


NEW_TABLES_DEPENDENTS_FIRST = (
    "alert_escalation_step",
    "rotation_participant",
    "alert_escalation",
    "shift_notice",
    "schedule_override",
    "rotation",
    "notification_rule_step",
    "escalation_rule",
    "schedule",
    "notification_rule",
    "escalation_policy",
    "contact_method",
    "engine_lease",
    "calendar_feed",
)


def downgrade() -> None:
    # Dropping a table drops its indexes with it.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("muted_until")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("destination")
    for table in NEW_TABLES_DEPENDENTS_FIRST:
        op.drop_table(table)
