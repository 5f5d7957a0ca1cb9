"""What the fake HipChat sends to an add-on when someone types in its room: a ``room_message``
webhook signed with a JWT, whose answer it takes as HipChat does (a JSON body becomes a room
notification; with none, the caller's private message or a later notification is the answer)."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from tests.fakes.deadline import collector_held_off
from tests.fakes.hipchat_api import notification_post
from tests.fakes.hipchat_install import JSON_HEADERS, decoded
from tests.fakes.hipchat_model import (
    Client,
    FakeUser,
    HttpSender,
    Post,
    World,
    body_problem,
)

JWT_MODES = ("header", "query", "none", "bad", "expired", "other-install", "alg-none")


@dataclass
class SlashResult:
    status: int | None = None
    error: str | None = None
    detail: str = ""
    text: str = ""
    ephemeral: bool = False
    raw: Any = None
    """Tocsin's JSON answer; for an answer sent through the API, the body of that request."""
    html: str = ""
    post: Post | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def room_message(made: Client, user: FakeUser, message: str, mentions: dict[str, str]) -> dict[str, Any]:
    """The ``room_message`` webhook's JSON, as HipChat sent it."""
    room = made.room
    assert room is not None
    api = "https://api.hipchat.com/v2"

    def person(name: str, ident: str) -> dict[str, Any]:
        return {
            "id": int(ident),
            "mention_name": name,
            "name": name.title(),
            "links": {"self": f"{api}/user/{ident}"},
        }

    return {
        "event": "room_message",
        "webhook_id": 17775373,
        "item": {
            "room": {"id": int(room.id), "name": room.name, "is_archived": False, "privacy": "public"},
            "message": {
                "id": str(uuid.uuid4()),
                "date": datetime.now(UTC).isoformat(),
                "type": "message",
                "message": message,
                "from": person(user.username, user.id),
                "mentions": [person(name, ident) for name, ident in mentions.items()],
            },
        },
        "oauth_client_id": made.oauth_id,
    }


def signed(made: Client, user: FakeUser, mode: str, world: World) -> str | None:
    """The webhook's JWT in the given ``mode`` (see ``JWT_MODES``)."""
    now = int(world.now())
    claims = {"iss": made.oauth_id, "sub": user.id, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    claims["context"] = {"room_id": int(made.room.id) if made.room else None, "user_tz": "UTC"}
    secret = made.oauth_secret
    if mode == "none":
        return None
    if mode == "bad":
        secret = secrets.token_urlsafe(30)
    if mode == "expired":
        claims |= {"iat": now - 900, "exp": now - 600}
    if mode == "other-install":
        with world.lock:
            others = [c for c in world.clients.values() if c.oauth_id != made.oauth_id]
        other = (
            others[0]
            if others
            else Client(str(uuid.uuid4()), secrets.token_urlsafe(30), made.group, None, "", {})
        )
        claims["iss"], secret = other.oauth_id, other.oauth_secret
    if mode == "alg-none":
        return jwt.encode(claims, None, algorithm="none")
    return jwt.encode(claims, secret, algorithm="HS256")


def send(
    world: World,
    client: HttpSender,
    made: Client,
    *,
    user: FakeUser,
    message: str,
    mentions: dict[str, str],
    mode: str,
    wait: float,
) -> SlashResult:
    """Send one ``room_message`` to the add-on's webhook and take its answer."""
    hook, payload = made.webhook, room_message(made, user, message, mentions)
    token = signed(made, user, mode, world)
    headers = dict(JSON_HEADERS)
    url = hook["url"]
    if token and mode == "query":
        url = f"{url}?signed_request={token}"
    elif token:
        headers["Authorization"] = f"JWT {token}"
    result = SlashResult(payload=payload)
    started = time.monotonic()
    try:
        with collector_held_off():
            answer = client.request("POST", url, content=json.dumps(payload).encode(), headers=headers)
    except httpx.HTTPError as exc:
        result.error, result.detail = "HipChat could not reach the add-on", repr(exc)
        return result
    result.status, result.raw = answer.status_code, decoded(answer) if answer.content else None
    if not 200 <= answer.status_code < 300:
        result.error, result.detail = f"The add-on answered HTTP {answer.status_code}", answer.text
        return result
    if answer.content:
        return _in_room(world, result, made)
    return _later(world, result, made, user, since=started, wait=wait)


def _in_room(world: World, result: SlashResult, made: Client) -> SlashResult:
    """A webhook's JSON answer is sent to the room as a notification."""
    problem = body_problem(result.raw, notification=True)
    if problem:
        result.error, result.detail = "HipChat refused the add-on's answer", problem
        return result
    assert made.room is not None
    post = notification_post(made.room.name, result.raw, source="command")
    with world.lock:
        world.posts.append(post)
    result.post, result.text, result.html = post, post.text, post.html
    return result


def _later(
    world: World, result: SlashResult, made: Client, user: FakeUser, *, since: float, wait: float
) -> SlashResult:
    """No answer in the response: the private message the caller got, or what the add-on sends
    through the API later (waiting up to ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        with world.lock:
            room = made.room.name if made.room else ""
            found: list[Any] = [m for m in world.messages if m.user == user.username and m.at >= since]
            found += [
                p for p in world.posts if p.room == room and p.at >= since and p.source == "notification"
            ]
        if found:
            first = min(found, key=lambda item: item.at)
            result.text, result.html, result.raw = first.text, first.html, first.raw
            result.ephemeral = not isinstance(first, Post)
            result.post = first if isinstance(first, Post) else None
            return result
        if time.monotonic() >= deadline:
            result.detail = "no answer"
            return result
        time.sleep(0.02)
