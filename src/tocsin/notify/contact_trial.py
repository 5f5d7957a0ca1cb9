"""Sending a test notification to one contact method: "does my phone ring?" before it matters.

The test goes through the outbox and the method's channel like a page (the same server, token,
retries), but names no alert: it is ``{"userId", "kind": "test", "by"}``, and a channel says
what a test looks like. A muted person is sent it all the same (they asked for it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import Conflict
from tocsin.notify import contacts, methods, outbox
from tocsin.notify.models import ContactMethod


def testable_methods(settings: Settings) -> frozenset[str]:
    """The methods a test can go by on this server: those whose channel is set up."""
    return methods.configured(settings)


def send_test_notification(
    session: Session, *, actor: Actor, user: User, contact_id: str, available: frozenset[str]
) -> ContactMethod:
    """Queue a test message to the contact (``available``: ``testable_methods``)."""
    contact = contacts.get_contact(session, actor=actor, user=user, contact_id=contact_id)
    if contact.method not in available:
        raise Conflict(methods.not_set_up(contact.method))
    if not contact.verified:
        raise Conflict(f"the {contact.method} contact {contact.address} is not verified yet")
    payload = {"userId": user.id, "kind": "test", "by": actor.describe()}
    outbox.enqueue(session, methods.topic_of(contact.method), payload, destination=contact.address)
    return contact
