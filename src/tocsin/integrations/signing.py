"""Signatures on outgoing requests, so receivers can tell them from forgeries.

Each integration's secret is derived from the server's secret key and the integration's salt:
nothing secret is stored, and a new salt rotates it. A request carries
``X-Tocsin-Timestamp: <unix seconds>`` and ``X-Tocsin-Signature: sha256=<hex>``, the HMAC-SHA256
of ``"<timestamp>.<raw body>"`` under that secret; receivers recompute it and refuse old
timestamps (replays)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-Tocsin-Timestamp"
SIGNATURE_HEADER = "X-Tocsin-Signature"


def new_salt() -> str:
    return secrets.token_hex(16)


def signing_secret(secret_key: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode(), f"integration-signing:{salt}".encode(), hashlib.sha256)
    return "whsec_" + digest.hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    """What a receiver does (tests and the docs' example use it)."""
    return timestamp.isdigit() and hmac.compare_digest(signature(secret, int(timestamp), body), given)
