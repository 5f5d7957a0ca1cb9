"""The things a fake Mattermost server keeps (users, teams, channels, posts, ephemeral messages)
and the rules Mattermost applies to what integrations send it: 26-character ids, Slack-compatible
text (``<url|text>`` links, ``<!channel>``), attachments decoded into its own struct (unknown keys
dropped, field values stringified, every action given an id), and the props an action's
``update`` may not take away."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

_TO_MATTERMOST = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ybndrfg8ejkmcpqxot1uwisza345h769")
ACTION_ID = re.compile(r"[A-Za-z0-9]+")
"""The client reaches a button through /api/v4/posts/{post}/actions/{action:[A-Za-z0-9]+}."""
USER_AGENT = "Mattermost-Bot/1.1"
MAX_RESPONSE = 1024 * 1024
"""MaxIntegrationResponseSize: Mattermost reads no more of an integration's answer."""
RETAINED_PROPS = ("from_webhook", "override_username", "override_icon_url")
ATTACHMENT_KEYS = (
    *("id", "fallback", "color", "pretext", "author_name", "author_link", "author_icon", "title"),
    *("title_link", "text", "fields", "image_url", "thumb_url", "footer", "footer_icon", "ts", "actions"),
)
_MENTION = re.compile(r"\B@([A-Za-z0-9][A-Za-z0-9.\-_:]*)")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
"""Mattermost looks for mentions in plain text only, never in code."""
_SLACK_LINK = re.compile(r"<([^|<>]+)\|([^|<>]+)>")
_USER_REFERENCE = re.compile(r"<@([a-z0-9]{26})(?:\|[^>]*)?>")
_ANNOUNCEMENTS = {"<!channel>": "@channel", "<!here>": "@here", "<!all>": "@all"}


def new_id() -> str:
    """A fresh id as Mattermost makes them: 16 random bytes in its own base32 alphabet."""
    return _encode(secrets.token_bytes(16))


def stable_id(*parts: str) -> str:
    """The same id for the same name in every test, so failures are easy to compare."""
    return _encode(hashlib.sha256("\0".join(parts).encode()).digest()[:16])


def _encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").translate(_TO_MATTERMOST)


def trigger_id(user_id: str) -> str:
    """Shaped like Mattermost's: base64 of ``id:user:millis:signature``."""
    data = f"{new_id()}:{user_id}:{int(time.time() * 1000)}"
    signature = base64.b64encode(secrets.token_bytes(64)).decode()
    return base64.b64encode(f"{data}:{signature}".encode()).decode()


@dataclass(frozen=True)
class FakeUser:
    id: str
    username: str


@dataclass(frozen=True)
class FakeTeam:
    id: str
    name: str


@dataclass(frozen=True)
class FakeChannel:
    id: str
    name: str
    team: FakeTeam | None
    """None for a direct-message channel."""


@dataclass
class Post:
    """A message in a channel, with its props as the server keeps them (``integration`` included:
    Mattermost strips it only from what it sends to clients)."""

    id: str
    channel: str
    channel_id: str
    text: str
    props: dict[str, Any]
    author: str
    """Username of the Mattermost account that owns the post (hook creator or invoking user)."""
    source: str
    """"webhook", "command" (a slash command's reply) or "response_url"."""
    raw: Any
    """The JSON the integration sent, as received."""
    user_id: str = ""
    root_id: str = ""
    type: str = ""
    updates: list[dict[str, Any]] = field(default_factory=list)
    """Every ``update`` applied by a button's answer, in order."""
    created_at: int = 0
    """Milliseconds since the epoch, as Mattermost's ``create_at``."""
    updated_at: int = 0
    edits: list[dict[str, Any]] = field(default_factory=list)
    """Every patch (``PUT /api/v4/posts/{id}/patch``) applied, in order."""

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return list(self.props.get("attachments") or [])

    @property
    def username(self) -> str:
        return str(self.props.get("override_username") or self.author)

    @property
    def from_webhook(self) -> bool:
        return self.props.get("from_webhook") == "true"

    @property
    def buttons(self) -> list[str]:
        return [str(action.get("name")) for action in self._actions()]

    def action(self, name: str) -> dict[str, Any] | None:
        """The action labelled ``name`` (or with that id)."""
        for action in self._actions():
            if name in (action.get("name"), action.get("id")):
                return action
        return None

    def _actions(self) -> list[dict[str, Any]]:
        return [action for attachment in self.attachments for action in attachment.get("actions") or []]

    @property
    def mentions(self) -> list[str]:
        """Every ``@word`` Mattermost would treat as a mention (``channel``, ``here``, ``all``,
        usernames), from the text, attachment pretexts, texts and field values."""
        pieces = [self.text]
        for attachment in self.attachments:
            pieces += [attachment.get("pretext") or "", attachment.get("text") or ""]
            pieces += [str(item.get("value") or "") for item in attachment.get("fields") or []]
        plain = [_CODE_SPAN.sub(" ", piece) for piece in pieces]
        return [name.rstrip(".-_:").lower() for piece in plain for name in _MENTION.findall(piece)]


