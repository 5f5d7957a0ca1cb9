"""Password hashes (argon2), computed a bounded number at a time.

Each argon2 hash takes 64 MiB and tens of milliseconds of a core. Without a bound, a flood of
logins took the server from 371 MB to 1.4 GB and starved the API; with it, at most
``concurrency`` hashes run at once, at most ``WAITING_PER_TURN`` callers per turn wait, and a
caller waits at most ``wait_seconds`` for its turn; otherwise it is refused with ServerBusy
(the web answers 503 with Retry-After)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tocsin.errors import ServerBusy

_hasher = PasswordHasher()

# Verified when a username is unknown, so a login takes as long whether or not the user exists.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_LENGTH = 8


WAITING_PER_TURN = 8
"""Callers that may wait for each turn; more are refused at once. A waiting caller holds one of
the server's worker threads, so the queue must stay short for the API to keep its threads."""


class HashingTurns:
    """At most ``concurrency`` password hashes at a time, a bounded wait for a turn and a
    bounded number of callers waiting."""

    def __init__(self, concurrency: int, wait_seconds: float) -> None:
        self.concurrency = concurrency
        self.wait_seconds = wait_seconds
        self.max_waiting = concurrency * WAITING_PER_TURN
        self.waiting = 0
        self._turns = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()

    def _busy(self) -> ServerBusy:
        return ServerBusy(
            "The server is busy checking other passwords.", retry_after=max(1, round(self.wait_seconds))
        )

    def _acquire(self) -> None:
        if self._turns.acquire(blocking=False):
            return
        with self._lock:
            if self.waiting >= self.max_waiting:
                raise self._busy()
            self.waiting += 1
        try:
            got_one = self._turns.acquire(timeout=self.wait_seconds)
        finally:
            with self._lock:
                self.waiting -= 1
        if not got_one:
            raise self._busy()

    @contextmanager
    def turn(self) -> Iterator[None]:
        self._acquire()
        try:
            yield
        finally:
            self._turns.release()


_turns = HashingTurns(concurrency=2, wait_seconds=5.0)


def limit_hashing(concurrency: int, wait_seconds: float) -> HashingTurns:
    """Set the bound for this process (the application does, from its settings)."""
    global _turns
    if (concurrency, wait_seconds) != (_turns.concurrency, _turns.wait_seconds):
        _turns = HashingTurns(concurrency, wait_seconds)
    return _turns


def hashing_turns() -> HashingTurns:
    return _turns


def hash_password(password: str) -> str:
    with _turns.turn():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    with _turns.turn():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def random_password() -> str:
    return secrets.token_urlsafe(15)
