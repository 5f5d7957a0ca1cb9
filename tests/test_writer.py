"""The write queue: batches share a transaction, yet each job or item stands alone."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from tests.support.factories import make_team
from tocsin.db import Database
from tocsin.teams import service as teams
from tocsin.teams.models import Team
from tocsin.writer import Batched, WriteQueue


@pytest.fixture
def writer(db: Database) -> Iterator[WriteQueue]:
    queue = WriteQueue(db)
    queue.start()
    yield queue
    queue.stop()


def test_a_failing_job_is_undone_alone(writer, db):
    def create(name: str, fail: bool = False):
        def job(session: Session) -> str:
            teams.create_team(session, name=name)
            if fail:
                raise RuntimeError("boom")
            return name

        return job

    futures = [writer.submit(create("a")), writer.submit(create("b", fail=True)), writer.submit(create("c"))]
    assert futures[0].result() == "a" and futures[2].result() == "c"
    with pytest.raises(RuntimeError):
        futures[1].result()
    with db.read_session() as session:
        assert sorted(session.scalars(select(Team.name))) == ["a", "c"]


def test_items_of_a_kind_run_together_and_alone_when_the_batch_fails(writer, db):
    calls: list[list[str]] = []

    def run(session: Session, names: list[str]) -> list[str | Exception]:
        calls.append(list(names))
        for name in names:
            if name == "poison" and len(names) > 1:
                raise RuntimeError("cannot do this one in company")
            teams.create_team(session, name=name)
        return [f"made {name}" for name in names]

    kind = Batched("teams", run)

    async def submit_all() -> list[object]:
        return await asyncio.gather(
            *(writer.run_item(kind, name) for name in ("x", "poison", "y")), return_exceptions=True
        )

    make_team(db, "warm-up")
    results = asyncio.run(submit_all())
    assert results == ["made x", "made poison", "made y"]
    assert ["x", "poison", "y"] in calls or all(len(call) == 1 for call in calls)
    with db.read_session() as session:
        assert sorted(session.scalars(select(Team.name))) == ["poison", "warm-up", "x", "y"]


def test_an_item_can_fail_with_its_own_error(writer):
    kind = Batched(
        "checks", lambda session, items: [ValueError(item) if item < 0 else item for item in items]
    )

    async def submit() -> list[object]:
        return await asyncio.gather(*(writer.run_item(kind, n) for n in (1, -2, 3)), return_exceptions=True)

    first, second, third = asyncio.run(submit())
    assert (first, third) == (1, 3) and isinstance(second, ValueError)


def test_a_job_whose_caller_stopped_waiting_is_not_run_and_the_writer_goes_on(writer, db):
    first_may_end = threading.Event()

    def first(session: Session) -> str:
        first_may_end.wait(10)
        return "first"

    def create(name: str):
        return lambda session: teams.create_team(session, name=name).name

    running = writer.submit(first)
    given_up = writer.submit(create("given-up"))
    assert given_up.cancel()  # as asyncio does for a request task cancelled while it waits
    first_may_end.set()
    assert running.result() == "first"
    assert writer.submit(create("after")).result() == "after"
    with db.read_session() as session:
        assert sorted(session.scalars(select(Team.name))) == ["after"]


def test_a_request_cancelled_while_it_waits_is_not_written_and_others_are_answered(writer, db):
    first_started, first_may_end = threading.Event(), threading.Event()

    def first(session: Session) -> str:
        first_started.set()
        first_may_end.wait(10)
        return "first"

    async def scenario() -> tuple[str, str]:
        running = asyncio.ensure_future(writer.run(first))
        await asyncio.to_thread(first_started.wait, 10)
        given_up = asyncio.ensure_future(
            writer.run(lambda session: teams.create_team(session, name="given-up"))
        )
        await asyncio.sleep(0.05)  # queued behind the first job
        given_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await given_up
        await asyncio.sleep(0.01)  # the cancel reaches the writer's side of the hand-off
        first_may_end.set()
        after = await writer.run(lambda session: teams.create_team(session, name="after").name)
        return await running, after

    assert asyncio.run(scenario()) == ("first", "after")
    with db.read_session() as session:
        assert sorted(session.scalars(select(Team.name))) == ["after"]


def _held_back(writer: WriteQueue, kind: Batched[str, str], items: tuple[str, ...]) -> list[object]:
    """Run ``items`` as one batch: they queue while a job holds the writer, then go together."""
    first_started, first_may_end = threading.Event(), threading.Event()

    def first(session: Session) -> None:
        first_started.set()
        first_may_end.wait(10)

    async def scenario() -> list[object]:
        running = asyncio.ensure_future(writer.run(first))
        await asyncio.to_thread(first_started.wait, 10)
        waiting = [asyncio.ensure_future(writer.run_item(kind, item)) for item in items]
        await asyncio.sleep(0.05)  # all queued behind the first job
        first_may_end.set()
        await running
        return await asyncio.gather(*waiting, return_exceptions=True)

    return asyncio.run(scenario())


def _make_teams(calls: list[list[str]]) -> Batched[str, str]:
    def run(session: Session, names: list[str]) -> list[str | Exception]:
        calls.append(list(names))
        for name in names:
            teams.create_team(session, name=name)
            if name == "poison" and len(names) > 1:
                raise RuntimeError("cannot do this one in company")
        return [f"made {name}" for name in names]

    return Batched("teams", run)


def test_a_batch_of_one_kind_takes_no_savepoint(writer, db):
    calls: list[list[str]] = []
    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]).upper())

    event.listen(db.write_engine, "before_cursor_execute", listener)
    try:
        results = _held_back(writer, _make_teams(calls), ("x", "y", "z"))
    finally:
        event.remove(db.write_engine, "before_cursor_execute", listener)
    assert results == ["made x", "made y", "made z"] and calls == [["x", "y", "z"]]
    assert len([s for s in statements if s.startswith("INSERT INTO TEAM")]) == 3
    assert [s for s in statements if "SAVEPOINT" in s] == []


def test_when_a_whole_batch_of_one_kind_fails_its_writes_are_undone_and_each_item_runs_alone(writer, db):
    calls: list[list[str]] = []
    results = _held_back(writer, _make_teams(calls), ("x", "poison", "y"))
    assert results == ["made x", "made poison", "made y"]
    assert calls == [["x", "poison", "y"], ["x"], ["poison"], ["y"]]
    with db.read_session() as session:  # the batch's "x" and "poison" are not there twice
        assert sorted(session.scalars(select(Team.name))) == ["poison", "x", "y"]


def test_one_batch_answers_callers_waiting_in_different_event_loops_and_threads(writer, db):
    """The API's event loop, the engine's and a plain thread share one writer: a batch holding
    jobs of all three answers each where it waits, errors included."""
    first_started, first_may_end = threading.Event(), threading.Event()

    def first(session: Session) -> str:
        first_started.set()
        first_may_end.wait(10)
        return "first"

    def create(name: str) -> object:
        def job(session: Session) -> str:
            teams.create_team(session, name=name)
            if name.startswith("bad"):
                raise ValueError(f"{name} refused")
            return name

        return job

    answers: dict[str, object] = {}

    def in_a_loop_of_its_own(prefix: str) -> None:
        async def scenario() -> list[object]:
            return await asyncio.gather(
                writer.run(create(f"{prefix}-a")), writer.run(create(f"bad-{prefix}")), return_exceptions=True
            )

        answers[prefix] = [str(answer) for answer in asyncio.run(scenario())]

    running = writer.submit(first)
    assert first_started.wait(10)
    loops = [threading.Thread(target=in_a_loop_of_its_own, args=(prefix,)) for prefix in ("api", "engine")]
    for thread in loops:
        thread.start()
    from_a_thread = writer.submit(create("plain"))
    time.sleep(0.1)  # all queued behind the first job: they go as one batch
    first_may_end.set()
    for thread in loops:
        thread.join(10)
    assert running.result(10) == "first" and from_a_thread.result(10) == "plain"
    assert answers == {"api": ["api-a", "bad-api refused"], "engine": ["engine-a", "bad-engine refused"]}
    with db.read_session() as session:
        assert sorted(session.scalars(select(Team.name))) == ["api-a", "engine-a", "plain"]


def test_every_job_put_before_stopping_runs(db):
    queue = WriteQueue(db, name="writer-being-stopped")
    queue.start()
    futures = [queue.submit(lambda session, n=n: n) for n in range(50)]

    queue.stop()

    assert [future.result(timeout=0) for future in futures] == list(range(50))
    assert not [thread for thread in threading.enumerate() if thread.name == queue.name]


def test_a_batch_whose_connection_the_server_closed_is_written_on_a_new_one(writer, db):
    """Writes skip the pool's ping on PostgreSQL: a restarted server costs a retry, not a failure."""
    if db.dialect == "sqlite":
        pytest.skip("SQLite has no server to lose")
    assert writer.call(lambda session: teams.create_team(session, name="before").name) == "before"
    with db.read_session() as session:
        closed = session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    assert closed  # the writer's pooled connection among them

    assert writer.call(lambda session: teams.create_team(session, name="after").name) == "after"
    with db.read_session() as session:
        assert set(session.scalars(select(Team.name))) == {"before", "after"}


def test_waiting_until_idle_waits_for_work_nobody_waits_for(writer, db):
    inside, release = threading.Event(), threading.Event()
    written: list[str] = []

    def slow(session: Session) -> None:
        inside.set()
        assert release.wait(10)
        written.append("slow")

    writer.submit(slow)  # nobody waits for its future, as for a page's "last seen"
    writer.submit(lambda session: written.append("after"))
    assert inside.wait(10)

    assert not writer.wait_idle(timeout=0.2)
    release.set()
    assert writer.wait_idle(timeout=10)
    assert written == ["slow", "after"]
