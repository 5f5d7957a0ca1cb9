"""Remembering signed chat requests and button presses for as long as they could be accepted,
so that a captured request is taken once and a copied button works only where it was posted.

One table shared by every node on the database: each guard is a row with a unique key, written
with an insert that does nothing when the key is there (one atomic statement on SQLite and
PostgreSQL, so two nodes receiving the same replay at once cannot both take it). Rows past their
expiry are deleted on the way, through the index on ``expires_at``."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tocsin.chat.buttons import ButtonPress, InvalidButton
from tocsin.chat.models import ChatReplayGuard
from tocsin.db import table_of

guards = table_of(ChatReplayGuard)
CHAT_ID = re.compile(r"[A-Za-z0-9._:-]{1,150}")
"""What a channel id or post id may look like (Mattermost's 26-letter ids, Slack's ``C024BE91L``
and ``1712345678.000100``)."""


def key_of(kind: str, value: str) -> str:
    """The stored key of ``value`` (a signature, a token id): its hash, under its kind."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _remember(session: Session, key: str, bound_to: str, expires_at: datetime, now: datetime) -> bool:
    """Store the guard unless its key is stored already; whether it was stored now."""
    session.execute(delete(guards).where(guards.c.expires_at < now))
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(guards)
    stored = session.execute(
        insert.values(key=key, bound_to=bound_to, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[guards.c.key])
        .returning(guards.c.key)
    )
    return stored.first() is not None


def first_use(session: Session, *, key: str, expires_at: datetime, now: datetime) -> bool:
    """Whether this is the first time ``key`` is seen (before it expires); records it."""
    return _remember(session, key, "", expires_at, now)


def bound_place(session: Session, *, key: str, place: str, expires_at: datetime, now: datetime) -> str:
    """The place ``key`` is bound to: ``place`` when this is its first use, else where it was
    first used."""
    if _remember(session, key, place, expires_at, now):
        return place
    bound = session.execute(select(guards.c.bound_to).where(guards.c.key == key)).scalar()
    return place if bound is None else str(bound)  # None: it expired (and was pruned) just now


def check_button_place(
    session: Session, press: ButtonPress, *, platform: str, channel_id: str, post_id: str, now: datetime
) -> None:
    """Raise ``InvalidButton`` unless the press comes from the channel and post where a button of
    its card was first pressed. An incoming webhook does not tell Tocsin the id of the post it
    made, so the first press binds the card; a context copied elsewhere then works nowhere else
    until it expires."""
    if not (CHAT_ID.fullmatch(channel_id) and CHAT_ID.fullmatch(post_id)):
        raise InvalidButton("the press does not say which channel and post it comes from")
    place = f"{channel_id} {post_id}"
    key = key_of(f"{platform.lower()}-card", press.card)
    bound = bound_place(session, key=key, place=place, expires_at=press.expires_at, now=now)
    if bound == place:
        return
    if bound.split(" ", 1)[0] != channel_id:
        raise InvalidButton("this button was posted in another channel; press it there or use /genie")
    raise InvalidButton("this button belongs to another post; press it there or use /genie")
