"""Talking to HipChat's REST API (v2) as an installed add-on: what an installation is (the OAuth
client HipChat made for one room), reading the server's capabilities, access tokens (OAuth2 client
credentials, kept until a minute before they expire) and sending a room notification or a private
message with one.

Every request passes the outbound policy and follows no redirect. A 401 from the API means the
token is no longer good (revoked, or the server restarted): it is dropped and a new one is fetched,
once. Network errors, 408, 429 and 5xx are worth retrying (``RuntimeError``); other refusals are
final (``PermanentFailure``), as ``webhook.send_outbound`` sends every request."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from tocsin import clock
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.webhook import body_text, post_json, send_outbound
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer

SCOPES = ("send_notification", "send_message", "view_group")
TIMEOUT = 10.0
EARLY = timedelta(seconds=60)
"""A token is renewed this long before HipChat says it expires."""


@dataclass(frozen=True)
class Installation:
    """What HipChat gave when the add-on was installed in a room (``hipchatInstallation``)."""

    oauthId: str
    oauthSecret: str
    groupId: int
    groupName: str
    roomId: int
    capabilitiesUrl: str
    tokenUrl: str
    apiUrl: str
    installedAt: str

    @classmethod
    def of(cls, config: dict[str, Any] | None) -> Installation | None:
        stored = (config or {}).get("hipchatInstallation")
        return cls(**stored) if isinstance(stored, dict) else None

    def stored(self) -> dict[str, Any]:
        return asdict(self)

    def api(self, path: str) -> str:
        return f"{self.apiUrl.rstrip('/')}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Capabilities:
    token_url: str
    api_url: str


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: datetime
    group_name: str | None


class TokenRejected(Exception):
    """The API answered 401 to a token: get another and try again."""


def hipchat_said(answer: Answer) -> str:
    """HipChat explains a refusal as ``{"error": {"code", "message", "type"}}``."""
    try:
        error = orjson.loads(answer.content).get("error")
    except (orjson.JSONDecodeError, AttributeError):
        return body_text(answer)
    message = error.get("message") if isinstance(error, dict) else error
    return str(message).strip()[:200] if message else body_text(answer)


async def fetch_capabilities(outbound: OutboundPolicy, url: str) -> Capabilities:
    """The token URL and API base the HipChat server's capabilities document names."""
    answer = await send_outbound(
        outbound, "GET", url, timeout=TIMEOUT, said=hipchat_said, headers={"Accept": "application/json"}
    )
    try:
        capabilities = orjson.loads(answer.content)["capabilities"]
        token_url = str(capabilities["oauth2Provider"]["tokenUrl"])
        api_url = str(capabilities["hipchatApiProvider"]["url"])
    except (orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise PermanentFailure(
            f"the HipChat capabilities document has no OAuth2 token URL or API URL ({error!r})"
        ) from error
    return Capabilities(token_url=token_url, api_url=api_url)


async def fetch_token(outbound: OutboundPolicy, token_url: str, oauth_id: str, oauth_secret: str) -> Token:
    """A new access token for the add-on's OAuth client (client credentials grant)."""
    answer = await send_outbound(
        outbound,
        "POST",
        token_url,
        timeout=TIMEOUT,
        said=hipchat_said,
        form={"grant_type": "client_credentials", "scope": " ".join(SCOPES)},
        basic_auth=(oauth_id, oauth_secret),
    )
    try:
        granted = orjson.loads(answer.content)
        access_token = str(granted["access_token"])
        lifetime = timedelta(seconds=float(granted.get("expires_in", 3599)))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise PermanentFailure(f"HipChat's token answer has no access_token ({error!r})") from error
    name = granted.get("group_name")
    return Token(access_token, clock.now() + lifetime, str(name) if name else None)


class TokenCache:
    """Access tokens by OAuth client id, in this process's memory."""

    def __init__(self) -> None:
        # Two sends that find no token fetch one each; the later one is kept. Harmless, and no
        # lock is shared between the server's and the engine's event loops.
        self._tokens: dict[str, Token] = {}

    async def token(self, outbound: OutboundPolicy, installation: Installation) -> str:
        kept = self._tokens.get(installation.oauthId)
        if kept is None or kept.expires_at - EARLY <= clock.now():
            kept = await fetch_token(
                outbound, installation.tokenUrl, installation.oauthId, installation.oauthSecret
            )
            self._tokens[installation.oauthId] = kept
        return kept.access_token

    def drop(self, oauth_id: str) -> None:
        self._tokens.pop(oauth_id, None)


TOKENS = TokenCache()


def _said_or_rejected(answer: Answer) -> str:
    # Called by post_json for a non-2xx answer, before it raises: a 401 is raised as
    # TokenRejected instead, so the caller can renew the token and try once more.
    if answer.status_code == 401:
        raise TokenRejected(hipchat_said(answer))
    return hipchat_said(answer)


async def send(outbound: OutboundPolicy, installation: Installation, path: str, body: dict[str, Any]) -> None:
    """POST ``body`` to the API at ``path`` (under the API URL) with the add-on's token."""
    url, content = installation.api(path), orjson.dumps(body)
    try:
        token = await TOKENS.token(outbound, installation)
        headers = {"Authorization": f"Bearer {token}"}
        await post_json(outbound, url, content, headers, timeout=TIMEOUT, said=_said_or_rejected)
    except TokenRejected:
        TOKENS.drop(installation.oauthId)
        token = await TOKENS.token(outbound, installation)
        headers = {"Authorization": f"Bearer {token}"}
        await post_json(outbound, url, content, headers, timeout=TIMEOUT, said=hipchat_said)


async def room_notification(
    outbound: OutboundPolicy, installation: Installation, body: dict[str, Any]
) -> None:
    await send(outbound, installation, f"room/{installation.roomId}/notification", body)


async def private_message(
    outbound: OutboundPolicy, installation: Installation, user_id: str, body: dict[str, Any]
) -> None:
    """A message only ``user_id`` reads (HipChat's 1:1 chat with the add-on's user)."""
    await send(outbound, installation, f"user/{user_id}/message", body)
