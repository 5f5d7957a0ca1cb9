"""One-time links that set a person's password: made by an administrator when inviting someone,
or for a person who has no password or lost it. They are ``one_time_links``, as ``/genie
connect`` links are: valid for 15 minutes and once, stored as the hash of their token, used up
by one conditional statement (of two uses at once only one sets the password). A new link for a
person voids the ones made for them before."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tocsin import clock, one_time_links
from tocsin.accounts import service as accounts
from tocsin.accounts.models import PasswordLink, User
from tocsin.actors import Actor, require_to_manage
from tocsin.db import table_of
from tocsin.errors import InvalidInput, TocsinError
from tocsin.secrets_util import hash_key

LINK_LIFETIME = one_time_links.LIFETIME


class PasswordLinkExpired(TocsinError):
    """The link is unknown, used, older than 15 minutes, or its person was deactivated."""

    def __init__(self, made_by: str = "") -> None:
        ask = f"Ask {made_by}" if made_by else "Ask a Tocsin administrator"
        super().__init__(
            f"This link has expired or was used already: a link works once, within 15 minutes. {ask} "
            "for a new one."
        )
        self.made_by = made_by


@dataclass(frozen=True)
class PendingLink:
    username: str
    full_name: str
    made_by: str


def issue_link(session: Session, *, actor: Actor, user: User) -> str:
    """A new link for ``user``; returns its token (shown once: only its hash is stored). Setting
    someone's password is acting as them: it needs global configuration rights, and an owner's
    say for an owner."""
    require_to_manage(actor, None, what="users")
    if user.role == "owner":
        accounts.require_owner(session, actor, "make a password link for an owner")
    if not user.is_active:
        raise InvalidInput("user", f"{user.username} is deactivated; reactivate them first")
    now = clock.now()
    one_time_links.purge_expired(session, PasswordLink, now)
    session.execute(
        update(table_of(PasswordLink))
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(expires_at=now)
    )
    token, token_hash = one_time_links.new_token()
    session.add(
        PasswordLink(
            token_hash=token_hash,
            user_id=user.id,
            created_by=actor.username or actor.name,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    return token


def link_url(base_url: str, token: str) -> str:
    return f"{base_url}/password/{token}"


def _link(session: Session, token: str) -> PasswordLink | None:
    return session.scalar(select(PasswordLink).where(PasswordLink.token_hash == hash_key(token)))


def _usable(link: PasswordLink | None, user: User | None) -> bool:
    return (
        link is not None
        and link.used_at is None
        and link.expires_at > clock.now()
        and user is not None
        and user.is_active
    )


def pending_link(session: Session, token: str) -> PendingLink:
    """Whose password the link sets; ``PasswordLinkExpired`` (saying who made it) if it is not usable."""
    link = _link(session, token)
    user = session.get(User, link.user_id) if link is not None else None
    if not _usable(link, user):
        raise PasswordLinkExpired(link.created_by if link is not None else "")
    assert link is not None and user is not None
    return PendingLink(username=user.username, full_name=user.full_name, made_by=link.created_by)


def set_password_with(session: Session, *, token: str, password: str) -> User:
    """Set the password of the link's person and use the link up; their web sessions end (the
    caller signs this browser in). A password the rules refuse leaves the link usable."""
    link = _link(session, token)
    user = session.get(User, link.user_id) if link is not None else None
    if not _usable(link, user):
        raise PasswordLinkExpired(link.created_by if link is not None else "")
    assert link is not None and user is not None
    accounts.check_password(password)
    if not one_time_links.use_up(session, PasswordLink, link.token_hash, clock.now()):
        raise PasswordLinkExpired(link.created_by)
    accounts.replace_password(session, user, password)
    return user


def has_pending_link(session: Session, user_ids: list[str]) -> set[str]:
    """Which of these people have a link that still works."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(PasswordLink.user_id).where(
                PasswordLink.user_id.in_(user_ids),
                PasswordLink.used_at.is_(None),
                PasswordLink.expires_at > clock.now(),
            )
        )
    )
