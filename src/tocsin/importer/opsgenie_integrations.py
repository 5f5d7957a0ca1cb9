"""Opsgenie integrations → Tocsin integrations: type, name, owner team, enabled, and the settings
Tocsin has for the type. Opsgenie's API and Prometheus (Alertmanager) integrations become API
integrations, as their senders call the alert API Tocsin serves; Webhook integrations become
Webhook integrations (URL, headers, filter). Other types have no counterpart and say why.

Opsgenie returns an integration's key only when it is created, so a body without ``apiKey`` gets
a new key in Tocsin, listed once after applying with what to change in the sender; a body with
one keeps it, and its sender only changes the host. An integration Tocsin already has (same
name) keeps what it has."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.conditions.filters import parse_filter
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present, team_ref
from tocsin.importer.opsgenie_source import Json
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.integrations.schemas import IntegrationPayload
from tocsin.names import name_key
from tocsin.outbound import OutboundPolicy, OutboundRefused

KINDS = {"API": "API", "Prometheus": "API", "Webhook": "Webhook"}
"""Opsgenie type → Tocsin type."""
SENDERS = {
    "API": "set the Opsgenie API URL the sender calls to Tocsin's address",
    "Prometheus": "in Alertmanager's opsgenie_configs, set api_url to Tocsin's address",
}
WHY_NOT = {
    "Email": "Tocsin takes no alerts by e-mail; have the sender call the alert API with an API "
    "integration instead",
    "Datadog": "Tocsin does not serve Opsgenie's Datadog endpoint; in Datadog, send alerts to "
    "Tocsin's alert API with a webhook and an API integration instead",
    "Slack": "Opsgenie does not return the Slack app's settings; add a Slack integration in Tocsin "
    "(see the Slack guide)",
    "Mattermost": "Opsgenie does not return the Mattermost settings; add a Mattermost integration "
    "in Tocsin (see the Mattermost guide)",
}
_IDENTITY = {"message", "alias", "description", "entity", "source", "priority", "note", "user"}


def _default_rules(actions: Json) -> bool:
    """Whether the incoming rules are Opsgenie's defaults: every request does what it asks."""
    if actions.get("ignore"):
        return False
    for category in ("create", "close", "acknowledge", "addNote"):
        rules = actions.get(category) or []
        if len(rules) > 1:
            return False
        for rule in rules:
            if (rule.get("filter") or {}).get("type", "match-all") != "match-all":
                return False
            for key, value in rule.items():
                if key in _IDENTITY and key != "user" and value != f"{{{{{key}}}}}":
                    return False
    return True


def _reasons(found: Json, present: Present) -> list[str]:
    kind = str(found.get("type") or "")
    if kind not in KINDS:
        return [WHY_NOT.get(kind, f"Tocsin has no {kind or 'untyped'} integration")]
    reasons = []
    owner = team_ref(found.get("ownerTeam"))
    if owner and present.lacks({"type": "team", **owner}):
        reasons.append(f"its owner team {owner['name']!r} is neither in Tocsin nor in this import")
    if KINDS[kind] != "API":
        return reasons
    if found.get("suppressNotifications"):
        reasons.append("it creates alerts without notifying anyone; Tocsin's API integrations always notify")
    own = {name_key(owner["name"])} if owner else set()
    extra = [
        r
        for r in found.get("responders") or []
        if name_key(str(r.get("name") or r.get("username"))) not in own
    ]
    if extra:
        names = ", ".join(str(r.get("name") or r.get("username")) for r in extra)
        reasons.append(
            f"it adds {names} to every alert; Tocsin's API integrations add only their owner team: "
            "have the sender name them, or use a team integration"
        )
    if not owner and (found.get("ignoreRecipientsFromPayload") or found.get("ignoreTeamsFromPayload")):
        reasons.append(
            "it ignores the responders a request names; a global Tocsin API integration takes them"
        )
    if not _default_rules(found.get("actions") or {}):
        reasons.append(
            "its incoming rules filter or rewrite requests; Tocsin's API integration takes them as "
            "they are (an alert policy can rewrite them)"
        )
    return reasons