@dataclass(frozen=True)
class Ephemeral:
    """A message only ``user`` sees (never stored as a post)."""

    user: str
    channel: str
    text: str
    attachments: list[dict[str, Any]]
    source: str
    """"command", "response_url" or "button"."""


def slack_text(text: str, username_of: Callable[[str], str | None]) -> str:
    """Mattermost's ProcessSlackText then ParseSlackLinksToMarkdown."""
    for slack, mention in _ANNOUNCEMENTS.items():
        text = text.replace(slack, mention)

    def user(match: re.Match[str]) -> str:
        name = username_of(match.group(1))
        return f"@{name}" if name else match.group(0)

    return _SLACK_LINK.sub(r"[\2](\1)", _USER_REFERENCE.sub(user, text))


def link_text(text: str) -> str:
    """ParseSlackLinksToMarkdown alone (ephemeral texts of button answers)."""
    return _SLACK_LINK.sub(r"[\2](\1)", text)


class InvalidAttachments(ValueError):
    """What Go's JSON decoder would refuse in an attachments array."""


def decode_attachments(value: Any) -> list[dict[str, Any]]:
    """The attachments as Mattermost's SlackAttachment struct keeps them, or InvalidAttachments."""
    if not isinstance(value, list):
        raise InvalidAttachments("attachments must be an array")
    decoded = []
    for attachment in value:
        if attachment is None:
            continue
        if not isinstance(attachment, dict):
            raise InvalidAttachments("each attachment must be an object")
        if "id" in attachment and not isinstance(attachment["id"], int | None):
            raise InvalidAttachments("attachment id must be a number")
        for key in ("fields", "actions"):
            items = attachment.get(key)
            if items is not None and not (
                isinstance(items, list) and all(isinstance(i, dict) for i in items)
            ):
                raise InvalidAttachments(f"attachment {key} must be an array of objects")
        kept = {key: attachment[key] for key in ATTACHMENT_KEYS if attachment.get(key) not in (None, "")}
        if kept.get("fields"):
            kept["fields"] = [_stringified(item) for item in kept["fields"]]
        if kept.get("actions"):
            kept["actions"] = [dict(action) for action in kept["actions"]]
        decoded.append(kept)
    return decoded


def _stringified(item: dict[str, Any]) -> dict[str, Any]:
    value = item.get("value")
    if value is not None and not isinstance(value, str):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    return {**item, "value": value}


def processed_attachments(attachments: list[dict[str, Any]], process: Callable[[str], str]) -> list:
    """Slack text processing of pretext, text and field values, as on posts Mattermost creates."""
    for attachment in attachments:
        for key in ("pretext", "text"):
            if isinstance(attachment.get(key), str):
                attachment[key] = process(attachment[key])
        for item in attachment.get("fields") or []:
            if isinstance(item.get("value"), str):
                item["value"] = process(item["value"])
    return attachments


def give_action_ids(props: dict[str, Any]) -> None:
    """Post.GenerateActionIds: every action without an id gets one."""
    for attachment in props.get("attachments") or []:
        for action in attachment.get("actions") or []:
            if not action.get("id"):
                action["id"] = new_id()


def props_after_update(original: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """An action's ``update.props``: null keeps the post's props; anything else replaces them,
    except the retained keys, which keep their original value (or stay absent)."""
    if given is None:
        return original
    props = {key: value for key, value in given.items() if key not in RETAINED_PROPS}
    props.update({key: original[key] for key in RETAINED_PROPS if key in original})
    return props


@dataclass(frozen=True)
class Sent:
    """The request the fake sent to the integration."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    fields: list[tuple[str, str]] = field(default_factory=list)
    """A slash command's form fields, in the order they were encoded."""
    payload: dict[str, Any] | None = None
    """A click's JSON."""


class HttpAnswer(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def reason_phrase(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...


class HttpSender(Protocol):
    """How the fake reaches Tocsin: an httpx.Client, or a TestClient for an in-process app."""

    def request(
        self, method: str, url: str, *, content: bytes | None = None, headers: dict[str, str] | None = None
    ) -> HttpAnswer: ...
