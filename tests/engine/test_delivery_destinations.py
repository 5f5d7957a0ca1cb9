"""Chat posts through the engine to a real HTTP server on loopback (a Mattermost incoming webhook):
one kept-alive client per destination; a destination that fails is down, probed one post at a
time, and its backlog goes at once when it answers again, in order per alert; other
destinations go on meanwhile; a refusal is still final."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.chat.test_mattermost_delivery import mattermost_answers
from tests.engine.conftest import EngineDriver
from tests.integrations.conftest import engine as engine  # an engine ticked by hand,
from tests.integrations.conftest import settings as settings  # with loopback allowed outbound
from tests.support.chat_posts import HOOK_PATH, TOPIC, add_hook, queue_posts
from tests.support.http_receiver import Answer, Received
from tests.support.keep_alive_receiver import KeepAliveReceiver
from tocsin import clock
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.notify.outbox import OutboxMessage
from tocsin.notify.outbox_destinations import OutboxDestination
from tocsin.writer import WriteQueue

ok = mattermost_answers


def unavailable(request: Received) -> Answer:
    return Answer(503, b"upstream down", {"Content-Type": "text/plain"})


@pytest.fixture
def chat() -> Iterator[KeepAliveReceiver]:
    with KeepAliveReceiver(ok) as server:
        yield server


@pytest.fixture
def other_chat() -> Iterator[KeepAliveReceiver]:
    with KeepAliveReceiver(ok) as server:
        yield server


def texts(server: KeepAliveReceiver) -> list[str]:
    return [request.json()["text"] for request in server.received]


def numbers_of(server: KeepAliveReceiver, alert: str) -> list[int]:
    return [int(text.split()[1]) for text in texts(server) if text.split()[0] == alert]


def messages(db: Database) -> list[OutboxMessage]:
    with db.read_session() as session:
        query = select(OutboxMessage).where(OutboxMessage.topic == TOPIC).order_by(OutboxMessage.id)
        found = session.scalars(query)
        return list(found)


def destinations(db: Database) -> list[OutboxDestination]:
    with db.read_session() as session:
        return list(session.scalars(select(OutboxDestination)))


def test_posts_to_one_chat_server_share_a_few_kept_alive_connections(db, chat, engine, settings):
    hook = add_hook(db, chat.url(HOOK_PATH))
    queue_posts(db, hook, [(None, n) for n in range(60)])
    engine.tick()
    queue_posts(db, hook, [(None, n) for n in range(60, 120)])
    engine.tick()  # a later tick reuses the same client and its connections
    assert sorted(int(text.split()[1]) for text in texts(chat)) == list(range(120))
    connections = settings.delivery_connections_per_destination  # 20
    assert 1 <= chat.connections <= connections  # the per-destination limit, not one per post
    assert {message.state for message in messages(db)} == {"delivered"}


def statements_during(db: Database, action: Callable[[], object]) -> int:
    """Statements run while ``action`` runs, less the savepoints around each message prepared
    (each message is prepared apart, so that a bad one cannot sink the round)."""
    count = 0

    def counted(connection: object, cursor: object, statement: str, *_: object) -> None:
        nonlocal count
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            count += 1

    event.listen(db.write_engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        event.remove(db.write_engine, "before_cursor_execute", counted)
    return count


def test_a_round_of_50_posts_takes_as_many_statements_as_a_round_of_1(db, chat, engine):
    hook = add_hook(db, chat.url(HOOK_PATH))
    queue_posts(db, hook, [(None, 0)])
    engine.tick()  # the engine's first tick takes its lease
    queue_posts(db, hook, [(None, 1)])
    one = statements_during(db, engine.tick)
    queue_posts(db, hook, [(None, n) for n in range(2, 52)])
    fifty = statements_during(db, engine.tick)
    assert len(chat.received) == 52
    assert fifty == one


def test_after_an_outage_the_backlog_goes_at_once_in_order_and_other_servers_are_not_held_back(
    db, chat, other_chat, engine, frozen_clock
):
    hook, other = add_hook(db, chat.url(HOOK_PATH)), add_hook(db, other_chat.url(HOOK_PATH), "db-chat")
    alerts = [f"alert-{a}" for a in range(20)]
    chat.respond = unavailable
    queue_posts(db, hook, [(alert, n) for alert in alerts[:19] for n in range(5)])
    engine.tick()
    assert len(chat.received) == 19  # the first post of each alert, each refused
    [down] = destinations(db)
    assert down.key == f"http://127.0.0.1:{chat.port}" and down.failures == 1

    # Posts keep coming during the outage, for a new alert too, and to another server.
    queue_posts(db, hook, [(alert, n) for alert in alerts[:19] for n in range(5, 10)])
    queue_posts(db, hook, [(alerts[19], n) for n in range(10)])
    queue_posts(db, other, [("alert-elsewhere", n) for n in range(3)])
    engine.tick()
    assert len(chat.received) == 19  # nothing more to the server that is down
    assert numbers_of(other_chat, "alert-elsewhere") == [0, 1, 2]

    probes = []
    for step in range(1, 41):  # 20 seconds of the outage, ticking every half second
        frozen_clock.advance(timedelta(seconds=0.5))
        before = len(chat.received)
        engine.tick()
        if len(chat.received) > before:
            assert len(chat.received) == before + 1  # one probe at a time
            probes.append(step / 2)
    assert probes == [1.0, 3.0, 7.0, 12.0, 17.0]  # 1, 2, 4 seconds apart, then at most 5
    waiting = [message for message in messages(db) if message.state == "pending"]
    assert all(message.next_attempt_at <= clock.now() for message in messages(db))
    assert sum(message.attempts for message in waiting) == 19 + len(probes)  # nothing but probes

    chat.respond = ok
    chat_requests_before = len(chat.received)
    frozen_clock.advance(timedelta(seconds=5))  # the next probe is due; it succeeds
    engine.tick()
    assert len(chat.received) - chat_requests_before == 200
    for alert in alerts:
        assert numbers_of(chat, alert)[-10:] == list(range(10)), alert
    assert {message.state for message in messages(db)} == {"delivered"}
    assert destinations(db) == []


def test_a_post_the_server_fails_on_alone_does_not_keep_its_other_posts_waiting(
    db, chat, engine, frozen_clock
):
    hook = add_hook(db, chat.url(HOOK_PATH))
    chat.respond = lambda request: unavailable(request) if "bad" in request.json()["text"] else ok(request)
    queue_posts(db, hook, [("alert-bad", 0)] + [("alert-1", n) for n in range(3)])
    frozen_clock.advance(timedelta(seconds=1))
    engine.tick()  # the bad post fails and its server is down; alert-1's first post went
    frozen_clock.advance(timedelta(seconds=1))
    engine.tick()  # the probe is another post: it goes, then the rest
    assert numbers_of(chat, "alert-1") == [0, 1, 2]
    assert [message.state for message in messages(db)] == ["pending"] + ["delivered"] * 3


def test_a_post_a_working_server_fails_on_with_500_waits_alone_and_the_server_stays_up(
    db, chat, engine, frozen_clock
):
    """A post that breaks the server (500) while the server takes the others: only that post
    backs off; the server is not marked down, so no later post waits for a probe each time the
    broken one is tried again."""
    hook = add_hook(db, chat.url(HOOK_PATH))

    def breaks_on_bad(request: Received) -> Answer:
        if "bad" in request.json()["text"]:
            return Answer(500, b"internal error", {"Content-Type": "text/plain"})
        return ok(request)

    chat.respond = breaks_on_bad
    queue_posts(db, hook, [("alert-bad", 0)] + [("alert-1", n) for n in range(3)])
    engine.tick()
    assert numbers_of(chat, "alert-1") == [0, 1, 2]  # all in the first tick: none waited for a probe
    assert destinations(db) == []
    bad = messages(db)[0]
    assert (bad.state, bad.attempts) == ("pending", 1) and "HTTP 500" in bad.last_error
    first_retry = bad.next_attempt_at
    assert first_retry > clock.now()  # a backoff of its own

    frozen_clock.advance(first_retry - clock.now() + timedelta(seconds=1))
    queue_posts(db, hook, [("alert-2", n) for n in range(3)])
    engine.tick()  # the broken post is tried again, fails again, and still holds no one back
    assert numbers_of(chat, "alert-2") == [0, 1, 2]
    assert destinations(db) == []
    bad = messages(db)[0]
    assert (bad.state, bad.attempts) == ("pending", 2)
    assert bad.next_attempt_at - clock.now() > timedelta(seconds=2)  # the backoff grows
    assert len([text for text in texts(chat) if text.startswith("alert-bad")]) == 2


def test_a_server_asking_to_retry_after_a_while_is_probed_no_sooner(db, chat, engine, frozen_clock):
    hook = add_hook(db, chat.url(HOOK_PATH))
    chat.respond = lambda request: Answer(429, b"slow down", {"Retry-After": "30"})
    queue_posts(db, hook, [("alert-1", n) for n in range(3)])
    engine.tick()
    for _ in range(29):
        frozen_clock.advance(timedelta(seconds=1))
        engine.tick()
    assert len(chat.received) == 1
    chat.respond = ok
    frozen_clock.advance(timedelta(seconds=1))
    engine.tick()
    assert numbers_of(chat, "alert-1") == [0, 0, 1, 2]


def test_a_server_refusing_posts_for_good_makes_dead_letters_at_once_and_is_not_down(db, chat, engine):
    hook = add_hook(db, chat.url(HOOK_PATH))
    chat.respond = lambda request: Answer(400, b'{"message": "Invalid webhook."}')
    queue_posts(db, hook, [(None, n) for n in range(3)])
    engine.tick()
    assert len(chat.received) == 3
    assert [message.state for message in messages(db)] == ["dead"] * 3
    assert all("Invalid webhook." in message.last_error for message in messages(db))
    assert destinations(db) == []


def test_posts_waiting_for_a_server_down_too_long_become_dead_letters(
    db, chat, engine, frozen_clock, settings
):
    hook = add_hook(db, chat.url(HOOK_PATH))
    chat.respond = unavailable
    queue_posts(db, hook, [("alert-1", n) for n in range(3)] + [(None, 0), (None, 1)])
    engine.tick()
    assert len(chat.received) == 3  # alert-1's first post and the two unordered ones
    frozen_clock.advance(timedelta(hours=settings.delivery_max_age_hours))
    engine.tick()
    assert len(chat.received) <= 4  # at most one more probe: the others are given up unsent
    assert [message.state for message in messages(db)] == ["dead"] * 5


def test_posts_waiting_their_turn_at_a_slow_server_are_not_counted_as_failures(db, settings):
    """One connection, a server taking 0.2 s a post: the last of 30 posts waits about 6 s for its
    turn, longer than a send may take (5 s here); waiting is not failing."""

    def slowly(request: Received) -> Answer:
        time.sleep(0.2)
        return ok(request)

    one_at_a_time = settings.model_copy(
        update={"delivery_connections_per_destination": 1, "smtp_timeout_seconds": 1}
    )
    with KeepAliveReceiver(slowly) as slow_chat:
        hook = add_hook(db, slow_chat.url(HOOK_PATH))
        queue_posts(db, hook, [(None, n) for n in range(30)])
        driver = EngineDriver(db, one_at_a_time)
        driver.start()
        try:
            driver.tick()
        finally:
            driver.stop()
        assert sorted(int(text.split()[1]) for text in texts(slow_chat)) == list(range(30))
    assert [(message.state, message.last_error) for message in messages(db)] == [("delivered", "")] * 30
    assert destinations(db) == []


def test_a_post_slower_than_its_round_lets_the_next_one_of_its_alert_go_without_waiting_for_a_tick(
    db, settings
):
    """The engine ticks once an hour here: only the end of the first send can start the round
    that records it and takes the alert's second post."""

    def slowly(request: Received) -> Answer:
        time.sleep(0.3)  # longer than a round waits for its sends
        return ok(request)

    hourly = settings.model_copy(update={"engine_tick_seconds": 3600.0})
    with KeepAliveReceiver(slowly) as slow_chat:
        hook = add_hook(db, slow_chat.url(HOOK_PATH))
        queue_posts(db, hook, [("a1", 1), ("a1", 2)])
        writer = WriteQueue(db)
        runner = build_engine(hourly, writer)
        writer.start()
        runner.start()
        try:
            deadline = time.monotonic() + 10
            while len(slow_chat.received) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            runner.stop()
            writer.stop()
        assert numbers_of(slow_chat, "a1") == [1, 2]
