"""Random ids (UUID version 4) for rows and requests.

The random bytes come from the operating system a few thousand at a time: an ``os.urandom`` call
per id (as ``uuid.uuid4`` makes) gives the interpreter lock away and must win it back from the
other thread of the process, which cost alert creates a few percent of their time. The bytes are
the same quality; a forked child starts with none of its parent's."""

from __future__ import annotations

import os
import threading
import uuid

_BYTES_AT_ONCE = 16 * 256
_local = threading.local()


def new_id() -> str:
    pool: bytes = getattr(_local, "pool", b"")
    at: int = getattr(_local, "at", 0)
    if at + 16 > len(pool):
        pool, at = os.urandom(_BYTES_AT_ONCE), 0
        _local.pool = pool
    _local.at = at + 16
    return str(uuid.UUID(bytes=pool[at : at + 16], version=4))


def _forget() -> None:
    _local.pool, _local.at = b"", 0


os.register_at_fork(after_in_child=_forget)
