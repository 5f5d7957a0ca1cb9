"""The profile lists the contact methods, says which phone numbers are not verified (and so not
used for paging), and takes the code sent to one."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.factories import make_user
from tests.web.pages import alert_rows, csrf_token_in, log_in
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.notify import contacts
from tocsin.notify.models import ContactMethod
from tocsin.notify.outbox import OutboxMessage

BUTTONS = r"( Send a test)?( In the rules [^.]*\.)?( Disable| Enable) Remove$"
"""What follows a contact's state in its cell: buttons, and the rules that send to it."""


def _contact_rows(html: str) -> list[tuple[str, str, str]]:
    section = html.split('<section aria-labelledby="contacts">')[1].split("</section>")[0]
    return [
        (
            row["Method"],
            row["Address"],
            re.sub(BUTTONS, "", row["State"].split(" Code sent")[0]),
        )
        for row in alert_rows(section)
    ]


def _add_phone(db: Database) -> tuple[str, str]:
    """Ada's SMS contact: its id, and the code sent to it."""
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        contact = contacts.add_contact(session, actor=SYSTEM, user=ada, method="sms", to="+44 7911 123456")
    with db.read_session() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
        ).one()
        return contact.id, str(message.payload["code"])


def test_an_unverified_number_is_shown_as_such_and_verified_with_its_code(
    http: TestClient, db: Database
) -> None:
    make_user(db, "ada@example.com")
    contact_id, code = _add_phone(db)
    log_in(http, "ada@example.com")

    html = http.get("/profile").text
    assert _contact_rows(html) == [
        ("E-mail", "ada@example.com", "Verified"),
        ("SMS", "+447911123456", "Not verified: not used for paging yet"),
    ]
    assert f'action="/profile/contacts/{contact_id}/verify"' in html
    wrong = "000000" if code != "000000" else "111111"

    refused = http.post(
        f"/profile/contacts/{contact_id}/verify", data={"code": wrong, "csrf_token": csrf_token_in(html)}
    )
    assert refused.status_code == 422
    assert "The code is not the one sent to +447911123456 (4 more tries)." in refused.text

    done = http.post(
        f"/profile/contacts/{contact_id}/verify",
        data={"code": code, "csrf_token": csrf_token_in(refused.text)},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "Verified +447911123456: it will be used for paging." in done.text
    assert _contact_rows(done.text)[1] == ("SMS", "+447911123456", "Verified")
    assert f"/profile/contacts/{contact_id}/verify" not in done.text


def test_a_new_code_is_sent_at_most_once_a_minute_and_forms_need_their_token(
    http: TestClient, db: Database, frozen_clock
) -> None:
    make_user(db, "ada@example.com")
    contact_id, _ = _add_phone(db)
    log_in(http, "ada@example.com")
    token = csrf_token_in(http.get("/profile").text)

    forged = http.post(f"/profile/contacts/{contact_id}/send-code", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    too_soon = http.post(f"/profile/contacts/{contact_id}/send-code", data={"csrf_token": token})
    assert too_soon.status_code == 409
    assert "A code was sent to +447911123456 moments ago; ask for a new one in 61 s." in too_soon.text


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1"})  # e-mail set up: tests can go


def test_a_test_notification_is_offered_for_verified_contacts_it_can_reach(
    http: TestClient, db: Database
) -> None:
    make_user(db, "ada@example.com")
    contact_id, _ = _add_phone(db)  # SMS is not set up here, and the number is not verified
    log_in(http, "ada@example.com")
    html = http.get("/profile").text
    with db.read_session() as session:
        email_id = session.scalars(select(ContactMethod.id).where(ContactMethod.method == "email")).one()
    assert f'action="/profile/contacts/{email_id}/test"' in html
    assert f'action="/profile/contacts/{contact_id}/test"' not in html

    done = http.post(
        f"/profile/contacts/{email_id}/test", data={"csrf_token": csrf_token_in(html)}, follow_redirects=True
    )

    assert "A test notification is on its way to ada@example.com." in done.text
    with db.read_session() as session:
        [queued] = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify.email")).all()
        assert (queued.destination, queued.payload["kind"]) == ("ada@example.com", "test")
    refused = http.post(f"/profile/contacts/{contact_id}/test", data={"csrf_token": csrf_token_in(done.text)})
    assert refused.status_code == 409
    assert (
        "Sms is not set up on this server" in refused.text
        or "SMS is not set up on this server" in refused.text
    )


def test_a_contact_method_is_added_on_the_profile_and_a_bad_number_says_what_to_fix(
    http: TestClient, db: Database
) -> None:
    make_user(db, "ada@example.com")
    log_in(http, "ada@example.com")
    token = csrf_token_in(http.get("/profile").text)

    refused = http.post(
        "/profile/contacts", data={"method": "sms", "to": "07911 123456", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "To must be a phone number with its country code, such as +4915112345678" in refused.text
    added = http.post(
        "/profile/contacts",
        data={"method": "sms", "to": "+44 7911 123456", "csrf_token": csrf_token_in(refused.text)},
        follow_redirects=True,
    )

    assert "Added +447911123456: enter the code sent to it to use it for paging." in added.text
    assert _contact_rows(added.text)[1] == ("SMS", "+447911123456", "Not verified: not used for paging yet")
    forged = http.post(
        "/profile/contacts", data={"method": "ntfy", "to": "ada-pager", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert len(_contact_rows(http.get("/profile").text)) == 2
