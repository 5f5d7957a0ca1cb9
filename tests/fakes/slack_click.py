"""A button click as Slack runs it: the signed ``block_actions`` interaction it posts to the app's
Interactivity Request URL (a form with one ``payload`` field of JSON), and what the app then
sends to the click's response URL (Slack ignores the HTTP answer's body)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.deadline import answer_seconds, collector_held_off
from tests.fakes.mattermost_model import FakeUser, HttpSender, Sent
from tests.fakes.slack_model import Ephemeral, Message
from tests.fakes.slack_slash import TIMEOUT_SECONDS, send, signed_headers
from tests.fakes.slack_world import Channel, Enterprise, ResponseUrl, World


@dataclass
class ClickResult:
    request: Sent
    payload: dict[str, Any]
    status: int | None = None
    error: str | None = None
    detail: str = ""
    ephemeral_text: str = ""
    """What the clicker alone was shown (through the response URL), as they read it."""
    ephemerals: list[Ephemeral] = field(default_factory=list)
    post: Message | None = None
    """The clicked message, as it is after any ``replace_original``."""
    replaced: bool = False


def click_payload(
    *,
    user: FakeUser,
    channel: Channel,
    enterprise: Enterprise | None,
    message: Message | None,
    button: dict[str, Any],
    response_url: str,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on ``button`` of ``message`` in ``channel``."""
    team = channel.team
    return {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.username, "name": user.username, "team_id": team.id},
        "api_app_id": "A0TOCSIN01",
        "token": "verification-token-unused",
        "container": {
            "type": "message_attachment" if message and message.attachments else "message",
            "message_ts": message.ts if message else "",
            "channel_id": channel.id,
            "is_ephemeral": False,
        },
        "trigger_id": f"{int(time.time())}.{user.id[1:]}.click",
        "team": {
            "id": team.id,
            "domain": team.name,
            **({"enterprise_id": enterprise.id} if enterprise else {}),
        },
        "enterprise": {"id": enterprise.id, "name": enterprise.name} if enterprise else None,
        "is_enterprise_install": False,
        "channel": {"id": channel.id, "name": channel.name},
        "message": message.raw if message else {},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": button.get("action_id", ""),
                "block_id": button.get("block_id", ""),
                "text": button.get("text", {}),
                "value": button.get("value", ""),
                **({"style": button["style"]} if "style" in button else {}),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def click(
    world: World,
    client: HttpSender,
    *,
    request_url: str,
    secret: str,
    payload: dict[str, Any],
    url: ResponseUrl | None,
    signature: str,
    wait: float,
) -> ClickResult:
    """Send the click and wait (up to ``wait`` seconds) for the app's ephemeral answer at the
    response URL."""
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    headers = signed_headers(secret, body, offset=0, signature=signature)
    result = ClickResult(Sent("POST", request_url, headers, body), payload)
    started = time.monotonic()
    try:
        with collector_held_off():
            answer = send(client, request_url, "POST", body, headers)
    except httpx.HTTPError as exc:
        result.error, result.detail = "dispatch_failed", repr(exc)
        return result
    result.status = answer.status_code
    if answer_seconds(answer, time.monotonic() - started) > TIMEOUT_SECONDS:
        result.error = "operation_timeout"
    elif answer.status_code != 200:
        result.error = "http_service_error"
        result.detail = f"HTTP {answer.status_code}: {answer.content.decode('utf-8', 'replace')[:300]}"
    if url is not None:
        _wait_for_ephemeral(world, result, url, wait)
    return result


def _wait_for_ephemeral(world: World, result: ClickResult, url: ResponseUrl, wait: float) -> None:
    deadline = time.monotonic() + (wait if result.error is None else 0.5)
    while time.monotonic() < deadline and not url.ephemerals:
        time.sleep(0.02)
    with world.lock:
        result.ephemerals = list(url.ephemerals)
        result.ephemeral_text = "\n".join(message.text for message in url.ephemerals)
        result.post = url.original
        result.replaced = any(posted.get("replace_original") for posted in url.posted)
