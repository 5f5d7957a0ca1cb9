"""Chat integrations (Mattermost, HipChat, Slack): the settings only they have, and the Request URL
their commands are sent to (for HipChat: the URL of the add-on's capabilities descriptor).

The secret in the Request URL is derived, never stored: an HMAC of the integration's signing salt
under the server's secret key. So the URL can be shown at any time (before saving, too, when the
id and salt are chosen in advance), and rotating the integration's signing secret changes it.
A command token (Mattermost's per-command token) is kept only as its SHA-256. Slack's signing
secret is kept as it is: every request is checked with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.chat.markdown import escape_line
from tocsin.integrations.chat_bots import bot_facts
from tocsin.integrations.models import Integration

CHAT_KINDS = ("Mattermost", "HipChat", "Slack")
COMMAND_TOKEN_MAX = 200
_PATHS = {"Mattermost": "mattermost", "HipChat": "hipchat", "Slack": "slack"}
SLACK_SIGNING_SECRET_MAX = 200


def is_chat_kind(kind: str) -> bool:
    return kind in CHAT_KINDS


def _secret(secret_key: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode(), f"chat-request:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, no padding


def request_secret(secret_key: str, integration: Integration) -> str:
    return _secret(secret_key, integration.signing_salt)


def request_url_for(base_url: str, secret_key: str, *, kind: str, integration_id: str, salt: str) -> str:
    """The Request URL an integration with this id and salt has (or will have, once saved)."""
    return f"{base_url}/chat/{_PATHS[kind]}/{integration_id}/{_secret(secret_key, salt)}"


def request_url(base_url: str, secret_key: str, integration: Integration) -> str:
    return request_url_for(
        base_url,
        secret_key,
        kind=integration.type,
        integration_id=integration.id,
        salt=integration.signing_salt,
    )


def find_by_request_secret(
    session: Session, *, secret_key: str, integration_id: str, secret: str, kind: str | None = None
) -> Integration | None:
    """The chat integration (of ``kind``, when given: the platform whose path the request came
    to) whose Request URL carries ``secret``; disabled ones too (the caller says they are
    disabled). The comparison takes the same time whatever ``secret`` is."""
    integration = session.get(Integration, integration_id)
    if integration is None or not is_chat_kind(integration.type) or kind not in (None, integration.type):
        return None
    expected = request_secret(secret_key, integration).encode()
    return integration if hmac.compare_digest(expected, secret.encode()) else None


def requires_user_matching(integration: Integration) -> bool:
    """Whether only chat users linked to a Tocsin account may run commands."""
    return bool((integration.config or {}).get("requireUserMatching", False))


def hash_command_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def command_token_set(integration: Integration) -> bool:
    return bool((integration.config or {}).get("commandTokenHash"))


def command_token_matches(integration: Integration, given: str | None) -> bool:
    """True when no token is stored, or ``given`` is that token (compared in constant time)."""
    stored: Any = (integration.config or {}).get("commandTokenHash")
    if not stored:
        return True
    if not given:
        return False
    return hmac.compare_digest(hash_command_token(given).encode(), str(stored).encode())


def slack_signing_secret(integration: Integration) -> str:
    """The Signing Secret of the Slack app whose requests this integration takes ("" if none)."""
    return str((integration.config or {}).get("slackSigningSecret", ""))


def unknown_request_url_text(kind: str) -> str:
    """What a request to a Request URL of no integration is told."""
    label = request_url_label(kind)
    return (
        f"This {label} belongs to no Tocsin integration: no Tocsin {kind} integration has it (it was "
        f"deleted, or its secret was rotated). Ask a Tocsin admin for the current {label} of the "
        f"{kind} integration."
    )


def disabled_text(name: str) -> str:
    """What a command through a disabled integration is told (``name`` is shown as markdown)."""
    return (
        f"The Tocsin integration {escape_line(name)} is disabled, so it runs no command but "
        f"`/genie enable {escape_line(name)}`: a Tocsin admin (connected with `/genie connect`) can "
        "run that here, or enable it in Settings > Integrations."
    )


def request_url_label(kind: str) -> str:
    """What the platform calls the URL it is given: HipChat installs an add-on from a descriptor."""
    return "Capabilities URL" if kind == "HipChat" else "Request URL"


def hipchat_installation(integration: Integration) -> str:
    """Where the HipChat add-on of this integration is installed (never its OAuth credentials)."""
    installed = (integration.config or {}).get("hipchatInstallation")
    if not installed:
        return "Not installed yet"
    since = str(installed.get("installedAt", ""))
    with suppress(ValueError):  # if not a date, it is shown as it was stored
        since = datetime.fromisoformat(since).date().isoformat()
    return f"Installed in room {installed.get('roomId')} of {installed.get('groupName')} since {since}"


def chat_facts(integration: Integration) -> list[tuple[str, str]]:
    """The settings a chat integration shows, as (label, value); its secrets only as set or not."""
    kind = integration.type
    facts = [("Require Matching a User", "yes" if requires_user_matching(integration) else "no")]
    if kind == "Mattermost":
        facts.append(("Command token", "set" if command_token_set(integration) else "not set"))
    if kind == "Slack":
        facts.append(("Signing Secret", "set" if slack_signing_secret(integration) else "not set"))
    if kind == "HipChat":
        facts.append(("Installation", hipchat_installation(integration)))
    return facts + bot_facts(integration)
