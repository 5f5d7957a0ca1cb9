"""How the fake HipChat installs an add-on: read its capabilities descriptor (checked as HipChat
checked it), make an OAuth client for the installation, POST the install callback (the client is
kept only when the add-on accepts it); and the uninstall."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from tests.fakes.hipchat_model import EVENTS, SCOPES, Client, HttpSender, Room, World

JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": "HipChat.com"}


def decoded(answer: Any) -> Any:
    try:
        return answer.json()
    except ValueError:
        return answer.text


@dataclass
class Installation:
    """One install of the add-on, and how it went."""

    client: Client
    status: int | None = None
    error: str | None = None
    detail: str = ""

    @property
    def installed(self) -> bool:
        return self.client.installed

    @property
    def oauth_id(self) -> str:
        return self.client.oauth_id


def descriptor_problem(descriptor: Any) -> str | None:
    """Why HipChat refuses a capabilities descriptor, or None."""
    if not isinstance(descriptor, dict):
        return "the descriptor is not a JSON object"
    key, capabilities = descriptor.get("key"), descriptor.get("capabilities") or {}
    if not isinstance(key, str) or not 1 <= len(key) <= 40:
        return "key: length must be between 1 and 40"
    if not descriptor.get("name") or not (descriptor.get("links") or {}).get("self"):
        return "name and links.self are required"
    installable = capabilities.get("installable") or {}
    if not installable.get("callbackUrl"):
        return "installable.callbackUrl is required for a server-side add-on"
    if not set((capabilities.get("hipchatApiConsumer") or {}).get("scopes", [])) <= SCOPES:
        return "hipchatApiConsumer.scopes: unknown scope"
    for hook in capabilities.get("webhook", []):
        if (
            hook.get("event") not in EVENTS
            or not hook.get("url")
            or hook.get("authentication")
            not in (
                None,
                "jwt",
                "none",
            )
        ):
            return f"webhook {hook.get('name')}: event, url and authentication (jwt or none) are required"
        re.compile(hook.get("pattern", ""))
    return None


def install(
    world: World,
    client: HttpSender,
    *,
    capabilities_url: str,
    request_url: str,
    room: Room | None,
    group: str,
    oauth_secret: str | None,
) -> Installation:
    answer = client.request("GET", request_url, headers={"Accept": "application/json"})
    descriptor = decoded(answer)
    problem = descriptor_problem(descriptor) if answer.status_code == 200 else f"HTTP {answer.status_code}"
    made = Client(str(uuid.uuid4()), secrets.token_urlsafe(30), world.group(group), room, request_url, {})
    if problem:
        return Installation(made, answer.status_code, f"Invalid add-on descriptor: {problem}", answer.text)
    made.descriptor = descriptor
    with world.lock:
        world.clients[made.oauth_id] = made
    callback = {
        "capabilitiesUrl": capabilities_url,
        "oauthId": made.oauth_id,
        "oauthSecret": oauth_secret or made.oauth_secret,
        "groupId": int(made.group.id),
    }
    if room is not None:
        callback["roomId"] = int(room.id)
    url = descriptor["capabilities"]["installable"]["callbackUrl"]
    answer = client.request("POST", url, content=json.dumps(callback).encode(), headers=JSON_HEADERS)
    result = Installation(made, answer.status_code, detail=answer.text)
    if 200 <= answer.status_code < 300:
        made.installed = True
    else:
        result.error = f"The add-on refused the installation (HTTP {answer.status_code})"
        with world.lock:
            world.clients.pop(made.oauth_id, None)
    return result


def uninstall(world: World, client: HttpSender, installation: Installation) -> int:
    """HipChat forgets the client and its tokens, then tells the add-on; the add-on's status."""
    made = installation.client
    with world.lock:
        world.clients.pop(made.oauth_id, None)
        for token in [key for key, value in world.tokens.items() if value.oauth_id == made.oauth_id]:
            del world.tokens[token]
        made.installed = False
    url = made.descriptor["capabilities"]["installable"]["callbackUrl"]
    return client.request("DELETE", f"{url}/{made.oauth_id}").status_code
