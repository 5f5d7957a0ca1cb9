"""The signed links behind the action buttons of an ntfy push (Acknowledge, Close).

ntfy does not sign the requests its app sends when a button is tapped, and the phone must reach
the link with nothing but the link: so the link carries what the tap means (one action, one
alert, the person it was sent to) and its expiry, signed with a key of this purpose alone
(``itsdangerous``, salted: no other signed thing of Tocsin's passes as one). Nothing is stored;
a link is refused when its signature is wrong, anything in it was changed, or it has expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "tocsin.ntfy-action"
ACTIONS = ("acknowledge", "close")
LIFETIME = timedelta(hours=24)
"""How long a push's buttons work: the night it was sent, not the week after a leak."""
FIELDS = frozenset({"do", "alert", "user", "exp"})


class RefusedLink(Exception):
    """A link that is not acted on; ``status`` 403 (forged or altered) or 410 (expired)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ActionLink:
    """What a tap on a button asks for."""

    action: str
    """"acknowledge" or "close"."""
    alert_id: str
    user_id: str
    expires_at: datetime


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def issue(secret_key: str, *, action: str, alert_id: str, user_id: str, expires_at: datetime) -> str:
    """A token (URL-safe) that lets ``user_id`` do ``action`` to the alert until ``expires_at``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown ntfy action {action!r}")
    claims = {"do": action, "alert": alert_id, "user": user_id, "exp": int(expires_at.timestamp())}
    return str(_serializer(secret_key).dumps(claims))


def verify(secret_key: str, token: str, now: datetime) -> ActionLink:
    """What ``token`` allows; raises ``RefusedLink`` unless it is one of ours and still valid."""
    try:
        claims: Any = _serializer(secret_key).loads(token)
    except BadSignature as bad:
        raise RefusedLink(403, "this link was not made by Tocsin or was altered") from bad
    if not _well_formed(claims):
        raise RefusedLink(403, "this link was not made by Tocsin")
    if now.timestamp() > claims["exp"]:
        raise RefusedLink(
            410, "this button has expired (it works for 24 hours after the push); act on the alert in Tocsin"
        )
    return ActionLink(
        action=claims["do"],
        alert_id=claims["alert"],
        user_id=claims["user"],
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )


def _well_formed(claims: Any) -> bool:
    return (
        isinstance(claims, dict)
        and set(claims) == FIELDS
        and claims["do"] in ACTIONS
        and isinstance(claims["alert"], str)
        and isinstance(claims["user"], str)
        and isinstance(claims["exp"], int)
        and not isinstance(claims["exp"], bool)
    )
