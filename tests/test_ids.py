"""Row and request ids: random UUIDs (version 4) that never repeat, in any thread or process."""

from __future__ import annotations

import multiprocessing
import threading
import uuid

from tocsin.ids import new_id


def test_ids_are_random_version_4_uuids_and_do_not_repeat_across_many_pools():
    ids = [new_id() for _ in range(5000)]  # several refills of the pool of random bytes
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(one).version for one in ids} == {4}
    assert all(str(uuid.UUID(one)) == one for one in ids)


def test_threads_draw_ids_of_their_own():
    found: list[list[str]] = []

    def draw() -> None:
        found.append([new_id() for _ in range(1000)])

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [one for ids in found for one in ids]
    assert len(set(everything)) == 4000


def _child_ids(pipe) -> None:  # type: ignore[no-untyped-def]
    pipe.send([new_id() for _ in range(10)])


def test_a_forked_child_does_not_repeat_its_parents_next_ids():
    new_id()  # the parent has random bytes in hand
    parent_end, child_end = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_child_ids, args=(child_end,))
    child.start()
    from_child = parent_end.recv()
    child.join()
    from_parent = [new_id() for _ in range(10)]
    assert not set(from_child) & set(from_parent)
