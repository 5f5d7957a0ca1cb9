"""HipChat webhook JWTs: only this installation's, unexpired, and short-lived enough for the
replay guard to remember them until they expire."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from tocsin.chat.platforms.hipchat_jwt import MAX_LIFETIME_SECONDS, InvalidJwt, verify

SECRET = "installation-secret-of-32-bytes-or-more"


def now() -> datetime:
    """PyJWT checks exp against the real clock, so each test reads it when it runs (read once at
    import, it would be minutes old by the time a long run reaches the test)."""
    return datetime.now(UTC)


def token(exp: object) -> str:
    return jwt.encode({"iss": "oauth-1", "exp": exp, "jti": "j1"}, SECRET, algorithm="HS256")


def test_a_jwt_valid_for_more_than_a_day_is_refused() -> None:
    too_long = int(now().timestamp()) + MAX_LIFETIME_SECONDS + 60
    with pytest.raises(InvalidJwt, match="valid for more than a day"):
        verify(token(too_long), oauth_id="oauth-1", oauth_secret=SECRET, now=now())


def test_an_expiry_given_as_text_is_read_as_a_number() -> None:
    exp = int(now().timestamp()) + 300
    claims = verify(token(str(exp)), oauth_id="oauth-1", oauth_secret=SECRET, now=now())
    assert claims["exp"] == exp and claims["jti"] == "j1"
