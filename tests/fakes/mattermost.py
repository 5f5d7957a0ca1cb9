"""A fake Mattermost server that behaves toward Tocsin like the real one, over real HTTP on
loopback: it serves incoming webhooks and slash command response URLs, sends slash commands and
button clicks exactly as Mattermost does, and applies the answers as Mattermost would.

    def test_something(fake_mattermost):
        hook_url = fake_mattermost.new_hook(channel="ops-alerts")      # give it to Tocsin
        result = fake_mattermost.slash(request_url, "ack 12", user="bob")
        post = fake_mattermost.wait_for_posts(1)[0]
        click = fake_mattermost.click(post, "Acknowledge", user="ann")

Users, teams and channels exist as soon as they are named; every user is a member of every team.
The REST API of bot mode (``mattermost_rest``) serves bots made with ``new_bot``; it knows
channel members (``join``, ``leave``; a bot is a member of the channels it is made for).
``sender`` (an ``httpx.Client``, a Starlette ``TestClient`` too) lets the fake reach an
in-process Tocsin instead of a live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fakes.chat_server import FakeChatServer
from tests.fakes.mattermost_click import ClickResult, click_button, click_payload, send_click
from tests.fakes.mattermost_hooks import serve
from tests.fakes.mattermost_model import Ephemeral, FakeChannel, FakeTeam, FakeUser, HttpSender, Post, new_id
from tests.fakes.mattermost_rest import is_api, serve_api
from tests.fakes.mattermost_slash import SlashResult, slash
from tests.fakes.mattermost_world import CommandHook, Hook, World
from tests.support.http_receiver import Answer, Received
from tocsin.chat.requests import ChatIdentity

__all__ = ["ClickResult", "Ephemeral", "FakeMattermost", "Post", "SlashResult", "fake_mattermost"]

_DEFAULT = object()


class FakeMattermost(FakeChatServer[Post]):
    platform = "Mattermost"

    def __init__(self, *, sender: HttpSender | None = None, timeout: float = 30) -> None:
        """``timeout``: Mattermost's OutgoingIntegrationRequestsTimeout (seconds), for the fake's
        own client."""
        super().__init__(sender=sender, timeout=timeout, follow_redirects=True)
        self.world = World()
        self.command_token = new_id()
        """The slash command's token, sent unless ``slash(token=...)`` says otherwise."""

    def reset(self) -> None:
        """Forget posts, ephemeral messages, requests and response URLs; keep users, teams,
        channels and hooks (Tocsin holds their URLs); end any outage."""
        with self.world.lock:
            self.world.posts.clear()
            self.world.ephemerals.clear()
            self.world.command_hooks.clear()
        self._listener.forget()
        self.up()

    # -- people and places ------------------------------------------------------------------

    def user(self, username: str) -> FakeUser:
        return self.world.user(username)

    def team(self, name: str) -> FakeTeam:
        return self.world.team(name)

    def channel(self, name: str, team: str = "acme") -> FakeChannel:
        return self.world.channel(name, team)

    def identity(self, username: str, team: str = "acme") -> ChatIdentity:
        """Who Tocsin sees when ``username`` types a command in ``team``."""
        user, chat_team = self.user(username), self.team(team)
        return ChatIdentity("Mattermost", chat_team.id, chat_team.name, user.id, user.username)

    # -- incoming webhooks ------------------------------------------------------------------

    def new_hook(
        self,
        channel: str = "ops-alerts",
        *,
        team: str = "acme",
        creator: str = "sysadmin",
        display_name: str = "Tocsin",
        username: str = "",
        locked: bool = False,
    ) -> str:
        """A new incoming webhook posting into ``channel``; its full URL."""
        hook = Hook(
            new_id(),
            self.world.channel(channel, team),
            self.world.user(creator),
            display_name,
            username,
            locked,
        )
        with self.world.lock:
            self.world.hooks[hook.id] = hook
        return f"{self.base_url}/hooks/{hook.id}"

    def delete_hook(self, url: str) -> None:
        with self.world.lock:
            del self.world.hooks[self.hook_id(url)]

    @staticmethod
    def hook_id(url: str) -> str:
        return urlsplit(url).path.rsplit("/", 1)[-1]

    def hook_requests(self, url: str) -> list[Received]:
        path = urlsplit(url).path
        return [request for request in self.requests if urlsplit(request.path).path == path]

    def posts(self, channel: str | None = None) -> list[Post]:
        with self.world.lock:
            return [post for post in self.world.posts if channel in (None, post.channel)]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        with self.world.lock:
            return [message for message in self.world.ephemerals if user in (None, message.user)]

    def response_url(self, url: str) -> CommandHook:
        """A slash command's response URL: its uses and what was posted to it."""
        with self.world.lock:
            return self.world.command_hooks[self.hook_id(url)]

    # -- bot accounts and the REST API ---------------------------------------------------------

    def new_bot(
        self, username: str = "tocsin", *, channels: tuple[str, ...] = ("ops-alerts",), team: str = "acme"
    ) -> str:
        """A bot account, member of ``channels``; a new access token of it."""
        bot = self.world.user(username)
        for name in channels:
            self.world.add_member(self.world.channel(name, team), bot)
        token = new_id()
        with self.world.lock:
            self.world.tokens[token] = bot
        return token

    def revoke(self, token: str) -> None:
        with self.world.lock:
            self.world.tokens.pop(token, None)

    def join(self, channel: str, user: str, team: str = "acme") -> None:
        """``user`` becomes a member of ``channel``."""
        self.world.add_member(self.world.channel(channel, team), self.world.user(user))

    def leave(self, channel: str, user: str, team: str = "acme") -> None:
        self.world.remove_member(self.world.channel(channel, team), self.world.user(user))

    def cards(self, channel: str | None = None) -> list[Post]:
        """The posts made through the REST API that are not thread replies."""
        return [post for post in self.posts(channel) if post.source == "api" and not post.root_id]

    def thread(self, post: Post) -> list[Post]:
        """The replies in ``post``'s thread, in order."""
        return [reply for reply in self.posts() if reply.root_id == post.id]

    def api_requests(self, method: str | None = None, path: str = "") -> list[Received]:
        """The REST API requests received (``path``: a prefix after ``/api/v4``)."""
        return [
            request
            for request in self.requests
            if is_api(request.path)
            and method in (None, request.method)
            and urlsplit(request.path).path.startswith("/api/v4" + path)
        ]

    # -- what Mattermost sends ----------------------------------------------------------------

    def slash(
        self,
        request_url: str,
        text: str,
        *,
        user: str = "bob",
        team: str = "acme",
        channel: str = "ops-alerts",
        method: str = "POST",
        token: Any = _DEFAULT,
        mentions: dict[str, str] | None = None,
        trigger: str = "genie",
        root_id: str = "",
    ) -> SlashResult:
        """Type ``/<trigger> <text>`` in ``channel``: the request Mattermost sends, and its answer
        taken as Mattermost takes it. ``token=None`` sends no token (a command without one)."""
        if method not in ("POST", "GET"):
            raise ValueError('method is "POST" or "GET"')
        return slash(
            self.world,
            self._http(),
            site_url=self.base_url,
            request_url=request_url,
            text=text,
            user=user,
            team=team,
            channel=channel,
            method=method,
            token=self.command_token if token is _DEFAULT else (token or ""),
            mentions=mentions,
            trigger=trigger,
            root_id=root_id,
        )

    def click(
        self, post: Post | str, button: str, *, user: str = "ann", team: str | None = None
    ) -> ClickResult:
        """Click the button labelled ``button`` (or with that action id) on ``post``. ``team``
        overrides the team Mattermost would name (the channel's)."""
        found = self.world.find_post(post) if isinstance(post, str) else post
        if found is None:
            raise AssertionError(f"no post {post!r}")
        return click_button(self.world, self._http(), post=found, button=button, user=user, team=team)

    def click_with_context(
        self,
        url: str,
        context: dict[str, Any] | None,
        *,
        user: str = "ann",
        channel: str = "ops-alerts",
        team: str = "acme",
        post_id: str | None = None,
    ) -> ClickResult:
        """A click on a button Tocsin did not make as is: any ``context`` (forged, altered,
        expired), any post id (a fresh one by default)."""
        where, clicker = self.world.channel(channel, team), self.world.user(user)
        payload = click_payload(
            user=clicker,
            channel=where,
            team=where.team,
            post_id=post_id or new_id(),
            kind="button",
            context=context,
        )
        return send_click(self.world, self._http(), url=url, payload=payload, user=clicker)

    # -- what Mattermost serves ---------------------------------------------------------------

    def _serve(self, request: Received) -> Answer:
        if is_api(request.path):
            return serve_api(self.world, request)
        return serve(self.world, request)


@pytest.fixture
def fake_mattermost() -> Iterator[FakeMattermost]:
    with FakeMattermost() as fake:
        yield fake
