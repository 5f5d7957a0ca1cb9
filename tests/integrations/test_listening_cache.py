"""Whether anyone forwards alert activity is kept between writes and asked again only when the
configuration version moves: every integration change bumps it, in this process or another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from tests.integrations.conftest import webhook
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.integrations import registry
from tocsin.integrations.models import Integration
from tocsin.integrations.outgoing import any_listening
from tocsin.notify.outbox import OutboxMessage


@pytest.fixture
def other_process(database_url: str) -> Iterator[Database]:
    """Another connection pool on the same database, as a CLI or a second worker has."""
    other = Database(database_url)
    yield other
    other.dispose()


@pytest.fixture
def sender(integration_key):
    return integration_key("Prometheus")


def listening(db: Database) -> bool:
    with db.read_session() as session:
        return any_listening(session)


def activity_events(db: Database) -> int:
    with db.read_session() as session:
        found = session.scalars(select(OutboxMessage.id).where(OutboxMessage.topic == "alert.activity"))
        return len(found.all())


def test_an_integration_enabled_or_disabled_by_another_process_counts_at_once(
    db, other_process, create_integration, receiver
):
    hook = create_integration(webhook("pager", receiver.url(), enabled=False))
    assert not listening(db)

    for enabled in (True, False, True):
        with other_process.write_session() as session:
            integration = session.get(Integration, hook["id"])
            assert integration is not None
            registry.set_enabled(session, actor=SYSTEM, integration=integration, enabled=enabled)
        assert listening(db) is enabled

    with other_process.write_session() as session:
        integration = session.get(Integration, hook["id"])
        assert integration is not None
        registry.delete_integration(session, actor=SYSTEM, integration=integration)
    assert not listening(db)


def test_creates_record_activity_only_while_someone_listens_and_read_no_integration_meanwhile(
    db, sender, create_integration, receiver
):
    sender.create(message="before anyone listens")
    assert activity_events(db) == 0
    create_integration(webhook("pager", receiver.url()))
    sender.create(message="warms what is kept")
    assert activity_events(db) == 1

    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]).lower())

    event.listen(Engine, "before_cursor_execute", listener)  # the server's pools are its own
    try:
        sender.create(message="uses what was kept")
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    assert activity_events(db) == 2
    assert [s for s in seen if "from integration" in s] == []
    assert len([s for s in seen if "from counter" in s]) == 1
