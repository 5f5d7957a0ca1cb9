"""Contact methods: where a person is reached: an e-mail address, a phone number for SMS or
voice calls (kept in E.164, ``+4915112345678``), an ntfy topic for push, a linked chat account
for direct messages on Mattermost or Slack (kept as its chat user id; given as that id or the
chat user name, or left empty when the person linked one account of the platform).

A phone number is used only once its person has proved it theirs: adding one (or changing its
number) sends a 6-digit code to it (by SMS, or read out in a call for voice), and entering the
code verifies it. Codes expire after 10 minutes and after 5 wrong tries; a new one may be asked
for once a minute. Other contacts count as verified when added (a chat account was proved the
person's when it was linked).

A user's contact methods may be read and changed by the user themselves, by anyone who
configures everything, and by the admins of the user's teams (``teams.may_manage_person``)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.chat.models import ChatAccount
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.notify import outbox
from tocsin.notify.methods import CHAT_METHODS
from tocsin.notify.models import CONTACT_METHODS, PHONE_METHODS, ContactMethod, ContactVerification
from tocsin.teams import service as teams

ADDRESS_MAX = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # as usernames: root@localhost is an address too
_OPSGENIE_PHONE = re.compile(r"^(\d{1,3})-([\d ()./-]+)$")
"""Opsgenie writes numbers as country code, dash, number: ``49-15112345678``."""
_NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
_NTFY_URL = re.compile(r"^https?://[^/\s?#]+(/[^/\s?#]+)*/[-_A-Za-z0-9]{1,64}$")

VERIFICATION_TOPIC = "notify.verification"
CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(minutes=1)


def _method(method: str) -> str:
    method = method.strip().lower()
    if method not in CONTACT_METHODS:
        raise InvalidInput("method", f"method must be one of {', '.join(CONTACT_METHODS)}, got {method!r}")
    return method


def normalise_address(method: str, to: str) -> str:
    """The address in its stored form (an e-mail address in lower case, a phone number in
    E.164, an ntfy topic or topic URL as given); an error naming ``to`` otherwise."""
    if method in PHONE_METHODS:
        return phone_number(to)
    if method == "ntfy":
        return _ntfy_address(to)
    if method in CHAT_METHODS:
        return to.strip()  # a chat user id, as its platform writes it (Slack's are upper case)
    address = to.strip().lower()
    if method == "email" and (not _EMAIL.match(address) or len(address) > ADDRESS_MAX):
        raise InvalidInput("to", f"to must be an e-mail address, got {to!r}")
    return address


def phone_number(to: str) -> str:
    """``to`` in E.164: international form with its country code (``+4915112345678``, spaces and
    dashes allowed), or Opsgenie's ``49-15112345678``."""
    text = to.strip()
    opsgenie = _OPSGENIE_PHONE.match(text)
    if opsgenie:
        text = f"+{opsgenie.group(1)}{opsgenie.group(2)}"
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "to",
            f"to must be a phone number with its country code, such as +4915112345678; got {to!r}",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ntfy_address(to: str) -> str:
    address = to.strip()
    if _NTFY_TOPIC.match(address) or (_NTFY_URL.match(address) and len(address) <= ADDRESS_MAX):
        return address
    raise InvalidInput(
        "to",
        "to must be an ntfy topic (letters, digits, - and _, at most 64) or a topic's URL on "
        f"your own ntfy server, such as https://ntfy.example.com/alice-pager; got {to!r}",
    )


def _linked_chat_user_id(session: Session, user_id: str, method: str, to: str) -> str:
    """The chat user id of the user's linked account named ``to`` (``ann``, ``@ann``), or ``to``."""
    name = to.removeprefix("@")
    found = session.scalar(
        select(ChatAccount.chat_user_id).where(
            ChatAccount.user_id == user_id,
            ChatAccount.platform == CHAT_METHODS[method],
            ChatAccount.chat_user_name == name,
        )
    )
    return found or to


def _chat_address(session: Session, user: User, method: str, to: str) -> str:
    """The chat user id of the person's linked account of the method's platform that ``to``
    names (its id, or its user name with or without ``@``; empty: their only account)."""
    platform = CHAT_METHODS[method]
    accounts = list(
        session.scalars(
            select(ChatAccount)
            .where(ChatAccount.user_id == user.id, ChatAccount.platform == platform)
            .order_by(ChatAccount.created_at)
        )
    )
    if not accounts:
        raise InvalidInput(
            "to",
            f"{user.username} has no linked {platform} account: run /genie connect in {platform} "
            "first, open the link it answers and approve it, then add the contact",
        )
    wanted = to.strip().removeprefix("@")
    if not wanted and len(accounts) == 1:
        return accounts[0].chat_user_id
    for account in accounts:
        if wanted and wanted in (account.chat_user_id, account.chat_user_name):
            return account.chat_user_id
    linked = ", ".join(f"{a.chat_user_name or a.chat_user_id} ({a.chat_user_id})" for a in accounts)
    raise InvalidInput(
        "to", f"to must name one of {user.username}'s linked {platform} accounts ({linked}); got {to!r}"
    )


def _address(session: Session, user: User, method: str, to: str) -> str:
    if method in CHAT_METHODS:
        return _chat_address(session, user, method, to)
    return normalise_address(method, to)


