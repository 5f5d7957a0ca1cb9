"""Signed contexts of the buttons on chat posts (Acknowledge, Close, Take ownership).

Mattermost keeps a button's ``context`` on its server and sends it back, with the clicking user's
ids, when the button is pressed; anyone who can reach our button URL could send one too. So the
context carries what the press means (action, alert, integration, expiry) and an HMAC-SHA256 of
exactly that, under a key derived from the server's secret key: a press is acted on only if the
signature matches, nothing was added or changed, and the button has not expired.

How long a button works is ``TOCSIN_CHAT_BUTTON_LIFETIME_HOURS`` (a day by default): long enough
for the shift that was paged, short enough that a leaked context is soon worth nothing; a stale
button tells the presser to use ``/genie``. Where a press may come from (the channel and post the
button was first pressed on) is checked by the adapters with ``tocsin.chat.replay_guards``. A
card sent to one person as a direct message signs their chat user id as ``to``: only they may
press its buttons."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ACTIONS = ("ack", "close", "own")
FIELDS = frozenset({"action", "alert", "integration", "expires", "sig"})
DIRECT_FIELDS = FIELDS | {"to"}


class InvalidButton(Exception):
    """A press that is not acted on: forged, altered or expired. The message says which."""


@dataclass(frozen=True)
class ButtonPress:
    action: str
    """"ack", "close" or "own"."""
    alert_id: str
    integration_id: str
    expires_at: datetime
    to: str = ""
    """The chat user id a card sent as a direct message is for ("" for a channel's card)."""

    @property
    def card(self) -> str:
        """The card the button is on: all buttons of one card (one post, or one redraw of it)
        share their alert, integration and expiry."""
        card = f"{self.alert_id}|{self.integration_id}|{int(self.expires_at.timestamp())}"
        return f"{card}|{self.to}" if self.to else card


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"chat-buttons", hashlib.sha256).digest()


def _signature(
    secret_key: str, action: str, alert_id: str, integration_id: str, expires: str, to: str = ""
) -> str:
    parts = (action, alert_id, integration_id, expires) + ((f"to:{to}",) if to else ())
    canonical = "|".join(parts).encode()
    return hmac.new(_key(secret_key), canonical, hashlib.sha256).hexdigest()


def sign(
    secret_key: str,
    *,
    action: str,
    alert_id: str,
    integration_id: str,
    expires_at: datetime,
    to: str = "",
) -> dict[str, str]:
    """The context of a button that does ``action`` to the alert, through the integration (only
    for chat user ``to``, when given)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown button action {action!r}")
    if "|" in alert_id or "|" in integration_id or "|" in to:
        raise ValueError("ids with '|' cannot be signed unambiguously")
    expires = str(int(expires_at.timestamp()))
    context = {
        "action": action,
        "alert": alert_id,
        "integration": integration_id,
        "expires": expires,
        "sig": _signature(secret_key, action, alert_id, integration_id, expires, to),
    }
    return context | {"to": to} if to else context


def verify(secret_key: str, context: dict[str, Any], now: datetime) -> ButtonPress:
    """What a pressed button asks for; raises ``InvalidButton`` unless its context is exactly
    one we signed and it has not expired."""
    if not isinstance(context, dict) or set(context) not in (FIELDS, DIRECT_FIELDS):
        raise InvalidButton("this button was not made by Tocsin (its context is not ours)")
    if not all(isinstance(value, str) for value in context.values()):
        raise InvalidButton("this button was not made by Tocsin (its context is not ours)")
    action, alert_id = context["action"], context["alert"]
    integration_id, expires, to = context["integration"], context["expires"], context.get("to", "")
    if "to" in context and not to:
        raise InvalidButton("this button was not made by Tocsin (its context is not ours)")
    expected = _signature(secret_key, action, alert_id, integration_id, expires, to)
    if not hmac.compare_digest(expected.encode(), context["sig"].encode()):
        raise InvalidButton("this button was not made by Tocsin or was altered (its signature is wrong)")
    if action not in ACTIONS or not (expires.isascii() and expires.isdigit()):
        raise InvalidButton("this button was not made by Tocsin (its context is not ours)")
    if now.timestamp() > int(expires):
        raise InvalidButton(
            f"this button has expired (buttons work for a while after the post); use /genie {action} instead"
        )
    return ButtonPress(
        action=action,
        alert_id=alert_id,
        integration_id=integration_id,
        expires_at=datetime.fromtimestamp(int(expires), UTC),
        to=to,
    )
