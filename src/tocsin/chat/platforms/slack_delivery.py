"""Posting into Slack (being written)."""

from __future__ import annotations

from typing import Any

from tocsin.engine.deliveries import Channel
from tocsin.integrations.forwarding import Sending


def from_settings(settings: Any) -> Channel | None:
    return None


def forwarding(settings: Any) -> dict[str, Sending]:
    return {}
