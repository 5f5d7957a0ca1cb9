"""Backups of Tocsin's database and their restore: SQLite through its online backup API,
PostgreSQL through ``pg_dump``/``pg_restore``. Each restore checks the file before touching the
database and leaves the database as it was when anything fails."""
