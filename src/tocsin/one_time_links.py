"""One-time links: a random token handed out once (in a URL), of which only the SHA-256 is stored,
valid until ``expires_at`` and used up by one conditional statement, so of two uses at once only
one goes on. Chat account links (``chat.linking``) and set-password links
(``accounts.password_links``) are both made this way; each keeps its own table of what the link
is for, with the columns ``token_hash``, ``expires_at`` and ``used_at``."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from tocsin.db import table_of
from tocsin.secrets_util import hash_key

LIFETIME = timedelta(minutes=15)
KEEP_EXPIRED = timedelta(days=1)
"""Expired links are deleted this long after they expire (when the next link is made), so a page
can still tell a link that just expired from one that never was."""


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_key(token)


def purge_expired(session: Session, model: Any, now: datetime) -> None:
    session.execute(delete(table_of(model)).where(model.expires_at < now - KEEP_EXPIRED))


def use_up(session: Session, model: Any, token_hash: str, now: datetime) -> bool:
    """Mark the link used if it is still unused and unexpired; whether this call did."""
    used = session.execute(
        update(table_of(model))
        .where(model.token_hash == token_hash, model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
    )
    return bool(used.rowcount == 1)  # type: ignore[attr-defined]
