"""The alert change feed (tocsin.alerts.changes): whoever changes an alert, in whichever process,
a listener whose scope may see it hears of it; the database is polled only while someone listens,
and a listener that falls behind is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import event

from tests.support.factories import make_integration, make_team, make_user
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import EVERYTHING, Actor, Scope
from tocsin.alerts import actions, ingest
from tocsin.alerts.changes import AlertChange, ChangeFeed, LogCursor, Subscription
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload, ResponderRef
from tocsin.alerts.service import AlertRef, add_log
from tocsin.db import Database
from tocsin.teams import service as teams

T = TypeVar("T")
WAIT = 5.0  # seconds a change may take at most before the test fails; it takes a fraction


@pytest.fixture
def other_process(database_url: str, db: Database) -> Iterator[Database]:
    """A second connection pool on the same database, as another Tocsin process would have."""
    other = Database(database_url)
    yield other
    other.dispose()


@pytest.fixture
def prometheus(db: Database) -> Actor:
    actor, _ = make_integration(db, "Prometheus")
    return actor


def create(db: Database, actor: Actor, message: str, **fields: Any) -> tuple[str, int]:
    with db.write_session() as session:
        payload = CreateAlertPayload.model_validate({"message": message, **fields})
        alert_id = ingest.create_alert(session, payload=payload, actor=actor).alert_id
    with db.read_session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert_id, alert.tiny_id


def scope_of(db: Database, username: str) -> Scope:
    with db.read_session() as session:
        user = accounts.find_user(session, username)
        assert user is not None
        return teams.actor_for_user(session, user, channel="web").scope


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(test())


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.to_thread(fn, *args, **kwargs)


async def next_change(subscription: Subscription) -> AlertChange:
    change = await subscription.next(timeout=WAIT)
    assert change is not None, "no change arrived"
    return change


def test_a_change_written_by_another_process_reaches_a_listener(
    db: Database, other_process: Database, prometheus: Actor
) -> None:
    feed = ChangeFeed(db, interval=0.1)

    async def scenario() -> None:
        listener = await feed.subscribe(EVERYTHING)
        alert_id, tiny_id = await in_thread(create, other_process, prometheus, "disk full", alias="disk")
        assert await next_change(listener) == AlertChange(alert_id, tiny_id, "created")

        def acknowledge() -> None:
            with other_process.write_session() as session:
                actions.acknowledge(session, ref=AlertRef(alert_id), actor=prometheus)

        await in_thread(acknowledge)
        assert await next_change(listener) == AlertChange(alert_id, tiny_id, "updated")

        await in_thread(create, other_process, prometheus, "disk full again", alias="disk")
        assert await next_change(listener) == AlertChange(alert_id, tiny_id, "updated")  # de-duplicated
        feed.unsubscribe(listener)

    run(scenario)


def test_a_listener_hears_only_of_alerts_its_user_may_see(db: Database, prometheus: Actor) -> None:
    make_user(db, "ada@example.com")
    make_user(db, "bob@example.com")
    make_team(db, "ops", "ada@example.com")
    make_team(db, "billing", "bob@example.com")
    feed = ChangeFeed(db, interval=0.1)

    async def scenario() -> None:
        ada = await feed.subscribe(scope_of(db, "ada@example.com"))
        everyone = await feed.subscribe(EVERYTHING)
        billing_id, _ = await in_thread(
            create, db, prometheus, "invoices stuck", responders=[{"type": "team", "name": "billing"}]
        )
        ops_id, _ = await in_thread(
            create, db, prometheus, "api down", responders=[{"type": "team", "name": "ops"}]
        )
        # Changes come in the order they were made: billing's alert would have come first.
        assert (await next_change(ada)).alert_id == ops_id
        assert [(await next_change(everyone)).alert_id for _ in range(2)] == [billing_id, ops_id]

        def add_ops_to_billing_alert() -> None:
            with db.write_session() as session:
                actions.add_responder(
                    session,
                    ref=AlertRef(billing_id),
                    actor=prometheus,
                    responder=ResponderRef.model_validate({"type": "team", "name": "ops"}),
                    field="responder",
                )

        await in_thread(add_ops_to_billing_alert)  # now ada may see it, and hears of it
        change = await next_change(ada)
        assert (change.alert_id, change.change) == (billing_id, "updated")
        feed.close()
        assert await ada.next(timeout=WAIT) is None and ada.closed

    run(scenario)


def test_the_database_is_read_only_while_someone_listens(db: Database, prometheus: Actor) -> None:
    statements: list[str] = []
    event.listen(db.read_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    feed = ChangeFeed(db, interval=0.05)

    async def scenario() -> None:
        await asyncio.sleep(0.3)  # six intervals with no listener
        assert statements == [] and feed.polls == 0
        listener = await feed.subscribe(EVERYTHING)
        await in_thread(create, db, prometheus, "disk full")
        await next_change(listener)
        assert feed.polls >= 1
        feed.unsubscribe(listener)
        await asyncio.sleep(0.1)  # the task sees it is alone and ends
        polls, read = feed.polls, len(statements)
        await asyncio.sleep(0.3)
        assert (feed.polls, len(statements)) == (polls, read)
        assert feed.listeners == 0

    run(scenario)


def test_a_listener_that_falls_behind_is_dropped_and_others_go_on(db: Database, prometheus: Actor) -> None:
    feed = ChangeFeed(db, interval=0.05)

    async def scenario() -> None:
        slow = await feed.subscribe(EVERYTHING, capacity=2)
        reader = await feed.subscribe(EVERYTHING)
        made = [await in_thread(create, db, prometheus, f"alert {n}") for n in range(3)]
        assert [(await next_change(reader)).alert_id for _ in made] == [alert_id for alert_id, _ in made]
        assert slow.dropped and slow.closed
        assert await slow.next() is None  # what it had queued is gone too
        assert feed.listeners == 1
        later, _ = await in_thread(create, db, prometheus, "one more")
        assert (await next_change(reader)).alert_id == later
        feed.unsubscribe(reader)

    run(scenario)


def test_entries_the_newest_of_which_were_deleted_are_not_missed(db: Database, prometheus: Actor) -> None:
    """SQLite gives the ids of deleted newest rows out again: the cursor moves back."""
    first, _ = create(db, prometheus, "first")
    with db.read_session() as session:
        cursor = LogCursor.at_end(session)
    with db.write_session() as session:
        actions.delete_alert(session, ref=AlertRef(first), actor=prometheus)
    second, _ = create(db, prometheus, "second")
    with db.read_session() as session:
        assert cursor.read(session) == {second: True}
    with db.write_session() as session:
        actions.delete_alert(session, ref=AlertRef(second), actor=prometheus)
    with db.read_session() as session:
        assert cursor.read(session) == {}  # read between the deletion and the next alert
    third, _ = create(db, prometheus, "third")
    with db.read_session() as session:
        assert cursor.read(session) == {third: True}
        assert cursor.read(session) == {}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_entry_committed_after_a_newer_one_is_still_seen(db: Database, prometheus: Actor) -> None:
    """On PostgreSQL ids are handed out before commit: a smaller one may show up later."""
    early, _ = create(db, prometheus, "early")
    late, _ = create(db, prometheus, "late")
    with db.read_session() as session:
        cursor = LogCursor.at_end(session)
    with db.write_session() as slow:
        add_log(slow, early, "Note added", prometheus, clock.now())  # takes the smaller id, commits last
        with db.write_session() as quick:
            add_log(quick, late, "Note added", prometheus, clock.now())
        with db.read_session() as session:
            assert cursor.read(session) == {late: False}
    with db.read_session() as session:
        assert cursor.read(session) == {early: False}
        assert cursor.read(session) == {}
