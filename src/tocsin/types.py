"""Column types used by several domain packages."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.dialects.postgresql import JSONB

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
"""A JSON value: JSONB on PostgreSQL (indexable, comparable), JSON text on SQLite."""

AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit auto-incrementing key (SQLite only auto-increments INTEGER PRIMARY KEY)."""
