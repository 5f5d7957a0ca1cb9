"""A slash command as Mattermost runs it: the request it sends to the command's URL
(tryExecuteCustomCommand + DoCommandRequest) and how it takes the answer."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from tests.fakes.command_answer import CommandAnswer
from tests.fakes.deadline import collector_held_off
from tests.fakes.mattermost_commands import BadCommandResponse, command_response, handle_command_response
from tests.fakes.mattermost_model import (
    MAX_RESPONSE,
    USER_AGENT,
    Ephemeral,
    FakeChannel,
    FakeTeam,
    FakeUser,
    HttpAnswer,
    HttpSender,
    Post,
    Sent,
    trigger_id,
)
from tests.fakes.mattermost_world import World

_USER_MENTION = re.compile(r"\B@([A-Za-z0-9][A-Za-z0-9.\-_:]*)")
_CHANNEL_MENTION = re.compile(r"\B~([A-Za-z0-9\-_]+)")
_SPECIAL_MENTIONS = ("channel", "all", "here")


@dataclass
class SlashResult(CommandAnswer):
    attachments: list[dict[str, Any]] = field(default_factory=list)
    extra_responses: list[dict[str, Any]] = field(default_factory=list)
    goto_location: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    """Posts the answer made in the channel (``in_channel`` parts)."""
    ephemerals: list[Ephemeral] = field(default_factory=list)


def _go_encode(fields: list[tuple[str, str]]) -> str:
    """url.Values.Encode: keys sorted, each key's values in the order they were added."""
    return urlencode(sorted(fields, key=lambda pair: pair[0]))


def mention_fields(
    world: World, text: str, team: FakeTeam, given: dict[str, str] | None
) -> list[tuple[str, str]]:
    """user_mentions/user_mentions_ids (then channel_mentions/_ids) for known users (open channels)
    mentioned in the text, as parallel repeated keys; ``given`` replaces the users found."""
    users: dict[str, str] = dict(given) if given is not None else {}
    if given is None:
        for mention in _USER_MENTION.findall(text):
            name = mention.lower()
            while name and name not in _SPECIAL_MENTIONS:
                user = world.known_user(name)
                if user is not None:
                    users.setdefault(name, user.id)
                    break
                trimmed = name.rstrip(".-_")  # Mattermost retries without trailing punctuation
                name = "" if trimmed == name else trimmed
    channels: dict[str, str] = {}
    for name in _CHANNEL_MENTION.findall(text):
        channel = world.known_channel(name, team.name)
        if channel is not None:
            channels.setdefault(name, channel.id)
    pairs: list[tuple[str, str]] = []
    for prefix, mentions in (("user", users), ("channel", channels)):
        for name, ident in mentions.items():
            pairs += [(f"{prefix}_mentions", name), (f"{prefix}_mentions_ids", ident)]
    return pairs


def slash(
    world: World,
    client: HttpSender,
    *,
    site_url: str,
    request_url: str,
    text: str,
    user: str,
    team: str,
    channel: str,
    method: str,
    token: str,
    mentions: dict[str, str] | None,
    trigger: str,
    root_id: str,
) -> SlashResult:
    invoker, where, in_team = world.user(user), world.channel(channel, team), world.team(team)
    response_url = f"{site_url}/hooks/commands/{world.add_command_hook(invoker, where, root_id, trigger).id}"
    fields = [
        ("token", token),
        ("team_id", in_team.id),
        ("team_domain", in_team.name),
        ("channel_id", where.id),
        ("channel_name", where.name),
        ("user_id", invoker.id),
        ("user_name", invoker.username),
        ("command", f"/{trigger}"),
        ("text", text),
        ("trigger_id", trigger_id(invoker.id)),
        ("root_id", root_id),
        ("response_url", response_url),
        *mention_fields(world, text, in_team, mentions),
    ]
    encoded = _go_encode(fields)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Token {token}"
    url, body = request_url, b""
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = encoded.encode()
    else:
        parts = urlsplit(request_url)
        url = urlunsplit(parts._replace(query=f"{parts.query}&{encoded}" if parts.query else encoded))
    result = SlashResult(Sent(method, url, headers, body, fields=fields), response_url)
    started = time.monotonic()
    try:
        with collector_held_off():
            answer = client.request(method, url, content=body or None, headers=headers)
    except httpx.HTTPError as exc:
        result.elapsed, result.detail = time.monotonic() - started, repr(exc)
        result.error = f"Command with a trigger of '{trigger}' failed."
        return result
    result.elapsed = time.monotonic() - started
    _take(world, result, answer, invoker=invoker, channel=where, trigger=trigger)
    return result


def _take(
    world: World,
    result: SlashResult,
    answer: HttpAnswer,
    *,
    invoker: FakeUser,
    channel: FakeChannel,
    trigger: str,
) -> None:
    """DoCommandRequest's checks of the answer, then HandleCommandResponse."""
    result.status = answer.status_code
    result.headers = {name.lower(): value for name, value in answer.headers.items()}
    content = answer.content[:MAX_RESPONSE]
    if answer.status_code != 200:
        status = f"{answer.status_code} {answer.reason_phrase}"
        result.error = f"Command with a trigger of '{trigger}' returned response {status}."
        result.detail = content.decode("utf-8", "replace")
        return
    content_type = answer.headers.get("content-type", "")
    try:
        response = command_response(content_type, content)
    except BadCommandResponse as exc:
        result.error, result.detail = f"Command with a trigger of '{trigger}' failed.", str(exc)
        return
    is_json = content_type.split(";")[0].strip() == "application/json"
    result.raw = json.loads(content) if is_json else response["text"]
    result.response_type = str(response.get("response_type") or "")
    result.text = str(response.get("text") or "")
    result.attachments = list(response.get("attachments") or [])
    result.extra_responses = list(response.get("extra_responses") or [])
    result.goto_location = str(response.get("goto_location") or "")
    result.ephemeral = result.response_type in ("", "ephemeral")
    handled = handle_command_response(
        world, response, user=invoker, channel=channel, trigger=trigger, source="command"
    )
    result.posts, result.ephemerals, result.error = handled.posts, handled.ephemerals, handled.error
