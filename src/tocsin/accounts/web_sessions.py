"""Web sessions kept in the database, so they can be ended: by logging out, from the profile
("log out everywhere"), and whenever a user's password or role changes or the user is deleted.

The browser's cookie carries a random session id; only its hash is stored. A session ends when
it has not been used for the idle lifetime, or when the absolute lifetime since logging in has
passed, whichever comes first. "Last seen" is written at most once a minute per session."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User, WebSession
from tocsin.config import Settings
from tocsin.secrets_util import hash_key

TOUCH_EVERY = timedelta(minutes=1)
USER_AGENT_MAX = 300
ADDRESS_MAX = 64


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Lifetimes:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(days=settings.session_max_days),
        )


@dataclass(frozen=True)
class SignedIn:
    user: User
    needs_touch: bool
    """True when "last seen" is more than TOUCH_EVERY old: the caller should call ``touch``."""


def start_session(session: Session, *, user_id: str, user_agent: str, address: str) -> str:
    """A new session for the user; returns the id for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        WebSession(
            id_hash=hash_key(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:USER_AGENT_MAX],
            address=address[:ADDRESS_MAX],
        )
    )
    session.flush()
    return token


def _is_live(web_session: WebSession, lifetimes: Lifetimes) -> bool:
    now = clock.now()
    return (
        web_session.last_seen_at > now - lifetimes.idle and web_session.created_at > now - lifetimes.absolute
    )


def signed_in(session: Session, token: str, lifetimes: Lifetimes) -> SignedIn | None:
    """Who a live session belongs to, or None for an unknown, ended or expired one."""
    web_session = session.get(WebSession, hash_key(token))
    if web_session is None or not _is_live(web_session, lifetimes):
        return None
    user = session.get(User, web_session.user_id)
    if user is None or not user.is_active:
        return None
    return SignedIn(user, web_session.last_seen_at <= clock.now() - TOUCH_EVERY)


def touch(session: Session, token: str, *, at: datetime) -> None:
    """Note that the session was used ``at`` (a no-op if that was noted less than a minute before)."""
    session.execute(
        update(WebSession)
        .where(WebSession.id_hash == hash_key(token), WebSession.last_seen_at <= at - TOUCH_EVERY)
        .values(last_seen_at=at)
    )


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == hash_key(token)))


def end_sessions_of(session: Session, user_id: str) -> int:
    """End every session of the user; returns how many there were."""
    ended = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]


def _expired(lifetimes: Lifetimes) -> ColumnElement[bool]:
    now = clock.now()
    return or_(
        WebSession.last_seen_at <= now - lifetimes.idle, WebSession.created_at <= now - lifetimes.absolute
    )


def purge_expired_sessions(session: Session, lifetimes: Lifetimes) -> int:
    """Delete every session past a lifetime (the engine does, now and then); returns how many."""
    purged = session.execute(delete(WebSession).where(_expired(lifetimes)))
    return int(purged.rowcount or 0)  # type: ignore[attr-defined]


def live_sessions_of(session: Session, user_id: str, lifetimes: Lifetimes) -> list[WebSession]:
    """The user's live sessions, most recently used first."""
    rows = session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id)
        .order_by(WebSession.last_seen_at.desc(), WebSession.created_at.desc())
    )
    return [row for row in rows if _is_live(row, lifetimes)]


def is_session(web_session: WebSession, token: str) -> bool:
    return web_session.id_hash == hash_key(token)
