"""What an integration that sends alerts out is configured with, checked before anything is
stored: a webhook's URL (through the outbound check) and headers, its custom actions, and its
outgoing side (the alert actions it forwards, and the filter alerts must match)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.conditions import parse_filter
from tocsin.errors import InvalidInput
from tocsin.integrations import outgoing
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy

URL_KINDS = frozenset({"Webhook"})
"""Kinds configured with the URL they post to (chat kinds keep their own settings)."""


@dataclass(frozen=True)
class Changes:
    """Settings to set; None leaves a setting as it is."""

    url: str | None = None
    headers: dict[str, str] | None = None
    custom_actions: list[str] | None = None
    outgoing_actions: list[str] | None = None
    outgoing_filter: dict[str, Any] | None = None

    @property
    def outgoing_given(self) -> bool:
        return self.outgoing_actions is not None or self.outgoing_filter is not None


def apply(integration: Integration, changes: Changes, *, outbound: OutboundPolicy, new: bool) -> None:
    """Check ``changes`` and set them on ``integration`` (nothing is set if any is refused). A new
    integration that sends gets the default actions and a match-all filter unless given others."""
    kind = integration.type
    if kind not in URL_KINDS:
        for field, value in (("url", changes.url), ("headers", changes.headers)):
            if value:
                raise InvalidInput(
                    field, f"{kind} integrations have no {field}; only Webhook integrations do"
                )
    if not outgoing.sends(kind):
        if changes.custom_actions:
            raise InvalidInput(
                "customActions", f"{kind} integrations send nothing out, so run no custom actions"
            )
        if changes.outgoing_given:
            senders = ", ".join(sorted(outgoing.SENDERS))
            raise InvalidInput(
                "outgoing", f"{kind} integrations send nothing out; outgoing applies to {senders}"
            )
    config = dict(integration.config or {})
    if changes.url is not None:
        config["url"] = outbound.check(changes.url).url
    if kind in URL_KINDS and not config.get("url"):
        raise InvalidInput("url", f"a {kind} integration needs the url it posts to")
    if changes.headers is not None:
        config["headers"] = dict(changes.headers)
    if changes.custom_actions is not None:
        config["customActions"] = list(changes.custom_actions)
    actions = filter_json = None
    if changes.outgoing_actions is not None:
        actions = outgoing.checked_actions(changes.outgoing_actions)
    elif new and outgoing.sends(kind):
        actions = list(outgoing.DEFAULT_ACTIONS)
    if changes.outgoing_filter is not None or (new and outgoing.sends(kind)):
        filter_json = parse_filter(changes.outgoing_filter, field="outgoing.filter").to_json()
    integration.config = config
    if actions is not None:
        integration.outgoing_actions = actions
    if filter_json is not None:
        integration.outgoing_filter = filter_json


def custom_actions_of(integration: Integration) -> list[str]:
    return list((integration.config or {}).get("customActions", []))


def url_of(integration: Integration) -> str:
    return str((integration.config or {}).get("url", ""))


def headers_of(integration: Integration) -> dict[str, str]:
    return dict((integration.config or {}).get("headers", {}))


def defines(integration: Integration, custom_action: str) -> bool:
    """Whether the integration runs this custom action (names compare without case)."""
    wanted = custom_action.casefold()
    return any(name.casefold() == wanted for name in custom_actions_of(integration))
