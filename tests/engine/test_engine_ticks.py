"""An engine writes when it ticked, so any node can tell that one runs; it signs off on stop."""

from __future__ import annotations

from datetime import timedelta

from tocsin.engine import ticks


def last_tick(db):
    with db.read_session() as session:
        return ticks.last(session)


def test_a_ticking_engine_is_seen_and_a_stopped_one_is_not(db, make_engine, frozen_clock):
    assert last_tick(db) is None
    driver = make_engine()
    driver.tick()
    assert last_tick(db) == frozen_clock.now()

    frozen_clock.advance(timedelta(seconds=2))
    driver.tick()  # sooner than RECORD_EVERY: no write for it
    assert last_tick(db) == frozen_clock.now() - timedelta(seconds=2)
    frozen_clock.advance(ticks.RECORD_EVERY)
    driver.tick()
    assert last_tick(db) == frozen_clock.now()

    driver.engine.start()
    driver.engine.stop()
    assert last_tick(db) is None


def test_the_latest_of_several_engines_counts_and_dead_ones_are_cleared(db, frozen_clock):
    now = frozen_clock.now()
    with db.write_session() as session:
        ticks.record(session, "dead", now - ticks.FORGET_AFTER - timedelta(minutes=1))
        ticks.record(session, "a", now - timedelta(seconds=40))
        ticks.record(session, "b", now - timedelta(seconds=3))
    with db.read_session() as session:
        assert ticks.last(session) == now - timedelta(seconds=3)
    with db.write_session() as session:
        ticks.record(session, "c", now)  # a new engine's first row clears rows a day old
    with db.read_session() as session:
        holders = {row.holder for row in session.connection().execute(ticks.ticks.select())}
    assert holders == {"a", "b", "c"}
