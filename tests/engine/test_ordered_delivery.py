"""Ordered deliveries: the posts about one alert reach a chat channel in the order they were
written, through outages, retries, dead letters and several engines."""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.db import Database
from tocsin.engine.deliveries import Deliveries, DeliverySettings, PermanentFailure
from tocsin.engine.runner import EngineRunner
from tocsin.notify import outbox
from tocsin.notify.outbox import Claimed, OutboxMessage
from tocsin.writer import WriteQueue

TOPIC = "test.chat-post"


@dataclass(frozen=True)
class Post:
    key: str | None
    n: int
    started: float
    ended: float


class FakeChatServer:
    """A chat server the test can take down (``down``: 503 for every post) or make refuse one post
    for good (``refused``); it records each post it accepts, with when its sending began and ended."""

    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, pause: float = 0.0) -> None:
        self.pause = pause
        self.down = False
        self.fail_once: set[tuple[str | None, int]] = set()
        self.refused: set[tuple[str | None, int]] = set()
        self.posts: list[Post] = []
        self._lock = threading.Lock()

    def prepare(self, session: Session, message: Claimed) -> Claimed:
        return message

    async def send(self, prepared: Claimed) -> None:
        started = time.monotonic()
        which = (prepared.ordering_key, prepared.payload["n"])
        if self.down:
            raise RuntimeError("HTTP 503 from the chat server")
        if which in self.fail_once:
            self.fail_once.discard(which)
            raise RuntimeError("HTTP 502 from the chat server")
        if which in self.refused:
            raise PermanentFailure("HTTP 400 from the chat server: the post is too long")
        if self.pause:
            await asyncio.sleep(random.uniform(0, self.pause))
        with self._lock:
            self.posts.append(Post(*which, started, time.monotonic()))

    def delivered(self, session: Session, message: Claimed) -> None:
        pass

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        pass

    def numbers(self, key: str | None) -> list[int]:
        return [post.n for post in self.posts if post.key == key]


class Engine:
    """An engine whose only channel is the fake chat server, ticked by hand."""

    def __init__(self, db: Database, server: FakeChatServer) -> None:
        self.writer = WriteQueue(db)
        self.deliveries = Deliveries([], [server], DeliverySettings())
        self.runner = EngineRunner(self.writer, [], self.deliveries, single=db.dialect == "sqlite")

    def tick(self) -> bool:
        return asyncio.run(self.runner.tick())


@pytest.fixture
def server() -> FakeChatServer:
    return FakeChatServer()


@pytest.fixture
def engine(db: Database, server: FakeChatServer) -> Iterator[Engine]:
    engine = Engine(db, server)
    engine.writer.start()
    yield engine
    engine.writer.stop()


ALERT_A = "integration-1:alert-a"
ALERT_B = "integration-1:alert-b"


def write(db: Database, *posts: tuple[str | None, int]) -> None:
    with db.write_session() as session:
        outbox.enqueue_many(
            session, [outbox.row(TOPIC, {"n": n}, destination="chat", ordering_key=key) for key, n in posts]
        )


def attempts(db: Database, key: str | None) -> list[int]:
    with db.read_session() as session:
        query = select(OutboxMessage.attempts).where(OutboxMessage.ordering_key == key)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def states(db: Database) -> set[str]:
    with db.read_session() as session:
        return set(session.scalars(select(OutboxMessage.state)))


def test_posts_held_back_by_an_outage_arrive_in_order_once_the_server_is_back(
    db, engine, server, frozen_clock
):
    server.down = True
    write(db, *[(ALERT_A, n) for n in range(5)])
    engine.tick()
    for _ in range(6):  # down for a while: only the first post is tried, and tried again
        frozen_clock.advance(timedelta(minutes=2))
        engine.tick()
    assert server.posts == []
    first, *behind = attempts(db, ALERT_A)
    assert first > 1 and behind == [0, 0, 0, 0]
    server.down = False
    frozen_clock.advance(timedelta(minutes=30))
    engine.tick()
    assert server.numbers(ALERT_A) == [0, 1, 2, 3, 4]
    assert states(db) == {"delivered"}


