"""A fake Slack that behaves toward Tocsin like the real one, over real HTTP on loopback: it serves
incoming webhooks and the response URLs of slash commands and button clicks, and sends signed
slash commands and button clicks exactly as Slack does (with "Escape channels, users, and links"
on), taking the answers as Slack would.

    def test_something(fake_slack):
        hook_url = fake_slack.new_hook(channel="ops-alerts")   # Tocsin's "Slack URL"
        fake_slack.interactivity_url = request_url             # the app's Interactivity URL
        result = fake_slack.slash(request_url, "ack 12", user="bob")
        post = fake_slack.wait_for_posts(1)[0]
        click = fake_slack.click(post, "Acknowledge", user="ann")

Users, workspaces and channels exist as soon as they are named. ``sender`` (an ``httpx.Client``,
a Starlette ``TestClient`` too) lets the fake reach an in-process Tocsin instead of a live server."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest

from tests.fakes.chat_server import FakeChatServer
from tests.fakes.mattermost_model import FakeTeam, FakeUser, HttpSender
from tests.fakes.slack_api import is_api, serve_api
from tests.fakes.slack_click import ClickResult, click, click_payload
from tests.fakes.slack_model import Ephemeral, Message, Post
from tests.fakes.slack_slash import SlashResult, command_fields, run
from tests.fakes.slack_world import Hook, World, stable_id
from tests.support.http_receiver import Answer, Received
from tocsin.chat.requests import ChatIdentity

__all__ = ["ClickResult", "Ephemeral", "FakeSlack", "Message", "Post", "SlashResult", "fake_slack"]

REPLY_WAIT_SECONDS = 15.0
"""How long ``slash`` and ``click`` wait for a reply at the response URL."""


class FakeSlack(FakeChatServer[Message]):
    platform = "Slack"

    def __init__(self, *, sender: HttpSender | None = None, signing_secret: str | None = None) -> None:
        super().__init__(sender=sender, timeout=3.0)
        self.world = World()
        self.signing_secret = signing_secret or secrets.token_hex(16)
        """The Slack app's Signing Secret (letters and digits, as Slack shows it)."""
        self.interactivity_url = ""
        """The app's Interactivity Request URL: where clicks are sent."""
        self.reply_wait = REPLY_WAIT_SECONDS

    # -- people and places ------------------------------------------------------------------

    def user(self, name: str) -> FakeUser:
        return self.world.user(name)

    def team(self, name: str) -> FakeTeam:
        return self.world.team(name)

    def identity(self, user_name: str, team: str = "acme", enterprise: str | None = None) -> ChatIdentity:
        """The identity Tocsin derives for ``user_name``'s commands in workspace ``team``."""
        user, workspace = self.user(user_name), self.team(team)
        team_id = f"{self.world.enterprise(enterprise).id}:{workspace.id}" if enterprise else workspace.id
        return ChatIdentity("Slack", team_id, workspace.name, user.id, user.username)

    # -- incoming webhooks ------------------------------------------------------------------

    def new_hook(self, channel: str = "ops-alerts", *, team: str = "acme") -> str:
        """A new incoming webhook posting into ``channel``; its URL (Tocsin's "Slack URL")."""
        where = self.world.channel(channel, team)
        hook = Hook(stable_id("B", channel, team, str(time.monotonic_ns())), where, secrets.token_urlsafe(18))
        with self.world.lock:
            self.world.hooks[hook.id] = hook
        return f"{self.base_url}/services/{where.team.id}/{hook.id}/{hook.token}"

    def posts(self, channel: str | None = "ops-alerts") -> list[Message]:
        with self.world.lock:
            return [message for message in self.world.messages if channel in (None, message.channel)]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        with self.world.lock:
            return [message for message in self.world.ephemerals if user in (None, message.user)]

    # -- bots and the Web API -------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """Where the fake's Web API is (Tocsin's ``TOCSIN_SLACK_API_URL``)."""
        return f"{self.base_url}/api"

    def new_bot(
        self, name: str = "tocsin", *, channels: tuple[str, ...] = ("ops-alerts",), team: str = "acme"
    ) -> str:
        """An app's bot user, invited to ``channels``; its bot token."""
        bot = self.world.user(name)
        for channel in channels:
            self.world.add_member(self.world.channel(channel, team).id, bot.id)
        token = (
            "xoxb-"
            + secrets.token_hex(6)
            + "-"
            + secrets.token_hex(6)
            + "-"
            + secrets.token_urlsafe(18).replace("_", "x")
        )
        with self.world.lock:
            self.world.tokens[token] = bot
        return token

    def revoke(self, token: str) -> None:
        with self.world.lock:
            self.world.tokens.pop(token, None)

    def channel_id(self, channel: str = "ops-alerts", team: str = "acme") -> str:
        return self.world.channel(channel, team).id

    def join(self, channel: str, user: str, team: str = "acme") -> None:
        self.world.add_member(self.world.channel(channel, team).id, self.user(user).id)

    def leave(self, channel: str, user: str, team: str = "acme") -> None:
        self.world.remove_member(self.world.channel(channel, team).id, self.user(user).id)

    def rate_limit(self, calls: int, retry_after: int = 1) -> None:
        """Answer the next ``calls`` Web API calls 429 with ``Retry-After: retry_after``."""
        with self.world.lock:
            self.world.rate_limited, self.world.retry_after = calls, retry_after

    def cards(self, channel: str | None = "ops-alerts") -> list[Message]:
        """The bot's messages that are not thread replies."""
        return [
            message for message in self.posts(channel) if message.source == "api" and not message.thread_ts
        ]

    def thread(self, message: Message) -> list[Message]:
        return [reply for reply in self.posts(None) if reply.thread_ts == message.ts and reply is not message]

    def api_requests(self, method: str | None = None) -> list[Received]:
        return [
            request
            for request in self.requests
            if is_api(request.path) and method in (None, request.path.split("?")[0].removeprefix("/api/"))
        ]

    # -- what Slack sends ---------------------------------------------------------------------

    def slash(
        self,
        request_url: str,
        text: str,
        *,
        user: str = "john",
        mentions: dict[str, str] | None = None,
        team: str = "acme",
        enterprise: str | None = None,
        channel: str = "ops-alerts",
        method: str = "POST",
        signature: str = "good",
        timestamp_offset: float = 0,
        command: str = "/genie",
    ) -> SlashResult:
        """Type ``/genie <text>`` in ``channel``. ``mentions`` (name -> Slack user id) says whom
        ``@name`` means; without it, known users are recognised. ``signature``: "good", "bad"
        (another secret) or "missing"."""
        if signature not in ("good", "bad", "missing") or method not in ("POST", "GET"):
            raise ValueError('signature is "good", "bad" or "missing"; method is "POST" or "GET"')
        where, invoker = self.world.channel(channel, team), self.user(user)
        path = self.world.add_response_url("commands", invoker, where, None)
        fields = command_fields(
            world=self.world,
            text=text,
            user=user,
            channel=where,
            enterprise=self.world.enterprise(enterprise) if enterprise else None,
            response_url=self.base_url + path,
            mentions=mentions,
            command=command,
        )
        url = self.world.response_url(path)
        assert url is not None
        return run(
            self.world,
            self._http(),
            request_url=request_url,
            secret=self.signing_secret,
            fields=fields,
            url=url,
            method=method,
            signature=signature,
            timestamp_offset=timestamp_offset,
            wait=self.reply_wait,
        )

    def click(
        self,
        post: Message,
        button: str,
        *,
        user: str = "ann",
        team: str = "acme",
        enterprise: str | None = None,
        value: str | None = None,
        signature: str = "good",
        channel: str | None = None,
    ) -> ClickResult:
        """Click the button labelled ``button`` (or with that action_id) on ``post``; ``value``
        replaces the button's value (a forged or altered one), ``channel`` the channel Slack names
        (the post's; another one for a copy of the post elsewhere)."""
        found = post.button(button)
        if found is None:
            raise AssertionError(f"no button {button!r} on the post; it has {post.buttons}")
        if not self.interactivity_url:
            raise AssertionError("set fake.interactivity_url (the Slack app's Interactivity Request URL)")
        clicker, where = self.user(user), self.world.channel(channel or post.channel, team)
        path = self.world.add_response_url("actions", clicker, where, post)
        payload = click_payload(
            user=clicker,
            channel=where,
            enterprise=self.world.enterprise(enterprise) if enterprise else None,
            message=post,
            button={**found, "value": found.get("value", "") if value is None else value},
            response_url=self.base_url + path,
        )
        return click(
            self.world,
            self._http(),
            request_url=self.interactivity_url,
            secret=self.signing_secret,
            payload=payload,
            url=self.world.response_url(path),
            signature=signature,
            wait=self.reply_wait,
        )

    # -- what Slack serves ----------------------------------------------------------------------

    def _outage_covers(self, request: Received) -> bool:
        # incoming webhooks and the Web API; response URLs stay up
        return request.path.startswith(("/services/", "/api/"))

    def _outage_answer(self) -> Answer:
        return Answer(503, b"service_unavailable", {"Content-Type": "text/plain"})

    def _serve(self, request: Received) -> Answer:
        if is_api(request.path):
            return serve_api(self.world, request)
        return self.world.serve(request)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