def _notes(found: Json) -> list[str]:
    notes = []
    if found.get("ignoreTagsFromPayload") or found.get("ignoreExtraPropertiesFromPayload"):
        notes.append("it ignored the tags or extra properties a request sends; Tocsin keeps them")
    for key in ("priority", "tags", "extraProperties"):
        if found.get(key):
            notes.append(f"the {key} it added to alerts: add it with an alert policy instead")
    if found.get("allowWriteAccess") is False:
        notes.append("its key was read-only; Tocsin's API keys may also create and act on alerts")
    if found.get("allowConfigurationAccess"):
        notes.append("its key could configure Opsgenie; use a Tocsin account API key for that")
    return notes


def _webhook(found: Json, outbound: OutboundPolicy) -> tuple[Changes | None, list[str]]:
    url = str(found.get("url") or "")
    try:
        checked = outbound.check(url).url
        filter = found.get("alertFilter")
        if filter:
            parse_filter(filter, field="alertFilter")
        IntegrationPayload.model_validate(
            {"name": "x", "type": "Webhook", "headers": found.get("headers") or {}}
        )
    except OutboundRefused as problem:
        return None, [f"{problem}; allow it with TOCSIN_OUTBOUND_ALLOW if it is yours"]
    except InvalidInput as problem:
        return None, [problem.message]
    except ValueError as problem:  # pydantic's ValidationError is one
        return None, [str(problem).splitlines()[0]]
    return Changes(url=checked, headers=found.get("headers") or {}, outgoing_filter=filter or None), []


def _create(
    change: Change,
    found: Json,
    kind: str,
    settings: Changes | None,
    team: str | None,
    outbound: OutboundPolicy,
) -> Any:
    key = str(found.get("apiKey") or "") or None

    def run(session: Session) -> None:
        _, secret = integrations.create_integration(
            session,
            type=kind,
            name=str(found["name"]).strip(),
            team_name=team,
            actor=SYSTEM,
            enabled=bool(found.get("enabled", True)),
            changes=settings,
            outbound=outbound,
            api_key=key,
        )
        if secret and not key:
            advice = SENDERS.get(str(found.get("type")), "point the sender at Tocsin")
            change.report.append(
                f"new key: integration {change.name} ({found.get('type')}): {secret} "
                f"({advice}, and its key to this one)"
            )

    return run


def plan_integrations(
    session: Session, source: list[Json], present: Present, plan: Plan, outbound: OutboundPolicy
) -> None:
    for found in source:
        name = str(found.get("name") or "").strip()
        if not name:
            plan.add(Change("integration", repr(found.get("id")), CANNOT, ["it has no name"]))
            continue
        held = integrations.find_integration(session, name=name)
        kind = KINDS.get(str(found.get("type")))
        if held is not None:
            if held.type == kind:
                plan.add(Change("integration", name, SAME))
            else:
                plan.add(
                    Change(
                        "integration", name, CANNOT, [f"Tocsin has a {held.type} integration of this name"]
                    )
                )
            continue
        reasons = _reasons(found, present)
        settings = None
        if not reasons and kind == "Webhook":
            settings, reasons = _webhook(found, outbound)
        if reasons or kind is None:
            plan.add(Change("integration", name, CANNOT, reasons))
            continue
        owner = team_ref(found.get("ownerTeam"))
        details = [
            f"{kind}" + (f" (Opsgenie: {found.get('type')})" if kind != found.get("type") else ""),
            f"team {owner['name']}" if owner else "global",
            "enabled" if found.get("enabled", True) else "disabled",
        ]
        if kind == "API":
            details.append(
                "keeps its key: senders change only the host"
                if found.get("apiKey")
                else "a new key, printed once as soon as it is made"
            )
        elif settings is not None:
            details.append(f"posts to {settings.url}")
        change = Change("integration", name, CREATE, details, _notes(found))
        change.run = _create(change, found, kind, settings, owner["name"] if owner else None, outbound)
        present.integrations.add(name_key(name))
        plan.add(change)
