"""The state of a fake Slack (workspaces, users, channels, incoming webhooks, response URLs,
messages) and how it serves what apps send it: posts to incoming webhooks and to the response
URLs it hands out with each slash command and button click (five uses within 30 minutes)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.mattermost_model import FakeTeam, FakeUser
from tests.fakes.slack_model import Ephemeral, Invalid, Message, check_message
from tests.support.http_receiver import Answer, Received

RESPONSE_URL_USES = 5
RESPONSE_URL_SECONDS = 30 * 60
CONTROL_KEYS = ("replace_original", "delete_original", "response_type")


def stable_id(prefix: str, *parts: str) -> str:
    """The same Slack-shaped id for the same name in every test."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest().upper()
    return prefix + digest[:10]


@dataclass(frozen=True)
class Enterprise:
    id: str
    name: str


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    team: FakeTeam


@dataclass(frozen=True)
class Hook:
    id: str
    channel: Channel
    token: str


@dataclass
class ResponseUrl:
    id: str
    kind: str
    """"commands" (a slash command's) or "actions" (a button click's)."""
    user: FakeUser
    channel: Channel
    created: float
    original: Message | None = None
    """The message a ``replace_original`` replaces (the clicked one; a command's last answer)."""
    posted: list[dict[str, Any]] = field(default_factory=list)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    """The posts that were shown to the user alone."""
    refused: list[str] = field(default_factory=list)


