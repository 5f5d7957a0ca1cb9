"""The parts of Mattermost's REST API v4 a bot uses, as the real server answers them: create a
post (``POST /api/v4/posts``, a thread reply with ``root_id``), patch it
(``PUT /api/v4/posts/{id}/patch``), read a channel member
(``GET /api/v4/channels/{channel}/members/{user}``), open a direct channel
(``POST /api/v4/channels/direct``) and say who the bot is (``GET /api/v4/users/me``). Requests
are authenticated by ``Authorization: Bearer <token>`` (a bot's access token); errors are
AppError bodies ``{"id", "message", "detailed_error", "request_id", "status_code"}``."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.mattermost_hooks import app_error
from tests.fakes.mattermost_model import (
    FakeChannel,
    FakeUser,
    InvalidAttachments,
    Post,
    decode_attachments,
    give_action_ids,
)
from tests.fakes.mattermost_world import World
from tests.support.http_receiver import Answer, Received

_POSTS = re.compile(r"/api/v4/posts")
_PATCH = re.compile(r"/api/v4/posts/([a-z0-9]{26})/patch")
_MEMBER = re.compile(r"/api/v4/channels/([a-z0-9]{26})/members/([a-z0-9]{26})")
_DIRECT = re.compile(r"/api/v4/channels/direct")
_ME = re.compile(r"/api/v4/users/me")
MAX_POST_RUNES = 16383


def is_api(path: str) -> bool:
    return urlsplit(path).path.startswith("/api/v4/")


def _json(status: int, body: Any) -> Answer:
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _millis() -> int:
    return int(time.time() * 1000)


def post_json(post: Post) -> dict[str, Any]:
    """A post as the API answers it."""
    return {
        "id": post.id,
        "create_time": post.created_at,
        "update_time": post.updated_at,
        "edit_at": post.updated_at if post.edits else 0,
        "delete_at": 0,
        "user_id": post.user_id,
        "channel_id": post.channel_id,
        "root_id": post.root_id,
        "message": post.text,
        "type": post.type,
        "props": post.props,
    }


def serve_api(world: World, request: Received) -> Answer:
    path = urlsplit(request.path).path
    routes = (
        (_PATCH, "PUT", _patch_post),
        (_POSTS, "POST", _create_post),
        (_MEMBER, "GET", _channel_member),
        (_DIRECT, "POST", _direct_channel),
        (_ME, "GET", _me),
    )
    for pattern, method, handle in routes:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if request.method != method:
            return app_error(405, "api.context.405.app_error", "Method not allowed.")
        bot = _authenticated(world, request)
        if bot is None:
            return app_error(
                401,
                "api.context.session_expired.app_error",
                "Invalid or expired session, please login again.",
            )
        return handle(world, bot, request, *match.groups())
    return app_error(404, "api.context.404.app_error", "Sorry, we could not find the page.")


def _authenticated(world: World, request: Received) -> FakeUser | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    with world.lock:
        return world.tokens.get(token.strip())


def _body(request: Received) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def _bad_body(what: str) -> Answer:
    return app_error(
        400, "api.context.invalid_body_param.app_error", f"Invalid or missing {what} in request body."
    )


def _no_permission() -> Answer:
    return app_error(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")


def _props(given: Any) -> dict[str, Any] | None:
    if given is None:
        return {}
    if not isinstance(given, dict):
        return None
    props = dict(given)
    if props.get("attachments") is not None:
        try:
            props["attachments"] = decode_attachments(props["attachments"])
        except InvalidAttachments:
            return None
    give_action_ids(props)
    return props


def _create_post(world: World, bot: FakeUser, request: Received) -> Answer:
    body = _body(request)
    if not isinstance(body, dict) or not isinstance(body.get("channel_id"), str):
        return _bad_body("post")
    channel = world.channel_by_id(body["channel_id"])
    if channel is None:
        # Mattermost checks the permission on a channel it cannot find: 403, as for a stranger.
        return _no_permission()
    if not world.is_member(channel, bot):
        return _no_permission()
    message, root_id = body.get("message") or "", body.get("root_id") or ""
    props = _props(body.get("props"))
    if not isinstance(message, str) or not isinstance(root_id, str) or props is None:
        return _bad_body("post")
    if len(message) > MAX_POST_RUNES:
        return app_error(400, "model.post.is_valid.msg.app_error", "Invalid message.")
    if not message and not props.get("attachments"):
        return app_error(400, "api.post.create_post.message.app_error", "Message is required.")
    if root_id:
        root = world.find_post(root_id)
        if root is None or root.channel_id != channel.id:
            return app_error(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.")
    post = world.add_post(channel, bot, text=message, props=props, source="api", raw=body, root_id=root_id)
    return _json(201, post_json(post))


def _patch_post(world: World, bot: FakeUser, request: Received, post_id: str) -> Answer:
    body = _body(request)
    if not isinstance(body, dict):
        return _bad_body("patch")
    post = world.find_post(post_id)
    if post is None:
        return app_error(404, "app.post.get.app_error", "Unable to get the post.")
    if post.user_id != bot.id:
        return _no_permission()
    message = body.get("message")
    props = _props(body["props"]) if "props" in body else post.props
    if (message is not None and not isinstance(message, str)) or props is None:
        return _bad_body("patch")
    with world.lock:
        if message is not None:
            post.text = message
        post.props = props
        post.updated_at = _millis()
        post.edits.append(body)
    return _json(200, post_json(post))


def _channel_member(world: World, bot: FakeUser, request: Received, channel_id: str, user_id: str) -> Answer:
    channel = world.channel_by_id(channel_id)
    if channel is None or not world.is_member(channel, bot):
        return _no_permission()
    user = world.user_by_id(user_id)
    if user is None or not world.is_member(channel, user):
        return app_error(
            404,
            "app.channel.get_member.missing.app_error",
            "No channel member found for that user ID and channel ID.",
        )
    return _json(
        200,
        {
            "channel_id": channel.id,
            "user_id": user.id,
            "roles": "channel_user",
            "last_viewed_at": 0,
            "msg_count": 0,
            "mention_count": 0,
            "notify_props": {},
            "last_update_at": _millis(),
        },
    )


def _me(world: World, bot: FakeUser, request: Received) -> Answer:
    return _json(200, {"id": bot.id, "username": bot.username, "is_bot": True})


def _direct_channel(world: World, bot: FakeUser, request: Received) -> Answer:
    body = _body(request)
    if not (isinstance(body, list) and len(body) == 2 and all(isinstance(i, str) for i in body)):
        return _bad_body("user ids")
    users = [world.user_by_id(user_id) for user_id in body]
    if any(user is None for user in users) or bot.id not in body:
        return app_error(
            400, "api.context.invalid_body_param.app_error", "Invalid or missing user_ids in request body."
        )
    one, other = users
    assert one is not None and other is not None
    channel: FakeChannel = world.direct_channel(one, other)
    world.add_member(channel, one)
    world.add_member(channel, other)
    return _json(
        201,
        {
            "id": channel.id,
            "type": "D",
            "name": channel.name,
            "display_name": "",
            "team_id": "",
            "create_at": _millis(),
        },
    )
