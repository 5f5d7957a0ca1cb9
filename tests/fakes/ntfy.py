"""A fake ntfy server over real HTTP, speaking ntfy's wire format: JSON publishes to ``POST /``
(``topic``, ``title``, ``message``, ``priority`` 1-5, ``tags``, ``click``, ``actions``),
answered with the stored message as ntfy answers it (``id``, ``time``, ``expires``, ``event``
"message", ``topic``…), and errors as ntfy's JSON (``{"code": 40301, "http": 403, "error": …,
"link": …}``).

A topic may require an access token (``Authorization: Bearer tk_…``): a token the server does
not know is 401 (40101), no token or a token without access to the topic is 403 (40301).
Outage drills: ``fail_next(429, 503)`` answers the next publishes so (429 as ntfy's rate limit,
42901; 413 as its "message too large", 41303; 5xx as a proxy's page), ``down()`` answers every
request 503 until ``up()``.

``press(publish, "Acknowledge")`` does what the ntfy app does when a person taps an ``http``
action button: it sends the action's method, URL, headers and body (to Tocsin), and clears the
notification when the action says ``clear`` and the request succeeded."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

from tests.fakes.mattermost_model import HttpAnswer, HttpSender
from tests.fakes.mattermost_server import Listener
from tests.support.http_receiver import Answer, Received

TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
"""ntfy's topic rule (server/server.go)."""
ACTION_KINDS = ("view", "broadcast", "http")
MAX_ACTIONS = 3
CACHE_SECONDS = 12 * 3600
ERRORS = {
    40007: (400, "invalid request: priority invalid"),
    40009: (400, "invalid request: topic invalid"),
    40018: (400, "invalid request: action invalid"),
    40024: (400, "invalid request: request body must be message JSON"),
    40101: (401, "unauthorized"),
    40301: (403, "forbidden"),
    41303: (413, "invalid request: message too large"),
    42901: (429, "limit reached: too many requests"),
}
STATUS_ERRORS = {429: 42901, 413: 41303}
"""What ``fail_next`` answers as ntfy itself (other statuses come from a proxy in front of it)."""


@dataclass(frozen=True)
class Publish:
    """A message as the fake took it: what the phone shows, and the request that carried it."""

    id: str
    topic: str
    title: str
    message: str
    priority: int
    """1-5 (3 when the publish gave none, as ntfy's default)."""
    tags: list[str]
    click: str
    actions: list[dict[str, Any]]
    headers: dict[str, str]
    """The publish request's headers, names in lower case."""
    body: dict[str, Any]
    """The JSON as sent."""

    def action(self, label: str) -> dict[str, Any]:
        for action in self.actions:
            if action["label"] == label:
                return action
        raise AssertionError(f"no action {label!r} on {self.title!r}: {[a['label'] for a in self.actions]}")


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    published: list[Publish] = field(default_factory=list)
    cleared: set[str] = field(default_factory=set)
    failures: list[int] = field(default_factory=list)
    down: bool = False
    tokens: dict[str, set[str]] = field(default_factory=dict)
    """Token → the topics it may publish to."""
    protected: set[str] = field(default_factory=set)


