"""A fake HipChat server (API v2, with add-ons) that behaves toward Tocsin like the real one did,
over real HTTP on loopback: it installs the add-on from its Capabilities URL into a room, serves
capabilities, tokens, room notifications and private messages, and sends ``/genie`` messages to
the add-on's webhook with a JWT, taking the answers as HipChat did.

    def test_something(http):
        with FakeHipChat(sender=http) as fake:     # its base_url is the integration's HipChat URL
            fake.install(request_url, room="ops-alerts")
            result = fake.slash(request_url, "ack 12", user="bob")
            post = fake.wait_for_posts(1)[0]

Users, groups and rooms exist as soon as they are named. ``sender`` (an ``httpx.Client``, a
Starlette ``TestClient`` too) lets the fake reach an in-process Tocsin instead of a live server."""

from __future__ import annotations

from typing import Any

from tests.fakes.chat_server import FakeChatServer
from tests.fakes.hipchat_api import serve
from tests.fakes.hipchat_install import Installation, install, uninstall
from tests.fakes.hipchat_model import FakeTeam, FakeUser, HttpSender, Post, PrivateMessage, World
from tests.fakes.hipchat_slash import JWT_MODES, SlashResult, send
from tests.support.http_receiver import Answer, Received
from tocsin.chat.requests import ChatIdentity

__all__ = ["FakeHipChat", "Installation", "Post", "PrivateMessage", "SlashResult"]


class FakeHipChat(FakeChatServer[Post]):
    platform = "HipChat"

    def __init__(self, *, sender: HttpSender | None = None, timeout: float = 30) -> None:
        super().__init__(sender=sender, timeout=timeout)
        self.world = World()

    @property
    def capabilities_url(self) -> str:
        return f"{self.base_url}/v2/capabilities"

    def refuse(self, status: int, message: str) -> None:
        """The next notification or private message is answered ``status`` with HipChat's error JSON."""
        with self.world.lock:
            self.world.refusals.append((status, message))

    def revoke_tokens(self) -> None:
        """Forget every access token (the API answers 401 to them), as a HipChat restart did."""
        with self.world.lock:
            self.world.tokens.clear()

    # -- people and places ------------------------------------------------------------------

    def user(self, name: str) -> FakeUser:
        return self.world.user(name)

    def team(self, name: str) -> FakeTeam:
        return self.world.group(name)

    def identity(self, user_name: str, team: str = "acme") -> ChatIdentity:
        group, user = self.world.group(team), self.world.user(user_name)
        return ChatIdentity("HipChat", group.id, group.name, user.id, user.username)

    # -- the add-on's life --------------------------------------------------------------------

    def install(
        self,
        request_url: str,
        room: str | None = "ops-alerts",
        group: str = "acme",
        *,
        capabilities_url: str | None = None,
        oauth_secret: str | None = None,
    ) -> Installation:
        """Install the add-on from ``request_url`` in ``room`` (None: for the whole group).
        ``capabilities_url`` and ``oauth_secret`` replace what the callback says (a forgery)."""
        return install(
            self.world,
            self._http(),
            capabilities_url=capabilities_url or self.capabilities_url,
            request_url=request_url,
            room=self.world.room(room, group) if room else None,
            group=group,
            oauth_secret=oauth_secret,
        )

    def uninstall(self, installation: Installation) -> int:
        return uninstall(self.world, self._http(), installation)

    def installation_of(self, request_url: str) -> Installation:
        with self.world.lock:
            made = [c for c in self.world.clients.values() if c.request_url == request_url and c.installed]
        if not made:
            raise AssertionError(f"the add-on of {request_url} is installed nowhere")
        return Installation(made[-1])

    # -- what HipChat sends ---------------------------------------------------------------------

    def slash(
        self,
        request_url: str,
        text: str,
        *,
        user: str = "john",
        mentions: dict[str, str] | None = None,
        **options: Any,
    ) -> SlashResult:
        """Type ``/genie <text>`` in the room the add-on is installed in (options: see ``say``)."""
        return self.say(request_url, f"/genie {text}".rstrip(), user=user, mentions=mentions, **options)

    def say(
        self,
        request_url: str,
        message: str,
        *,
        user: str = "john",
        mentions: dict[str, str] | None = None,
        jwt: str = "header",
        wait: float = 10,
        match_pattern: bool = True,
    ) -> SlashResult:
        """Type ``message`` in the room: sent to the add-on's webhook when it matches its pattern
        (or regardless, with ``match_pattern=False``)."""
        if jwt not in JWT_MODES:
            raise ValueError(f"jwt is one of {JWT_MODES}")
        made = self.installation_of(request_url).client
        if match_pattern and not made.webhook_matches(message):
            return SlashResult(detail="the add-on's webhook pattern does not match; nothing was sent")
        speaker = self.world.user(user)
        named = mentions if mentions is not None else self._mentioned(message)
        return send(
            self.world, self._http(), made, user=speaker, message=message, mentions=named, mode=jwt, wait=wait
        )

    def _mentioned(self, message: str) -> dict[str, str]:
        """@names of known users, as HipChat resolves them."""
        words = (word.strip(".,:;!?").removeprefix("@") for word in message.split() if word.startswith("@"))
        with self.world.lock:
            return {name: self.world.users[name].id for name in words if name in self.world.users}

    # -- what HipChat shows -------------------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[Post]:
        with self.world.lock:
            return [post for post in self.world.posts if channel in (None, post.room)]

    def private_messages(self, user: str | None = None) -> list[PrivateMessage]:
        with self.world.lock:
            return [message for message in self.world.messages if user in (None, message.user)]

    def _serve(self, request: Received) -> Answer:
        return serve(self.world, self.base_url, request)
