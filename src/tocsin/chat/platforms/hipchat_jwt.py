"""Who may post to a HipChat integration's webhook: HipChat signs each ``room_message`` webhook of an
add-on with a JWT (HS256, keyed with the installation's OAuth secret, issued by its OAuth client
id), sent as ``Authorization: JWT <token>`` or as the ``signed_request`` query parameter. Each
token is taken once (its ``jti``; the adapter keeps it until it expires), so a captured webhook
cannot be sent again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt
from starlette.requests import Request

LEEWAY_SECONDS = 30
"""Clocks of HipChat and Tocsin may differ a little."""
MAX_LIFETIME_SECONDS = 24 * 3600
"""HipChat's tokens last minutes; one valid for longer would have to be remembered for as long."""


class InvalidJwt(Exception):
    """The webhook is not from this installation; the message says why (for the log and the answer)."""


def token_of(request: Request) -> str | None:
    """The JWT the request carries, from the header or the query string."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "jwt" and value.strip():
        return value.strip()
    given = request.query_params.get("signed_request", "")
    return given or None


def verify(token: str | None, *, oauth_id: str, oauth_secret: str, now: datetime) -> dict[str, Any]:
    """The claims of ``token`` when it is signed with ``oauth_secret`` (HS256 only), issued by
    ``oauth_id``, not expired and not valid for more than a day; ``InvalidJwt`` otherwise."""
    if not token:
        raise InvalidJwt("the request carries no JWT (Authorization: JWT ... or ?signed_request=...)")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            oauth_secret,
            algorithms=["HS256"],
            issuer=oauth_id,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidJwt("the JWT has expired") from None
    except jwt.InvalidIssuerError:
        raise InvalidJwt("the JWT was issued for another installation of the add-on") from None
    except jwt.InvalidSignatureError:
        raise InvalidJwt("the JWT's signature does not match this installation's secret") from None
    except jwt.InvalidTokenError as error:
        raise InvalidJwt(f"the JWT is not valid ({error})") from None
    claims["exp"] = int(claims["exp"])  # PyJWT takes "exp": "1700000000" too
    if claims["exp"] > now.timestamp() + MAX_LIFETIME_SECONDS:
        raise InvalidJwt("the JWT is valid for more than a day (its exp is too far ahead)")
    return claims
