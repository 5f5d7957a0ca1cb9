"""Rate limits read Tocsin's clock, say how long to wait, and forget keys whose window passed."""

from __future__ import annotations

from datetime import timedelta

from tocsin.clock import FrozenClock
from tocsin.throttling.limits import RateLimit
from tocsin.throttling.storage import SWEEP_EVERY, ClockMemoryStorage


def test_a_moving_window_frees_one_hit_as_the_oldest_leaves_it(frozen_clock: FrozenClock) -> None:
    limit = RateLimit("2/minute", storage=ClockMemoryStorage(), moving=True, name="test")
    assert limit.hit("a") == 0
    frozen_clock.advance(timedelta(seconds=20))
    assert limit.hit("a") == 0

    assert limit.hit("a") == 40
    assert limit.wait_seconds("b") == 0
    frozen_clock.advance(timedelta(seconds=40))
    assert limit.wait_seconds("a") == 0
    assert limit.hit("a") == 0
    assert limit.hit("a") == 20


def test_a_fixed_window_starts_over_when_it_ends(frozen_clock: FrozenClock) -> None:
    limit = RateLimit("3/minute", storage=ClockMemoryStorage(), moving=False, name="test")
    assert [limit.hit("key") for _ in range(4)] == [0, 0, 0, 60]
    frozen_clock.advance(timedelta(seconds=59))
    assert limit.wait_seconds("key") == 1
    frozen_clock.advance(timedelta(seconds=1))
    assert limit.hit("key") == 0


def test_keys_whose_window_has_passed_are_forgotten(frozen_clock: FrozenClock) -> None:
    storage = ClockMemoryStorage()
    failures = RateLimit("10/5 minutes", storage=storage, moving=True, name="addresses")
    calls = RateLimit("100/minute", storage=storage, moving=False, name="keys")
    for number in range(SWEEP_EVERY):
        failures.hit(f"address {number}")
        calls.hit(f"key {number}")
    assert len(storage) == 2 * SWEEP_EVERY

    frozen_clock.advance(timedelta(minutes=5))
    for _ in range(SWEEP_EVERY):
        failures.hit("still trying")

    assert len(storage) == 1
