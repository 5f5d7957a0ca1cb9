"""Generating and hashing the secrets Tocsin hands out (API keys, integration keys)."""

from __future__ import annotations

import hashlib
import uuid


def new_api_key() -> str:
    """A key in Opsgenie's format (a random UUID), so tools that check the format accept it."""
    return str(uuid.uuid4())


def hash_key(key: str) -> str:
    """Keys are random (122 bits), so a fast hash is enough to store them safely."""
    return hashlib.sha256(key.strip().encode()).hexdigest()
