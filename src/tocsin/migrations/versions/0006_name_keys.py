"""A normalised name key (tocsin.names.name_key) with its unique index for every named thing,
replacing the lower(name) indexes (SQLite's lower() folds ASCII only).

Before changing anything it looks for names that the key makes equal (``équipe`` beside
``ÉQUIPE``); when there are any it stops with one message listing them all, and the database
stays as it was.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:30:00
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

from tocsin.errors import Conflict
from tocsin.names import NAME_KEY_MAX, name_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


class Keyed(NamedTuple):
    table: str
    label: str
    """What the table holds, as the clash message says it."""
    name: str = "name"
    key: str = "name_key"
    scope: str | None = None
    """The column names are unique within (None: the whole table)."""
    lower_index: str | None = None
    """The lower(name) index this key replaces."""


KEYED = (
    Keyed("user_account", "users", name="username", key="username_key"),
    Keyed("api_key", "API keys"),
    Keyed("team", "teams", lower_index="uq_team_name_lower"),
    Keyed("schedule", "schedules", lower_index="uq_schedule_name_lower"),
    Keyed("rotation", "rotations of schedule", scope="schedule_id"),
    Keyed("escalation_policy", "escalations", lower_index="uq_escalation_policy_name_lower"),
    Keyed("heartbeat", "heartbeats", lower_index="uq_heartbeat_name_lower"),
    Keyed("integration", "integrations", lower_index="uq_integration_name_lower"),
    Keyed("policy", "policies of team", scope="team_id"),
)


class NameClashes(Conflict):
    """Stored names that differ only in case or Unicode form; nothing was changed."""


def upgrade() -> None:
    connection = op.get_bind()
    stored = {keyed.table: _stored_names(connection, keyed) for keyed in KEYED}
    problems = [line for keyed in KEYED for line in _clashes(keyed, stored[keyed.table])]
    if problems:
        raise NameClashes(
            "names must be unique ignoring case and Unicode form, and these are not: "
            + "; ".join(problems)
            + ". Rename one of each (with the tocsin CLI, the REST API or the web pages), then run "
            "tocsin migrate again; nothing was changed"
        )
    for keyed in KEYED:
        if keyed.lower_index:
            op.drop_index(keyed.lower_index, table_name=keyed.table)
        with op.batch_alter_table(keyed.table) as batch_op:
            batch_op.add_column(sa.Column(keyed.key, sa.String(length=NAME_KEY_MAX), nullable=True))
        table = sa.table(keyed.table, sa.column("id"), sa.column(keyed.key))
        rows = [{"row_id": row.id, "key": row.key} for row in stored[keyed.table]]
        if rows:
            set_key = table.update().where(table.c.id == sa.bindparam("row_id"))
            connection.execute(set_key.values({keyed.key: sa.bindparam("key")}), rows)
        with op.batch_alter_table(keyed.table) as batch_op:
            batch_op.alter_column(keyed.key, existing_type=sa.String(length=NAME_KEY_MAX), nullable=False)
    for keyed in KEYED:
        _create_key_indexes(keyed)


def downgrade() -> None:
    for keyed in reversed(KEYED):
        for index_name in _key_index_names(keyed):
            op.drop_index(index_name, table_name=keyed.table)
        with op.batch_alter_table(keyed.table) as batch_op:
            batch_op.drop_column(keyed.key)
        if keyed.lower_index:
            op.create_index(keyed.lower_index, keyed.table, [sa.text(f"lower({keyed.name})")], unique=True)


class StoredName(NamedTuple):
    id: str
    scope: str | None
    name: str
    key: str


def _stored_names(connection: sa.Connection, keyed: Keyed) -> list[StoredName]:
    scope = keyed.scope or "NULL"
    rows = connection.execute(sa.text(f"SELECT id, {scope}, {keyed.name} FROM {keyed.table}"))
    return [StoredName(row_id, scope_value, name, name_key(name)) for row_id, scope_value, name in rows]


def _clashes(keyed: Keyed, stored: list[StoredName]) -> list[str]:
    """One line per group of names that share a key in one scope; and per name too long to key."""
    groups: dict[tuple[str, str], list[StoredName]] = defaultdict(list)
    for row in stored:
        groups[(row.scope or "", row.key)].append(row)
    found = []
    for (_scope, _key), rows in sorted(groups.items()):
        if len(rows) > 1:
            names = ", ".join(repr(row.name) for row in sorted(rows, key=lambda row: row.name))
            found.append(f"{keyed.table} ({_scope_label(keyed, rows[0].scope)}): {names}")
    found += [
        f"{keyed.table} ({_scope_label(keyed, row.scope)}): {row.name!r} is longer than "
        f"{NAME_KEY_MAX} characters once normalised"
        for row in stored
        if len(row.key) > NAME_KEY_MAX
    ]
    return found


def _scope_label(keyed: Keyed, scope_value: str | None) -> str:
    if keyed.scope is None:
        return keyed.label
    if keyed.table == "policy" and scope_value is None:
        return "global policies"
    return f"{keyed.label} id {scope_value}"


def _key_index_names(keyed: Keyed) -> list[str]:
    if keyed.table == "policy":
        return ["uq_policy_global_name_key", "uq_policy_team_id_name_key"]
    if keyed.scope:
        return [f"uq_{keyed.table}_{keyed.scope}_{keyed.key}"]
    return [f"uq_{keyed.table}_{keyed.key}"]


def _create_key_indexes(keyed: Keyed) -> None:
    if keyed.table == "policy":
        for index_name, columns, where in (
            ("uq_policy_global_name_key", ["name_key"], "team_id IS NULL"),
            ("uq_policy_team_id_name_key", ["team_id", "name_key"], "team_id IS NOT NULL"),
        ):
            op.create_index(
                index_name,
                "policy",
                columns,
                unique=True,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )
        return
    (index_name,) = _key_index_names(keyed)
    columns = [keyed.scope, keyed.key] if keyed.scope else [keyed.key]
    op.create_index(index_name, keyed.table, columns, unique=True)
