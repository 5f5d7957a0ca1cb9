"""``tocsin contact``: a person's contact methods (e-mail, SMS, voice, ntfy push), verifying
phone numbers with the code sent to them, and test notifications."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.actors import EVERYTHING, Actor
from tocsin.cli.common import Hints, fail, in_transaction, settings_or_fail
from tocsin.errors import InvalidInput, NotFound
from tocsin.notify import contact_trial, contacts
from tocsin.notify.models import CONTACT_METHODS, ContactMethod

contact_app = typer.Typer(
    help="Manage how people are reached: e-mail, SMS, voice calls, ntfy push.", no_args_is_help=True
)
CLI = Actor(name="tocsin", channel="CLI", manages=EVERYTHING)
HINTS: Hints = {NotFound: " (tocsin contact list USER shows the ids)"}

Username = Annotated[str, typer.Argument(help="The person's username (or user id).")]
ContactId = Annotated[str, typer.Argument(help="The contact's id (tocsin contact list USER).")]


def _line(contact: ContactMethod) -> str:
    state = "enabled" if contact.enabled else "disabled"
    proof = "verified" if contact.verified else "NOT VERIFIED (tocsin contact verify)"
    return f"{contact.id}\t{contact.method}\t{contact.address}\t{state}\t{proof}"


@contact_app.command("list")
def contact_list(username: Username) -> None:
    """A person's contact methods: id, method, address, enabled, verified."""

    def listed(session: Session) -> list[str]:
        user = accounts.get_user_by_identifier(session, username)
        return [_line(contact) for contact in contacts.list_contacts(session, actor=CLI, user=user)]

    for line in in_transaction(listed, HINTS):
        typer.echo(line)


@contact_app.command("add")
def contact_add(
    username: Username,
    method: Annotated[str, typer.Argument(help=f"One of {', '.join(CONTACT_METHODS)}.")],
    to: Annotated[
        str, typer.Argument(help="An e-mail address, a phone number with its country code, or an ntfy topic.")
    ],
) -> None:
    """Add a contact method. A phone number is sent a 6-digit code: enter it with
    ``tocsin contact verify`` before the number is used."""

    def add(session: Session) -> str:
        user = accounts.get_user_by_identifier(session, username)
        return _line(contacts.add_contact(session, actor=CLI, user=user, method=method, to=to))

    line = in_transaction(add, HINTS)
    typer.echo(f"Added: {line}")
    if "NOT VERIFIED" in line:
        typer.echo("A code is on its way to the number; enter it with: tocsin contact verify USER ID CODE")


@contact_app.command("verify")
def contact_verify(
    username: Username,
    contact_id: ContactId,
    code: Annotated[str, typer.Argument(help="The 6-digit code sent to the number.")],
) -> None:
    """Verify a phone contact with the code sent to it."""

    def verify(session: Session) -> ContactMethod | InvalidInput:
        user = accounts.get_user_by_identifier(session, username)
        return contacts.verify(session, actor=CLI, user=user, contact_id=contact_id, code=code)

    verified = in_transaction(verify, HINTS)  # a wrong code is counted, then said
    if isinstance(verified, InvalidInput):
        fail(verified.message)
    typer.echo(f"Verified: {_line(verified)}")


@contact_app.command("send-code")
def contact_send_code(username: Username, contact_id: ContactId) -> None:
    """Send a new verification code to a phone contact (at most once a minute)."""

    def send(session: Session) -> str:
        user = accounts.get_user_by_identifier(session, username)
        return contacts.send_verification_code(session, actor=CLI, user=user, contact_id=contact_id).address

    typer.echo(f"A new code is on its way to {in_transaction(send, HINTS)}.")


@contact_app.command("test")
def contact_test(username: Username, contact_id: ContactId) -> None:
    """Send a test notification to a contact (ntfy push, for now); the engine sends it."""
    available = contact_trial.testable_methods(settings_or_fail())

    def send(session: Session) -> str:
        user = accounts.get_user_by_identifier(session, username)
        contact = contact_trial.send_test_notification(
            session, actor=CLI, user=user, contact_id=contact_id, available=available
        )
        return f"{contact.address} by {contact.method}"

    typer.echo(f"A test notification is on its way to {in_transaction(send, HINTS)}.")


@contact_app.command("remove")
def contact_remove(username: Username, contact_id: ContactId) -> None:
    """Delete a contact method (and the notification rule steps that use it)."""

    def remove(session: Session) -> None:
        user = accounts.get_user_by_identifier(session, username)
        contacts.delete_contact(session, actor=CLI, user=user, contact_id=contact_id)

    in_transaction(remove, HINTS)
    typer.echo(f"Removed contact {contact_id}.")
