"""What a fake HipChat server keeps (groups, users, rooms, the OAuth clients of add-on
installations, access tokens, room notifications, private messages) and HipChat's rules for a
notification or message body (API v2: ``message`` of 1-10000 characters, ``message_format``
html or text, a known ``color``, ``from`` of at most 25 characters, a card's style).

Ids are numbers, as HipChat's are; the fake hands them out as strings of digits, as Tocsin keeps
them."""

from __future__ import annotations

import html
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.mattermost_model import FakeTeam, FakeUser, HttpSender

__all__ = ["FakeTeam", "FakeUser", "HttpSender"]
"""A user's ``username`` is their mention name; a team is a HipChat group."""

MAX_MESSAGE = 10_000
MAX_FROM = 25
COLORS = frozenset({"yellow", "green", "red", "purple", "gray", "random"})
FORMATS = frozenset({"html", "text"})
CARD_STYLES = frozenset({"application", "file", "image", "link", "media"})
SCOPES = frozenset(
    {"admin_group", "admin_room", "manage_rooms", "send_message", "send_notification", "view_group"}
    | {"view_messages", "view_room"}
)
EVENTS = frozenset(
    {"room_archived", "room_created", "room_deleted", "room_enter", "room_exit", "room_file_upload"}
    | {"room_message", "room_notification", "room_topic_change", "room_unarchived"}
)
TOKEN_LIFETIME = 3599
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def read_html(markup: str) -> str:
    """What a person reads of a message's HTML: line breaks kept, tags gone, entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup)))


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    group: FakeTeam


@dataclass
class Client:
    """The OAuth client HipChat makes for one installation of an add-on."""

    oauth_id: str
    oauth_secret: str
    group: FakeTeam
    room: Room | None
    request_url: str
    descriptor: dict[str, Any]
    installed: bool = False

    @property
    def scopes(self) -> frozenset[str]:
        consumer = self.descriptor.get("capabilities", {}).get("hipchatApiConsumer", {})
        return frozenset(consumer.get("scopes", []))

    @property
    def webhook(self) -> dict[str, Any]:
        hooks = self.descriptor.get("capabilities", {}).get("webhook", [])
        return next(hook for hook in hooks if hook.get("event") == "room_message")

    def webhook_matches(self, message: str) -> bool:
        """HipChat sends a message to the webhook when its pattern is found (case-sensitively)."""
        return re.search(self.webhook.get("pattern", ""), message) is not None


@dataclass(frozen=True)
class Token:
    oauth_id: str
    scopes: frozenset[str]
    expires_at: float


@dataclass
class Post:
    """A notification in a room."""

    room: str
    text: str
    """As a person reads it."""
    html: str
    color: str
    notify: bool
    sender: str
    source: str
    """"command" for a webhook's response, "notification" for one sent through the API."""
    card: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def channel(self) -> str:
        return self.room


@dataclass
class PrivateMessage:
    user: str
    """The mention name of whom it was sent to."""
    text: str
    html: str
    raw: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


def body_problem(body: Any, *, notification: bool) -> str | None:
    """Why HipChat refuses a notification (or a private message) body, or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    message = body.get("message")
    if not isinstance(message, str) or not 1 <= len(message) <= MAX_MESSAGE:
        return f"message: length must be between 1 and {MAX_MESSAGE}"
    if body.get("message_format", "html") not in FORMATS:
        return "message_format: value must be one of html, text"
    if not isinstance(body.get("notify", False), bool | str):
        return "notify: expected a boolean"
    if not notification:
        return None
    if body.get("color", "yellow") not in COLORS:
        return f"color: value must be one of {', '.join(sorted(COLORS))}"
    sender = body.get("from", "")
    if not isinstance(sender, str) or len(sender) > MAX_FROM:
        return f"from: length must be at most {MAX_FROM}"
    card = body.get("card")
    if card is not None and not (
        isinstance(card, dict) and card.get("style") in CARD_STYLES and card.get("id") and card.get("title")
    ):
        return "card: style (application, file, image, link, media), id and title are required"
    return None


class World:
    """Everything the fake knows, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.groups: dict[str, FakeTeam] = {}
        self.rooms: dict[tuple[str, str], Room] = {}
        self.clients: dict[str, Client] = {}
        self.tokens: dict[str, Token] = {}
        self.posts: list[Post] = []
        self.messages: list[PrivateMessage] = []
        self.offset = 0.0
        self.refusals: list[tuple[int, str]] = []
        """Answers the next API calls get instead of their own (``FakeHipChat.refuse``)."""
        self._ids = itertools.count(4979430)

    def now(self) -> float:
        return time.time() + self.offset

    def _id(self) -> str:
        return str(next(self._ids))

    def user(self, name: str) -> FakeUser:
        with self.lock:
            return self.users.setdefault(name, FakeUser(self._id(), name))

    def group(self, name: str) -> FakeTeam:
        with self.lock:
            return self.groups.setdefault(name, FakeTeam(self._id(), name))

    def room(self, name: str, group: str) -> Room:
        with self.lock:
            key = (group, name)
            if key not in self.rooms:
                self.rooms[key] = Room(self._id(), name, self.group(group))
            return self.rooms[key]

    def find_room(self, id_or_name: str) -> Room | None:
        with self.lock:
            return next((room for room in self.rooms.values() if id_or_name in (room.id, room.name)), None)

    def find_user(self, id_or_mention: str) -> FakeUser | None:
        with self.lock:
            wanted = id_or_mention.removeprefix("@")
            return next((user for user in self.users.values() if wanted in (user.id, user.username)), None)
