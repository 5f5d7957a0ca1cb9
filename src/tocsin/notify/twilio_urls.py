"""The addresses on Tocsin that Twilio calls back: the ones to enter in Twilio's console
(``SMS``, ``STATUS``) and the ones each text or call names itself."""

from __future__ import annotations

from urllib.parse import urlencode

PREFIX = "/webhooks/twilio"
SMS = f"{PREFIX}/sms"
"""The number's "A message comes in" webhook: replies and STOP/START."""
STATUS = f"{PREFIX}/status"
"""Delivery statuses of texts and calls (named by each, as its ``StatusCallback``)."""
CALL = f"{PREFIX}/voice/alert"
"""A call's TwiML: reads the alert and waits for a key."""
KEYS = f"{PREFIX}/voice/keys"
"""Where a call's key press goes."""


def status_callback(base_url: str, message_id: int) -> str:
    return f"{base_url}{STATUS}?{urlencode({'message': message_id})}"


def call_url(base_url: str, token: str, *, again: bool = False) -> str:
    query = {"token": token, **({"again": "1"} if again else {})}
    return f"{base_url}{CALL}?{urlencode(query)}"


def keys_url(base_url: str, token: str) -> str:
    return f"{base_url}{KEYS}?{urlencode({'token': token})}"
