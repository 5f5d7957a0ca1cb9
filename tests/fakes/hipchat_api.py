"""What the fake HipChat server answers to an add-on: its capabilities document, OAuth2 tokens
(client credentials, HTTP basic auth), room notifications and private messages (Bearer token with
the scope needed; the body checked as HipChat checks it). Refusals carry HipChat's error JSON."""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import parse_qs, urlsplit

from tests.fakes.hipchat_model import (
    TOKEN_LIFETIME,
    Post,
    PrivateMessage,
    Token,
    World,
    body_problem,
    read_html,
)
from tests.support.http_receiver import Answer, Received

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
}


def error(status: int, message: str) -> Answer:
    body = {"error": {"code": status, "message": message, "type": _REASONS.get(status, "Error")}}
    return Answer(status, json.dumps(body).encode())


def capabilities(base_url: str) -> dict[str, object]:
    api = f"{base_url}/v2"
    return {
        "name": "HipChat",
        "key": "hipchat",
        "description": "Group chat and IM built for teams",
        "links": {"self": f"{api}/capabilities", "api": api, "homepage": base_url, "subdomain": base_url},
        "capabilities": {
            "oauth2Provider": {
                "authorizationUrl": f"{base_url}/users/authorize",
                "tokenUrl": f"{api}/oauth/token",
            },
            "hipchatApiProvider": {"url": f"{api}/", "availableScopes": {}},
        },
    }


def serve(world: World, base_url: str, request: Received) -> Answer:
    path = urlsplit(request.path).path.rstrip("/")
    parts = path.split("/")[1:]
    match request.method, parts:
        case "GET", ["v2", "capabilities"]:
            return Answer(200, json.dumps(capabilities(base_url)).encode())
        case "POST", ["v2", "oauth", "token"]:
            return _token(world, request)
        case "POST", ["v2", "room", room, "notification"]:
            return _notification(world, request, room)
        case "POST", ["v2", "user", user, "message"]:
            return _private_message(world, request, user)
    return error(404, f"No resource {request.method} {path}")


def _token(world: World, request: Received) -> Answer:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        oauth_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except ValueError:
        oauth_id = secret = ""
    with world.lock:
        client = world.clients.get(oauth_id)
        if (
            scheme.lower() != "basic"
            or client is None
            or not secrets.compare_digest(secret, client.oauth_secret)
        ):
            return error(401, "Invalid OAuth client credentials")
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return error(400, "Unsupported grant_type")
        asked = frozenset(form.get("scope", "").split()) or client.scopes
        if not asked <= client.scopes:
            return error(400, f"Invalid scope: {' '.join(sorted(asked - client.scopes))}")
        token = secrets.token_urlsafe(30)
        world.tokens[token] = Token(oauth_id, asked, world.now() + TOKEN_LIFETIME)
        granted = {
            "access_token": token,
            "expires_in": TOKEN_LIFETIME,
            "group_id": int(client.group.id),
            "group_name": client.group.name,
            "scope": " ".join(sorted(asked)),
            "token_type": "bearer",
        }
    return Answer(200, json.dumps(granted).encode())


def _authorised(world: World, request: Received, scope: str) -> Token | Answer:
    if world.refusals:
        return error(*world.refusals.pop(0))
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    token = world.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.expires_at <= world.now():
        return error(401, "Invalid OAuth session")
    if scope not in token.scopes:
        return error(403, f"This endpoint requires the scope {scope}")
    return token


def _body(request: Received, *, notification: bool) -> dict[str, object] | Answer:
    try:
        body = json.loads(request.body)
    except ValueError:
        return error(400, "Request body must be valid JSON")
    problem = body_problem(body, notification=notification)
    return error(400, problem) if problem else body


def _notification(world: World, request: Received, room_ref: str) -> Answer:
    with world.lock:
        token = _authorised(world, request, "send_notification")
        if isinstance(token, Answer):
            return token
        room, client = world.find_room(room_ref), world.clients[token.oauth_id]
        if room is None:
            return error(404, f"Room not found: {room_ref}")
        if client.room is not None and client.room != room:
            return error(403, f"The add-on is not installed in the room {room.name}")
        body = _body(request, notification=True)
        if isinstance(body, Answer):
            return body
        world.posts.append(notification_post(room.name, body, source="notification"))
    return Answer(204, b"", {})


def notification_post(room: str, body: dict[str, object], *, source: str) -> Post:
    markup = str(body["message"])
    shown = read_html(markup) if body.get("message_format", "html") == "html" else markup
    card = body.get("card")
    return Post(
        room=room,
        text=shown,
        html=markup,
        color=str(body.get("color", "yellow")),
        notify=body.get("notify") in (True, "true"),
        sender=str(body.get("from", "")),
        source=source,
        card=card if isinstance(card, dict) else None,
        raw=body,
    )


def _private_message(world: World, request: Received, user_ref: str) -> Answer:
    with world.lock:
        token = _authorised(world, request, "send_message")
        if isinstance(token, Answer):
            return token
        user = world.find_user(user_ref)
        if user is None:
            return error(404, f"User not found: {user_ref}")
        body = _body(request, notification=False)
        if isinstance(body, Answer):
            return body
        markup = str(body["message"])
        shown = read_html(markup) if body.get("message_format", "html") == "html" else markup
        world.messages.append(PrivateMessage(user.username, shown, markup, body))
    return Answer(204, b"", {})
