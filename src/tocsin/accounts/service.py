"""Users: create, find, change, delete, authenticate, change passwords.

A new password, a new role and deleting a user end the user's web sessions at once.

Who may do what: creating and deleting users and changing roles needs global configuration
rights (``Actor.manages``); only an owner (or the system itself: the CLI, the first-owner
bootstrap) may create, promote, demote, deactivate or delete an owner; the last active owner stays
an active owner. A deactivated person keeps their account (and its history) but cannot sign in
and is not notified; deactivating ends their web sessions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import date_formats, web_sessions
from tocsin.accounts.models import USER_ROLES, User
from tocsin.accounts.passwords import MIN_LENGTH, hash_password, verify_password
from tocsin.actors import SYSTEM, Actor, require_to_manage
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.names import name_key

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
FULL_NAME_MAX = 200
USER_SORTS = {"username": User.username, "fullName": User.full_name, "createdAt": User.created_at}


class UnknownUser(InvalidInput, NotFound):
    """A user named in a request does not exist: input to fix (422 on the API) naming ``field``."""

    def __init__(self, field: str, identifier: str) -> None:
        super().__init__(field, f"no user {identifier.strip().lower()}")


def normalise_username(username: str) -> str:
    username = username.strip().lower()
    if not _EMAIL.match(username) or len(username) > 320:
        raise InvalidInput("username", f"username must be an e-mail address, got {username!r}")
    return username


def parse_role(role: str) -> str:
    """``Owner``, ``admin``, ``USER``... as stored: owner, admin or user."""
    if role.strip().lower() not in USER_ROLES:
        raise InvalidInput("role", f"role must be one of {', '.join(USER_ROLES)}, got {role!r}")
    return role.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"password must be at least {MIN_LENGTH} characters long")


def _check_time_zone(time_zone: str) -> str:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timeZone", f"unknown time zone {time_zone!r}") from None
    return time_zone


def _check_full_name(full_name: str) -> str:
    full_name = full_name.strip()
    if len(full_name) > FULL_NAME_MAX:
        raise InvalidInput("fullName", f"fullName must be at most {FULL_NAME_MAX} characters")
    return full_name


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str | None,
    full_name: str = "",
    time_zone: str = "UTC",
    actor: Actor = SYSTEM,
) -> User:
    """The account alone: ``tocsin.people.service.create_user`` also gives it its contact method
    and notification rule, and is what every caller uses."""
    require_to_manage(actor, None, what="users")
    username = normalise_username(username)
    role = parse_role(role)
    if role == "owner":
        require_owner(session, actor, "create an owner")
    _check_time_zone(time_zone)
    full_name = _check_full_name(full_name)
    if password is not None:
        check_password(password)
    existing = find_user(session, username)
    if existing is not None:
        raise Conflict(f"user {existing.username} already exists")
    user = User(
        username=username,
        role=role,
        full_name=full_name or username.split("@")[0],
        time_zone=time_zone,
        password_hash=hash_password(password) if password is not None else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    *,
    actor: Actor,
    user: User,
    full_name: str | None = None,
    role: str | None = None,
    time_zone: str | None = None,
    date_format: str | None = None,
) -> User:
    """Change what is given. The user may change their own name, time zone and date format;
    changing a role needs global configuration rights, and an owner's say when owners are
    concerned."""
    if actor.user_id != user.id:
        require_to_manage(actor, None, what=f"user {user.username}")
    new_role = parse_role(role) if role is not None else user.role
    if new_role != user.role:
        require_to_manage(actor, None, what="user roles")
        if "owner" in (new_role, user.role):
            require_owner(session, actor, "promote or demote an owner")
        if user.role == "owner":
            _keep_an_owner(session, user, "demoted", field="role")
    if time_zone is not None:
        user.time_zone = _check_time_zone(time_zone)
    if date_format is not None:
        user.date_format = date_formats.check_date_format(date_format)
    if full_name is not None:
        user.full_name = _check_full_name(full_name) or user.username.split("@")[0]
    if new_role != user.role:
        web_sessions.end_sessions_of(session, user.id)
    user.role = new_role
    session.flush()
    return user


def delete_user(session: Session, *, actor: Actor, user: User) -> None:
    """Delete a user; their team memberships, contact methods and notification rules go with
    them. Refused while configuration elsewhere names them (an escalation rule, say)."""
    require_to_manage(actor, None, what="users")
    if user.role == "owner":
        require_owner(session, actor, "delete an owner")
        _keep_an_owner(session, user, "deleted", field=None)
    used_by = _configuration_naming(session, user.id)
    if used_by:
        raise Conflict(
            f"user {user.username} cannot be deleted: they are a recipient in {', '.join(used_by)}; "
            "change that first"
        )
    web_sessions.end_sessions_of(session, user.id)
    session.delete(user)
    session.flush()


def require_owner(session: Session, actor: Actor, what: str) -> None:
    if actor is SYSTEM:
        return
    acting = session.get(User, actor.user_id) if actor.user_id else None
    if acting is None or acting.role != "owner":
        raise PermissionDenied(f"only an owner may {what}")


def _keep_an_owner(session: Session, user: User, change: str, *, field: str | None) -> None:
    # Locks the owners' rows (PostgreSQL; SQLite write transactions are serial anyway), so two
    # concurrent requests cannot each remove one of the last two owners.
    owners = session.scalars(
        select(User.id).where(User.role == "owner", User.deactivated_at.is_(None)).with_for_update()
    ).all()
    if list(owners) == [user.id]:
        raise InvalidInput(
            field, f"{user.username} is the last owner and cannot be {change}; make someone else owner first"
        )


def set_active(session: Session, *, actor: Actor, user: User, active: bool) -> User:
    """Deactivate (``active`` False) or reactivate a person. Needs global configuration rights,
    and an owner's say for an owner; nobody deactivates themselves (they would be locked out)."""
    require_to_manage(actor, None, what="users")
    if user.role == "owner":
        require_owner(session, actor, "deactivate or reactivate an owner")
    if active:
        user.deactivated_at = None
    elif user.deactivated_at is None:
        if actor.user_id == user.id:
            raise InvalidInput("user", "you cannot deactivate yourself; ask another administrator")
        if user.role == "owner":
            _keep_an_owner(session, user, "deactivated", field="user")
        user.deactivated_at = clock.now()
        web_sessions.end_sessions_of(session, user.id)
    session.flush()
    return user


