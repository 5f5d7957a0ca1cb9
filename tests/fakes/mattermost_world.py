"""Everything the fake Mattermost server knows, behind one lock: the HTTP threads (incoming
webhooks posted by Tocsin's engine) and the test thread (slash commands, clicks) share it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.mattermost_model import (
    Ephemeral,
    FakeChannel,
    FakeTeam,
    FakeUser,
    Post,
    give_action_ids,
    new_id,
    stable_id,
)

COMMAND_HOOK_LIFETIME = 30 * 60
COMMAND_HOOK_USES = 5


@dataclass
class Hook:
    """An incoming webhook: it posts as its creator into its channel."""

    id: str
    channel: FakeChannel
    creator: FakeUser
    display_name: str
    username: str
    locked: bool


@dataclass
class CommandHook:
    """The ``response_url`` of one slash command invocation."""

    id: str
    user: FakeUser
    channel: FakeChannel
    root_id: str
    trigger: str
    created: float
    uses: int = 0
    responses: list[dict[str, Any]] = field(default_factory=list)
    """What Tocsin posted to it, in order."""


class World:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.teams: dict[str, FakeTeam] = {}
        self.channels: dict[tuple[str, str], FakeChannel] = {}
        self.hooks: dict[str, Hook] = {}
        self.command_hooks: dict[str, CommandHook] = {}
        self.posts: list[Post] = []
        self.ephemerals: list[Ephemeral] = []
        self.offset = 0.0
        self.tokens: dict[str, FakeUser] = {}
        """Access tokens (of bot accounts) -> the account they authenticate."""
        self.members: dict[str, set[str]] = {}
        """Channel id -> the ids of its members (only the REST API asks)."""

    def now(self) -> float:
        return time.monotonic() + self.offset

    def user(self, username: str) -> FakeUser:
        with self.lock:
            if username not in self.users:
                self.users[username] = FakeUser(stable_id("user", username), username)
            return self.users[username]

    def user_by_id(self, user_id: str) -> FakeUser | None:
        with self.lock:
            return next((user for user in self.users.values() if user.id == user_id), None)

    def username_of(self, user_id: str) -> str | None:
        user = self.user_by_id(user_id)
        return user.username if user else None

    def known_user(self, username: str) -> FakeUser | None:
        with self.lock:
            return self.users.get(username.lower()) or self.users.get(username)

    def team(self, name: str) -> FakeTeam:
        with self.lock:
            if name not in self.teams:
                self.teams[name] = FakeTeam(stable_id("team", name), name)
            return self.teams[name]

    def channel(self, name: str, team: str) -> FakeChannel:
        with self.lock:
            key = (team, name)
            if key not in self.channels:
                self.channels[key] = FakeChannel(stable_id("channel", team, name), name, self.team(team))
            return self.channels[key]

    def known_channel(self, name: str, team: str) -> FakeChannel | None:
        with self.lock:
            return self.channels.get((team, name))

    def channel_by_id(self, channel_id: str) -> FakeChannel | None:
        with self.lock:
            return next((channel for channel in self.channels.values() if channel.id == channel_id), None)

    def direct_channel(self, one: FakeUser, other: FakeUser) -> FakeChannel:
        """Mattermost names a DM channel after both user ids, sorted, joined by ``__``."""
        name = "__".join(sorted((one.id, other.id)))
        with self.lock:
            key = ("", name)
            if key not in self.channels:
                self.channels[key] = FakeChannel(stable_id("channel", name), name, None)
            return self.channels[key]

    def add_post(
        self,
        channel: FakeChannel,
        author: FakeUser,
        *,
        text: str,
        props: dict[str, Any],
        source: str,
        raw: Any,
        root_id: str = "",
    ) -> Post:
        give_action_ids(props)
        millis = int(time.time() * 1000)
        post = Post(
            id=new_id(),
            channel=channel.name,
            channel_id=channel.id,
            text=text,
            props=props,
            author=author.username,
            user_id=author.id,
            source=source,
            raw=raw,
            type="slack_attachment" if props.get("attachments") else "",
            root_id=root_id,
            created_at=millis,
            updated_at=millis,
        )
        with self.lock:
            self.posts.append(post)
        return post

    def add_member(self, channel: FakeChannel, user: FakeUser) -> None:
        with self.lock:
            self.members.setdefault(channel.id, set()).add(user.id)

    def remove_member(self, channel: FakeChannel, user: FakeUser) -> None:
        with self.lock:
            self.members.get(channel.id, set()).discard(user.id)

    def is_member(self, channel: FakeChannel, user: FakeUser) -> bool:
        with self.lock:
            return user.id in self.members.get(channel.id, set())

    def find_post(self, post_id: str) -> Post | None:
        with self.lock:
            return next((post for post in self.posts if post.id == post_id), None)

    def add_ephemeral(self, ephemeral: Ephemeral) -> None:
        with self.lock:
            self.ephemerals.append(ephemeral)

    def add_command_hook(
        self, user: FakeUser, channel: FakeChannel, root_id: str, trigger: str
    ) -> CommandHook:
        hook = CommandHook(new_id(), user, channel, root_id, trigger, self.now())
        with self.lock:
            self.command_hooks[hook.id] = hook
        return hook

    def use_command_hook(self, hook_id: str) -> tuple[CommandHook | None, str]:
        """The hook and "" when it may be used once more, else why not ("missing" or "used up")."""
        with self.lock:
            hook = self.command_hooks.get(hook_id)
            if hook is None or self.now() - hook.created > COMMAND_HOOK_LIFETIME:
                return None, "missing"
            if hook.uses >= COMMAND_HOOK_USES:
                return None, "used up"
            hook.uses += 1
            return hook, ""
