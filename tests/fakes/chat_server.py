"""What every fake chat platform (Mattermost, Slack, HipChat) does the same way: a loopback
``Listener`` that records requests, an own ``httpx.Client`` or a given ``sender`` to reach Tocsin,
start/stop as a context manager, outages, the fake's clock, and waiting for posts that the engine
delivers in the background. Each fake says what it serves and what it sends."""

from __future__ import annotations

import time
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import httpx

from tests.fakes.mattermost_model import HttpSender
from tests.fakes.mattermost_server import Listener
from tests.support.http_receiver import Answer, Received

OUTAGE_MODES = ("503", "refuse")


class World(Protocol):
    """The part of a fake's world the shared life cycle uses."""

    lock: Any
    offset: float


class Shown(Protocol):
    """A post as the platform shows it."""

    @property
    def text(self) -> str: ...


PostT = TypeVar("PostT", bound=Shown)


class FakeChatServer(Generic[PostT]):
    platform: ClassVar[str]
    """The platform's name, as error messages say it."""
    world: World

    def __init__(
        self, *, sender: HttpSender | None = None, timeout: float = 30, follow_redirects: bool = False
    ) -> None:
        self.timeout = timeout
        """How long the fake's own client waits for Tocsin (seconds)."""
        self._follow_redirects = follow_redirects
        self._listener = Listener(self._answer)
        self._sender = sender
        self._client: httpx.Client | None = None
        self._unavailable = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        self._listener.start()
        if self._sender is None and self._client is None:
            self._client = httpx.Client(
                follow_redirects=self._follow_redirects, trust_env=False, timeout=self.timeout
            )
        return self

    def stop(self) -> None:
        self._listener.stop()
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The platform's own address (Mattermost's SiteURL, HipChat's server URL)."""
        return f"http://127.0.0.1:{self._listener.port}"

    def down(self, mode: str = "503") -> None:
        """Play an outage until ``up``: "503" answers requests 503, "refuse" stops listening."""
        if mode not in OUTAGE_MODES:
            raise ValueError('mode is "503" or "refuse"')
        self._unavailable = True
        if mode == "refuse":
            self._listener.stop()

    def up(self) -> None:
        self._unavailable = False
        self._listener.start()

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (response URLs and tokens expire by it)."""
        with self.world.lock:
            self.world.offset += seconds

    @property
    def requests(self) -> list[Received]:
        """Every request that reached the fake, refused ones (400, 503...) included."""
        return self._listener.received

    # -- what the platform shows --------------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[PostT]:
        raise NotImplementedError

    def wait_for_posts(self, count: int, timeout: float = 10, **where: str | None) -> list[PostT]:
        """Poll until at least ``count`` posts exist (the engine delivers in the background);
        ``where`` (``channel=``) is passed on to ``posts``."""
        deadline = time.monotonic() + timeout
        while len(posts := self.posts(**where)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} posts, got {len(posts)}: {[p.text for p in posts]}")
            time.sleep(0.02)
        return posts

    # -- talking to Tocsin and answering it -----------------------------------------------------

    def _http(self) -> HttpSender:
        client: HttpSender | None = self._sender or self._client
        if client is None:
            raise RuntimeError(f"the fake {self.platform} is not started")
        return client

    def _answer(self, request: Received) -> Answer:
        if self._unavailable and self._outage_covers(request):
            return self._outage_answer()
        return self._serve(request)

    def _outage_covers(self, request: Received) -> bool:
        """Whether an outage refuses ``request`` (all of them unless a platform says otherwise)."""
        return True

    def _outage_answer(self) -> Answer:
        return Answer(503, b"Service Unavailable", {"Content-Type": "text/plain"})

    def _serve(self, request: Received) -> Answer:
        raise NotImplementedError