def _require(session: Session, actor: Actor, user: User) -> None:
    teams.require_to_manage_person(session, actor, user, what="the contact methods")


def find_contact(session: Session, user_id: str, method: str, address: str) -> ContactMethod | None:
    """The user's contact of ``method`` at ``address`` (in any form ``normalise_address`` takes;
    a chat contact also by its linked chat user name)."""
    method = method.strip().lower()
    try:
        address = normalise_address(method, address) if method in CONTACT_METHODS else address.strip()
    except InvalidInput:
        return None
    if method in CHAT_METHODS:
        address = _linked_chat_user_id(session, user_id, method, address)
    return session.scalar(
        select(ContactMethod).where(
            ContactMethod.user_id == user_id, ContactMethod.method == method, ContactMethod.address == address
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


def _store(
    session: Session, user: User, method: str, address: str, *, proven: bool = False, enabled: bool = True
) -> ContactMethod:
    now = clock.now()
    unproven = method in PHONE_METHODS and not proven
    contact = ContactMethod(
        user_id=user.id,
        method=method,
        address=address,
        enabled=enabled,
        created_at=now,
        verified_at=None if unproven else now,
    )
    session.add(contact)
    session.flush()
    if unproven:
        _send_code(session, contact, now)
    return contact


def add_default_contact(session: Session, user: User) -> ContactMethod:
    """A new user's first contact method: e-mail to their username."""
    return _store(session, user, "email", normalise_address("email", user.username))


def import_contact(session: Session, *, user: User, method: str, to: str, enabled: bool) -> ContactMethod:
    """A contact method another on-call product has already proved its person's: a phone number
    comes over verified, and nobody is sent a code while a whole account is imported."""
    method = _method(method)
    address = _address(session, user, method, to)
    _unused(session, user, method, address)
    return _store(session, user, method, address, proven=True, enabled=enabled)


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
    address = _address(session, user, method, to)
    _unused(session, user, method, address)
    return _store(session, user, method, address)


def update_contact(session: Session, *, actor: Actor, user: User, contact_id: str, to: str) -> ContactMethod:
    """A new address; notification rule steps that use the contact follow it."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    address = _address(session, user, contact.method, to)
    _unused(session, user, contact.method, address, keep=contact)
    changed = address != contact.address
    contact.address = address
    if changed and contact.method in PHONE_METHODS:
        contact.verified_at = None  # a new number is proved anew
        _send_code(session, contact, clock.now())
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


def send_verification_code(session: Session, *, actor: Actor, user: User, contact_id: str) -> ContactMethod:
    """A new code to the contact (the one sent before stops working), at most once a minute."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    if contact.method not in PHONE_METHODS:
        raise InvalidInput("contactId", f"{contact.method} contacts need no verification")
    if contact.verified:
        raise Conflict(f"the {contact.method} contact {contact.address} is verified already")
    now = clock.now()
    pending = session.get(ContactVerification, contact.id)
    if pending is not None and now < pending.sent_at + CODE_RESEND_AFTER:
        wait = int((pending.sent_at + CODE_RESEND_AFTER - now).total_seconds()) + 1
        raise Conflict(f"a code was sent to {contact.address} moments ago; ask for a new one in {wait} s")
    _send_code(session, contact, now)
    return contact


def verify(
    session: Session, *, actor: Actor, user: User, contact_id: str, code: str
) -> ContactMethod | InvalidInput:
    """Mark the contact verified if ``code`` is the one last sent to it, in time. A wrong code is
    counted and its error returned, not raised: raised, it would undo the count with the rest
    of the caller's transaction (the write queue raises a returned error to its caller)."""
    contact = get_contact(session, actor=actor, user=user, contact_id=contact_id)
    if contact.verified:
        return contact
    pending = session.get(ContactVerification, contact.id)
    now = clock.now()
    if pending is None or pending.attempts >= CODE_ATTEMPTS or now >= pending.expires_at:
        why = "no code was sent" if pending is None else "the code has expired"
        raise InvalidInput("code", f"{why}: ask for a new one (POST …/verification-code, or on your profile)")
    if not hmac.compare_digest(pending.code_hash, _code_hash(contact.id, code.strip())):
        pending.attempts += 1
        left = CODE_ATTEMPTS - pending.attempts
        more = (
            f"{left} more {'try' if left == 1 else 'tries'}" if left else "no more tries: ask for a new code"
        )
        session.flush()
        return InvalidInput("code", f"the code is not the one sent to {contact.address} ({more})")
    contact.verified_at = now
    session.delete(pending)
    session.flush()
    return contact


def _send_code(session: Session, contact: ContactMethod, now: datetime) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    pending = session.get(ContactVerification, contact.id)
    if pending is None:
        pending = ContactVerification(contact_id=contact.id)
        session.add(pending)
    pending.code_hash = _code_hash(contact.id, code)
    pending.sent_at = now
    pending.expires_at = now + CODE_LIFETIME
    pending.attempts = 0
    session.flush()
    # The code travels in the message to the channel that sends it; only its hash is kept.
    payload = {"contactId": contact.id, "userId": contact.user_id, "method": contact.method, "code": code}
    outbox.enqueue(session, VERIFICATION_TOPIC, payload, destination=contact.address)


def _code_hash(contact_id: str, code: str) -> str:
    return hashlib.sha256(f"{contact_id}:{code}".encode()).hexdigest()
