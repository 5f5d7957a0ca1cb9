"""Contact methods: where a person is reached (an e-mail address, for now).

A user's contact methods may be read and changed by the user themselves, by anyone who
configures everything, and by the admins of the user's teams (``teams.may_manage_person``)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.notify.models import CONTACT_METHODS, ContactMethod
from tocsin.teams import service as teams

ADDRESS_MAX = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # as usernames: root@localhost is an address too


def _method(method: str) -> str:
    method = method.strip().lower()
    if method not in CONTACT_METHODS:
        raise InvalidInput(
            "method", f"method must be one of {', '.join(CONTACT_METHODS)} (for now), got {method!r}"
        )
    return method


def normalise_address(method: str, to: str) -> str:
    """An e-mail address, trimmed and in lower case; an error naming ``to`` otherwise."""
    address = to.strip().lower()
    if method == "email" and (not _EMAIL.match(address) or len(address) > ADDRESS_MAX):
        raise InvalidInput("to", f"to must be an e-mail address, got {to!r}")
    return address


def _require(session: Session, actor: Actor, user: User) -> None:
    teams.require_to_manage_person(session, actor, user, what="the contact methods")


def find_contact(session: Session, user_id: str, method: str, address: str) -> ContactMethod | None:
    return session.scalar(
        select(ContactMethod).where(
            ContactMethod.user_id == user_id,
            ContactMethod.method == method.strip().lower(),
            ContactMethod.address == address.strip().lower(),
        )
    )


def _contacts_of(session: Session, user_id: str) -> list[ContactMethod]:
    return list(
        session.scalars(
            select(ContactMethod)
            .where(ContactMethod.user_id == user_id)
            .order_by(ContactMethod.method, ContactMethod.address)
        )
    )


def _unused(
    session: Session, user: User, method: str, address: str, *, keep: ContactMethod | None = None
) -> None:
    existing = find_contact(session, user.id, method, address)
    if existing is not None and existing is not keep:
        raise Conflict(f"{user.username} already has the {method} contact {address}")


def _store(session: Session, user: User, method: str, address: str) -> ContactMethod:
    contact = ContactMethod(
        user_id=user.id, method=method, address=address, enabled=True, created_at=clock.now()
    )
    session.add(contact)
    session.flush()
    return contact


def add_default_contact(session: Session, user: User) -> ContactMethod:
    """A new user's first contact method: e-mail to their username."""
    return _store(session, user, "email", normalise_address("email", user.username))


def list_contacts(session: Session, *, actor: Actor, user: User) -> list[ContactMethod]:
    _require(session, actor, user)
    return _contacts_of(session, user.id)


def get_contact(session: Session, *, actor: Actor, user: User, contact_id: str) -> ContactMethod:
    _require(session, actor, user)
    contact = session.get(ContactMethod, contact_id.strip())
    if contact is None or contact.user_id != user.id:
        raise NotFound(f"contact {contact_id!r} of {user.username} does not exist")
    return contact


def add_contact(session: Session, *, actor: Actor, user: User, method: str, to: str) -> ContactMethod:
    _require(session, actor, user)
    method = _method(method)
    address = normalise_address(method, to)
    _unused(session, user, method, address)
    return _store(session, user, method, address)


def update_contact(session: Session, *, actor: Actor, user: User, contact_id: str, to: str) -> ContactMethod:
    """A new address; notification rule steps that use the contact follow it."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    address = normalise_address(contact.method, to)
    _unused(session, user, contact.method, address, keep=contact)
    contact.address = address
    session.flush()
    return contact


def delete_contact(session: Session, *, actor: Actor, user: User, contact_id: str) -> None:
    """Delete a contact method, and the notification rule steps that send to it."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    session.delete(contact)
    session.flush()


def set_contact_enabled(
    session: Session, *, actor: Actor, user: User, contact_id: str, enabled: bool
) -> ContactMethod:
    """A disabled contact method is skipped by every notification rule until enabled again."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    contact.enabled = enabled
    session.flush()
    return contact
