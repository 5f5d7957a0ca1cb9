"""Users: create, find, authenticate, change passwords."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import USER_ROLES, User
from tocsin.accounts.passwords import MIN_LENGTH, hash_password, verify_password
from tocsin.errors import Conflict, InvalidInput, NotFound

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalise_username(username: str) -> str:
    username = username.strip().lower()
    if not _EMAIL.match(username) or len(username) > 320:
        raise InvalidInput("username", f"username must be an e-mail address, got {username!r}")
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"password must be at least {MIN_LENGTH} characters long")


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str | None,
    full_name: str = "",
    time_zone: str = "UTC",
) -> User:
    username = normalise_username(username)
    if role not in USER_ROLES:
        raise InvalidInput("role", f"role must be one of {', '.join(USER_ROLES)}, got {role!r}")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timeZone", f"unknown time zone {time_zone!r}") from None
    if password is not None:
        _check_password(password)
    if find_user(session, username) is not None:
        raise Conflict(f"user {username} already exists")
    user = User(
        username=username,
        role=role,
        full_name=full_name.strip() or username.split("@")[0],
        time_zone=time_zone,
        password_hash=hash_password(password) if password is not None else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"no user {username.strip().lower()}")
    return user


def find_user_by_id(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    user = find_user(session, username)
    if verify_password(user.password_hash if user else None, password):
        return user
    return None


def set_password(session: Session, *, username: str, password: str) -> User:
    _check_password(password)
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
