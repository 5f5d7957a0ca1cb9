"""Several nodes started at once all migrate on start (``tocsin serve`` does): the first does the
work and the others find it done, instead of failing on tables another node just created."""

from __future__ import annotations

import multiprocessing

from tests.support.revisions import revision_of
from tests.test_cli import TIMEOUT, empty
from tocsin.migrate import upgrade

NODES = 3


def test_nodes_migrating_an_empty_database_at_once_all_start(database_url: str) -> None:
    head = revision_of(database_url)
    empty(database_url)
    # Processes, as nodes are (Alembic's context is one per process); forked, to start quickly.
    forked = multiprocessing.get_context("fork")
    nodes = [forked.Process(target=upgrade, args=(database_url,)) for _ in range(NODES)]

    for node in nodes:
        node.start()
    for node in nodes:
        node.join(TIMEOUT)

    assert [node.exitcode for node in nodes] == [0] * NODES
    assert revision_of(database_url) == head
