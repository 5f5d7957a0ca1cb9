"""Leases for work only one engine may do at a time (on SQLite: all of it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.db import table_of
from tocsin.engine.models import EngineLease

leases = table_of(EngineLease)


def hold(session: Session, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while another holder has it."""
    now = clock.now()
    renewed = session.connection().execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if renewed.rowcount:  # type: ignore[attr-defined]
        return True
    try:
        with session.begin_nested():
            session.connection().execute(
                insert(leases).values(name=name, holder=holder, expires_at=now + ttl)
            )
    except IntegrityError:
        return False
    return True


def release(session: Session, name: str, holder: str) -> None:
    session.connection().execute(
        update(leases).where(leases.c.name == name, leases.c.holder == holder).values(expires_at=clock.now())
    )
