"""The databases a benchmark runs on: a fresh SQLite file, or a fresh database on a private,
durable PostgreSQL server started from Debian's binaries (fsync on, as in production)."""

from __future__ import annotations

import itertools
import tempfile

from tests.support.postgres import PostgresServer, execute_admin

BACKENDS = ("sqlite", "postgresql", "both")


def chosen(backend: str) -> list[str]:
    """The databases ``--backend`` names."""
    return ["sqlite", "postgresql"] if backend == "both" else [backend]


class Databases:
    """Fresh databases on demand, one per benchmark run; one PostgreSQL server for them all,
    started the first time it is needed and stopped on leaving the ``with`` block."""

    def __init__(self) -> None:
        self._pg: PostgresServer | None = None
        self._directories: list[tempfile.TemporaryDirectory[str]] = []
        self._numbers = itertools.count(1)

    @property
    def postgres(self) -> PostgresServer:
        if self._pg is None:
            self._pg = PostgresServer(durable=True)
            self._pg.start()
        return self._pg

    def fresh(self, backend: str) -> str:
        """A new, empty database: its SQLAlchemy URL."""
        if backend == "sqlite":
            directory = tempfile.TemporaryDirectory(prefix="tocsin-bench-db-")
            self._directories.append(directory)
            return f"sqlite:///{directory.name}/bench.db"
        name = f"bench{next(self._numbers)}"
        execute_admin(self.postgres.admin_url, f"CREATE DATABASE {name}")
        return self.postgres.url(name)

    def __enter__(self) -> Databases:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pg is not None:
            self._pg.stop()
        for directory in self._directories:
            directory.cleanup()
