"""The HipChat add-on's life in a room: the capabilities descriptor an admin installs it from, the
install callback (HipChat hands over the OAuth client it made for the installation) and the
uninstall. An integration is installed in one room at a time; what HipChat gave is kept in
``integration.config["hipchatInstallation"]``.

Before anything is kept the installation is proven: its capabilities document must be on the
integration's HipChat server (so the OAuth secret goes nowhere else), and a token must be had with
its credentials. A refusal (``Refused``) says what to fix and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.chat.platforms.hipchat_api import SCOPES, TOKENS, Installation, fetch_capabilities, fetch_token
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations import configuration
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy, OutboundRefused

COMMAND_PATTERN = r"^/genie(\s|$)"
KEY_PREFIX = "tocsin-"
INSTALLATION = "hipchatInstallation"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def addon_key(integration: Integration) -> str:
    """Unique per integration, within HipChat's 40 characters."""
    return (KEY_PREFIX + integration.id.replace("-", ""))[:40]


def descriptor(url: str, integration: Integration) -> dict[str, Any]:
    """The capabilities descriptor served at the integration's Capabilities URL ``url``."""
    return {
        "key": addon_key(integration),
        "name": f"Tocsin ({integration.name})",
        "description": "Alerts of Tocsin in this room, and /genie commands to act on them.",
        "vendor": {"name": "Tocsin", "url": url.split("/chat/", 1)[0] + "/"},
        "links": {"self": url},
        "capabilities": {
            "hipchatApiConsumer": {"scopes": list(SCOPES), "fromName": "Tocsin"},
            "installable": {"allowGlobal": False, "allowRoom": True, "callbackUrl": f"{url}/installed"},
            "webhook": [
                {
                    "event": "room_message",
                    "pattern": COMMAND_PATTERN,
                    "url": f"{url}/message",
                    "name": "genie",
                    "authentication": "jwt",
                }
            ],
        },
    }


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip())
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def on_server(url: str, server: str) -> bool:
    """Whether ``url`` has the scheme, host and port of the HipChat server ``server``."""
    return bool(server) and _origin(url) == _origin(server)


@dataclass(frozen=True)
class Asked:
    """An install callback's body, checked."""

    capabilities_url: str
    oauth_id: str
    oauth_secret: str
    group_id: int
    room_id: int


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def asked_of(body: Any) -> Asked:
    if not isinstance(body, dict):
        raise Refused(400, "The install callback takes HipChat's JSON (capabilitiesUrl, oauthId, ...).")
    if body.get("roomId") is None:
        raise Refused(
            400,
            "Tocsin installs in one room only: install the integration from a room's Integrations "
            "page, not for the whole group.",
        )
    texts = [body.get(key) for key in ("capabilitiesUrl", "oauthId", "oauthSecret")]
    group_id, room_id = _number(body.get("groupId")), _number(body.get("roomId"))
    if not all(isinstance(text, str) and text for text in texts) or group_id is None or room_id is None:
        raise Refused(
            400, "The install callback lacks capabilitiesUrl, oauthId, oauthSecret, groupId or roomId."
        )
    capabilities_url, oauth_id, oauth_secret = (str(text) for text in texts)
    return Asked(capabilities_url, oauth_id, oauth_secret, group_id, room_id)


def check_may_install(integration: Integration, asked: Asked) -> None:
    """Refuse a second installation while one is in place (a re-install of the same one is fine)."""
    current = Installation.of(integration.config)
    if current is not None and current.oauthId != asked.oauth_id:
        raise Refused(
            409,
            f"The Tocsin integration {integration.name} is already installed in HipChat room "
            f"{current.roomId} of {current.groupName}: uninstall it there first, or add another "
            "Tocsin HipChat integration for this room.",
        )


async def proven(outbound: OutboundPolicy, server: str, asked: Asked) -> Installation:
    """The installation, once its capabilities are read and its credentials gave a token."""
    url = asked.capabilities_url
    if not on_server(url, server):
        raise Refused(
            400,
            f"The capabilitiesUrl {url} is not on this integration's HipChat server "
            f"({server or 'none set'}): set the integration's HipChat URL to the server you install from.",
        )
    try:
        await outbound.check_async(url)
        capabilities = await fetch_capabilities(outbound, url)
    except OutboundRefused as refused:
        raise Refused(400, f"Tocsin may not reach the HipChat server: {refused.message}") from refused
    except (PermanentFailure, RuntimeError) as error:
        raise Refused(502, f"Tocsin could not read HipChat's capabilities at {url}: {error!r}") from error
    for found in (capabilities.token_url, capabilities.api_url):
        if not on_server(found, server):
            raise Refused(502, f"HipChat's capabilities name {found}, which is not on the server {server}.")
    try:
        token = await fetch_token(outbound, capabilities.token_url, asked.oauth_id, asked.oauth_secret)
    except PermanentFailure as refused:
        raise Refused(
            400,
            f"HipChat refused the installation's OAuth credentials ({refused}); install the add-on again.",
        ) from refused
    except RuntimeError as error:
        raise Refused(502, f"Tocsin could not get a HipChat token: {error!r}; try again later.") from error
    return Installation(
        oauthId=asked.oauth_id,
        oauthSecret=asked.oauth_secret,
        groupId=asked.group_id,
        groupName=token.group_name or f"group {asked.group_id}",
        roomId=asked.room_id,
        capabilitiesUrl=url,
        tokenUrl=capabilities.token_url,
        apiUrl=capabilities.api_url,
        installedAt=clock.now().isoformat(),
    )


def server_of(integration: Integration) -> str:
    return configuration.url_of(integration)


def keep(session: Session, integration: Integration, installation: Installation) -> None:
    """Store ``installation`` (a new dict, so the JSON column's change is seen)."""
    integration.config = {**(integration.config or {}), INSTALLATION: installation.stored()}
    session.flush()


def forget(integration: Integration, oauth_id: str) -> bool:
    """Forget the installation if it is ``oauth_id``'s; whether it was."""
    current = Installation.of(integration.config)
    if current is None or current.oauthId != oauth_id:
        return False
    integration.config = {
        key: value for key, value in (integration.config or {}).items() if key != INSTALLATION
    }
    TOKENS.drop(oauth_id)
    return True
