"""Checking that a request really comes from Slack: Slack signs every slash command and button
click with the app's Signing Secret ("v0=" + hex HMAC-SHA256 of ``v0:<timestamp>:<raw body>``)
and sends the Unix time it signed at. A request is taken only if the signature matches the body
exactly as received and the time is within five minutes of ours, so a captured request cannot be
replayed later; within those five minutes the adapter takes each signature once
(``tocsin.chat.replay_guards``)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VERSION = "v0"
MAX_AGE_SECONDS = 300
TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"


class Refused(Exception):
    """The request is not taken; the message says why (for the log, not for the sender)."""


@dataclass(frozen=True)
class Signed:
    """A request that passed: its signature, and until when that signature could be accepted."""

    signature: str
    valid_until: datetime


def signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """What Slack puts in ``X-Slack-Signature`` for this body sent at ``timestamp``."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify(signing_secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> Signed:
    """Raise ``Refused`` unless ``body`` was signed with ``signing_secret`` within five minutes
    of ``now``. ``headers`` is looked up in lower case (Starlette's headers are)."""
    if not signing_secret:
        raise Refused("the integration has no Signing Secret")
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    given = headers.get(SIGNATURE_HEADER, "").strip()
    if not timestamp or not given:
        raise Refused("the request is not signed (X-Slack-Request-Timestamp or X-Slack-Signature missing)")
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise Refused("X-Slack-Request-Timestamp is not a Unix time")
    if abs(now.timestamp() - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused("the request was signed more than five minutes from now (a replay, or a clock off)")
    expected = signature(signing_secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise Refused("the signature does not match the Signing Secret")
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    return Signed(expected, signed_at + timedelta(seconds=MAX_AGE_SECONDS))
