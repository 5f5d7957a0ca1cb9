"""A button click as Mattermost runs it: the JSON it posts to the action's integration URL
(DoPostActionWithCookie + DoActionRequest) and how it applies the answer to the post."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fakes.mattermost_model import (
    ACTION_ID,
    MAX_RESPONSE,
    USER_AGENT,
    Ephemeral,
    FakeChannel,
    FakeTeam,
    FakeUser,
    HttpSender,
    InvalidAttachments,
    Post,
    Sent,
    decode_attachments,
    give_action_ids,
    link_text,
    props_after_update,
    trigger_id,
)
from tests.fakes.mattermost_world import World


@dataclass
class ClickResult:
    request: Sent
    status: int | None = None
    error: str | None = None
    """Mattermost's error for the click (the integration answered badly or not at all)."""
    detail: str = ""
    ephemeral_text: str = ""
    update: dict[str, Any] | None = None
    goto_location: str = ""
    raw: Any = None
    elapsed: float = 0.0
    post: Post | None = None
    """The clicked post, as it is after the answer's update."""


def click_payload(
    *,
    user: FakeUser,
    channel: FakeChannel,
    team: FakeTeam | None,
    post_id: str,
    kind: str,
    context: dict[str, Any] | None,
) -> dict[str, Any]:
    """PostActionIntegrationRequest, in its struct's field order (context omitted when empty)."""
    payload: dict[str, Any] = {
        "user_id": user.id,
        "user_name": user.username,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "team_id": team.id if team else "",
        "team_domain": team.name if team else "",
        "post_id": post_id,
        "trigger_id": trigger_id(user.id),
        "type": kind,
        "data_source": "",
    }
    if context:
        payload["context"] = context
    return payload


def click_button(
    world: World,
    client: HttpSender,
    *,
    post: Post,
    button: str,
    user: str,
    team: str | None,
) -> ClickResult:
    """Click the button labelled ``button`` (or with that action id) on ``post``; ``team``
    overrides the team Mattermost names (the channel's)."""
    action = post.action(button)
    if action is None:
        raise AssertionError(f"no button {button!r} on post {post.id}; it has {post.buttons}")
    if action.get("disabled"):
        raise AssertionError(f"button {button!r} is disabled")
    clicker, where = world.user(user), world.channel_by_id(post.channel_id)
    assert where is not None
    integration = action.get("integration") or {}
    payload = click_payload(
        user=clicker,
        channel=where,
        team=world.team(team) if team else where.team,
        post_id=post.id,
        kind=str(action.get("type") or "button"),
        context=integration.get("context"),
    )
    if not ACTION_ID.fullmatch(str(action.get("id"))) or not integration.get("url"):
        # The client cannot reach such an action (its id is not [A-Za-z0-9]+) or Mattermost
        # finds no integration to call (404 api.post.do_action.action_id.app_error).
        sent = Sent("POST", "", {}, b"", payload=payload)
        return ClickResult(sent, error="Unable to find the action.", detail=f"action={action}", post=post)
    return send_click(world, client, url=str(integration["url"]), payload=payload, user=clicker)


def _go_json(value: Any) -> bytes:
    """json.Marshal: compact, UTF-8, with <, > and & escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def send_click(
    world: World, client: HttpSender, *, url: str, payload: dict[str, Any], user: FakeUser
) -> ClickResult:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip",
    }
    body = _go_json(payload)
    result = ClickResult(Sent("POST", url, headers, body, payload=payload))
    result.post = world.find_post(payload["post_id"])
    failed = "Action integration error."
    started = time.monotonic()
    try:
        answer = client.request("POST", url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        result.elapsed, result.error, result.detail = time.monotonic() - started, failed, repr(exc)
        return result
    result.elapsed, result.status = time.monotonic() - started, answer.status_code
    if answer.status_code != 200:
        result.error, result.detail = failed, f"status={answer.status_code}"
        return result
    content = answer.content[:MAX_RESPONSE]
    try:
        response = _action_response(content)
    except ValueError as exc:
        result.error, result.detail = failed, str(exc)
        return result
    result.raw, result.update = response, response.get("update")
    result.goto_location = str(response.get("goto_location") or "")
    if result.update is not None and result.post is not None:
        _apply_update(world, result.post, result.update)
    if response.get("ephemeral_text"):
        text = str(response["ephemeral_text"])
        text = text if response.get("skip_slack_parsing") else link_text(text)
        result.ephemeral_text = text
        world.add_ephemeral(Ephemeral(user.username, payload["channel_name"], text, [], "button"))
    return result


def _action_response(content: bytes) -> dict[str, Any]:
    """PostActionIntegrationResponse; an empty body is a valid answer that changes nothing."""
    if not content:
        return {}
    response = json.loads(content)
    if not isinstance(response, dict):
        raise ValueError("the answer must be a JSON object")
    update = response.get("update")
    if update is not None:
        if not isinstance(update, dict):
            raise ValueError("update must be an object")
        if update.get("message") is not None and not isinstance(update["message"], str):
            raise ValueError("update.message must be a string")
        if update.get("props") is not None and not isinstance(update["props"], dict):
            raise ValueError("update.props must be an object")
    for key in ("ephemeral_text", "goto_location"):
        if response.get(key) is not None and not isinstance(response[key], str):
            raise ValueError(f"{key} must be a string")
    return response


def _apply_update(world: World, post: Post, update: dict[str, Any]) -> None:
    """UpdatePost with the answer's post: the message is always replaced (an update without one
    empties the text), props follow props_after_update."""
    props = dict(props_after_update(post.props, update.get("props")))
    if props.get("attachments") is not None:
        with contextlib.suppress(InvalidAttachments):  # kept as given, as Go keeps an undecodable map
            props["attachments"] = decode_attachments(props["attachments"])
    give_action_ids(props)
    with world.lock:
        post.text = str(update.get("message") or "")
        post.props = props
        post.updates.append(update)
