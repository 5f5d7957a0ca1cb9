"""Policies and maintenance windows are kept between batches of creates and reloaded when they
change: at once after a change in this process, and after a change made by another process (a
second server worker, the CLI) as soon as it commits; a maintenance window that starts or ends
by the clock counts on time without any change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, text, update

from tests.policies.conftest import alert_policy, raise_alert
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.actors import SYSTEM, Actor
from tocsin.db import Database
from tocsin.maintenance import service as maintenance
from tocsin.maintenance.schemas import MaintenancePayload
from tocsin.policies import service as policies
from tocsin.policies.models import Policy
from tocsin.policies.schemas import PolicyPayload

RAISE = alert_policy("raise", priority="P1")


@pytest.fixture
def monitoring(db: Database) -> Actor:
    return make_integration(db, "monitoring")[0]


@pytest.fixture
def other_process(database_url: str) -> Iterator[Database]:
    """Another connection pool on the same database, as a CLI or a second worker has."""
    other = Database(database_url)
    yield other
    other.dispose()


def _create_policy(database: Database, payload: dict) -> str:  # type: ignore[type-arg]
    with database.write_session() as session:
        return policies.create_policy(session, actor=SYSTEM, payload=PolicyPayload.model_validate(payload)).id


def _enable(database: Database, policy_id: str, enabled: bool) -> None:
    with database.write_session() as session:
        policy = session.get(Policy, policy_id)
        assert policy is not None
        policies.set_enabled(session, actor=SYSTEM, policy=policy, enabled=enabled)


def test_a_policy_change_in_this_process_counts_for_the_very_next_create(db, monitoring):
    assert raise_alert(db, monitoring, message="before").priority == "P3"

    raising = _create_policy(db, RAISE)
    assert raise_alert(db, monitoring, message="created").priority == "P1"

    _enable(db, raising, False)
    assert raise_alert(db, monitoring, message="disabled").priority == "P3"


def test_a_policy_change_by_another_process_counts_for_the_next_create(db, other_process, monitoring):
    raising = _create_policy(other_process, RAISE)
    assert raise_alert(db, monitoring, message="created elsewhere").priority == "P1"

    _enable(other_process, raising, False)
    assert raise_alert(db, monitoring, message="disabled elsewhere").priority == "P3"

    with other_process.write_session() as session:
        policy = session.get(Policy, raising)
        assert policy is not None
        policies.delete_policy(session, actor=SYSTEM, policy=policy)
    _enable(other_process, _create_policy(other_process, alert_policy("lower", priority="P5")), True)
    assert raise_alert(db, monitoring, message="deleted and another created").priority == "P5"


def test_policies_are_read_once_and_again_only_when_the_configuration_version_moves(
    db, other_process, monitoring
):
    _create_policy(db, RAISE)
    assert raise_alert(db, monitoring, message="loaded").priority == "P1"
    with other_process.write_session() as session:  # an edit behind the services' back...
        session.execute(update(Policy).values(enabled=False))
    assert raise_alert(db, monitoring, message="kept").priority == "P1"  # ...is not read per batch

    with other_process.write_session() as session:
        session.execute(text("UPDATE counter SET value = value + 1 WHERE name = 'config_version'"))
    assert raise_alert(db, monitoring, message="reloaded").priority == "P3"


def test_a_batch_with_the_configuration_unchanged_reads_only_its_version(db, monitoring):
    _create_policy(db, RAISE)
    raise_alert(db, monitoring, message="loads the policies")
    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]).lower())

    event.listen(db.write_engine, "before_cursor_execute", listener)
    try:
        raise_alert(db, monitoring, message="uses what was loaded")
    finally:
        event.remove(db.write_engine, "before_cursor_execute", listener)
    assert [s for s in seen if "from policy" in s or "from maintenance" in s] == []
    assert len([s for s in seen if "from counter" in s]) == 1


def test_a_planned_maintenance_window_switches_a_policy_off_and_on_by_the_clock(db, monitoring, frozen_clock):
    raising = _create_policy(db, RAISE)
    start = clock.now() + timedelta(minutes=10)
    window = MaintenancePayload.model_validate(
        {
            "time": {
                "type": "schedule",
                "startDate": start.isoformat(),
                "endDate": (start + timedelta(minutes=30)).isoformat(),
            },
            "rules": [{"entity": {"type": "policy", "id": raising}}],
        }
    )
    with db.write_session() as session:
        maintenance.create_maintenance(session, actor=SYSTEM, payload=window)
    assert raise_alert(db, monitoring, message="planned").priority == "P1"

    frozen_clock.advance(timedelta(minutes=15))
    assert raise_alert(db, monitoring, message="during").priority == "P3"

    frozen_clock.advance(timedelta(minutes=30))
    assert raise_alert(db, monitoring, message="after").priority == "P1"


def test_cancelling_a_maintenance_window_elsewhere_counts_for_the_next_create(
    db, other_process, monitoring, frozen_clock
):
    raising = _create_policy(db, RAISE)
    window = MaintenancePayload.model_validate(
        {"time": {"type": "for-1-hour"}, "rules": [{"entity": {"type": "policy", "id": raising}}]}
    )
    with db.write_session() as session:
        window_id = maintenance.create_maintenance(session, actor=SYSTEM, payload=window).id
    assert raise_alert(db, monitoring, message="during").priority == "P3"

    with other_process.write_session() as session:
        maintenance.cancel_maintenance(
            session, actor=SYSTEM, window=maintenance.get_maintenance(session, window_id)
        )
    assert raise_alert(db, monitoring, message="cancelled elsewhere").priority == "P1"
