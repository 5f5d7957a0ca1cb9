"""A slash command as Slack runs it: the signed form it posts to the command's Request URL (the
text escaped as with "Escape channels, users, and links" on), how long it waits (3 seconds), and
how it takes the answer: at once in the HTTP answer, or later at the response URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.command_answer import CommandAnswer
from tests.fakes.deadline import answer_seconds, collector_held_off
from tests.fakes.mattermost_model import HttpSender, Sent
from tests.fakes.slack_model import Ephemeral, Message, readable
from tests.fakes.slack_world import CONTROL_KEYS, Channel, Enterprise, ResponseUrl, World

TIMEOUT_SECONDS = 3.0
"""Slack shows an error when the answer takes longer."""
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
_TYPED = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<url>https?://[^\s<>]+)"
    r"|(?<![\w.])@(?P<mention>[\w][\w.-]*[\w]|[\w])"
    r"|(?<![\w&])#(?P<channel>[\w-]+)"
)


@dataclass
class SlashResult(CommandAnswer):
    deferred: bool = False
    """The HTTP answer was empty and the reply came through the response URL."""
    posts: list[Message] = field(default_factory=list)
    ephemerals: list[Ephemeral] = field(default_factory=list)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature of ``body`` sent at ``timestamp``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def escaped_text(world: World, typed: str, channel: Channel, mentions: dict[str, str] | None) -> str:
    """The text as Slack sends it: ``&``, ``<``, ``>`` as entities; known users (or ``mentions``),
    channels, e-mail addresses and URLs in Slack's ``<...>`` forms."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def escape(match: re.Match[str]) -> str:
        if match["email"]:
            return f"<mailto:{match['email']}|{match['email']}>"
        if match["url"]:
            return f"<{match['url']}>"
        if match["mention"]:
            name = match["mention"]
            user_id = (mentions or {}).get(name)
            if user_id is None and mentions is None and world.known_user(name):
                user_id = world.user(name).id
            return f"<@{user_id}|{name}>" if user_id else match.group(0)
        if match["channel"] == channel.name:
            return f"<#{channel.id}|{channel.name}>"
        return match.group(0)

    return _TYPED.sub(escape, text)


def signed_headers(secret: str, body: bytes, *, offset: float, signature: str) -> dict[str, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
    if signature == "missing":
        return headers
    timestamp = str(int(time.time() + offset))
    key = secret if signature == "good" else secret[::-1] + "x"
    headers["X-Slack-Request-Timestamp"] = timestamp
    headers["X-Slack-Signature"] = sign(key, timestamp, body)
    return headers


def command_fields(
    *,
    world: World,
    text: str,
    user: str,
    channel: Channel,
    enterprise: Enterprise | None,
    response_url: str,
    mentions: dict[str, str] | None,
    command: str,
) -> list[tuple[str, str]]:
    """The form of a slash command, in Slack's order."""
    invoker = world.user(user)
    fields = [
        ("token", "verification-token-unused"),
        ("team_id", channel.team.id),
        ("team_domain", channel.team.name),
    ]
    if enterprise is not None:
        fields += [("enterprise_id", enterprise.id), ("enterprise_name", enterprise.name)]
    return [
        *fields,
        ("channel_id", channel.id),
        ("channel_name", channel.name),
        ("user_id", invoker.id),
        ("user_name", invoker.username),
        ("command", command),
        ("text", escaped_text(world, text, channel, mentions)),
        ("api_app_id", "A0TOCSIN01"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", f"{int(time.time())}.{invoker.id[1:]}.{secrets.token_hex(16)}"),
    ]


def send(client: HttpSender, url: str, method: str, body: bytes, headers: dict[str, str]) -> Any:
    """The request, as Slack sends it (a GET command carries its form as the query)."""
    if method == "GET":
        return client.request("GET", f"{url}?{body.decode()}", headers=headers)
    return client.request("POST", url, content=body, headers=headers)


def take_answer(world: World, result: SlashResult, answer: Any, url: ResponseUrl, wait: float) -> None:
    """Slack's reading of the answer: 200 with JSON or text shows it; 200 empty waits for the
    response URL; anything else is an error the user sees."""
    result.status = answer.status_code
    if result.elapsed > TIMEOUT_SECONDS:
        result.error, result.detail = "operation_timeout", f"answered after {result.elapsed:.1f} s"
        return
    if answer.status_code != 200:
        result.error = "http_service_error"
        result.detail = f"HTTP {answer.status_code}: {answer.content.decode('utf-8', 'replace')[:300]}"
        return
    content_type = answer.headers.get("content-type", "")
    if not answer.content.strip():
        result.deferred = True
        _take_deferred(world, result, url, wait)
        return
    if content_type.startswith("application/json"):
        message = json.loads(answer.content)
    else:
        message = {"text": answer.content.decode("utf-8", "replace")}
    _take_message(world, result, url, message)


def _take_deferred(world: World, result: SlashResult, url: ResponseUrl, wait: float) -> None:
    """The first reply posted to the response URL (Tocsin sends one), once it arrives."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with world.lock:
            if url.posted:
                _show(world, result, url.posted[0])
                result.ephemerals = url.ephemerals[:1]
                result.posts = [url.original] if url.original and not result.ephemeral else []
                return
        time.sleep(0.02)
    result.detail = "no reply came to the response URL"


def _content(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key not in CONTROL_KEYS}


def _show(world: World, result: SlashResult, message: dict[str, Any]) -> None:
    result.raw = message
    result.response_type = str(message.get("response_type") or "ephemeral")
    result.ephemeral = result.response_type != "in_channel"
    result.text = readable(str(message.get("text") or ""), world.user_name)


def _take_message(world: World, result: SlashResult, url: ResponseUrl, message: dict[str, Any]) -> None:
    _show(world, result, message)
    content = _content(message)
    if result.ephemeral:
        ephemeral = Ephemeral(url.user.username, url.channel.name, content, "command")
        with world.lock:
            world.ephemerals.append(ephemeral)
        result.ephemerals = [ephemeral]
    else:
        url.original = world.post(url.channel, content, "command")
        result.posts = [url.original]


def run(
    world: World,
    client: HttpSender,
    *,
    request_url: str,
    secret: str,
    fields: list[tuple[str, str]],
    url: ResponseUrl,
    method: str,
    signature: str,
    timestamp_offset: float,
    wait: float,
) -> SlashResult:
    body = urlencode(fields).encode()
    headers = signed_headers(secret, body, offset=timestamp_offset, signature=signature)
    result = SlashResult(Sent(method, request_url, headers, body, fields), dict(fields)["response_url"])
    started = time.monotonic()
    try:
        with collector_held_off():
            answer = send(client, request_url, method, body, headers)
    except httpx.TimeoutException as exc:
        result.error, result.detail = "operation_timeout", repr(exc)
        return result
    except httpx.HTTPError as exc:
        result.error, result.detail = "dispatch_failed", repr(exc)
        return result
    finally:
        result.elapsed = time.monotonic() - started
    result.elapsed = answer_seconds(answer, result.elapsed)
    take_answer(world, result, answer, url, wait)
    return result
