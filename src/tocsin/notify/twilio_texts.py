"""What a page by SMS says, in GSM-7 so that it fits one or two segments.

A single character outside GSM-7 (an emoji, a curly quote) would send the whole text as UCS-2,
70 characters a segment instead of 160: the alert's message is mapped to GSM-7 look-alikes
(accents dropped where GSM-7 lacks the letter, anything else ``?``), and cut so that the whole
text fits one segment when it can, and two at most."""

from __future__ import annotations

import unicodedata
from typing import Any

from tocsin.alerts.models import Alert

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
"""Characters sent as an escape and a second septet: each counts twice."""
ONE_SEGMENT = 160
TWO_SEGMENTS = 2 * 153
"""A text of several segments carries a header in each, leaving 153 septets a segment."""
_LOOK_ALIKES = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),  # curly single quotes, primes
    **dict.fromkeys("\u201c\u201d\u201e\u2033\u00ab\u00bb", '"'),  # curly double quotes, guillemets
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"),  # hyphens, dashes, minus
    **dict.fromkeys("\t\u00a0\u2009\u202f", " "),
    "\u2026": "...",
    "\u2022": "*",
}
_SEPTETS = {**dict.fromkeys(GSM7_BASIC, 1), **dict.fromkeys(GSM7_EXTENSION, 2)}


def gsm7(text: str) -> str:
    """``text`` in characters GSM-7 has, on one line."""
    return "".join(_gsm7_char(char) for char in " ".join(text.split()))


def _gsm7_char(char: str) -> str:
    if char in _SEPTETS:
        return char
    if char in _LOOK_ALIKES:
        return _LOOK_ALIKES[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain if plain and all(c in _SEPTETS for c in plain) else "?"


def septets(text: str) -> int:
    """How much of a segment ``text`` (already GSM-7) takes."""
    return sum(_SEPTETS.get(char, 2) for char in text)


def fitted(before: str, message: str, after: str) -> str:
    """``before + message + after`` in one segment if it fits, else in two, ``message`` cut
    (with "...") to make room."""
    message = gsm7(message)
    room = septets(before) + septets(after)
    for limit in (ONE_SEGMENT, TWO_SEGMENTS):
        if room + septets(message) <= limit:
            return before + message + after
    kept, used, limit = [], room + 3, TWO_SEGMENTS
    for char in message:
        used += septets(char)
        if used > limit:
            break
        kept.append(char)
    return before + "".join(kept).rstrip() + "..." + after


def alert_text(alert: Alert, payload: dict[str, Any]) -> str:
    """A page: the alert's tinyId, priority and message, and how to answer."""
    tiny = alert.tiny_id
    kind = payload.get("kind", "create-alert")
    by = gsm7(str(payload.get("by") or "someone"))
    if kind == "acknowledged-alert":
        return fitted(f"Tocsin #{tiny} acknowledged by {by}: ", alert.message, "")
    if kind == "closed-alert":
        return fitted(f"Tocsin #{tiny} closed by {by}: ", alert.message, "")
    answer = f"\nReply 'ack {tiny}' or 'close {tiny}'"
    return fitted(f"Tocsin #{tiny} {alert.priority}: ", alert.message, answer)


def shift_text(payload: dict[str, Any]) -> str:
    schedule = payload.get("scheduleName", "")
    if payload.get("kind") == "schedule-start":
        return fitted("Tocsin: your on-call shift for ", schedule, " starts soon.")
    return fitted("Tocsin: your on-call shift for ", schedule, " ends soon.")


def test_text(payload: dict[str, Any]) -> str:
    """A test notification (``kind`` "test", asked for on a contact)."""
    by = payload.get("by") or "you"
    return fitted("Tocsin test: pages will reach you by SMS at this number. Asked for by ", by, ".")


def code_text(code: str) -> str:
    return f"Your Tocsin code is {code}. It is valid for 10 minutes."


def spoken_code(code: str) -> str:
    """A code read out digit by digit: "1 2 3 4 5 6"."""
    return " ".join(code)
