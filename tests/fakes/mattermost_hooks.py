"""The two endpoints Mattermost serves to integrations: incoming webhooks (``POST /hooks/<id>``)
and slash command response URLs (``POST /hooks/commands/<id>``), answering as Mattermost does:
``200 text/plain ok``, or an AppError JSON body with its status."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.mattermost_commands import BadCommandResponse, command_response, handle_command_response
from tests.fakes.mattermost_model import (
    InvalidAttachments,
    decode_attachments,
    new_id,
    processed_attachments,
    slack_text,
)
from tests.fakes.mattermost_world import Hook, World
from tests.support.http_receiver import Answer, Received

MAX_POST_RUNES = 16383
OK = Answer(200, b"ok", {"Content-Type": "text/plain"})
_RESERVED_PROPS = ("from_webhook", "override_username", "override_icon_url", "override_icon_emoji")
_STRINGS = ("text", "channel", "username", "icon_url", "icon_emoji", "type")
_COMMAND_HOOK = re.compile(r"/hooks/commands/([A-Za-z0-9]+)")
_HOOK = re.compile(r"/hooks/([A-Za-z0-9]+)")


def serve(world: World, request: Received) -> Answer:
    """Mattermost's router: both routes take POST only."""
    path = urlsplit(request.path).path
    command, hook = _COMMAND_HOOK.fullmatch(path), _HOOK.fullmatch(path)
    if not (command or hook):
        return app_error(404, "api.context.404.app_error", "Sorry, we could not find the page.")
    if request.method != "POST":
        return Answer(405, b"", {})
    content_type = request.headers.get("content-type", "")
    if command:
        return command_webhook(world, command.group(1), content_type, request.body)
    assert hook is not None
    return incoming_webhook(world, hook.group(1), content_type, request.body)


def app_error(status: int, error_id: str, message: str, detailed: str = "") -> Answer:
    body = {
        "id": error_id,
        "message": message,
        "detailed_error": detailed,
        "request_id": new_id(),
        "status_code": status,
    }
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


class _BadPayload(ValueError):
    pass


def incoming_webhook(world: World, hook_id: str, content_type: str, body: bytes) -> Answer:
    media = content_type.split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        body = (
            parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get("payload", [""])[0].encode()
        )
    elif media == "multipart/form-data":
        return app_error(400, "web.incoming_webhook.decode.app_error", "multipart bodies are not faked")
    try:
        raw, request = _decoded(body)
    except _BadPayload as exc:
        return app_error(
            400, "web.incoming_webhook.decode.app_error", "Unable to parse the payload.", str(exc)
        )
    with world.lock:
        hook = world.hooks.get(hook_id)
    if hook is None:
        return app_error(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
    text = request.get("text") or ""
    if not text and request.get("attachments") is None:
        return app_error(400, "web.incoming_webhook.text.app_error", "No text specified.")
    if str(request.get("type") or "").startswith("system_"):
        return app_error(400, "api.context.invalid_param.app_error", "Invalid post.type parameter.")
    priority = request.get("priority")
    if priority is not None and not (
        isinstance(priority, dict) and isinstance(priority.get("priority"), str)
    ):
        return app_error(400, "api.post.post_priority.priority.app_error", "Invalid priority.")
    return _post(world, hook, request, text, raw)


def _decoded(payload: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON as sent, and as Mattermost's IncomingWebhookRequest struct keeps it."""
    try:
        request = json.loads(payload)
    except ValueError:
        try:  # Mattermost retries with raw newlines and tabs inside strings escaped
            request = json.loads(payload, strict=False)
        except ValueError as exc:
            raise _BadPayload(f"invalid JSON: {exc}") from exc
    if not isinstance(request, dict):
        raise _BadPayload("the payload must be a JSON object")
    for key in _STRINGS:
        if request.get(key) is not None and not isinstance(request[key], str):
            raise _BadPayload(f"{key} must be a string")
    if request.get("props") is not None and not isinstance(request["props"], dict):
        raise _BadPayload("props must be an object")
    if request.get("attachments") is not None:
        try:
            return request, {**request, "attachments": decode_attachments(request["attachments"])}
        except InvalidAttachments as exc:
            raise _BadPayload(str(exc)) from exc
    return request, dict(request)


def _post(world: World, hook: Hook, request: dict[str, Any], text: str, raw: dict[str, Any]) -> Answer:
    wanted = str(request.get("channel") or "")
    if hook.locked and wanted and wanted.lstrip("#") != hook.channel.name:
        return app_error(403, "web.incoming_webhook.channel_locked.app_error", "This webhook is locked.")
    channel = hook.channel
    if wanted.startswith("@"):
        user = world.known_user(wanted[1:])
        if user is None:
            return app_error(400, "web.incoming_webhook.user.app_error", "Couldn't find the user.")
        channel = world.direct_channel(hook.creator, user)
    elif wanted:
        team = hook.channel.team.name if hook.channel.team else ""
        found = world.known_channel(wanted.lstrip("#"), team)
        if found is None:
            return app_error(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.")
        channel = found

    def process(piece: str) -> str:
        return slack_text(piece, world.username_of)

    props = {key: value for key, value in (request.get("props") or {}).items() if key not in _RESERVED_PROPS}
    attachments = request.get("attachments")
    if attachments is not None:
        props["attachments"] = processed_attachments(attachments, process)
    if not props.get("attachments"):
        props.pop("attachments", None)
    props["from_webhook"] = "true"
    props["override_username"] = request.get("username") or hook.username or "webhook"
    if request.get("icon_url"):
        props["override_icon_url"] = request["icon_url"]
    if request.get("icon_emoji"):
        props["override_icon_emoji"] = request["icon_emoji"]
    props["webhook_display_name"] = hook.display_name
    message = process(text)
    # A long text becomes several posts; the attachments go with the last one.
    pieces = [message[start : start + MAX_POST_RUNES] for start in range(0, len(message), MAX_POST_RUNES)]
    pieces = pieces or [""]
    for number, piece in enumerate(pieces, start=1):
        last = number == len(pieces)
        own = props if last else {k: v for k, v in props.items() if k != "attachments"}
        world.add_post(channel, hook.creator, text=piece, props=dict(own), source="webhook", raw=raw)
    return OK


def command_webhook(world: World, hook_id: str, content_type: str, body: bytes) -> Answer:
    try:
        response = command_response(content_type, body)
    except BadCommandResponse as exc:
        return app_error(
            400, "web.command_webhook.parse.app_error", "Unable to parse incoming data.", str(exc)
        )
    hook, why = world.use_command_hook(hook_id)
    if hook is None:
        if why == "missing":
            return app_error(404, "app.command_webhook.get.missing", "Unable to find the webhook.")
        return app_error(400, "app.command_webhook.try_use.invalid", "Invalid webhook use.")
    with world.lock:
        hook.responses.append(response)
    handled = handle_command_response(
        world, response, user=hook.user, channel=hook.channel, trigger=hook.trigger, source="response_url"
    )
    if handled.error:
        return app_error(500, "api.command.execute_command.create_post_failed.app_error", handled.error)
    return OK
