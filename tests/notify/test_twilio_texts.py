"""What a page by SMS says: GSM-7 only, one segment when it fits and two at most, the alert's
tinyId, priority and message, and how to answer."""

from __future__ import annotations

import pytest

from tocsin.alerts.models import Alert
from tocsin.notify.twilio_texts import GSM7_BASIC, GSM7_EXTENSION, alert_text, gsm7, septets


def _alert(message: str, tiny_id: int = 12, priority: str = "P1") -> Alert:
    return Alert(tiny_id=tiny_id, priority=priority, message=message)


def test_a_short_alert_fits_one_segment_with_how_to_answer():
    text = alert_text(_alert("Disk full on db1"), {"kind": "create-alert"})
    assert text == "Tocsin #12 P1: Disk full on db1\nReply 'ack 12' or 'close 12'"
    assert septets(text) <= 160


@pytest.mark.parametrize(
    "message",
    [
        "x" * 2000,
        "Festplatte voll \u2013 \u201edb1\u201c l\u00e4uft \u00fcber\u2026 \U0001f6a8 " * 40,
        "[brackets] {braces} ~tilde~ |pipes| €uro ^caret^ " * 20,
        "日本語のアラート" * 50,
    ],
)
def test_any_message_is_cut_to_two_gsm7_segments_and_keeps_the_answer(message):
    text = alert_text(_alert(message), {"kind": "create-alert"})
    assert all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)
    assert septets(text) <= 306
    assert text.startswith("Tocsin #12 P1: ")
    assert text.endswith("...\nReply 'ack 12' or 'close 12'")


def test_look_alikes_replace_what_gsm7_lacks():
    given = "\u201cquoted\u201d \u2013 dash\u2026 caf\u00e9 na\u00efve \u00c6r\u00f8 \U0001f6a8\tend \u00e1"
    assert gsm7(given) == '"quoted" - dash... caf\u00e9 naive \u00c6r\u00f8 ? end a'


def test_acknowledgements_and_closes_say_who():
    acknowledged = alert_text(
        _alert("Disk full"), {"kind": "acknowledged-alert", "by": "bob@example.com via SMS"}
    )
    assert acknowledged == "Tocsin #12 acknowledged by bob@example.com via SMS: Disk full"
    closed = alert_text(_alert("Disk full"), {"kind": "closed-alert", "by": "Prometheus (API)"})
    assert closed == "Tocsin #12 closed by Prometheus (API): Disk full"


def test_a_message_that_needs_two_segments_is_sent_whole():
    message = "replica lag " * 16
    text = alert_text(_alert(message), {"kind": "create-alert"})
    assert 160 < septets(text) <= 306
    assert message.strip() in text