class FakeNtfy:
    def __init__(self, *, sender: HttpSender | None = None) -> None:
        self._state = _State()
        self._listener = Listener(self._answer)
        self.sender = sender
        """How the phone reaches Tocsin (a TestClient for an in-process app); a client of its
        own when None."""
        self._client: httpx.Client | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        self._listener.start()
        if self.sender is None:
            self._client = httpx.Client(trust_env=False, timeout=30)
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
    def url(self) -> str:
        """The server's base URL (``TOCSIN_NTFY_URL``, or a person's own server)."""
        return f"http://127.0.0.1:{self._listener.port}"

    # -- set-up and drills --------------------------------------------------------------------

    def accept_token(self, token: str) -> None:
        """A token of a user of the server: good for every topic that requires none."""
        with self._state.lock:
            self._state.tokens.setdefault(token, set())

    def require_token(self, topic: str, token: str) -> None:
        """Only requests with ``Authorization: Bearer <token>`` may publish to ``topic``."""
        with self._state.lock:
            self._state.protected.add(topic)
            self._state.tokens.setdefault(token, set()).add(topic)

    def fail_next(self, *statuses: int) -> None:
        """Answer the next publishes with these statuses (429 and 413 as ntfy does, others as a
        proxy in front of a server that is down)."""
        with self._state.lock:
            self._state.failures.extend(statuses)

    def down(self) -> None:
        with self._state.lock:
            self._state.down = True

    def up(self) -> None:
        with self._state.lock:
            self._state.down = False

    # -- what the server took -----------------------------------------------------------------

    @property
    def requests(self) -> list[Received]:
        """Every request that reached the server, refused ones included."""
        return self._listener.received

    def published(self, topic: str | None = None) -> list[Publish]:
        with self._state.lock:
            return [p for p in self._state.published if topic is None or p.topic == topic]

    def wait_for(self, count: int, topic: str | None = None, timeout: float = 10) -> list[Publish]:
        deadline = time.monotonic() + timeout
        while len(found := self.published(topic)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} publishes, got {[p.title for p in found]}")
            time.sleep(0.02)
        return found

    def cleared(self, publish: Publish) -> bool:
        """Whether the phone cleared the notification (an action with ``clear`` succeeded)."""
        with self._state.lock:
            return publish.id in self._state.cleared

    # -- the phone ----------------------------------------------------------------------------

    def press(self, publish: Publish, label: str) -> HttpAnswer:
        """Tap the action button ``label`` of a notification, as the ntfy app does."""
        action = publish.action(label)
        if action["action"] != "http":
            raise AssertionError(f"{label!r} is a {action['action']} action; only http actions send requests")
        answer = self._http().request(
            action.get("method") or "POST",
            action["url"],
            content=(action.get("body") or "").encode(),
            headers=dict(action.get("headers") or {}),
        )
        if action.get("clear") and 200 <= answer.status_code < 300:
            with self._state.lock:
                self._state.cleared.add(publish.id)
        return answer

    def _http(self) -> HttpSender:
        client: HttpSender | None = self.sender or self._client
        if client is None:
            raise RuntimeError("the fake ntfy server is not started")
        return client

    # -- the server ---------------------------------------------------------------------------

    def _answer(self, request: Received) -> Answer:
        with self._state.lock:
            if self._state.down:
                return Answer(503, b"Service Unavailable", {"Content-Type": "text/plain"})
            failure = self._state.failures.pop(0) if self._state.failures else None
        if failure in STATUS_ERRORS:
            return _error(STATUS_ERRORS[failure])
        if failure is not None:
            return Answer(failure, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
        if request.method not in ("POST", "PUT"):
            return _error(40024)
        if request.path.split("?")[0] != "/":
            return self._publish_text(request)
        try:
            body = json.loads(request.body)
        except ValueError:
            return _error(40024)
        if not isinstance(body, dict):
            return _error(40024)
        return self._publish(request, body)

    def _publish_text(self, request: Received) -> Answer:
        """``POST /{topic}``: the body is the message text, as it is (JSON included)."""
        topic = request.path.split("?")[0].strip("/")
        body = {"topic": topic, "message": request.body.decode("utf-8", "replace")}
        return self._publish(request, body)

    def _publish(self, request: Received, body: dict[str, Any]) -> Answer:
        topic = body.get("topic")
        if not isinstance(topic, str) or not TOPIC.match(topic):
            return _error(40009)
        refused = self._refusal(request.headers.get("authorization", ""), topic)
        if refused is not None:
            return _error(refused)
        priority = body.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 5:
            return _error(40007)
        actions = body.get("actions") or []
        if not _valid_actions(actions):
            return _error(40018)
        publish = Publish(
            id=secrets.token_urlsafe(9)[:12],
            topic=topic,
            title=str(body.get("title") or ""),
            message=str(body.get("message") or "triggered"),
            priority=priority or 3,
            tags=list(body.get("tags") or []),
            click=str(body.get("click") or ""),
            actions=[{"id": secrets.token_urlsafe(7)[:10], **action} for action in actions],
            headers=request.headers,
            body=body,
        )
        with self._state.lock:
            self._state.published.append(publish)
        return _json(200, _stored(publish))

    def _refusal(self, authorization: str, topic: str) -> int | None:
        """ntfy's answer to who is asking: None to go ahead, else an error code."""
        with self._state.lock:
            if not authorization:
                return 40301 if topic in self._state.protected else None
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or token not in self._state.tokens:
                return 40101
            if topic in self._state.protected and topic not in self._state.tokens[token]:
                return 40301
        return None


def _valid_actions(actions: Any) -> bool:
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        return False
    for action in actions:
        if (
            not isinstance(action, dict)
            or action.get("action") not in ACTION_KINDS
            or not action.get("label")
        ):
            return False
        if action["action"] in ("view", "http") and not action.get("url"):
            return False
        if action["action"] == "http" and action.get("body") and action.get("method") in ("GET", "HEAD"):
            return False
    return True


def _stored(publish: Publish) -> dict[str, Any]:
    """The message as ntfy answers a publish (server/types.go ``message``)."""
    now = int(time.time())
    stored: dict[str, Any] = {
        "id": publish.id,
        "time": now,
        "expires": now + CACHE_SECONDS,
        "event": "message",
        "topic": publish.topic,
        "message": publish.message,
    }
    if publish.title:
        stored["title"] = publish.title
    if publish.priority != 3:
        stored["priority"] = publish.priority
    if publish.tags:
        stored["tags"] = publish.tags
    if publish.click:
        stored["click"] = publish.click
    if publish.actions:
        stored["actions"] = publish.actions
    return stored


def _error(code: int) -> Answer:
    status, text = ERRORS[code]
    return _json(
        status, {"code": code, "http": status, "error": text, "link": "https://ntfy.sh/docs/publish/"}
    )


def _json(status: int, body: dict[str, Any]) -> Answer:
    return Answer(status, json.dumps(body).encode() + b"\n", {"Content-Type": "application/json"})
