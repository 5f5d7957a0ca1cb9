"""Running Debian's PostgreSQL client programs (pg_dump, pg_restore) against Tocsin's database.

The connection comes from TOCSIN_DATABASE_URL; its password goes to the programs through the
environment (``PGPASSWORD``), never on their command line, where any user could read it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from tocsin.backups.common import BackupError

PACKAGE = "postgresql-client"


@dataclass(frozen=True)
class Connection:
    """A libpq connection string without the password, and the password on its own."""

    conninfo: str
    password: str | None

    @classmethod
    def of(cls, url: str) -> Connection:
        parsed = make_url(url)
        options = {name: str(value) for name, value in parsed.query.items()}
        password = parsed.password or options.pop("password", None)
        conninfo = make_conninfo(
            "",
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            dbname=parsed.database,
            **options,
        )
        return cls(conninfo, str(password) if password is not None else None)

    @property
    def with_password(self) -> str:
        return make_conninfo(self.conninfo, password=self.password) if self.password else self.conninfo

    def environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        if self.password is not None:
            environment["PGPASSWORD"] = self.password
        return environment


def program(name: str, server_major: int) -> str:
    """The path of ``name``, checked to be able to talk to a server of version ``server_major``."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed or not on PATH: install Debian's {PACKAGE} package "
            f"(apt install {PACKAGE}-{server_major}, or {PACKAGE} when it is that version)"
        )
    answer = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    version = re.search(r"\)\s+(\d+)", answer.stdout)
    if answer.returncode != 0 or version is None:
        raise BackupError(
            f"cannot tell which version {found} is ({answer.stdout.strip() or answer.stderr.strip()})"
        )
    major = int(version[1])
    if major < server_major:
        raise BackupError(
            f"{found} is version {major}, older than the PostgreSQL {server_major} server: "
            f"install {PACKAGE}-{server_major} (Debian; from apt.postgresql.org if your release lacks it) "
            "and put its bin directory first on PATH"
        )
    return found


def run(arguments: list[str], connection: Connection, what: str) -> str:
    """Run a client program; its stdout, or a BackupError with the first lines it printed."""
    answer = subprocess.run(
        arguments, capture_output=True, text=True, env=connection.environment(), check=False
    )
    if answer.returncode != 0:
        said = " ".join(line.strip() for line in answer.stderr.splitlines()[:3])
        raise BackupError(
            f"{what} failed: {said or f'{Path(arguments[0]).name} exited with {answer.returncode}'}"
        )
    return answer.stdout
