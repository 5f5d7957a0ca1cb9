"""Chat account links: a chat user of a chat team acting as one Tocsin user.

``/genie connect`` issues a one-time link, valid for 15 minutes and bound to the chat identity that
ran it; the Tocsin user who opens it (logged in) approves the connection, or, for a disconnect
link, its removal. Only the SHA-256 of a link's token is stored. Links do not belong to an
integration: they outlive the integration they were made through.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin import clock, one_time_links
from tocsin.accounts.models import User
from tocsin.chat.models import ChatAccount, ChatLinkToken
from tocsin.chat.requests import ChatIdentity
from tocsin.db import table_of
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TocsinError
from tocsin.secrets_util import hash_key

LINK_LIFETIME = one_time_links.LIFETIME
PURPOSES = ("connect", "disconnect")


class LinkExpired(TocsinError):
    """The link is unknown, already used, or older than 15 minutes."""

    def __init__(self) -> None:
        super().__init__(
            "Token expired: a link can be used once, within 15 minutes. Run /genie connect again."
        )


@dataclass(frozen=True)
class ApproveOutcome:
    purpose: str
    changed: bool
    """False when there was nothing to do (already connected, or no longer connected)."""
    platform: str
    chat_team_name: str
    chat_user_name: str
    username: str
    message: str


def describe(platform: str, team_name: str, user_name: str) -> str:
    """How pages and messages name a chat account: "the Mattermost account @bob of team acme"."""
    return f"the {platform} account @{user_name} of team {team_name}"


def describe_account(account: ChatAccount) -> str:
    return describe(account.platform, _team(account), _user(account))


def describe_link(link: ChatLinkToken) -> str:
    return describe(
        link.platform, link.chat_team_name or link.chat_team_id, link.chat_user_name or link.chat_user_id
    )


def issue_link(session: Session, *, identity: ChatIdentity, purpose: str, integration_name: str = "") -> str:
    """A new one-time link token for ``identity``; returns the token (only its hash is stored)."""
    if purpose not in PURPOSES:
        raise InvalidInput("purpose", f"purpose must be one of {', '.join(PURPOSES)}")
    now = clock.now()
    one_time_links.purge_expired(session, ChatLinkToken, now)
    token, token_hash = one_time_links.new_token()
    session.add(
        ChatLinkToken(
            token_hash=token_hash,
            purpose=purpose,
            platform=identity.platform,
            chat_team_id=identity.team_id,
            chat_team_name=identity.team_name,
            chat_user_id=identity.user_id,
            chat_user_name=identity.user_name,
            integration_name=integration_name,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    return token


def link_url(base_url: str, token: str) -> str:
    return f"{base_url}/chat/link/{token}"


def account_for(session: Session, identity: ChatIdentity) -> ChatAccount | None:
    return _account(session, identity.platform, identity.team_id, identity.user_id)


def user_for_chat_user(session: Session, *, platform: str, team_id: str, chat_user_id: str) -> User | None:
    return session.scalar(
        select(User)
        .join(ChatAccount, ChatAccount.user_id == User.id)
        .where(
            ChatAccount.platform == platform,
            ChatAccount.chat_team_id == team_id,
            ChatAccount.chat_user_id == chat_user_id,
            User.deactivated_at.is_(None),  # a deactivated person acts nowhere
        )
    )


def direct_account(session: Session, *, platform: str, chat_user_id: str) -> ChatAccount | None:
    """The linked account of a chat user as a direct message contact names them (by user id, in
    whichever team they linked): a press in a direct message may not say its team."""
    return session.scalar(
        select(ChatAccount)
        .where(ChatAccount.platform == platform, ChatAccount.chat_user_id == chat_user_id)
        .order_by(ChatAccount.created_at)
        .limit(1)
    )


def accounts_of(session: Session, user_id: str) -> list[ChatAccount]:
    return list(
        session.scalars(
            select(ChatAccount)
            .where(ChatAccount.user_id == user_id)
            .order_by(ChatAccount.platform, ChatAccount.chat_team_name, ChatAccount.chat_user_name)
        )
    )


def revoke(session: Session, *, user: User, account_id: str) -> None:
    """Remove one of ``user``'s own chat accounts; anyone else's is NotFound."""
    removed = session.execute(
        delete(table_of(ChatAccount)).where(ChatAccount.id == account_id, ChatAccount.user_id == user.id)
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("That chat account is not connected to your Tocsin account")


def pending_link(session: Session, token: str) -> ChatLinkToken | None:
    """The link of ``token`` if it is still unused and unexpired."""
    return session.scalar(
        select(ChatLinkToken).where(
            ChatLinkToken.token_hash == hash_key(token),
            ChatLinkToken.used_at.is_(None),
            ChatLinkToken.expires_at > clock.now(),
        )
    )


def approve(session: Session, *, token: str, user: User) -> ApproveOutcome:
    """Carry out the link of ``token`` as ``user``. The link is consumed first, by one conditional
    statement, so of two approvals at once only one goes on (the other waits for it, then finds
    the link used); a refusal (Conflict, PermissionDenied) undoes that and leaves it usable."""
    link = pending_link(session, token)
    if link is None:
        raise LinkExpired()
    with session.begin_nested():
        _consume(session, link)
        if link.purpose == "connect":
            return _connect(session, link, user)
        return _disconnect(session, link, user)


def _connect(session: Session, link: ChatLinkToken, user: User) -> ApproveOutcome:
    linked = _account(session, link.platform, link.chat_team_id, link.chat_user_id)
    if linked is not None and linked.user_id != user.id:
        raise Conflict(
            f"{_sentence(describe_link(link))} is already connected to another Tocsin user; "
            "that user must disconnect it first"
        )
    if linked is not None:
        return _outcome(
            link,
            user,
            changed=False,
            message=f"Already connected: {describe_link(link)} runs as {user.username}",
        )
    _refuse_second_account_in_team(session, link, user)
    try:
        with session.begin_nested():
            session.add(
                ChatAccount(
                    user_id=user.id,
                    platform=link.platform,
                    chat_team_id=link.chat_team_id,
                    chat_team_name=link.chat_team_name,
                    chat_user_id=link.chat_user_id,
                    chat_user_name=link.chat_user_name,
                    created_at=clock.now(),
                )
            )
            session.flush()
    except IntegrityError as clash:  # connected through another link at the same moment
        raise Conflict(f"{_sentence(describe_link(link))} was connected meanwhile; try again") from clash
    return _outcome(
        link,
        user,
        changed=True,
        message=f"Connected: your actions in {link.platform} now run as {user.username}",
    )


def _refuse_second_account_in_team(session: Session, link: ChatLinkToken, user: User) -> None:
    other = session.scalar(
        select(ChatAccount).where(
            ChatAccount.user_id == user.id,
            ChatAccount.platform == link.platform,
            ChatAccount.chat_team_id == link.chat_team_id,
        )
    )
    if other is not None:
        raise Conflict(
            f"You are already connected to {other.platform} as @{_user(other)} in team {_team(other)}; "
            "disconnect that account first"
        )


def _disconnect(session: Session, link: ChatLinkToken, user: User) -> ApproveOutcome:
    linked = _account(session, link.platform, link.chat_team_id, link.chat_user_id)
    if linked is not None and linked.user_id != user.id:
        raise PermissionDenied(
            f"{_sentence(describe_link(link))} is connected to another Tocsin user; "
            "only that user can disconnect it"
        )
    if linked is None:
        return _outcome(
            link,
            user,
            changed=False,
            message=f"Nothing to disconnect: {describe_link(link)} is not connected",
        )
    session.delete(linked)
    session.flush()
    return _outcome(
        link,
        user,
        changed=True,
        message=f"Disconnected: {describe_link(link)} no longer runs as {user.username}",
    )


def _consume(session: Session, link: ChatLinkToken) -> None:
    """Mark the link used, in one conditional statement: of two approvals racing, one wins."""
    if not one_time_links.use_up(session, ChatLinkToken, link.token_hash, clock.now()):
        raise LinkExpired()


def _outcome(link: ChatLinkToken, user: User, *, changed: bool, message: str) -> ApproveOutcome:
    return ApproveOutcome(
        purpose=link.purpose,
        changed=changed,
        platform=link.platform,
        chat_team_name=link.chat_team_name or link.chat_team_id,
        chat_user_name=link.chat_user_name or link.chat_user_id,
        username=user.username,
        message=message,
    )


def _account(session: Session, platform: str, team_id: str, chat_user_id: str) -> ChatAccount | None:
    return session.scalar(
        select(ChatAccount).where(
            ChatAccount.platform == platform,
            ChatAccount.chat_team_id == team_id,
            ChatAccount.chat_user_id == chat_user_id,
        )
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _team(account: ChatAccount) -> str:
    return account.chat_team_name or account.chat_team_id


def _user(account: ChatAccount) -> str:
    return account.chat_user_name or account.chat_user_id
