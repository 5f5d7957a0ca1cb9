"""Rate limits written as ``limits`` strings ("10/5 minutes", "6000 per minute"), checked
against a storage that reads Tocsin's clock."""

from __future__ import annotations

import math

from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

from tocsin import clock
from tocsin.throttling.storage import ClockMemoryStorage


def parse_limit(text: str) -> RateLimitItem:
    """A limit such as ``10/5 minutes``; a limit always allows at least one request."""
    try:
        item = parse(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a rate limit: write it like '10/5 minutes' or '6000 per minute'"
        ) from None
    if item.amount < 1:
        raise ValueError(f"{text!r} allows nothing: a rate limit must allow at least 1 request")
    return item


class RateLimit:
    """One limit applied separately to each key (an address, an account, an API key).

    ``moving`` counts the hits of the last window (exact, one timestamp per hit: for small
    limits such as failed logins); otherwise a counter per fixed window (constant memory: for
    large limits such as API calls)."""

    def __init__(self, text: str, *, storage: ClockMemoryStorage, moving: bool, name: str) -> None:
        self.item = parse_limit(text)
        self.name = name
        self._limiter: RateLimiter = (
            MovingWindowRateLimiter(storage) if moving else FixedWindowRateLimiter(storage)
        )

    @property
    def period_seconds(self) -> int:
        return self.item.get_expiry()

    def wait_seconds(self, key: str) -> int:
        """0 if one more hit is allowed now, else how many seconds until it is."""
        if self._limiter.test(self.item, self.name, key):
            return 0
        reset = self._limiter.get_window_stats(self.item, self.name, key).reset_time
        return max(1, math.ceil(reset - clock.now().timestamp()))

    def hit(self, key: str) -> int:
        """Count one hit; returns 0 if it was allowed, else the seconds to wait before the next."""
        if self._limiter.hit(self.item, self.name, key):
            return 0
        return self.wait_seconds(key) or 1
