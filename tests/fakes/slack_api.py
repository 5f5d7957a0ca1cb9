"""The Slack Web API methods a bot uses, as Slack answers them (always HTTP 200 with
``{"ok": true, ...}`` or ``{"ok": false, "error": "<code>"}``, but 429 with ``Retry-After`` when
rate limited): ``chat.postMessage`` (a thread reply with ``thread_ts``), ``chat.update``,
``conversations.members`` (paged by ``cursor``) and ``conversations.open``. Requests are
authenticated by ``Authorization: Bearer <bot token>``; arguments come as JSON (POST), a form
(POST) or the query string."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.mattermost_model import FakeUser
from tests.fakes.slack_model import Invalid, check_message
from tests.fakes.slack_world import CONTROL_KEYS, World
from tests.support.http_receiver import Answer, Received

MEMBERS_LIMIT = 1000


def is_api(path: str) -> bool:
    return urlsplit(path).path.startswith("/api/")


def _result(body: dict[str, Any]) -> Answer:
    return Answer(200, json.dumps(body).encode(), {"Content-Type": "application/json; charset=utf-8"})


def _ok(**fields: Any) -> Answer:
    return _result({"ok": True, **fields})


def _error(code: str) -> Answer:
    return _result({"ok": False, "error": code})


def _arguments(request: Received) -> dict[str, Any] | None:
    query = {key: values[0] for key, values in parse_qs(urlsplit(request.path).query).items()}
    if request.method != "POST" or not request.body:
        return query
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            return None
        return {**query, **body} if isinstance(body, dict) else None
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    fields: dict[str, Any] = {key: values[0] for key, values in form.items()}
    for key in ("attachments", "blocks"):  # a form carries them as JSON text
        if isinstance(fields.get(key), str):
            try:
                fields[key] = json.loads(fields[key])
            except ValueError:
                return None
    return {**query, **fields}


def serve_api(world: World, request: Received) -> Answer:
    method = urlsplit(request.path).path.removeprefix("/api/")
    handlers = {
        "chat.postMessage": _post_message,
        "chat.update": _update,
        "conversations.members": _members,
        "conversations.open": _open,
    }
    handle = handlers.get(method)
    if handle is None:
        return _error("unknown_method")
    with world.lock:
        if world.rate_limited > 0:
            world.rate_limited -= 1
            return Answer(429, b'{"ok":false,"error":"ratelimited"}', {"Retry-After": str(world.retry_after)})
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    arguments = _arguments(request)
    if arguments is None:
        return _error("invalid_json")
    token = token.strip() if scheme.lower() == "bearer" else str(arguments.get("token") or "")
    if not token:
        return _error("not_authed")
    with world.lock:
        bot = world.tokens.get(token)
    if bot is None:
        return _error("invalid_auth")
    return handle(world, bot, arguments)


def _content(arguments: dict[str, Any]) -> dict[str, Any]:
    skipped = {"channel", "ts", "thread_ts", "token", *CONTROL_KEYS}
    return {key: value for key, value in arguments.items() if key not in skipped}


def _post_message(world: World, bot: FakeUser, arguments: dict[str, Any]) -> Answer:
    channel = world.channel_by_id(str(arguments.get("channel") or ""))
    if channel is None:
        return _error("channel_not_found")
    if not world.is_member(channel.id, bot.id):
        return _error("not_in_channel")
    content = _content(arguments)
    try:
        check_message(content)
    except Invalid as refused:
        return _error(str(refused).split(":")[0])
    thread_ts = str(arguments.get("thread_ts") or "")
    message = world.post(channel, content, "api", thread_ts=thread_ts, bot=bot)
    shown = {"type": "message", "ts": message.ts, "bot_id": bot.id, **content}
    if thread_ts:
        shown["thread_ts"] = thread_ts
    return _ok(channel=channel.id, ts=message.ts, message=shown)


def _update(world: World, bot: FakeUser, arguments: dict[str, Any]) -> Answer:
    channel = world.channel_by_id(str(arguments.get("channel") or ""))
    if channel is None:
        return _error("channel_not_found")
    message = world.find_message(channel.name, str(arguments.get("ts") or ""))
    if message is None:
        return _error("message_not_found")
    if message.bot != bot.id:
        return _error("cant_update_message")
    content = _content(arguments)
    try:
        check_message(content)
    except Invalid as refused:
        return _error(str(refused).split(":")[0])
    with world.lock:
        message.raw = content
        message.edits.append(content)
    return _ok(channel=channel.id, ts=message.ts, text=content.get("text", ""), message=content)


def _members(world: World, bot: FakeUser, arguments: dict[str, Any]) -> Answer:
    channel = world.channel_by_id(str(arguments.get("channel") or ""))
    if channel is None:
        return _error("channel_not_found")
    try:
        limit = min(int(arguments.get("limit") or 100), MEMBERS_LIMIT)
        start = int(base64.b64decode(str(arguments.get("cursor") or "")).decode() or 0)
    except ValueError:
        return _error("invalid_cursor")
    with world.lock:
        members = sorted(world.members.get(channel.id, set()))
    page = members[start : start + max(limit, 1)]
    more = start + len(page) < len(members)
    cursor = base64.b64encode(str(start + len(page)).encode()).decode() if more else ""
    return _ok(members=page, response_metadata={"next_cursor": cursor})


def _open(world: World, bot: FakeUser, arguments: dict[str, Any]) -> Answer:
    users = [user for user in str(arguments.get("users") or "").split(",") if user]
    if not users:
        return _error("users_list_not_supplied")
    found = [world.user_by_id(user_id) for user_id in users]
    if any(user is None for user in found):
        return _error("user_not_found")
    if len(users) != 1:
        return _error("not_implemented")  # group DMs are not faked
    other = found[0]
    assert other is not None
    channel = world.direct_channel(bot, other)
    return _ok(channel={"id": channel.id})
