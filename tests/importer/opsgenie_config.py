"""What the tests of importing Opsgenie's configuration share: the fake account read once per
module (each test gets its own copy to change), and a count of the rows an import writes."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import text

from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tocsin.db import Database
from tocsin.importer.changes import Change, Plan
from tocsin.importer.opsgenie_reader import OpsgenieReader
from tocsin.importer.opsgenie_source import Source, read_account

fake_opsgenie = opsgenie_config_api.fake_opsgenie
TABLES = (
    "escalation_policy",
    "escalation_rule",
    "routing_rule",
    "heartbeat",
    "policy",
    "integration",
    "maintenance",
    "team",
    "user_account",
    "outbox",
)


@pytest.fixture(scope="module")
def read(fake_opsgenie: FakeOpsgenie) -> Source:
    fake_opsgenie.reset()
    with OpsgenieReader(fake_opsgenie.base_url, FULL_KEY, sleep=lambda seconds: None) as reader:
        return read_account(reader)


@pytest.fixture
def source(read: Source) -> Source:
    return copy.deepcopy(read)


def row_counts(db: Database, tables: tuple[str, ...]) -> dict[str, int]:
    """How many rows each of ``tables`` holds."""
    with db.read_session() as session:
        return {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables
        }


def counts(db: Database) -> dict[str, int]:
    return row_counts(db, TABLES)


def of_kind(plan: Plan, kind: str) -> dict[str, Change]:
    return {change.name: change for change in plan.changes if change.kind == kind}
