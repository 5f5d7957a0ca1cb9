"""The token in a call's TwiML URL: signed, good for one purpose (the key presses of one call
about one alert to one person), and expiring, so a URL seen in Twilio's logs cannot act on
other alerts or later."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from tocsin import clock

SALT = "tocsin.twilio.call"
LIFETIME_SECONDS = 3600
"""A call rings for 30 s, but Twilio may queue it a while when the account is busy."""


@dataclass(frozen=True)
class CallAbout:
    alert_id: str
    user_id: str


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=_ClockSigner)


def call_token(secret_key: str, about: CallAbout) -> str:
    return _serializer(secret_key).dumps({"alert": about.alert_id, "user": about.user_id})


def read_call_token(secret_key: str, token: str, *, max_age: int = LIFETIME_SECONDS) -> CallAbout | None:
    """What the token names, or None when it is forged, of another purpose or expired."""
    try:
        found = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(found, dict):
        return None
    alert_id, user_id = found.get("alert"), found.get("user")
    if not isinstance(alert_id, str) or not isinstance(user_id, str):
        return None
    return CallAbout(alert_id, user_id)
