"""``tocsin contact list|add|verify|send-code|remove`` through the real console script."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.factories import make_user
from tests.test_cli import Tocsin, tocsin  # noqa: F401  (fixture)
from tocsin.db import Database
from tocsin.notify import contacts
from tocsin.notify.outbox import OutboxMessage


def _code_sent(db: Database) -> str:
    with db.read_session() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
        ).one()
        return str(message.payload["code"])


def test_a_phone_contact_is_added_verified_and_removed(tocsin: Tocsin, database_url: str) -> None:  # noqa: F811
    db = Database(database_url)
    try:
        make_user(db, "ann@example.com")
        added = tocsin.ok("contact", "add", "ann@example.com", "sms", "+49 151 12345678")
        contact_id = added[0].split("\t")[0].removeprefix("Added: ")
        assert added[0].split("\t")[1:] == [
            "sms",
            "+4915112345678",
            "enabled",
            "NOT VERIFIED (tocsin contact verify)",
        ]
        assert added[1].startswith("A code is on its way to the number")
        code = _code_sent(db)
        wrong = "000000" if code != "000000" else "111111"

        refused = tocsin("contact", "verify", "ann@example.com", contact_id, wrong)
        assert refused.returncode == 1
        assert (
            refused.stderr.strip() == "error: the code is not the one sent to +4915112345678 (4 more tries)"
        )
        assert tocsin.ok("contact", "verify", "ann@example.com", contact_id, code)[0].endswith("\tverified")
        listed = [line.split("\t")[1:] for line in tocsin.ok("contact", "list", "ann@example.com")]
        assert listed == [
            ["email", "ann@example.com", "enabled", "verified"],
            ["sms", "+4915112345678", "enabled", "verified"],
        ]
        assert tocsin.ok("contact", "remove", "ann@example.com", contact_id) == [
            f"Removed contact {contact_id}."
        ]
        gone = tocsin("contact", "send-code", "ann@example.com", contact_id)
        assert gone.returncode == 1
        assert gone.stderr.strip().endswith("does not exist (tocsin contact list USER shows the ids)")
    finally:
        db.dispose()


def test_a_number_that_is_not_one_says_what_to_fix(tocsin: Tocsin, database_url: str) -> None:  # noqa: F811
    db = Database(database_url)
    try:
        make_user(db, "ann@example.com")
        refused = tocsin("contact", "add", "ann@example.com", "voice", "0151 12345678")
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            "error: to must be a phone number with its country code, such as +4915112345678; "
            "got '0151 12345678'"
        )
    finally:
        db.dispose()