def _configuration_naming(session: Session, user_id: str) -> list[str]:
    """What names the user without a foreign key that could cascade: escalation rules."""
    # Read here until the escalations domain has a service module to ask.
    names = session.scalars(
        select(EscalationPolicy.name)
        .join(EscalationRule, EscalationRule.policy_id == EscalationPolicy.id)
        .where(EscalationRule.recipient_type == "user", EscalationRule.recipient_id == user_id)
        .distinct()
        .order_by(EscalationPolicy.name)
    ).all()
    return [f"escalation policy {name!r}" for name in names]


def list_users(
    session: Session, *, offset: int = 0, limit: int = 20, sort: str = "username", order: str = "asc"
) -> tuple[list[User], int]:
    """A page of users and how many there are in all."""
    if sort not in USER_SORTS:
        raise InvalidInput("sort", f"sort must be one of {', '.join(USER_SORTS)}, got {sort!r}")
    column = USER_SORTS[sort]
    ordering = [column.desc() if order == "desc" else column.asc(), User.id]
    users = list(session.scalars(select(User).order_by(*ordering).offset(offset).limit(limit)))
    return users, count_users(session)


def find_people(session: Session, *, name_contains: str = "", limit: int = 200) -> tuple[list[User], int]:
    """Up to ``limit`` people by username, of those whose username or full name contains
    ``name_contains`` (in any case); and how many there are in all."""
    text = name_contains.strip().lower()
    where = (
        or_(
            func.lower(User.username).contains(text, autoescape=True),
            func.lower(User.full_name).contains(text, autoescape=True),
        )
        if text
        else true()
    )
    people = list(session.scalars(select(User).where(where).order_by(User.username).limit(limit)))
    return people, session.scalar(select(func.count()).select_from(User).where(where)) or 0


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username_key == name_key(username)))


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"no user {username.strip().lower()}")
    return user


def find_user_by_id(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


PEOPLE_OFFERED = 500
"""At most this many people are offered in a form's list of whom to pick."""


def active_people(session: Session) -> list[User]:
    """Whom a form offers to pick (for an override, an escalation rule): active people, by username."""
    return [person for person in find_people(session, limit=PEOPLE_OFFERED)[0] if person.is_active]


def display_names(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """Each user id -> the name pages show: the full name, else the username."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(wanted)))
    return {user_id: full_name or username for user_id, full_name, username in rows}


def find_user_by_identifier(session: Session, identifier: str) -> User | None:
    """By id or by username, as Opsgenie's ``/v2/users/{identifier}`` takes it."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return session.get(User, identifier) or find_user(session, identifier)


def get_user_by_identifier(session: Session, identifier: str) -> User:
    user = find_user_by_identifier(session, identifier)
    if user is None:
        raise NotFound(f"user {identifier!r} does not exist")
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    user = find_user(session, username)
    if verify_password(user.password_hash if user else None, password):
        return user
    return None


def set_password(session: Session, *, username: str, password: str) -> User:
    check_password(password)
    user = get_user(session, username)
    replace_password(session, user, password)
    return user


def change_own_password(session: Session, *, user: User, current_password: str, new_password: str) -> None:
    """The user's own change, which needs their current password."""
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput("current_password", "the current password is not right")
    try:
        check_password(new_password)
    except InvalidInput as problem:
        raise InvalidInput("new_password", f"the new {problem.message}") from None
    replace_password(session, user, new_password)


def replace_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    web_sessions.end_sessions_of(session, user.id)
    session.flush()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def owner_addresses(session: Session) -> list[str]:
    """The owners' e-mail addresses (their usernames), for what only owners must hear of."""
    return list(session.scalars(select(User.username).where(User.role == "owner").order_by(User.username)))
