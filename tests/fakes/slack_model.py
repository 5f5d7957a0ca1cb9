"""What a fake Slack keeps (messages in channels, ephemeral messages) and the rules Slack applies to
the messages apps send it: the checks of incoming-webhook and response-URL posts (text or blocks,
Block Kit limits), and mrkdwn read the way a person reads it in the Slack client."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
MAX_ATTACHMENTS = 20
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
BUTTON_VALUE = 2000
BUTTON_TEXT = 75
ACTION_ID = 255
MAX_ELEMENTS = 25
BLOCK_TYPES = frozenset({"section", "context", "actions", "divider", "header", "image", "rich_text"})

_ESCAPED = re.compile(r"<([^<>]*)>")
_CODE_FENCE = re.compile(r"```\n?(.*?)\n?```", re.DOTALL)
_LITERAL_MARK = re.compile("\u200b([*_~`])\u200b")
"""A formatting character between zero-width spaces: shown as itself, the spaces unseen."""
_EDGE = r"[\s\u200b(]"
_FORMATS = [
    re.compile(rf"(?:(?<={_EDGE})|^)`([^`\n]+)`", re.MULTILINE),
    *(
        re.compile(
            rf"(?:(?<={_EDGE})|^){re.escape(mark)}([^\s\u200b{mark}](?:[^{mark}\n]*[^\s\u200b{mark}])?)"
            rf"{re.escape(mark)}(?=[\s\u200b.,;:!?)]|$)",
            re.MULTILINE,
        )
        for mark in "*_~"
    ),
]


def new_id(prefix: str, length: int = 10) -> str:
    """An id shaped like Slack's: a type letter and upper-case letters and digits."""
    return prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def readable(mrkdwn: str, user_name: Callable[[str], str | None] = lambda _: None) -> str:
    """``mrkdwn`` as a person reads it in Slack: links as their labels, mentions as @names,
    formatting marks gone, entities decoded (zero-width spaces stay: they are invisible)."""

    def escaped(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return f"@{label or user_name(target[1:]) or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return label or f"@{target[1:]}"
        return label or target.removeprefix("mailto:")

    text = _ESCAPED.sub(escaped, _CODE_FENCE.sub(r"\1", mrkdwn))
    for pattern in _FORMATS:
        text = pattern.sub(r"\1", text)
    text = _LITERAL_MARK.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The mrkdwn (or plain text) of sections, their fields, headers and contexts, in order."""
    texts = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            texts.append(str(block["text"].get("text", "")))
        texts += [str(item.get("text", "")) for item in block.get("fields") or []]
        if block.get("type") == "context":
            texts += [str(item.get("text", "")) for item in block.get("elements") or [] if "text" in item]
    return texts


def message_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a message: its own, then those of its attachments."""
    blocks = list(message.get("blocks") or [])
    for attachment in message.get("attachments") or []:
        blocks += list(attachment.get("blocks") or [])
    return blocks


class Invalid(ValueError):
    """What Slack answers an invalid message with: an error code ("no_text", "invalid_blocks")."""


def _text_object(value: Any, limit: int, where: str) -> None:
    if not isinstance(value, dict) or value.get("type") not in ("plain_text", "mrkdwn"):
        raise Invalid(f"invalid_blocks: {where} needs a text object")
    text = value.get("text")
    if not isinstance(text, str) or not text or len(text) > limit:
        raise Invalid(f"invalid_blocks: {where} text must be 1 to {limit} characters")


def _check_block(block: Any, action_ids: set[str]) -> None:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        raise Invalid(f"invalid_blocks: unknown block {block!r:.80}")
    kind = block["type"]
    if kind == "section":
        if "text" not in block and not block.get("fields"):
            raise Invalid("invalid_blocks: a section needs text or fields")
        if "text" in block:
            _text_object(block["text"], SECTION_TEXT, "section")
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            raise Invalid(f"invalid_blocks: a section has at most {MAX_FIELDS} fields")
        for item in fields:
            _text_object(item, FIELD_TEXT, "section field")
    elements = block.get("elements") or []
    if kind in ("actions", "context") and not (
        isinstance(elements, list) and 0 < len(elements) <= MAX_ELEMENTS
    ):
        raise Invalid(f"invalid_blocks: {kind} needs 1 to {MAX_ELEMENTS} elements")
    if kind == "actions":
        for element in elements:
            _check_button(element, action_ids)


def _check_button(element: Any, action_ids: set[str]) -> None:
    if not isinstance(element, dict) or element.get("type") != "button":
        raise Invalid("invalid_blocks: only buttons are expected in actions")
    _text_object(element.get("text"), BUTTON_TEXT, "button")
    if element["text"]["type"] != "plain_text":
        raise Invalid("invalid_blocks: a button's text is plain_text")
    action_id = element.get("action_id", "")
    if not isinstance(action_id, str) or len(action_id) > ACTION_ID or action_id in action_ids:
        raise Invalid(f"invalid_blocks: action_id {action_id!r} is not unique or too long")
    action_ids.add(action_id)
    if len(str(element.get("value", ""))) > BUTTON_VALUE:
        raise Invalid(f"invalid_blocks: a button's value is at most {BUTTON_VALUE} characters")
    if element.get("style") not in (None, "primary", "danger"):
        raise Invalid("invalid_blocks: a button's style is primary or danger")


def check_message(message: Any) -> None:
    """Raise ``Invalid`` as Slack would refuse the message."""
    if not isinstance(message, dict):
        raise Invalid("invalid_payload")
    attachments = message.get("attachments") or []
    if not isinstance(attachments, list) or not all(isinstance(item, dict) for item in attachments):
        raise Invalid("invalid_attachments")
    if len(attachments) > MAX_ATTACHMENTS:
        raise Invalid("too_many_attachments")
    if not message.get("text") and not message.get("blocks") and not attachments:
        raise Invalid("no_text")
    blocks = message_blocks(message)
    if len(blocks) > MAX_BLOCKS:
        raise Invalid(f"invalid_blocks: at most {MAX_BLOCKS} blocks")
    action_ids: set[str] = set()
    for block in blocks:
        _check_block(block, action_ids)


@dataclass
class Message:
    """A message in a channel, as Slack keeps it (the JSON the app sent, last update applied)."""

    ts: str
    channel: str
    raw: dict[str, Any]
    source: str
    """"webhook" (an incoming webhook's post), "command" (an in-channel answer to a slash
    command, at once or through its response URL), "response_url" (anything else posted there)
    or "api" (a bot's ``chat.postMessage``)."""
    user_name: Callable[[str], str | None] = field(repr=False, default=lambda _: None)
    updates: list[dict[str, Any]] = field(default_factory=list)
    """Every message that replaced this one (``replace_original``), in order."""
    thread_ts: str = ""
    """The ``ts`` of the message whose thread this one replies in."""
    bot: str = ""
    """The id of the bot that posted it through the Web API."""
    edits: list[dict[str, Any]] = field(default_factory=list)
    """Every ``chat.update`` applied, in order."""

    @property
    def text(self) -> str:
        """What a person reads: the blocks' text when there are blocks, else the message's text."""
        texts = block_texts(message_blocks(self.raw))
        shown = "\n".join(texts) if texts else str(self.raw.get("text") or "")
        return readable(shown, self.user_name)

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return list(self.raw.get("attachments") or [])

    @property
    def buttons(self) -> list[str]:
        return [str(button["text"]["text"]) for button in self._buttons()]

    def button(self, name: str) -> dict[str, Any] | None:
        """The button labelled ``name`` (or with that action_id), and the block it is in."""
        return next((b for b in self._buttons() if name in (b["text"]["text"], b.get("action_id"))), None)

    def _buttons(self) -> list[dict[str, Any]]:
        return [
            {**element, "block_id": block.get("block_id", "")}
            for block in message_blocks(self.raw)
            if block.get("type") == "actions"
            for element in block.get("elements") or []
        ]


Post = Message


@dataclass(frozen=True)
class Ephemeral:
    """A message only ``user`` sees."""

    user: str
    channel: str
    raw: dict[str, Any]
    source: str
    """"command" or "response_url"."""

    @property
    def text(self) -> str:
        return readable(str(self.raw.get("text") or ""))
