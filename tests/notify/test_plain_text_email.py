"""Notification e-mails as they go over the wire: whatever the alert says (accents, emoji, a
description on one very long line) and whoever they go to, a mail client shows exactly the
text Tocsin wrote, and no line breaks the 998-character limit of RFC 5322."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from tocsin.notify.email import SmtpServer
from tocsin.notify.messages import plain_text_email

SERVER = SmtpServer("127.0.0.1", 25, "", "", "none", "Tocsin Bereitschaft Ü <tocsin@example.com>", 5.0)


def over_the_wire(to: str, subject: str, text: str):
    wire = SERVER.stamped(plain_text_email(to, subject, text)).as_bytes()
    assert max(len(line) for line in wire.splitlines()) <= 998
    assert wire.isascii()  # no server needs SMTPUTF8 for it
    return message_from_bytes(wire, policy=policy.default)


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("[Tocsin] New alert: #12 P3 Disk full on db1", "New alert: #12 Disk full on db1\n\nPriority: P3\n"),
        ("[Tocsin] New alert: #13 P1 Festplatte voll — Grüße 🚨", "Plattenplatz < 1 %, äöü ß 🚨\n"),
        ("[Tocsin] New alert: #14 P2 " + "x" * 120, "one long line: " + "y" * 2500 + "\n"),
        ("[Tocsin] New alert: #15 P2 long line with ä", "ä" + "z" * 2500 + "\n"),
    ],
)
def test_what_the_mail_client_shows_is_what_tocsin_wrote(subject: str, text: str) -> None:
    received = over_the_wire("ada@example.com", subject, text)
    assert str(received["Subject"]) == subject
    assert received.get_content() == text
    assert str(received["To"]) == "ada@example.com"
    assert received["From"].addresses[0].display_name == "Tocsin Bereitschaft Ü"
    assert received["From"].addresses[0].addr_spec == "tocsin@example.com"
    assert str(received["Message-ID"]).endswith("@example.com>")


def test_a_plain_ascii_alert_is_readable_as_it_is_sent() -> None:
    wire = SERVER.stamped(plain_text_email("ada@example.com", "Disk full", "Disk full on db1\n")).as_bytes()
    assert b"\n\nDisk full on db1\n" in wire.replace(b"\r\n", b"\n")


def test_a_recipient_with_a_non_ascii_domain_is_addressed_as_such() -> None:
    received = message_from_bytes(
        SERVER.stamped(plain_text_email("ada@bücher.example", "Disk full", "Disk full on db1\n")).as_bytes(),
        policy=policy.default,
    )
    assert received["To"].addresses[0].addr_spec == "ada@bücher.example"
    assert received.get_content() == "Disk full on db1\n"
