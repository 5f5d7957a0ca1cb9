"""What a fake chat platform made of Tocsin's answer to a slash command: the parts that Mattermost
and Slack share (each platform's ``SlashResult`` adds its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.mattermost_model import Sent


@dataclass
class CommandAnswer:
    request: Sent
    response_url: str
    status: int | None = None
    error: str | None = None
    """What the platform shows the user instead of an answer ("operation_timeout"...); None when
    the answer was taken."""
    detail: str = ""
    text: str = ""
    """The answer as the platform shows it."""
    ephemeral: bool = False
    """True when the answer is shown to the invoking user only."""
    response_type: str = ""
    raw: Any = None
    """The decoded answer: the HTTP answer's JSON (or text), or the one posted to the response URL."""
    elapsed: float = 0.0
