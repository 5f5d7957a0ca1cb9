"""Contact methods can be verified (phone numbers must be before they are used): when, and the
code sent. Contacts that exist already (e-mail only) count as verified.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact_method", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE contact_method SET verified_at = created_at")
    op.create_table(
        "contact_verification",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact_method.id"],
            name=op.f("fk_contact_verification_contact_id_contact_method"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_verification")),
    )


def downgrade() -> None:
    op.drop_table("contact_verification")
    with op.batch_alter_table("contact_method", schema=None) as batch_op:
        batch_op.drop_column("verified_at")
