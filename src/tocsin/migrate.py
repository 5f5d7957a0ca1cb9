"""Apply the Alembic migrations; the schema exists only through them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from tocsin.db import normalise_url


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "tocsin:migrations")
    config.attributes["database_url"] = normalise_url(database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
