"""Writers of one process take SQLite's write lock in turns, first come first served."""

from __future__ import annotations

import threading

from tocsin.turns import Turns


def _wait_until(condition) -> None:
    event = threading.Event()
    while not condition():
        event.wait(0.001)


def test_waiting_threads_get_their_turn_in_the_order_they_asked():
    turns, order = Turns(), []
    turns.__enter__()
    threads = []
    for name in ("first", "second", "third"):
        thread = threading.Thread(target=lambda name=name: _take_once(turns, order, name))
        thread.start()
        threads.append(thread)
        _wait_until(lambda count=len(threads): len(turns._waiting) == count)
    turns.__exit__(None, None, None)
    for thread in threads:
        thread.join()
    assert order == ["first", "second", "third"]


def _take_once(turns: Turns, order: list[str], name: str) -> None:
    with turns:
        order.append(name)


def test_a_busy_writer_cannot_keep_a_waiting_one_out():
    turns, order = Turns(), []
    waiter_asked = threading.Event()
    rounds_after_waiter_asked = 0

    def busy() -> None:
        nonlocal rounds_after_waiter_asked
        while "waiter" not in order:
            with turns:
                if waiter_asked.is_set():
                    rounds_after_waiter_asked += 1
                order.append("busy")

    def waiter() -> None:
        waiter_asked.set()
        with turns:
            order.append("waiter")

    busy_thread = threading.Thread(target=busy)
    busy_thread.start()
    _wait_until(lambda: len(order) > 100)
    waiter_thread = threading.Thread(target=waiter)
    waiter_thread.start()
    waiter_thread.join()
    busy_thread.join()
    assert rounds_after_waiter_asked <= 2


def test_the_holder_may_take_it_again_inside():
    turns = Turns()
    with turns, turns:
        pass
    with turns:  # and it is free afterwards
        pass
