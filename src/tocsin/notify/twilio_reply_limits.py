"""Answers that change nothing (to an unknown number, to nonsense) go to one number a few times
an hour at most: two auto-responders must not text each other without end, at the account's
cost. Kept in each process (a loop goes through one server at a time); a number that acts on an
alert starts its count afresh."""

from __future__ import annotations

from datetime import datetime, timedelta

PASSIVE_LIMIT = 5
WINDOW = timedelta(hours=1)
_TRACKED_MAX = 10_000
"""Numbers kept at most; beyond it, those quiet for a window are forgotten."""


class PassiveReplies:
    def __init__(self, *, limit: int = PASSIVE_LIMIT, window: timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._sent: dict[str, list[datetime]] = {}

    def allow(self, number: str, now: datetime) -> bool:
        """Whether one more such answer may go to ``number`` now (counted when it may)."""
        recent = [at for at in self._sent.get(number, []) if at > now - self.window]
        if len(recent) >= self.limit:
            self._sent[number] = recent
            return False
        self._sent[number] = [*recent, now]
        if len(self._sent) > _TRACKED_MAX:
            self._forget_quiet(now)
        return True

    def acted(self, number: str) -> None:
        self._sent.pop(number, None)

    def _forget_quiet(self, now: datetime) -> None:
        for number in [n for n, times in self._sent.items() if not times or times[-1] <= now - self.window]:
            del self._sent[number]