def test_one_alert_held_back_delays_no_other_alert_and_no_unordered_message(db, engine, server):
    write(db, (ALERT_A, 0), (ALERT_A, 1), (ALERT_B, 0), (None, 0), (ALERT_B, 1), (None, 1), (ALERT_A, 2))
    server.fail_once.add((ALERT_A, 0))
    engine.tick()
    assert server.numbers(ALERT_A) == []
    assert server.numbers(ALERT_B) == [0, 1]
    assert sorted(server.numbers(None)) == [0, 1]


def test_a_post_failing_midway_holds_back_the_later_ones_until_its_retry(db, engine, server, frozen_clock):
    write(db, *[(ALERT_A, n) for n in range(5)])
    server.fail_once.add((ALERT_A, 2))
    engine.tick()
    assert server.numbers(ALERT_A) == [0, 1]
    frozen_clock.advance(timedelta(seconds=2))  # the first retry waits at least 2.5 s
    engine.tick()
    assert server.numbers(ALERT_A) == [0, 1]
    frozen_clock.advance(timedelta(seconds=10))
    engine.tick()
    assert server.numbers(ALERT_A) == [0, 1, 2, 3, 4]
    assert attempts(db, ALERT_A) == [1, 1, 2, 1, 1]


def test_a_burst_of_posts_about_one_alert_goes_out_within_one_tick(db, engine, server):
    write(db, *[(ALERT_A, n) for n in range(12)])
    engine.tick()
    assert server.numbers(ALERT_A) == list(range(12))


def test_a_post_refused_for_good_does_not_hold_back_the_ones_after_it(db, engine, server):
    write(db, *[(ALERT_A, n) for n in range(3)])
    server.refused.add((ALERT_A, 0))
    engine.tick()
    assert server.numbers(ALERT_A) == [1, 2]
    with db.read_session() as session:
        (dead,) = outbox.listing(session, failed_only=True)
    assert dead.state == "dead" and dead.payload == {"n": 0} and "too long" in dead.last_error


def test_a_post_given_up_after_a_long_outage_does_not_hold_back_later_posts(db, engine, server, frozen_clock):
    server.down = True
    write(db, (ALERT_A, 0))
    for _ in range(26):
        engine.tick()
        frozen_clock.advance(timedelta(hours=1))
    assert states(db) == {"dead"}
    server.down = False
    write(db, (ALERT_A, 1), (ALERT_A, 2))
    engine.tick()
    assert server.numbers(ALERT_A) == [1, 2]


KEYS = [f"integration-1:alert-{letter}" for letter in "abcdefgh"]
POSTS_PER_KEY = 12


def test_two_engines_never_send_the_posts_of_one_alert_out_of_order_or_twice(db, database_url):
    server = FakeChatServer(pause=0.005)
    posts = [(key, n) for n in range(POSTS_PER_KEY) for key in KEYS] + [(None, n) for n in range(30)]
    write(db, *posts)
    # Two engines as two processes would be: their own connections and write queues.
    databases = [Database(database_url), Database(database_url)]
    engines = [Engine(database, server) for database in databases]

    def undelivered() -> int:
        with db.read_session() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "delivered")
                )
                or 0
            )

    def run(engine: Engine) -> None:
        for _ in range(60):
            if not undelivered():
                return
            engine.tick()

    try:
        for engine in engines:
            engine.writer.start()
        threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for engine in engines:
            engine.writer.stop()
        for database in databases:
            database.dispose()
    assert undelivered() == 0
    for key in KEYS:
        sent = sorted((post for post in server.posts if post.key == key), key=lambda post: post.started)
        assert [post.n for post in sent] == list(range(POSTS_PER_KEY)), key
        assert all(later.started >= earlier.ended for earlier, later in itertools.pairwise(sent))
    assert sorted(server.numbers(None)) == list(range(30))
    claimed = [engine.deliveries.claimed_total for engine in engines]
    assert sum(claimed) == len(posts)
    if db.dialect == "postgresql":
        assert all(claimed), claimed  # both engines delivered, side by side