def _text(body: str, status: int = 200) -> Answer:
    return Answer(status, body.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def _refusal(error: ValueError) -> Answer:
    """Slack's 400: the error code alone ("invalid_blocks"), or invalid_payload for bad JSON."""
    return _text(str(error).split(":")[0] if isinstance(error, Invalid) else "invalid_payload", 400)


class World:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.teams: dict[str, FakeTeam] = {}
        self.hooks: dict[str, Hook] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.messages: list[Message] = []
        self.ephemerals: list[Ephemeral] = []
        self.offset = 0.0
        """Seconds the fake's clock is ahead of the real one (response URLs expire)."""
        self.channels: dict[str, Channel] = {}
        """Channel id -> channel, for the Web API."""
        self.tokens: dict[str, FakeUser] = {}
        """Bot tokens -> the bot user."""
        self.members: dict[str, set[str]] = {}
        """Channel id -> the ids of its members."""
        self.rate_limited = 0
        """How many of the next Web API calls are answered 429."""
        self.retry_after = 1

    def now(self) -> float:
        return time.time() + self.offset

    def user(self, name: str) -> FakeUser:
        with self.lock:
            return self.users.setdefault(name, FakeUser(stable_id("U", "user", name), name))

    def known_user(self, name: str) -> FakeUser | None:
        with self.lock:
            return self.users.get(name)

    def user_name(self, user_id: str) -> str | None:
        with self.lock:
            return next((user.username for user in self.users.values() if user.id == user_id), None)

    def team(self, name: str) -> FakeTeam:
        with self.lock:
            return self.teams.setdefault(name, FakeTeam(stable_id("T", "team", name), name))

    @staticmethod
    def enterprise(name: str) -> Enterprise:
        return Enterprise(stable_id("E", "enterprise", name), name)

    def channel(self, name: str, team: str) -> Channel:
        channel = Channel(stable_id("C", "channel", team, name), name, self.team(team))
        with self.lock:
            return self.channels.setdefault(channel.id, channel)

    def channel_by_id(self, channel_id: str) -> Channel | None:
        with self.lock:
            return self.channels.get(channel_id)

    def user_by_id(self, user_id: str) -> FakeUser | None:
        with self.lock:
            return next((user for user in self.users.values() if user.id == user_id), None)

    def direct_channel(self, one: FakeUser, other: FakeUser) -> Channel:
        """The DM channel of two users (its id starts with D)."""
        first, second = sorted((one.id, other.id))
        channel = Channel(stable_id("D", "dm", first, second), f"dm-{first}-{second}", self.team("acme"))
        with self.lock:
            found = self.channels.setdefault(channel.id, channel)
            self.members.setdefault(found.id, set()).update({one.id, other.id})
        return found

    def add_member(self, channel_id: str, user_id: str) -> None:
        with self.lock:
            self.members.setdefault(channel_id, set()).add(user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        with self.lock:
            self.members.get(channel_id, set()).discard(user_id)

    def is_member(self, channel_id: str, user_id: str) -> bool:
        with self.lock:
            return user_id in self.members.get(channel_id, set())

    def post(
        self,
        channel: Channel,
        raw: dict[str, Any],
        source: str,
        *,
        thread_ts: str = "",
        bot: FakeUser | None = None,
    ) -> Message:
        with self.lock:
            ts = f"{self.now():.6f}"
            while any(message.ts == ts for message in self.messages[-5:]):  # ts is a message's id
                ts = f"{float(ts) + 0.000001:.6f}"
            message = Message(ts, channel.name, raw, source, self.user_name, thread_ts=thread_ts)
            message.bot = bot.id if bot else ""
            self.messages.append(message)
        return message

    def find_message(self, channel_name: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages if m.channel == channel_name and m.ts == ts), None)

    def add_response_url(self, kind: str, user: FakeUser, channel: Channel, original: Message | None) -> str:
        url = ResponseUrl(stable_id("R", str(time.monotonic_ns()), user.id), kind, user, channel, self.now())
        url.original = original
        with self.lock:
            self.response_urls[url.id] = url
        return f"/{kind}/{channel.team.id}/{url.id}/{stable_id('', url.id, 'token')}"

    def response_url(self, path: str) -> ResponseUrl | None:
        parts = urlsplit(path).path.strip("/").split("/")
        with self.lock:
            return self.response_urls.get(parts[2]) if len(parts) == 4 else None

    # -- serving ------------------------------------------------------------------------------

    def serve(self, request: Received) -> Answer:
        path = urlsplit(request.path).path
        if request.method != "POST":
            return _text("method_not_allowed", 405)
        if path.startswith("/services/"):
            return self._hook_post(path, request.body)
        if path.startswith(("/commands/", "/actions/")):
            return self._response_url_post(path, request.body)
        return _text("not_found", 404)

    def _hook_post(self, path: str, body: bytes) -> Answer:
        parts = path.strip("/").split("/")
        with self.lock:
            hook = self.hooks.get(parts[2]) if len(parts) == 4 else None
        if hook is None or parts[3] != hook.token:
            return _text("no_service", 404)
        try:
            message = json.loads(body)
            check_message(message)
        except ValueError as refused:
            return _refusal(refused)
        self.post(hook.channel, message, "webhook")
        return _text("ok")

    def _response_url_post(self, path: str, body: bytes) -> Answer:
        url = self.response_url(path)
        if url is None:
            return _text("no_service", 404)
        with self.lock:
            if self.now() - url.created > RESPONSE_URL_SECONDS or len(url.posted) >= RESPONSE_URL_USES:
                url.refused.append("expired_url")
                return _text("expired_url", 404)
        try:
            message = json.loads(body)
            if not (isinstance(message, dict) and message.get("delete_original")):
                check_message(message)
        except ValueError as refused:
            url.refused.append(str(refused))
            return _refusal(refused)
        with self.lock:
            url.posted.append(message)
            self._apply(url, message)
        return _text("ok")

    def _apply(self, url: ResponseUrl, message: dict[str, Any]) -> None:
        content = {key: value for key, value in message.items() if key not in CONTROL_KEYS}
        if message.get("delete_original") and url.original is not None:
            self.messages.remove(url.original)
            url.original = None
        elif message.get("replace_original") and url.original is not None:
            url.original.raw = content
            url.original.updates.append(message)
        elif message.get("response_type") == "in_channel":
            source = "command" if url.kind == "commands" else "response_url"
            url.original = self.post(url.channel, content, source)
        else:
            ephemeral = Ephemeral(url.user.username, url.channel.name, content, "response_url")
            self.ephemerals.append(ephemeral)
            url.ephemerals.append(ephemeral)
