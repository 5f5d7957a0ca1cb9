"""What Mattermost does with a slash command's answer (the synchronous one, or one posted later
to its ``response_url``): CommandResponseFromHTTPBody, then HandleCommandResponse for the answer
and each of its ``extra_responses``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.mattermost_model import (
    Ephemeral,
    FakeChannel,
    FakeUser,
    InvalidAttachments,
    Post,
    decode_attachments,
    processed_attachments,
    slack_text,
)
from tests.fakes.mattermost_world import World

_STRINGS = (
    "response_type",
    "text",
    "username",
    "icon_url",
    "channel_id",
    "type",
    "goto_location",
    "trigger_id",
)


class BadCommandResponse(ValueError):
    """The answer cannot be decoded as a CommandResponse."""


def command_response(content_type: str, body: bytes) -> dict[str, Any]:
    """JSON when the media type is exactly application/json; any other body is plain text."""
    if content_type.split(";")[0].strip() != "application/json":
        return {"text": body.decode("utf-8", "replace")}
    try:
        response = json.loads(body)
    except ValueError as exc:
        raise BadCommandResponse(f"invalid JSON: {exc}") from exc
    return _checked(response if response is not None else {}, nested=False)


def _checked(response: Any, *, nested: bool) -> dict[str, Any]:
    if not isinstance(response, dict):
        raise BadCommandResponse("a CommandResponse must be a JSON object")
    checked = dict(response)
    for key in _STRINGS:
        if checked.get(key) is not None and not isinstance(checked[key], str):
            raise BadCommandResponse(f"{key} must be a string")
    if checked.get("skip_slack_parsing") is not None and not isinstance(checked["skip_slack_parsing"], bool):
        raise BadCommandResponse("skip_slack_parsing must be a boolean")
    if checked.get("props") is not None and not isinstance(checked["props"], dict):
        raise BadCommandResponse("props must be an object")
    if checked.get("attachments") is not None:
        try:
            checked["attachments"] = decode_attachments(checked["attachments"])
        except InvalidAttachments as exc:
            raise BadCommandResponse(str(exc)) from exc
    extra = checked.get("extra_responses")
    if extra is not None:
        if not isinstance(extra, list):
            raise BadCommandResponse("extra_responses must be an array")
        checked["extra_responses"] = [_checked(part, nested=True) for part in extra if part is not None]
    if nested:
        checked.pop("extra_responses", None)
    return checked


@dataclass
class Handled:
    posts: list[Post] = field(default_factory=list)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    error: str | None = None


def handle_command_response(
    world: World,
    response: dict[str, Any],
    *,
    user: FakeUser,
    channel: FakeChannel,
    trigger: str,
    source: str,
) -> Handled:
    handled = Handled()
    for part in [response, *(response.get("extra_responses") or [])]:
        if not _post(world, part, handled, user=user, channel=channel, source=source):
            handled.error = (
                f"Command '{trigger}' failed to post response. Please contact your System Administrator."
            )
    return handled


def _post(
    world: World, part: dict[str, Any], handled: Handled, *, user: FakeUser, channel: FakeChannel, source: str
) -> bool:
    """HandleCommandResponsePost + CreateCommandPost; False where Mattermost fails the post."""
    if part.get("channel_id"):
        target = world.channel_by_id(part["channel_id"])
        if target is None:  # the invoking user must be a member of that channel (403)
            return False
        channel = target
    if str(part.get("type") or "").startswith("system_"):
        return False
    skip = bool(part.get("skip_slack_parsing"))
    process = (lambda text: text) if skip else (lambda text: slack_text(text, world.username_of))
    props = dict(part.get("props") or {})
    if part.get("username"):
        props["override_username"] = part["username"]
    if part.get("icon_url"):
        props["override_icon_url"] = part["icon_url"]
    props["from_webhook"] = "true"
    attachments = part.get("attachments")
    if attachments is not None:
        if attachments:
            props["attachments"] = processed_attachments(attachments, process)
        else:
            props.pop("attachments", None)
    text = process(str(part.get("text") or ""))
    kind = part.get("response_type") or ""
    if kind == "in_channel":
        handled.posts.append(world.add_post(channel, user, text=text, props=props, source=source, raw=part))
    elif kind in ("", "ephemeral") and (text or attachments is not None):
        ephemeral = Ephemeral(user.username, channel.name, text, list(attachments or []), source)
        world.add_ephemeral(ephemeral)
        handled.ephemerals.append(ephemeral)
    return True
