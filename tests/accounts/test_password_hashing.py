"""Password hashes (argon2, 64 MiB each) are computed a bounded number at a time, so a flood of
logins can neither exhaust memory nor starve the API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tocsin.accounts import passwords
from tocsin.errors import ServerBusy


@pytest.fixture
def stored() -> str:
    return passwords.hash_password("correct horse")


@pytest.fixture
def bound(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(passwords, "_turns", passwords.hashing_turns())
    yield


def test_the_n_plus_first_concurrent_hash_is_refused_when_no_turn_comes(stored: str, bound: None) -> None:
    turns = passwords.limit_hashing(concurrency=2, wait_seconds=0)

    with turns.turn(), turns.turn():  # two hashes running
        with pytest.raises(ServerBusy) as refused:
            passwords.verify_password(stored, "correct horse")
        with pytest.raises(ServerBusy):
            passwords.hash_password("another one")
    assert refused.value.retry_after == 1
    assert passwords.verify_password(stored, "correct horse")


def test_a_hash_beyond_the_bound_waits_for_a_turn_and_then_runs(stored: str, bound: None) -> None:
    turns = passwords.limit_hashing(concurrency=1, wait_seconds=600)
    results: list[bool] = []
    finished = threading.Event()

    def log_in() -> None:
        results.append(passwords.verify_password(stored, "correct horse"))
        finished.set()

    with turns.turn():
        waiting = threading.Thread(target=log_in)
        waiting.start()
        assert not finished.is_set()  # it cannot have run: the only turn is taken
    waiting.join()

    assert results == [True]


def test_callers_beyond_the_waiting_room_are_refused_at_once(stored: str, bound: None) -> None:
    turns = passwords.limit_hashing(concurrency=1, wait_seconds=600)
    waiters = [threading.Thread(target=passwords.verify_password, args=(stored, "x")) for _ in range(8)]

    with turns.turn():
        for waiter in waiters:
            waiter.start()
        while turns.waiting < turns.max_waiting:  # until all eight wait for the one turn
            time.sleep(0.001)
        with pytest.raises(ServerBusy):
            passwords.verify_password(stored, "correct horse")
    for waiter in waiters:
        waiter.join()

    assert turns.waiting == 0
    assert passwords.verify_password(stored, "correct horse")


def test_a_wrong_password_still_gives_its_turn_back(stored: str, bound: None) -> None:
    passwords.limit_hashing(concurrency=1, wait_seconds=0)

    assert not passwords.verify_password(stored, "wrong horse")
    assert not passwords.verify_password("not a hash", "wrong horse")
    assert passwords.verify_password(stored, "correct horse")
